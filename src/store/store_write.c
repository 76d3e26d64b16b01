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
#include <stdio.h>
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
    dp_writer_prefault_stop(w);
    dp_writer_dirs_free(w);
    dp_runs_mem_free(&w->runs, w->mem_first);
    dp_matcher_free(&w->m);
    dp_free(w->ents, w->ents_cap * sizeof *w->ents);
    dp_free(w->cands, w->cands_cap * sizeof *w->cands);
    dp_free(w->sort_tmp, w->sort_tmp_cap * sizeof *w->sort_tmp);
    dp_free(w->members, w->members_cap * sizeof *w->members);
    dp_free(w->new_keys, w->new_keys_cap * sizeof *w->new_keys);
    dp_chunk_free(&w->chunk[0]);
    dp_chunk_free(&w->chunk[1]);
    dp_prints_cache_free(&w->rprints);
    dp_free(w->pnew, w->pnew_cap * sizeof *w->pnew);
    dp_free(w->gkeys, w->gkeys_cap * sizeof *w->gkeys);
    dp_free(w->gpos, w->gpos_cap * sizeof *w->gpos);
    dp_free(w->gcount, w->gcount_cap * sizeof *w->gcount);
    for (unsigned t = 0; t < DP_MAX_THREADS; t++) {
        dp_fstore_scratch_free(&w->vscratch[t]);
        dp_fstore_view_free(&w->vview[t]);
    }
    dp_free(w->new_docs, w->new_docs_cap * sizeof *w->new_docs);
    for (int b = 0; b < 3; b++) {
        for (size_t i = 0; i < w->feats_ready[b]; i++)
            dp_features_free(&w->feats[b][i], s->cfg.num_perm, s->keys);
        dp_free(w->sents[b], w->sents_cap * sizeof *w->sents[b]);
        dp_free(w->sents_tmp[b], w->sents_cap * sizeof *w->sents_tmp[b]);
        dp_ahead *a = &w->ahead[b];
        dp_free(a->keys, a->keys_cap * sizeof *a->keys);
        dp_free(a->pos, a->pos_cap * sizeof *a->pos);
        dp_free(a->count, a->count_cap * sizeof *a->count);
    }
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
    w->mem_first = w->runs.n;
    if (!st && s->stories) st = dp_story_batch_new(s, &w->story, err);
    if (st) {
        if (w->txn) mdb_txn_abort(w->txn);
        writer_release(w);
        return st;
    }
    w->batch = (uint32_t)(w->c.batches + 1);
    w->first_doc = w->c.next_doc;
    /* while the caller reads its input */
    dp_writer_map_ahead(w);
    dp_writer_dirs_start(w);
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
    for (int b = 0; b < (threads > 1 ? 3 : 1); b++)
        for (; w->feats_ready[b] < n; w->feats_ready[b]++)
            if (dp_features_init(&w->feats[b][w->feats_ready[b]], s->cfg.num_perm, s->keys))
                return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    if (threads > 1 && !w->sents_cap) {
        size_t cap = (size_t)CHUNK * s->keys;
        for (int b = 0; b < 3; b++)
            if (!(w->sents[b] = dp_malloc(cap * sizeof *w->sents[b])) ||
                !(w->sents_tmp[b] = dp_malloc(cap * sizeof *w->sents_tmp[b]))) {
                for (int c = 0; c <= b; c++) {
                    dp_free(w->sents[c], cap * sizeof *w->sents[c]);
                    dp_free(w->sents_tmp[c], cap * sizeof *w->sents_tmp[c]);
                    w->sents[c] = w->sents_tmp[c] = NULL;
                }
                return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
            }
        w->sents_cap = cap;
    }
    return DOPPEL_OK;
}

/* ---- the pipeline ------------------------------------------------------------------ */

/* What the other threads (threads - 1 of them) do while the transaction's
 * thread matches chunk k + 1 and records chunk k - 1's relations: chunk k's
 * verification, then the features of chunk k + 2; the transaction's thread
 * joins in when its match is done (bg_join). Why shared: the match and
 * this work take turns being the longer one, chunk by chunk; a thread that
 * waited for the other left a core idle (at priority, the transaction's
 * thread waited 21-33 ms of most ~50 ms chunks). Work is taken
 * a document or VBLOCK pairs at a time; each item is computed alone into
 * its own slot, so who does it does not change the result. Only the
 * resolution of the chunk's pending pairs (the read transaction w->rtxn,
 * one thread's at a time) is one thread's: background thread 0 does it
 * first; the others compute features meanwhile. Nothing here touches the
 * write transaction. */
