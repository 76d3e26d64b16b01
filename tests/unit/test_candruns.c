/* Candidate runs on disk (src/copy/candruns.c): whatever the runs and the
 * buffer, the merge gives the union of the runs, sorted, each pair once. */
#include "testutil.h"
#include "copy/candruns.h"

static uint64_t rng = 7;
static uint64_t rnd(void) { return test_rnd(&rng); }

static int cmp_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* Sorted, unique in place; the new length. */
static size_t unique(uint64_t *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_u64);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!k || v[i] != v[k - 1]) v[k++] = v[i];
    return k;
}

/* runs runs of up to per_run pairs drawn from a range of `range` values (so
 * that runs overlap), merged through buffers of `buffer` pairs and read in
 * chunks of `chunk`. */
static void check_merge(unsigned runs, size_t per_run, uint64_t range, size_t buffer,
                        size_t chunk) {
    uint64_t *all = malloc((runs * per_run + 1) * sizeof *all), *run = malloc((per_run + 1) * sizeof *run);
    size_t n_all = 0;
    dp_cand_runs *r;
    doppel_error err;
    assert_int_equal(dp_cand_runs_new(NULL, &r, &err), DOPPEL_OK);
    for (unsigned k = 0; k < runs; k++) {
        size_t n = per_run ? (size_t)(rnd() % (per_run + 1)) : 0;
        for (size_t i = 0; i < n; i++) run[i] = rnd() % range;
        n = unique(run, n);
        memcpy(all + n_all, run, n * sizeof *run);
        n_all += n;
        assert_int_equal(dp_cand_runs_put(r, run, n, &err), DOPPEL_OK);
    }
    n_all = unique(all, n_all);
    assert_int_equal(dp_cand_runs_merge(r, buffer, &err), DOPPEL_OK);
    uint64_t *got = malloc((n_all + chunk) * sizeof *got);
    size_t n_got = 0, m;
    do {
        assert_int_equal(dp_cand_runs_next(r, got + n_got, chunk, &m, &err), DOPPEL_OK);
        n_got += m;
        assert_true(n_got <= n_all);
    } while (m == chunk);
    assert_int_equal(n_got, n_all);
    if (n_all) assert_memory_equal(got, all, n_all * sizeof *all);
    dp_cand_runs_free(r);
    free(got);
    free(all);
    free(run);
}

static void test_merge_overlapping_runs(void **state) {
    (void)state;
    check_merge(7, 5000, 20000, 64, 1000);      /* pairs in several runs come once */
    check_merge(40, 300, 1ull << 40, 1, 7);     /* one-pair buffers, many runs */
    check_merge(3, 100000, 1ull << 62, 4096, 100000);
    check_merge(1, 1000, 500, 10, 3);           /* one run */
}

static void test_empty_runs(void **state) {
    (void)state;
    check_merge(0, 0, 1, 16, 16);   /* no run at all */
    check_merge(5, 0, 1, 16, 16);   /* only empty puts: no run is written */
    dp_cand_runs *r;
    doppel_error err;
    assert_int_equal(dp_cand_runs_new(NULL, &r, &err), DOPPEL_OK);
    uint64_t one = 42;
    assert_int_equal(dp_cand_runs_put(r, &one, 0, &err), DOPPEL_OK);
    assert_int_equal(dp_cand_runs_count(r), 0);
    assert_int_equal(dp_cand_runs_put(r, &one, 1, &err), DOPPEL_OK);
    assert_int_equal(dp_cand_runs_count(r), 1);
    dp_cand_runs_free(r);
}

/* A directory that cannot hold the file is an error naming it, at the
 * first run: a list that stays in memory never touches the disk. */
static void test_bad_directory(void **state) {
    (void)state;
    dp_cand_runs *r;
    doppel_error err;
    assert_int_equal(dp_cand_runs_new("/nonexistent/doppel-dir", &r, &err), DOPPEL_OK);
    uint64_t one = 42;
    assert_int_equal(dp_cand_runs_put(r, &one, 0, &err), DOPPEL_OK);
    assert_int_equal(dp_cand_runs_put(r, &one, 1, &err), DOPPEL_ERR_IO);
    assert_non_null(strstr(err.message, "/nonexistent/doppel-dir"));
    assert_int_equal(dp_cand_runs_count(r), 0);
    dp_cand_runs_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_overlapping_runs),
        cmocka_unit_test(test_empty_runs),
        cmocka_unit_test(test_bad_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
