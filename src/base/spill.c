/*
 * spill.c — shingle sets kept aside, so that the index's own arrays grow
 * with the number of documents and not with their length.
 *
 * The values form one append-only stream addressed by offset. Its start
 * stays in memory, in chunks, up to the byte cap the caller gives (a share
 * of its memory limit, so that what is held is budgeted); from the first
 * value that does not fit on, the rest goes to an unlinked temporary file,
 * written through a 1 MiB buffer and read back with pread (the data then
 * sits in the page cache, not in this process's resident set). Reading from
 * memory costs no system call and, through dp_spill_get, no copy: at 100k
 * news articles the pread of verification was a tenth of a run.
 */
#include "base/spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPILL_BUF_VALUES (1u << 18) /* 1 MiB */
#define CHUNK_MAX_VALUES (1u << 20) /* 4 MiB */
#define CHUNK_MIN_VALUES (1u << 10) /* 4 KiB */

struct dp_spill {
    int fd;
    /* memory part: values [0, mem_len) in chunks of chunk_values */
    uint32_t **chunks;
    size_t n_chunks, max_chunks;
    size_t chunk_values;  /* used of a chunk: a multiple of the record size */
    size_t chunk_bytes;   /* allocated for a chunk: a power of two */
    uint64_t mem_len;
    int to_file;        /* a value went to the file: the memory part is closed */
    /* file part: value mem_len + k is the file's k-th */
    uint64_t written;   /* values flushed to the file */
    uint32_t *buf;      /* values not yet flushed (allocated with the first) */
    size_t buf_len;
    char dir[512];
};

/* A chunk of the memory part. Chunks of 2 MiB or more are mapped on their
 * own (dp_map): in malloc's heap they pinned its top, and at 1M documents
 * under --memory 200M the resident set stayed 55 MB above the heap; and
 * in the kernel's 2 MiB pages, writing 100k documents' features took
 * 20,000 page faults, not 136,000. */
static uint32_t *alloc_chunk(size_t bytes) {
    return bytes % ((size_t)2 << 20) ? dp_malloc(bytes) : dp_map(bytes);
}

static void free_chunk(uint32_t *p, size_t bytes) {
    if (bytes % ((size_t)2 << 20)) dp_free(p, bytes);
    else dp_unmap(p, bytes);
}

static doppel_status open_tmp(const char *dir, int *fd, doppel_error *err) {
#ifdef O_TMPFILE
    *fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (*fd >= 0) return DOPPEL_OK;
#endif
    char path[600];
    snprintf(path, sizeof path, "%s/doppel-spill-XXXXXX", dir);
    *fd = mkstemp(path);
    if (*fd < 0)
        return dp_fail(err, DOPPEL_ERR_IO, "cannot create a temporary file in %s: %s", dir,
                       strerror(errno));
    unlink(path);
    return DOPPEL_OK;
}

doppel_status dp_spill_new(const char *dir, dp_spill **out, doppel_error *err) {
    return dp_spill_new_records(dir, 0, 1, out, err);
}

doppel_status dp_spill_new_capped(const char *dir, uint64_t memory_bytes, dp_spill **out,
                                  doppel_error *err) {
    return dp_spill_new_records(dir, memory_bytes, 1, out, err);
}

