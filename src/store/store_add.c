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
#include "base/sort.h"
#include "store/store_impl.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* Documents whose features are computed at once (memory: one dp_features each). */
#define CHUNK 1024  /* at most 1024: the chunk place takes 10 bits of a sort key */

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
    uint32_t *lsh;          /* the candidates an LSH band proposed (sorted; add only):
                               the others came by reuse slots alone */
    size_t nlsh, lsh_cap;
    dp_fstore_view other;
    dp_fstore_scratch verify;
    struct found {
        uint32_t docnum, shared, other_len;
        doppel_relation rel;
        doppel_similarity sim;
        float cover[2];     /* the earlier document's, then the new one's */
        int lsh;            /* proposed by an LSH band (else by reuse slots alone) */
    } *found;
    size_t nfound, found_cap;
    uint32_t *rec;          /* the pre-filter record of the document matched */
    size_t rec_cap;
    dp_prints_cache prints; /* where the candidates' records are */
} matcher;

static void matcher_free(matcher *m) {
    dp_free(m->cand, m->cand_cap * sizeof *m->cand);
    dp_free(m->lsh, m->lsh_cap * sizeof *m->lsh);
    dp_free(m->found, m->found_cap * sizeof *m->found);
    dp_free(m->rec, m->rec_cap * sizeof *m->rec);
    dp_prints_cache_free(&m->prints);
    dp_fstore_view_free(&m->other);
    dp_fstore_scratch_free(&m->verify);
}

