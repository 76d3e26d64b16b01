/*
 * store_impl.h — the store's private state and its LMDB layout, shared by
 * store.c (open, header, locks, lookups), store_match.c (check),
 * store_write.c and store_chunk.c (add) and store_export.c (export,
 * expire, compact) (internal).
 *
 * Databases of the environment (all keys native-endian integers unless
 * said otherwise):
 *   header  "config" -> the parameters as text lines "name=value";
 *           "counters" -> dp_store_counters
 *   ids     id bytes -> u32 docnum (the first document with that id)
 *   meta    u32 docnum -> dp_meta_head, then the id and source bytes
 *   feat    u64 docnum << 24 | piece -> the copy engine's feature blob
 *           (copy/features_store.h) in pieces of at most 1,340 bytes (store_feat.c)
 *   runs    u64 run id -> sorted (candidate key, docnum) entries (store_runs.c):
 *           the candidate keys (band << 32 | band hash) of every document
 *           that is the first of its text, as the batch index's LSH sees
 *           them; header "runs" lists the runs, oldest first
 *   text    u64 text hash -> u32 docnum of the first document with that text
 *   edges   u32 docnum b -> dp_edge_val (sorted duplicates): b's verified
 *           relations to earlier documents a
 *   story   u32 docnum -> u64 story id (stores with stories)
 *   prints  u32 docnum / 1024 -> the pre-filter's records (copy/
 *           features_store.h: set length, 16-bit signature and reuse-slot
 *           prints) of 1024 docnums, zeros for those without postings, when
 *           prefilter_miss > 0 (store_prints.c)
 * With stories the header also holds "story" -> the story options as
 * "name=value" lines, and "story_state" -> the story state after the last
 * add (doppel_story_write_state's text).
 */
#ifndef DOPPEL_STORE_IMPL_H
#define DOPPEL_STORE_IMPL_H
#include "base/internal.h"
#include "copy/features_store.h"

#include <lmdb.h>
#include <pthread.h>
#include <string.h>

/* A document's feature blob in the feat database (store_feat.c). A buffer
 * the blobs in several pieces are put together in (zero-initialise). */
typedef struct dp_feat_buf {
    unsigned char *p;
    size_t len, cap;
} dp_feat_buf;
void dp_feat_buf_free(dp_feat_buf *b);

typedef struct dp_store_counters {
    uint64_t next_doc, batches, docs, relations, postings, expired;
    int64_t created;
    uint64_t prefiltered;     /* candidate pairs the pre-filter dropped */
} dp_store_counters;

typedef struct dp_meta_head {
    int64_t date, added;
    uint64_t text_hash;
    uint32_t set_len, batch, id_len, source_len;
    uint32_t words_len, pad;  /* words aligned (the longest policy's measure) */
} dp_meta_head;

/* Big-endian a first, so LMDB's byte order of duplicates is docnum order. */
typedef struct dp_edge_val {
    unsigned char a_be[4];
    uint32_t shared;
    uint8_t relation;
    uint8_t lsh;              /* an LSH band proposed the pair (else reuse slots alone:
                                 export checks that one of them is still under the cap) */
    uint8_t pad[2];
    float cover_a, cover_b;   /* each side's share of its words in shared passages
                                 (1 for exact), as the batch edge keeps them */
} dp_edge_val;

static inline uint32_t dp_edge_a(const dp_edge_val *e) {
    return (uint32_t)e->a_be[0] << 24 | (uint32_t)e->a_be[1] << 16 | (uint32_t)e->a_be[2] << 8 |
           e->a_be[3];
}

/* What one thread needs to compute features: reused between documents. */
typedef struct dp_store_worker {
    dp_scratch scratch;
    dp_features feat;
    int ready;
    struct dp_store_worker *next;   /* free list of the check pool */
} dp_store_worker;

