/* Shingles, MinHash and LSH: statistical accuracy with fixed seeds. */
#include "testutil.h"

#include <math.h>

#include "copy/densify.h"
#include "copy/lsh.h"
#include "copy/verify.h"

/* the generator (testutil.h) from its own seed */
static uint64_t rng_state = 42;
static uint64_t rnd(void) { return test_rnd(&rng_state); }
static double rnd01(void) { return (rnd() >> 11) * (1.0 / 9007199254740992.0); }

/* Two sets with |A| = |B| = m sharing `shared` elements: J = s / (2m - s). */
static void make_pair(uint64_t *a, uint64_t *b, size_t m, size_t shared) {
    for (size_t i = 0; i < m; i++) {
        a[i] = rnd();
        b[i] = i < shared ? a[i] : rnd();
    }
}

static void test_word_shingles(void **state) {
    (void)state;
    doppel_hashes h = {0}, h2 = {0};
    const char *t = "a b c d e f g";
    assert_int_equal(doppel_shingle(t, strlen(t), DOPPEL_SHINGLE_WORD, 5, 1, &h), DOPPEL_OK);
    assert_int_equal(h.len, 3);
    /* shingles depend on word order and seed, and are deterministic */
    assert_int_equal(doppel_shingle(t, strlen(t), DOPPEL_SHINGLE_WORD, 5, 1, &h2), DOPPEL_OK);
    assert_memory_equal(h.v, h2.v, 3 * sizeof *h.v);
    assert_int_equal(doppel_shingle(t, strlen(t), DOPPEL_SHINGLE_WORD, 5, 2, &h2), DOPPEL_OK);
    assert_true(h.v[0] != h2.v[0]);
    const char *u = "b a c d e f g";
    assert_int_equal(doppel_shingle(u, strlen(u), DOPPEL_SHINGLE_WORD, 5, 1, &h2), DOPPEL_OK);
    /* swapping the first two words changes exactly the shingles that hold them */
    assert_true(h.v[0] != h2.v[0] && h.v[1] != h2.v[1] && h.v[2] == h2.v[2]);
    /* shorter than one shingle: one shingle of everything */
    assert_int_equal(doppel_shingle("a b", 3, DOPPEL_SHINGLE_WORD, 5, 1, &h), DOPPEL_OK);
    assert_int_equal(h.len, 1);
    assert_int_equal(doppel_shingle("", 0, DOPPEL_SHINGLE_WORD, 5, 1, &h), DOPPEL_OK);
    assert_int_equal(h.len, 0);
    /* a text without words into hashes that hold no array yet: no hashes,
     * no error (the batch code once offset that NULL array; only clang's
     * UBSan reports that, in make fuzz-smoke, not this gcc build) */
    doppel_hashes fresh = {0};
    assert_int_equal(doppel_shingle("", 0, DOPPEL_SHINGLE_WORD, 5, 1, &fresh), DOPPEL_OK);
    assert_int_equal(doppel_shingle("  ", 2, DOPPEL_SHINGLE_WORD, 5, 1, &fresh), DOPPEL_OK);
    assert_int_equal(fresh.len, 0);
    doppel_hashes_free(&fresh);
    /* character shingles count code points, not bytes */
    assert_int_equal(doppel_shingle("h\xC3\xA9llo", 6, DOPPEL_SHINGLE_CHAR, 3, 1, &h), DOPPEL_OK);
    assert_int_equal(h.len, 3);
    doppel_hashes_free(&h);
    doppel_hashes_free(&h2);
}

/* Words are found 64 bytes at a time and hashed in batches of 256, by
 * length: each word must come out the same wherever it lies (across a
 * window edge or a batch edge, at the end, after extra spaces). With n = 1 a
 * text's shingles are its words' own single shingles. */
