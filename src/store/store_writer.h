/*
 * store_writer.h — the batch writer's state (internal): store_write.c
 * drives it (begin, write, commit), store_chunk.c adds one chunk of
 * documents step by step.
 */
#ifndef DOPPEL_STORE_WRITER_H
#define DOPPEL_STORE_WRITER_H
#include "store/store_match.h"

#include <stdatomic.h>

/* Documents whose features are computed at once (memory: one dp_features each). */
#define CHUNK 1024  /* at most 1024: the chunk place takes 10 bits of a sort key */

/* One pair of the chunk to verify. */
typedef struct dp_vcand {
    uint32_t cand, place;
    const void *blob;       /* the candidate's features: in the map, or a copy (a page
                               this transaction wrote, which later writes may move;
                               a blob in several pieces, put together) */
    size_t blob_len;
    size_t copy_at;         /* where the copy is in the chunk's copies (rcopies when
                               pending), or SIZE_MAX */
    int lsh;
    int pending;            /* a committed candidate whose pre-filter decision and
                               features the verification reads (then blob is set, or
                               dropped) */
    int dropped;            /* dropped by the pre-filter or expired: not verified */
    doppel_status status;   /* out: */
    doppel_relation rel;
    doppel_similarity sim;
    float cover[2];
    uint32_t other_len;
} dp_vcand;

/* One chunk of an add from its matching to its relations: what the
 * verification (on other threads) and the relations (after the next
 * chunk's matching) read. */
/* A chunk's distinct keys (of its sorted postings) looked up ahead in the
 * stored runs, which a write does not change: run r's answer for key g at
 * r * nkeys + g (dp_run_lookup_all), for runs [0, runs); runs 0: none. */
typedef struct dp_ahead {
    uint64_t *keys, *pos;
    uint32_t *count;
    size_t nkeys, keys_cap, pos_cap, count_cap;
    uint32_t runs;
} dp_ahead;

typedef struct dp_chunk {
    const doppel_store_doc *docs;
    doppel_store_result *results;   /* NULL: none wanted */
    const dp_features *feats;       /* read by the verification only */
    const uint64_t *sents;          /* NULL, or the band postings of every document with
                                       features, sorted (computed ahead with them) */
    size_t nsents;
    dp_ahead ahead;                 /* with sents: its slot's (the arrays borrowed) */
    size_t len;
    uint32_t docnum[CHUNK];         /* UINT32_MAX: not added */
    uint32_t exact_rep[CHUNK], exact_len[CHUNK]; /* first of its text, or UINT32_MAX */
    int dup[CHUNK];
    uint32_t set_len[CHUNK], words_len[CHUNK];
    int64_t date[CHUNK];            /* as recorded */
    size_t vbeg[CHUNK], vend[CHUNK];/* each place's pairs in ver */
    dp_vcand *ver;
    size_t nver, ver_cap;
    dp_feat_buf copies;             /* candidates' features from this transaction's pages,
                                       and those in several pieces (matched) */
    dp_feat_buf rcopies;            /* committed candidates' in several pieces (resolved) */
    uint32_t *prec;                 /* the documents' pre-filter records, CHUNK x words */
    size_t prec_cap;
    uint64_t prefiltered;           /* pending pairs the pre-filter dropped */
} dp_chunk;

