/* LSH candidates (src/copy/lsh.c): whatever the threads and however often
 * the pair list is compacted on the way, the candidates are every pair of
 * documents that share a band value, sorted, each once. */
#include "testutil.h"
#include "copy/bandstore.h"
#include "copy/lsh.h"

static uint64_t rng = 11;
static uint64_t rnd(void) { return test_rnd(&rng); }

static int cmp_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* n documents, bands band values each drawn from range values (small: many
 * pairs recur in several bands, and a band adds more pairs than a
 * compaction step), against all pairs of equal values found one by one. */
static void check_candidates(size_t n, unsigned bands, uint32_t range, unsigned threads) {
    doppel_error err;
    dp_bandstore *bs;
    assert_int_equal(dp_bandstore_new(NULL, bands, &bs, &err), DOPPEL_OK);
    uint32_t *h = malloc(n * bands * sizeof *h), *docs = malloc(n * sizeof *docs);
    for (size_t i = 0; i < n; i++) {
        docs[i] = (uint32_t)i;
        for (unsigned j = 0; j < bands; j++) h[i * bands + j] = (uint32_t)(rnd() % range) * 2654435761u;
        assert_int_equal(dp_bandstore_append(bs, h + i * bands, &err), DOPPEL_OK);
    }
    size_t cap = 1 << 16, len = 0;
    uint64_t *want = malloc(cap * sizeof *want);
    for (unsigned j = 0; j < bands; j++)
        for (size_t a = 0; a < n; a++)
            for (size_t b = a + 1; b < n; b++)
                if (h[a * bands + j] == h[b * bands + j]) {
                    if (len == cap) want = realloc(want, (cap *= 2) * sizeof *want);
                    want[len++] = (uint64_t)a << 32 | b;
                }
    qsort(want, len, sizeof *want, cmp_u64);
    size_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (!k || want[i] != want[k - 1]) want[k++] = want[i];
    dp_candidates got = {0};
    assert_int_equal(dp_lsh_candidates(bs, bands, docs, n, 1u << 20, bands, 0, NULL, 0, threads,
                                       &got, &err),
                     DOPPEL_OK);
    assert_int_equal(got.len, k);
    assert_memory_equal(got.pairs, want, k * sizeof *want);
    dp_candidates_free(&got);
    dp_bandstore_free(bs);
    free(want);
    free(docs);
    free(h);
}

static void test_pairs_in_many_bands(void **state) {
    (void)state;
    check_candidates(3000, 24, 150, 1);  /* ~28k pairs a band: compacted mid-way */
    check_candidates(3000, 24, 150, 2);
    check_candidates(2500, 9, 4000, 1);  /* few pairs: compacted once, at the end */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs_in_many_bands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
