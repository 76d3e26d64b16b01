/*
 * finish.c — from added documents to clusters: exact groups, LSH candidates,
 * verification of every candidate, union-find, canonical choice, and each
 * document's relation to its canonical.
 */
#include "copy/candruns.h"
#include "copy/cluster.h"
#include "copy/index_impl.h"
#include "copy/lsh.h"
#include "base/sort.h"
#include "copy/verify.h"
#include "copy/relate.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static doppel_status push_edge(doppel_index *idx, uint32_t a, uint32_t b,
                               const doppel_similarity *sim, doppel_relation rel) {
    if (idx->n_edges == idx->edges_cap &&
        dp_grow((void **)&idx->edges, &idx->edges_cap, idx->n_edges + 1, sizeof *idx->edges))
        return DOPPEL_ERR_NOMEM;
    idx->edges[idx->n_edges++] = make_edge(a, b, sim, rel);
    return DOPPEL_OK;
}

/* Docnums in order of (text hash, docnum) into order[n], scratch the n
 * values after it. Sorted as (upper half of the hash, docnum) pairs, which
 * the stable sort on hashes takes in one pass; a run of equal upper halves
 * (copies of one text, or rarely hashes that differ below) is then ordered
 * by the whole hash, stably, so that docnums stay ascending within it. */
static void by_text_hash(const uint64_t *hash, uint32_t n, uint64_t *order) {
    uint64_t *scratch = order + n;
    for (uint32_t d = 0; d < n; d++) scratch[d] = hash[d] >> 32 << 32 | d;
    dp_sort_u64_hi(scratch, order, n, 0);
    for (uint32_t start = 0, i = 1; i <= n; i++) {
        if (i < n && order[i] >> 32 == order[start] >> 32) continue;
        for (uint32_t k = start + 1; k < i; k++) {
            uint64_t x = order[k];
            uint32_t j = k;
            for (; j > start && hash[(uint32_t)order[j - 1]] > hash[(uint32_t)x]; j--)
                order[j] = order[j - 1];
            order[j] = x;
        }
        start = i;
    }
}

/* Documents with identical normalized text: linked to the group's first
 * member without sketch or verification. Fills exact_of. */
static doppel_status exact_groups(doppel_index *idx, doppel_error *err) {
    uint32_t n = idx->n;
    const uint64_t *hash = idx->text_hash;
    uint64_t *v = dp_malloc(2 * (size_t)n * sizeof *v + 1);
    if (!v) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    by_text_hash(hash, n, v);
    doppel_status st = DOPPEL_OK;
    const doppel_similarity same = {1.0, 1.0, 1.0, 0};
    for (uint32_t i = 0, first = 0; i < n && st == DOPPEL_OK; i++) {
        uint32_t doc = (uint32_t)v[i];
        if (i == 0 || hash[doc] != hash[(uint32_t)v[i - 1]]) first = doc;
        idx->exact_of[doc] = first;
        if (first != doc) {
            doppel_similarity s = same;
            s.shared = idx->set_len[first];
            st = push_edge(idx, first, doc, &s, DOPPEL_REL_EXACT);
            idx->stats.exact_groups++;
        }
    }
    dp_free(v, 2 * (size_t)n * sizeof *v + 1);
    return st ? dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory") : DOPPEL_OK;
}

/* Reads shingle sets back, caching the last "a" side: candidates come sorted
 * by a, so each a-set is read once per run of its pairs. The views point
 * into the spill's memory part, or at the buffers when read from its file. */
typedef struct {
    const uint32_t *a, *b;
    uint32_t *a_buf, *b_buf;
    size_t a_cap, b_cap;
    uint32_t a_doc;
    int have_a;
    const uint32_t *wa, *wb; /* word hashes, for alignment; wa cached like a */
    uint32_t *wa_buf, *wb_buf;
    size_t wa_cap, wb_cap;
    uint32_t wa_doc;
    int have_wa;
    dp_aligner aligner;
} set_reader;

static void set_reader_free(set_reader *r) {
    dp_free(r->a_buf, r->a_cap * sizeof *r->a_buf);
    dp_free(r->b_buf, r->b_cap * sizeof *r->b_buf);
    dp_free(r->wa_buf, r->wa_cap * sizeof *r->wa_buf);
    dp_free(r->wb_buf, r->wb_cap * sizeof *r->wb_buf);
    dp_aligner_free(&r->aligner);
}

