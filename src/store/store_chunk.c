/*
 * store_chunk.c — one chunk of an add, step by step, in the write
 * transaction: (1) docnums, exact copies and records; (2) the chunk's band
 * postings in key order, each bucket's candidates (the members before a
 * document, indexed or earlier in the chunk, as the batch LSH pairs them)
 * and the chunk's postings as a new run; (3) each document's candidates
 * kept by the pre-filter, with their stored features; (4) verification on
 * several threads (the pure computation); (5) relations, story joins and
 * results in chunk order.
 */
#include "base/sort.h"
#include "store/store_writer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Record document d (features f): its metadata, features and id. */
static doppel_status record_doc(doppel_store *s, MDB_txn *txn, const doppel_store_doc *doc,
                                const dp_features *f, uint32_t d, uint32_t batch,
                                dp_feat_buf *tmp, int *duplicate_id, doppel_error *err) {
    unsigned int key = d;
    MDB_val dk = {sizeof key, &key}, v;
    int rc;
    /* meta */
    size_t src_len = doc->outlet ? doc->outlet_len : 0;
    size_t mlen = sizeof(dp_meta_head) + doc->id_len + src_len;
    v.mv_size = mlen;
    if ((rc = mdb_put(txn, s->db_meta, &dk, &v, MDB_RESERVE | MDB_APPEND)))
        return dp_store_mdb_fail(s, err, rc, "writing a document");
    dp_meta_head h = {doc->date != DOPPEL_NO_DATE ? doc->date : f->date, (int64_t)time(NULL),
                      f->text_hash, (uint32_t)f->set_len, batch, (uint32_t)doc->id_len,
                      (uint32_t)src_len, (uint32_t)f->words_len, 0};
    memcpy(v.mv_data, &h, sizeof h);
    memcpy((char *)v.mv_data + sizeof h, doc->id, doc->id_len);
    if (src_len) memcpy((char *)v.mv_data + sizeof h + doc->id_len, doc->outlet, src_len);
    doppel_status st = dp_feat_put(s, txn, d, f, tmp, err);
    if (st) return st;
    /* id */
    unsigned char kb[512];
    MDB_val ik = dp_store_id_key(doc->id, doc->id_len, kb), iv = {sizeof key, &key};
    rc = mdb_put(txn, s->db_ids, &ik, &iv, MDB_NOOVERWRITE);
    *duplicate_id = rc == MDB_KEYEXIST;
    if (rc && rc != MDB_KEYEXIST) return dp_store_mdb_fail(s, err, rc, "writing an id");
    return DOPPEL_OK;
}

