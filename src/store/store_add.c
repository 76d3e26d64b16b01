/*
 * store_add.c — adding and checking documents: features computed on
 * several threads, then each document matched in input order inside one
 * transaction against its candidates (documents sharing a band bucket, as
 * the batch LSH pairs them), verified by the copy engine, and recorded.
 *
 * Why matching in input order inside the write transaction: a document sees
 * every earlier one, committed or of its own batch, exactly as one batch
 * index over all of them would pair it, so any split into batches gives the
 * same relations.
 */
#include "store/store_impl.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* Documents whose features are computed at once (memory: one dp_features each). */
#define CHUNK 512

/* The ids database's key for an id: LMDB keys are at most 511 bytes, so a
 * longer id is its first 480 bytes and a hash of the whole. */
#define ID_KEY_MAX 488
static MDB_val id_key(const char *id, size_t len, unsigned char buf[ID_KEY_MAX]) {
    if (len <= ID_KEY_MAX) return (MDB_val){len, (void *)id};
    uint64_t h = XXH3_64bits(id, len);
    memcpy(buf, id, ID_KEY_MAX - 8);
    memcpy(buf + ID_KEY_MAX - 8, &h, 8);
    return (MDB_val){ID_KEY_MAX, buf};
}

MDB_val dp_store_id_key(const char *id, size_t len, unsigned char *buf) {
    return id_key(id, len, buf);
}

/* ---- features on several threads ------------------------------------------------ */

typedef struct compute_job {
    doppel_store *s;
    const doppel_store_doc *docs;
    dp_features *feats;
    size_t n;
    atomic_size_t next;
    dp_store_worker *worker;
} compute_job;

static void *compute_worker(void *p) {
    compute_job *job = p;
    for (;;) {
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n) break;
        dp_fstore_compute(&job->s->cfg, job->s->bands, job->s->rows, &job->worker->scratch,
                          job->docs[i].text, job->docs[i].text_len, &job->feats[i]);
    }
    return NULL;
}

static void compute_all(doppel_store *s, dp_store_worker **workers, unsigned threads,
                        const doppel_store_doc *docs, dp_features *feats, size_t n) {
    compute_job jobs[DP_MAX_THREADS];
    pthread_t tid[DP_MAX_THREADS];
    int started[DP_MAX_THREADS] = {0};
    for (unsigned t = 0; t < threads; t++) jobs[t] = (compute_job){s, docs, feats, n, 0, workers[t]};
    if (threads <= 1 || n < 2) {
        compute_worker(&jobs[0]);
        return;
    }
    /* Contiguous ranges, one per thread: features do not depend on the
     * thread that computes them. */
    for (unsigned t = 0; t < threads; t++) {
        size_t from = n * t / threads, to = n * (t + 1) / threads;
        jobs[t].docs = docs + from;
        jobs[t].feats = feats + from;
        jobs[t].n = to - from;
    }
    for (unsigned t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, compute_worker, &jobs[t]) == 0;
    compute_worker(&jobs[0]);
    for (unsigned t = 1; t < threads; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else compute_worker(&jobs[t]);
    }
}

/* ---- matching one document -------------------------------------------------------- */

typedef struct matcher {
    uint32_t *cand;
    size_t ncand, cand_cap;
    dp_fstore_view self, other;
    struct found {
        uint32_t docnum, shared, other_len;
        doppel_relation rel;
        doppel_similarity sim;
    } *found;
    size_t nfound, found_cap;
    MDB_cursor *post;
    uint64_t postings_added;
} matcher;

static void matcher_free(matcher *m) {
    dp_free(m->cand, m->cand_cap * sizeof *m->cand);
    dp_free(m->found, m->found_cap * sizeof *m->found);
    dp_fstore_view_free(&m->self);
    dp_fstore_view_free(&m->other);
    if (m->post) mdb_cursor_close(m->post);
}

