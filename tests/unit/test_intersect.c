/* Every path of the set intersection (verify.c) against a plain merge
 * written here: the 16-wide AVX-512 loop and its 8-wide rest, the AVX2 and
 * SSE2 loops, on the shapes where a block-wise merge can go wrong. A path
 * this CPU lacks falls back to a narrower one (the test then repeats that
 * one), so the test passes on any x86-64 and checks what the CPU has. */
#include "testutil.h"

#include "copy/verify.h"

static uint64_t rng_state = 16;
static uint64_t rnd(void) { return test_rnd(&rng_state); }

static int cmp_u32(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* Sorts v[0, n) and drops repeats; returns the new length. */
static size_t make_set(uint32_t *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_u32);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || v[i] != v[k - 1]) v[k++] = v[i];
    return k;
}

static uint32_t reference(const uint32_t *a, size_t na, const uint32_t *b, size_t nb) {
    uint32_t n = 0;
    for (size_t i = 0, j = 0; i < na && j < nb;) {
        if (a[i] < b[j]) i++;
        else if (b[j] < a[i]) j++;
        else n++, i++, j++;
    }
    return n;
}

static const dp_intersect_path paths[] = {DP_INTERSECT_MERGE, DP_INTERSECT_SSE2,
                                          DP_INTERSECT_AVX2, DP_INTERSECT_AVX512};

/* Every path, both ways round, and the dispatching entry point. */
static void check(const uint32_t *a, size_t na, const uint32_t *b, size_t nb) {
    uint32_t want = reference(a, na, b, nb);
    for (size_t p = 0; p < sizeof paths / sizeof *paths; p++) {
        if (dp_intersect_count_path(a, na, b, nb, paths[p]) != want ||
            dp_intersect_count_path(b, nb, a, na, paths[p]) != want)
            fail_msg("path %zu: sizes %zu and %zu, want %u shared: got %u / %u", p, na, nb,
                     want, dp_intersect_count_path(a, na, b, nb, paths[p]),
                     dp_intersect_count_path(b, nb, a, na, paths[p]));
    }
    assert_int_equal(dp_intersect_count(a, na, b, nb), want);
}

enum { MAXN = 3100 };
static uint32_t A[MAXN], B[MAXN];

/* b from a's values (share_pct of them) and fresh ones in [0, range). */
static size_t fill_b(size_t n, uint32_t range, size_t na, unsigned share_pct) {
    for (size_t i = 0; i < n; i++)
        B[i] = na && rnd() % 100 < share_pct ? A[rnd() % na] : (uint32_t)(rnd() % range);
    return make_set(B, n);
}

static size_t fill_a(size_t n, uint32_t range) {
    for (size_t i = 0; i < n; i++) A[i] = (uint32_t)(rnd() % range);
    return make_set(A, n);
}

/* Sizes 0..40 against each other (every tail of the 16-, 8- and 4-wide
 * loops), over a narrow range (many ties at block ends) and a wide one. */
static void test_small_sizes(void **state) {
    (void)state;
    for (size_t x = 0; x <= 40; x++)
        for (size_t y = 0; y <= 40; y++)
            for (int r = 0; r < 6; r++) {
                uint32_t range = r % 3 == 0 ? 64 : r % 3 == 1 ? 1000 : UINT32_MAX;
                size_t na = fill_a(x, range);
                size_t nb = fill_b(y, range, na, (unsigned)(rnd() % 101));
                check(A, na, B, nb);
            }
}

/* Sets of 300-3,000 values, as documents have, sharing 0-100%. */
static void test_large_random(void **state) {
    (void)state;
    for (int round = 0; round < 400; round++) {
        uint32_t range = round % 4 == 0 ? 5000 : round % 4 == 1 ? 100000 : UINT32_MAX;
        size_t na = fill_a(300 + rnd() % 2701, range);
        size_t nb = fill_b(300 + rnd() % 2701, range, na, (unsigned)(rnd() % 101));
        check(A, na, B, nb);
    }
}

/* Identical sets (every block pair ties), disjoint ones (interleaved and
 * one wholly below the other), one inside the other, and the extremes of
 * the value range. */
static void test_shapes(void **state) {
    (void)state;
    for (size_t n = 0; n <= 2000; n += n < 64 ? 1 : 97) {
        size_t na = fill_a(n, UINT32_MAX);
        memcpy(B, A, na * sizeof *A);
        check(A, na, B, na);
        /* interleaved: evens and odds */
        for (size_t i = 0; i < n; i++) A[i] = (uint32_t)(2 * i), B[i] = (uint32_t)(2 * i + 1);
        check(A, n, B, n);
        /* a below b */
        for (size_t i = 0; i < n; i++) B[i] = (uint32_t)(n + i);
        for (size_t i = 0; i < n; i++) A[i] = (uint32_t)i;
        check(A, n, B, n);
        /* b inside a: every third value, and a window of a */
        size_t nb = 0;
        for (size_t i = 0; i < n; i += 3) B[nb++] = A[i];
        check(A, n, B, nb);
        nb = n / 2;
        memcpy(B, A + n / 4, nb * sizeof *A);
        check(A, n, B, nb);
        /* the top of the range: 0xffffffff ends both */
        for (size_t i = 0; i < n; i++) A[i] = UINT32_MAX - (uint32_t)(n - 1 - i);
        for (size_t i = 0; i < n; i++) B[i] = UINT32_MAX - (uint32_t)(2 * (n - 1 - i));
        check(A, n, B, n);
    }
}

/* Equal values exactly at the block edges (the 16th, 8th and 4th value of
 * a block) and just past them, where the blocks advance together. */
static void test_block_edges(void **state) {
    (void)state;
    for (int round = 0; round < 3000; round++) {
        size_t n = 16 + rnd() % 120;
        for (size_t i = 0; i < n; i++) A[i] = (uint32_t)(10 * i + 5);
        size_t nb = 0;
        for (size_t i = 0; i < n; i++) {
            size_t pos = i % 16;
            int edge = pos == 15 || pos == 7 || pos == 3 || pos == 0 || pos == 8;
            uint32_t v = edge && rnd() % 4 ? A[i] : (uint32_t)(10 * i + 1 + rnd() % 9);
            /* a shifted by one to three places now and then */
            if (rnd() % 8 == 0) v = (uint32_t)(10 * i + 1);
            B[nb++] = v;
        }
        nb = make_set(B, nb);
        check(A, n, B, nb);
        check(A, n, B + 1, nb - 1);
        check(A + rnd() % 9, n - 8, B, nb);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_sizes),
        cmocka_unit_test(test_large_random),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_block_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
