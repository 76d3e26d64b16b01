/*
 * store_writer.h — the batch writer's state (internal): store_write.c
 * drives it (begin, write, commit), store_chunk.c adds one chunk of
 * documents step by step.
 */
#ifndef DOPPEL_STORE_WRITER_H
#define DOPPEL_STORE_WRITER_H
#include "store/store_match.h"

/* Documents whose features are computed at once (memory: one dp_features each). */
#define CHUNK 1024  /* at most 1024: the chunk place takes 10 bits of a sort key */

/* One pair of the chunk to verify. */
typedef struct dp_vcand {
    uint32_t cand, place;
    const void *blob;       /* the candidate's features, in the map */
    size_t blob_len;
    int lsh;
    doppel_status status;   /* out: */
    doppel_relation rel;
    doppel_similarity sim;
    float cover[2];
    uint32_t other_len;
} dp_vcand;

struct doppel_store_writer {
    doppel_store *s;
    MDB_txn *txn;
    dp_store_counters c;
    dp_matcher m;
    /* per document of the chunk */
    uint32_t docnum[CHUNK];     /* UINT32_MAX: not added */
    uint32_t exact_rep[CHUNK], exact_len[CHUNK]; /* first of its text, or UINT32_MAX */
    int dup[CHUNK];
    uint32_t *prec;             /* the chunk's pre-filter records, CHUNK x words */
    uint32_t *pnew;             /* those of documents with postings, in docnum order */
    uint32_t pdoc[CHUNK];       /* ... their docnums */
    size_t prec_cap, pnew_cap, npnew;
    uint64_t *ents, *cands, *sort_tmp;
    size_t nents, ents_cap, ncands, cands_cap, sort_tmp_cap;
    uint32_t *members;          /* a bucket's indexed members */
    size_t members_cap;
    dp_runs runs;               /* the postings as this transaction sees them */
    uint64_t *gkeys;            /* the chunk's distinct keys, ascending */
    uint64_t *gpos;             /* per run, per distinct key: where it is (dp_run_lower) */
    uint32_t *gcount;           /* ... and its entries there */
    size_t ngkeys, gkeys_cap, gpos_cap, gcount_cap;
    dp_vcand *ver;
    size_t nver, ver_cap;
    size_t vbeg[CHUNK], vend[CHUNK];
    dp_fstore_scratch vscratch[DP_MAX_THREADS];
    dp_fstore_view vview[DP_MAX_THREADS];
    uint64_t *new_keys;         /* the chunk's postings, sorted (key, docnum) */
    uint32_t *new_docs;
    size_t nnew, new_keys_cap, new_docs_cap;
    dp_features feats[2][CHUNK]; /* one chunk computed while the other is added */
    size_t feats_ready[2];
    dp_store_worker *workers[DP_MAX_THREADS];
    unsigned nworkers;
    uint32_t batch;
    int failed;
    dp_story_batch *story;      /* stores with stories: what the story level reads */
};


/* Add one chunk of documents whose features are computed (feats): in
 * input order, with the same candidates for every document as taken one by
 * one (store_chunk.c). */
doppel_status dp_write_chunk(doppel_store_writer *w, const dp_features *feats,
                             const doppel_store_doc *docs, size_t len,
                             doppel_store_result *results, doppel_error *err);
#endif