#define VBLOCK 32  /* consecutive pairs share candidates: the aligner's table stays warm */

typedef struct bgtask bgtask;
typedef struct bgpart {
    bgtask *b;
    unsigned t;             /* background thread t; the transaction's thread is nbg */
} bgpart;

struct bgtask {
    doppel_store_writer *w;
    unsigned nbg;                   /* background threads */
    dp_chunk *verify;               /* NULL: nothing to verify */
    const doppel_store_doc *docs;   /* features of docs[0..n) into feats */
    dp_features *feats;
    size_t n;
    int slot;                       /* feats is w->feats[slot] */
    atomic_size_t next_doc, next_pair, done_doc;
    atomic_int keys_ready;          /* the ahead lookups' keys: 0 not yet, 1 ready, -1 none
                                       (set under lock, broadcast) */
    atomic_size_t next_piece;       /* the next piece of them to look up (run by run) */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int resolved;                   /* under lock: 0 not yet, 1 done, -1 failed */
    doppel_status st;               /* the resolution's */
    doppel_error err;
    bgpart part[DP_MAX_THREADS];
    pthread_t tid[DP_MAX_THREADS];
    int started[DP_MAX_THREADS];
};

/* Participant t's slots: background thread t has worker t + 1 and
 * verification slot t; the transaction's thread (t = nbg) worker 0 and
 * slot nbg. */
static void bg_features(bgtask *b, unsigned t) {
    doppel_store *s = b->w->s;
    dp_store_worker *wk = b->w->workers[t == b->nbg ? 0 : t + 1];
    for (;;) {
        size_t i = atomic_fetch_add(&b->next_doc, 1);
        if (i >= b->n) break;
        dp_fstore_compute(&s->cfg, s->bands, s->rows, &wk->scratch, b->docs[i].text,
                          b->docs[i].text_len, &b->feats[i]);
        /* the last document's: the chunk's postings sorted, for its match */
        if (atomic_fetch_add(&b->done_doc, 1) + 1 == b->n) {
            b->w->nsents[b->slot] = dp_chunk_sort_postings(s, b->feats, b->n, b->w->sents[b->slot],
                                                           b->w->sents_tmp[b->slot]);
            int ready = dp_chunk_ahead_keys(b->w, b->slot) ? -1 : 1;
            pthread_mutex_lock(&b->lock);
            atomic_store(&b->keys_ready, ready);
            pthread_cond_broadcast(&b->cond);
            pthread_mutex_unlock(&b->lock);
        }
    }
}

/* The chunk's keys looked up in the stored runs, LPIECE keys of one run
 * at a time, once they are sorted; wait: first wait for them (every
 * document has been taken; the last one's thread sorts them). Why here:
 * the lookups are cache misses over runs far larger than the caches, a
 * quarter of the transaction's thread at 1M documents; the stored runs do
 * not change during a write, so any thread may search them ahead of the
 * chunk's match. Why pieces and the wait: a run's lookups were one item
 * (10 ms at 600k documents), and a thread that came before the keys were
 * sorted went on without them: the transaction's thread waited 0.35 s of
 * a 2.9 s write for the others to finish them. */
#define LPIECE 4096

static void bg_lookups(bgtask *b, int wait) {
    if (wait && atomic_load(&b->keys_ready) == 0) {
        pthread_mutex_lock(&b->lock);
        while (atomic_load(&b->keys_ready) == 0) pthread_cond_wait(&b->cond, &b->lock);
        pthread_mutex_unlock(&b->lock);
    }
    if (atomic_load(&b->keys_ready) != 1) return;
    size_t m = b->w->ahead[b->slot].nkeys, pieces = (m + LPIECE - 1) / LPIECE;
    for (;;) {
        size_t q = atomic_fetch_add(&b->next_piece, 1);
        if (!pieces || q >= pieces * b->w->mem_first) break;
        size_t from = q % pieces * LPIECE;
        dp_chunk_ahead_run(b->w, b->slot, (uint32_t)(q / pieces), from, DP_MIN(from + LPIECE, m));
    }
}

static void bg_verify(bgtask *b, unsigned t) {
    if (!b->verify) return;
    size_t n = b->verify->nver;
    for (;;) {
        size_t q = atomic_fetch_add(&b->next_pair, VBLOCK);
        if (q >= n) break;
        dp_chunk_verify_pairs(b->w, b->verify, t, q, DP_MIN(q + VBLOCK, n));
    }
}