/* Align documents a and b from their word hashes in the spill, and decide
 * their relation; fills the edge's coverage and passages. */
static doppel_status align_pair(doppel_index *idx, set_reader *r, uint32_t a, uint32_t b,
                                doppel_relation *rel, edge *e, doppel_error *err) {
    doppel_status st;
    if (!r->have_wa || r->wa_doc != a) {
        st = dp_spill_get(idx->spill, idx->set_off[a] + idx->set_len[a], idx->words_len[a],
                          &r->wa, &r->wa_buf, &r->wa_cap, err);
        if (st) return st;
        r->wa_doc = a;
        r->have_wa = 1;
    }
    st = dp_spill_get(idx->spill, idx->set_off[b] + idx->set_len[b], idx->words_len[b], &r->wb,
                      &r->wb_buf, &r->wb_cap, err);
    if (st) return st;
    dp_alignment al;
    if (dp_align_pair(&idx->cfg, &r->aligner, r->wa, idx->words_len[a], (uint64_t)a + 1, r->wb,
                      idx->words_len[b], &al, rel))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    e->cover_a = dp_cover_share(al.cover_a, al.na);
    e->cover_b = dp_cover_share(al.cover_b, al.nb);
    e->num_spans = (uint8_t)DP_MIN(al.num_spans, (uint32_t)DOPPEL_PAIR_PASSAGES);
    memcpy(e->spans, al.spans, e->num_spans * sizeof *al.spans);
    return DOPPEL_OK;
}

static doppel_status similarity_of(doppel_index *idx, set_reader *r, uint32_t a, uint32_t b,
                                   doppel_similarity *out, doppel_error *err) {
    if (!idx->spill) {
        unsigned k = idx->cfg.num_perm;
        *out = dp_similarity_estimate(idx->sig + (size_t)a * k, idx->sig + (size_t)b * k, k,
                                      idx->set_len[a], idx->set_len[b]);
        return DOPPEL_OK;
    }
    doppel_status st;
    if (!r->have_a || r->a_doc != a) {
        st = dp_spill_get(idx->spill, idx->set_off[a], idx->set_len[a], &r->a, &r->a_buf,
                          &r->a_cap, err);
        if (st) return st;
        r->a_doc = a;
        r->have_a = 1;
    }
    st = dp_spill_get(idx->spill, idx->set_off[b], idx->set_len[b], &r->b, &r->b_buf, &r->b_cap,
                      err);
    if (st) return st;
    uint32_t shared = dp_intersect_count(r->a, idx->set_len[a], r->b, idx->set_len[b]);
    *out = dp_similarity(idx->set_len[a], idx->set_len[b], shared);
    return DOPPEL_OK;
}

/* ---- work split over threads ------------------------------------------------
 * Verification and the relation to the canonical read shingle sets back with
 * pread, which is safe from several threads once the spill is flushed. The
 * work is cut into one contiguous range per thread and the results are put
 * together in range order, so they are the same for any thread count. */

typedef struct range_job {
    doppel_index *idx;
    const dp_candidates *cand;
    const uint8_t *keep;    /* verify: bit i clear = candidate i ruled out; NULL = all */
    size_t from, to;
    edge *edges;            /* verify: this range's edges, in order */
    size_t n_edges, cap;
    doppel_status st;
    doppel_error err;
} range_job;

/* Whether candidate i is still to be verified (the pre-filter kept it). */
static inline int kept(const range_job *job, size_t i) {
    return !job->keep || (job->keep[i >> 3] >> (i & 7) & 1);
}