doppel_status dp_spill_new_records(const char *dir, uint64_t memory_bytes, uint32_t record,
                                   dp_spill **out, doppel_error *err) {
    *out = NULL;
    if (!dir) dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    dp_spill *s = dp_calloc(1, sizeof *s);
    if (!s) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    /* Sixteen chunks or more when the cap allows: the last one, allocated
     * whole, is then a small part of the cap, and every chunk fits in it. */
    uint64_t cap_values = memory_bytes / sizeof(uint32_t);
    size_t chunk = CHUNK_MAX_VALUES;
    while (chunk > CHUNK_MIN_VALUES && chunk * (uint64_t)16 > cap_values) chunk /= 2;
    /* A chunk keeps its power-of-two allocation (mapped whole at 2 MiB and
     * more, see alloc_chunk) and leaves the last partial record's room
     * unused: untouched, those pages never become resident. */
    if (record < 1) record = 1;
    s->chunk_bytes = chunk * sizeof **s->chunks;
    s->chunk_values = record <= chunk ? chunk - chunk % record : chunk;
    s->max_chunks = record <= chunk ? (size_t)(cap_values / chunk) : 0;
    s->to_file = s->max_chunks == 0;
    if (s->max_chunks &&
        !(s->chunks = dp_calloc(s->max_chunks, sizeof *s->chunks))) {
        dp_free(s, sizeof *s);
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    }
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    /* The file is made now even when the memory part may hold everything:
     * a temporary directory that cannot take it fails the run at its start,
     * not hours later. */
    doppel_status st = open_tmp(dir, &s->fd, err);
    if (st) {
        dp_free(s->chunks, s->max_chunks * sizeof *s->chunks);
        dp_free(s, sizeof *s);
        return st;
    }
    *out = s;
    return DOPPEL_OK;
}

void dp_spill_free(dp_spill *s) {
    if (!s) return;
    close(s->fd);
    for (size_t c = 0; c < s->n_chunks; c++) free_chunk(s->chunks[c], s->chunk_bytes);
    dp_free(s->chunks, s->max_chunks * sizeof *s->chunks);
    if (s->buf) dp_free(s->buf, SPILL_BUF_VALUES * sizeof *s->buf);
    dp_free(s, sizeof *s);
}

static doppel_status write_all(dp_spill *s, const uint32_t *v, size_t n, doppel_error *err) {
    const char *p = (const char *)v;
    size_t left = n * sizeof *v;
    while (left) {
        ssize_t w = write(s->fd, p, left);
        if (w < 0) {
            if (errno == EINTR) continue;
            return dp_fail(err, DOPPEL_ERR_IO, "writing the spill file in %s: %s", s->dir,
                           strerror(errno));
        }
        p += w;
        left -= (size_t)w;
    }
    s->written += n;
    return DOPPEL_OK;
}

static doppel_status flush(dp_spill *s, doppel_error *err) {
    doppel_status st = write_all(s, s->buf, s->buf_len, err);
    s->buf_len = 0;
    return st;
}

/* Copy n values into the memory part, or 0 when they do not fit (the caller
 * then closes it). A chunk is allocated when the first value reaches it. */
static int append_memory(dp_spill *s, const uint32_t *v, uint32_t n) {
    size_t cv = s->chunk_values;
    if (s->mem_len + n > (uint64_t)s->max_chunks * cv) return 0;
    while (n) {
        size_t c = (size_t)(s->mem_len / cv), at = (size_t)(s->mem_len % cv);
        if (c == s->n_chunks) {
            if (!(s->chunks[c] = alloc_chunk(s->chunk_bytes))) return 0;
            s->n_chunks++;
        }
        size_t take = DP_MIN((size_t)n, cv - at);
        memcpy(s->chunks[c] + at, v, take * sizeof *v);
        s->mem_len += take;
        v += take;
        n -= (uint32_t)take;
    }
    return 1;
}

doppel_status dp_spill_append(dp_spill *s, const uint32_t *v, uint32_t n, uint64_t *offset,
                              doppel_error *err) {
    *offset = s->mem_len + s->written + s->buf_len;
    if (!s->to_file) {
        /* A chunk that cannot be allocated closes the memory part too: the
         * values it took so far stay, the rest goes to the file. */
        uint64_t before = s->mem_len;
        if (append_memory(s, v, n)) return DOPPEL_OK;
        uint32_t took = (uint32_t)(s->mem_len - before);
        v += took;
        n -= took;
        s->to_file = 1;
    }
    if (!s->buf && !(s->buf = dp_malloc(SPILL_BUF_VALUES * sizeof *s->buf)))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    if (s->buf_len + n > SPILL_BUF_VALUES) {
        doppel_status st = flush(s, err);
        if (st) return st;
        if (n > SPILL_BUF_VALUES) return write_all(s, v, n, err);
    }
    memcpy(s->buf + s->buf_len, v, (size_t)n * sizeof *v);
    s->buf_len += n;
    return DOPPEL_OK;
}

