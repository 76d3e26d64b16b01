/* The radix/bucket sorts against qsort on uniform, skewed and repeated keys. */
#include "testutil.h"

#include "base/sort.h"

static int cmp32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static uint64_t state = 3;
static uint32_t rnd(void) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(state >> 32);
}

static void check(uint32_t *v, size_t n) {
    uint32_t *want = malloc(n * sizeof *v + 4), *tmp = malloc(n * sizeof *v + 4);
    memcpy(want, v, n * sizeof *v);
    qsort(want, n, sizeof *want, cmp32);
    memcpy(tmp, v, n * sizeof *v);
    dp_sort_u32(tmp, v, n);
    assert_memory_equal(v, want, n * sizeof *v);
    free(want);
    free(tmp);
}

static void test_sort_u32(void **st) {
    (void)st;
    static uint32_t v[70000];
    const size_t sizes[] = {0, 1, 2, 47, 48, 49, 500, 4096, 70000};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k];
        for (size_t i = 0; i < n; i++) v[i] = rnd();           /* uniform */
        check(v, n);
        for (size_t i = 0; i < n; i++) v[i] = rnd() & 0xFFFF;  /* all in the lowest buckets */
        check(v, n);
        for (size_t i = 0; i < n; i++) v[i] = 7;               /* one repeated shingle */
        check(v, n);
        for (size_t i = 0; i < n; i++) v[i] = (uint32_t)(n - i) << 20;  /* descending */
        check(v, n);
    }
    uint32_t u[] = {1, 1, 2, 3, 3, 3, 9}, c[7];
    assert_int_equal(dp_unique_copy_u32(u, 7, c), 4);
    assert_int_equal(dp_unique_copy_u32(u, 0, c), 0);
    assert_int_equal(dp_unique_copy_u32(u + 6, 1, c + 4), 1);
    assert_int_equal(dp_unique_u32(u, 7), 4);
    assert_memory_equal(c, u, 4 * sizeof *u);
    assert_int_equal(c[4], 9);
    assert_int_equal(u[3], 9);
}

/* dp_unique_copy_u32 and dp_unique_u32 (sixteen values at a time where the
 * CPU has AVX-512) against a plain loop: sizes either side of the blocks
 * of sixteen, runs of repeats that cross blocks, all repeats, none, and
 * in place as well as into another buffer. */
static void test_unique_u32(void **st) {
    (void)st;
    enum { N = 300 };
    static uint32_t v[N], want[N], got[N], inplace[N];
    for (int round = 0; round < 3000; round++) {
        size_t n = (size_t)(round % N);
        /* % of repeats; the low rates leave the only repeat in the last
         * whole block of 16, the case that broke in place */
        unsigned repeat = round % 7 == 0 ? 100 : round % 3 == 0 ? 2 : (unsigned)(round % 5) * 20;
        uint32_t x = rnd() % 4;
        for (size_t i = 0; i < n; i++) {
            if (i && rnd() % 100 < repeat) v[i] = v[i - 1];
            else v[i] = x += 1 + rnd() % 3;
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (i == 0 || v[i] != v[i - 1]) want[k++] = v[i];
        assert_int_equal(dp_unique_copy_u32(v, n, got), k);
        assert_memory_equal(got, want, k * sizeof *want);
        memcpy(inplace, v, n * sizeof *v);
        assert_int_equal(dp_unique_u32(inplace, n), k);
        assert_memory_equal(inplace, want, k * sizeof *want);
    }
    /* Found by fuzz_sketch: no repeat in block 0, one in block 1, and the
     * first value after the blocks repeating the last one of block 1. */
    for (size_t i = 0; i < 33; i++) v[i] = (uint32_t)(i + 1);
    v[20] = v[19];
    v[32] = v[31];
    memcpy(inplace, v, 33 * sizeof *v);
    assert_int_equal(dp_unique_u32(inplace, 33), 31);
    for (size_t i = 1; i < 31; i++) assert_true(inplace[i - 1] < inplace[i]);
}

/* dp_sort_folds_u32 against folding first and dp_sort_u32, on the sizes
 * either side of the insertion-sort cut and the bucket counts. */
static void test_sort_folds_u32(void **st) {
    (void)st;
    enum { N = 70000 };
    static uint64_t h[N];
    static uint32_t want[N], got[N], tmp[N];
    const size_t sizes[] = {0, 1, 47, 48, 49, 255, 256, 257, 511, 512, 513, 4096, N};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k];
        for (int kind = 0; kind < 3; kind++) {
            for (size_t i = 0; i < n; i++) {
                uint64_t x = (uint64_t)rnd() << 32 | rnd();
                h[i] = kind == 0 ? x : kind == 1 ? x & 0xFFFF0000FFFFull : 42;
            }
            for (size_t i = 0; i < n; i++) tmp[i] = (uint32_t)(h[i] ^ (h[i] >> 32));
            dp_sort_u32(tmp, want, n);
            dp_sort_folds_u32(h, tmp, got, n);
            assert_memory_equal(got, want, n * sizeof *got);
        }
    }
}

