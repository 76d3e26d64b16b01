/*
 * relate.c — what two documents are to each other, from their alignment
 * (align.c). The levels are measured in docs/relations.md:
 *
 *   near       both documents covered >= cfg->cover by shared passages
 *   contained  the smaller covered >= cfg->contained_cover
 *   derived    the smaller's words inside shared fragments (runs of at
 *              least DP_ALIGN_ANCHOR identical words) but its longest
 *              passage (unless that holds half of it) >= cfg->derived_cover
 *              of it and >=
 *              DP_DERIVED_MIN_WORDS, the fragments spread over at least
 *              cfg->derived_spread tenths of it (a tenth counts when
 *              DP_ALIGN_FRAG_SPREAD_SHARE of it is in fragments): a rewrite
 *              keeps short phrases all along, where a quotation or a
 *              copied paragraph keeps one stretch. Fragments, not
 *              passages: a newspaper's rewrite of wire copy edits most
 *              sentences and keeps runs of three to eight words
 *   partial    a passage of >= cfg->partial_words matched words, nothing more
 *
 * Coverage counts only passages of DP_ALIGN_MIN_PASSAGE matched words, so
 * two articles that share stock phrases stay apart, and two that share one
 * 130-word quotation are partial, not near, whatever their shingle sets'
 * Jaccard.
 */
#include "copy/align.h"
#include "copy/relate.h"

/* The words the derived rule counts: frag (one side's words in fragments)
 * less the longest passage, unless that holds half of the side's words. */
static uint32_t phrase_words(const dp_alignment *al, uint32_t frag, uint32_t words) {
    uint32_t longest = al->num_spans ? al->spans[0].matched : 0;
    if (2 * longest >= words) longest = 0;
    return frag > longest ? frag - longest : 0;
}

doppel_relation dp_relate(const doppel_config *cfg, const dp_alignment *al) {
    if (!al->na || !al->nb) return DOPPEL_REL_NONE;
    double ca = (double)al->cover_a / al->na, cb = (double)al->cover_b / al->nb;
    int a_small = al->na <= al->nb;
    double c_small = a_small ? ca : cb;
    if (ca >= cfg->cover && cb >= cfg->cover) return DOPPEL_REL_NEAR;
    if (c_small >= cfg->contained_cover) return DOPPEL_REL_CONTAINED;
    /* The longest passage is left out when it holds less than half the
     * smaller text: a quotation of 150 words in a 600-word article, with
     * the stock phrases any two texts share spread around it, is a partial
     * pair, not a rewrite; a copy edited every few words is one long
     * passage (small gaps join) and stays derived. */
    uint32_t small = a_small ? al->na : al->nb;
    uint32_t rest = phrase_words(al, a_small ? al->frag_a : al->frag_b, small);
    if (rest >= DP_DERIVED_MIN_WORDS && rest >= cfg->derived_cover * small &&
        al->frag_spread >= cfg->derived_spread)
        return DOPPEL_REL_DERIVED;
    if (al->num_spans && al->spans[0].matched >= cfg->partial_words) return DOPPEL_REL_PARTIAL;
    return DOPPEL_REL_NONE;
}

int dp_worth_aligning(uint32_t set_a, uint32_t set_b, uint32_t shared) {
    uint32_t small = DP_MIN(set_a, set_b);
    return shared >= DP_MIN(small / 2 + 1, (uint32_t)DP_ALIGN_MIN_SHARED);
}

doppel_status dp_align_pair(const doppel_config *cfg, dp_aligner *al, const uint32_t *words_a,
                            uint32_t na, uint64_t key_a, const uint32_t *words_b, uint32_t nb,
                            dp_alignment *out, doppel_relation *rel) {
    /* B over A's table: a run of pairs with the same a (candidates come
     * sorted by a) builds it once. */
    doppel_status st = dp_align_keyed(al, words_b, nb, words_a, na, key_a, out);
    if (st) return st;
    dp_alignment_swap(out);
    *rel = dp_relate(cfg, out);
    if (*rel != DOPPEL_REL_NONE && *rel != DOPPEL_REL_PARTIAL) return DOPPEL_OK;
    /* Walked from A the count rises by a fifth or so, not twice: a pair
     * whose fragments outside its longest passage (what the derived rule
     * counts) are under half the derived share stays where it is. Most
     * candidates are that: unrelated texts sharing a few stock phrases, or
     * a quotation and little else. (Gated on all fragments, the second walk
     * ran for 40% of the realistic corpus's aligned pairs and changed the
     * relation of 46 in 13,243; the 46 had at least 0.16 of their words
     * outside the longest passage, and 3 in 4 of the walks are now
     * skipped.) */
    if (na >= nb || 2.0 * phrase_words(out, out->frag_a, na) < cfg->derived_cover * na)
        return DOPPEL_OK;
    /* A rewrite's phrases are counted on the smaller text, and the walk
     * finds the most of the walked side's: it takes the longest extension
     * at each of its positions and jumps past it. So when A is the smaller,
     * its fragments are taken from A walked over B's table too (Clough's
     * light rewrites: 0.36 of an answer's words in fragments walked from
     * it, 0.31 walked from the source). Cover and passages stay those of
     * the first walk, which the copy levels were measured on. */
    dp_alignment x;
    if ((st = dp_align_keyed(al, words_a, na, words_b, nb, 0, &x))) return st;
    if (x.frag_a > out->frag_a) {
        out->frag_a = x.frag_a;
        out->frag_b = x.frag_b;
        out->frag_spread = x.frag_spread;
        *rel = dp_relate(cfg, out);
    }
    return DOPPEL_OK;
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
