/*
 * relate.c — what two documents are to each other, from their alignment
 * (align.c). The levels are measured in docs/relations.md:
 *
 *   near       both documents covered >= cfg->cover by shared passages
 *   contained  the smaller covered >= cfg->contained_cover
 *   derived    the smaller covered >= cfg->derived_cover, the cover spread
 *              over at least cfg->derived_spread tenths of it (a tenth
 *              counts when DP_ALIGN_SPREAD_SHARE of it is covered): a
 *              rewrite keeps phrases all along, where a quotation or a
 *              copied paragraph keeps one stretch
 *   partial    a passage of >= cfg->partial_words matched words, nothing more
 *
 * Coverage counts only passages of DP_ALIGN_MIN_PASSAGE matched words, so
 * two articles that share stock phrases stay apart, and two that share one
 * 130-word quotation are partial, not near, whatever their shingle sets'
 * Jaccard.
 */
#include "copy/align.h"
#include "copy/relate.h"

doppel_relation dp_relate(const doppel_config *cfg, const dp_alignment *al) {
    if (!al->na || !al->nb) return DOPPEL_REL_NONE;
    double ca = (double)al->cover_a / al->na, cb = (double)al->cover_b / al->nb;
    int a_small = al->na <= al->nb;
    double c_small = a_small ? ca : cb;
    if (ca >= cfg->cover && cb >= cfg->cover) return DOPPEL_REL_NEAR;
    if (c_small >= cfg->contained_cover) return DOPPEL_REL_CONTAINED;
    if (c_small >= cfg->derived_cover && al->cover_spread >= cfg->derived_spread)
        return DOPPEL_REL_DERIVED;
    if (al->num_spans && al->spans[0].matched >= cfg->partial_words) return DOPPEL_REL_PARTIAL;
    return DOPPEL_REL_NONE;
}

int dp_worth_aligning(uint32_t set_a, uint32_t set_b, uint32_t shared) {
    uint32_t small = DP_MIN(set_a, set_b);
    return shared >= DP_MIN(small / 2 + 1, (uint32_t)DP_ALIGN_MIN_SHARED);
}

doppel_status dp_align_pair(dp_aligner *al, const uint32_t *words_a, uint32_t na, uint64_t key_a,
                            const uint32_t *words_b, uint32_t nb, dp_alignment *out) {
    /* B over A's table: a run of pairs with the same a (candidates come
     * sorted by a) builds it once. */
    doppel_status st = dp_align_keyed(al, words_b, nb, words_a, na, key_a, out);
    if (!st) dp_alignment_swap(out);
    return st;
}

double dp_relation_score(doppel_relation rel, const doppel_similarity *sim, uint32_t len_c,
                         uint32_t len_d) {
    if (rel == DOPPEL_REL_EXACT) return 1.0;
    if (rel == DOPPEL_REL_CONTAINED) return len_c <= len_d ? sim->a_in_b : sim->b_in_a;
    return sim->jaccard;
}

float dp_cover_share(uint32_t covered, uint32_t words) {
    return words ? (float)covered / (float)words : 0.0f;
}

uint32_t dp_article_words(float cover, uint32_t words) {
    return (uint32_t)(cover * (float)words + 0.5f);
}

int dp_relation_joins(const doppel_config *cfg, doppel_relation rel) {
    return rel == DOPPEL_REL_EXACT || rel == DOPPEL_REL_NEAR || rel == DOPPEL_REL_CONTAINED ||
           (rel == DOPPEL_REL_DERIVED && cfg->join_derived);
}

uint32_t dp_relation_source(doppel_relation rel, uint32_t a, uint32_t b, int64_t date_a,
                            int64_t date_b, double cover_a, double cover_b, uint32_t na,
                            uint32_t nb) {
    if (rel != DOPPEL_REL_CONTAINED && rel != DOPPEL_REL_DERIVED && rel != DOPPEL_REL_PARTIAL)
        return a;
    if (date_a != DOPPEL_NO_DATE && date_b != DOPPEL_NO_DATE && date_a != date_b)
        return date_a < date_b ? a : b;
    /* The covering one: the other is more covered by it; ties to the longer,
     * then the earlier in input order. */
    if (cover_a != cover_b) return cover_a < cover_b ? a : b;
    if (na != nb) return na > nb ? a : b;
    return a;
}
