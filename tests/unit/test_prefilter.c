/* The signature pre-filter: its Jaccard floor agrees with doppel_classify,
 * its bound holds for simulated pairs at the floor (fixed seed), and an
 * index gives the same pairs with it as without it. */
#include "testutil.h"

#include <math.h>

#include "copy/lsh.h"
#include "copy/prefilter.h"
#include "copy/verify.h"

static uint64_t rng_state = 7;
static uint64_t rnd(void) { return test_rnd(&rng_state); }

/* Whatever the sizes and overlap, a pair doppel_classify accepts has a
 * Jaccard at or above the floor: the filter never reasons from a floor a
 * real pair could be under. */
static void test_floor_below_every_accepted_pair(void **state) {
    (void)state;
    doppel_config cfg;
    doppel_config_default(&cfg);
    for (int cfgs = 0; cfgs < 3; cfgs++) {
        if (cfgs == 1) cfg.min_shared = 0;
        if (cfgs == 2) cfg.containment = 0.5, cfg.min_contained = 1, cfg.threshold = 0.9;
        size_t accepted = 0;
        for (int i = 0; i < 200000; i++) {
            size_t na = 1 + rnd() % 3000, nb = 1 + rnd() % 3000;
            uint32_t shared = (uint32_t)(rnd() % (DP_MIN(na, nb) + 1));
            doppel_similarity sim = dp_similarity(na, nb, shared);
            if (doppel_classify(&cfg, &sim, na, nb) == DOPPEL_REL_NONE) continue;
            accepted++;
            assert_true(sim.jaccard >= dp_jaccard_floor(&cfg, na, nb) - 1e-12);
        }
        assert_true(accepted > 1000);
    }
    /* the floors of the default rules, worked by hand */
    doppel_config_default(&cfg);
    assert_true(fabs(dp_jaccard_floor(&cfg, 500, 500) - 0.15) < 1e-12);   /* low threshold */
    assert_true(fabs(dp_jaccard_floor(&cfg, 100, 2000) - 90.0 / 2010.0) < 1e-12); /* contained */
    assert_true(fabs(dp_jaccard_floor(&cfg, 30, 30) - 0.5) < 1e-12);      /* only near */
}

/* The table at the defaults: a pair at the low threshold (J = 0.15, 128
 * values) agrees in 2 or fewer places with probability 2.4e-7 and in 3 or
 * fewer with 1.9e-6, so at 1e-6 the filter drops 0-2 agreements only. */
static void test_table_at_defaults(void **state) {
    (void)state;
    doppel_config cfg;
    doppel_config_default(&cfg);
    dp_prefilter pf;
    dp_prefilter_init(&pf, &cfg);
    assert_true(pf.active);
    for (unsigned q = 1; q <= DP_FLOOR_STEPS; q++) assert_true(pf.need[q] >= pf.need[q - 1]);
    assert_int_equal(dp_prefilter_rejects(&pf, 500, 500, 2), 1);
    assert_int_equal(dp_prefilter_rejects(&pf, 500, 500, 3), 0);
    /* too few shingles for the bound: never dropped */
    assert_int_equal(dp_prefilter_rejects(&pf, 127, 5000, 0), 0);
    /* a lopsided pair may be a containment at J 0.045: nothing is unlikely */
    assert_int_equal(dp_prefilter_rejects(&pf, 200, 4000, 0), 0);
    cfg.prefilter_miss = 0;
    dp_prefilter_init(&pf, &cfg);
    assert_int_equal(dp_prefilter_rejects(&pf, 500, 500, 0), 0);
    doppel_config_default(&cfg);
    cfg.verify = DOPPEL_VERIFY_FAST;  /* fast mode reads no sets: nothing to save */
    dp_prefilter_init(&pf, &cfg);
    assert_false(pf.active);
}

static void test_prints_match_low_halves(void **state) {
    (void)state;
    const unsigned ks[] = {8, 9, 32, 128, 255, 257};
    for (size_t t = 0; t < sizeof ks / sizeof *ks; t++) {
        unsigned k = ks[t];
        uint32_t a[257], b[257], pa[129], pb[129];
        unsigned expect = 0;
        for (unsigned i = 0; i < k; i++) {
            a[i] = (uint32_t)rnd();
            uint64_t r = rnd() % 3;
            /* equal, equal in the low half only, or different */
            b[i] = r == 0 ? a[i] : r == 1 ? (a[i] ^ 0x10000u) : a[i] ^ 1u;
            expect += r < 2;
        }
        dp_prints_pack(a, k, pa);
        dp_prints_pack(b, k, pb);
        assert_int_equal(dp_prints_matches(pa, pb, k), expect);
        assert_int_equal(dp_prints_matches(pa, pa, k), k);
    }
}

