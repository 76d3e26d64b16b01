/*
 * store_prints.c — the pre-filter's records (copy/features_store.h: set
 * length, signature and reuse-slot prints) of the documents with postings,
 * in blocks of DP_PRINTS_BLOCK docnums: u32 block number -> that many
 * records of dp_fstore_prefilter_words() words each, zeros where no
 * document has one (exact copies, expired documents, not yet added).
 *
 * Why blocks: an add looks up the record of every candidate pair (about
 * 20 a document on synthetic news, most of them then dropped), one LMDB
 * descent each when a record was its own value: the largest LMDB cost of
 * an add. A block is found once per chunk and a record is then an offset.
 * Everything is in the add's transaction: crash safety is LMDB's.
 */
#include "store/store_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The marker of a block that does not exist (no record in it). */
static const uint32_t no_block[1];

static size_t block_bytes(const doppel_store *s) {
    return (size_t)DP_PRINTS_BLOCK * dp_fstore_prefilter_words(&s->prefilter) * 4;
}

void dp_prints_cache_reset(dp_prints_cache *c) {
    if (c->blk) memset(c->blk, 0, c->cap * sizeof *c->blk);
}

void dp_prints_cache_free(dp_prints_cache *c) {
    free(c->blk);
    *c = (dp_prints_cache){0};
}

void dp_prints_prefetch(const dp_prints_cache *c, uint32_t d, unsigned words) {
    uint32_t b = d / DP_PRINTS_BLOCK;
    if (b < c->cap && c->blk[b] && c->blk[b] != no_block)
        __builtin_prefetch(c->blk[b] + (size_t)(d % DP_PRINTS_BLOCK) * words);
}

int dp_prints_get(const doppel_store *s, MDB_txn *txn, dp_prints_cache *c, uint32_t d,
                  const uint32_t **out) {
    *out = NULL;
    uint32_t b = d / DP_PRINTS_BLOCK;
    if (b >= c->cap) {
        size_t cap = DP_MAX((size_t)b + 1, 2 * c->cap);
        const uint32_t **blk = realloc(c->blk, cap * sizeof *blk);
        if (!blk) return ENOMEM;
        memset(blk + c->cap, 0, (cap - c->cap) * sizeof *blk);
        c->blk = blk;
        c->cap = cap;
    }
    if (!c->blk[b]) {
        unsigned int key = b;
        MDB_val k = {sizeof key, &key}, v;
        int rc = mdb_get(txn, s->db_prints, &k, &v);
        if (rc == MDB_NOTFOUND) c->blk[b] = no_block;
        else if (rc) return rc;
        else if (v.mv_size != block_bytes(s) || ((uintptr_t)v.mv_data & 3))
            return MDB_CORRUPTED;
        else c->blk[b] = v.mv_data;
    }
    if (c->blk[b] == no_block) return 0;
    unsigned words = dp_fstore_prefilter_words(&s->prefilter);
    const uint32_t *rec = c->blk[b] + (size_t)(d % DP_PRINTS_BLOCK) * words;
    if (rec[0]) *out = rec;  /* word 0 is the set length: never 0 for a document */
    return 0;
}

/* Rewrite block b: its old records (if any), then fn's changes. */
typedef void (*edit_fn)(uint32_t *block, uint32_t first, void *user);

static doppel_status edit_block(doppel_store *s, MDB_txn *txn, uint32_t b, uint32_t *buf,
                                edit_fn fn, void *user, doppel_error *err) {
    size_t bytes = block_bytes(s);
    unsigned int key = b;
    MDB_val k = {sizeof key, &key}, v;
    int rc = mdb_get(txn, s->db_prints, &k, &v);
    if (rc == MDB_NOTFOUND) memset(buf, 0, bytes);
    else if (rc) return dp_store_mdb_fail(s, err, rc, "reading signature prints");
    else if (v.mv_size != bytes) return dp_fail(err, DOPPEL_ERR_FORMAT, "index %s: damaged prints", s->dir);
    else memcpy(buf, v.mv_data, bytes);
    fn(buf, b * DP_PRINTS_BLOCK, user);
    v = (MDB_val){bytes, buf};
    if ((rc = mdb_put(txn, s->db_prints, &k, &v, 0)))
        return dp_store_mdb_fail(s, err, rc, "writing signature prints");
    return DOPPEL_OK;
}

typedef struct put_job {
    const uint32_t *docnums, *recs;
    size_t from, to;
    unsigned words;
} put_job;

static void put_records(uint32_t *block, uint32_t first, void *user) {
    put_job *j = user;
    for (size_t i = j->from; i < j->to; i++)
        memcpy(block + (size_t)(j->docnums[i] - first) * j->words, j->recs + i * j->words,
               (size_t)j->words * 4);
}

doppel_status dp_prints_put(doppel_store *s, MDB_txn *txn, const uint32_t *docnums,
                            const uint32_t *recs, size_t n, doppel_error *err) {
    unsigned words = dp_fstore_prefilter_words(&s->prefilter);
    if (!n || !words) return DOPPEL_OK;
    uint32_t *buf = malloc(block_bytes(s));
    if (!buf) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    doppel_status st = DOPPEL_OK;
    for (size_t i = 0, e; !st && i < n; i = e) {
        uint32_t b = docnums[i] / DP_PRINTS_BLOCK;
        for (e = i + 1; e < n && docnums[e] / DP_PRINTS_BLOCK == b; e++) {
        }
        put_job j = {docnums, recs, i, e, words};
        st = edit_block(s, txn, b, buf, put_records, &j, err);
    }
    free(buf);
    return st;
}

typedef struct drop_job {
    const uint8_t *drop;
    uint64_t bits;
    unsigned words;
} drop_job;

static void drop_records(uint32_t *block, uint32_t first, void *user) {
    drop_job *j = user;
    for (uint64_t d = first; d < (uint64_t)first + DP_PRINTS_BLOCK && d < j->bits; d++)
        if (j->drop[d >> 3] >> (d & 7) & 1)
            memset(block + (size_t)(d - first) * j->words, 0, (size_t)j->words * 4);
}

doppel_status dp_prints_drop(doppel_store *s, MDB_txn *txn, const uint8_t *drop, uint64_t bits,
                             doppel_error *err) {
    unsigned words = dp_fstore_prefilter_words(&s->prefilter);
    if (!words || !bits) return DOPPEL_OK;
    uint32_t *buf = malloc(block_bytes(s));
    if (!buf) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    doppel_status st = DOPPEL_OK;
    drop_job j = {drop, bits, words};
    for (uint64_t first = 0; !st && first < bits; first += DP_PRINTS_BLOCK) {
        int any = 0;
        for (uint64_t d = first; !any && d < first + DP_PRINTS_BLOCK && d < bits; d++)
            any = drop[d >> 3] >> (d & 7) & 1;
        if (any) st = edit_block(s, txn, (uint32_t)(first / DP_PRINTS_BLOCK), buf, drop_records, &j, err);
    }
    free(buf);
    return st;
}
