/*
 * stream.c — transparent decompression (gzip, zstd, bzip2, xz). The format
 * is detected from the first bytes, not the file name, so `corpus.jsonl` that is really gzip and
 * data piped through stdin both work. Multi-member gzip files (cat a.gz b.gz)
 * and concatenated zstd frames are read to the end; a stream that ends in the
 * middle of a member or frame is an error, never a silent short read.
 */
#include "io/stream.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bzlib.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#define IN_CAP (1u << 17)

typedef enum { S_PLAIN, S_GZIP, S_ZSTD, S_BZIP2, S_XZ } kind;

struct dp_stream {
    int fd;
    kind kind;
    char name[256];
    unsigned char in[IN_CAP];
    size_t in_pos, in_len;
    int eof;              /* no more bytes from fd */
    uint64_t raw_bytes;
    z_stream z;
    int z_live;           /* inside a gzip member */
    ZSTD_DStream *zs;
    int zs_mid_frame;     /* last zstd call left a frame unfinished */
    bz_stream bz;
    int bz_live;          /* inside a bzip2 stream */
    lzma_stream xz;
    int xz_live;          /* the xz decoder is set up */
    int xz_end;           /* the xz decoder reached the end of the input */
};

/* One read(2) into dst; 0 at the end of the input, -1 on error. */
static long read_fd(dp_stream *s, void *dst, size_t cap, doppel_error *err) {
    for (;;) {
        ssize_t r = read(s->fd, dst, cap);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            dp_fail(err, DOPPEL_ERR_IO, "%s: read error: %s", s->name, strerror(errno));
            return -1;
        }
        s->raw_bytes += (uint64_t)r;
        if (r == 0) s->eof = 1;
        return (long)r;
    }
}

static int fill(dp_stream *s, doppel_error *err) {
    if (s->in_pos < s->in_len || s->eof) return 0;
    long r = read_fd(s, s->in, IN_CAP, err);
    if (r < 0) return -1;
    s->in_pos = 0;
    s->in_len = (size_t)r;
    return 0;
}