static void bg_part(bgtask *b, unsigned t) {
    if (t == 0) {
        doppel_status st = b->verify ? dp_chunk_resolve(b->w, b->verify, &b->err) : DOPPEL_OK;
        pthread_mutex_lock(&b->lock);
        b->st = st;
        b->resolved = st ? -1 : 1;
        pthread_cond_broadcast(&b->cond);
        pthread_mutex_unlock(&b->lock);
        if (!st) bg_verify(b, t);
        bg_features(b, t);
        bg_lookups(b, 1);
        return;
    }
    bg_features(b, t);
    bg_lookups(b, 0);
    pthread_mutex_lock(&b->lock);
    while (!b->resolved) pthread_cond_wait(&b->cond, &b->lock);
    int ok = b->resolved > 0;
    pthread_mutex_unlock(&b->lock);
    if (ok) bg_verify(b, t);
    bg_lookups(b, 1);
}

static void *bg_thread(void *p) {
    bgpart *part = p;
    bg_part(part->b, part->t);
    return NULL;
}

/* Start b (its task set by bg_set). */
static void bg_start(bgtask *b) {
    atomic_init(&b->next_doc, 0);
    atomic_init(&b->next_pair, 0);
    atomic_init(&b->done_doc, 0);
    atomic_init(&b->keys_ready, b->n ? 0 : -1);  /* no documents: no keys */
    atomic_init(&b->next_piece, 0);
    b->w->ahead[b->slot].runs = 0;
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->cond, NULL);
    b->resolved = 0;
    b->st = DOPPEL_OK;
    for (unsigned t = 0; t < b->nbg; t++) {
        b->part[t] = (bgpart){b, t};
        b->started[t] = pthread_create(&b->tid[t], NULL, bg_thread, &b->part[t]) == 0;
    }
}

/* The transaction's thread: b's remaining work (with the parts no thread
 * could be started for, background thread 0's first), then wait for b; its
 * verification's status (err set on failure). */
static doppel_status bg_join(bgtask *b, doppel_error *err) {
    for (unsigned t = 0; t < b->nbg; t++)
        if (!b->started[t]) bg_part(b, t);
    bg_part(b, b->nbg);
    for (unsigned t = 0; t < b->nbg; t++)
        if (b->started[t]) pthread_join(b->tid[t], NULL);
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->cond);
    if (atomic_load(&b->keys_ready) == 1) b->w->ahead[b->slot].runs = b->w->mem_first;
    doppel_status st = b->st;
    if (st && err) *err = b->err;
    if (!st && b->verify) st = dp_chunk_verified(b->w, b->verify, err);
    return st;
}

static void bg_set(bgtask *b, doppel_store_writer *w, unsigned nbg, dp_chunk *verify,
                   const doppel_store_doc *docs, int slot, size_t n) {
    b->w = w;
    b->nbg = nbg;
    b->verify = verify;
    b->docs = docs;
    b->feats = w->feats[slot];
    b->slot = slot;
    b->n = n;
}

/* The chunk of docs[from..) (feats: its computed features). */
static dp_chunk *chunk_at(doppel_store_writer *w, size_t k, const doppel_store_doc *docs,
                          size_t n, doppel_store_result *results, const dp_features *feats) {
    dp_chunk *c = &w->chunk[k & 1];
    size_t from = k * CHUNK;
    c->docs = docs + from;
    c->results = results ? results + from : NULL;
    c->feats = feats;
    c->sents = NULL;
    c->nsents = 0;
    c->ahead = (dp_ahead){0};
    c->len = DP_MIN((size_t)CHUNK, n - from);
    return c;
}

/* One thread: each chunk's features, match, verification and relations in turn. */
static doppel_status write_serial(doppel_store_writer *w, const doppel_store_doc *docs, size_t n,
                                  doppel_store_result *results, doppel_error *err) {
    doppel_status st = DOPPEL_OK;
    for (size_t k = 0; !st && k * CHUNK < n; k++) {
        dp_chunk *c = chunk_at(w, k, docs, n, results, w->feats[0]);
        compute_all(w->s, w->workers, 1, c->docs, w->feats[0], c->len);
        st = dp_chunk_match(w, c, err);
        if (!st) st = dp_chunk_verify(w, c, 1, err);
        if (!st) st = dp_chunk_relate(w, c, err);
    }
    return st;
}

/* Several threads: the transaction's thread matches chunk k (LMDB, in input
 * order) and then records chunk k - 1's relations while the others verify
 * chunk k and compute chunk k + 2's features. Every step reads what it
 * reads when run in turn (a chunk's match does not depend on the previous
 * chunk's relations), so the result is the same for any thread count. */