static void *verify_range(void *p) {
    range_job *job = p;
    doppel_index *idx = job->idx;
    set_reader r = {0};
    size_t ahead = job->from;  /* the next candidate whose set was asked for */
    for (size_t i = job->from; i < job->to; i++) {
        uint32_t a = (uint32_t)(job->cand->pairs[i] >> 32), b = (uint32_t)job->cand->pairs[i];
        if (!kept(job, i)) continue;
        /* The b sets lie anywhere in the spill: the next kept candidate's
         * is asked for now, to arrive while this pair is worked on. */
        if (idx->spill) {
            if (ahead <= i) ahead = i + 1;
            while (ahead < job->to && !kept(job, ahead)) ahead++;
            if (ahead < job->to) {
                uint32_t nb = (uint32_t)job->cand->pairs[ahead];
                dp_spill_prefetch(idx->spill, idx->set_off[nb], idx->set_len[nb]);
            }
        }
        doppel_similarity sim;
        if ((job->st = similarity_of(idx, &r, a, b, &sim, &job->err))) break;
        doppel_relation rel = DOPPEL_REL_NONE;
        edge e;
        if (!idx->spill) {
            /* fast mode: no texts to align, the set rules on estimates */
            rel = doppel_classify(&idx->cfg, &sim, idx->set_len[a], idx->set_len[b]);
            e = make_edge(a, b, &sim, rel);
        } else {
            /* A pair that shares almost no 5-gram cannot share a passage:
             * not worth reading its words. */
            if (!dp_worth_aligning(idx->set_len[a], idx->set_len[b], sim.shared)) continue;
            e = make_edge(a, b, &sim, DOPPEL_REL_NONE);
            if ((job->st = align_pair(idx, &r, a, b, &rel, &e, &job->err))) break;
            e.relation = (uint8_t)rel;
        }
        if (rel == DOPPEL_REL_NONE) continue;
        if (job->n_edges == job->cap &&
            dp_grow((void **)&job->edges, &job->cap, job->n_edges + 1, sizeof *job->edges)) {
            job->st = dp_fail(&job->err, DOPPEL_ERR_NOMEM, "out of memory");
            break;
        }
        job->edges[job->n_edges++] = e;
    }
    set_reader_free(&r);
    return NULL;
}

static void relate_range(doppel_index *idx, size_t from, size_t to, range_job *job);

static void *relate_worker(void *p) {
    range_job *job = p;
    relate_range(job->idx, job->from, job->to, job);
    return NULL;
}

/* Run fn over [0, n) cut into one range per thread; jobs[t] describes range t. */
static doppel_status run_ranges(doppel_index *idx, size_t n, void *(*fn)(void *),
                                range_job *jobs, unsigned threads, doppel_error *err) {
    if (idx->spill && dp_spill_flush(idx->spill, err)) return err ? (doppel_status)err->code : DOPPEL_ERR_IO;
    pthread_t tid[DP_MAX_THREADS];
    int started[DP_MAX_THREADS] = {0};
    for (unsigned t = 0; t < threads; t++) {
        jobs[t].from = n * t / threads;
        jobs[t].to = n * (t + 1) / threads;
    }
    for (unsigned t = 1; t < threads; t++)
        started[t] = pthread_create(&tid[t], NULL, fn, &jobs[t]) == 0;
    fn(&jobs[0]);
    for (unsigned t = 1; t < threads; t++) {
        if (started[t]) pthread_join(tid[t], NULL);
        else fn(&jobs[t]);  /* no thread to spare: do it here */
    }
    for (unsigned t = 0; t < threads; t++)
        if (jobs[t].st) {
            if (err) *err = jobs[t].err;
            return jobs[t].st;
        }
    return DOPPEL_OK;
}

static unsigned threads_for(const doppel_index *idx, size_t n) {
    unsigned t = idx->threads;
    if (n < 4096) return 1;  /* not worth a thread */
    return t ? t : 1;
}

/* The signature pre-filter over all candidates: a bitmap of those to verify
 * from their sets, or NULL (with DOPPEL_OK) when the filter is off. Its
 * chunk buffers take the place of the LSH's band arrays, freed by now: each
 * LSH thread filled 16 bytes a document (entries and their sort scratch),
 * so that much neither raises the peak of the heap nor of the
 * resident set. (The heap's peak alone would not do: it counts capacity
 * that doubling arrays reserved and never touched.) At least 2 MiB. */
static doppel_status prefilter_candidates(doppel_index *idx, const dp_candidates *c,
                                          uint8_t **keep, size_t *keep_bytes,
                                          doppel_error *err) {
    *keep = NULL;
    *keep_bytes = c->len / 8 + 1;
    if (!idx->prints || !c->len) return DOPPEL_OK;
    if (dp_spill_flush(idx->prints, err)) return err ? (doppel_status)err->code : DOPPEL_ERR_IO;
    uint8_t *bits = dp_malloc(*keep_bytes);
    if (!bits) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    memset(bits, 0xff, *keep_bytes);
    uint64_t peak = dp_mem_peak(), used = dp_mem_in_use();
    uint64_t allowance = peak > used ? peak - used : 0;
    allowance = DP_MIN(allowance, (uint64_t)16 * idx->n * (idx->threads ? idx->threads : 1));
    doppel_status st = dp_prefilter_pass(&idx->prefilter, idx->prints, idx->set_len, idx->n,
                                         c->pairs, c->len, (size_t)allowance,
                                         threads_for(idx, c->len), bits,
                                         &idx->stats.prefiltered, err);
    if (st) {
        dp_free(bits, *keep_bytes);
        return st;
    }
    *keep = bits;
    return DOPPEL_OK;
}

