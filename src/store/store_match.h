/*
 * store_match.h — matching one document against the indexed ones (internal):
 * the exact-text lookup, the signature pre-filter's decision on a
 * candidate, verification and the result a caller sees. store_match.c
 * implements them and check; store_write.c's batch writer uses the same
 * pieces for its chunks, so that check and add decide alike.
 */
#ifndef DOPPEL_STORE_MATCH_H
#define DOPPEL_STORE_MATCH_H
#include "store/store_impl.h"

/* One relation found for the matched document. */
typedef struct dp_found {
    uint32_t docnum, shared, other_len;
    doppel_relation rel;
    doppel_similarity sim;
    float cover[2];     /* the earlier document's, then the new one's */
    int lsh;            /* proposed by an LSH band (else by reuse slots alone) */
} dp_found;

/* What matching one document needs, reused between documents. */
typedef struct dp_matcher {
    uint32_t *cand;
    size_t ncand, cand_cap;
    uint32_t *lsh;          /* the candidates an LSH band proposed (sorted; add only):
                               the others came by reuse slots alone */
    size_t nlsh, lsh_cap;
    dp_fstore_view other;
    dp_feat_buf feat;       /* a blob in pieces put together; an add's packing */
    dp_fstore_scratch verify;
    dp_found *found;
    size_t nfound, found_cap;
    uint32_t *rec;          /* the pre-filter record of the document matched */
    size_t rec_cap;
    dp_prints_cache prints; /* where the candidates' records are */
} dp_matcher;

void dp_matcher_free(dp_matcher *m);

/* Append a relation to m->found. */
doppel_status dp_matcher_push(dp_matcher *m, uint32_t d, doppel_relation rel,
                              const doppel_similarity *sim, uint32_t other_len,
                              const float cover[2], doppel_error *err);

/* The first document with f's text: pushed as an EXACT relation and *found
 * set; else, with self != UINT32_MAX, the text is recorded as self's (self
 * becomes the text's first document). */
doppel_status dp_match_exact(doppel_store *s, MDB_txn *txn, dp_matcher *m, const dp_features *f,
                             uint32_t self, int *found, doppel_error *err);

/* The pre-filter's decision on candidate c for a document with record
 * rec: 1 verify, 0 dropped (as the batch finish drops it, before reading
 * the candidate's features), -1 c has no record (expired); *rc an LMDB
 * error. */
int dp_match_prefilter(const doppel_store *s, MDB_txn *txn, dp_prints_cache *pc, uint32_t c,
                       const uint32_t *rec, int *rc);

/* r's matches from m->found for the matched document: its shingle set
 * size, its words aligned and its date (given, else extracted). */
doppel_status dp_match_result(doppel_store *s, MDB_txn *txn, const dp_matcher *m,
                              uint32_t set_len, uint32_t words_len, int64_t date,
                              doppel_store_result *r, doppel_error *err);

/* A document whose features failed: EMPTY or FORMAT (skipped, no message),
 * else a failure naming it. */
doppel_status dp_match_bad_doc(const doppel_store_doc *d, const dp_features *f,
                               doppel_error *err);
#endif