struct doppel_store {
    char *dir;
    unsigned flags;
    doppel_config cfg;
    unsigned bands, rows;
    unsigned keys;            /* candidate keys a document: bands, then reuse slots */
    MDB_env *env;
    MDB_dbi db_header, db_ids, db_meta, db_feat, db_runs, db_text, db_edges, db_story;
    MDB_dbi db_prints;        /* the pre-filter's record of each document with postings */
    dp_fstore_prefilter prefilter; /* the batch's signature pre-filter (on s->cfg) */
    int stories;              /* the store keeps stories (store_story.c) */
    int prefaulted;           /* a writer of this handle mapped the map ahead (store_write.c) */
    doppel_story_options story;
    char story_language[64];
    int open_fd;              /* open.lock, held shared while the handle lives */
    int writer_fd;            /* writer.lock, held exclusive during a write */
    pthread_mutex_t write_lock; /* one writer thread of this process at a time */
    pthread_mutex_t pool_lock;
    dp_store_worker *pool;    /* idle workers for check */
    /* checks with stories: the story state as parsed from the header,
     * before any document (copied per check; parsing it was most of a
     * check), valid while the committed transaction is story_cache_gen */
    pthread_mutex_t story_lock;
    doppel_story *story_cache;
    size_t story_cache_gen;
    unsigned threads;
    /* doppel_store_get's returned strings */
    char *get_buf;
    size_t get_cap;
};

/* A failed LMDB call as a status with a message naming the store. */
doppel_status dp_store_mdb_fail(const doppel_store *s, doppel_error *err, int rc,
                                const char *what);

/* mdb_txn_begin, adopting a map another process grew (MDB_MAP_RESIZED). */
int dp_store_txn_begin(doppel_store *s, unsigned flags, MDB_txn **txn);

/* Take / release the writer locks (mutex and writer.lock). */
doppel_status dp_store_write_begin(doppel_store *s, doppel_error *err);
void dp_store_write_end(doppel_store *s);

doppel_status dp_store_read_counters(const doppel_store *s, MDB_txn *txn, dp_store_counters *c,
                                     doppel_error *err);
doppel_status dp_store_write_counters(const doppel_store *s, MDB_txn *txn,
                                      const dp_store_counters *c, doppel_error *err);

/* A worker from the pool (created when none is idle), and back. */
dp_store_worker *dp_store_worker_get(doppel_store *s);
void dp_store_worker_put(doppel_store *s, dp_store_worker *w);
void dp_store_worker_free(doppel_store *s, dp_store_worker *w);

/* ---- postings as sorted runs (store_runs.c; lookups: store_lookup.c) ---- */

#define DP_RUNS_MAX 64
typedef struct dp_run {
    uint64_t id, n;
    const uint64_t *keys;   /* ascending; equal keys in docnum order */
    const uint32_t *docs;
    const uint64_t *fence;  /* keys[0], keys[FENCE], ...: where a search starts */
    const uint32_t *dir;    /* NULL, or a writer's directory of the keys (below) */
    uint32_t dir_bits, dir_bands;
} dp_run;
typedef struct dp_runs {
    uint64_t next_id;
    uint32_t n;             /* oldest first: run r's docnums precede run r + 1's */
    uint32_t per_doc;       /* candidate keys a document (the store's keys) */
    dp_run r[DP_RUNS_MAX];
} dp_runs;

/* The pre-filter's records in blocks (store_prints.c). A cache of block
 * addresses is valid for one transaction until the next dp_prints_put or
 * dp_prints_drop in it (then reset it). */
#define DP_PRINTS_BLOCK 1024u
typedef struct dp_prints_cache {
    const uint32_t **blk;   /* by block: its records, a marker, or NULL: not looked up */
    size_t cap;
} dp_prints_cache;
void dp_prints_cache_reset(dp_prints_cache *c);
void dp_prints_cache_free(dp_prints_cache *c);
/* *out = docnum d's record (dp_fstore_prefilter_words words), NULL when it
 * has none; 0 or an LMDB error (ENOMEM, MDB_CORRUPTED). */
/* Ask the cache for d's record ahead of dp_prints_get (a block already
 * found: no lookup here). */
void dp_prints_prefetch(const dp_prints_cache *c, uint32_t d, unsigned words);
int dp_prints_get(const doppel_store *s, MDB_txn *txn, dp_prints_cache *c, uint32_t d,
                  const uint32_t **out);
/* Write the records recs (words each) of docnums[0..n) (ascending). */
doppel_status dp_prints_put(doppel_store *s, MDB_txn *txn, const uint32_t *docnums,
                            const uint32_t *recs, size_t n, doppel_error *err);
/* Clear the records of the docnums set in drop (a bitmap of bits). */
doppel_status dp_prints_drop(doppel_store *s, MDB_txn *txn, const uint8_t *drop, uint64_t bits,
                             doppel_error *err);

/* Every DP_RUN_FENCE-th key of a run is a fence: a search first finds its
 * block there (one or two cache lines, see dp_run_lookup_all). */
#define DP_RUN_FENCE 8
static inline size_t dp_run_fences(uint64_t n) { return (size_t)((n + DP_RUN_FENCE - 1) / DP_RUN_FENCE); }

