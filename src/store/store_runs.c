/*
 * store_runs.c — the candidate postings as sorted runs: each chunk of an
 * add writes its postings, sorted by (key, docnum), as one LMDB value (a
 * run), and runs are merged as a binary counter (the newest merged into the
 * one before while it is more than half its size), so an index holds at
 * most log2 of its postings' count runs and each posting is rewritten
 * O(log n) times, sequentially.
 *
 * Why not one B-tree entry per posting (format 3): 80 random inserts a
 * document into a tree far larger than the caches, each a descent and a
 * memmove inside a leaf, were 40% of an add and grew with the index. A
 * merge of two sorted arrays touches each byte once, in order.
 *
 * Runs are ordered oldest first and only neighbours merge, so the members
 * of a bucket read run after run are in docnum order, as one B-tree's
 * sorted duplicates were. Everything is in the add's transaction: crash
 * safety is LMDB's.
 *
 * Layout: header "runs" -> u64 next id, u64 count, then per run (oldest
 * first) u64 id, u64 entries; runs: u64 id -> u64 entries, u64 0, the keys
 * (u64, ascending), the docnums (u32, then 4 bytes when their count is odd),
 * and every DP_RUN_FENCE-th key (a search first finds its block there: one or two
 * cache lines instead of a descent through the whole run), padded to at least one
 * page so that LMDB keeps it on its own (aligned) overflow pages.
 */
#include "store/store_impl.h"

#include <stdlib.h>
#include <string.h>

#define RUN_HEAD 16
#define RUN_MIN_BYTES 4096

static size_t docs_bytes(uint64_t n) { return ((size_t)n * 4 + 7) & ~(size_t)7; }
static size_t used_bytes(uint64_t n) {
    return RUN_HEAD + (size_t)n * 8 + docs_bytes(n) + dp_run_fences(n) * 8;
}
static size_t run_bytes(uint64_t n) {
    size_t b = used_bytes(n);
    return b < RUN_MIN_BYTES ? RUN_MIN_BYTES : b;
}

/* The run's parts from the start of its value. */
static void run_parts(void *base, uint64_t n, uint64_t **keys, uint32_t **docs, uint64_t **fence) {
    *keys = (uint64_t *)(void *)((char *)base + RUN_HEAD);
    *docs = (uint32_t *)(void *)(*keys + n);
    *fence = (uint64_t *)(void *)((char *)*docs + docs_bytes(n));
}

static void fill_fence(dp_run *r) {
    uint64_t *fence = (uint64_t *)(uintptr_t)r->fence;
    for (size_t i = 0; i < dp_run_fences(r->n); i++) fence[i] = r->keys[i * DP_RUN_FENCE];
}

doppel_status dp_runs_load(const doppel_store *s, MDB_txn *txn, dp_runs *out, doppel_error *err) {
    out->n = 0;
    out->next_id = 1;
    out->per_doc = s->keys;
    MDB_val k = {4, "runs"}, v;
    int rc = mdb_get(txn, s->db_header, &k, &v);
    if (rc == MDB_NOTFOUND) return DOPPEL_OK;
    if (rc) return dp_store_mdb_fail(s, err, rc, "reading postings");
    uint64_t head[2];
    if (v.mv_size < sizeof head) return dp_fail(err, DOPPEL_ERR_FORMAT, "index %s: damaged postings", s->dir);
    memcpy(head, v.mv_data, sizeof head);
    if (head[1] > DP_RUNS_MAX || v.mv_size != sizeof head + head[1] * 16)
        return dp_fail(err, DOPPEL_ERR_FORMAT, "index %s: damaged postings", s->dir);
    out->next_id = head[0];
    for (uint32_t i = 0; i < head[1]; i++) {
        uint64_t e[2];
        memcpy(e, (const char *)v.mv_data + sizeof head + i * 16, sizeof e);
        MDB_val rk = {sizeof e[0], &e[0]}, rv;
        if ((rc = mdb_get(txn, s->db_runs, &rk, &rv))) return dp_store_mdb_fail(s, err, rc, "reading postings");
        if (rv.mv_size != run_bytes(e[1]) || ((uintptr_t)rv.mv_data & 7))
            return dp_fail(err, DOPPEL_ERR_FORMAT, "index %s: damaged postings", s->dir);
        dp_run *r = &out->r[out->n++];
        r->id = e[0];
        r->n = e[1];
        uint64_t *k2, *f2;
        uint32_t *d2;
        run_parts(rv.mv_data, r->n, &k2, &d2, &f2);
        r->keys = k2;
        r->docs = d2;
        r->fence = f2;
        r->dir = NULL;
    }
    return DOPPEL_OK;
}

