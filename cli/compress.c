/*
 * compress.c — output files compressed by their name (-o out.jsonl.gz,
 * out.jsonl.zst): a stdio stream (fopencookie) that compresses what is
 * written to it into the real output file, so that every writer keeps
 * using plain FILE calls. Closing it ends the compressed stream; the real
 * file is then committed whole or not at all like any other output.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

typedef struct codec {
    FILE *raw;
    int zstd;
    z_stream z;
    ZSTD_CStream *zs;
    unsigned char out[1 << 16];
} codec;

static int put(codec *c, size_t n) { return n && fwrite(c->out, 1, n, c->raw) != n ? -1 : 0; }

/* Compress len bytes (finish: end the stream). 0 or -1. */
static int pump(codec *c, const char *buf, size_t len, int finish) {
    if (c->zstd) {
        ZSTD_inBuffer in = {buf, len, 0};
        for (;;) {
            ZSTD_outBuffer out = {c->out, sizeof c->out, 0};
            size_t left = ZSTD_compressStream2(c->zs, &out, &in, finish ? ZSTD_e_end : ZSTD_e_continue);
            if (ZSTD_isError(left) || put(c, out.pos)) return -1;
            if (finish ? left == 0 : in.pos == in.size) return 0;
        }
    }
    c->z.next_in = (unsigned char *)buf;
    c->z.avail_in = (uInt)len;
    for (;;) {
        c->z.next_out = c->out;
        c->z.avail_out = sizeof c->out;
        int rc = deflate(&c->z, finish ? Z_FINISH : Z_NO_FLUSH);
        if (rc == Z_STREAM_ERROR || put(c, sizeof c->out - c->z.avail_out)) return -1;
        if (finish ? rc == Z_STREAM_END : c->z.avail_in == 0 && c->z.avail_out != 0) return 0;
    }
}

static ssize_t cookie_write(void *p, const char *buf, size_t len) {
    return pump(p, buf, len, 0) ? -1 : (ssize_t)len;
}

static int cookie_close(void *p) {
    codec *c = p;
    int rc = pump(c, NULL, 0, 1);
    if (c->zstd) ZSTD_freeCStream(c->zs);
    else deflateEnd(&c->z);
    free(c);
    return rc;
}

int cli_compression_of(const char *path) {
    size_t n = path ? strlen(path) : 0;
    if (n > 3 && !strcmp(path + n - 3, ".gz")) return 1;
    if (n > 4 && !strcmp(path + n - 4, ".zst")) return 2;
    return 0;
}

FILE *cli_compress_open(FILE *raw, int kind) {
    codec *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->raw = raw;
    c->zstd = kind == 2;
    if (c->zstd) {
        c->zs = ZSTD_createCStream();
        if (!c->zs || ZSTD_isError(ZSTD_CCtx_setParameter(c->zs, ZSTD_c_compressionLevel, 3))) {
            ZSTD_freeCStream(c->zs);
            free(c);
            return NULL;
        }
    } else if (deflateInit2(&c->z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(c);
        return NULL;
    }
    cookie_io_functions_t io = {NULL, cookie_write, NULL, cookie_close};
    FILE *fp = fopencookie(c, "w", io);
    if (!fp) {
        cookie_close(c);
        return NULL;
    }
    setvbuf(fp, NULL, _IOFBF, 1 << 20);
    return fp;
}