static int cmp_u32(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

static doppel_status push_found(matcher *m, uint32_t d, doppel_relation rel,
                                const doppel_similarity *sim, uint32_t other_len,
                                doppel_error *err) {
    if (m->nfound == m->found_cap &&
        dp_grow((void **)&m->found, &m->found_cap, m->nfound + 1, sizeof *m->found))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    m->found[m->nfound++] = (struct found){d, sim->shared, other_len, rel, *sim};
    return DOPPEL_OK;
}

/* The relations of a document with features f to the indexed documents
 * (m->found, in docnum order). With self != UINT32_MAX (adding) its
 * postings and text entry are written as it goes: later documents of the
 * batch see it. *exact_rep receives the first document with the same text,
 * or UINT32_MAX. */
static doppel_status match_one(doppel_store *s, MDB_txn *txn, matcher *m, const dp_features *f,
                               uint32_t self, doppel_error *err) {
    m->ncand = m->nfound = 0;
    int rc;
    uint64_t th = f->text_hash;
    size_t tkey = (size_t)th;
    MDB_val k = {sizeof tkey, &tkey}, v;
    rc = mdb_get(txn, s->db_text, &k, &v);
    if (rc == 0) {
        /* The same normalized text: an exact copy of that text's first
         * document, which alone takes part in the LSH (as in the batch). */
        uint32_t rep;
        memcpy(&rep, v.mv_data, 4);
        dp_meta_head h;
        if (dp_store_meta(s, txn, rep, &h, NULL, NULL) == 0) {
            doppel_similarity same = {1.0, 1.0, 1.0, h.set_len};
            return push_found(m, rep, DOPPEL_REL_EXACT, &same, h.set_len, err);
        }
        rc = MDB_NOTFOUND;  /* the first was expired: this one takes its place */
    }
    if (rc != MDB_NOTFOUND) return dp_store_mdb_fail(s, err, rc, "looking up a text");
    if (self != UINT32_MAX) {
        unsigned int sv = self;
        MDB_val val = {sizeof sv, &sv};
        if ((rc = mdb_put(txn, s->db_text, &k, &val, 0)))
            return dp_store_mdb_fail(s, err, rc, "writing a text key");
    }
    if (!m->post && (rc = mdb_cursor_open(txn, s->db_post, &m->post)))
        return dp_store_mdb_fail(s, err, rc, "reading postings");
    unsigned max_bucket = s->cfg.max_bucket;
    for (unsigned b = 0; b < s->bands; b++) {
        size_t key = (size_t)b << 32 | f->band[b];
        MDB_val pk = {sizeof key, &key}, pv;
        rc = mdb_cursor_get(m->post, &pk, &pv, MDB_SET_KEY);
        if (rc == 0) {
            size_t count;
            mdb_cursor_count(m->post, &count);
            if (count + 1 > max_bucket) {
                /* A bucket past max_bucket: the batch links its members as
                 * a chain; the new last member pairs with the one before. */
                if ((rc = mdb_cursor_get(m->post, &pk, &pv, MDB_LAST_DUP)))
                    return dp_store_mdb_fail(s, err, rc, "reading postings");
                count = 1;
            }
            if (dp_grow((void **)&m->cand, &m->cand_cap, m->ncand + count, sizeof *m->cand))
                return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
            if (count == 1) {
                memcpy(&m->cand[m->ncand++], pv.mv_data, 4);
            } else {
                for (; rc == 0; rc = mdb_cursor_get(m->post, &pk, &pv, MDB_NEXT_DUP))
                    memcpy(&m->cand[m->ncand++], pv.mv_data, 4);
            }
        } else if (rc != MDB_NOTFOUND) {
            return dp_store_mdb_fail(s, err, rc, "reading postings");
        }
        if (self != UINT32_MAX) {
            unsigned int sv = self;
            /* pk may point into the map now: put with the local key */
            MDB_val own = {sizeof key, &key}, val = {sizeof sv, &sv};
            if ((rc = mdb_cursor_put(m->post, &own, &val, 0)))
                return dp_store_mdb_fail(s, err, rc, "writing postings");
            m->postings_added++;
        }
    }
    if (!m->ncand) return DOPPEL_OK;
    qsort(m->cand, m->ncand, sizeof *m->cand, cmp_u32);
    /* The new document's set, viewed without a copy. */
    dp_fstore_view me = {.text_hash = th, .set_len = (uint32_t)f->set_len, .set = f->set};
    for (size_t i = 0; i < m->ncand; i++) {
        if (i && m->cand[i] == m->cand[i - 1]) continue;
        uint32_t c = m->cand[i];
        unsigned int ck = c;
        MDB_val fk = {sizeof ck, &ck}, fv;
        rc = mdb_get(txn, s->db_feat, &fk, &fv);
        if (rc == MDB_NOTFOUND) continue;  /* expired; its postings are gone with it */
        if (rc) return dp_store_mdb_fail(s, err, rc, "reading features");
        doppel_status st = dp_fstore_read(fv.mv_data, fv.mv_size, s->bands, 0, &m->other);
        if (st)
            return dp_fail(err, st, "index %s: features of document %u are damaged", s->dir, c);
        doppel_similarity sim;
        doppel_relation rel = dp_fstore_verify(&s->cfg, &m->other, &me, &sim);
        if (rel != DOPPEL_REL_NONE && (st = push_found(m, c, rel, &sim, m->other.set_len, err)))
            return st;
    }
    return DOPPEL_OK;
}

static doppel_status fill_result(doppel_store *s, MDB_txn *txn, const matcher *m,
                                 const dp_features *f, doppel_store_result *r,
                                 doppel_error *err) {
    r->n_matches = 0;
    r->matches = NULL;
    if (!m->nfound) return DOPPEL_OK;
    r->matches = calloc(m->nfound, sizeof *r->matches);
    if (!r->matches) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < m->nfound; i++) {
        const struct found *x = &m->found[i];
        double score = dp_fstore_score(x->rel, &x->sim, x->other_len, (uint32_t)f->set_len);
        r->n_matches++;
        doppel_status st = dp_store_fill_match(s, txn, x->docnum, x->rel, (float)score,
                                               &r->matches[i], err);
        if (st) return st;
    }
    return DOPPEL_OK;
}