/* dp_sort_unique_folds_u32 (on AVX-512: buckets sorted in registers and
 * their repeats dropped there) against qsort and a plain unique loop: the
 * sizes around its cuts (48, the bucket counts, its largest input), keys
 * spread evenly, repeated (in pairs and in long runs, so that repeats meet
 * across the lanes of a bucket's two registers), a few distinct keys (the
 * crowded fallback), folds at 0 and at UINT32_MAX (the value that pads a
 * bucket's register), and buckets filled to every size from 1 to 40. */
static int cmp32u(const void *a, const void *b) { return cmp32(a, b); }

static size_t ref_set(const uint32_t *folds, size_t n, uint32_t *want) {
    memcpy(want, folds, n * sizeof *want);
    qsort(want, n, sizeof *want, cmp32u);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || want[i] != want[k - 1]) want[k++] = want[i];
    return k;
}

static void test_sort_unique_folds_u32(void **st) {
    (void)st;
    enum { N = 70000, KINDS = 9 };
    static uint64_t h[N];
    static uint32_t folds[N], want[N], tmp[N], sorted[6 * N], got[N + 16];
    size_t sizes[100], ns = 0;
    for (size_t n = 0; n <= 64; n++) sizes[ns++] = n;
    for (size_t n = 300; n <= 3000; n += 300) sizes[ns++] = n;
    const size_t more[] = {127, 128, 129, 255, 256, 257, 511, 512, 513, 601, 4096, 32768,
                           65535, 65536, 65537, N};
    for (size_t i = 0; i < sizeof more / sizeof *more; i++) sizes[ns++] = more[i];
    for (size_t s = 0; s < ns; s++) {
        size_t n = sizes[s];
        /* the bucket bits of the vector path, for the kind that fills them */
        unsigned bits = 4;
        while ((n >> bits) > 16) bits++;
        for (int kind = 0; kind < KINDS; kind++) {
            size_t fill = 1, in_bucket = 0;
            uint32_t bucket = 0;
            for (size_t i = 0; i < n; i++) {
                uint32_t x = rnd();
                switch (kind) {
                case 1: x = i % 3 == 2 ? folds[i - 1] : x; break;  /* pairs */
                case 2: x = i % 40 >= 20 ? folds[i - 20] : x; break; /* runs of 20 */
                case 3: x = (uint32_t)(i % 5) * 0x10001u; break;  /* few distinct */
                case 4: x = i % 4 == 0 ? UINT32_MAX : i % 4 == 1 ? 0 : x; break;
                case 5: x = i % 7 == 0 ? UINT32_MAX - (x & 3) : x; break;
                case 6:  /* buckets of 1, 2, ... 32 keys, then again */
                case 7:  /* the same with a repeat in every fourth key */
                case 8:  /* buckets of up to 40 keys: too many for the registers */
                    if (in_bucket == fill) {
                        in_bucket = 0;
                        fill = fill % (kind == 8 ? 40 : 32) + 1;
                        bucket++;
                    }
                    in_bucket++;
                    x = bits < 32 ? (bucket % (1u << bits)) << (32 - bits) |
                                        (x >> bits)
                                  : x;
                    if (kind == 7 && i % 4 == 3) x = folds[i - 1];
                    break;
                default: break;
                }
                folds[i] = x;
                uint32_t hi = rnd();
                h[i] = (uint64_t)hi << 32 | (x ^ hi);  /* folds to x */
            }
            size_t k = ref_set(folds, n, want);
            assert_true(dp_sort_unique_scratch(n) <= 6 * (size_t)N);
            memset(got, 0xA5, sizeof got);
            size_t len = dp_sort_unique_folds_u32(h, tmp, sorted, got, n);
            assert_int_equal(len, k);
            if (k) assert_memory_equal(got, want, k * sizeof *got);
            /* the scalar path it stands for */
            dp_sort_folds_u32(h, tmp, sorted, n);
            assert_int_equal(dp_unique_copy_u32(sorted, n, sorted), k);
            if (k) assert_memory_equal(sorted, want, k * sizeof *got);
        }
    }
}

static void test_sort_u64_bytes(void **st) {
    (void)st;
    enum { N = 5000 };
    static uint64_t v[N], tmp[N];
    for (size_t i = 0; i < N; i++) v[i] = ((uint64_t)(rnd() & 0xFF) << 32) | i;
    dp_sort_u64_bytes(v, tmp, N, 4, 8);
    for (size_t i = 1; i < N; i++) {
        assert_true((v[i - 1] >> 32) <= (v[i] >> 32));
        /* stable: equal keys keep their original (low-half) order */
        if ((v[i - 1] >> 32) == (v[i] >> 32)) assert_true((uint32_t)v[i - 1] < (uint32_t)v[i]);
    }
}

/* dp_sort_u64_hi against dp_sort_u64_bytes: the same stable order by the
 * upper halves, whether the bucket pass or the fallback takes the input. */