/* Pre-filter and verify the candidates c; last: no more will come (the
 * prints can go). */
static doppel_status verify_candidates(doppel_index *idx, const dp_candidates *c, int last,
                                       doppel_progress_fn progress, void *user,
                                       doppel_error *err) {
    unsigned threads = threads_for(idx, c->len);
    range_job jobs[DP_MAX_THREADS];
    if (progress) progress("verify", 0.0, user);
    uint8_t *keep;
    size_t keep_bytes;
    doppel_status st = prefilter_candidates(idx, c, &keep, &keep_bytes, err);
    if (st) return st;
    /* The prints are not read again: closing their file (unlinked) frees
     * its page cache for the shingle sets that verification reads next. */
    if (idx->prints && last) {
        idx->prints_bytes_freed = dp_spill_bytes(idx->prints);
        dp_spill_free(idx->prints);
        idx->prints = NULL;
    }
    for (unsigned t = 0; t < threads; t++) jobs[t] = (range_job){.idx = idx, .cand = c, .keep = keep};
    st = run_ranges(idx, c->len, verify_range, jobs, threads, err);
    dp_free(keep, keep_bytes);
    for (unsigned t = 0; t < threads; t++) {
        for (size_t i = 0; st == DOPPEL_OK && i < jobs[t].n_edges; i++) {
            if (idx->n_edges == idx->edges_cap &&
                dp_grow((void **)&idx->edges, &idx->edges_cap, idx->n_edges + 1, sizeof *idx->edges)) {
                st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
                break;
            }
            idx->edges[idx->n_edges++] = jobs[t].edges[i];
            idx->stats.verified_pairs++;
        }
        dp_free(jobs[t].edges, jobs[t].cap * sizeof *jobs[t].edges);
    }
    return st;
}

/* The candidates written to runs, merged back and verified a chunk at a
 * time: the chunk and the merge's buffers stay within budget bytes. The
 * chunks follow each other in candidate order, so the edges come out as
 * from the whole list. */
static doppel_status verify_runs(doppel_index *idx, dp_cand_runs *runs, size_t budget,
                                 doppel_progress_fn progress, void *user, doppel_error *err) {
    size_t k = dp_cand_runs_count(runs);
    size_t chunk = DP_MAX(budget / 2 / sizeof(uint64_t), (size_t)4096);
    size_t buffer = DP_MAX(budget / 4 / sizeof(uint64_t) / k, (size_t)512);
    dp_candidates c = {0};
    c.pairs = dp_malloc(chunk * sizeof *c.pairs);
    if (!c.pairs) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    c.cap = chunk;
    doppel_status st = dp_cand_runs_merge(runs, buffer, err);
    while (!st) {
        if ((st = dp_cand_runs_next(runs, c.pairs, chunk, &c.len, err))) break;
        idx->stats.candidates += c.len;
        /* a chunk shorter than asked is the last */
        st = verify_candidates(idx, &c, c.len < chunk, progress, user, err);
        if (c.len < chunk) break;
    }
    dp_candidates_free(&c);
    return st;
}

static int cmp_edge(const void *x, const void *y) {
    const edge *a = x, *b = y;
    if (a->a != b->a) return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

/* The verified edge between documents x and y, or NULL; idx->edges is
 * sorted by (a, b) and every edge has a < b. */
static const edge *find_edge(const doppel_index *idx, uint32_t x, uint32_t y) {
    uint32_t a = x < y ? x : y, b = x < y ? y : x;
    size_t lo = 0, hi = idx->n_edges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const edge *e = &idx->edges[mid];
        if (e->a < a || (e->a == a && e->b < b)) lo = mid + 1;
        else hi = mid;
    }
    return lo < idx->n_edges && idx->edges[lo].a == a && idx->edges[lo].b == b ? &idx->edges[lo]
                                                                             : NULL;
}