static void test_word_boundaries(void **state) {
    (void)state;
    static char text[4000];
    static size_t starts[2000], lens[2000];
    doppel_hashes all = {0}, one = {0};
    for (int round = 0; round < 2000; round++) {
        size_t len = 0, nwords = 0;
        size_t want = (size_t)(rnd() % (round % 10 ? 300 : 3000));
        while (len < want) {
            size_t spaces = rnd() % 4 == 0 ? 2 + (size_t)(rnd() % 2) : 1;
            if (nwords == 0) spaces = (size_t)(rnd() % 2);  /* a leading space or none */
            for (size_t k = 0; k < spaces; k++) text[len++] = ' ';
            size_t wl = 1 + (size_t)(rnd() % 20);
            starts[nwords] = len;
            lens[nwords++] = wl;
            for (size_t k = 0; k < wl; k++) text[len++] = (char)('a' + rnd() % 26);
        }
        if (rnd() % 2) text[len++] = ' ';
        assert_int_equal(doppel_shingle(text, len, DOPPEL_SHINGLE_WORD, 1, 7, &all), DOPPEL_OK);
        assert_int_equal(all.len, nwords);
        for (size_t w = 0; w < nwords; w++) {
            const char *word = text + starts[w];
            assert_int_equal(doppel_shingle(word, lens[w], DOPPEL_SHINGLE_WORD, 1, 7, &one),
                             DOPPEL_OK);
            assert_int_equal(one.len, 1);
            assert_true(all.v[w] == one.v[0]);
        }
    }
    doppel_hashes_free(&all);
    doppel_hashes_free(&one);
}

/* The AVX-512 window mixing and OPH hashing, where the CPU has them, give
 * what the portable loops give: every window count around the four-lane
 * step, every shingle size, and the sketch of every prefix length. */
static void test_vector_paths_match_portable(void **state) {
    (void)state;
    static char text[2000];
    doppel_hashes fast = {0}, slow = {0};
    uint32_t sf[200], ss[200];
    for (int round = 0; round < 300; round++) {
        size_t len = 0, words = (size_t)(rnd() % 120);
        for (size_t w = 0; w < words; w++) {
            if (w) text[len++] = ' ';
            for (size_t k = 1 + (size_t)(rnd() % 12); k; k--) text[len++] = (char)('a' + rnd() % 26);
        }
        unsigned n = 1 + (unsigned)(rnd() % 9);
        assert_int_equal(doppel_shingle(text, len, DOPPEL_SHINGLE_WORD, n, 3, &fast), DOPPEL_OK);
        assert_int_equal(dp_shingle_portable(text, len, DOPPEL_SHINGLE_WORD, n, 3, &slow),
                         DOPPEL_OK);
        assert_int_equal(fast.len, slow.len);
        assert_memory_equal(fast.v, slow.v, fast.len * sizeof *fast.v);
        unsigned k = rnd() % 2 ? 128 : 1 + (unsigned)(rnd() % 200);
        for (size_t m = 0; m <= fast.len; m++) {
            doppel_minhash(DOPPEL_SKETCH_OPH, fast.v, m, 11, k, sf);
            dp_minhash_portable(DOPPEL_SKETCH_OPH, fast.v, m, 11, k, ss);
            assert_memory_equal(sf, ss, k * sizeof *sf);
        }
    }
    doppel_hashes_free(&fast);
    doppel_hashes_free(&slow);
}

/* The word scan of the AVX-512 path (word starts and ends compressed out
 * of 64-byte windows, words classed sixteen at a time) finds the words
 * the portable scan finds: runs of spaces, spaces at either end, words of
 * every hash class up to ones longer than a window, texts that end on a
 * window's last byte or first, and more words than one batch (256). */
static void test_word_split_matches_portable(void **state) {
    (void)state;
    static char text[20000];
    doppel_hashes fast = {0}, slow = {0};
    for (int round = 0; round < 3000; round++) {
        size_t len = 0, cap = round % 10 ? 700 : sizeof text - 200;
        if (round % 64 < 2) cap = 64 * (size_t)(1 + rnd() % 4) - (size_t)(round % 64);
        while (len < cap) {
            unsigned r = rnd() % 100;
            size_t k = r < 70 ? 1 + rnd() % 10 : r < 95 ? 9 + rnd() % 12 : 17 + rnd() % 120;
            for (; k && len < cap; k--) text[len++] = (char)('a' + rnd() % 26);
            for (size_t sp = rnd() % 5 ? 1 : 1 + rnd() % 4; sp && len < cap; sp--) text[len++] = ' ';
        }
        if (rnd() % 2 && len) text[0] = ' ';
        unsigned n = 1 + (unsigned)(rnd() % 6);
        assert_int_equal(doppel_shingle(text, len, DOPPEL_SHINGLE_WORD, n, 5, &fast), DOPPEL_OK);
        assert_int_equal(dp_shingle_portable(text, len, DOPPEL_SHINGLE_WORD, n, 5, &slow),
                         DOPPEL_OK);
        assert_int_equal(fast.len, slow.len);
        assert_memory_equal(fast.v, slow.v, fast.len * sizeof *fast.v);
    }
    doppel_hashes_free(&fast);
    doppel_hashes_free(&slow);
}

