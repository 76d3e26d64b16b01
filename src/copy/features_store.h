/*
 * features_store.h — the copy engine's narrow interface to the on-disk
 * store (src/store) (internal).
 *
 * The store keeps, per document, an opaque blob that this file writes and
 * reads: whatever verification needs (today the sorted shingle set) plus the
 * document's candidate keys (its LSH band hashes). The store never looks
 * inside a blob; it asks here for the keys and for the verdict on two blobs.
 * When the engine changes what verification reads, it changes this file and
 * DP_FSTORE_VERSION, and a store written with another version is refused.
 */
#ifndef DOPPEL_FEATURES_STORE_H
#define DOPPEL_FEATURES_STORE_H
#include "base/internal.h"
#include "copy/docfeatures.h"

/* Bump when the blob layout or the meaning of its fields changes. */
#define DP_FSTORE_VERSION 1u

/* The LSH shape the batch index uses for cfg. */
void dp_fstore_shape(const doppel_config *cfg, unsigned *bands, unsigned *rows);

/* Features of one text, exactly as the batch index computes them. */
void dp_fstore_compute(const doppel_config *cfg, unsigned bands, unsigned rows, dp_scratch *s,
                       const char *text, size_t len, dp_features *f);

/* Bytes of f's blob, and the blob written to out (that many bytes). */
size_t dp_fstore_blob_size(const dp_features *f, unsigned bands);
void dp_fstore_pack(const dp_features *f, unsigned bands, unsigned char *out);

/* A blob read back; the arrays are copies (stored bytes need not be aligned)
 * that the view owns and reuses from blob to blob. */
typedef struct dp_fstore_view {
    uint64_t text_hash;
    uint32_t set_len;
    uint32_t *set, *keys;
    size_t set_cap;
    unsigned nkeys;
} dp_fstore_view;

/* Read blob into v (keys only when want_keys). DOPPEL_ERR_FORMAT when the
 * blob is not one this version wrote; DOPPEL_ERR_NOMEM. */
doppel_status dp_fstore_read(const void *blob, size_t len, unsigned bands, int want_keys,
                             dp_fstore_view *v);
void dp_fstore_view_free(dp_fstore_view *v);

/* Similarity of two documents from their views and the relation the
 * configuration gives it (the batch index's verification: exact
 * intersection, doppel_classify). Not EXACT: equal texts are the caller's
 * (their text hashes). */
doppel_relation dp_fstore_verify(const doppel_config *cfg, const dp_fstore_view *a,
                                 const dp_fstore_view *b, doppel_similarity *sim);

/* The similarity of two sets of these sizes sharing `shared` shingles, and
 * the relation it is given: what the store re-derives from a recorded edge. */
doppel_relation dp_fstore_relation(const doppel_config *cfg, uint32_t size_a, uint32_t size_b,
                                   uint32_t shared, doppel_similarity *sim);

/* The score a relation is reported with: containment of the smaller in the
 * larger for CONTAINED, 1 for EXACT, else Jaccard (as `doppel cluster`). */
double dp_fstore_score(doppel_relation rel, const doppel_similarity *sim, uint32_t size_a,
                       uint32_t size_b);
#endif
