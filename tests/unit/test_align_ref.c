/* dp_align against a plain reference of the same rules (copy/align.c):
 * every anchor position of B scanned in text order instead of the hash
 * table, its filter and the walk that skips positions; marks a byte a word
 * instead of bit sets. The fast paths must change no figure of any
 * alignment: random texts over a small vocabulary (many repeated anchors,
 * chains longer than DP_ALIGN_MAX_TRIES), planted copies with edits,
 * lengths around the 64-word boundaries of the bit sets, and one aligner
 * reused over shrinking and growing sides and keyed runs. */
#include "testutil.h"

#include "base/internal.h"
#include "copy/align.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

static void ref_keep(dp_alignment *out, dp_span s) {
    uint32_t at = out->num_spans;
    while (at > 0 && out->spans[at - 1].matched < s.matched) at--;
    if (at >= DP_ALIGN_KEEP) return;
    for (uint32_t k = (out->num_spans < DP_ALIGN_KEEP ? out->num_spans : DP_ALIGN_KEEP - 1);
         k > at; k--)
        out->spans[k] = out->spans[k - 1];
    out->spans[at] = s;
    if (out->num_spans < DP_ALIGN_KEEP) out->num_spans++;
}

/* The rules of align.c, written the slow and obvious way. */
static void ref_align(const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb,
                      dp_alignment *out) {
    *out = (dp_alignment){0};
    out->na = na;
    out->nb = nb;
    if (na < DP_ALIGN_ANCHOR || nb < DP_ALIGN_ANCHOR) return;
    uint32_t *frag = malloc(3 * sizeof *frag * (na + 1));
    uint8_t *ma = calloc(na + 1, 1), *mb = calloc(nb + 1, 1);
    uint32_t nf = 0, expect = 0;
    for (uint32_t i = 0; i + DP_ALIGN_ANCHOR <= na;) {
        uint32_t best_j = UINT32_MAX, best_m = 0, best_d = UINT32_MAX;
        int tries = 0;
        for (uint32_t j = 0; j + DP_ALIGN_ANCHOR <= nb && tries < DP_ALIGN_MAX_TRIES; j++) {
            if (b[j] != a[i] || b[j + 1] != a[i + 1] || b[j + 2] != a[i + 2]) continue;
            tries++;
            uint32_t m = DP_ALIGN_ANCHOR;
            while (i + m < na && j + m < nb && a[i + m] == b[j + m]) m++;
            uint32_t d = j >= expect ? j - expect : expect - j;
            if (m > best_m || (m == best_m && d < best_d)) {
                best_j = j;
                best_m = m;
                best_d = d;
            }
        }
        if (best_j == UINT32_MAX) {
            i++;
            continue;
        }
        frag[3 * nf] = i;
        frag[3 * nf + 1] = best_j;
        frag[3 * nf + 2] = best_m;
        nf++;
        i += best_m;
        expect = best_j + best_m;
    }
    uint32_t small = na <= nb ? na : nb;
    uint32_t min_passage = small < DP_ALIGN_MIN_PASSAGE ? small : DP_ALIGN_MIN_PASSAGE;
    dp_span cur = {0};
    uint32_t first = 0, last_b_end = 0;
    int have_last = 0;
    for (uint32_t f = 0; f <= nf; f++) {
        uint32_t fa = 0, fb = 0, fm = 0;
        if (f < nf) {
            fa = frag[3 * f];
            fb = frag[3 * f + 1];
            fm = frag[3 * f + 2];
            out->frag_a += fm;
            for (uint32_t k = 0; k < fm; k++) {
                ma[fa + k] |= 2;
                out->frag_b += !(mb[fb + k] & 2);
                mb[fb + k] |= 2;
            }
            if (!have_last || fb + 40 >= last_b_end) {
                out->ordered += fm;
                last_b_end = fb + fm;
                have_last = 1;
            }
            if (f > first && fa <= cur.a + cur.a_len + DP_ALIGN_GAP && fb >= cur.b + cur.b_len &&
                fb <= cur.b + cur.b_len + DP_ALIGN_GAP) {
                cur.a_len = fa + fm - cur.a;
                cur.b_len = fb + fm - cur.b;
                cur.matched += fm;
                continue;
            }
        }
        if (f > 0 && cur.matched >= min_passage) {
            out->passages++;
            ref_keep(out, cur);
            for (uint32_t g = first; g < f; g++)
                for (uint32_t k = 0; k < frag[3 * g + 2]; k++) {
                    ma[frag[3 * g] + k] |= 1;
                    out->cover_a++;
                    out->cover_b += !(mb[frag[3 * g + 1] + k] & 1);
                    mb[frag[3 * g + 1] + k] |= 1;
                }
        }
        cur = (dp_span){fa, fb, fm, fm, fm};
        first = f;
    }
    if (out->ordered > small) out->ordered = small;
    const uint8_t *ms = na <= nb ? ma : mb;
    for (int t = 0; t < 10; t++) {
        uint32_t lo = (uint32_t)(((uint64_t)small * t + 9) / 10);
        uint32_t hi = (uint32_t)(((uint64_t)small * (t + 1) + 9) / 10);
        uint32_t covered = 0, in_frag = 0;
        for (uint32_t i = lo; i < hi; i++) {
            covered += ms[i] & 1;
            in_frag += ms[i] >> 1 & 1;
        }
        out->cover_spread += hi > lo && covered >= DP_ALIGN_SPREAD_SHARE * (hi - lo);
        out->frag_spread += hi > lo && in_frag >= DP_ALIGN_FRAG_SPREAD_SHARE * (hi - lo);
    }
    free(frag);
    free(ma);
    free(mb);
}