static doppel_status write_pipelined(doppel_store_writer *w, unsigned threads,
                                     const doppel_store_doc *docs, size_t n,
                                     doppel_store_result *results, doppel_error *err) {
    size_t chunks = (n + CHUNK - 1) / CHUNK;
    /* committed candidates are read by the verifying threads in a read
     * transaction of their own (a transaction is one thread's at a time):
     * the last commit, which the write transaction started from */
    int rc = dp_store_txn_begin(w->s, MDB_RDONLY, &w->rtxn);
    if (rc) {
        w->rtxn = NULL;
        return dp_store_mdb_fail(w->s, err, rc, "reading");
    }
    dp_prints_cache_reset(&w->rprints);
    compute_all(w->s, w->workers, threads, docs, w->feats[0], DP_MIN((size_t)CHUNK, n));
    bgtask *bg = dp_calloc(1, sizeof *bg);  /* large (per-thread slots): not on the stack */
    if (!bg) {
        mdb_txn_abort(w->rtxn);
        w->rtxn = NULL;
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    }
    bg_set(bg, w, threads - 1, NULL, docs + DP_MIN((size_t)CHUNK, n), 1,
           chunks > 1 ? DP_MIN((size_t)CHUNK, n - CHUNK) : 0);
    bg_start(bg);
    int running = 1;
    doppel_status st = DOPPEL_OK;
    for (size_t k = 0; k < chunks; k++) {
        dp_chunk *c = chunk_at(w, k, docs, n, results, w->feats[k % 3]);
        if (k) {  /* computed ahead, with its postings sorted */
            c->sents = w->sents[k % 3];
            c->nsents = w->nsents[k % 3];
            c->ahead = w->ahead[k % 3];
        }
        st = dp_chunk_match(w, c, err);
        doppel_status bs = bg_join(bg, st ? NULL : err);  /* chunk k - 1 verified */
        running = 0;
        if (!st) st = bs;
        if (st) break;
        size_t ahead = (k + 2) * CHUNK;
        bg_set(bg, w, threads - 1, c, docs + DP_MIN(ahead, n), (int)((k + 2) % 3),
               ahead < n ? DP_MIN((size_t)CHUNK, n - ahead) : 0);
        bg_start(bg);
        running = 1;
        if (k && (st = dp_chunk_relate(w, &w->chunk[(k - 1) & 1], err))) break;
    }
    if (running) {
        doppel_status bs = bg_join(bg, st ? NULL : err);
        if (!st) st = bs;
    }
    if (!st && chunks) st = dp_chunk_relate(w, &w->chunk[(chunks - 1) & 1], err);
    dp_free(bg, sizeof *bg);
    mdb_txn_abort(w->rtxn);
    w->rtxn = NULL;
    return st;
}

doppel_status doppel_store_write(doppel_store_writer *w, const doppel_store_doc *docs, size_t n,
                                 doppel_store_result *results, doppel_error *err) {
    doppel_store *s = w->s;
    for (size_t i = 0; results && i < n; i++)
        results[i] = (doppel_store_result){.status = DOPPEL_ERR_STATE, .docnum = UINT32_MAX,
                                              .story = DOPPEL_STORE_NO_STORY};
    if (w->failed)
        return dp_fail(err, DOPPEL_ERR_STATE, "index %s: an earlier error ended this add", s->dir);
    dp_writer_prefault_stop(w);  /* the cores are this write's now */
    unsigned threads = DP_MAX(1u, DP_MIN(s->threads, (unsigned)((n + 63) / 64)));
    doppel_status st = writer_reserve(w, DP_MIN(n, (size_t)CHUNK), threads, err);
    if (!st && n)
        st = threads > 1 ? write_pipelined(w, threads, docs, n, results, err)
                         : write_serial(w, docs, n, results, err);
    /* the add's postings stored before they take too much memory (the
     * stored runs change only here, between writes, and at the commit) */
    if (!st && dp_runs_mem_count(&w->runs, w->mem_first) > DP_RUNS_MEM_MAX) {
        dp_writer_dirs_free(w);
        st = dp_runs_mem_flush(s, w->txn, &w->runs, w->mem_first, err);
        w->mem_first = w->runs.n;
        if (!st) dp_writer_dirs_build(w);
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
    /* the add's postings, then the stories, in the same transaction as the documents */
    dp_writer_dirs_free(w);
    if (!st) {
        st = dp_runs_mem_flush(s, w->txn, &w->runs, w->mem_first, err);
        w->mem_first = w->runs.n;
    }
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