/* Record d's relations m->found. */
static doppel_status record_edges(doppel_store *s, MDB_txn *txn, const dp_matcher *m, uint32_t d,
                                  doppel_error *err) {
    unsigned int key = d;
    MDB_val dk = {sizeof key, &key};
    int rc;
    for (size_t i = 0; i < m->nfound; i++) {
        const dp_found *x = &m->found[i];
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

size_t dp_chunk_sort_postings(const doppel_store *s, const dp_features *feats, size_t n,
                              uint64_t *out, uint64_t *tmp) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (feats[i].status == DOPPEL_OK)
            for (unsigned b = 0; b < s->keys; b++) out[m++] = ent_pack(b, feats[i].band[b], (uint32_t)i);
    dp_sort_u64_bytes(out, tmp, m, 0, 7);
    return m;
}

dp_run dp_writer_run(doppel_store_writer *w, uint32_t r) {
    dp_run run = w->runs.r[r];
    if (r < w->mem_first && atomic_load(&w->dirs_ready) && w->rdir[r]) {
        run.dir = w->rdir[r];
        run.dir_bits = w->rdir_bits[r];
        run.dir_bands = w->rdir_bands[r];
    }
    return run;
}

int dp_chunk_ahead_keys(doppel_store_writer *w, int b) {
    dp_ahead *a = &w->ahead[b];
    size_t n = w->nsents[b], nr = w->mem_first;
    if (dp_grow((void **)&a->keys, &a->keys_cap, DP_MAX(n, (size_t)1), sizeof *a->keys)) return -1;
    size_t m = 0;
    for (size_t j = 0; j < n; j++)
        if (!m || a->keys[m - 1] != ent_key(w->sents[b][j])) a->keys[m++] = ent_key(w->sents[b][j]);
    a->nkeys = m;
    if (dp_grow((void **)&a->pos, &a->pos_cap, DP_MAX(nr * m, (size_t)1), sizeof *a->pos) ||
        dp_grow((void **)&a->count, &a->count_cap, DP_MAX(nr * m, (size_t)1), sizeof *a->count))
        return -1;
    return 0;
}

void dp_chunk_ahead_run(doppel_store_writer *w, int b, uint32_t r, size_t from, size_t to) {
    dp_ahead *a = &w->ahead[b];
    size_t at = (size_t)r * a->nkeys + from;
    dp_run run = dp_writer_run(w, r);
    dp_run_lookup_all(&run, a->keys + from, to - from, a->pos + at, a->count + at);
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
static doppel_status bucket(doppel_store_writer *w, const uint32_t *docnum, size_t g0, size_t g1,
                            size_t gk, doppel_error *err) {
    doppel_store *s = w->s;
    uint64_t key = ent_key(w->ents[g0]);
    size_t c0 = 0, nm = 0;
    uint32_t last = 0;
    const dp_runs *rs = &w->runs;
    uint64_t ans[DP_RUNS_MAX];  /* dp_run_lookup_all's answers */
    uint32_t cnt[DP_RUNS_MAX];
    for (uint32_t r = 0; r < rs->n; r++) {
        ans[r] = w->gpos[(size_t)r * w->ngkeys + gk];
        cnt[r] = w->gcount[(size_t)r * w->ngkeys + gk];
        c0 += cnt[r];
        if (cnt[r]) last = dp_answer_last(&rs->r[r], ans[r], cnt[r]);
    }
    if (c0 && c0 < s->cfg.max_bucket) {
        if (dp_grow((void **)&w->members, &w->members_cap, c0, sizeof *w->members))
            return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        for (uint32_t r = 0; r < rs->n; r++) {
            dp_answer_members(&rs->r[r], ans[r], cnt[r], w->members + nm);
            nm += cnt[r];
        }
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
            st = push_cand(w, i, earlier ? docnum[ent_place(w->ents[j - 1])] : last, !capped,
                           err);
            continue;
        }
        for (size_t k = 0; !st && k < nm; k++) st = push_cand(w, i, w->members[k], !capped, err);
        for (size_t k = g0; !st && k < j; k++)
            st = push_cand(w, i, docnum[ent_place(w->ents[k])], !capped, err);
    }
    /* the chunk's postings, in (key, docnum) order: places ascend with docnums */
    if (!st && (dp_grow((void **)&w->new_keys, &w->new_keys_cap, w->nnew + (g1 - g0), 8) ||
                dp_grow((void **)&w->new_docs, &w->new_docs_cap, w->nnew + (g1 - g0), 4)))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    for (size_t j = g0; !st && j < g1; j++) {
        w->new_keys[w->nnew] = key;
        w->new_docs[w->nnew++] = docnum[ent_place(w->ents[j])];
        w->c.postings++;
    }
    return st;
}

/* Verification of pairs [from, to) of a chunk with scratch slot t (each
 * pair alone: the candidate's stored features against the new
 * document's; the result does not depend on the slot). */
void dp_chunk_verify_pairs(doppel_store_writer *w, dp_chunk *c, unsigned t, size_t from,
                           size_t to) {
    doppel_store *s = w->s;
    for (size_t q = from; q < to; q++) {
        dp_vcand *v = &c->ver[q];
        if (v->dropped) continue;
        dp_fstore_view me = dp_fstore_view_of(&c->feats[v->place]);
        v->status = dp_fstore_read(v->blob, v->blob_len, s->keys, 0, &w->vview[t]);
        if (v->status) continue;
        v->other_len = w->vview[t].set_len;
        /* The candidate is the earlier document, as the batch's a; its
         * docnum names its words for the aligner's table. */
        if (dp_fstore_verify(&s->cfg, &w->vscratch[t], &w->vview[t], (uint64_t)v->cand + 1,
                             &me, &v->sim, &v->rel, v->cover))
            v->status = DOPPEL_ERR_NOMEM;
    }
}

typedef struct vjob {
    doppel_store_writer *w;
    dp_chunk *c;
    unsigned t, nthreads;
} vjob;

static void *verify_worker(void *p) {
    vjob *j = p;
    size_t n = j->c->nver;
    dp_chunk_verify_pairs(j->w, j->c, j->t, n * j->t / j->nthreads, n * (j->t + 1) / j->nthreads);
    return NULL;
}

#define PREFETCH 8

doppel_status dp_chunk_resolve(doppel_store_writer *w, dp_chunk *c, doppel_error *err) {
    doppel_store *s = w->s;
    unsigned words = dp_fstore_prefilter_words(&s->prefilter);
    c->prefiltered = 0;
    for (size_t q = 0; q < c->nver; q++) {
        dp_vcand *v = &c->ver[q];
        /* the record of a pair PREFETCH ahead is fetched meanwhile (the
         * candidates are spread over the index: a cache miss each) */
        if (words && q + PREFETCH < c->nver)
            dp_prints_prefetch(&w->rprints, c->ver[q + PREFETCH].cand, words);
        if (!v->pending) continue;
        int rc, keep = dp_match_prefilter(s, w->rtxn, &w->rprints, v->cand,
                                          words ? c->prec + (size_t)v->place * words : NULL, &rc);
        if (rc) return dp_store_mdb_fail(s, err, rc, "reading signature prints");
        if (keep <= 0) {
            c->prefiltered += keep == 0;
            v->dropped = 1;
            continue;
        }
        rc = dp_feat_get(s, w->rtxn, v->cand, &c->rcopies, &v->blob, &v->blob_len, &v->copy_at);
        if (rc == MDB_NOTFOUND) {  /* expired; its postings are gone with it */
            v->dropped = 1;
            continue;
        }
        if (rc) return dp_store_mdb_fail(s, err, rc, "reading features");
    }
    /* the pieced blobs' addresses, now that the buffer no longer moves */
    for (size_t q = 0; q < c->nver; q++) {
        dp_vcand *v = &c->ver[q];
        if (v->pending && !v->dropped && v->copy_at != SIZE_MAX) v->blob = c->rcopies.p + v->copy_at;
    }
    return DOPPEL_OK;
}

doppel_status dp_chunk_verified(const doppel_store_writer *w, const dp_chunk *c,
                                doppel_error *err) {
    for (size_t q = 0; q < c->nver; q++) {
        const dp_vcand *v = &c->ver[q];
        if (v->dropped) continue;
        if (v->status == DOPPEL_ERR_NOMEM) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        if (v->status)
            return dp_fail(err, v->status, "index %s: features of document %u are damaged",
                           w->s->dir, v->cand);
    }
    return DOPPEL_OK;
}

doppel_status dp_chunk_verify(doppel_store_writer *w, dp_chunk *c, unsigned threads,
                              doppel_error *err) {
    doppel_status rs = dp_chunk_resolve(w, c, err);
    if (rs) return rs;
    threads = DP_MAX(1u, DP_MIN(threads, (unsigned)((c->nver + 15) / 16)));
    vjob jobs[DP_MAX_THREADS];
    pthread_t tid[DP_MAX_THREADS];
    int started[DP_MAX_THREADS] = {0};
    for (unsigned t = 0; t < threads; t++) jobs[t] = (vjob){w, c, t, threads};
    for (unsigned t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, verify_worker, &jobs[t]) == 0;
    verify_worker(&jobs[0]);
    for (unsigned t = 1; t < threads; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else verify_worker(&jobs[t]);
    }
    return dp_chunk_verified(w, c, err);
}

void dp_chunk_free(dp_chunk *c) {
    dp_free(c->ver, c->ver_cap * sizeof *c->ver);
    dp_feat_buf_free(&c->copies);
    dp_feat_buf_free(&c->rcopies);
    dp_free(c->prec, c->prec_cap * sizeof *c->prec);
    *c = (dp_chunk){0};
}

/* ---- one chunk, step by step --------------------------------------------------- */

/* Step 1: docnums, exact copies and records of the chunk's documents, in
 * input order; each first of its text gets its pre-filter record and its
 * band postings to look up (w->ents). */
static doppel_status chunk_record(doppel_store_writer *w, dp_chunk *ch, doppel_error *err) {
    doppel_store *s = w->s;
    dp_matcher *m = &w->m;
    dp_store_counters *c = &w->c;
    const dp_features *feats = ch->feats;
    const doppel_store_doc *docs = ch->docs;
    size_t len = ch->len;
    doppel_status st = DOPPEL_OK;
    unsigned words = dp_fstore_prefilter_words(&s->prefilter);
    w->nents = w->ncands = w->npnew = 0;
    if (words && (dp_grow((void **)&ch->prec, &ch->prec_cap, (size_t)CHUNK * words, sizeof *ch->prec) ||
                  dp_grow((void **)&w->pnew, &w->pnew_cap, (size_t)CHUNK * words, sizeof *w->pnew)))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < len; i++) {
        const dp_features *f = &feats[i];
        ch->docnum[i] = UINT32_MAX;
        if (f->status != DOPPEL_OK) {
            doppel_status ds = dp_match_bad_doc(&docs[i], f, err);
            if (ds != DOPPEL_ERR_EMPTY && ds != DOPPEL_ERR_FORMAT) st = ds;
            else if (ch->results) ch->results[i].status = ds;
            continue;
        }
        if (c->next_doc >= UINT32_MAX - 1)
            return dp_fail(err, DOPPEL_ERR_LIMIT, "index %s: more than %u documents", s->dir,
                           UINT32_MAX - 1);
        uint32_t d = (uint32_t)c->next_doc++;
        ch->docnum[i] = d;
        /* what the relations read once the features are reused */
        ch->set_len[i] = (uint32_t)f->set_len;
        ch->words_len[i] = (uint32_t)f->words_len;
        ch->date[i] = docs[i].date != DOPPEL_NO_DATE ? docs[i].date : f->date;
        m->nfound = 0;
        int ex;
        if ((st = dp_match_exact(s, w->txn, m, f, d, &ex, err))) break;
        ch->exact_rep[i] = ex ? m->found[0].docnum : UINT32_MAX;
        ch->exact_len[i] = ex ? m->found[0].other_len : 0;
        if (!ex && words) {
            /* its pre-filter record: its candidates' and, as a candidate
             * of later documents, its own */
            dp_fstore_prefilter_record(&s->prefilter, f, s->bands, ch->prec + i * words);
            memcpy(w->pnew + w->npnew * words, ch->prec + i * words, (size_t)words * 4);
            w->pdoc[w->npnew++] = d;
        }
        if (!ex && !ch->sents) {
            if (dp_grow((void **)&w->ents, &w->ents_cap, w->nents + s->keys, sizeof *w->ents))
                return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
            for (unsigned b = 0; b < s->keys; b++)
                w->ents[w->nents++] = ent_pack(b, f->band[b], (uint32_t)i);
        }
        st = record_doc(s, w->txn, &docs[i], f, d, w->batch, &w->m.feat, &ch->dup[i], err);
        if (!st && w->story) st = dp_story_keep(w->story, &docs[i], f->text_hash, d, err);
    }
    /* sorted ahead: the postings of the documents with docnums that are
     * not exact copies (a filter keeps the order: what the sort gives) */
    if (!st && ch->sents) {
        if (dp_grow((void **)&w->ents, &w->ents_cap, DP_MAX(ch->nsents, (size_t)1), sizeof *w->ents))
            return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        for (size_t j = 0; j < ch->nsents; j++) {
            uint32_t i = ent_place(ch->sents[j]);
            w->ents[w->nents] = ch->sents[j];
            w->nents += ch->docnum[i] != UINT32_MAX && ch->exact_rep[i] == UINT32_MAX;
        }
    }
    /* the chunk's records, before its own documents look them up */
    if (!st) st = dp_prints_put(s, w->txn, w->pdoc, w->pnew, w->npnew, err);
    dp_prints_cache_reset(&m->prints);
    return st;
}

