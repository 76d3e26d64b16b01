/*
 * prefilter.h — drop LSH candidates that the signatures already show cannot
 * be accepted, before their shingle sets are read back from the spill
 * (internal).
 *
 * Why: with 2 rows per band (needed to find pairs at Jaccard 0.15), pairs of
 * unrelated documents that share a few stock phrases collide in some band,
 * and their number grows faster than the number of documents. Each costs
 * two random reads of the spill; at 10M documents most of the spill is no
 * longer in the page cache. A 16-bit print of every signature value is kept
 * on disk (2 bytes per value, an eighth of a typical set), and a pair whose
 * prints agree in fewer places than a pair at the least acceptable Jaccard
 * would show, except with probability `prefilter_miss`, is dropped.
 */
#ifndef DOPPEL_PREFILTER_H
#define DOPPEL_PREFILTER_H
#include "base/internal.h"
#include "base/spill.h"

/* Floors are looked up at this resolution, rounded down (never stricter). */
#define DP_FLOOR_STEPS 1024

typedef struct dp_prefilter {
    const doppel_config *cfg;  /* borrowed */
    unsigned k;                /* signature values per document */
    int active;                /* 0: every candidate is verified from its sets */
    int reuse;                 /* the records carry the reuse slots' prints too */
    /* need[q]: fewest agreeing prints a pair at Jaccard q / DP_FLOOR_STEPS
     * shows except with probability cfg->prefilter_miss */
    uint16_t need[DP_FLOOR_STEPS + 1];
} dp_prefilter;

/* 32-bit words of one document's prints. */
static inline unsigned dp_prints_words(unsigned k) { return (k + 1) / 2; }

/* A rewrite shares few 5-grams, so its signature prints can fall under the
 * floor; it shares word 3-grams, which the reuse slots sample (lsh.h). A
 * candidate whose reuse slots agree in at least this many of their
 * DP_REUSE_BANDS places is kept whatever its prints: one agreement is how
 * the reuse channel found it (often one stock phrase), two are rare
 * between unrelated texts (measured in docs/relations.md). */
#define DP_REUSE_KEEP 2
/* 32-bit words of one document's prefilter record: its prints, then in
 * exact mode the 16-bit prints of its reuse slots. */
unsigned dp_prefilter_words(const dp_prefilter *pf);
/* Fill record[dp_prefilter_words(pf)] from a signature and the reuse slots
 * (DP_REUSE_BANDS values; ignored unless pf->reuse). */
void dp_prefilter_record(const dp_prefilter *pf, const uint32_t *sig, const uint32_t *slots,
                         uint32_t *record);
/* Whether two records show a pair the rules could accept: not rejected by
 * the prints, or kept by the reuse slots. Sizes as dp_prefilter_rejects. */
int dp_prefilter_keeps(const dp_prefilter *pf, size_t na, size_t nb, const uint32_t *ra,
                       const uint32_t *rb);
/* Build the table for cfg (kept borrowed: it must outlive pf). */
void dp_prefilter_init(dp_prefilter *pf, const doppel_config *cfg);

/* Pack the low 16 bits of each of sig's k values, two to a word, into
 * prints[dp_prints_words(k)]. */
void dp_prints_pack(const uint32_t *sig, unsigned k, uint32_t *prints);

/* Positions where two documents' prints agree. */
unsigned dp_prints_matches(const uint32_t *pa, const uint32_t *pb, unsigned k);

/* The least Jaccard at which doppel_classify could accept two sets of
 * sizes na and nb, over all its rules (at most cfg->threshold). */
double dp_jaccard_floor(const doppel_config *cfg, size_t na, size_t nb);

/* Whether the prints are consulted for sets of these sizes at all: the
 * binomial bound holds for the one-permutation sketch only when the bins
 * are mostly filled (below k shingles densification copies values, and the
 * agreement count spreads wider than a binomial's). */
static inline int dp_prefilter_applies(const dp_prefilter *pf, size_t na, size_t nb) {
    return pf->active && DP_MIN(na, nb) >= pf->k;
}

/* 1 when a pair of sets of sizes na, nb whose prints agree in `matches`
 * places cannot be accepted (up to the miss probability); 0 otherwise. */
int dp_prefilter_rejects(const dp_prefilter *pf, size_t na, size_t nb, unsigned matches);

/* Run the filter over n_pairs candidates ((a << 32) | b, a < b, sorted)
 * whose records are in `prints` (dp_prefilter_words(pf) words a document, in
 * docnum order, flushed). Clears bit i of keep (n_pairs bits, all set by
 * the caller) for each candidate ruled out and counts them in *ruled_out.
 *
 * The prints are read in chunks of documents, not one candidate at a time:
 * for each chunk of "a" documents, the chunks their "b" documents fall in
 * are read after it, so reads are few and sequential. allowance bounds the
 * bytes of the two chunk buffers (at least 2 MiB are used). The candidates
 * of each pair of chunks are evaluated on `threads` threads (the reads stay
 * on the caller's): at 1M documents the pass took 0.33 s, 0.19 s of it
 * reading and 0.13 s evaluating, bound by cache misses in the chunks. The
 * result does not depend on threads. */
doppel_status dp_prefilter_pass(const dp_prefilter *pf, dp_spill *prints,
                                const uint32_t *set_len, uint32_t n_docs, const uint64_t *pairs,
                                size_t n_pairs, size_t allowance, unsigned threads,
                                uint8_t *keep, uint64_t *ruled_out, doppel_error *err);
#endif