/* Words of up to 8 bytes are hashed eight at a time on CPUs with AVX-512DQ
 * (shingle.c: split_flush_short), by xxHash's definition of XXH3 for those
 * lengths rather than by the library: every length, any byte (non-ASCII
 * ones too), any seed, and texts so short or words so near the end that
 * the 4 bytes at a word's start run past the text, against the portable
 * path, which calls the library. One-word shingles are a bijection of the
 * word hashes, so equal shingles mean equal word hashes. */
static void test_short_word_hashes_match_library(void **state) {
    (void)state;
    char text[64];
    doppel_hashes fast = {0}, slow = {0};
    for (int round = 0; round < 20000; round++) {
        size_t cap = 1 + rnd() % (round % 4 ? 12 : 60), len = 0;
        while (len < cap) {
            for (size_t k = 1 + rnd() % (rnd() % 4 ? 8 : 20); k && len < cap; k--) {
                unsigned char c = (unsigned char)(1 + rnd() % 255);
                text[len++] = (char)(c == ' ' ? 'x' : c);
            }
            if (len < cap) text[len++] = ' ';
        }
        uint64_t seed = (uint64_t)rnd() << 32 ^ (uint64_t)rnd() << 7 ^ (uint64_t)rnd();
        assert_int_equal(doppel_shingle(text, len, DOPPEL_SHINGLE_WORD, 1, seed, &fast), DOPPEL_OK);
        assert_int_equal(dp_shingle_portable(text, len, DOPPEL_SHINGLE_WORD, 1, seed, &slow),
                         DOPPEL_OK);
        assert_int_equal(fast.len, slow.len);
        assert_memory_equal(fast.v, slow.v, fast.len * sizeof *fast.v);
    }
    doppel_hashes_free(&fast);
    doppel_hashes_free(&slow);
}

/* The block-wise intersection against a plain merge: sets of every small
 * size (the tails) and larger ones, from disjoint to identical, values
 * spread out or packed (runs that tie block ends). */
static int cmp_u32(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

static size_t random_set(uint32_t *v, size_t n, uint32_t range, const uint32_t *from, size_t nfrom,
                         unsigned share_pct) {
    for (size_t i = 0; i < n; i++)
        v[i] = nfrom && rnd() % 100 < share_pct ? from[rnd() % nfrom] : (uint32_t)(rnd() % range);
    qsort(v, n, sizeof *v, cmp_u32);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || v[i] != v[k - 1]) v[k++] = v[i];
    return k;
}

static void test_intersect_count(void **state) {
    (void)state;
    static uint32_t a[700], b[700];
    for (int round = 0; round < 3000; round++) {
        uint32_t range = round % 3 == 0 ? 2000 : round % 3 == 1 ? 100000 : UINT32_MAX;
        size_t na = random_set(a, (size_t)(rnd() % (round < 1000 ? 40 : 700)), range, NULL, 0, 0);
        size_t nb = random_set(b, (size_t)(rnd() % (round < 1000 ? 40 : 700)), range, a, na,
                               (unsigned)(rnd() % 101));
        uint32_t want = 0;
        for (size_t i = 0, j = 0; i < na && j < nb;) {
            if (a[i] < b[j]) i++;
            else if (b[j] < a[i]) j++;
            else want++, i++, j++;
        }
        assert_int_equal(dp_intersect_count(a, na, b, nb), want);
        assert_int_equal(dp_intersect_count(b, nb, a, na), want);
    }
}