static void check_hi(uint64_t *v, size_t n, unsigned skip) {
    uint64_t *want = malloc(n * sizeof *v + 8), *tmp = malloc(n * sizeof *v + 8);
    uint64_t *out = malloc(n * sizeof *v + 8);
    memcpy(want, v, n * sizeof *v);
    dp_sort_u64_bytes(want, tmp, n, 4, 8);
    dp_sort_u64_hi(v, out, n, skip);
    assert_memory_equal(out, want, n * sizeof *v);
    free(want);
    free(tmp);
    free(out);
}

static void test_sort_u64_hi(void **st) {
    (void)st;
    static uint64_t v[70000];
    const size_t sizes[] = {0, 1, 47, 48, 500, 4096, 70000};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k];
        for (unsigned skip = 0; skip <= 16; skip += 8) {
            uint32_t top = skip ? 0xA5u << (32 - skip) : 0;
            for (size_t i = 0; i < n; i++)  /* uniform below the skip bits */
                v[i] = (uint64_t)(top | (rnd() >> skip)) << 32 | (uint32_t)i;
            check_hi(v, n, skip);
            for (size_t i = 0; i < n; i++)  /* pairs of equal keys, as near duplicates give */
                v[i] = (uint64_t)(top | (rnd() >> skip)) << 32 | (uint32_t)i;
            for (size_t i = 1; i < n; i += 2) v[i] = (v[i - 1] & ~0xFFFFFFFFull) | (uint32_t)i;
            check_hi(v, n, skip);
            for (size_t i = 0; i < n; i++)  /* one crowded key */
                v[i] = (uint64_t)(top | (i % 3 ? 12345u : rnd() >> skip)) << 32 | (uint32_t)i;
            check_hi(v, n, skip);
            /* Not uniform: the second half distinct keys under one top
             * (one bucket), falling, with repeats; the insertion sort gives
             * up part way and the radix sort finishes from there. */
            for (size_t i = 0; i < n; i++) {
                uint32_t key = i < n / 2 ? rnd() >> skip : top | 0x00FF0000u >> skip | (uint32_t)((n - i) / 3 & 0xFFFF);
                v[i] = (uint64_t)(top | key) << 32 | (uint32_t)i;
            }
            check_hi(v, n, skip);
        }
    }
}

/* dp_unique_u64 in place against a plain copy loop: sorted values with
 * runs of repeats of every length up to 4, including at both ends. */
static void test_unique_u64(void **st) {
    (void)st;
    enum { N = 2000 };
    static uint64_t v[N], want[N];
    for (size_t n = 0; n <= 70; n += 1 + n / 8) {
        uint64_t x = 5;
        for (size_t i = 0; i < n; i++) {
            v[i] = x;
            x += rnd() % 4 == 0;  /* a quarter of the values start a new run */
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (k == 0 || v[i] != want[k - 1]) want[k++] = v[i];
        assert_int_equal(dp_unique_u64(v, n), k);
        if (k) assert_memory_equal(v, want, k * sizeof *v);
    }
}

/* dp_sort_u64_packed against dp_sort_u64_bytes on all eight bytes: pairs
 * of document numbers of several widths (3 passes and fewer, one half
 * empty, repeats), and values too wide to pack (the fallback). */
static void test_sort_u64_packed(void **st) {
    (void)st;
    enum { N = 70000 };
    static uint64_t v[N], want[N], tmp[N];
    const size_t sizes[] = {0, 1, 4095, 4096, 30000, N};
    const unsigned widths[][2] = {{17, 17}, {0, 20}, {20, 0}, {5, 9}, {24, 24}, {32, 32}, {1, 1}};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        for (size_t w = 0; w < sizeof widths / sizeof *widths; w++) {
            size_t n = sizes[s];
            uint64_t ha = widths[w][0] ? (((uint64_t)1 << widths[w][0]) - 1) : 0;
            uint64_t hb = widths[w][1] ? (((uint64_t)1 << widths[w][1]) - 1) : 0;
            for (size_t i = 0; i < n; i++) {
                uint64_t a = rnd() & ha, b = rnd() & hb;
                v[i] = i % 7 == 3 ? v[i - 1] : a << 32 | b;  /* some repeats */
            }
            memcpy(want, v, n * sizeof *v);
            dp_sort_u64_bytes(want, tmp, n, 0, 8);
            dp_sort_u64_packed(v, tmp, n);
            if (n) assert_memory_equal(v, want, n * sizeof *v);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sort_u32),
        cmocka_unit_test(test_sort_folds_u32),
        cmocka_unit_test(test_sort_unique_folds_u32),
        cmocka_unit_test(test_unique_u32),
        cmocka_unit_test(test_unique_u64),
        cmocka_unit_test(test_sort_u64_packed),
        cmocka_unit_test(test_sort_u64_bytes),
        cmocka_unit_test(test_sort_u64_hi),
    };
    return cmocka_run_group_tests_name("sort", tests, NULL, NULL);
}