static doppel_status write_dir(const doppel_store *s, MDB_txn *txn, const dp_runs *rs,
                               doppel_error *err) {
    uint64_t buf[2 + 2 * DP_RUNS_MAX];
    buf[0] = rs->next_id;
    buf[1] = rs->n;
    for (uint32_t i = 0; i < rs->n; i++) {
        buf[2 + 2 * i] = rs->r[i].id;
        buf[3 + 2 * i] = rs->r[i].n;
    }
    MDB_val k = {4, "runs"}, v = {(2 + 2 * (size_t)rs->n) * 8, buf};
    int rc = mdb_put(txn, s->db_header, &k, &v, 0);
    return rc ? dp_store_mdb_fail(s, err, rc, "writing postings") : DOPPEL_OK;
}

/* A new run of n entries, its space reserved: *keys, *docs to fill. */
static doppel_status new_run(const doppel_store *s, MDB_txn *txn, dp_runs *rs, uint64_t n,
                             uint64_t **keys, uint32_t **docs, uint64_t **fence, uint64_t *id,
                             doppel_error *err) {
    *id = rs->next_id++;
    MDB_val k = {sizeof *id, id}, v = {run_bytes(n), NULL};
    int rc = mdb_put(txn, s->db_runs, &k, &v, MDB_RESERVE);
    if (rc) return dp_store_mdb_fail(s, err, rc, "writing postings");
    if ((uintptr_t)v.mv_data & 7)
        return dp_fail(err, DOPPEL_ERR_STATE, "index %s: postings not aligned", s->dir);
    uint64_t head[2] = {n, 0};
    memcpy(v.mv_data, head, sizeof head);
    run_parts(v.mv_data, n, keys, docs, fence);
    size_t used = used_bytes(n);
    memset((char *)v.mv_data + used, 0, v.mv_size - used);
    if (n & 1) (*docs)[n] = 0;  /* the padding after an odd count */
    return DOPPEL_OK;
}

static doppel_status del_run(const doppel_store *s, MDB_txn *txn, uint64_t id, doppel_error *err) {
    MDB_val k = {sizeof id, &id};
    int rc = mdb_del(txn, s->db_runs, &k, NULL);
    return rc ? dp_store_mdb_fail(s, err, rc, "writing postings") : DOPPEL_OK;
}

/* a's entries and b's (newer: after a's on equal keys) into keys, docs. */
static void merge_span(const uint64_t *restrict ak, const uint32_t *restrict ad, size_t an,
                       const uint64_t *restrict bk, const uint32_t *restrict bd, size_t bn,
                       uint64_t *restrict keys, uint32_t *restrict docs) {
    size_t i = 0, j = 0, o = 0;
    /* branchless: which side comes next is a coin toss for the predictor
     * when the two interleave (a branch an entry: about twice the time) */
    while (i < an && j < bn) {
        uint64_t ka = ak[i], kb = bk[j];
        uint32_t da = ad[i], db = bd[j];
        size_t tb = kb < ka;
        keys[o] = tb ? kb : ka;
        docs[o++] = tb ? db : da;
        j += tb;
        i += 1 - tb;
    }
    memcpy(keys + o, ak + i, (an - i) * 8);
    memcpy(docs + o, ad + i, (an - i) * 4);
    o += an - i;
    memcpy(keys + o, bk + j, (bn - j) * 8);
    memcpy(docs + o, bd + j, (bn - j) * 4);
}

typedef struct merge_job {
    const uint64_t *ak, *bk;
    const uint32_t *ad, *bd;
    size_t an, bn;
    uint64_t *keys;
    uint32_t *docs;
} merge_job;

static void *merge_thread(void *p) {
    merge_job *m = p;
    merge_span(m->ak, m->ad, m->an, m->bk, m->bd, m->bn, m->keys, m->docs);
    return NULL;
}

/* Runs of at least this many entries in all are merged in two halves on two threads. */
#define MERGE_SPLIT_MIN ((size_t)1 << 20)

/* a and b (a's entries first on equal keys) into keys/docs. Why two
 * threads when the caller has them: the commit's merges into the large
 * stored runs (tens of millions of entries at 1M documents) ran on one
 * core while the other waited. The halves: a's first half with b's
 * entries below a's middle key, and the rest, which all come after in
 * the merged order (a's entries of that key before b's). */