/* Step 2: the chunk's postings in key order (LMDB then finds each key from
 * the last one's page: ~3x fewer page visits than document by document),
 * each bucket's candidates (w->cands) and the chunk's postings as one more
 * run in memory (the next chunk sees them; stored at the commit). */
static doppel_status chunk_buckets(doppel_store_writer *w, const dp_chunk *ch, doppel_error *err) {
    doppel_store *s = w->s;
    doppel_status st = DOPPEL_OK;
    if (dp_grow((void **)&w->sort_tmp, &w->sort_tmp_cap, DP_MAX(w->nents, (size_t)1), sizeof *w->sort_tmp))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    if (!ch->sents) dp_sort_u64_bytes(w->ents, w->sort_tmp, w->nents, 0, 7);
    /* where each distinct key is in each run, a run at a time */
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
    /* the stored runs' places looked up ahead (the chunk's keys are among
     * those of its sorted postings), the add's runs in memory here */
    uint32_t from = 0;
    const dp_ahead *a = &ch->ahead;
    if (a->runs && a->runs == w->mem_first) {
        from = a->runs;
        for (size_t gk = 0, ai = 0; gk < w->ngkeys; gk++) {
            while (a->keys[ai] < w->gkeys[gk]) ai++;
            for (uint32_t r = 0; r < from; r++) {
                w->gpos[(size_t)r * w->ngkeys + gk] = a->pos[(size_t)r * a->nkeys + ai];
                w->gcount[(size_t)r * w->ngkeys + gk] = a->count[(size_t)r * a->nkeys + ai];
            }
        }
    }
    for (uint32_t r = from; r < w->runs.n; r++) {
        dp_run run = dp_writer_run(w, r);
        dp_run_lookup_all(&run, w->gkeys, w->ngkeys, w->gpos + (size_t)r * w->ngkeys,
                         w->gcount + (size_t)r * w->ngkeys);
    }
    /* each bucket's candidates and postings */
    w->nnew = 0;
    for (size_t g0 = 0, g1, gk = 0; !st && g0 < w->nents; g0 = g1, gk++) {
        for (g1 = g0 + 1; g1 < w->nents && ent_key(w->ents[g1]) == ent_key(w->ents[g0]); g1++) {
        }
        st = bucket(w, ch->docnum, g0, g1, gk, err);
    }
    if (!st) st = dp_runs_mem_append(s, &w->runs, w->mem_first, w->new_keys, w->new_docs, w->nnew, err);
    return st;
}