/* The packed record is each value's low 16 bits in order, two to a word
 * (the first in the low half), an odd k's last upper half zero, and
 * nothing written past its words: the vector path (eight words a step)
 * and the scalar tail at every k about its block boundaries. */
static void test_prints_pack_low_halves(void **state) {
    (void)state;
    const unsigned ks[] = {8, 9, 15, 16, 17, 31, 32, 33, 47, 128, 129, 255, 256, 257};
    for (size_t t = 0; t < sizeof ks / sizeof *ks; t++) {
        unsigned k = ks[t];
        uint32_t sig[257], prints[130];
        for (unsigned i = 0; i < k; i++) sig[i] = (uint32_t)rnd();
        for (unsigned w = 0; w < 130; w++) prints[w] = 0xA5A5A5A5u;
        dp_prints_pack(sig, k, prints);
        unsigned words = dp_prints_words(k);
        for (unsigned w = 0; w < words; w++) {
            uint32_t lo = sig[2 * w] & 0xffffu, hi = 2 * w + 1 < k ? sig[2 * w + 1] & 0xffffu : 0;
            assert_int_equal(prints[w], lo | hi << 16);
        }
        for (unsigned w = words; w < 130; w++) assert_int_equal(prints[w], 0xA5A5A5A5u);
    }
}

/* P(X < need) for X ~ Binomial(k, p): what the table promises to drop. */
static double binomial_below(unsigned k, double p, unsigned need) {
    double sum = 0;
    for (unsigned i = 0; i < need; i++)
        sum += exp(lgamma(k + 1.0) - lgamma(i + 1.0) - lgamma(k - i + 1.0) + i * log(p) +
                   (k - i) * log1p(-p));
    return sum;
}

/* Pairs with Jaccard at (or just above) their floor, sketched by the real
 * one-permutation sketch: the share the filter drops stays within what the
 * binomial promises (itself at most the miss probability), give or take
 * three standard errors. A miss of 1% makes the rate measurable. */
static void test_bound_holds_for_sketched_pairs(void **state) {
    (void)state;
    doppel_config cfg;
    doppel_config_default(&cfg);
    cfg.prefilter_miss = 0.01;
    dp_prefilter pf;
    dp_prefilter_init(&pf, &cfg);
    const size_t sizes[][2] = {{128, 128}, {256, 256}, {500, 500}, {300, 2400}, {128, 3000}};
    uint64_t *a = malloc(3000 * sizeof *a), *b = malloc(3000 * sizeof *b);
    uint32_t sa[128], sb[128], pa[64], pb[64];
    assert_non_null(a);
    assert_non_null(b);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t na = sizes[s][0], nb = sizes[s][1];
        double floor = dp_jaccard_floor(&cfg, na, nb);
        uint32_t shared = 0;  /* the least overlap at or above the floor */
        while (dp_similarity(na, nb, shared).jaccard < floor) shared++;
        int trials = 4000, dropped = 0;
        for (int t = 0; t < trials; t++) {
            for (size_t i = 0; i < na; i++) a[i] = rnd();
            for (size_t i = 0; i < nb; i++) b[i] = i < shared ? a[i] : rnd();
            doppel_minhash(DOPPEL_SKETCH_OPH, a, na, 1, 128, sa);
            doppel_minhash(DOPPEL_SKETCH_OPH, b, nb, 1, 128, sb);
            dp_prints_pack(sa, 128, pa);
            dp_prints_pack(sb, 128, pb);
            dropped += dp_prefilter_rejects(&pf, na, nb, dp_prints_matches(pa, pb, 128));
        }
        double jac = dp_similarity(na, nb, shared).jaccard;
        double promised = binomial_below(128, jac, pf.need[(unsigned)(floor * DP_FLOOR_STEPS)]);
        print_message("sizes %zu/%zu floor %.3f: dropped %d of %d (binomial %.4f)\n", na, nb,
                      floor, dropped, trials, promised);
        assert_true(promised <= cfg.prefilter_miss);
        assert_true(dropped <= trials * promised + 3 * sqrt(trials * promised) + 1);
    }
    free(a);
    free(b);
}