static doppel_status bad_doc(const doppel_store_doc *d, const dp_features *f, doppel_error *err) {
    if (f->status == DOPPEL_ERR_EMPTY || f->status == DOPPEL_ERR_FORMAT) return f->status;
    return dp_fail(err, f->status, "out of memory processing document '%.*s'",
                   (int)DP_MIN(d->id_len, 200), d->id);
}

/* Record document d (features f, matched as m) in the open write txn. */
static doppel_status record(doppel_store *s, MDB_txn *txn, const doppel_store_doc *doc,
                            const dp_features *f, const matcher *m, uint32_t d, uint32_t batch,
                            int *duplicate_id, doppel_error *err) {
    unsigned int key = d;
    MDB_val dk = {sizeof key, &key}, v;
    int rc;
    /* meta */
    size_t src_len = doc->source ? doc->source_len : 0;
    size_t mlen = sizeof(dp_meta_head) + doc->id_len + src_len;
    v.mv_size = mlen;
    if ((rc = mdb_put(txn, s->db_meta, &dk, &v, MDB_RESERVE | MDB_APPEND)))
        return dp_store_mdb_fail(s, err, rc, "writing a document");
    dp_meta_head h = {doc->date != DOPPEL_NO_DATE ? doc->date : f->date, (int64_t)time(NULL),
                      f->text_hash, (uint32_t)f->set_len, batch, (uint32_t)doc->id_len,
                      (uint32_t)src_len};
    memcpy(v.mv_data, &h, sizeof h);
    memcpy((char *)v.mv_data + sizeof h, doc->id, doc->id_len);
    if (src_len) memcpy((char *)v.mv_data + sizeof h + doc->id_len, doc->source, src_len);
    /* features */
    v.mv_size = dp_fstore_blob_size(f, s->bands);
    if ((rc = mdb_put(txn, s->db_feat, &dk, &v, MDB_RESERVE | MDB_APPEND)))
        return dp_store_mdb_fail(s, err, rc, "writing features");
    dp_fstore_pack(f, s->bands, v.mv_data);
    /* id */
    unsigned char kb[ID_KEY_MAX];
    MDB_val ik = id_key(doc->id, doc->id_len, kb), iv = {sizeof key, &key};
    rc = mdb_put(txn, s->db_ids, &ik, &iv, MDB_NOOVERWRITE);
    *duplicate_id = rc == MDB_KEYEXIST;
    if (rc && rc != MDB_KEYEXIST) return dp_store_mdb_fail(s, err, rc, "writing an id");
    /* relations */
    for (size_t i = 0; i < m->nfound; i++) {
        const struct found *x = &m->found[i];
        dp_edge_val e = {{(unsigned char)(x->docnum >> 24), (unsigned char)(x->docnum >> 16),
                          (unsigned char)(x->docnum >> 8), (unsigned char)x->docnum},
                         x->shared, (uint8_t)x->rel, {0}};
        MDB_val ev = {sizeof e, &e};
        if ((rc = mdb_put(txn, s->db_edges, &dk, &ev, 0)))
            return dp_store_mdb_fail(s, err, rc, "writing relations");
    }
    return DOPPEL_OK;
}