typedef struct {
    double within05, mean_abs, bias;
} accuracy;

/* Error of the estimate over pairs with Jaccard spread over [lo, hi]. */
static accuracy measure(doppel_sketch_kind kind, int pairs, double lo, double hi) {
    enum { M = 1000 };
    static uint64_t a[M], b[M];
    uint32_t sa[128], sb[128];
    accuracy acc = {0};
    rng_state = 7;
    for (int p = 0; p < pairs; p++) {
        size_t m = 200 + rnd() % (M - 200);
        double target = lo + (hi - lo) * rnd01();
        size_t shared = (size_t)(2.0 * m * target / (1.0 + target) + 0.5);
        if (shared > m) shared = m;
        make_pair(a, b, m, shared);
        double exact = (double)shared / (double)(2 * m - shared);
        doppel_minhash(kind, a, m, 99, 128, sa);
        doppel_minhash(kind, b, m, 99, 128, sb);
        double err = doppel_minhash_jaccard(sa, sb, 128) - exact;
        acc.within05 += fabs(err) <= 0.05;
        acc.mean_abs += fabs(err);
        acc.bias += err;
    }
    acc.within05 /= pairs;
    acc.mean_abs /= pairs;
    acc.bias /= pairs;
    return acc;
}

static void test_minhash_accuracy(void **state) {
    (void)state;
    accuracy oph = measure(DOPPEL_SKETCH_OPH, 2000, 0.0, 1.0);
    accuracy cls = measure(DOPPEL_SKETCH_CLASSIC, 2000, 0.0, 1.0);
    accuracy hi = measure(DOPPEL_SKETCH_OPH, 2000, 0.8, 1.0);
    accuracy lo = measure(DOPPEL_SKETCH_OPH, 2000, 0.0, 0.1);
    accuracy mid = measure(DOPPEL_SKETCH_OPH, 2000, 0.45, 0.55);
    printf("# 128 values, 2000 pairs each, |A|=|B| in [200,1000]\n"
           "# J in [0,1]:    OPH within +-0.05 %.3f, MAE %.4f, bias %+.4f;"
           " classic %.3f, MAE %.4f, bias %+.4f\n"
           "# J in [0.8,1]:  OPH within +-0.05 %.3f\n# J in [0,0.1]:  OPH within +-0.05 %.3f\n"
           "# J in [.45,.55]: OPH within +-0.05 %.3f, MAE %.4f (theory for classic: sd 0.044)\n",
           oph.within05, oph.mean_abs, oph.bias, cls.within05, cls.mean_abs, cls.bias,
           hi.within05, lo.within05, mid.within05, mid.mean_abs);
    /* OPH with densification is at least as accurate as classic MinHash... */
    assert_true(oph.mean_abs <= cls.mean_abs * 1.05);
    /* ...unbiased... */
    assert_true(fabs(oph.bias) < 0.005);
    /* ...and within +-0.05 for 95% of pairs in the ranges where decisions are
     * made (copies and non-copies). Around J = 0.5 no 128-value sketch can be:
     * the binomial sd is sqrt(J(1-J)/128) = 0.044, which is why doppel
     * verifies candidates exactly by default. */
    assert_true(hi.within05 >= 0.95);
    assert_true(lo.within05 >= 0.95);
    assert_true(oph.within05 >= 0.85);
    /* Mean absolute error at J = 0.5 matches the binomial model: sd * sqrt(2/pi). */
    assert_true(mid.mean_abs < 0.044 * 0.80 * 1.15);
}

/* The measured LSH candidate rate follows 1 - (1 - s^r)^b. */
/* Sparse sets (a title, a two-word record) take densification's rank
 * table (densify.c): every signature value must be the one the probe walk
 * of optimal densification gives, here recomputed from its definition. */