struct doppel_store_writer {
    doppel_store *s;
    MDB_txn *txn;
    dp_store_counters c;
    uint64_t first_doc;         /* docnums from here on were added by this transaction */
    dp_matcher m;
    dp_chunk chunk[2];          /* one chunk verified while the next one is matched */
    MDB_txn *rtxn;              /* pipelined: a read transaction (the last commit) in which
                                   the other threads read committed candidates */
    dp_prints_cache rprints;    /* ... and where their pre-filter records are */
    uint32_t *pnew;             /* those of documents with postings, in docnum order */
    uint32_t pdoc[CHUNK];       /* ... their docnums */
    size_t pnew_cap, npnew;
    uint64_t *ents, *cands, *sort_tmp;
    size_t nents, ents_cap, ncands, cands_cap, sort_tmp_cap;
    uint32_t *members;          /* a bucket's indexed members */
    size_t members_cap;
    dp_runs runs;               /* the postings as this transaction sees them */
    uint32_t mem_first;         /* runs from here on: this add's, in memory (store_runs.c) */
    uint32_t *rdir[DP_RUNS_MAX];/* the stored runs' directories (dp_run_dir_build), */
    size_t rdir_bytes[DP_RUNS_MAX];
    uint32_t rdir_bits[DP_RUNS_MAX], rdir_bands[DP_RUNS_MAX];
    atomic_int dirs_ready;      /* ... read once this is set (built by dir_tid, from begin:
                                   lookups until then search the fences) */
    int dir_running;
    pthread_t dir_tid;
    uint64_t *gkeys;            /* the chunk's distinct keys, ascending */
    uint64_t *gpos;             /* per run, per distinct key: its answer (dp_run_lookup_all) */
    uint32_t *gcount;           /* ... and its entries there */
    size_t ngkeys, gkeys_cap, gpos_cap, gcount_cap;
    dp_fstore_scratch vscratch[DP_MAX_THREADS];
    dp_fstore_view vview[DP_MAX_THREADS];
    uint64_t *new_keys;         /* the chunk's postings, sorted (key, docnum) */
    uint32_t *new_docs;
    size_t nnew, new_keys_cap, new_docs_cap;
    dp_features feats[3][CHUNK]; /* chunk k verified, k + 1 matched, k + 2 computed */
    size_t feats_ready[3];
    uint64_t *sents[3], *sents_tmp[3]; /* with feats[b] (pipelined): its sorted postings */
    size_t nsents[3], sents_cap;
    dp_ahead ahead[3];          /* with sents[b] */
    dp_store_worker *workers[DP_MAX_THREADS];
    unsigned nworkers;
    uint32_t batch;
    int failed;
    dp_story_batch *story;      /* stores with stories: what the story level reads */
    char *pf_base;              /* the map's used part, mapped ahead until the first write */
    size_t pf_len;
    atomic_int pf_stop;
    int pf_running;
    pthread_t pf_tid;
};

/* While the caller reads its input (store_ahead.c): the stored runs'
 * directories, built on a thread (dirs_start), freed (waiting for the
 * thread), built again after the stored runs change; the map's used part
 * mapped ahead on a thread until the first write stops it (once a handle),
 * the part past it advised for the pages the add writes there (map_ahead). */
void dp_writer_dirs_start(doppel_store_writer *w);
void dp_writer_dirs_free(doppel_store_writer *w);
void dp_writer_dirs_build(doppel_store_writer *w);
void dp_writer_map_ahead(doppel_store_writer *w);
void dp_writer_prefault_stop(doppel_store_writer *w);

/* The steps of one chunk (store_chunk.c). c->docs, feats, len, results set.
 * Match: on the thread that owns the transaction, in input order: docnums,
 * exact copies and records, the postings, each document's candidates kept
 * by the pre-filter with their stored features. */
doppel_status dp_chunk_match(doppel_store_writer *w, dp_chunk *c, doppel_error *err);
/* Verify c's pairs on threads [0, threads) of the writer's scratch: first,
 * on the calling thread, the pending pairs' pre-filter decisions and
 * features read in w->rtxn (beside the next chunk's match, which uses the
 * write transaction), then the verification (pure computation). */
doppel_status dp_chunk_verify(doppel_store_writer *w, dp_chunk *c, unsigned threads,
                              doppel_error *err);
/* The parts of dp_chunk_verify, for a pipeline that shares them out:
 * resolve (the pending pairs' pre-filter decisions and features, in
 * w->rtxn: one thread), then the pairs [from, to) on any threads, each
 * with its own scratch slot t, then the status of all of them. */
doppel_status dp_chunk_resolve(doppel_store_writer *w, dp_chunk *c, doppel_error *err);
void dp_chunk_verify_pairs(doppel_store_writer *w, dp_chunk *c, unsigned t, size_t from,
                           size_t to);
doppel_status dp_chunk_verified(const doppel_store_writer *w, const dp_chunk *c,
                                doppel_error *err);
/* Relations, story joins and results, in input order (the transaction's
 * thread, after the chunk's verification). */
doppel_status dp_chunk_relate(doppel_store_writer *w, dp_chunk *c, doppel_error *err);
void dp_chunk_free(dp_chunk *c);
/* The band postings of feats[0..n) (those with features) sorted, as the
 * match sorts them, into out (n * keys), tmp of the same size; their count. */
/* Lookups ahead (any thread; the stored runs do not change during a
 * write): the distinct keys of w->sents[b] (0, or -1: out of memory),
 * then the places of keys [from, to) of them in stored run r. */
int dp_chunk_ahead_keys(doppel_store_writer *w, int b);
void dp_chunk_ahead_run(doppel_store_writer *w, int b, uint32_t r, size_t from, size_t to);
/* Run r as the writer searches it: a stored run with its directory once
 * built (by store_write.c), else as it is. */
dp_run dp_writer_run(doppel_store_writer *w, uint32_t r);
size_t dp_chunk_sort_postings(const doppel_store *s, const dp_features *feats, size_t n,
                              uint64_t *out, uint64_t *tmp);
#endif
