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

/* The alignment as align.c documents it, written plainly as an oracle: B
 * scanned from the start for each anchor (no table, no filter), marks one
 * byte a word, passages closed and counted one word at a time. */
static void naive_keep(dp_alignment *out, dp_span sp) {
    uint32_t at = 0;
    while (at < out->num_spans && out->spans[at].matched >= sp.matched) at++;
    if (at >= DP_ALIGN_KEEP) return;
    for (uint32_t k = DP_ALIGN_KEEP - 1; k > at; k--) out->spans[k] = out->spans[k - 1];
    out->spans[at] = sp;
    if (out->num_spans < DP_ALIGN_KEEP) out->num_spans++;
}

static void naive_align(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb,
                        dp_alignment *out) {
    memset(out, 0, sizeof *out);
    out->na = na;
    out->nb = nb;
    if (na < DP_ALIGN_ANCHOR || nb < DP_ALIGN_ANCHOR) return;
    uint32_t *fr = malloc(3 * (size_t)(na + 1) * sizeof *fr), nf = 0, expect = 0;
    for (uint32_t i = 0; i + DP_ALIGN_ANCHOR <= na;) {
        uint32_t best_j = UINT32_MAX, best_m = 0, best_d = UINT32_MAX, tries = 0;
        for (uint32_t j = 0; j + DP_ALIGN_ANCHOR <= nb && tries < DP_ALIGN_MAX_TRIES; j++) {
            if (memcmp(a + i, b + j, DP_ALIGN_ANCHOR * sizeof *a)) continue;
            tries++;
            uint32_t m = DP_ALIGN_ANCHOR;
            while (i + m < na && j + m < nb && a[i + m] == b[j + m]) m++;
            uint32_t d = j >= expect ? j - expect : expect - j;
            if (m > best_m || (m == best_m && d < best_d)) best_j = j, best_m = m, best_d = d;
        }
        if (best_j == UINT32_MAX) {
            i++;
            continue;
        }
        fr[3 * nf] = i, fr[3 * nf + 1] = best_j, fr[3 * nf + 2] = best_m, nf++;
        i += best_m;
        expect = best_j + best_m;
    }
    uint32_t small = na <= nb ? na : nb, min_passage = small < 12 ? small : 12;
    uint8_t *fa = calloc(na, 1), *fb = calloc(nb, 1), *ca = calloc(na, 1), *cb = calloc(nb, 1);
    dp_span cur = {0};
    uint32_t first = 0, last_b_end = 0, have_last = 0;
    for (uint32_t f = 0; f <= nf; f++) {
        uint32_t x = 0, y = 0, m = 0;
        if (f < nf) {
            x = fr[3 * f], y = fr[3 * f + 1], m = fr[3 * f + 2];
            for (uint32_t k = 0; k < m; k++) {
                out->frag_a += !fa[x + k];
                out->frag_b += !fb[y + k];
                fa[x + k] = fb[y + k] = 1;
            }
            if (!have_last || y + 40 >= last_b_end) {
                out->ordered += m;
                last_b_end = y + m;
                have_last = 1;
            }
            if (f > first && x <= cur.a + cur.a_len + DP_ALIGN_GAP && y >= cur.b + cur.b_len &&
                y <= cur.b + cur.b_len + DP_ALIGN_GAP) {
                cur.a_len = x + m - cur.a;
                cur.b_len = y + m - cur.b;
                cur.matched += m;
                continue;
            }
        }
        if (f > 0 && cur.matched >= min_passage) {
            out->passages++;
            naive_keep(out, cur);
            for (uint32_t g = first; g < f; g++)
                for (uint32_t k = 0; k < fr[3 * g + 2]; k++) {
                    out->cover_a += !ca[fr[3 * g] + k];
                    out->cover_b += !cb[fr[3 * g + 1] + k];
                    ca[fr[3 * g] + k] = cb[fr[3 * g + 1] + k] = 1;
                }
        }
        cur = (dp_span){x, y, m, m, m};
        first = f;
    }
    if (out->ordered > small) out->ordered = small;
    const uint8_t *cs = na <= nb ? ca : cb, *fs = na <= nb ? fa : fb;
    for (uint32_t t = 0; t < 10; t++) {
        uint32_t lo = (small * t + 9) / 10, hi = (small * (t + 1) + 9) / 10, c = 0, g = 0;
        for (uint32_t w = lo; w < hi; w++) c += cs[w], g += fs[w];
        out->cover_spread += hi > lo && c >= DP_ALIGN_SPREAD_SHARE * (hi - lo);
        out->frag_spread += hi > lo && g >= DP_ALIGN_FRAG_SPREAD_SHARE * (hi - lo);
    }
    free(fr), free(fa), free(fb), free(ca), free(cb);
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next_rand(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* b from a: copied pieces (some moved, some repeated), edited words and
 * new text, so fragments of every length, gaps and swaps occur. */
static uint32_t derive(const uint32_t *a, uint32_t na, uint32_t *b, uint32_t cap, uint32_t vocab) {
    uint32_t nb = 0;
    while (nb < cap) {
        uint32_t r = next_rand() % 4, len = 1 + next_rand() % 40;
        if (len > cap - nb) len = cap - nb;
        if (r < 2 && na) {
            uint32_t from = next_rand() % na;
            if (len > na - from) len = na - from;
            memcpy(b + nb, a + from, len * sizeof *b);
        } else {
            for (uint32_t k = 0; k < len; k++) b[nb + k] = next_rand() % vocab;
        }
        nb += len;
        if (next_rand() % 8 == 0) break;
    }
    return nb;
}

/* Every path (this CPU's vector ones, AVX2 without AVX-512, and the
 * portable ones) equals the oracle, byte for byte: random texts over
 * vocabularies of 1 word (one repeated word), 3, 50 and 2^32 words; B
 * derived from A; lengths 0 to a few hundred (shorter than an anchor,
 * around the 16 and 64 word edges of the filter pass and the bit sets);
 * runs of calls keyed to one side, as the index makes them, where the
 * table must be reused or rebuilt. The walked words end where their
 * allocation ends, so a read past them is an error under ASan. */
static void test_paths_equal_oracle(void **state) {
    (void)state;
    enum { CAP = 400 };
    static const uint32_t vocabs[] = {1, 3, 50, 0};
    uint32_t *key_side = malloc(CAP * sizeof *key_side);
    dp_aligner fast = {0}, port = {0}, avx2 = {0};
    port.portable = 1;
    avx2.no_avx512 = 1;
    uint64_t key = 0;
    uint32_t nk = 0;
    for (unsigned round = 0; round < 1500; round++) {
        uint32_t vocab = vocabs[round % 4];
        uint32_t v = vocab ? vocab : UINT32_MAX;
        if (round % 3 == 0) { /* a new keyed side: a new run */
            nk = round % 45 == 0 ? next_rand() % 5 : next_rand() % CAP;
            for (uint32_t k = 0; k < nk; k++) key_side[k] = next_rand() % v;
            key++;
        }
        uint32_t tmp[CAP];
        uint32_t nw = round % 7 == 0 ? next_rand() % 70 : derive(key_side, nk, tmp, CAP, v);
        if (round % 7 == 0)
            for (uint32_t k = 0; k < nw; k++) tmp[k] = next_rand() % v;
        uint32_t *walked = malloc((nw ? nw : 1) * sizeof *walked);
        memcpy(walked, tmp, nw * sizeof *walked);
        dp_alignment want, got;
        naive_align(walked, nw, key_side, nk, &want);
        assert_int_equal(dp_align_keyed(&fast, walked, nw, key_side, nk, key, &got), DOPPEL_OK);
        assert_memory_equal(&got, &want, sizeof got);
        assert_int_equal(dp_align_keyed(&port, walked, nw, key_side, nk, key, &got), DOPPEL_OK);
        assert_memory_equal(&got, &want, sizeof got);
        assert_int_equal(dp_align_keyed(&avx2, walked, nw, key_side, nk, key, &got), DOPPEL_OK);
        assert_memory_equal(&got, &want, sizeof got);
        /* the other way, unkeyed: the scratch table, the keyed one kept */
        naive_align(key_side, nk, walked, nw, &want);
        assert_int_equal(dp_align(&fast, key_side, nk, walked, nw, &got), DOPPEL_OK);
        assert_memory_equal(&got, &want, sizeof got);
        assert_int_equal(dp_align(&port, key_side, nk, walked, nw, &got), DOPPEL_OK);
        assert_memory_equal(&got, &want, sizeof got);
        free(walked);
    }
    dp_aligner_free(&fast);
    dp_aligner_free(&port);
    dp_aligner_free(&avx2);
    free(key_side);
}

/* A copy of every length from 0 to 150 words: matched whole (a document
 * shorter than an anchor has no fragment), cover and fragment counts exact
 * across the bit sets' word edges, every tenth covered. */
static void test_copy_lengths(void **state) {
    (void)state;
    for (int portable = 0; portable < 2; portable++) {
        dp_aligner al = {0};
        al.portable = portable;
        for (uint32_t n = 0; n <= 150; n++) {
            uint32_t *a = malloc((n ? n : 1) * sizeof *a), *b = malloc((n ? n : 1) * sizeof *b);
            words(a, n, 1);
            memcpy(b, a, n * sizeof *a);
            dp_alignment x;
            assert_int_equal(dp_align(&al, a, n, b, n, &x), DOPPEL_OK);
            uint32_t want = n < DP_ALIGN_ANCHOR ? 0 : n;
            assert_int_equal(x.cover_a, want);
            assert_int_equal(x.cover_b, want);
            assert_int_equal(x.frag_a, want);
            assert_int_equal(x.frag_b, want);
            assert_int_equal(x.num_spans, want ? 1 : 0);
            assert_int_equal(x.cover_spread, n < DP_ALIGN_ANCHOR ? 0 : n < 10 ? n : 10);
            free(a);
            free(b);
        }
        dp_aligner_free(&al);
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
        cmocka_unit_test(test_paths_equal_oracle),
        cmocka_unit_test(test_copy_lengths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
