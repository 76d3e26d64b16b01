/*
 * bandstore.c — band hashes in one unlinked temporary file per band,
 * written through small per-band buffers.
 */
#include "copy/bandstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BAND_BUF 8192 /* values per band buffer: 32 KiB, 2 MiB for 64 bands */

struct dp_bandstore {
    unsigned bands;
    int *fd;
    uint32_t *buf;      /* bands x BAND_BUF, band-major */
    size_t buf_len;     /* documents in the buffers */
    uint64_t flushed;   /* documents written to the files */
    char dir[512];
};

static int open_tmp(const char *dir) {
#ifdef O_TMPFILE
    int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0) return fd;
#endif
    char path[600];
    snprintf(path, sizeof path, "%s/doppel-bands-XXXXXX", dir);
    int fd2 = mkstemp(path);
    if (fd2 >= 0) unlink(path);
    return fd2;
}

void dp_bandstore_free(dp_bandstore *bs) {
    if (!bs) return;
    for (unsigned j = 0; bs->fd && j < bs->bands; j++)
        if (bs->fd[j] >= 0) close(bs->fd[j]);
    dp_free(bs->fd, bs->bands * sizeof *bs->fd);
    dp_free(bs->buf, (size_t)bs->bands * BAND_BUF * sizeof *bs->buf);
    dp_free(bs, sizeof *bs);
}

doppel_status dp_bandstore_new(const char *dir, unsigned bands, dp_bandstore **out,
                               doppel_error *err) {
    *out = NULL;
    if (!dir) dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    dp_bandstore *bs = dp_calloc(1, sizeof *bs);
    if (!bs) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    bs->bands = bands;
    snprintf(bs->dir, sizeof bs->dir, "%s", dir);
    bs->fd = dp_malloc(bands * sizeof *bs->fd);
    bs->buf = dp_malloc((size_t)bands * BAND_BUF * sizeof *bs->buf);
    if (!bs->fd || !bs->buf) {
        dp_bandstore_free(bs);
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    }
    for (unsigned j = 0; j < bands; j++) bs->fd[j] = -1;
    for (unsigned j = 0; j < bands; j++) {
        if ((bs->fd[j] = open_tmp(dir)) < 0) {
            doppel_status st = dp_fail(err, DOPPEL_ERR_IO, "cannot create a temporary file in %s: %s",
                                       dir, strerror(errno));
            dp_bandstore_free(bs);
            return st;
        }
    }
    *out = bs;
    return DOPPEL_OK;
}

static doppel_status write_all(int fd, const void *p, size_t len, const char *dir,
                               doppel_error *err) {
    const char *c = p;
    while (len) {
        ssize_t w = write(fd, c, len);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0)
            return dp_fail(err, DOPPEL_ERR_IO, "writing LSH bands in %s: %s", dir,
                           w < 0 ? strerror(errno) : "no space written");
        c += w;
        len -= (size_t)w;
    }
    return DOPPEL_OK;
}

static doppel_status flush(dp_bandstore *bs, doppel_error *err) {
    for (unsigned j = 0; j < bs->bands; j++) {
        doppel_status st = write_all(bs->fd[j], bs->buf + (size_t)j * BAND_BUF,
                                     bs->buf_len * sizeof *bs->buf, bs->dir, err);
        if (st) return st;
    }
    bs->flushed += bs->buf_len;
    bs->buf_len = 0;
    return DOPPEL_OK;
}

doppel_status dp_bandstore_append(dp_bandstore *bs, const uint32_t *hashes, doppel_error *err) {
    for (unsigned j = 0; j < bs->bands; j++) bs->buf[(size_t)j * BAND_BUF + bs->buf_len] = hashes[j];
    if (++bs->buf_len == BAND_BUF) return flush(bs, err);
    return DOPPEL_OK;
}

doppel_status dp_bandstore_flush(dp_bandstore *bs, doppel_error *err) {
    return bs->buf_len ? flush(bs, err) : DOPPEL_OK;
}

doppel_status dp_bandstore_read_range(dp_bandstore *bs, unsigned j, uint64_t first, size_t count,
                                      uint32_t *out, doppel_error *err) {
    char *p = (char *)out;
    size_t left = count * sizeof *out;
    off_t pos = (off_t)(first * sizeof *out);
    while (left) {
        ssize_t r = pread(bs->fd[j], p, left, pos);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0)
            return dp_fail(err, DOPPEL_ERR_IO, "reading LSH bands in %s: %s", bs->dir,
                           r < 0 ? strerror(errno) : "unexpected end of file");
        p += r;
        pos += r;
        left -= (size_t)r;
    }
    return DOPPEL_OK;
}

uint64_t dp_bandstore_count(const dp_bandstore *bs) { return bs->flushed + bs->buf_len; }
