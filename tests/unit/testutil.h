/* testutil.h — includes every cmocka test needs, in the order cmocka wants. */
#ifndef DOPPEL_TESTUTIL_H
#define DOPPEL_TESTUTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <signal.h>
#include <sys/resource.h>

#include "doppel.h"

/* The tests' deterministic generator (splitmix64) over the caller's state. */
static inline uint64_t test_rnd(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Directory of ../shared when the tests run from the repository root. */
#define SHARED_DIR "../shared"
/* A whole file, NUL-terminated, malloc'ed (the test frees it); NULL when it
 * cannot be opened. */
static inline char *read_file(const char *path, size_t *len) {
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    if (!buf) {
        fclose(f);
        return NULL;
    }
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) n = 0;
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* An index with the default configuration on `threads` threads (0 = the
 * default) and extraction off: crafted test texts are not prose
 * (extraction has its own tests). */
static inline doppel_index *raw_index(unsigned threads) {
    doppel_config cfg;
    doppel_config_default(&cfg);
    cfg.extract = 0;
    cfg.threads = threads;
    doppel_index *idx = NULL;
    doppel_error err;
    assert_int_equal(doppel_index_new(&cfg, &idx, &err), DOPPEL_OK);
    return idx;
}

/* Writes past `bytes` fail with EFBIG, as on a full disk (SIGXFSZ is
 * ignored so that write returns the error); restore undoes it. */
typedef struct file_size_limit {
    struct rlimit old;
    void (*old_handler)(int);
} file_size_limit;
static inline void file_size_limit_set(file_size_limit *l, rlim_t bytes) {
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &l->old), 0);
    l->old_handler = signal(SIGXFSZ, SIG_IGN);
    struct rlimit lim = l->old;
    lim.rlim_cur = bytes;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
}
static inline void file_size_limit_restore(file_size_limit *l) {
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &l->old), 0);
    signal(SIGXFSZ, l->old_handler);
}

/* An extraction result's kept text holds / lacks s (the extraction tests). */
#define assert_has(r, s)                                                      \
    do {                                                                      \
        if (!strstr((r).text, (s))) fail_msg("kept text lacks \"%s\"", (s)); \
    } while (0)
#define assert_lacks(r, s)                                                 \
    do {                                                                   \
        if (strstr((r).text, (s))) fail_msg("kept text has \"%s\"", (s)); \
    } while (0)
#endif