doppel_status dp_stream_open(int fd, const char *name, dp_stream **out, doppel_error *err) {
    dp_stream *s = dp_calloc(1, sizeof *s);
    if (!s) {
        close(fd);
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    }
    s->fd = fd;
    snprintf(s->name, sizeof s->name, "%s", name);
    /* Read at least 4 bytes (or to the end) to see the magic number. */
    while (s->in_len < 4 && !s->eof) {
        ssize_t r = read(fd, s->in + s->in_len, IN_CAP - s->in_len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            doppel_status st = dp_fail(err, DOPPEL_ERR_IO, "%s: %s", name, strerror(errno));
            dp_stream_free(s);
            return st;
        }
        if (r == 0) s->eof = 1;
        s->in_len += (size_t)r;
        s->raw_bytes += (uint64_t)r;
    }
    const unsigned char *m = s->in;
    if (s->in_len >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        s->kind = S_GZIP;
    } else if (s->in_len >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd) {
        s->kind = S_ZSTD;
        s->zs = ZSTD_createDStream();
        if (!s->zs) {
            dp_stream_free(s);
            return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        }
        ZSTD_initDStream(s->zs);
    } else if (s->in_len >= 3 && m[0] == 'B' && m[1] == 'Z' && m[2] == 'h') {
        s->kind = S_BZIP2;
    } else if (s->in_len >= 4 && m[0] == 0xfd && m[1] == '7' && m[2] == 'z' && m[3] == 'X') {
        s->kind = S_XZ;
        s->xz = (lzma_stream)LZMA_STREAM_INIT;
        /* LZMA_CONCATENATED: xz files joined with cat are read to the end. */
        if (lzma_stream_decoder(&s->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
            dp_stream_free(s);
            return dp_fail(err, DOPPEL_ERR_NOMEM, "%s: cannot start the xz decoder", name);
        }
        s->xz_live = 1;
    }
    *out = s;
    return DOPPEL_OK;
}

static long read_plain(dp_stream *s, char *buf, size_t cap, doppel_error *err) {
    /* Once the bytes read to detect the format are handed out, plain input
     * goes straight to the caller's buffer: one copy of the input fewer. */
    if (s->in_pos == s->in_len && !s->eof && cap >= IN_CAP) return read_fd(s, buf, cap, err);
    if (fill(s, err)) return -1;
    size_t n = DP_MIN(cap, s->in_len - s->in_pos);
    memcpy(buf, s->in + s->in_pos, n);
    s->in_pos += n;
    return (long)n;
}

static long read_gzip(dp_stream *s, char *buf, size_t cap, doppel_error *err) {
    size_t produced = 0;
    while (produced == 0) {
        if (fill(s, err)) return -1;
        if (s->in_pos == s->in_len) {
            if (s->z_live) {
                dp_fail(err, DOPPEL_ERR_FORMAT, "%s: truncated gzip stream", s->name);
                return -1;
            }
            return 0;
        }
        if (!s->z_live) {
            memset(&s->z, 0, sizeof s->z);
            if (inflateInit2(&s->z, 15 + 16) != Z_OK) {
                dp_fail(err, DOPPEL_ERR_NOMEM, "%s: cannot start gzip decoder", s->name);
                return -1;
            }
            s->z_live = 1;
        }
        s->z.next_in = s->in + s->in_pos;
        s->z.avail_in = (uInt)(s->in_len - s->in_pos);
        s->z.next_out = (unsigned char *)buf;
        s->z.avail_out = (uInt)DP_MIN(cap, (size_t)1 << 30);
        int rc = inflate(&s->z, Z_NO_FLUSH);
        s->in_pos = s->in_len - s->z.avail_in;
        produced = DP_MIN(cap, (size_t)1 << 30) - s->z.avail_out;
        if (rc == Z_STREAM_END) {
            inflateEnd(&s->z);
            s->z_live = 0;  /* another member may follow */
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            dp_fail(err, DOPPEL_ERR_FORMAT, "%s: corrupt gzip data (%s)", s->name,
                    s->z.msg ? s->z.msg : "inflate error");
            inflateEnd(&s->z);
            s->z_live = 0;
            return -1;
        }
    }
    return (long)produced;
}

static long read_zstd(dp_stream *s, char *buf, size_t cap, doppel_error *err) {
    ZSTD_outBuffer out = {buf, cap, 0};
    while (out.pos == 0) {
        if (fill(s, err)) return -1;
        if (s->in_pos == s->in_len) {
            if (s->zs_mid_frame) {
                dp_fail(err, DOPPEL_ERR_FORMAT, "%s: truncated zstd stream", s->name);
                return -1;
            }
            return 0;
        }
        ZSTD_inBuffer in = {s->in, s->in_len, s->in_pos};
        size_t rc = ZSTD_decompressStream(s->zs, &out, &in);
        s->in_pos = in.pos;
        if (ZSTD_isError(rc)) {
            dp_fail(err, DOPPEL_ERR_FORMAT, "%s: corrupt zstd data (%s)", s->name,
                    ZSTD_getErrorName(rc));
            return -1;
        }
        s->zs_mid_frame = rc != 0;
    }
    return (long)out.pos;
}

/* bzip2 streams may be concatenated (pbzip2 writes one per block group). */
static long read_bzip2(dp_stream *s, char *buf, size_t cap, doppel_error *err) {
    size_t produced = 0;
    unsigned avail_out = (unsigned)DP_MIN(cap, (size_t)1 << 30);
    while (produced == 0) {
        if (fill(s, err)) return -1;
        if (s->in_pos == s->in_len) {
            if (s->bz_live) {
                dp_fail(err, DOPPEL_ERR_FORMAT, "%s: truncated bzip2 stream", s->name);
                return -1;
            }
            return 0;
        }
        if (!s->bz_live) {
            memset(&s->bz, 0, sizeof s->bz);
            if (BZ2_bzDecompressInit(&s->bz, 0, 0) != BZ_OK) {
                dp_fail(err, DOPPEL_ERR_NOMEM, "%s: cannot start the bzip2 decoder", s->name);
                return -1;
            }
            s->bz_live = 1;
        }
        s->bz.next_in = (char *)s->in + s->in_pos;
        s->bz.avail_in = (unsigned)(s->in_len - s->in_pos);
        s->bz.next_out = buf;
        s->bz.avail_out = avail_out;
        int rc = BZ2_bzDecompress(&s->bz);
        s->in_pos = s->in_len - s->bz.avail_in;
        produced = avail_out - s->bz.avail_out;
        if (rc == BZ_STREAM_END) {
            BZ2_bzDecompressEnd(&s->bz);
            s->bz_live = 0;
        } else if (rc != BZ_OK) {
            dp_fail(err, DOPPEL_ERR_FORMAT, "%s: corrupt bzip2 data (error %d)", s->name, rc);
            BZ2_bzDecompressEnd(&s->bz);
            s->bz_live = 0;
            return -1;
        }
    }
    return (long)produced;
}

static long read_xz(dp_stream *s, char *buf, size_t cap, doppel_error *err) {
    if (s->xz_end) return 0;
    s->xz.next_out = (uint8_t *)buf;
    s->xz.avail_out = cap;
    while (s->xz.avail_out == cap) {
        if (fill(s, err)) return -1;
        lzma_action action = LZMA_RUN;
        if (s->in_pos == s->in_len) action = LZMA_FINISH;  /* fd at its end */
        s->xz.next_in = s->in + s->in_pos;
        s->xz.avail_in = s->in_len - s->in_pos;
        lzma_ret rc = lzma_code(&s->xz, action);
        s->in_pos = s->in_len - s->xz.avail_in;
        if (rc == LZMA_STREAM_END) {
            s->xz_end = 1;
            break;
        }
        if (rc != LZMA_OK) {
            dp_fail(err, DOPPEL_ERR_FORMAT, "%s: %s xz data (error %d)", s->name,
                    rc == LZMA_BUF_ERROR ? "truncated" : "corrupt", (int)rc);
            return -1;
        }
    }
    return (long)(cap - s->xz.avail_out);
}

long dp_stream_read(dp_stream *s, char *buf, size_t cap, doppel_error *err) {
    switch (s->kind) {
    case S_BZIP2: return read_bzip2(s, buf, cap, err);
    case S_XZ: return read_xz(s, buf, cap, err);
    case S_GZIP: return read_gzip(s, buf, cap, err);
    case S_ZSTD: return read_zstd(s, buf, cap, err);
    default: return read_plain(s, buf, cap, err);
    }
}

uint64_t dp_stream_raw_bytes(const dp_stream *s) { return s->raw_bytes; }

void dp_stream_free(dp_stream *s) {
    if (!s) return;
    if (s->z_live) inflateEnd(&s->z);
    if (s->zs) ZSTD_freeDStream(s->zs);
    if (s->bz_live) BZ2_bzDecompressEnd(&s->bz);
    if (s->xz_live) lzma_end(&s->xz);
    if (s->fd > 2) close(s->fd);
    dp_free(s, sizeof *s);
}