/* Each member's relation to its canonical, computed directly (a member may
 * have joined through other members). Documents [from, to). Most members
 * are linked to their canonical by a verified edge, whose exact shared count
 * gives the same similarity without reading both sets again (at 100k synth
 * documents that was 2 of every 3 reads from the spill). */
static void relate_range(doppel_index *idx, size_t from, size_t to, range_job *job) {
    set_reader r = {0};
    for (size_t d = from; d < to; d++) {
        uint32_t c = idx->canonical_of_cluster[idx->cluster[d]];
        if (c == d) {
            idx->relation[d] = idx->cluster_size[idx->cluster[d]] > 1 ? DOPPEL_REL_CANONICAL
                                                                      : DOPPEL_REL_NONE;
            idx->score[d] = 1.0f;
            continue;
        }
        if (idx->exact_of[d] == idx->exact_of[c]) {
            idx->relation[d] = DOPPEL_REL_EXACT;
            idx->score[d] = 1.0f;
            continue;
        }
        doppel_similarity sim;
        uint32_t x = idx->exact_of[c], y = idx->exact_of[d];
        const edge *e = idx->spill ? find_edge(idx, x, y) : NULL;
        if (e) sim = dp_similarity(idx->set_len[x], idx->set_len[y], e->shared);
        else if ((job->st = similarity_of(idx, &r, x, y, &sim, &job->err)))
            break;
        /* A verified copy edge to the canonical says what the member is;
         * without one, the member joined through others: linked. */
        doppel_relation rel = e && dp_relation_joins(&idx->cfg, (doppel_relation)e->relation)
                                  ? (doppel_relation)e->relation
                              : idx->spill ? DOPPEL_REL_NONE
                                           : doppel_classify(&idx->cfg, &sim, idx->set_len[c],
                                                             idx->set_len[d]);
        idx->relation[d] = rel == DOPPEL_REL_NONE ? DOPPEL_REL_LINKED : rel;
        idx->score[d] = (float)dp_relation_score(rel, &sim, idx->set_len[c], idx->set_len[d]);
    }
    set_reader_free(&r);
}

static doppel_status relate_to_canonical(doppel_index *idx, doppel_error *err) {
    unsigned threads = threads_for(idx, idx->n);
    range_job jobs[DP_MAX_THREADS];
    for (unsigned t = 0; t < threads; t++) jobs[t] = (range_job){.idx = idx};
    return run_ranges(idx, idx->n, relate_worker, jobs, threads, err);
}

/* The cluster results are allocated only once candidates are verified, so
 * they never coexist with the LSH's work arrays: a lower peak. */
static doppel_status alloc_results(doppel_index *idx) {
    size_t n = idx->n;
    idx->cluster = dp_malloc(n * sizeof *idx->cluster + 1);
    idx->canonical_of_cluster = dp_malloc(n * sizeof *idx->canonical_of_cluster + 1);
    idx->cluster_size = dp_malloc(n * sizeof *idx->cluster_size + 1);
    idx->relation = dp_malloc(n + 1);
    idx->score = dp_malloc(n * sizeof *idx->score + 1);
    if (!idx->cluster || !idx->canonical_of_cluster || !idx->cluster_size || !idx->relation ||
        !idx->score)
        return DOPPEL_ERR_NOMEM;
    return DOPPEL_OK;
}