static void merge2(const dp_run *a, const dp_run *b, uint64_t *restrict keys,
                   uint32_t *restrict docs, unsigned threads) {
    size_t an = (size_t)a->n, bn = (size_t)b->n;
    if (threads < 2 || an + bn < MERGE_SPLIT_MIN || !an) {
        merge_span(a->keys, a->docs, an, b->keys, b->docs, bn, keys, docs);
        return;
    }
    size_t ia = an / 2, jb = dp_keys_lower(b->keys, 0, bn, a->keys[ia]);
    merge_job hi = {a->keys + ia, b->keys + jb, a->docs + ia, b->docs + jb, an - ia, bn - jb,
                    keys + ia + jb, docs + ia + jb};
    pthread_t tid;
    int started = pthread_create(&tid, NULL, merge_thread, &hi) == 0;
    merge_span(a->keys, a->docs, ia, b->keys, b->docs, jb, keys, docs);
    if (started) pthread_join(tid, NULL);
    else merge_thread(&hi);
}

/* Merge the last run with entries b (newer: after it on equal keys) into
 * a new last run; b.id is deleted too unless 0 (entries not yet a run). */
static doppel_status merge_into_last(const doppel_store *s, MDB_txn *txn, dp_runs *rs, dp_run b,
                                     doppel_error *err) {
    dp_run a = rs->r[rs->n - 1];
    uint64_t *keys, *fence, id;
    uint32_t *docs;
    doppel_status st = new_run(s, txn, rs, a.n + b.n, &keys, &docs, &fence, &id, err);
    if (st) return st;
    merge2(&a, &b, keys, docs, s->threads);
    if ((st = del_run(s, txn, a.id, err)) || (b.id && (st = del_run(s, txn, b.id, err)))) return st;
    rs->r[rs->n - 1] = (dp_run){.id = id, .n = a.n + b.n, .keys = keys, .docs = docs, .fence = fence};
    fill_fence(&rs->r[rs->n - 1]);
    return DOPPEL_OK;
}

/* Merge the last two runs into one (the older's entries first on equal keys). */
static doppel_status merge_last(const doppel_store *s, MDB_txn *txn, dp_runs *rs,
                                doppel_error *err) {
    dp_run b = rs->r[--rs->n];
    return merge_into_last(s, txn, rs, b, err);
}

doppel_status dp_runs_append(doppel_store *s, MDB_txn *txn, dp_runs *rs, const uint64_t *keys,
                             const uint32_t *docs, size_t n, doppel_error *err) {
    if (!n) return DOPPEL_OK;
    doppel_status st;
    if (rs->n && (uint64_t)n * 2 > rs->r[rs->n - 1].n) {
        /* it would be merged at once: merged straight from memory */
        st = merge_into_last(s, txn, rs, (dp_run){.id = 0, .n = n, .keys = keys, .docs = docs, .fence = NULL}, err);
    } else {
        uint64_t *k, *f, id;
        uint32_t *d;
        if ((st = new_run(s, txn, rs, n, &k, &d, &f, &id, err))) return st;
        memcpy(k, keys, n * 8);
        memcpy(d, docs, n * 4);
        if (rs->n == DP_RUNS_MAX) return dp_fail(err, DOPPEL_ERR_STATE, "index %s: too many runs", s->dir);
        rs->r[rs->n++] = (dp_run){.id = id, .n = n, .keys = k, .docs = d, .fence = f};
        fill_fence(&rs->r[rs->n - 1]);
    }
    /* a binary counter: at most log2(postings) runs, each posting rewritten
     * O(log) times */
    while (!st && rs->n >= 2 && rs->r[rs->n - 1].n * 2 > rs->r[rs->n - 2].n)
        st = merge_last(s, txn, rs, err);
    if (!st) st = write_dir(s, txn, rs, err);
    /* pointers of runs written in this transaction stay valid (WRITEMAP),
     * but read them back as any reader would */
    if (!st) st = dp_runs_load(s, txn, rs, err);
    return st;
}

/* ---- an add's own postings, in memory until its commit ---- */

/* Why: a chunk's postings appended to the stored runs at once (as format 4
 * first did) rewrote each posting O(log chunks) times in the map, each new
 * page a page fault through the file system (a hole zeroed, a block
 * allocated) on the transaction's thread: at 1M documents the merges were
 * a quarter of an add's critical path. The add's postings are runs in
 * memory instead (the same binary counter, after the stored runs: newer,
 * so a bucket's members still come in docnum order), merged into one and
 * appended to the stored runs once, at the commit (or when they grow past
 * DP_RUNS_MEM_MAX at the end of a write). The stored runs do not change
 * during a write, which is what lets other threads search them. */

static uint64_t *mem_base(const dp_run *r) { return (uint64_t *)(uintptr_t)r->keys - RUN_HEAD / 8; }

static doppel_status mem_run(uint64_t n, dp_run *out, doppel_error *err) {
    uint64_t *base = dp_malloc(used_bytes(n));
    if (!base) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    uint64_t *k, *f;
    uint32_t *d;
    run_parts(base, n, &k, &d, &f);
    *out = (dp_run){.id = 0, .n = n, .keys = k, .docs = d, .fence = f};
    return DOPPEL_OK;
}

