/* Alignment and the relations decided from it (copy/align.c, relate.c):
 * coverage of copies, quotations and rewrites, bounded work on repeated
 * text, and doppel_compare agreeing with the rules. */
#include "testutil.h"

#include <time.h>

#include "base/internal.h"
#include "copy/align.h"
#include "copy/relate.h"
#include "copy/lsh.h"

/* n words: word i of text t is the number t * 100000 + i (all distinct). */
static void words(uint32_t *w, uint32_t n, uint32_t t) {
    for (uint32_t i = 0; i < n; i++) w[i] = t * 100000u + i;
}

static doppel_config defaults(void) {
    doppel_config cfg;
    doppel_config_default(&cfg);
    return cfg;
}

static void test_identical_and_edited(void **state) {
    (void)state;
    uint32_t a[500], b[500];
    words(a, 500, 1);
    memcpy(b, a, sizeof a);
    dp_aligner al = {0};
    dp_alignment x;
    assert_int_equal(dp_align(&al, a, 500, b, 500, &x), DOPPEL_OK);
    assert_int_equal(x.cover_a, 500);
    assert_int_equal(x.cover_b, 500);
    assert_int_equal(x.num_spans, 1);
    /* every tenth word replaced: one passage still, 90% matched: near */
    for (uint32_t i = 5; i < 500; i += 10) b[i] = 7;
    assert_int_equal(dp_align(&al, a, 500, b, 500, &x), DOPPEL_OK);
    assert_true(x.cover_a >= 400 && x.cover_a < 500);
    doppel_config cfg = defaults();
    assert_int_equal(dp_relate(&cfg, &x), DOPPEL_REL_NEAR);
    dp_aligner_free(&al);
}

/* One shared 130-word quotation in two 500-word texts: partial, never a
 * copy — the case the Jaccard low rule got wrong. */
static void test_quotation_is_partial(void **state) {
    (void)state;
    uint32_t a[500], b[500];
    words(a, 500, 1);
    words(b, 500, 2);
    memcpy(b + 200, a + 100, 130 * sizeof *a);
    dp_aligner al = {0};
    dp_alignment x;
    assert_int_equal(dp_align(&al, a, 500, b, 500, &x), DOPPEL_OK);
    assert_int_equal(x.cover_a, 130);
    assert_int_equal(x.cover_b, 130);
    assert_int_equal(x.spans[0].a, 100);
    assert_int_equal(x.spans[0].b, 200);
    assert_int_equal(x.spans[0].matched, 130);
    doppel_config cfg = defaults();
    assert_int_equal(dp_relate(&cfg, &x), DOPPEL_REL_PARTIAL);
    assert_false(dp_relation_joins(&cfg, DOPPEL_REL_PARTIAL));
    dp_aligner_free(&al);
}

/* A rewrite: pieces of 5 source words in order, each followed by 3 new
 * words, all along the text: derived (spread), not partial. */
static void test_rewrite_is_derived(void **state) {
    (void)state;
    uint32_t a[400], b[400];
    words(a, 400, 1);
    uint32_t n = 0;
    for (uint32_t i = 0; i + 5 <= 400 && n + 8 <= 400; i += 6) {
        memcpy(b + n, a + i, 5 * sizeof *a);
        n += 5;
        for (int k = 0; k < 3; k++, n++) b[n] = 900000u + n;
    }
    dp_aligner al = {0};
    dp_alignment x;
    assert_int_equal(dp_align(&al, a, 400, b, n, &x), DOPPEL_OK);
    doppel_config cfg = defaults();
    assert_int_equal(dp_relate(&cfg, &x), DOPPEL_REL_DERIVED);
    cfg.join_derived = 1;
    assert_true(dp_relation_joins(&cfg, DOPPEL_REL_DERIVED));
    dp_aligner_free(&al);
}

/* One word repeated 65,536 times against itself: linear work (each word
 * is extended from at most DP_ALIGN_MAX_TRIES places), well under a second. */