struct doppel_store_writer {
    doppel_store *s;
    MDB_txn *txn;
    dp_store_counters c;
    matcher m;
    dp_features feats[CHUNK];
    size_t feats_ready;
    dp_store_worker *workers[DP_MAX_THREADS];
    unsigned nworkers;
    uint32_t batch;
    int failed;
};

static void writer_release(doppel_store_writer *w) {
    doppel_store *s = w->s;
    matcher_free(&w->m);
    for (size_t i = 0; i < w->feats_ready; i++) dp_features_free(&w->feats[i], s->cfg.num_perm, s->bands);
    for (unsigned t = 0; t < w->nworkers; t++) dp_store_worker_put(s, w->workers[t]);
    dp_free(w, sizeof *w);
    dp_store_write_end(s);
}

doppel_status doppel_store_begin(doppel_store *s, doppel_store_writer **out, doppel_error *err) {
    *out = NULL;
    doppel_status st = dp_store_write_begin(s, err);
    if (st) return st;
    doppel_store_writer *w = dp_calloc(1, sizeof *w);
    if (!w) {
        dp_store_write_end(s);
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    }
    w->s = s;
    int rc = dp_store_txn_begin(s, 0, &w->txn);
    if (rc) st = dp_store_mdb_fail(s, err, rc, "starting a transaction");
    if (!st) st = dp_store_read_counters(s, w->txn, &w->c, err);
    if (st) {
        if (w->txn) mdb_txn_abort(w->txn);
        writer_release(w);
        return st;
    }
    w->batch = (uint32_t)(w->c.batches + 1);
    *out = w;
    return DOPPEL_OK;
}

/* Workers and feature slots for n documents at a time, made on first need. */
static doppel_status writer_reserve(doppel_store_writer *w, size_t n, unsigned threads,
                                    doppel_error *err) {
    doppel_store *s = w->s;
    for (; w->nworkers < threads; w->nworkers++)
        if (!(w->workers[w->nworkers] = dp_store_worker_get(s)))
            return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    for (; w->feats_ready < n; w->feats_ready++)
        if (dp_features_init(&w->feats[w->feats_ready], s->cfg.num_perm, s->bands))
            return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    return DOPPEL_OK;
}

doppel_status doppel_store_write(doppel_store_writer *w, const doppel_store_doc *docs, size_t n,
                                 doppel_store_result *results, doppel_error *err) {
    doppel_store *s = w->s;
    for (size_t i = 0; results && i < n; i++)
        results[i] = (doppel_store_result){.status = DOPPEL_ERR_STATE, .docnum = UINT32_MAX};
    if (w->failed)
        return dp_fail(err, DOPPEL_ERR_STATE, "index %s: an earlier error ended this add", s->dir);
    unsigned threads = DP_MAX(1u, DP_MIN(s->threads, (unsigned)((n + 63) / 64)));
    doppel_status st = writer_reserve(w, DP_MIN(n, (size_t)CHUNK), threads, err);
    matcher *m = &w->m;
    dp_store_counters *c = &w->c;
    for (size_t from = 0; !st && from < n; from += CHUNK) {
        size_t len = DP_MIN((size_t)CHUNK, n - from);
        compute_all(s, w->workers, threads, docs + from, w->feats, len);
        for (size_t i = 0; !st && i < len; i++) {
            const doppel_store_doc *doc = &docs[from + i];
            const dp_features *f = &w->feats[i];
            doppel_store_result *r = results ? &results[from + i] : NULL;
            if (f->status != DOPPEL_OK) {
                doppel_status ds = bad_doc(doc, f, err);
                if (ds != DOPPEL_ERR_EMPTY && ds != DOPPEL_ERR_FORMAT) st = ds;
                else if (r) r->status = ds;
                continue;
            }
            if (c->next_doc >= UINT32_MAX - 1) {
                st = dp_fail(err, DOPPEL_ERR_LIMIT, "index %s: more than %u documents", s->dir,
                             UINT32_MAX - 1);
                break;
            }
            uint32_t d = (uint32_t)c->next_doc;
            int dup = 0;
            m->postings_added = 0;
            if ((st = match_one(s, w->txn, m, f, d, err))) break;
            if ((st = record(s, w->txn, doc, f, m, d, w->batch, &dup, err))) break;
            c->next_doc++;
            c->docs++;
            c->relations += m->nfound;
            c->postings += m->postings_added;
            if (r) {
                r->status = DOPPEL_OK;
                r->docnum = d;
                r->duplicate_id = dup;
                st = fill_result(s, w->txn, m, f, r, err);
            }
        }
    }
    if (st) {
        w->failed = 1;
        if (results) {
            doppel_store_results_free(results, n);
            for (size_t i = 0; i < n; i++)
                results[i] = (doppel_store_result){.status = DOPPEL_ERR_STATE, .docnum = UINT32_MAX};
        }
    }
    return st;
}

