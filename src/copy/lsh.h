/* lsh.h — LSH banding over MinHash signatures (internal). */
#ifndef DOPPEL_LSH_H
#define DOPPEL_LSH_H
#include "copy/bandstore.h"
#include "base/internal.h"

/* Reuse slots: a second, capped candidate channel for rewritten and
 * partly reused text, which shares too few word 5-grams for the LSH. Each
 * document's word 3-gram hashes are split by their top bits into
 * DP_REUSE_BANDS bins and the least of each bin kept (a one-permutation
 * sketch of the 3-gram set, one row a band). A slot value held by more than
 * DP_REUSE_CAP documents is dropped, not chained: a stock phrase, or a
 * quotation or boilerplate paragraph in many documents, as passim drops
 * frequent n-grams. Stored after the LSH bands in the band store. */
#define DP_REUSE_BANDS 16
#define DP_REUSE_CAP 20
void dp_reuse_slots(const uint32_t *words, size_t n_words, uint64_t text_hash, uint32_t *out);
/* dp_reuse_slots without vector lanes: the reference the tests hold it to. */
void dp_reuse_slots_portable(const uint32_t *words, size_t n_words, uint64_t text_hash,
                             uint32_t *out);

/* Hash each band of rows consecutive signature values to 32 bits. */
void dp_band_hashes(const uint32_t *sig, unsigned bands, unsigned rows, uint32_t *out);

typedef struct dp_candidates {
    uint64_t *pairs;   /* (a << 32) | b with a < b, sorted, unique; empty when
                          the pairs went to runs (dp_lsh_candidates) */
    size_t len, cap;
    size_t sorted;      /* while gathering: pairs[0..sorted) are sorted, unique */
    uint64_t oversize_buckets;
    unsigned slices;    /* passes per band that the memory budget asked for */
} dp_candidates;

/* Candidate pairs among docs[0..n) (docnums, ascending) whose band hashes
 * are in the band store (one column per band, all documents): every pair
 * sharing a bucket in some band. A bucket with more than max_bucket members
 * contributes only the chain of neighbours in document order, which keeps
 * the cost linear on adversarial input (10^5 near-identical documents)
 * while still linking them; bands from capped_from on are reuse slots,
 * whose buckets over DP_REUSE_CAP are dropped. memory_budget (bytes, 0 = no limit) bounds the
 * per-band work array; the result does not depend on it. Bands are worked
 * on up to threads at a time while their arrays fit the budget together;
 * the result does not depend on that either. With runs (non-NULL), the
 * pair lists held in memory are bounded by pairs_budget bytes: beyond it
 * they are written to runs as sorted runs, and when any was written all
 * are, out->pairs is left empty and the pairs are read back with
 * dp_cand_runs_merge (the same pairs, in the same order). */
struct dp_cand_runs;
doppel_status dp_lsh_candidates(dp_bandstore *store, unsigned bands, const uint32_t *docs,
                                size_t n, unsigned max_bucket, unsigned capped_from,
                                size_t memory_budget, struct dp_cand_runs *runs,
                                size_t pairs_budget,
                                unsigned threads, dp_candidates *out, doppel_error *err);
void dp_candidates_free(dp_candidates *c);
#endif