static void test_sparse_densify_equals_walk(void **state) {
    (void)state;
    const unsigned ks[] = {16, 128, 200};
    for (unsigned t = 0; t < 3; t++) {
        unsigned k = ks[t];
        for (size_t count = 1; count <= 40; count++) {
            uint64_t hashes[40];
            for (size_t j = 0; j < count; j++) hashes[j] = dp_splitmix64(count * 1000 + j + k);
            uint32_t sig[200];
            doppel_minhash(DOPPEL_SKETCH_OPH, hashes, count, 7, k, sig);
            /* the bins as minhash.c fills them, then the walk */
            uint64_t s = dp_splitmix64(7 ^ 0x5851F42D4C957F2DULL), bins[200];
            for (unsigned i = 0; i < k; i++) bins[i] = UINT64_MAX;
            for (size_t j = 0; j < count; j++) {
                uint64_t h = dp_splitmix64(hashes[j] ^ s);
                unsigned bin = (unsigned)(((h >> 32) * (uint64_t)k) >> 32);
                if ((uint32_t)h < bins[bin]) bins[bin] = (uint32_t)h;
            }
            for (unsigned i = 0; i < k; i++) {
                uint64_t v = bins[i];
                for (uint64_t attempt = 1; v == UINT64_MAX; attempt++)
                    v = bins[dp_densify_probe(s, i, attempt, k)];
                assert_int_equal(sig[i], (uint32_t)v);
            }
        }
    }
}

static void test_lsh_s_curve(void **state) {
    (void)state;
    enum { M = 600, PAIRS = 1500 };
    static uint64_t a[M], b[M];
    uint32_t sa[128], sb[128], ba[128], bb[128];
    const double js[] = {0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8};
    const unsigned shapes[][2] = {{64, 2}, {25, 5}, {9, 13}};
    rng_state = 11;
    for (size_t sh = 0; sh < 3; sh++) {
        unsigned bands = shapes[sh][0], rows = shapes[sh][1];
        for (size_t t = 0; t < sizeof js / sizeof *js; t++) {
            size_t shared = (size_t)(2.0 * M * js[t] / (1.0 + js[t]) + 0.5);
            double exact = (double)shared / (double)(2 * M - shared);
            int hits = 0;
            for (int p = 0; p < PAIRS; p++) {
                make_pair(a, b, M, shared);
                doppel_minhash(DOPPEL_SKETCH_OPH, a, M, 5, 128, sa);
                doppel_minhash(DOPPEL_SKETCH_OPH, b, M, 5, 128, sb);
                dp_band_hashes(sa, bands, rows, ba);
                dp_band_hashes(sb, bands, rows, bb);
                int hit = 0;
                for (unsigned k = 0; k < bands; k++) hit |= ba[k] == bb[k];
                hits += hit;
            }
            double measured = (double)hits / PAIRS, theory = doppel_lsh_probability(exact, bands, rows);
            printf("# LSH %ux%u J=%.2f: candidate rate %.3f, theory %.3f\n", bands, rows, exact,
                   measured, theory);
            /* 1500 pairs: binomial sd <= 0.013; allow 4 sd */
            assert_true(fabs(measured - theory) < 0.055);
        }
    }
}

static void test_lsh_shape(void **state) {
    (void)state;
    unsigned b, r;
    doppel_lsh_optimal_shape(0.8, 128, &b, &r);
    assert_true(b * r <= 128);
    /* the S-curve crosses 1/2 near the threshold */
    assert_true(doppel_lsh_probability(0.7, b, r) < 0.5 && doppel_lsh_probability(0.9, b, r) > 0.5);
    doppel_lsh_optimal_shape(0.12, 128, &b, &r);
    assert_true(doppel_lsh_probability(0.2, b, r) > 0.9);
    assert_true(doppel_lsh_probability(0.01, b, r) < 0.01);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_word_shingles),
        cmocka_unit_test(test_word_boundaries),
        cmocka_unit_test(test_vector_paths_match_portable),
        cmocka_unit_test(test_word_split_matches_portable),
        cmocka_unit_test(test_short_word_hashes_match_library),
        cmocka_unit_test(test_intersect_count),
        cmocka_unit_test(test_minhash_accuracy),
        cmocka_unit_test(test_sparse_densify_equals_walk),
        cmocka_unit_test(test_lsh_s_curve),
        cmocka_unit_test(test_lsh_shape),
    };
    return cmocka_run_group_tests_name("sketch", tests, NULL, NULL);
}
