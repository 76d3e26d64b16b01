/*
 * spill.c — shingle sets on disk, so that memory grows with the number of
 * documents and not with their length. Writes go through a 1 MiB buffer;
 * reads use pread, which leaves the data in the page cache (not in this
 * process's resident set) and lets the kernel keep hot sets in memory.
 */
#include "base/spill.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SPILL_BUF_VALUES (1u << 18) /* 1 MiB */

struct dp_spill {
    int fd;
    uint64_t written;   /* values flushed to the file */
    uint32_t *buf;      /* values not yet flushed */
    size_t buf_len;
    char dir[512];
};

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
    *out = NULL;
    if (!dir) dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    dp_spill *s = dp_calloc(1, sizeof *s);
    if (!s) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    s->buf = dp_malloc(SPILL_BUF_VALUES * sizeof *s->buf);
    if (!s->buf) {
        dp_free(s, sizeof *s);
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    }
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    doppel_status st = open_tmp(dir, &s->fd, err);
    if (st) {
        dp_free(s->buf, SPILL_BUF_VALUES * sizeof *s->buf);
        dp_free(s, sizeof *s);
        return st;
    }
    *out = s;
    return DOPPEL_OK;
}

void dp_spill_free(dp_spill *s) {
    if (!s) return;
    close(s->fd);
    dp_free(s->buf, SPILL_BUF_VALUES * sizeof *s->buf);
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

doppel_status dp_spill_append(dp_spill *s, const uint32_t *v, uint32_t n, uint64_t *offset,
                              doppel_error *err) {
    *offset = s->written + s->buf_len;
    if (s->buf_len + n > SPILL_BUF_VALUES) {
        doppel_status st = flush(s, err);
        if (st) return st;
        if (n > SPILL_BUF_VALUES) return write_all(s, v, n, err);
    }
    memcpy(s->buf + s->buf_len, v, (size_t)n * sizeof *v);
    s->buf_len += n;
    return DOPPEL_OK;
}

doppel_status dp_spill_read(dp_spill *s, uint64_t offset, uint32_t n, uint32_t **out,
                            size_t *cap, doppel_error *err) {
    if (s->buf_len) {
        doppel_status st = flush(s, err);
        if (st) return st;
    }
    if (dp_grow((void **)out, cap, n ? n : 1, sizeof **out))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    char *p = (char *)*out;
    size_t left = (size_t)n * sizeof **out;
    off_t pos = (off_t)(offset * sizeof **out);
    while (left) {
        ssize_t r = pread(s->fd, p, left, pos);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0)
            return dp_fail(err, DOPPEL_ERR_IO, "reading the spill file in %s: %s", s->dir,
                           r < 0 ? strerror(errno) : "unexpected end of file");
        p += r;
        pos += r;
        left -= (size_t)r;
    }
    return DOPPEL_OK;
}

doppel_status dp_spill_flush(dp_spill *s, doppel_error *err) {
    return s->buf_len ? flush(s, err) : DOPPEL_OK;
}

uint64_t dp_spill_bytes(const dp_spill *s) {
    return (s->written + s->buf_len) * sizeof(uint32_t);
}