/* n words: runs copied from src (when given) with edits, else words of a
 * vocabulary of `vocab` (small: the same anchors over and over). */
static void make_text(uint32_t *w, uint32_t n, const uint32_t *src, uint32_t nsrc,
                      uint32_t vocab) {
    for (uint32_t i = 0; i < n;) {
        if (src && nsrc > 8 && next_rand() % 3) {
            uint32_t from = next_rand() % nsrc, len = 5 + next_rand() % 120;
            for (uint32_t k = 0; k < len && i < n && from + k < nsrc; k++, i++)
                w[i] = next_rand() % 17 ? src[from + k] : next_rand();  /* a few edits */
        } else {
            w[i++] = next_rand() % vocab;
        }
    }
}

static void assert_same(const dp_alignment *x, const dp_alignment *y) {
    assert_int_equal(x->na, y->na);
    assert_int_equal(x->nb, y->nb);
    assert_int_equal(x->cover_a, y->cover_a);
    assert_int_equal(x->cover_b, y->cover_b);
    assert_int_equal(x->frag_a, y->frag_a);
    assert_int_equal(x->frag_b, y->frag_b);
    assert_int_equal(x->ordered, y->ordered);
    assert_int_equal(x->cover_spread, y->cover_spread);
    assert_int_equal(x->frag_spread, y->frag_spread);
    assert_int_equal(x->passages, y->passages);
    assert_int_equal(x->num_spans, y->num_spans);
    assert_memory_equal(x->spans, y->spans, x->num_spans * sizeof *x->spans);
}

static void test_matches_reference(void **state) {
    (void)state;
    static const uint32_t sizes[] = {2, 3, 4, 12, 63, 64, 65, 127, 128, 129, 300, 640, 1500};
    const uint32_t ns = sizeof sizes / sizeof *sizes;
    uint32_t *a = malloc(1500 * sizeof *a), *b = malloc(1500 * sizeof *b);
    dp_aligner al = {0};
    uint64_t key = 0;
    for (int round = 0; round < 400; round++) {
        uint32_t nb = sizes[next_rand() % ns];
        uint32_t vocab = next_rand() % 2 ? 12 : 5000;
        make_text(b, nb, NULL, 0, vocab);
        key++;
        /* a run of pairs with this B: its table is built once, kept by key */
        for (int k = 0; k < 3; k++) {
            uint32_t na = sizes[next_rand() % ns];
            make_text(a, na, b, nb, vocab);
            dp_alignment got, want;
            ref_align(a, na, b, nb, &want);
            assert_int_equal(dp_align_keyed(&al, a, na, b, nb, key, &got), DOPPEL_OK);
            assert_same(&got, &want);
            /* the unkeyed table, and the other way round */
            assert_int_equal(dp_align(&al, a, na, b, nb, &got), DOPPEL_OK);
            assert_same(&got, &want);
            ref_align(b, nb, a, na, &want);
            assert_int_equal(dp_align(&al, b, nb, a, na, &got), DOPPEL_OK);
            assert_same(&got, &want);
        }
    }
    dp_aligner_free(&al);
    free(a);
    free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