doppel_status doppel_index_finish(doppel_index *idx, doppel_progress_fn progress, void *user,
                                  doppel_error *err) {
    if (idx->finished) return dp_fail(err, DOPPEL_ERR_STATE, "finish called twice");
    if (idx->broken) return dp_fail(err, DOPPEL_ERR_STATE, BROKEN_MESSAGE);
    idx->finished = 1;
    /* No more batches: the workers would only sleep (finish's steps start
     * threads of their own, sized for each step). */
    dp_pool_free(idx->pool);
    idx->pool = NULL;
    /* Ids are checked for duplicates while adding only: the table can go. */
    dp_free(idx->id_table, id_table_bytes(idx->id_table_cap));
    idx->id_table = NULL;
    idx->id_tag = NULL;
    idx->id_table_cap = 0;
    idx->exact_of = dp_malloc((size_t)idx->n * sizeof *idx->exact_of + 1);
    if (!idx->exact_of) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory for results");
    /* The id arena grew by doubling; give back what it will never use. */
    if (idx->ids_cap > idx->ids_len + 1) {
        char *p = dp_realloc(idx->ids, idx->ids_cap, idx->ids_len + 1);
        if (p) {
            idx->ids = p;
            idx->ids_cap = idx->ids_len + 1;
        }
    }
    if (progress) progress("exact", 0.0, user);
    doppel_status st = exact_groups(idx, err);
    if (st) return st;
    /* exact_of now says all the text hashes did: 8 bytes a document less
     * while the LSH's arrays, the peak of the run, are held */
    dp_free(idx->text_hash, idx->doc_cap * sizeof *idx->text_hash);
    idx->text_hash = NULL;

    /* Only the first document of each exact group takes part in the LSH. */
    uint32_t *reps = dp_malloc((size_t)idx->n * sizeof *reps + 1);
    if (!reps) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    size_t nreps = 0;
    for (uint32_t d = 0; d < idx->n; d++)
        if (idx->exact_of[d] == d) reps[nreps++] = d;
    if (progress) progress("lsh", 0.0, user);
    dp_candidates cand = {0};
    /* What the per-document arrays and the spill's memory part do not use
     * of the limit goes to the LSH. */
    size_t budget = 0;
    if (idx->cfg.memory_limit) {
        /* results: exact_of, cluster, canonical, size (4 bytes each),
         * relation, score; the representatives (4 bytes each) while the
         * LSH runs */
        uint64_t held = dp_index_resident_bytes(idx) + (uint64_t)idx->n * 25 +
                        (idx->spill ? dp_spill_memory_bytes(idx->spill) : 0) +
                        (idx->prints ? dp_spill_memory_bytes(idx->prints) : 0);
        budget = idx->cfg.memory_limit > held ? (size_t)((idx->cfg.memory_limit - held) / 2) : 1;
    }
    /* The candidate list gets as much again: past it, it goes to sorted
     * runs on disk (candruns.c), read back a chunk at a time. */
    dp_cand_runs *runs = NULL;
    if (budget && (st = dp_cand_runs_new(idx->cfg.tmp_dir, &runs, err))) {
        dp_free(reps, (size_t)idx->n * sizeof *reps + 1);
        return st;
    }
    st = dp_lsh_candidates(idx->bands_store, idx->bands + idx->reuse, reps, nreps,
                           idx->cfg.max_bucket, idx->bands, budget, runs, budget,
                           idx->threads, &cand, err);
    idx->stats.lsh_slices = cand.slices;
    dp_free(reps, (size_t)idx->n * sizeof *reps + 1);
    dp_bandstore_free(idx->bands_store);
    idx->bands_store = NULL;
    idx->stats.candidates = cand.len;
    idx->stats.oversize_buckets = cand.oversize_buckets;
    idx->stats.candidate_runs = dp_cand_runs_count(runs);
    if (!st && !idx->stats.candidate_runs) st = verify_candidates(idx, &cand, 1, progress, user, err);
    dp_candidates_free(&cand);
    if (!st && idx->stats.candidate_runs) st = verify_runs(idx, runs, budget, progress, user, err);
    dp_cand_runs_free(runs);
    if (st) return st;

    if (progress) progress("cluster", 0.0, user);
    if (alloc_results(idx)) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory for results");
    if (idx->n_edges) qsort(idx->edges, idx->n_edges, sizeof *idx->edges, cmp_edge);
    dp_unionfind uf;
    if (dp_uf_init(&uf, idx->n)) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    /* Only copies join clusters: derived (unless asked) and partial pairs
     * are reported by pairs and nowhere else. */
    for (size_t i = 0; i < idx->n_edges; i++)
        if (dp_relation_joins(&idx->cfg, (doppel_relation)idx->edges[i].relation))
            dp_uf_union(&uf, idx->edges[i].a, idx->edges[i].b);
    /* The longest policy keeps the copy with the most article text: a
     * document's words that a copy verified against it also has (its
     * cover times its words, the best over its copy edges). Site chrome
     * around one copy is in no other, so it does not make that copy the
     * longest; a document with no copy edge counts all its words. Fast
     * mode keeps no words: shingles, as before. */
    uint32_t *article = NULL;
    if (idx->spill && idx->cfg.canonical == DOPPEL_CANON_LONGEST) {
        article = dp_calloc((size_t)idx->n + 1, sizeof *article);
        if (!article) {
            dp_uf_free(&uf);
            return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        }
        for (size_t i = 0; i < idx->n_edges; i++) {
            const edge *e = &idx->edges[i];
            if (!dp_relation_joins(&idx->cfg, (doppel_relation)e->relation)) continue;
            uint32_t wa = dp_article_words(e->cover_a, idx->words_len[e->a]);
            uint32_t wb = dp_article_words(e->cover_b, idx->words_len[e->b]);
            if (wa > article[e->a]) article[e->a] = wa;
            if (wb > article[e->b]) article[e->b] = wb;
        }
        for (uint32_t d = 0; d < idx->n; d++)
            if (!article[d]) article[d] = idx->words_len[d];
    }
    dp_canon_keys keys = {article ? article : idx->set_len, idx->date};
    idx->clusters = dp_assign_clusters(&uf, idx->cfg.canonical, &keys, idx->cluster,
                                       idx->canonical_of_cluster, idx->cluster_size);
    dp_free(article, article ? ((size_t)idx->n + 1) * sizeof *article : 0);
    dp_uf_free(&uf);
    for (uint32_t k = 0; k < idx->clusters; k++)
        if (idx->cluster_size[k] > idx->stats.largest_cluster)
            idx->stats.largest_cluster = idx->cluster_size[k];
    for (size_t i = 0; i < idx->n_edges; i++)
        idx->stats.reuse_pairs += idx->edges[i].relation == DOPPEL_REL_DERIVED ||
                                  idx->edges[i].relation == DOPPEL_REL_PARTIAL;
    st = relate_to_canonical(idx, err);
    if (idx->sig) {
        dp_free(idx->sig, idx->doc_cap * idx->cfg.num_perm * sizeof *idx->sig);
        idx->sig = NULL;
    }
    if (progress) progress("done", 1.0, user);
    idx->results_ready = st == DOPPEL_OK;
    return st;
}