static int cmp_u32(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

static doppel_status push_found(matcher *m, uint32_t d, doppel_relation rel,
                                const doppel_similarity *sim, uint32_t other_len,
                                const float cover[2], doppel_error *err) {
    if (m->nfound == m->found_cap &&
        dp_grow((void **)&m->found, &m->found_cap, m->nfound + 1, sizeof *m->found))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    m->found[m->nfound++] = (struct found){d, sim->shared, other_len, rel, *sim,
                                           {cover[0], cover[1]}, 1};
    return DOPPEL_OK;
}

/* The first document with f's text: pushed as an EXACT relation and *found
 * set; else, with self != UINT32_MAX, the text is recorded as self's (self
 * becomes the text's first document). */
static doppel_status exact_lookup(doppel_store *s, MDB_txn *txn, matcher *m,
                                  const dp_features *f, uint32_t self, int *found,
                                  doppel_error *err) {
    *found = 0;
    size_t tkey = (size_t)f->text_hash;
    MDB_val k = {sizeof tkey, &tkey}, v;
    int rc = mdb_get(txn, s->db_text, &k, &v);
    if (rc == 0) {
        /* The same normalized text: an exact copy of that text's first
         * document, which alone takes part in the LSH (as in the batch). */
        uint32_t rep;
        memcpy(&rep, v.mv_data, 4);
        dp_meta_head h;
        if (dp_store_meta(s, txn, rep, &h, NULL, NULL) == 0) {
            doppel_similarity same = {1.0, 1.0, 1.0, h.set_len};
            static const float whole[2] = {1.0f, 1.0f};
            *found = 1;
            return push_found(m, rep, DOPPEL_REL_EXACT, &same, h.set_len, whole, err);
        }
        rc = MDB_NOTFOUND;  /* the first was expired: this one takes its place */
    }
    if (rc != MDB_NOTFOUND) return dp_store_mdb_fail(s, err, rc, "looking up a text");
    if (self != UINT32_MAX) {
        unsigned int sv = self;
        MDB_val key = {sizeof tkey, &tkey}, val = {sizeof sv, &sv};
        if ((rc = mdb_put(txn, s->db_text, &key, &val, 0)))
            return dp_store_mdb_fail(s, err, rc, "writing a text key");
    }
    return DOPPEL_OK;
}

/* The pre-filter's decision on candidate c for a document with record
 * rec: 1 verify, 0 dropped (as the batch finish drops it, before reading
 * the candidate's features), -1 c has no record (expired). */
static int prefilter_keeps(const doppel_store *s, MDB_txn *txn, dp_prints_cache *pc, uint32_t c,
                           const uint32_t *rec, int *rc) {
    *rc = 0;
    if (!dp_fstore_prefilter_words(&s->prefilter)) return 1;
    const uint32_t *other;
    if ((*rc = dp_prints_get(s, txn, pc, c, &other))) return 0;
    if (!other) return -1;
    return dp_fstore_prefilter_keeps(&s->prefilter, other, rec);
}

/* Verify the candidates m->cand[0..ncand) (any order, duplicates allowed)
 * against features f; relations found go to m->found in docnum order. */
static doppel_status verify_candidates(doppel_store *s, MDB_txn *txn, matcher *m,
                                       const dp_features *f, doppel_error *err) {
    if (!m->ncand) return DOPPEL_OK;
    qsort(m->cand, m->ncand, sizeof *m->cand, cmp_u32);
    /* The new document's features, viewed without a copy. */
    dp_fstore_view me = dp_fstore_view_of(f);
    unsigned words = dp_fstore_prefilter_words(&s->prefilter);
    if (words) {
        if (dp_grow((void **)&m->rec, &m->rec_cap, words, sizeof *m->rec))
            return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        dp_fstore_prefilter_record(&s->prefilter, f, s->bands, m->rec);
    }
    for (size_t i = 0; i < m->ncand; i++) {
        if (i && m->cand[i] == m->cand[i - 1]) continue;
        uint32_t c = m->cand[i];
        int rc, keep = prefilter_keeps(s, txn, &m->prints, c, m->rec, &rc);
        if (rc) return dp_store_mdb_fail(s, err, rc, "reading signature prints");
        if (keep <= 0) continue;
        unsigned int ck = c;
        MDB_val fk = {sizeof ck, &ck}, fv;
        rc = mdb_get(txn, s->db_feat, &fk, &fv);
        if (rc == MDB_NOTFOUND) continue;  /* expired; its postings are gone with it */
        if (rc) return dp_store_mdb_fail(s, err, rc, "reading features");
        doppel_status st = dp_fstore_read(fv.mv_data, fv.mv_size, s->keys, 0, &m->other);
        if (st)
            return dp_fail(err, st, "index %s: features of document %u are damaged", s->dir, c);
        doppel_similarity sim;
        doppel_relation rel;
        float cover[2];
        /* The candidate is the earlier document, as the batch's a; its
         * docnum names its words for the aligner's table. */
        if (dp_fstore_verify(&s->cfg, &m->verify, &m->other, (uint64_t)c + 1, &me, &sim, &rel,
                             cover))
            return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        if (rel != DOPPEL_REL_NONE &&
            (st = push_found(m, c, rel, &sim, m->other.set_len, cover, err)))
            return st;
        if (rel != DOPPEL_REL_NONE)
            m->found[m->nfound - 1].lsh =
                m->nlsh && bsearch(&c, m->lsh, m->nlsh, sizeof *m->lsh, cmp_u32) != NULL;
    }
    return DOPPEL_OK;
}

/* The relations of one document with features f to the indexed documents
 * (m->found, in docnum order), adding nothing: check. */
static doppel_status match_one(doppel_store *s, MDB_txn *txn, matcher *m, const dp_runs *runs,
                               const dp_features *f, doppel_error *err) {
    m->ncand = m->nfound = 0;
    int ex;
    doppel_status st = exact_lookup(s, txn, m, f, UINT32_MAX, &ex, err);
    if (st || ex) return st;
    unsigned max_bucket = s->cfg.max_bucket;
    size_t lo[DP_RUNS_MAX], hi[DP_RUNS_MAX];
    for (unsigned b = 0; b < s->keys; b++) {
        uint64_t key = (uint64_t)b << 32 | f->band[b];
        uint32_t last = 0;
        size_t count = dp_runs_find(runs, key, lo, hi, &last);
        if (!count) continue;
        /* A reuse slot held by more than the cap pairs nobody. */
        if (b >= s->bands && count + 1 > DP_FSTORE_REUSE_CAP) continue;
        if (dp_grow((void **)&m->cand, &m->cand_cap, m->ncand + count, sizeof *m->cand))
            return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        if (count + 1 > max_bucket) {
            /* A bucket past max_bucket: the batch links its members as a
             * chain; a new last member pairs with the one before. */
            m->cand[m->ncand++] = last;
            continue;
        }
        for (uint32_t r = 0; r < runs->n; r++)
            for (size_t i = lo[r]; i < hi[r]; i++) m->cand[m->ncand++] = runs->r[r].docs[i];
    }
    return verify_candidates(s, txn, m, f, err);
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

/* Record document d (features f): its metadata, features and id. */
static doppel_status record_doc(doppel_store *s, MDB_txn *txn, const doppel_store_doc *doc,
                                const dp_features *f, uint32_t d, uint32_t batch,
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
                      (uint32_t)src_len, (uint32_t)f->words_len, 0};
    memcpy(v.mv_data, &h, sizeof h);
    memcpy((char *)v.mv_data + sizeof h, doc->id, doc->id_len);
    if (src_len) memcpy((char *)v.mv_data + sizeof h + doc->id_len, doc->source, src_len);
    /* features */
    v.mv_size = dp_fstore_blob_size(f, s->keys);
    if ((rc = mdb_put(txn, s->db_feat, &dk, &v, MDB_RESERVE | MDB_APPEND)))
        return dp_store_mdb_fail(s, err, rc, "writing features");
    dp_fstore_pack(f, s->keys, v.mv_data);
    /* id */
    unsigned char kb[ID_KEY_MAX];
    MDB_val ik = id_key(doc->id, doc->id_len, kb), iv = {sizeof key, &key};
    rc = mdb_put(txn, s->db_ids, &ik, &iv, MDB_NOOVERWRITE);
    *duplicate_id = rc == MDB_KEYEXIST;
    if (rc && rc != MDB_KEYEXIST) return dp_store_mdb_fail(s, err, rc, "writing an id");
    return DOPPEL_OK;
}

/* Record d's relations m->found. */
static doppel_status record_edges(doppel_store *s, MDB_txn *txn, const matcher *m, uint32_t d,
                                  doppel_error *err) {
    unsigned int key = d;
    MDB_val dk = {sizeof key, &key};
    int rc;
    for (size_t i = 0; i < m->nfound; i++) {
        const struct found *x = &m->found[i];
        dp_edge_val e = {{(unsigned char)(x->docnum >> 24), (unsigned char)(x->docnum >> 16),
                          (unsigned char)(x->docnum >> 8), (unsigned char)x->docnum},
                         x->shared, (uint8_t)x->rel, (uint8_t)(x->lsh != 0), {0, 0},
                         x->cover[0], x->cover[1]};
        MDB_val ev = {sizeof e, &e};
        if ((rc = mdb_put(txn, s->db_edges, &dk, &ev, 0)))
            return dp_store_mdb_fail(s, err, rc, "writing relations");
    }
    return DOPPEL_OK;
}

/* One band posting of a document of the chunk, packed to sort as one
 * integer by (band, band hash, place in the chunk): band << 42 | hash << 10
 * | place (bands <= 1024). One candidate: place << 32 | docnum. */
static inline uint64_t ent_pack(unsigned band, uint32_t hash, uint32_t i) {
    return (uint64_t)band << 42 | (uint64_t)hash << 10 | i;
}
static inline uint64_t ent_key(uint64_t e) { return (e >> 42) << 32 | (e >> 10 & 0xffffffffu); }
static inline uint32_t ent_place(uint64_t e) { return (uint32_t)(e & 1023); }

struct doppel_store_writer {
    doppel_store *s;
    MDB_txn *txn;
    dp_store_counters c;
    matcher m;
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
    struct vcand {              /* one pair of the chunk to verify */
        uint32_t cand, place;
        const void *blob;       /* the candidate's features, in the map */
        size_t blob_len;
        int lsh;
        doppel_status status;   /* out: */
        doppel_relation rel;
        doppel_similarity sim;
        float cover[2];
        uint32_t other_len;
    } *ver;
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

static void writer_release(doppel_store_writer *w) {
    doppel_store *s = w->s;
    matcher_free(&w->m);
    dp_free(w->ents, w->ents_cap * sizeof *w->ents);
    dp_free(w->cands, w->cands_cap * sizeof *w->cands);
    dp_free(w->sort_tmp, w->sort_tmp_cap * sizeof *w->sort_tmp);
    dp_free(w->members, w->members_cap * sizeof *w->members);
    dp_free(w->new_keys, w->new_keys_cap * sizeof *w->new_keys);
    dp_free(w->ver, w->ver_cap * sizeof *w->ver);
    dp_free(w->prec, w->prec_cap * sizeof *w->prec);
    dp_free(w->pnew, w->pnew_cap * sizeof *w->pnew);
    dp_free(w->gkeys, w->gkeys_cap * sizeof *w->gkeys);
    dp_free(w->gpos, w->gpos_cap * sizeof *w->gpos);
    dp_free(w->gcount, w->gcount_cap * sizeof *w->gcount);
    for (unsigned t = 0; t < DP_MAX_THREADS; t++) {
        dp_fstore_scratch_free(&w->vscratch[t]);
        dp_fstore_view_free(&w->vview[t]);
    }
    dp_free(w->new_docs, w->new_docs_cap * sizeof *w->new_docs);
    for (int b = 0; b < 2; b++)
        for (size_t i = 0; i < w->feats_ready[b]; i++)
            dp_features_free(&w->feats[b][i], s->cfg.num_perm, s->keys);
    for (unsigned t = 0; t < w->nworkers; t++) dp_store_worker_put(s, w->workers[t]);
    dp_story_batch_free(w->story);
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
    if (!st) st = dp_runs_load(s, w->txn, &w->runs, err);
    if (!st && s->stories) st = dp_story_batch_new(s, &w->story, err);
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
    for (int b = 0; b < (threads > 1 ? 2 : 1); b++)
        for (; w->feats_ready[b] < n; w->feats_ready[b]++)
            if (dp_features_init(&w->feats[b][w->feats_ready[b]], s->cfg.num_perm, s->keys))
                return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    return DOPPEL_OK;
}

/* A candidate: place << 32 | docnum, and bit 48 when an LSH band proposed
 * it (above the bytes the sort reads). */
#define CAND_LSH ((uint64_t)1 << 48)
static doppel_status push_cand(doppel_store_writer *w, uint32_t i, uint32_t cand, int lsh,
                               doppel_error *err) {
    if (w->ncands == w->cands_cap &&
        dp_grow((void **)&w->cands, &w->cands_cap, w->ncands + 1, sizeof *w->cands))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    w->cands[w->ncands++] = (uint64_t)i << 32 | cand | (lsh ? CAND_LSH : 0);
    return DOPPEL_OK;
}

/* Candidates of the chunk's documents from one bucket (ents[g0..g1), one
 * key, in chunk order), then their postings. A document's candidates are
 * the bucket's members before it, indexed or earlier in the chunk, as the
 * batch LSH pairs them: all of them while the bucket holds at most
 * max_bucket with it, else (a chain) the last one. */
static doppel_status bucket(doppel_store_writer *w, size_t g0, size_t g1, size_t gk,
                            doppel_error *err) {
    doppel_store *s = w->s;
    uint64_t key = ent_key(w->ents[g0]);
    size_t c0 = 0, nm = 0;
    uint32_t last = 0;
    const dp_runs *rs = &w->runs;
    size_t lo[DP_RUNS_MAX], hi[DP_RUNS_MAX];
    for (uint32_t r = 0; r < rs->n; r++) {
        lo[r] = (size_t)w->gpos[(size_t)r * w->ngkeys + gk];
        hi[r] = lo[r] + w->gcount[(size_t)r * w->ngkeys + gk];
        c0 += hi[r] - lo[r];
        if (hi[r] > lo[r]) last = rs->r[r].docs[hi[r] - 1];
    }
    if (c0 && c0 < s->cfg.max_bucket) {
        if (dp_grow((void **)&w->members, &w->members_cap, c0, sizeof *w->members))
            return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        for (uint32_t r = 0; r < rs->n; r++)
            for (size_t i = lo[r]; i < hi[r]; i++) w->members[nm++] = rs->r[r].docs[i];
    }
    doppel_status st = DOPPEL_OK;
    int capped = (key >> 32) >= s->bands;  /* a reuse slot */
    for (size_t j = g0; !st && j < g1; j++) {
        uint32_t i = ent_place(w->ents[j]);
        size_t earlier = j - g0, total = c0 + earlier;
        if (total == 0) continue;
        /* A reuse slot held by more than the cap pairs nobody (the batch
         * drops the bucket; here only what comes after the cap is lost). */
        if (capped && total + 1 > DP_FSTORE_REUSE_CAP) continue;
        if (total + 1 > s->cfg.max_bucket) {
            st = push_cand(w, i, earlier ? w->docnum[ent_place(w->ents[j - 1])] : last, !capped,
                           err);
            continue;
        }
        for (size_t k = 0; !st && k < nm; k++) st = push_cand(w, i, w->members[k], !capped, err);
        for (size_t k = g0; !st && k < j; k++)
            st = push_cand(w, i, w->docnum[ent_place(w->ents[k])], !capped, err);
    }
    /* the chunk's postings, in (key, docnum) order: places ascend with docnums */
    if (!st && (dp_grow((void **)&w->new_keys, &w->new_keys_cap, w->nnew + (g1 - g0), 8) ||
                dp_grow((void **)&w->new_docs, &w->new_docs_cap, w->nnew + (g1 - g0), 4)))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    for (size_t j = g0; !st && j < g1; j++) {
        w->new_keys[w->nnew] = key;
        w->new_docs[w->nnew++] = w->docnum[ent_place(w->ents[j])];
        w->c.postings++;
    }
    return st;
}

/* Verification of the chunk's pairs w->ver on threads (each pair alone:
 * the candidate's stored features against the new document's). */
typedef struct vjob {
    doppel_store_writer *w;
    const dp_features *feats;
    unsigned t, nthreads;
} vjob;

static void *verify_worker(void *p) {
    vjob *j = p;
    doppel_store_writer *w = j->w;
    doppel_store *s = w->s;
    size_t from = w->nver * j->t / j->nthreads, to = w->nver * (j->t + 1) / j->nthreads;
    for (size_t q = from; q < to; q++) {
        struct vcand *v = &w->ver[q];
        dp_fstore_view me = dp_fstore_view_of(&j->feats[v->place]);
        v->status = dp_fstore_read(v->blob, v->blob_len, s->keys, 0, &w->vview[j->t]);
        if (v->status) continue;
        v->other_len = w->vview[j->t].set_len;
        /* The candidate is the earlier document, as the batch's a; its
         * docnum names its words for the aligner's table. */
        if (dp_fstore_verify(&s->cfg, &w->vscratch[j->t], &w->vview[j->t], (uint64_t)v->cand + 1,
                             &me, &v->sim, &v->rel, v->cover))
            v->status = DOPPEL_ERR_NOMEM;
    }
    return NULL;
}

static doppel_status verify_parallel(doppel_store_writer *w, const dp_features *feats,
                                     doppel_error *err) {
    doppel_store *s = w->s;
    unsigned threads = DP_MAX(1u, DP_MIN(s->threads, (unsigned)((w->nver + 15) / 16)));
    vjob jobs[DP_MAX_THREADS];
    pthread_t tid[DP_MAX_THREADS];
    int started[DP_MAX_THREADS] = {0};
    for (unsigned t = 0; t < threads; t++) jobs[t] = (vjob){w, feats, t, threads};
    for (unsigned t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, verify_worker, &jobs[t]) == 0;
    verify_worker(&jobs[0]);
    for (unsigned t = 1; t < threads; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else verify_worker(&jobs[t]);
    }
    for (size_t q = 0; q < w->nver; q++) {
        const struct vcand *v = &w->ver[q];
        if (v->status == DOPPEL_ERR_NOMEM) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        if (v->status)
            return dp_fail(err, v->status, "index %s: features of document %u are damaged", s->dir,
                           v->cand);
    }
    return DOPPEL_OK;
}

/* Add one chunk of documents whose features are computed (feats).
 * Postings are read and written in key order over the whole chunk (LMDB
 * then finds each key from the last one's page: ~3x fewer page visits than
 * document by document) with the same candidates for every document as
 * taken one by one. */
static doppel_status write_chunk(doppel_store_writer *w, const dp_features *feats,
                                 const doppel_store_doc *docs, size_t len,
                                 doppel_store_result *results, doppel_error *err) {
    doppel_store *s = w->s;
    matcher *m = &w->m;
    dp_store_counters *c = &w->c;
    doppel_status st = DOPPEL_OK;
    w->nents = w->ncands = 0;
    unsigned words = dp_fstore_prefilter_words(&s->prefilter);
    if (words && (dp_grow((void **)&w->prec, &w->prec_cap, (size_t)CHUNK * words, sizeof *w->prec) ||
                  dp_grow((void **)&w->pnew, &w->pnew_cap, (size_t)CHUNK * words, sizeof *w->pnew)))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    w->npnew = 0;
    /* 1: numbers, exact copies, records; the postings to look up */
    for (size_t i = 0; !st && i < len; i++) {
        const dp_features *f = &feats[i];
        w->docnum[i] = UINT32_MAX;
        if (f->status != DOPPEL_OK) {
            doppel_status ds = bad_doc(&docs[i], f, err);
            if (ds != DOPPEL_ERR_EMPTY && ds != DOPPEL_ERR_FORMAT) st = ds;
            else if (results) results[i].status = ds;
            continue;
        }
        if (c->next_doc >= UINT32_MAX - 1)
            return dp_fail(err, DOPPEL_ERR_LIMIT, "index %s: more than %u documents", s->dir,
                           UINT32_MAX - 1);
        uint32_t d = (uint32_t)c->next_doc++;
        w->docnum[i] = d;
        m->nfound = 0;
        int ex;
        if ((st = exact_lookup(s, w->txn, m, f, d, &ex, err))) break;
        w->exact_rep[i] = ex ? m->found[0].docnum : UINT32_MAX;
        w->exact_len[i] = ex ? m->found[0].other_len : 0;
        if (!ex && words) {
            /* its pre-filter record: its candidates' and, as a candidate
             * of later documents, its own */
            dp_fstore_prefilter_record(&s->prefilter, f, s->bands, w->prec + i * words);
            memcpy(w->pnew + w->npnew * words, w->prec + i * words, (size_t)words * 4);
            w->pdoc[w->npnew++] = d;
        }
        if (!ex) {
            if (dp_grow((void **)&w->ents, &w->ents_cap, w->nents + s->keys, sizeof *w->ents))
                return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
            for (unsigned b = 0; b < s->keys; b++)
                w->ents[w->nents++] = ent_pack(b, f->band[b], (uint32_t)i);
        }
        st = record_doc(s, w->txn, &docs[i], f, d, w->batch, &w->dup[i], err);
        if (!st && w->story) st = dp_story_keep(w->story, &docs[i], f->text_hash, d, err);
    }
    /* the chunk's records, before its own documents look them up */
    if (!st) st = dp_prints_put(s, w->txn, w->pdoc, w->pnew, w->npnew, err);
    dp_prints_cache_reset(&m->prints);
    if (st) return st;
    /* 2: buckets in key order */
    if (dp_grow((void **)&w->sort_tmp, &w->sort_tmp_cap, DP_MAX(w->nents, (size_t)1), sizeof *w->sort_tmp))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    dp_sort_u64_bytes(w->ents, w->sort_tmp, w->nents, 0, 7);
    /* 2a: where each distinct key is in each run, a run at a time */
    if (dp_grow((void **)&w->gkeys, &w->gkeys_cap, DP_MAX(w->nents, (size_t)1), sizeof *w->gkeys))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    w->ngkeys = 0;
    for (size_t j = 0; j < w->nents; j++)
        if (!w->ngkeys || w->gkeys[w->ngkeys - 1] != ent_key(w->ents[j]))
            w->gkeys[w->ngkeys++] = ent_key(w->ents[j]);
    size_t npos = DP_MAX((size_t)w->runs.n * w->ngkeys, (size_t)1);
    if (dp_grow((void **)&w->gpos, &w->gpos_cap, npos, sizeof *w->gpos) ||
        dp_grow((void **)&w->gcount, &w->gcount_cap, npos, sizeof *w->gcount))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    for (uint32_t r = 0; r < w->runs.n; r++)
        dp_run_lower_all(&w->runs.r[r], w->gkeys, w->ngkeys, w->gpos + (size_t)r * w->ngkeys,
                         w->gcount + (size_t)r * w->ngkeys);
    /* 2b: each bucket's candidates and postings */
    w->nnew = 0;
    for (size_t g0 = 0, g1, gk = 0; !st && g0 < w->nents; g0 = g1, gk++) {
        for (g1 = g0 + 1; g1 < w->nents && ent_key(w->ents[g1]) == ent_key(w->ents[g0]); g1++) {
        }
        st = bucket(w, g0, g1, gk, err);
    }
    /* the chunk's postings: one more run (the next chunk sees them) */
    if (!st) st = dp_runs_append(s, w->txn, &w->runs, w->new_keys, w->new_docs, w->nnew, err);
    if (st) return st;
    /* 3: verification, relations, results, in chunk order */
    if (dp_grow((void **)&w->sort_tmp, &w->sort_tmp_cap, DP_MAX(w->ncands, (size_t)1), sizeof *w->sort_tmp))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    dp_sort_u64_bytes(w->cands, w->sort_tmp, w->ncands, 0, 6);
    /* 3a: each document's candidates, once each (they come sorted by place,
     * then docnum), with their stored features: LMDB is read here, on this
     * thread, which owns the write transaction */
    w->nver = 0;
    for (size_t i = 0, k = 0; i < len; i++) {
        size_t k0 = k;
        while (k < w->ncands && (w->cands[k] >> 32 & 0xffff) == i) k++;
        w->vbeg[i] = w->nver;
        if (w->docnum[i] == UINT32_MAX || w->exact_rep[i] != UINT32_MAX) {
            w->vend[i] = w->nver;
            continue;
        }
        if (dp_grow((void **)&w->ver, &w->ver_cap, w->nver + (k - k0), sizeof *w->ver))
            return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        uint32_t prev = UINT32_MAX;
        for (size_t q = k0; q < k; q++) {
            uint32_t cd = (uint32_t)w->cands[q];
            int lsh = (w->cands[q] & CAND_LSH) != 0;
            if (cd == prev) {
                /* the same candidate by another key */
                if (w->nver > w->vbeg[i] && w->ver[w->nver - 1].cand == cd)
                    w->ver[w->nver - 1].lsh |= lsh;
                continue;
            }
            prev = cd;
            /* the pre-filter first: a dropped pair's features are not read */
            int rc, keep = prefilter_keeps(s, w->txn, &m->prints, cd,
                                           words ? w->prec + i * words : NULL, &rc);
            if (rc) return dp_store_mdb_fail(s, err, rc, "reading signature prints");
            if (keep <= 0) {
                c->prefiltered += keep == 0;
                continue;
            }
            unsigned int ck = cd;
            MDB_val fk = {sizeof ck, &ck}, fv;
            rc = mdb_get(w->txn, s->db_feat, &fk, &fv);
            if (rc == MDB_NOTFOUND) continue;  /* expired; its postings are gone with it */
            if (rc) return dp_store_mdb_fail(s, err, rc, "reading features");
            w->ver[w->nver++] = (struct vcand){.cand = cd, .place = (uint32_t)i,
                                               .blob = fv.mv_data, .blob_len = fv.mv_size,
                                               .lsh = lsh, .rel = DOPPEL_REL_NONE};
        }
        w->vend[i] = w->nver;
    }
    /* 3b: verification, the pure computation, on every thread */
    st = verify_parallel(w, feats, err);
    if (st) return st;
    /* 3c: relations, results, in chunk order */
    for (size_t i = 0; !st && i < len; i++) {
        if (w->docnum[i] == UINT32_MAX) continue;
        const dp_features *f = &feats[i];
        m->nfound = m->ncand = m->nlsh = 0;
        if (w->exact_rep[i] != UINT32_MAX) {
            doppel_similarity same = {1.0, 1.0, 1.0, w->exact_len[i]};
            static const float whole[2] = {1.0f, 1.0f};
            st = push_found(m, w->exact_rep[i], DOPPEL_REL_EXACT, &same, w->exact_len[i], whole,
                            err);
        }
        for (size_t q = w->vbeg[i]; !st && q < w->vend[i]; q++) {
            const struct vcand *v = &w->ver[q];
            if (v->rel == DOPPEL_REL_NONE) continue;
            st = push_found(m, v->cand, v->rel, &v->sim, v->other_len, v->cover, err);
            if (!st) m->found[m->nfound - 1].lsh = v->lsh;
        }
        if (!st) st = record_edges(s, w->txn, m, w->docnum[i], err);
        for (size_t q = 0; !st && w->story && q < m->nfound; q++)
            if (dp_fstore_joins(&s->cfg, m->found[q].rel))
                st = dp_story_join(w->story, w->docnum[i], m->found[q].docnum, err);
        if (st) break;
        c->docs++;
        c->relations += m->nfound;
        if (results) {
            doppel_store_result *r = &results[i];
            r->status = DOPPEL_OK;
            r->docnum = w->docnum[i];
            r->duplicate_id = w->dup[i];
            st = fill_result(s, w->txn, m, f, r, err);
        }
    }
    return st;
}

/* Features of a chunk computed on a thread of its own (and threads - 1
 * workers in all). */
typedef struct background {
    doppel_store *s;
    dp_store_worker **workers;
    unsigned threads;
    const doppel_store_doc *docs;
    dp_features *feats;
    size_t n;
    int started;
    pthread_t tid;
} background;

static void *background_compute(void *p) {
    background *bg = p;
    compute_all(bg->s, bg->workers, bg->threads, bg->docs, bg->feats, bg->n);
    return NULL;
}

doppel_status doppel_store_write(doppel_store_writer *w, const doppel_store_doc *docs, size_t n,
                                 doppel_store_result *results, doppel_error *err) {
    doppel_store *s = w->s;
    for (size_t i = 0; results && i < n; i++)
        results[i] = (doppel_store_result){.status = DOPPEL_ERR_STATE, .docnum = UINT32_MAX,
                                              .story = DOPPEL_STORE_NO_STORY};
    if (w->failed)
        return dp_fail(err, DOPPEL_ERR_STATE, "index %s: an earlier error ended this add", s->dir);
    unsigned threads = DP_MAX(1u, DP_MIN(s->threads, (unsigned)((n + 63) / 64)));
    doppel_status st = writer_reserve(w, DP_MIN(n, (size_t)CHUNK), threads, err);
    /* The next chunk's features are computed on the other threads while
     * this one is added (the adding is serial: it follows input order). */
    int cur = 0;
    if (!st) compute_all(s, w->workers, threads, docs, w->feats[0], DP_MIN((size_t)CHUNK, n));
    for (size_t from = 0; !st && from < n; from += CHUNK) {
        size_t len = DP_MIN((size_t)CHUNK, n - from), next = from + CHUNK;
        size_t nlen = next < n ? DP_MIN((size_t)CHUNK, n - next) : 0;
        background bg = {s, w->workers + 1, threads - 1, docs + next, w->feats[!cur], nlen, 0, 0};
        if (nlen && threads > 1)
            bg.started = pthread_create(&bg.tid, NULL, background_compute, &bg) == 0;
        st = write_chunk(w, w->feats[cur], docs + from, len, results ? results + from : NULL, err);
        if (bg.started) pthread_join(bg.tid, NULL);
        else if (nlen)  /* one thread: one buffer, refilled after the add */
            compute_all(s, w->workers, threads, docs + next, w->feats[threads > 1 ? !cur : cur], nlen);
        if (threads > 1) cur = !cur;
    }
    if (st) {
        w->failed = 1;
        if (results) {
            doppel_store_results_free(results, n);
            for (size_t i = 0; i < n; i++)
                results[i] = (doppel_store_result){.status = DOPPEL_ERR_STATE, .docnum = UINT32_MAX,
                                              .story = DOPPEL_STORE_NO_STORY};
        }
    }
    return st;
}

/* Commit; results[0..n) (optional, the documents of doppel_store_add)
 * receive their story ids. */
static doppel_status writer_commit(doppel_store_writer *w, doppel_store_result *results, size_t n,
                                   const uint32_t *docnums, uint64_t *stories, size_t nd,
                                   doppel_error *err) {
    doppel_store *s = w->s;
    doppel_status st = DOPPEL_OK;
    if (w->failed) st = dp_fail(err, DOPPEL_ERR_STATE, "index %s: an earlier error ended this add", s->dir);
    /* the stories in the same transaction as the documents */
    if (!st && w->story) st = dp_story_commit(s, w->txn, w->story, err);
    if (!st) {
        w->c.batches++;
        st = dp_store_write_counters(s, w->txn, &w->c, err);
    }
    int rc;
    if (!st && (rc = mdb_txn_commit(w->txn))) st = dp_store_mdb_fail(s, err, rc, "committing");
    else if (st) mdb_txn_abort(w->txn);
    for (size_t i = 0; !st && w->story && results && i < n; i++)
        if (results[i].status == DOPPEL_OK)
            results[i].story = dp_story_batch_id(w->story, results[i].docnum);
    for (size_t i = 0; stories && i < nd; i++)
        stories[i] = !st && w->story ? dp_story_batch_id(w->story, docnums[i]) : DOPPEL_STORE_NO_STORY;
    writer_release(w);
    return st;
}

doppel_status doppel_store_commit(doppel_store_writer *w, doppel_error *err) {
    return writer_commit(w, NULL, 0, NULL, NULL, 0, err);
}

doppel_status doppel_store_commit_stories(doppel_store_writer *w, const uint32_t *docnums,
                                          size_t n, uint64_t *stories, doppel_error *err) {
    return writer_commit(w, NULL, 0, docnums, stories, n, err);
}

void doppel_store_abort(doppel_store_writer *w) {
    if (!w) return;
    mdb_txn_abort(w->txn);
    writer_release(w);
}

doppel_status doppel_store_add(doppel_store *s, const doppel_store_doc *docs, size_t n,
                               doppel_store_result *results, doppel_error *err) {
    doppel_store_writer *w;
    doppel_status st = doppel_store_begin(s, &w, err);
    for (size_t i = 0; st && results && i < n; i++)
        results[i] = (doppel_store_result){.status = DOPPEL_ERR_STATE, .docnum = UINT32_MAX,
                                              .story = DOPPEL_STORE_NO_STORY};
    if (st) return st;
    st = doppel_store_write(w, docs, n, results, err);
    if (st) {
        doppel_store_abort(w);
        return st;
    }
    st = writer_commit(w, results, n, NULL, NULL, 0, err);
    if (st && results) {
        doppel_store_results_free(results, n);
        for (size_t i = 0; i < n; i++)
            results[i] = (doppel_store_result){.status = DOPPEL_ERR_STATE, .docnum = UINT32_MAX,
                                              .story = DOPPEL_STORE_NO_STORY};
    }
    return st;
}

doppel_status doppel_store_check(doppel_store *s, const doppel_store_doc *docs, size_t n,
                                 doppel_store_result *results, doppel_error *err) {
    for (size_t i = 0; results && i < n; i++)
        results[i] = (doppel_store_result){.status = DOPPEL_ERR_STATE, .docnum = UINT32_MAX,
                                              .story = DOPPEL_STORE_NO_STORY};
    dp_store_worker *w = dp_store_worker_get(s);
    if (!w) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    MDB_txn *txn;
    int rc = dp_store_txn_begin(s, MDB_RDONLY, &txn);
    if (rc) {
        dp_store_worker_put(s, w);
        return dp_store_mdb_fail(s, err, rc, "reading");
    }
    matcher m = {0};
    dp_runs *runs = malloc(sizeof *runs);
    doppel_status st = runs ? dp_runs_load(s, txn, runs, err)
                            : dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
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
        if ((st = match_one(s, txn, &m, runs, &w->feat, err))) break;
        if (r) {
            r->status = DOPPEL_OK;
            st = fill_result(s, txn, &m, &w->feat, r, err);
        }
    }
    matcher_free(&m);
    free(runs);
    if (!st && s->stories && results) st = dp_story_check(s, txn, docs, n, results, err);
    mdb_txn_abort(txn);
    dp_store_worker_put(s, w);
    return st;
}
