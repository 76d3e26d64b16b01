/*
 * store_export.c — the whole store as clusters (the batch index's
 * union-find and canonical choice over the recorded relations, and each
 * member's relation to its canonical as finish.c derives it), expiry of old
 * documents, and compaction of the data file.
 */
#include "copy/cluster.h"
#include "store/store_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct xedge {
    uint32_t a, b, shared;  /* dense numbers, a < b */
    doppel_relation relation;
    float cover_a, cover_b;
} xedge;

static int cmp_xedge(const void *x, const void *y) {
    const xedge *p = x, *q = y;
    if (p->a != q->a) return p->a < q->a ? -1 : 1;
    return (p->b > q->b) - (p->b < q->b);
}

typedef struct hash_doc {
    uint64_t hash;
    uint32_t i;
} hash_doc;

static int cmp_hash_doc(const void *x, const void *y) {
    const hash_doc *p = x, *q = y;
    if (p->hash != q->hash) return p->hash < q->hash ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

/* Dense number of docnum among the live ones, or UINT32_MAX. */
static uint32_t dense_of(const uint32_t *docnum, uint32_t n, uint32_t d) {
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (docnum[mid] < d) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && docnum[lo] == d ? lo : UINT32_MAX;
}

typedef struct export_state {
    uint32_t n;
    uint32_t *docnum, *set_len, *words_len, *article, *exact_of, *cluster, *canon, *size;
    int64_t *date;
    const char **id, **source;
    uint32_t *id_len;
    xedge *edges;
    size_t n_edges;
} export_state;

static void export_free(export_state *x) {
    free(x->docnum); free(x->set_len); free(x->words_len); free(x->article); free(x->exact_of); free(x->cluster);
    free(x->canon); free(x->size); free(x->date); free(x->id); free(x->source);
    free(x->id_len); free(x->edges);
}

static const xedge *find_xedge(const export_state *x, uint32_t p, uint32_t q) {
    xedge key = {p < q ? p : q, p < q ? q : p, 0, DOPPEL_REL_NONE, 0.0f, 0.0f};
    return bsearch(&key, x->edges, x->n_edges, sizeof key, cmp_xedge);
}

/* d's stored features into v (MDB_CORRUPTED: not a blob this version wrote). */
static int read_view(doppel_store *s, MDB_txn *txn, uint32_t d, int want_keys,
                     dp_fstore_view *v) {
    dp_feat_buf b = {0};
    const void *blob;
    size_t len, at;
    int rc = dp_feat_get(s, txn, d, &b, &blob, &len, &at);
    if (!rc && dp_fstore_read(blob, len, s->keys, want_keys, v)) rc = MDB_CORRUPTED;
    dp_feat_buf_free(&b);
    return rc;
}

/* Similarity of two live documents' sets, from their stored features. */
static doppel_status verify_docs(doppel_store *s, MDB_txn *txn, uint32_t da, uint32_t db,
                                 dp_fstore_view *va, dp_fstore_view *vb, doppel_similarity *sim,
                                 doppel_error *err) {
    int rc = read_view(s, txn, da, 0, va);
    if (!rc) rc = read_view(s, txn, db, 0, vb);
    if (rc) return dp_store_mdb_fail(s, err, rc, "reading features");
    *sim = dp_fstore_similarity(va, vb);
    return DOPPEL_OK;
}

/* Whether a relation that reuse slots alone proposed is one the batch
 * index would have: a slot the two documents share whose bucket holds at
 * most the cap now (the batch drops a bigger one whole; the store paired
 * them while it was small). */
static doppel_status reuse_edge_live(doppel_store *s, MDB_txn *txn, const dp_runs *post, uint32_t da,
                                     uint32_t db, dp_fstore_view *va, dp_fstore_view *vb,
                                     int *live, doppel_error *err) {
    *live = 0;
    int rc = read_view(s, txn, da, 1, va);
    if (!rc) rc = read_view(s, txn, db, 1, vb);
    if (rc) return dp_store_mdb_fail(s, err, rc, "reading features");
    for (unsigned j = s->bands; j < s->keys && !*live; j++) {
        if (va->keys[j] != vb->keys[j]) continue;
        uint64_t key = (uint64_t)j << 32 | va->keys[j];
        size_t lo[DP_RUNS_MAX], hi[DP_RUNS_MAX];
        size_t count = dp_runs_find(post, key, lo, hi, NULL);
        *live = count <= DP_FSTORE_REUSE_CAP;
    }
    return DOPPEL_OK;
}

doppel_status doppel_store_export(doppel_store *s, doppel_store_row_fn fn, void *user,
                                  doppel_error *err) {
    MDB_txn *txn;
    int rc = dp_store_txn_begin(s, MDB_RDONLY, &txn);
    if (rc) return dp_store_mdb_fail(s, err, rc, "reading");
    export_state x = {0};
    doppel_status st = DOPPEL_OK;
    MDB_stat ms;
    mdb_stat(txn, s->db_meta, &ms);
    size_t cap = ms.ms_entries + 1;
    x.docnum = malloc(cap * 4); x.set_len = malloc(cap * 4); x.exact_of = malloc(cap * 4);
    x.words_len = calloc(cap, 4); x.article = calloc(cap, 4);
    x.cluster = malloc(cap * 4); x.canon = malloc(cap * 4); x.size = malloc(cap * 4);
    x.date = malloc(cap * 8); x.id = malloc(cap * sizeof *x.id);
    x.source = malloc(cap * sizeof *x.source); x.id_len = malloc(cap * 4);
    hash_doc *hd = malloc(cap * sizeof *hd);
    if (!x.docnum || !x.set_len || !x.words_len || !x.article || !x.exact_of || !x.cluster || !x.canon || !x.size || !x.date ||
        !x.id || !x.source || !x.id_len || !hd)
        st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    /* Every live document in docnum order: ids and sources stay in the map
     * for the transaction's life. */
    MDB_cursor *cur = NULL;
    if (!st && (rc = mdb_cursor_open(txn, s->db_meta, &cur))) st = dp_store_mdb_fail(s, err, rc, "reading");
    MDB_val k, v;
    for (rc = st ? MDB_NOTFOUND : mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && x.n < cap;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        dp_meta_head h;
        memcpy(&h, v.mv_data, sizeof h);
        unsigned int d;
        memcpy(&d, k.mv_data, sizeof d);
        uint32_t i = x.n++;
        x.docnum[i] = d;
        x.set_len[i] = h.set_len;
        x.words_len[i] = h.words_len;
        x.date[i] = h.date;
        x.id[i] = (const char *)v.mv_data + sizeof h;
        x.id_len[i] = h.id_len;
        hd[i] = (hash_doc){h.text_hash, i};
    }
    if (cur) mdb_cursor_close(cur);
    cur = NULL;
    if (!st && rc != MDB_NOTFOUND) st = dp_store_mdb_fail(s, err, rc, "reading documents");
    /* Exact groups: the first document of each text. */
    if (!st) {
        qsort(hd, x.n, sizeof *hd, cmp_hash_doc);
        for (uint32_t j = 0, first = 0; j < x.n; j++) {
            if (j == 0 || hd[j].hash != hd[j - 1].hash) first = hd[j].i;
            x.exact_of[hd[j].i] = first;
        }
    }
    free(hd);
    /* Relations between live documents. */
    size_t ecap = 0;
    dp_runs *post = malloc(sizeof *post);
    dp_fstore_view ra = {0}, rb = {0};
    if (!st && !post) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    if (!st) st = dp_runs_load(s, txn, post, err);
    if (!st && (rc = mdb_cursor_open(txn, s->db_edges, &cur))) st = dp_store_mdb_fail(s, err, rc, "reading");
    for (rc = st ? MDB_NOTFOUND : mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        unsigned int b;
        memcpy(&b, k.mv_data, sizeof b);
        dp_edge_val e;
        memcpy(&e, v.mv_data, sizeof e);
        uint32_t ib = dense_of(x.docnum, x.n, b), ia = dense_of(x.docnum, x.n, dp_edge_a(&e));
        if (ia == UINT32_MAX || ib == UINT32_MAX) continue;
        if (e.relation != DOPPEL_REL_EXACT && !e.lsh) {
            int live;
            if ((st = reuse_edge_live(s, txn, post, dp_edge_a(&e), b, &ra, &rb, &live, err))) break;
            if (!live) continue;
        }
        if (x.n_edges == ecap) {
            size_t nc = ecap ? 2 * ecap : 1024;
            void *p = realloc(x.edges, nc * sizeof *x.edges);
            if (!p) { st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory"); break; }
            x.edges = p;
            ecap = nc;
        }
        /* a is the earlier document (docnum order is dense order) */
        x.edges[x.n_edges++] = ia < ib ? (xedge){ia, ib, e.shared, (doppel_relation)e.relation,
                                                 e.cover_a, e.cover_b}
                                       : (xedge){ib, ia, e.shared, (doppel_relation)e.relation,
                                                 e.cover_b, e.cover_a};
    }
    if (cur) mdb_cursor_close(cur);
    free(post);
    dp_fstore_view_free(&ra);
    dp_fstore_view_free(&rb);
    if (!st && rc != MDB_NOTFOUND) st = dp_store_mdb_fail(s, err, rc, "reading relations");
    /* Clusters exactly as the batch index forms them. */
    dp_unionfind uf = {0};
    if (!st && dp_uf_init(&uf, x.n)) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    if (!st) {
        if (x.n_edges) qsort(x.edges, x.n_edges, sizeof *x.edges, cmp_xedge);
        /* only copies join: derived (unless configured) and partial
         * relations are recorded and reported, never clustered */
        for (size_t i = 0; i < x.n_edges; i++)
            if (dp_fstore_joins(&s->cfg, x.edges[i].relation))
                dp_uf_union(&uf, x.edges[i].a, x.edges[i].b);
        /* The longest policy's measure as finish.c takes it: a document's
         * words its copy edges vouch for (the most over them), all its words
         * when it has none. */
        if (s->cfg.canonical == DOPPEL_CANON_LONGEST) {
            for (size_t i = 0; i < x.n_edges; i++) {
                const xedge *e = &x.edges[i];
                if (!dp_fstore_joins(&s->cfg, e->relation)) continue;
                uint32_t wa = dp_fstore_article(e->cover_a, x.words_len[e->a]);
                uint32_t wb = dp_fstore_article(e->cover_b, x.words_len[e->b]);
                if (wa > x.article[e->a]) x.article[e->a] = wa;
                if (wb > x.article[e->b]) x.article[e->b] = wb;
            }
            for (uint32_t d = 0; d < x.n; d++)
                if (!x.article[d]) x.article[d] = x.words_len[d];
        }
        dp_canon_keys keys = {s->cfg.canonical == DOPPEL_CANON_LONGEST ? x.article : x.set_len,
                              x.date};
        dp_assign_clusters(&uf, s->cfg.canonical, &keys, x.cluster, x.canon, x.size);
    }
    dp_uf_free(&uf);
    /* Each member's relation to its canonical (as finish.c's relate_range). */
    dp_fstore_view va = {0}, vb = {0};
    for (uint32_t d = 0; !st && d < x.n; d++) {
        uint32_t cl = x.cluster[d], c = x.canon[cl];
        doppel_relation rel;
        double score = 1.0;
        if (c == d) {
            rel = x.size[cl] > 1 ? DOPPEL_REL_CANONICAL : DOPPEL_REL_NONE;
        } else if (x.exact_of[d] == x.exact_of[c]) {
            rel = DOPPEL_REL_EXACT;
        } else {
            uint32_t p = x.exact_of[c], q = x.exact_of[d];
            const xedge *e = find_xedge(&x, p, q);
            doppel_similarity sim;
            if (e) sim = dp_fstore_edge_similarity(x.set_len[p], x.set_len[q], e->shared);
            else if ((st = verify_docs(s, txn, x.docnum[p], x.docnum[q], &va, &vb, &sim, err)))
                break;
            /* A recorded copy relation to the canonical says what the
             * member is; without one it joined through others: linked. */
            rel = e && dp_fstore_joins(&s->cfg, e->relation) ? e->relation : DOPPEL_REL_NONE;
            score = (float)dp_fstore_score(rel, &sim, x.set_len[c], x.set_len[d]);
            if (rel == DOPPEL_REL_NONE) rel = DOPPEL_REL_LINKED;
        }
        doppel_store_row row = {x.docnum[d], x.id[d], x.id_len[d], cl, x.id[c], x.id_len[c],
                                x.size[cl], rel, score, dp_story_of_doc(s, txn, x.docnum[d])};
        if (fn(&row, user)) break;
    }
    dp_fstore_view_free(&va);
    dp_fstore_view_free(&vb);
    export_free(&x);
    mdb_txn_abort(txn);
    return st;
}

/* ---- expire -------------------------------------------------------------------------- */

static int del_dup(MDB_txn *txn, MDB_dbi db, MDB_val *k, MDB_val *v) {
    int rc = mdb_del(txn, db, k, v);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

doppel_status doppel_store_expire(doppel_store *s, int64_t before, uint64_t *removed,
                                  doppel_error *err) {
    if (removed) *removed = 0;
    doppel_status st = dp_store_write_begin(s, err);
    if (st) return st;
    MDB_txn *txn;
    int rc = dp_store_txn_begin(s, 0, &txn);
    if (rc) {
        dp_store_write_end(s);
        return dp_store_mdb_fail(s, err, rc, "starting a transaction");
    }
    dp_store_counters c;
    st = dp_store_read_counters(s, txn, &c, err);
    /* the documents whose postings go (a bitmap by docnum) */
    uint64_t drop_bits = st ? 0 : c.next_doc;
    uint8_t *drop = calloc((size_t)(drop_bits / 8 + 1), 1);
    if (!st && !drop) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    MDB_cursor *cur = NULL;
    if (!st && (rc = mdb_cursor_open(txn, s->db_meta, &cur))) st = dp_store_mdb_fail(s, err, rc, "reading");
    dp_fstore_view fv = {0};
    MDB_val k, v;
    uint64_t n_removed = 0;
    for (rc = st ? MDB_NOTFOUND : mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0 && !st;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        dp_meta_head h;
        memcpy(&h, v.mv_data, sizeof h);
        int64_t when = h.date != DOPPEL_NO_DATE ? h.date : h.added;
        if (when >= before) continue;
        unsigned int d;
        memcpy(&d, k.mv_data, sizeof d);
        MDB_val dk = {sizeof d, &d}, x;
        /* its id, when it is the one the id names */
        unsigned char kb[512];
        MDB_val ik = dp_store_id_key((const char *)v.mv_data + sizeof h, h.id_len, kb);
        if (mdb_get(txn, s->db_ids, &ik, &x) == 0) {
            uint32_t owner;
            memcpy(&owner, x.mv_data, 4);
            if (owner == d && (rc = mdb_del(txn, s->db_ids, &ik, NULL))) break;
        }
        /* its text, when it is the text's first document */
        size_t th = (size_t)h.text_hash;
        MDB_val tk = {sizeof th, &th};
        int rep = 0;
        if (mdb_get(txn, s->db_text, &tk, &x) == 0) {
            uint32_t owner;
            memcpy(&owner, x.mv_data, 4);
            rep = owner == d;
            if (rep && (rc = mdb_del(txn, s->db_text, &tk, NULL))) break;
        }
        /* its postings (only the first of a text has any): dropped from
         * the runs after the loop */
        if (rep && d < drop_bits) drop[d >> 3] |= (uint8_t)(1u << (d & 7));
        /* features, relations to earlier documents, the document itself
         * (relations of later documents to it are skipped when read) */
        MDB_stat es;
        size_t nedges = 0;
        MDB_cursor *ec;
        if (mdb_cursor_open(txn, s->db_edges, &ec) == 0) {
            MDB_val ek = dk, ev;
            if (mdb_cursor_get(ec, &ek, &ev, MDB_SET_KEY) == 0) mdb_cursor_count(ec, &nedges);
            mdb_cursor_close(ec);
        }
        (void)es;
        if ((rc = del_dup(txn, s->db_edges, &dk, NULL))) break;
        if ((rc = dp_feat_del(s, txn, d))) break;
        if (s->stories && (rc = del_dup(txn, s->db_story, &dk, NULL))) break;
        if ((rc = mdb_cursor_del(cur, 0))) break;
        c.relations -= DP_MIN(c.relations, nedges);
        c.docs--;
        c.expired++;
        n_removed++;
    }
    dp_fstore_view_free(&fv);
    if (cur) mdb_cursor_close(cur);
    if (!st && rc != MDB_NOTFOUND && rc != 0) st = dp_store_mdb_fail(s, err, rc, "expiring");
    if (!st && n_removed) {
        uint64_t gone;
        st = dp_runs_rewrite(s, txn, drop, drop_bits, &gone, err);
        if (!st) st = dp_prints_drop(s, txn, drop, drop_bits, err);
        c.postings -= DP_MIN(c.postings, gone);
    }
    free(drop);
    if (!st) st = dp_store_write_counters(s, txn, &c, err);
    if (!st && (rc = mdb_txn_commit(txn))) st = dp_store_mdb_fail(s, err, rc, "committing");
    else if (st) mdb_txn_abort(txn);
    dp_store_write_end(s);
    if (!st && removed) *removed = n_removed;
    return st;
}

/* ---- compact -------------------------------------------------------------------------- */

/* Disk space, not the apparent size: a writer's file is sparse up to its map. */
static uint64_t file_size(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_blocks * 512 : 0;
}

doppel_status doppel_store_compact(doppel_store *s, uint64_t *bytes_before, uint64_t *bytes_after,
                                   doppel_error *err) {
    doppel_status st = dp_store_write_begin(s, err);
    if (st) return st;
    /* Another process with the store open would go on using the old file. */
    if (flock(s->open_fd, LOCK_EX | LOCK_NB) != 0) {
        dp_store_write_end(s);
        return dp_fail(err, DOPPEL_ERR_STATE,
                       "index %s is open in another process (a server, a query): stop it "
                       "before compacting", s->dir);
    }
    size_t n = strlen(s->dir) + 32;
    char *data = malloc(n), *tmp = malloc(n);
    if (!data || !tmp) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    else {
        snprintf(data, n, "%s/data.mdb", s->dir);
        snprintf(tmp, n, "%s/data.mdb.compact", s->dir);
        unlink(tmp);
        if (bytes_before) *bytes_before = file_size(data);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        int rc = fd < 0 ? errno : mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);
        if (fd >= 0 && !rc && fsync(fd) != 0) rc = errno;
        if (fd >= 0) close(fd);
        if (rc) {
            unlink(tmp);
            st = dp_store_mdb_fail(s, err, rc, "compacting");
        } else if (rename(tmp, data) != 0) {
            st = dp_fail(err, DOPPEL_ERR_IO, "index %s: %s", s->dir, strerror(errno));
            unlink(tmp);
        }
        if (!st && bytes_after) *bytes_after = file_size(data);
    }
    free(data);
    free(tmp);
    flock(s->open_fd, LOCK_SH);
    dp_store_write_end(s);
    return st;
}
