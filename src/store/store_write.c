/*
 * store_write.c — the batch writer (doppel_store_begin / write / commit,
 * doppel_store_add): features computed on several threads, then each chunk
 * of documents matched in input order inside one transaction against its
 * candidates (documents sharing a band bucket, as the batch LSH pairs
 * them, indexed or earlier in the add), verified by the copy engine, and
 * recorded. Matching one document alone (check) is store_match.c's; both
 * share its exact lookup, pre-filter and result.
 *
 * Why matching in input order inside the write transaction: a document sees
 * every earlier one, committed or of its own batch, exactly as one batch
 * index over all of them would pair it, so any split into batches gives the
 * same relations.
 */
#include "base/sort.h"
#include "store/store_writer.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

static void writer_release(doppel_store_writer *w) {
    doppel_store *s = w->s;
    dp_matcher_free(&w->m);
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
        st = dp_write_chunk(w, w->feats[cur], docs + from, len, results ? results + from : NULL, err);
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