/* The runs as txn sees them (pointers into the map, valid for txn). */
doppel_status dp_runs_load(const doppel_store *s, MDB_txn *txn, dp_runs *out, doppel_error *err);
/* store_lookup.c: the first of keys[lo..hi) >= key, else hi. */
size_t dp_keys_lower(const uint64_t *keys, size_t lo, size_t hi, uint64_t key);
/* First place at or after from whose key is >= key (galloping from from). */
size_t dp_run_lower(const dp_run *r, size_t from, uint64_t key);
/* For ascending keys[0..nk): count[g] the entries of keys[g] in r and
 * pos[g] its answer: with one entry its docnum, with two the first's
 * docnum | the second's << 32, else (none, or more) the place of the first
 * (dp_run_lower(r, 0, keys[g])): the lookups of a whole chunk, several in
 * flight at once. */
void dp_run_lookup_all(const dp_run *r, const uint64_t *keys, size_t nk, uint64_t *pos,
                      uint32_t *count);
/* An answer's (ans, count > 0) last member; all its count members into out. */
static inline uint32_t dp_answer_last(const dp_run *r, uint64_t ans, uint32_t count) {
    return count == 1 ? (uint32_t)ans : count == 2 ? (uint32_t)(ans >> 32) : r->docs[ans + count - 1];
}
static inline void dp_answer_members(const dp_run *r, uint64_t ans, uint32_t count, uint32_t *out) {
    if (count > 2) {
        memcpy(out, r->docs + ans, (size_t)count * sizeof *out);
        return;
    }
    if (count) out[0] = (uint32_t)ans;
    if (count == 2) out[1] = (uint32_t)(ans >> 32);
}
/* Each run's range of key (lo[r], hi[r]), the members in all (the last,
 * in docnum order, to *last when there is one). Each search starts where
 * the key would be if the run's keys were spread evenly (see store_lookup.c). */
size_t dp_runs_find(const dp_runs *rs, uint64_t key, size_t *lo, size_t *hi, uint32_t *last);
/* Add sorted entries (docnums after every indexed one's) as a new run and
 * merge; *rs is reloaded. */
doppel_status dp_runs_append(doppel_store *s, MDB_txn *txn, dp_runs *rs, const uint64_t *keys,
                             const uint32_t *docs, size_t n, doppel_error *err);
/* A directory of run r's keys, built in memory by a writer for the
 * stored runs: for each band and each value of the top dir_bits bits of
 * a hash, the first key at or past it, so that dp_run_lookup_all finds
 * a key's few neighbours from the key alone. Its size in bytes (0: the run is
 * too small to need one), then built into dir (that size). */
size_t dp_run_dir_size(const dp_run *r, uint32_t *bits, uint32_t *bands);
void dp_run_dir_build(dp_run *r, uint32_t *dir, uint32_t bits, uint32_t bands);
/* An add's postings in memory (store_runs.c): runs r[first_mem..n) of rs
 * are in memory, after the stored ones. Append n sorted entries as one
 * more (a binary counter among them); their entries; flush them into the
 * stored runs (merged into one, then dp_runs_append: rs is reloaded);
 * free them (an abort). */
#define DP_RUNS_MEM_MAX ((uint64_t)1 << 24)   /* entries kept past a write: 192 MB */
doppel_status dp_runs_mem_append(const doppel_store *s, dp_runs *rs, uint32_t first_mem,
                                 const uint64_t *keys, const uint32_t *docs, size_t n,
                                 doppel_error *err);
uint64_t dp_runs_mem_count(const dp_runs *rs, uint32_t first_mem);
doppel_status dp_runs_mem_flush(doppel_store *s, MDB_txn *txn, dp_runs *rs, uint32_t first_mem,
                                doppel_error *err);
void dp_runs_mem_free(dp_runs *rs, uint32_t first_mem);
/* Rewrite the runs as one without the docnums set in drop (a bitmap of
 * drop_bits bits); *removed: entries dropped. */
doppel_status dp_runs_rewrite(doppel_store *s, MDB_txn *txn, const uint8_t *drop,
                              uint64_t drop_bits, uint64_t *removed, doppel_error *err);

/* ---- the header (store_header.c) ---- */

/* Every result-changing parameter of c (with the LSH shape bands x rows)
 * as header text ("name=value" lines, a fixed order); its length, as
 * snprintf's. Two configurations give the same results iff they agree. */
