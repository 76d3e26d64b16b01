/* relate.h — relations from alignments, and who copied whom (internal). */
#ifndef DOPPEL_RELATE_H
#define DOPPEL_RELATE_H
#include "base/internal.h"
#include "copy/align.h"

/* The relation an alignment shows (never EXACT: the caller knows that from
 * the text hashes); NONE when below every level. */
doppel_relation dp_relate(const doppel_config *cfg, const dp_alignment *al);

/* Fewest words of the smaller document inside shared fragments for a
 * derived pair: below it a few shared phrases are a large share of a
 * short text (two 80-word reports of similar events). */
#define DP_DERIVED_MIN_WORDS 40

/* Fewest shared 5-gram shingles for a candidate to be aligned (a passage
 * of DP_ALIGN_MIN_PASSAGE words shares 8; a short document half its set):
 * whether a pair whose sets of these sizes share `shared` is worth reading
 * its words for. */
#define DP_ALIGN_MIN_SHARED 8
int dp_worth_aligning(uint32_t set_a, uint32_t set_b, uint32_t shared);

/* Align a candidate pair as the index does, a the earlier in input order,
 * and decide its relation (dp_relate): B's words walked over A's anchor
 * table (kept in al under key_a, non-zero, naming A's words), the result
 * seen from A; when that is not a copy and A is the smaller, A's fragments
 * are also taken walking A over B, the larger count kept.
 * DOPPEL_ERR_NOMEM only. */
doppel_status dp_align_pair(const doppel_config *cfg, dp_aligner *al, const uint32_t *words_a,
                            uint32_t na, uint64_t key_a, const uint32_t *words_b, uint32_t nb,
                            dp_alignment *out, doppel_relation *rel);

/* The score a member is reported with against its canonical (sets of
 * len_c and len_d shingles, similarity sim): 1 for EXACT, the containment
 * of the smaller for CONTAINED, else Jaccard. */
double dp_relation_score(doppel_relation rel, const doppel_similarity *sim, uint32_t len_c,
                         uint32_t len_d);

/* A document's cover as an edge keeps it: covered words of its aligned
 * words (0 for none). */
float dp_cover_share(uint32_t covered, uint32_t words);

/* The longest canonical policy's measure from one copy edge: the words of
 * a document of `words` words that the edge's cover vouches for (cover x
 * words, rounded). A document's measure is the largest over its copy
 * edges; with none (or 0) all its words. */
uint32_t dp_article_words(float cover, uint32_t words);

/* Whether a pair of this relation joins copy clusters. */
int dp_relation_joins(const doppel_config *cfg, doppel_relation rel);

/* The source of a contained, derived or partial pair (else a): the earlier
 * when both are dated, else the less covered (covering) one, the longer,
 * then a. */
uint32_t dp_relation_source(doppel_relation rel, uint32_t a, uint32_t b, int64_t date_a,
                            int64_t date_b, double cover_a, double cover_b, uint32_t na,
                            uint32_t nb);
#endif