/* Values [offset, offset + n) of the file part into p. */
static doppel_status read_file(dp_spill *s, uint64_t offset, size_t n, uint32_t *p,
                               doppel_error *err) {
    if (s->buf_len) {
        doppel_status st = flush(s, err);
        if (st) return st;
    }
    char *q = (char *)p;
    size_t left = n * sizeof *p;
    off_t pos = (off_t)((offset - s->mem_len) * sizeof *p);
    while (left) {
        ssize_t r = pread(s->fd, q, left, pos);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0)
            return dp_fail(err, DOPPEL_ERR_IO, "reading the spill file in %s: %s", s->dir,
                           r < 0 ? strerror(errno) : "unexpected end of file");
        q += r;
        pos += r;
        left -= (size_t)r;
    }
    return DOPPEL_OK;
}

/* Values [offset, offset + n) into p, from memory and the file. */
static doppel_status copy_out(dp_spill *s, uint64_t offset, uint32_t n, uint32_t *p,
                              doppel_error *err) {
    size_t cv = s->chunk_values;
    while (n && offset < s->mem_len) {
        size_t c = (size_t)(offset / cv), at = (size_t)(offset % cv);
        size_t take = (size_t)DP_MIN((uint64_t)DP_MIN((size_t)n, cv - at), s->mem_len - offset);
        memcpy(p, s->chunks[c] + at, take * sizeof *p);
        p += take;
        offset += take;
        n -= (uint32_t)take;
    }
    return n ? read_file(s, offset, n, p, err) : DOPPEL_OK;
}

doppel_status dp_spill_read(dp_spill *s, uint64_t offset, uint32_t n, uint32_t **out,
                            size_t *cap, doppel_error *err) {
    if (dp_grow((void **)out, cap, n ? n : 1, sizeof **out))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    return copy_out(s, offset, n, *out, err);
}

doppel_status dp_spill_get(dp_spill *s, uint64_t offset, uint32_t n, const uint32_t **view,
                           uint32_t **buf, size_t *cap, doppel_error *err) {
    size_t cv = s->chunk_values;
    if (n && offset + n <= s->mem_len && offset % cv + n <= cv) {
        *view = s->chunks[offset / cv] + offset % cv;
        return DOPPEL_OK;
    }
    doppel_status st = dp_spill_read(s, offset, n, buf, cap, err);
    *view = *buf;
    return st;
}

void dp_spill_prefetch(const dp_spill *s, uint64_t offset, uint32_t n) {
    size_t cv = s->chunk_values;
    if (!n || offset >= s->mem_len) return;
    const uint32_t *p = s->chunks[offset / cv] + offset % cv;
    uint32_t end = (uint32_t)DP_MIN((uint64_t)DP_MIN(n, 64u), cv - offset % cv);
    end = (uint32_t)DP_MIN((uint64_t)end, s->mem_len - offset);
    for (uint32_t k = 0; k < end; k += 16) __builtin_prefetch(p + k);
}

doppel_status dp_spill_flush(dp_spill *s, doppel_error *err) {
    return s->buf_len ? flush(s, err) : DOPPEL_OK;
}

uint64_t dp_spill_bytes(const dp_spill *s) {
    return (s->mem_len + s->written + s->buf_len) * sizeof(uint32_t);
}

uint64_t dp_spill_memory_bytes(const dp_spill *s) {
    return (uint64_t)s->n_chunks * s->chunk_bytes +
           (s->max_chunks ? s->max_chunks * sizeof *s->chunks : 0) +
           (s->buf ? SPILL_BUF_VALUES * sizeof *s->buf : 0);
}

size_t dp_spill_chunk_values(const dp_spill *s) { return s->chunk_values; }

uint64_t dp_spill_memory_values(const dp_spill *s) { return s->mem_len; }