/* Step 3: each document's candidates, once each (they come sorted by place,
 * then docnum), kept by the pre-filter, with their stored features (w->ver,
 * w->vbeg/vend by place): LMDB is read here, on this thread, which owns the
 * write transaction. */
static doppel_status chunk_gather(doppel_store_writer *w, dp_chunk *ch, doppel_error *err) {
    doppel_store *s = w->s;
    unsigned words = dp_fstore_prefilter_words(&s->prefilter);
    if (dp_grow((void **)&w->sort_tmp, &w->sort_tmp_cap, DP_MAX(w->ncands, (size_t)1), sizeof *w->sort_tmp))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    dp_sort_u64_bytes(w->cands, w->sort_tmp, w->ncands, 0, 6);
    ch->nver = ch->copies.len = ch->rcopies.len = 0;
    for (size_t i = 0, k = 0; i < ch->len; i++) {
        size_t k0 = k;
        while (k < w->ncands && (w->cands[k] >> 32 & 0xffff) == i) k++;
        ch->vbeg[i] = ch->nver;
        if (ch->docnum[i] == UINT32_MAX || ch->exact_rep[i] != UINT32_MAX) {
            ch->vend[i] = ch->nver;
            continue;
        }
        if (dp_grow((void **)&ch->ver, &ch->ver_cap, ch->nver + (k - k0), sizeof *ch->ver))
            return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        uint32_t prev = UINT32_MAX;
        for (size_t q = k0; q < k; q++) {
            uint32_t cd = (uint32_t)w->cands[q];
            int lsh = (w->cands[q] & CAND_LSH) != 0;
            if (cd == prev) {
                /* the same candidate by another key */
                if (ch->nver > ch->vbeg[i] && ch->ver[ch->nver - 1].cand == cd)
                    ch->ver[ch->nver - 1].lsh |= lsh;
                continue;
            }
            prev = cd;
            if (w->rtxn && cd < w->first_doc) {
                /* committed: decided and read on the verifying thread */
                ch->ver[ch->nver++] = (dp_vcand){.cand = cd, .place = (uint32_t)i,
                                                 .copy_at = SIZE_MAX, .lsh = lsh, .pending = 1,
                                                 .rel = DOPPEL_REL_NONE};
                continue;
            }
            /* the pre-filter first: a dropped pair's features are not read */
            int rc, keep = dp_match_prefilter(s, w->txn, &w->m.prints, cd,
                                              words ? ch->prec + i * words : NULL, &rc);
            if (rc) return dp_store_mdb_fail(s, err, rc, "reading signature prints");
            if (keep <= 0) {
                w->c.prefiltered += keep == 0;
                continue;
            }
            const void *blob;
            size_t blob_len, at;
            rc = dp_feat_get(s, w->txn, cd, &ch->copies, &blob, &blob_len, &at);
            if (rc == MDB_NOTFOUND) continue;  /* expired; its postings are gone with it */
            if (rc) return dp_store_mdb_fail(s, err, rc, "reading features");
            /* A committed page stays as it is until this transaction ends
             * (LMDB copies a page before changing it), so the verification
             * reads it in place beside the next chunk's writes; a page
             * this transaction wrote may be rewritten by them: a copy
             * (a blob in pieces is one already). */
            if (at == SIZE_MAX && cd >= w->first_doc) {
                /* aligned as LMDB's values are (the blob is read as words) */
                at = (ch->copies.len + 7) & ~(size_t)7;
                if (dp_grow((void **)&ch->copies.p, &ch->copies.cap, at + blob_len, 1))
                    return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
                memcpy(ch->copies.p + at, blob, blob_len);
                ch->copies.len = at + blob_len;
            }
            ch->ver[ch->nver++] = (dp_vcand){.cand = cd, .place = (uint32_t)i,
                                             .blob = blob, .blob_len = blob_len,
                                             .copy_at = at, .lsh = lsh, .rel = DOPPEL_REL_NONE};
        }
        ch->vend[i] = ch->nver;
    }
    /* the copies' addresses, now that the buffer no longer moves */
    for (size_t q = 0; q < ch->nver; q++)
        if (ch->ver[q].copy_at != SIZE_MAX) ch->ver[q].blob = ch->copies.p + ch->ver[q].copy_at;
    return DOPPEL_OK;
}