static void mem_free(dp_run *r) {
    if (r->keys) dp_free(mem_base(r), used_bytes(r->n));
    r->keys = NULL;
}

uint64_t dp_runs_mem_count(const dp_runs *rs, uint32_t first_mem) {
    uint64_t n = 0;
    for (uint32_t i = first_mem; i < rs->n; i++) n += rs->r[i].n;
    return n;
}

/* The last two memory runs into one (on up to threads threads). */
static doppel_status mem_merge_last(dp_runs *rs, unsigned threads, doppel_error *err) {
    dp_run a = rs->r[rs->n - 2], b = rs->r[rs->n - 1], m;
    doppel_status st = mem_run(a.n + b.n, &m, err);
    if (st) return st;
    merge2(&a, &b, (uint64_t *)(uintptr_t)m.keys, (uint32_t *)(uintptr_t)m.docs, threads);
    fill_fence(&m);
    mem_free(&a);
    mem_free(&b);
    rs->r[rs->n - 2] = m;
    rs->n--;
    return DOPPEL_OK;
}

doppel_status dp_runs_mem_append(const doppel_store *s, dp_runs *rs, uint32_t first_mem,
                                 const uint64_t *keys, const uint32_t *docs, size_t n,
                                 doppel_error *err) {
    if (!n) return DOPPEL_OK;
    if (rs->n == DP_RUNS_MAX) return dp_fail(err, DOPPEL_ERR_STATE, "index %s: too many runs", s->dir);
    dp_run r;
    doppel_status st = mem_run(n, &r, err);
    if (st) return st;
    memcpy((uint64_t *)(uintptr_t)r.keys, keys, n * 8);
    memcpy((uint32_t *)(uintptr_t)r.docs, docs, n * 4);
    fill_fence(&r);
    rs->r[rs->n++] = r;
    /* one thread: the others are computing the next chunks */
    while (!st && rs->n >= first_mem + 2 && rs->r[rs->n - 1].n * 2 > rs->r[rs->n - 2].n)
        st = mem_merge_last(rs, 1, err);
    return st;
}

doppel_status dp_runs_mem_flush(doppel_store *s, MDB_txn *txn, dp_runs *rs, uint32_t first_mem,
                                doppel_error *err) {
    doppel_status st = DOPPEL_OK;
    while (!st && rs->n >= first_mem + 2) st = mem_merge_last(rs, s->threads, err);
    if (st || rs->n == first_mem) return st;
    dp_run m = rs->r[--rs->n];
    st = dp_runs_append(s, txn, rs, m.keys, m.docs, (size_t)m.n, err);
    mem_free(&m);
    return st;
}

void dp_runs_mem_free(dp_runs *rs, uint32_t first_mem) {
    while (rs->n > first_mem) mem_free(&rs->r[--rs->n]);
}

doppel_status dp_runs_rewrite(doppel_store *s, MDB_txn *txn, const uint8_t *drop,
                              uint64_t drop_bits, uint64_t *removed, doppel_error *err) {
    *removed = 0;
    dp_runs rs;
    doppel_status st = dp_runs_load(s, txn, &rs, err);
    if (st || rs.n == 0) return st;
    while (!st && rs.n >= 2) st = merge_last(s, txn, &rs, err);
    if (st) return st;
    dp_run r = rs.r[0];
    uint64_t keep = 0;
    for (uint64_t i = 0; i < r.n; i++)
        keep += !(r.docs[i] < drop_bits && (drop[r.docs[i] >> 3] >> (r.docs[i] & 7) & 1));
    *removed = r.n - keep;
    if (keep == r.n) return write_dir(s, txn, &rs, err);
    uint64_t *keys, *fence, id;
    uint32_t *docs;
    if ((st = new_run(s, txn, &rs, keep, &keys, &docs, &fence, &id, err))) return st;
    uint64_t o = 0;
    for (uint64_t i = 0; i < r.n; i++) {
        if (r.docs[i] < drop_bits && (drop[r.docs[i] >> 3] >> (r.docs[i] & 7) & 1)) continue;
        keys[o] = r.keys[i];
        docs[o++] = r.docs[i];
    }
    if ((st = del_run(s, txn, r.id, err))) return st;
    rs.r[0] = (dp_run){.id = id, .n = keep, .keys = keys, .docs = docs, .fence = fence};
    fill_fence(&rs.r[0]);
    rs.n = keep ? 1 : 0;
    if (!keep && (st = del_run(s, txn, id, err))) return st;
    return write_dir(s, txn, &rs, err);
}
