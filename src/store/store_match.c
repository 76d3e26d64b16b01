/*
 * store_match.c — matching one document against the indexed ones: its
 * exact copy (the text hash), else its candidates from the postings (the
 * documents sharing a band bucket, as the batch LSH pairs them), dropped by
 * the signature pre-filter or verified by the copy engine; the result a
 * caller sees; and check (a read transaction, beside a writer).
 * store_write.c's batch writer uses the same pieces for its chunks.
 */
#include "store/store_match.h"

#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

/* The ids database's key for an id: LMDB keys are at most 511 bytes, so a
 * longer id is its first 480 bytes and a hash of the whole. */
#define ID_KEY_MAX 488
MDB_val dp_store_id_key(const char *id, size_t len, unsigned char *buf) {
    if (len <= ID_KEY_MAX) return (MDB_val){len, (void *)id};
    uint64_t h = XXH3_64bits(id, len);
    memcpy(buf, id, ID_KEY_MAX - 8);
    memcpy(buf + ID_KEY_MAX - 8, &h, 8);
    return (MDB_val){ID_KEY_MAX, buf};
}


void dp_matcher_free(dp_matcher *m) {
    dp_free(m->cand, m->cand_cap * sizeof *m->cand);
    dp_free(m->lsh, m->lsh_cap * sizeof *m->lsh);
    dp_free(m->found, m->found_cap * sizeof *m->found);
    dp_free(m->rec, m->rec_cap * sizeof *m->rec);
    dp_prints_cache_free(&m->prints);
    dp_fstore_view_free(&m->other);
    dp_feat_buf_free(&m->feat);
    dp_fstore_scratch_free(&m->verify);
}

static int cmp_u32(const void *x, const void *y) {
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

doppel_status dp_matcher_push(dp_matcher *m, uint32_t d, doppel_relation rel,
                                const doppel_similarity *sim, uint32_t other_len,
                                const float cover[2], doppel_error *err) {
    if (m->nfound == m->found_cap &&
        dp_grow((void **)&m->found, &m->found_cap, m->nfound + 1, sizeof *m->found))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    m->found[m->nfound++] = (dp_found){d, sim->shared, other_len, rel, *sim,
                                           {cover[0], cover[1]}, 1};
    return DOPPEL_OK;
}

/* The first document with f's text: pushed as an EXACT relation and *found
 * set; else, with self != UINT32_MAX, the text is recorded as self's (self
 * becomes the text's first document). */
doppel_status dp_match_exact(doppel_store *s, MDB_txn *txn, dp_matcher *m,
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
            return dp_matcher_push(m, rep, DOPPEL_REL_EXACT, &same, h.set_len, whole, err);
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
int dp_match_prefilter(const doppel_store *s, MDB_txn *txn, dp_prints_cache *pc, uint32_t c,
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
static doppel_status verify_candidates(doppel_store *s, MDB_txn *txn, dp_matcher *m,
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
        int rc, keep = dp_match_prefilter(s, txn, &m->prints, c, m->rec, &rc);
        if (rc) return dp_store_mdb_fail(s, err, rc, "reading signature prints");
        if (keep <= 0) continue;
        const void *blob;
        size_t blob_len, at;
        m->feat.len = 0;
        rc = dp_feat_get(s, txn, c, &m->feat, &blob, &blob_len, &at);
        if (rc == MDB_NOTFOUND) continue;  /* expired; its postings are gone with it */
        if (rc) return dp_store_mdb_fail(s, err, rc, "reading features");
        doppel_status st = dp_fstore_read(blob, blob_len, s->keys, 0, &m->other);
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
            (st = dp_matcher_push(m, c, rel, &sim, m->other.set_len, cover, err)))
            return st;
        if (rel != DOPPEL_REL_NONE)
            m->found[m->nfound - 1].lsh =
                m->nlsh && bsearch(&c, m->lsh, m->nlsh, sizeof *m->lsh, cmp_u32) != NULL;
    }
    return DOPPEL_OK;
}

/* The relations of one document with features f to the indexed documents
 * (m->found, in docnum order), adding nothing: check. */
static doppel_status match_one(doppel_store *s, MDB_txn *txn, dp_matcher *m, const dp_runs *runs,
                               const dp_features *f, doppel_error *err) {
    m->ncand = m->nfound = 0;
    int ex;
    doppel_status st = dp_match_exact(s, txn, m, f, UINT32_MAX, &ex, err);
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

doppel_status dp_match_result(doppel_store *s, MDB_txn *txn, const dp_matcher *m,
                              uint32_t set_len, uint32_t words_len, int64_t date,
                              doppel_store_result *r, doppel_error *err) {
    r->n_matches = 0;
    r->matches = NULL;
    if (!m->nfound) return DOPPEL_OK;
    r->matches = calloc(m->nfound, sizeof *r->matches);
    if (!r->matches) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < m->nfound; i++) {
        const dp_found *x = &m->found[i];
        double score = dp_fstore_score(x->rel, &x->sim, x->other_len, set_len);
        r->n_matches++;
        doppel_status st = dp_store_fill_match(s, txn, x->docnum, x->rel, (float)score, date,
                                               words_len, x->cover[0], x->cover[1],
                                               &r->matches[i], err);
        if (st) return st;
    }
    return DOPPEL_OK;
}

doppel_status dp_match_bad_doc(const doppel_store_doc *d, const dp_features *f, doppel_error *err) {
    if (f->status == DOPPEL_ERR_EMPTY || f->status == DOPPEL_ERR_FORMAT) return f->status;
    return dp_fail(err, f->status, "out of memory processing document '%.*s'",
                   (int)DP_MIN(d->id_len, 200), d->id);
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
    dp_matcher m = {0};
    dp_runs *runs = malloc(sizeof *runs);
    doppel_status st = runs ? dp_runs_load(s, txn, runs, err)
                            : dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        dp_fstore_compute(&s->cfg, s->bands, s->rows, &w->scratch, docs[i].text,
                          docs[i].text_len, &w->feat);
        doppel_store_result *r = results ? &results[i] : NULL;
        if (w->feat.status != DOPPEL_OK) {
            doppel_status ds = dp_match_bad_doc(&docs[i], &w->feat, err);
            if (ds != DOPPEL_ERR_EMPTY && ds != DOPPEL_ERR_FORMAT) st = ds;
            else if (r) r->status = ds;
            continue;
        }
        if ((st = match_one(s, txn, &m, runs, &w->feat, err))) break;
        if (r) {
            r->status = DOPPEL_OK;
            /* the date it would be recorded with */
            int64_t date = docs[i].date != DOPPEL_NO_DATE ? docs[i].date : w->feat.date;
            st = dp_match_result(s, txn, &m, (uint32_t)w->feat.set_len,
                                 (uint32_t)w->feat.words_len, date, r, err);
        }
    }
    dp_matcher_free(&m);
    free(runs);
    if (!st && s->stories && results) st = dp_story_check(s, txn, docs, n, results, err);
    mdb_txn_abort(txn);
    dp_store_worker_put(s, w);
    return st;
}