static int cmp_u64(const void *x, const void *y) {
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* The chunked pass (three chunks of 4,096 documents here), on one thread
 * or several, decides every candidate exactly as comparing its two
 * documents' prints directly does. */
static void test_pass_equals_direct(void **state) {
    (void)state;
    enum { DOCS = 10000, PAIRS = 60000, K = 128 };
    doppel_config cfg;
    doppel_config_default(&cfg);
    dp_prefilter pf;
    dp_prefilter_init(&pf, &cfg);
    dp_spill *prints;
    doppel_error err;
    assert_int_equal(dp_spill_new(NULL, &prints, &err), DOPPEL_OK);
    uint32_t *sig = malloc((size_t)DOCS * K * sizeof *sig), *set_len = malloc(DOCS * sizeof *set_len);
    /* records: the prints, then the reuse slots' (exact mode) */
    unsigned words = dp_prefilter_words(&pf);
    assert_int_equal(words, K / 2 + DP_REUSE_BANDS / 2);
    uint32_t *slots = malloc((size_t)DOCS * DP_REUSE_BANDS * sizeof *slots);
    uint32_t rec[K / 2 + DP_REUSE_BANDS / 2];
    for (uint32_t d = 0; d < DOCS; d++) {
        set_len[d] = 64 + (uint32_t)(rnd() % 1000);  /* some under K: never filtered */
        for (unsigned i = 0; i < K; i++)  /* values from a small range: agreements vary */
            sig[(size_t)d * K + i] = (uint32_t)(rnd() % (1 + d % 40));
        for (unsigned i = 0; i < DP_REUSE_BANDS; i++)  /* a third share a few values */
            slots[(size_t)d * DP_REUSE_BANDS + i] = d % 3 ? (uint32_t)rnd() : (uint32_t)(rnd() % 3);
        dp_prefilter_record(&pf, sig + (size_t)d * K, slots + (size_t)d * DP_REUSE_BANDS, rec);
        uint64_t at;
        assert_int_equal(dp_spill_append(prints, rec, words, &at, &err), DOPPEL_OK);
        assert_int_equal(at, (uint64_t)d * words);
    }
    assert_int_equal(dp_spill_flush(prints, &err), DOPPEL_OK);
    uint64_t *pairs = malloc(PAIRS * sizeof *pairs);
    size_t n = 0;
    for (size_t i = 0; i < PAIRS; i++) {
        uint32_t a = (uint32_t)(rnd() % DOCS), b = (uint32_t)(rnd() % DOCS);
        if (a == b) continue;
        if (a > b) { uint32_t t = a; a = b; b = t; }
        pairs[n++] = (uint64_t)a << 32 | b;
    }
    qsort(pairs, n, sizeof *pairs, cmp_u64);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (!u || pairs[i] != pairs[u - 1]) pairs[u++] = pairs[i];
    n = u;
    uint8_t *keep = malloc(n / 8 + 1);
    static const unsigned threads[] = {1, 2, 4};
    for (int t = 0; t < 3; t++) {
        memset(keep, 0xff, n / 8 + 1);
        uint64_t ruled_out = 0, expect = 0, kept_by_slots = 0;
        assert_int_equal(dp_prefilter_pass(&pf, prints, set_len, DOCS, pairs, n, 0, threads[t],
                                           keep, &ruled_out, &err),
                         DOPPEL_OK);
        for (size_t i = 0; i < n; i++) {
            uint32_t a = (uint32_t)(pairs[i] >> 32), b = (uint32_t)pairs[i];
            uint32_t ra[K / 2 + DP_REUSE_BANDS / 2], rb[K / 2 + DP_REUSE_BANDS / 2];
            dp_prefilter_record(&pf, sig + (size_t)a * K, slots + (size_t)a * DP_REUSE_BANDS, ra);
            dp_prefilter_record(&pf, sig + (size_t)b * K, slots + (size_t)b * DP_REUSE_BANDS, rb);
            int out = !dp_prefilter_keeps(&pf, set_len[a], set_len[b], ra, rb);
            /* kept by the slots alone: rejected by the prints, slots agree */
            kept_by_slots += !out && dp_prefilter_rejects(&pf, set_len[a], set_len[b],
                                                          dp_prints_matches(ra, rb, K));
            expect += (uint64_t)out;
            assert_int_equal(!(keep[i >> 3] >> (i & 7) & 1), out);
        }
        assert_int_equal(ruled_out, expect);
        assert_true(expect > 1000 && expect < n - 1000);  /* both outcomes occur */
        assert_true(kept_by_slots > 100);
    }
    free(keep);
    free(pairs);
    free(sig);
    free(slots);
    free(set_len);
    dp_spill_free(prints);
}

/* Random text from a small vocabulary with stock phrases that unrelated
 * documents share (the LSH candidates the filter is for), and copies. */
static char *make_doc(uint64_t seed, int copy_of_edits) {
    uint64_t keep = rng_state;
    rng_state = seed;
    size_t cap = 8192, len = 0;
    char *t = malloc(cap);
    for (int w = 0; w < 400; w++) {
        char word[64];
        if (w % 20 == 10) {  /* one of 40 five-word stock phrases */
            unsigned p = (unsigned)(rnd() % 40);
            snprintf(word, sizeof word, "s%ua s%ub s%uc s%ud s%ue", p, p, p, p, p);
        }
        else snprintf(word, sizeof word, "w%u", (unsigned)(rnd() % 5000));
        if (copy_of_edits && w % copy_of_edits == 0) snprintf(word, sizeof word, "edit%d", w);
        size_t l = strlen(word);
        if (len + l + 2 > cap) t = realloc(t, cap *= 2);
        memcpy(t + len, word, l);
        len += l;
        t[len++] = ' ';
    }
    t[len] = '\0';
    rng_state = keep;
    return t;
}

/* Each document's (cluster, relation) and the run's stats. */
static void results_of(double miss, uint64_t out[][2], doppel_index_stats *st) {
    doppel_config cfg;
    doppel_config_default(&cfg);
    cfg.extract = 0;
    cfg.prefilter_miss = miss;
    doppel_index *idx;
    doppel_error err;
    assert_int_equal(doppel_index_new(&cfg, &idx, &err), DOPPEL_OK);
    for (int i = 0; i < 1500; i++) {
        /* every fifth document is an edited copy of the one before */
        char *t = make_doc(i % 5 == 4 ? (uint64_t)i - 1 : (uint64_t)i, i % 5 == 4 ? 9 : 0);
        char id[16];
        snprintf(id, sizeof id, "d%d", i);
        assert_int_equal(doppel_index_add(idx, id, strlen(id), t, strlen(t), DOPPEL_NO_DATE,
                                          NULL, &err),
                         DOPPEL_OK);
        free(t);
    }
    assert_int_equal(doppel_index_finish(idx, NULL, NULL, &err), DOPPEL_OK);
    doppel_index_get_stats(idx, st);
    for (uint32_t d = 0; d < 1500; d++) {
        doppel_doc_result r;
        assert_int_equal(doppel_index_result(idx, d, &r), DOPPEL_OK);
        out[d][0] = r.cluster;
        out[d][1] = r.relation;
    }
    doppel_index_free(idx);
}

static void test_index_same_result_fewer_reads(void **state) {
    (void)state;
    static uint64_t on[1500][2], off[1500][2];
    doppel_index_stats st_on, st_off;
    results_of(1e-6, on, &st_on);
    results_of(0, off, &st_off);
    assert_memory_equal(on, off, sizeof on);
    assert_int_equal(st_on.candidates, st_off.candidates);
    assert_int_equal(st_on.verified_pairs, st_off.verified_pairs);
    assert_int_equal(st_off.prefiltered, 0);
    assert_int_equal(st_on.verified_pairs, 300);  /* each edited copy, once */
    print_message("candidates %llu, prefiltered %llu\n", (unsigned long long)st_on.candidates,
                  (unsigned long long)st_on.prefiltered);
    /* the stock phrases make unrelated candidates (2,188 here); the filter
     * drops those that share the fewest values (987) */
    assert_true(st_on.candidates > 1000);
    assert_true(st_on.prefiltered * 3 > st_on.candidates - st_on.verified_pairs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_floor_below_every_accepted_pair),
        cmocka_unit_test(test_table_at_defaults),
        cmocka_unit_test(test_prints_match_low_halves),
        cmocka_unit_test(test_prints_pack_low_halves),
        cmocka_unit_test(test_bound_holds_for_sketched_pairs),
        cmocka_unit_test(test_pass_equals_direct),
        cmocka_unit_test(test_index_same_result_fewer_reads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