doppel_status doppel_store_commit(doppel_store_writer *w, doppel_error *err) {
    doppel_store *s = w->s;
    doppel_status st = DOPPEL_OK;
    if (w->failed) st = dp_fail(err, DOPPEL_ERR_STATE, "index %s: an earlier error ended this add", s->dir);
    /* cursors before the transaction ends */
    if (w->m.post) {
        mdb_cursor_close(w->m.post);
        w->m.post = NULL;
    }
    if (!st) {
        w->c.batches++;
        st = dp_store_write_counters(s, w->txn, &w->c, err);
    }
    int rc;
    if (!st && (rc = mdb_txn_commit(w->txn))) st = dp_store_mdb_fail(s, err, rc, "committing");
    else if (st) mdb_txn_abort(w->txn);
    writer_release(w);
    return st;
}

void doppel_store_abort(doppel_store_writer *w) {
    if (!w) return;
    if (w->m.post) {
        mdb_cursor_close(w->m.post);
        w->m.post = NULL;
    }
    mdb_txn_abort(w->txn);
    writer_release(w);
}

doppel_status doppel_store_add(doppel_store *s, const doppel_store_doc *docs, size_t n,
                               doppel_store_result *results, doppel_error *err) {
    doppel_store_writer *w;
    doppel_status st = doppel_store_begin(s, &w, err);
    for (size_t i = 0; st && results && i < n; i++)
        results[i] = (doppel_store_result){.status = DOPPEL_ERR_STATE, .docnum = UINT32_MAX};
    if (st) return st;
    st = doppel_store_write(w, docs, n, results, err);
    if (st) {
        doppel_store_abort(w);
        return st;
    }
    st = doppel_store_commit(w, err);
    if (st && results) {
        doppel_store_results_free(results, n);
        for (size_t i = 0; i < n; i++)
            results[i] = (doppel_store_result){.status = DOPPEL_ERR_STATE, .docnum = UINT32_MAX};
    }
    return st;
}

doppel_status doppel_store_check(doppel_store *s, const doppel_store_doc *docs, size_t n,
                                 doppel_store_result *results, doppel_error *err) {
    for (size_t i = 0; results && i < n; i++)
        results[i] = (doppel_store_result){.status = DOPPEL_ERR_STATE, .docnum = UINT32_MAX};
    dp_store_worker *w = dp_store_worker_get(s);
    if (!w) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    MDB_txn *txn;
    int rc = dp_store_txn_begin(s, MDB_RDONLY, &txn);
    if (rc) {
        dp_store_worker_put(s, w);
        return dp_store_mdb_fail(s, err, rc, "reading");
    }
    matcher m = {0};
    doppel_status st = DOPPEL_OK;
    for (size_t i = 0; !st && i < n; i++) {
        dp_fstore_compute(&s->cfg, s->bands, s->rows, &w->scratch, docs[i].text,
                          docs[i].text_len, &w->feat);
        doppel_store_result *r = results ? &results[i] : NULL;
        if (w->feat.status != DOPPEL_OK) {
            doppel_status ds = bad_doc(&docs[i], &w->feat, err);
            if (ds != DOPPEL_ERR_EMPTY && ds != DOPPEL_ERR_FORMAT) st = ds;
            else if (r) r->status = ds;
            continue;
        }
        if ((st = match_one(s, txn, &m, &w->feat, UINT32_MAX, err))) break;
        if (r) {
            r->status = DOPPEL_OK;
            st = fill_result(s, txn, &m, &w->feat, r, err);
        }
    }
    matcher_free(&m);
    mdb_txn_abort(txn);
    dp_store_worker_put(s, w);
    return st;
}