doppel_status doppel_index_result(const doppel_index *idx, uint32_t docnum,
                                  doppel_doc_result *out) {
    if (!idx->results_ready) return DOPPEL_ERR_STATE;
    if (docnum >= idx->n) return DOPPEL_ERR_ARG;
    out->id = doc_id(idx, docnum);
    out->id_len = strlen(out->id);
    out->cluster = idx->cluster[docnum];
    out->canonical = idx->canonical_of_cluster[out->cluster];
    out->cluster_size = idx->cluster_size[out->cluster];
    out->relation = (doppel_relation)idx->relation[docnum];
    out->score = idx->score[docnum];
    return DOPPEL_OK;
}

doppel_status doppel_index_pairs(const doppel_index *idx, doppel_pair_fn fn, void *user) {
    if (!idx->results_ready) return DOPPEL_ERR_STATE;
    for (size_t i = 0; i < idx->n_edges; i++) {
        const edge *e = &idx->edges[i];
        doppel_pair p = {0};
        p.a = e->a;
        p.b = e->b;
        p.sim = (doppel_similarity){e->jaccard, e->a_in_b, e->b_in_a, e->shared};
        p.relation = (doppel_relation)e->relation;
        p.cover_a = e->cover_a;
        p.cover_b = e->cover_b;
        p.source = dp_relation_source(p.relation, e->a, e->b, idx->date[e->a], idx->date[e->b],
                                      e->cover_a, e->cover_b, idx->words_len[e->a],
                                      idx->words_len[e->b]);
        p.num_passages = e->num_spans;
        for (size_t k = 0; k < e->num_spans; k++)
            p.passages[k] = (doppel_pair_passage){e->spans[k].a, e->spans[k].a_len, e->spans[k].b,
                                                  e->spans[k].b_len, e->spans[k].matched};
        if (fn(&p, user)) break;
    }
    return DOPPEL_OK;
}

void doppel_index_get_stats(const doppel_index *idx, doppel_index_stats *out) {
    *out = idx->stats;
    out->docs = idx->n;
    out->short_docs = idx->short_docs;
    out->memory_bytes = dp_mem_in_use();
    out->peak_memory_bytes = dp_mem_peak();
    out->spill_bytes = (idx->spill ? dp_spill_bytes(idx->spill) : 0) +
                       (idx->prints ? dp_spill_bytes(idx->prints) : idx->prints_bytes_freed);
}
