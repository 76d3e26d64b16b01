/* The worker pool: every worker runs every job exactly once, dp_pool_wait
 * returns only after all of them have left the job (whether they spin or
 * sleep between jobs), an index gives the same results on one thread and
 * on several, and a failed write stops a threaded batch cleanly. */
#include "testutil.h"

#include <stdatomic.h>
#include <time.h>

#include "base/internal.h"
#include "base/pool.h"

typedef struct job {
    atomic_uint runs[8];  /* by worker number */
    atomic_uint total;
    int slow;             /* workers sleep a little: the caller must wait */
} job;

static void count_run(void *arg, unsigned worker) {
    job *j = arg;
    if (j->slow) nanosleep(&(struct timespec){0, 300000}, NULL);
    atomic_fetch_add(&j->runs[worker], 1);
    atomic_fetch_add(&j->total, 1);
}

static void run_jobs(unsigned workers, int spin, int slow, int jobs) {
    dp_pool *pool = dp_pool_new(workers, spin);
    assert_non_null(pool);
    assert_int_equal(dp_pool_workers(pool), workers);
    for (int k = 0; k < jobs; k++) {
        job j = {.slow = slow};  /* on the stack, reused: a late worker would show */
        for (int w = 0; w < 8; w++) atomic_init(&j.runs[w], 0);
        atomic_init(&j.total, 0);
        dp_pool_start(pool, count_run, &j);
        dp_pool_wait(pool);
        assert_int_equal(atomic_load(&j.total), workers);
        assert_int_equal(atomic_load(&j.runs[0]), 0);  /* 0 is the caller's number */
        for (unsigned w = 1; w <= workers; w++) assert_int_equal(atomic_load(&j.runs[w]), 1);
        /* Between some jobs the workers fall asleep (the spin is 0.2 ms). */
        if (k % 50 == 49) nanosleep(&(struct timespec){0, 2000000}, NULL);
    }
    dp_pool_free(pool);
}

static void test_every_worker_runs_every_job(void **state) {
    (void)state;
    run_jobs(1, 1, 0, 500);
    run_jobs(3, 1, 0, 500);
    run_jobs(3, 0, 0, 500);
    run_jobs(7, 0, 0, 200);
}

static void test_wait_outlasts_slow_workers(void **state) {
    (void)state;
    run_jobs(3, 1, 1, 20);
    run_jobs(2, 0, 1, 20);
}

static void test_empty_pools(void **state) {
    (void)state;
    dp_pool_free(NULL);
    dp_pool *pool = dp_pool_new(0, 1);
    assert_non_null(pool);
    job j = {0};
    dp_pool_start(pool, count_run, &j);  /* nobody to run it */
    dp_pool_wait(pool);
    assert_int_equal(atomic_load(&j.total), 0);
    dp_pool_free(pool);
    pool = dp_pool_new(4, 1);  /* freed without a job */
    assert_non_null(pool);
    dp_pool_free(pool);
}

/* Batches of several sizes (some under the size that stays on one
 * thread) on 1 and 4 threads: the same clusters and relations. */
static void results(unsigned threads, uint32_t *cluster, uint8_t *relation, uint32_t n) {
    doppel_index *idx = raw_index(threads);
    static char text[600][400];
    static char id[600][16];
    doppel_doc_input docs[600];
    for (uint32_t d = 0; d < n; d++) {
        /* 40 stories, each text a story's words and one of its own */
        size_t len = 0;
        for (int w = 0; w < 50; w++)
            len += (size_t)snprintf(text[d] + len, sizeof text[d] - len, "w%u_%d ", d % 40, w);
        snprintf(text[d] + len, sizeof text[d] - len, "own%u", d);
        snprintf(id[d], sizeof id[d], "d%u", d);
        docs[d] = (doppel_doc_input){.id = id[d], .id_len = strlen(id[d]), .text = text[d],
                                     .text_len = strlen(text[d]), .date = DOPPEL_NO_DATE};
    }
    for (uint32_t at = 0, size = 3; at < n; at += size, size = size * 2 + 1) {
        uint32_t take = DP_MIN(size, n - at);
        assert_int_equal(doppel_index_add_batch(idx, docs + at, take, NULL, NULL, NULL), DOPPEL_OK);
    }
    assert_int_equal(doppel_index_finish(idx, NULL, NULL, NULL), DOPPEL_OK);
    for (uint32_t d = 0; d < n; d++) {
        doppel_doc_result r;
        doppel_index_result(idx, d, &r);
        cluster[d] = r.cluster;
        relation[d] = (uint8_t)r.relation;
    }
    doppel_index_free(idx);
}

static void test_index_same_on_any_thread_count(void **state) {
    (void)state;
    enum { N = 600 };
    static uint32_t c1[N], c4[N];
    static uint8_t r1[N], r4[N];
    results(1, c1, r1, N);
    results(4, c4, r4, N);
    assert_memory_equal(c1, c4, sizeof c1);
    assert_memory_equal(r1, r4, sizeof r1);
    uint32_t clusters = 0;
    for (uint32_t d = 0; d < N; d++) clusters += c1[d] == c1[0];
    assert_int_equal(clusters, N / 40);  /* a story's copies are one cluster */
}

/* A write that fails in the middle of a batch on several threads (a
 * file-size limit, as a full disk would): the batch stops with the error,
 * the documents after it get DOPPEL_ERR_STATE, the workers leave the job
 * (no hang), and the index refuses more work and frees cleanly. */
static void test_failed_write_in_threaded_batch(void **state) {
    (void)state;
    enum { BATCH = 256 };
    file_size_limit limit;
    file_size_limit_set(&limit, 2u << 20);
    doppel_index *idx = raw_index(3);
    doppel_error err;
    static char text[BATCH][3000], id[BATCH][32];
    doppel_doc_input docs[BATCH];
    doppel_status statuses[BATCH];
    doppel_status st = DOPPEL_OK;
    uint64_t x = 12345;
    for (int round = 0; round < 200 && st == DOPPEL_OK; round++) {
        for (int d = 0; d < BATCH; d++) {
            size_t len = 0;
            while (len < sizeof text[d] - 16) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                len += (size_t)snprintf(text[d] + len, sizeof text[d] - len, "w%u ",
                                        (unsigned)(x % 100000));
            }
            snprintf(id[d], sizeof id[d], "r%dd%d", round, d);
            docs[d] = (doppel_doc_input){id[d], strlen(id[d]), text[d], len, DOPPEL_NO_DATE};
        }
        st = doppel_index_add_batch(idx, docs, BATCH, statuses, NULL, &err);
    }
    file_size_limit_restore(&limit);
    assert_int_equal(st, DOPPEL_ERR_IO);
    int failed = -1;
    for (int d = 0; d < BATCH; d++)
        if (statuses[d] != DOPPEL_OK) {
            failed = d;
            break;
        }
    assert_true(failed >= 0);
    assert_int_equal(statuses[failed], DOPPEL_ERR_IO);
    for (int d = failed + 1; d < BATCH; d++) assert_int_equal(statuses[d], DOPPEL_ERR_STATE);
    assert_int_equal(doppel_index_add_batch(idx, docs, BATCH, NULL, NULL, &err), DOPPEL_ERR_STATE);
    assert_int_equal(doppel_index_finish(idx, NULL, NULL, &err), DOPPEL_ERR_STATE);
    doppel_index_free(idx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_worker_runs_every_job),
        cmocka_unit_test(test_wait_outlasts_slow_workers),
        cmocka_unit_test(test_empty_pools),
        cmocka_unit_test(test_index_same_on_any_thread_count),
        cmocka_unit_test(test_failed_write_in_threaded_batch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