int dp_store_config_text(const doppel_config *c, unsigned bands, unsigned rows, char *out,
                         size_t cap);
/* Read header text into s->cfg, s->bands, s->rows, s->keys: DOPPEL_ERR_FORMAT
 * naming the index for another format or features version, or a damaged
 * header. */
doppel_status dp_store_parse_config(doppel_store *s, const char *text, size_t len,
                                    doppel_error *err);
/* The story options as header text ("story_name=value" lines); length. */
int dp_story_options_text(const doppel_story_options *o, char *out, size_t cap);
/* Read them back into s->story (s->stories set). */
doppel_status dp_story_options_parse(doppel_store *s, const char *text, size_t len,
                                     doppel_error *err);
/* Compare two header texts line by line: DOPPEL_ERR_ARG naming the first
 * parameter that differs (want: this run's, have: the store's). */
doppel_status dp_store_compare_text(const doppel_store *s, const char *want, const char *have,
                                    doppel_error *err);

/* What an add keeps of each document for the story level, which reads the
 * batch twice (learn, then add) after all of it has been matched. */
typedef struct dp_story_batch dp_story_batch;
doppel_status dp_story_batch_new(doppel_store *s, dp_story_batch **out, doppel_error *err);
void dp_story_batch_free(dp_story_batch *b);
/* Keep document docnum (its text extracted as `doppel cluster` does). */
doppel_status dp_story_keep(dp_story_batch *b, const doppel_store_doc *doc, uint64_t text_hash,
                            uint32_t docnum, doppel_error *err);
/* Kept document self has a copy relation (one that joins clusters) to
 * docnum other. */
doppel_status dp_story_join(dp_story_batch *b, uint32_t self, uint32_t other, doppel_error *err);
/* Cluster the kept documents into stories linked to the stored state and
 * write their ids and the new state in txn. */
doppel_status dp_story_commit(doppel_store *s, MDB_txn *txn, dp_story_batch *b,
                              doppel_error *err);
/* The id given to docnum by the last dp_story_commit of b. */
uint64_t dp_story_batch_id(const dp_story_batch *b, uint32_t docnum);
/* Check: the story each OK result's document would join. */
doppel_status dp_story_check(doppel_store *s, MDB_txn *txn, const doppel_store_doc *docs,
                             size_t n, doppel_store_result *results, doppel_error *err);
/* The story id recorded for docnum, DOPPEL_STORE_NO_STORY when none. */
uint64_t dp_story_of_doc(const doppel_store *s, MDB_txn *txn, uint32_t docnum);

/* Fill one match from the meta record of docnum, matched by a later
 * document (self: its date, given or extracted, and its words aligned;
 * each side's cover of the pair): its source as doppel_index_pairs
 * decides it, docnum being the pair's a. */
doppel_status dp_store_fill_match(const doppel_store *s, MDB_txn *txn, uint32_t docnum,
                                  doppel_relation rel, double score, int64_t self_date,
                                  uint32_t self_words, float cover_match, float cover_self,
                                  doppel_store_match *m, doppel_error *err);

/* The ids database's key for an id (buf: 512 bytes for long ids). */
MDB_val dp_store_id_key(const char *id, size_t len, unsigned char *buf);

/* Read the meta head of docnum (and its id and source, borrowed from the
 * map). MDB_NOTFOUND when it is not indexed. */
int dp_store_meta(const doppel_store *s, MDB_txn *txn, uint32_t docnum, dp_meta_head *h,
                  const char **id, const char **source);
/* ---- the feature blobs (store_feat.c) ---- */

/* d's blob packed from f and appended (d above every docnum stored; tmp:
 * where a blob of several pieces is packed first). */
doppel_status dp_feat_put(const doppel_store *s, MDB_txn *txn, uint32_t d, const dp_features *f,
                          dp_feat_buf *tmp, doppel_error *err);
/* d's blob: LMDB's code (MDB_NOTFOUND: not indexed; ENOMEM, which
 * dp_store_mdb_fail reports as DOPPEL_ERR_NOMEM). In one piece:
 * *blob in the map, *at SIZE_MAX; in several: put together in arena at *at
 * (8-aligned), *blob valid until the arena next grows. */
int dp_feat_get(const doppel_store *s, MDB_txn *txn, uint32_t d, dp_feat_buf *arena,
                const void **blob, size_t *len, size_t *at);
/* d's pieces deleted (0 when it had none). */
int dp_feat_del(const doppel_store *s, MDB_txn *txn, uint32_t d);
#endif
