/*
 * docfeatures.h — (not features.h: that name belongs to glibc) everything doppel derives from one document's text, computed
 * without touching the index: the step that runs on many threads (internal).
 */
#ifndef DOPPEL_DOCFEATURES_H
#define DOPPEL_DOCFEATURES_H
#include "base/internal.h"

/* Buffers one thread reuses from document to document. */
typedef struct dp_scratch {
    doppel_buf norm;
    doppel_hashes shingles;
    uint32_t *tmp, *sorted; /* the set's folds, then sorted: scratch for the set */
    size_t tmp_cap, sorted_cap;
    doppel_extractor *extractor; /* created on first use */
} dp_scratch;

/* One document's features; the arrays are owned and reused across documents. */
typedef struct dp_features {
    doppel_status status;   /* DOPPEL_OK, DOPPEL_ERR_EMPTY or DOPPEL_ERR_NOMEM */
    uint64_t text_hash;     /* of the normalized text: equal texts, equal hash */
    uint32_t *set;          /* sorted, unique 32-bit shingle hashes */
    size_t set_len, set_cap;
    uint32_t *sig;          /* num_perm MinHash values */
    uint32_t *band;         /* one hash per LSH band */
    uint32_t *words;        /* word hashes in text order, for alignment (exact
                               verification only); at most DP_ALIGN_MAX_WORDS */
    size_t words_len, words_cap;
    int short_doc;
    doppel_norm_stats norm;
    unsigned extract_flags;
    int64_t date;           /* found by extraction, or DOPPEL_NO_DATE */
} dp_features;

/* Allocate f's fixed arrays for this configuration. */
doppel_status dp_features_init(dp_features *f, unsigned num_perm, unsigned bands);
void dp_features_free(dp_features *f, unsigned num_perm, unsigned bands);
void dp_scratch_free(dp_scratch *s);

/* Compute f from text; reuse (0 or DP_REUSE_BANDS) slots follow the bands
 * in f->band, from the word hashes.  Pure: the same text and configuration always give
 * the same features, whatever thread computes them. */
void dp_features_compute(const doppel_config *cfg, unsigned bands, unsigned rows, unsigned reuse,
                         dp_scratch *s,
                         const char *text, size_t len, dp_features *f);
#endif