static void test_repeated_word_bounded(void **state) {
    (void)state;
    uint32_t n = DP_ALIGN_MAX_WORDS;
    uint32_t *a = malloc(n * sizeof *a);
    for (uint32_t i = 0; i < n; i++) a[i] = 42;
    dp_aligner al = {0};
    dp_alignment x;
    clock_t t0 = clock();
    assert_int_equal(dp_align(&al, a, n, a, n, &x), DOPPEL_OK);
    assert_true((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
    assert_int_equal(x.cover_a, n);
    dp_aligner_free(&al);
    free(a);
}

/* doppel_compare: a teaser is contained in its article, the article is
 * the source; extraction runs as in the index. */
static void test_compare_contained(void **state) {
    (void)state;
    const char *article =
        "The council voted on Tuesday to close the harbour bridge for eighteen months of "
        "repairs after engineers found corrosion in the steel supports of the eastern span. "
        "Traffic will be diverted over the northern ring road for the whole period, adding "
        "twenty minutes to a typical commute. Shop owners near the bridge fear losing "
        "customers and the council promised a support fund for affected businesses.";
    const char *teaser =
        "The council voted on Tuesday to close the harbour bridge for eighteen months of "
        "repairs after engineers found corrosion in the steel supports of the eastern span.";
    doppel_config cfg = defaults();
    doppel_comparison cmp;
    assert_int_equal(doppel_compare(&cfg, article, strlen(article), teaser, strlen(teaser), &cmp,
                                    NULL),
                     DOPPEL_OK);
    assert_int_equal(cmp.relation, DOPPEL_REL_CONTAINED);
    assert_true(cmp.a_is_source);
    assert_true(cmp.cover_b > 0.99);
    assert_true(cmp.num_passages >= 1);
    assert_string_equal(cmp.passages[0].text, cmp.passages[0].b_text);
    doppel_comparison_free(&cmp);
}

/* The reuse slots (lsh.h) of a rewrite that keeps every other run of 3
 * words share several values with the source's, so the pair becomes a
 * candidate; an unrelated text shares none. */
static void test_reuse_slots(void **state) {
    (void)state;
    enum { N = 400 };
    uint32_t a[N], b[N], c[N];
    words(a, N, 1);
    words(c, N, 3);
    for (uint32_t i = 0; i < N; i++) b[i] = (i / 6) % 2 ? 2 * 100000u + i : a[i];
    uint32_t sa[DP_REUSE_BANDS], sb[DP_REUSE_BANDS], sc[DP_REUSE_BANDS], sa2[DP_REUSE_BANDS];
    dp_reuse_slots(a, N, 1, sa);
    dp_reuse_slots(a, N, 1, sa2);
    dp_reuse_slots(b, N, 2, sb);
    dp_reuse_slots(c, N, 3, sc);
    assert_memory_equal(sa, sa2, sizeof sa);
    unsigned ab = 0, ac = 0;
    for (unsigned j = 0; j < DP_REUSE_BANDS; j++) {
        ab += sa[j] == sb[j];
        ac += sa[j] == sc[j];
    }
    assert_true(ab >= 2);
    assert_int_equal(ac, 0);
}

/* The vector reuse slots equal the portable ones for every length around
 * the vector blocks' edges (eight windows a block, sixteen a round, the
 * last few one by one), for random words, a small vocabulary (repeated
 * 3-grams) and one word repeated (one bin, fifteen empty). */
static void test_reuse_slots_vector(void **state) {
    (void)state;
    enum { N = 300 };
    uint32_t w[N];
    uint64_t x = 88172645463325252ull;
    for (unsigned kind = 0; kind < 3; kind++) {
        for (unsigned i = 0; i < N; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            w[i] = kind == 0 ? (uint32_t)x : kind == 1 ? (uint32_t)(x % 5) : 7u;
        }
        for (size_t n = 0; n <= N; n++) {
            uint32_t fast[DP_REUSE_BANDS], slow[DP_REUSE_BANDS];
            dp_reuse_slots(w + (N - n), n, n, fast);
            dp_reuse_slots_portable(w + (N - n), n, n, slow);
            assert_memory_equal(fast, slow, sizeof fast);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_and_edited),
        cmocka_unit_test(test_reuse_slots),
        cmocka_unit_test(test_reuse_slots_vector),
        cmocka_unit_test(test_quotation_is_partial),
        cmocka_unit_test(test_rewrite_is_derived),
        cmocka_unit_test(test_repeated_word_bounded),
        cmocka_unit_test(test_compare_contained),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
