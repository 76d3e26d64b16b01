/*
 * features_store.h — the copy engine's narrow interface to the on-disk
 * store (src/store) (internal).
 *
 * The store keeps, per document, an opaque blob that this file writes and
 * reads: whatever verification needs (the sorted shingle set, whose shared
 * count gates a pair and gives its scores, and the word hashes in text
 * order, which are aligned) plus the document's candidate keys (its LSH
 * band hashes). The store never looks inside a blob; it asks here for the
 * keys and for the verdict on two blobs, which comes from the functions the
 * batch finish (finish.c) calls. When the engine changes what verification
 * reads, it changes this file and DP_FSTORE_VERSION, and a store written
 * with another version is refused.
 */
#ifndef DOPPEL_FEATURES_STORE_H
#define DOPPEL_FEATURES_STORE_H
#include "base/internal.h"
#include "copy/align.h"
#include "copy/docfeatures.h"
#include "copy/prefilter.h"

/* Bump when the blob layout or the meaning of its fields changes.
 * 2: word hashes for alignment; relations from coverage (relate.c).
 * 3: the reuse slots among the candidate keys. */
#define DP_FSTORE_VERSION 3u

/* The LSH shape the batch index uses for cfg. */
void dp_fstore_shape(const doppel_config *cfg, unsigned *bands, unsigned *rows);

/* Candidate keys after the LSH bands: the reuse slots (lsh.h) the batch
 * index adds in exact mode (the store's only mode). A key from
 * DP_FSTORE_REUSE_FROM(bands) on is capped: a bucket of more than
 * DP_FSTORE_REUSE_CAP documents pairs none of them (not chained). */
#define DP_FSTORE_REUSE 16u
#define DP_FSTORE_REUSE_CAP 20u
static inline unsigned dp_fstore_keys(unsigned bands) { return bands + DP_FSTORE_REUSE; }

/* Features of one text, exactly as the batch index computes them: f's
 * band array must hold dp_fstore_keys(bands) values. */
void dp_fstore_compute(const doppel_config *cfg, unsigned bands, unsigned rows, dp_scratch *s,
                       const char *text, size_t len, dp_features *f);

/* Bytes of f's blob, and the blob written to out (that many bytes). */
size_t dp_fstore_blob_size(const dp_features *f, unsigned bands);
void dp_fstore_pack(const dp_features *f, unsigned bands, unsigned char *out);

/* The whole length of the blob whose first avail bytes are at blob (its
 * header says it), 0 when avail is shorter than the header. */
size_t dp_fstore_blob_len(const void *blob, size_t avail);

/* A blob read back; the arrays are copies (stored bytes need not be aligned)
 * that the view owns and reuses from blob to blob. A view of a document
 * being added may instead point at its dp_features (dp_fstore_view_of):
 * such a view is not freed. */
typedef struct dp_fstore_view {
    uint64_t text_hash;
    uint32_t set_len, words_len;
    uint32_t *set, *words, *keys;
    size_t set_cap, words_cap;
    unsigned nkeys;
} dp_fstore_view;

/* Read blob into v (keys only when want_keys). DOPPEL_ERR_FORMAT when the
 * blob is not one this version wrote; DOPPEL_ERR_NOMEM. */
doppel_status dp_fstore_read(const void *blob, size_t len, unsigned bands, int want_keys,
                             dp_fstore_view *v);
/* A view borrowing f's arrays (valid while f is unchanged). */
dp_fstore_view dp_fstore_view_of(const dp_features *f);
void dp_fstore_view_free(dp_fstore_view *v);

/* Scratch of dp_fstore_verify, reused across pairs by one thread;
 * zero-initialise. */
typedef struct dp_fstore_scratch {
    dp_aligner aligner;
} dp_fstore_scratch;
void dp_fstore_scratch_free(dp_fstore_scratch *sc);

/* The batch finish's verdict on a candidate pair, a the earlier in input
 * order (key_a: non-zero, the same for the same document a, e.g. its
 * docnum + 1): the exact shared count of the sets, the gate on it, the
 * alignment of the words and the relation coverage gives (dp_relate).
 * *rel is DOPPEL_REL_NONE for no edge. Not EXACT: equal texts are the
 * caller's (their text hashes). DOPPEL_ERR_NOMEM only. */
doppel_status dp_fstore_verify(const doppel_config *cfg, dp_fstore_scratch *sc,
                               const dp_fstore_view *a, uint64_t key_a, const dp_fstore_view *b,
                               doppel_similarity *sim, doppel_relation *rel, float cover[2]);

/* The batch's signature pre-filter (prefilter.h), for the store: a
 * candidate pair whose 16-bit signature prints show it cannot be accepted
 * (except with probability cfg->prefilter_miss) is dropped before its
 * stored features are read, exactly as the batch finish drops it. A record
 * is dp_fstore_prefilter_words() 32-bit words: the set length, then the
 * prints of the signature and of the reuse slots. Inactive (words 0) when
 * cfg->prefilter_miss is 0: every candidate is verified. */
typedef struct dp_fstore_prefilter {
    dp_prefilter pf;
} dp_fstore_prefilter;
/* cfg is borrowed: it must outlive p (and not move). */
void dp_fstore_prefilter_init(dp_fstore_prefilter *p, const doppel_config *cfg);
unsigned dp_fstore_prefilter_words(const dp_fstore_prefilter *p);
/* f's record (f->band holds the bands, then the reuse slots). */
void dp_fstore_prefilter_record(const dp_fstore_prefilter *p, const dp_features *f, unsigned bands,
                                uint32_t *record);
/* 0 when the pair of records a (the earlier document) and b is dropped. */
int dp_fstore_prefilter_keeps(const dp_fstore_prefilter *p, const uint32_t *a, const uint32_t *b);

/* The exact similarity of two documents' sets (a member with no recorded
 * edge to its canonical is scored on it). */
doppel_similarity dp_fstore_similarity(const dp_fstore_view *a, const dp_fstore_view *b);

/* The similarity of two sets of these sizes sharing `shared` shingles
 * (what a recorded edge keeps). */
doppel_similarity dp_fstore_edge_similarity(uint32_t size_a, uint32_t size_b, uint32_t shared);

/* cover[0] and cover[1] of dp_fstore_verify are each side's share of its
 * words in shared passages (0 when the pair was not aligned), as the batch
 * edge keeps them. The longest canonical policy's measure of a document
 * from one copy edge (dp_article_words): its words that edge vouches for. */
uint32_t dp_fstore_article(float cover, uint32_t words);

/* Whether a relation joins copy clusters (as in the batch union-find). */
int dp_fstore_joins(const doppel_config *cfg, doppel_relation rel);

/* Which of a pair (a, b) the other took from, for CONTAINED, DERIVED and
 * PARTIAL: `doppel pairs`' rule (dates first, else coverage; relate.h). */
uint32_t dp_fstore_source(doppel_relation rel, uint32_t a, uint32_t b, int64_t date_a,
                          int64_t date_b, double cover_a, double cover_b, uint32_t na,
                          uint32_t nb);

/* The score a relation is reported with (as `doppel cluster`): 1 for EXACT,
 * containment of the smaller in the larger for CONTAINED, else Jaccard. */
double dp_fstore_score(doppel_relation rel, const doppel_similarity *sim, uint32_t size_a,
                       uint32_t size_b);
#endif