/* Step 5 (after verification, step 4): each document's relations recorded,
 * its story joins and its result, in chunk order. */
doppel_status dp_chunk_relate(doppel_store_writer *w, dp_chunk *ch, doppel_error *err) {
    doppel_store *s = w->s;
    dp_matcher *m = &w->m;
    doppel_status st = DOPPEL_OK;
    w->c.prefiltered += ch->prefiltered;
    ch->prefiltered = 0;
    for (size_t i = 0; !st && i < ch->len; i++) {
        if (ch->docnum[i] == UINT32_MAX) continue;
        m->nfound = m->ncand = m->nlsh = 0;
        if (ch->exact_rep[i] != UINT32_MAX) {
            doppel_similarity same = {1.0, 1.0, 1.0, ch->exact_len[i]};
            static const float whole[2] = {1.0f, 1.0f};
            st = dp_matcher_push(m, ch->exact_rep[i], DOPPEL_REL_EXACT, &same, ch->exact_len[i],
                                 whole, err);
        }
        for (size_t q = ch->vbeg[i]; !st && q < ch->vend[i]; q++) {
            const dp_vcand *v = &ch->ver[q];
            if (v->rel == DOPPEL_REL_NONE) continue;
            st = dp_matcher_push(m, v->cand, v->rel, &v->sim, v->other_len, v->cover, err);
            if (!st) m->found[m->nfound - 1].lsh = v->lsh;
        }
        if (!st) st = record_edges(s, w->txn, m, ch->docnum[i], err);
        for (size_t q = 0; !st && w->story && q < m->nfound; q++)
            if (dp_fstore_joins(&s->cfg, m->found[q].rel))
                st = dp_story_join(w->story, ch->docnum[i], m->found[q].docnum, err);
        if (st) break;
        w->c.docs++;
        w->c.relations += m->nfound;
        if (ch->results) {
            doppel_store_result *r = &ch->results[i];
            r->status = DOPPEL_OK;
            r->docnum = ch->docnum[i];
            r->duplicate_id = ch->dup[i];
            st = dp_match_result(s, w->txn, m, ch->set_len[i], ch->words_len[i], ch->date[i], r,
                                 err);
        }
    }
    return st;
}

doppel_status dp_chunk_match(doppel_store_writer *w, dp_chunk *c, doppel_error *err) {
    doppel_status st = chunk_record(w, c, err);
    if (!st) st = chunk_buckets(w, c, err);
    if (!st) st = chunk_gather(w, c, err);
    return st;
}

