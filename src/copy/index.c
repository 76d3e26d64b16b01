/*
 * index.c — the near-duplicate engine: documents in, clusters out.
 *
 * add():    extract -> normalize -> shingle -> sketch (docfeatures.c, on many
 *           threads for a batch) -> commit in input order: set to the spill,
 *           band hashes to the band store, id and sizes to the arrays
 * finish(): exact groups -> LSH candidates -> verify -> union-find -> canonical
 *           (finish.c)
 *
 * Per document the index keeps in memory, in flat arrays indexed by docnum:
 * the id (in one string arena), the normalized-text hash, the shingle-set
 * size and spill offset, and the date when the earliest policy needs it.
 * Shingle sets live in the spill (in memory up to an eighth of the memory
 * limit, then in a file) and band hashes in one file per band;
 * signatures are dropped after banding unless fast verification needs them.
 * Memory therefore grows with the number of documents, never with their
 * length.
 *
 * Incremental use (a later step): the band files of the documents added so
 * far are exactly what a query needs — a new document's band hashes looked
 * up band by band in the sorted bands — so they can be kept, loaded and
 * extended without re-reading old documents.
 */
#include "copy/index_impl.h"
#include "copy/lsh.h"
#include "copy/verify.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
/* Inlined from the system header: word hashes are short, and a call into the
 * shared library per word costs more than the hash itself. */
#define XXH_INLINE_ALL
#include <xxhash.h>

/* ---- creation ------------------------------------------------------------ */

/* Make at least n feature slots. */
static doppel_status grow_feats(doppel_index *idx, size_t n) {
    if (n <= idx->feats_cap) return DOPPEL_OK;
    void *p = dp_realloc(idx->feats, idx->feats_cap * sizeof *idx->feats, n * sizeof *idx->feats);
    if (!p) return DOPPEL_ERR_NOMEM;
    idx->feats = p;
    for (; idx->feats_cap < n; idx->feats_cap++)
        if (dp_features_init(&idx->feats[idx->feats_cap], idx->cfg.num_perm,
                             idx->bands + idx->reuse))
            return DOPPEL_ERR_NOMEM;
    return DOPPEL_OK;
}

doppel_status doppel_index_new(const doppel_config *cfg, doppel_index **out, doppel_error *err) {
    *out = NULL;
    doppel_status st = doppel_config_validate(cfg, err);
    if (st) return st;
    doppel_index *idx = dp_calloc(1, sizeof *idx);
    if (!idx) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    idx->cfg = *cfg;
    idx->cfg.tmp_dir = NULL;  /* not owned; only used below */
    if (cfg->bands) {
        idx->bands = cfg->bands;
        idx->rows = cfg->rows;
    } else {
        doppel_lsh_optimal_shape(dp_lsh_threshold(cfg), cfg->num_perm, &idx->bands, &idx->rows);
    }
    /* The reuse channel finds pairs the alignment can verify: exact mode. */
    idx->reuse = cfg->verify == DOPPEL_VERIFY_EXACT ? DP_REUSE_BANDS : 0;
    dp_prefilter_init(&idx->prefilter, &idx->cfg);
    /* The prints take an eighth of the spill's share of the limit, the
     * features the rest: 288 bytes a document at 128 permutations, read
     * back a chunk pair at a time by the pre-filter, where the features
     * are read once a candidate. In memory the pre-filter reads them in
     * place (from the file, their pread was 1.2% of a 100k run). */
    uint64_t share = dp_spill_share(cfg->memory_limit);
    uint64_t prints_share = idx->prefilter.active ? share / 8 : 0;
    if (cfg->verify == DOPPEL_VERIFY_EXACT) {
        st = dp_spill_new_capped(cfg->tmp_dir, share - prints_share, &idx->spill, err);
        if (st) {
            dp_free(idx, sizeof *idx);
            return st;
        }
    }
    if (idx->prefilter.active) {
        st = dp_spill_new_records(cfg->tmp_dir, prints_share,
                                  dp_prefilter_words(&idx->prefilter), &idx->prints, err);
        if (st) {
            doppel_index_free(idx);
            return st;
        }
    }
    st = dp_bandstore_new(cfg->tmp_dir, idx->bands + idx->reuse, &idx->bands_store, err);
    if (st) {
        doppel_index_free(idx);
        return st;
    }
    idx->stats.bands = idx->bands;
    idx->stats.rows = idx->rows;
    idx->threads = cfg->threads ? cfg->threads : doppel_available_cores();
    idx->scratch = dp_calloc(idx->threads, sizeof *idx->scratch);
    if (!idx->scratch || grow_feats(idx, 1)) {
        doppel_index_free(idx);
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    }
    *out = idx;
    return DOPPEL_OK;
}

void doppel_index_free(doppel_index *idx) {
    if (!idx) return;
    size_t c = idx->doc_cap;
    dp_free(idx->id_off, c * sizeof *idx->id_off);
    dp_free(idx->text_hash, c * sizeof *idx->text_hash);
    dp_free(idx->set_off, c * sizeof *idx->set_off);
    dp_free(idx->set_len, c * sizeof *idx->set_len);
    dp_free(idx->words_len, c * sizeof *idx->words_len);
    if (idx->date) dp_free(idx->date, c * sizeof *idx->date);
    dp_bandstore_free(idx->bands_store);
    if (idx->sig) dp_free(idx->sig, c * idx->cfg.num_perm * sizeof *idx->sig);
    dp_free(idx->ids, idx->ids_cap);
    dp_free(idx->id_table, id_table_bytes(idx->id_table_cap));
    dp_spill_free(idx->spill);
    dp_spill_free(idx->prints);
    dp_pool_free(idx->pool);
    for (unsigned t = 0; idx->scratch && t < idx->threads; t++) dp_scratch_free(&idx->scratch[t]);
    dp_free(idx->scratch, idx->threads * sizeof *idx->scratch);
    for (size_t i = 0; i < idx->feats_cap; i++)
        dp_features_free(&idx->feats[i], idx->cfg.num_perm, idx->bands + idx->reuse);
    dp_free(idx->feats, idx->feats_cap * sizeof *idx->feats);
    size_t n = idx->n;
    dp_free(idx->exact_of, n * sizeof *idx->exact_of + 1);
    dp_free(idx->cluster, n * sizeof *idx->cluster + 1);
    dp_free(idx->canonical_of_cluster, n * sizeof *idx->canonical_of_cluster + 1);
    dp_free(idx->cluster_size, n * sizeof *idx->cluster_size + 1);
    dp_free(idx->relation, n + 1);
    dp_free(idx->score, n * sizeof *idx->score + 1);
    dp_free(idx->edges, idx->edges_cap * sizeof *idx->edges);
    dp_free(idx, sizeof *idx);
}

/* ---- adding documents ------------------------------------------------------ */

#define GROW_ARRAY(field, newcap)                                                         \
    do {                                                                                  \
        void *p_ = dp_realloc(idx->field, old * sizeof *idx->field,                      \
                              (newcap) * sizeof *idx->field);                            \
        if (!p_) return DOPPEL_ERR_NOMEM;                                                 \
        idx->field = p_;                                                                  \
    } while (0)

static doppel_status grow_docs(doppel_index *idx) {
    size_t old = idx->doc_cap, cap = old ? old * 2 : 1024;
    if (cap > UINT32_MAX - 1) return DOPPEL_ERR_LIMIT;
    GROW_ARRAY(id_off, cap);
    GROW_ARRAY(text_hash, cap);
    GROW_ARRAY(set_off, cap);
    GROW_ARRAY(set_len, cap);
    GROW_ARRAY(words_len, cap);
    GROW_ARRAY(date, cap);  /* the earliest policy and each pair's source */
    if (idx->cfg.verify == DOPPEL_VERIFY_FAST) {
        unsigned k = idx->cfg.num_perm;
        void *p = dp_realloc(idx->sig, old * k * sizeof *idx->sig, cap * k * sizeof *idx->sig);
        if (!p) return DOPPEL_ERR_NOMEM;
        idx->sig = p;
    }
    idx->doc_cap = cap;
    return DOPPEL_OK;
}


/* The id's tag: 8 bits of its hash other than those that pick the slot. */
static uint8_t id_tag(uint64_t h) {
    uint8_t t = (uint8_t)(h >> 56);
    return t ? t : 1;
}

/* Find docnum + 1 of an id already added, or 0; *slot gets the probe end. */
static uint32_t id_lookup(const doppel_index *idx, const char *id, size_t len, uint64_t h,
                          size_t *slot) {
    size_t mask = idx->id_table_cap - 1, i = (size_t)h & mask;
    uint8_t tag = id_tag(h);
    for (; idx->id_tag[i]; i = (i + 1) & mask) {
        if (idx->id_tag[i] != tag) continue;
        uint32_t d = idx->id_table[i] - 1;
        const char *other = doc_id(idx, d);
        if (strncmp(other, id, len) == 0 && other[len] == '\0') {
            *slot = i;
            return d + 1;
        }
    }
    *slot = i;
    return 0;
}

static void id_table_put(doppel_index *idx, size_t slot, uint32_t d, uint64_t h) {
    idx->id_table[slot] = d + 1;
    idx->id_tag[slot] = id_tag(h);
}

static doppel_status id_table_grow(doppel_index *idx) {
    size_t old_cap = idx->id_table_cap, cap = old_cap ? old_cap * 2 : 2048;
    uint32_t *old = idx->id_table;
    uint8_t *old_tag = idx->id_tag;
    uint32_t *table = dp_calloc(id_table_bytes(cap), 1);
    if (!table) return DOPPEL_ERR_NOMEM;
    idx->id_table = table;
    idx->id_tag = (uint8_t *)(table + cap);
    idx->id_table_cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old_tag[i]) continue;
        const char *id = doc_id(idx, old[i] - 1);
        uint64_t h = XXH3_64bits(id, strlen(id));
        size_t slot = (size_t)h & (cap - 1);  /* the ids are distinct: the first free slot */
        while (idx->id_tag[slot]) slot = (slot + 1) & (cap - 1);
        id_table_put(idx, slot, old[i] - 1, h);
    }
    dp_free(old, id_table_bytes(old_cap));
    return DOPPEL_OK;
}

/* Record the id of document d; reports an earlier document with the same id. */
static doppel_status add_id(doppel_index *idx, uint32_t d, const char *id, size_t len,
                            doppel_add_info *info) {
    if ((idx->n + 1) * 2 > idx->id_table_cap && id_table_grow(idx)) return DOPPEL_ERR_NOMEM;
    if (dp_grow((void **)&idx->ids, &idx->ids_cap, idx->ids_len + len + 1, 1))
        return DOPPEL_ERR_NOMEM;
    /* Ids with NUL bytes are cut at the first NUL: they are C strings from here on. */
    size_t clean = strnlen(id, len);
    memcpy(idx->ids + idx->ids_len, id, clean);
    idx->ids[idx->ids_len + clean] = '\0';
    idx->id_off[d] = idx->ids_len;
    idx->ids_len += clean + 1;
    size_t slot;
    uint64_t h = XXH3_64bits(id, clean);
    uint32_t prev = id_lookup(idx, id, clean, h, &slot);
    if (prev) {
        info->duplicate_id = 1;
        info->first_docnum = prev - 1;
    } else {
        id_table_put(idx, slot, d, h);
    }
    return DOPPEL_OK;
}

uint64_t dp_index_resident_bytes(const doppel_index *idx) {
    size_t per_doc = sizeof *idx->id_off + sizeof *idx->text_hash + sizeof *idx->set_off +
                     sizeof *idx->set_len + sizeof *idx->words_len + (idx->date ? sizeof *idx->date : 0);
    return (uint64_t)idx->doc_cap * per_doc + idx->ids_cap +
           id_table_bytes(idx->id_table_cap);
}

/* Append one document whose features are computed. */
static doppel_status commit(doppel_index *idx, const char *id, size_t id_len, int64_t date,
                            const dp_features *f, doppel_add_info *info, doppel_error *err) {
    *info = (doppel_add_info){0};
    info->norm = f->norm;
    info->extract_flags = f->extract_flags;
    if (f->status == DOPPEL_ERR_EMPTY)
        return dp_fail(err, DOPPEL_ERR_EMPTY, "document '%.*s' has no words%s",
                       (int)DP_MIN(id_len, 200), id,
                       f->extract_flags & DOPPEL_EXTRACT_EMPTY ? " (all boilerplate)" : "");
    if (f->status == DOPPEL_ERR_FORMAT)
        return dp_fail(err, DOPPEL_ERR_FORMAT, "document '%.*s' is binary data",
                       (int)DP_MIN(id_len, 200), id);
    if (f->status != DOPPEL_OK)
        return dp_fail(err, f->status, "out of memory processing document '%.*s'",
                       (int)DP_MIN(id_len, 200), id);
    if (idx->n >= UINT32_MAX - 1)
        return dp_fail(err, DOPPEL_ERR_LIMIT, "more than %u documents", UINT32_MAX - 1);
    if (idx->n == idx->doc_cap && grow_docs(idx))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory after %u documents", idx->n);
    if (idx->cfg.memory_limit && dp_index_resident_bytes(idx) > idx->cfg.memory_limit)
        return dp_fail(err, DOPPEL_ERR_LIMIT,
                       "memory limit of %llu bytes reached after %u documents (about 72 bytes a "
                       "document stay in memory; raise --memory)",
                       (unsigned long long)idx->cfg.memory_limit, idx->n);
    uint32_t d = idx->n;
    doppel_status st = DOPPEL_OK;
    if (idx->spill) {
        /* The word hashes follow the set: appends are contiguous, so they
         * start at set_off + set_len. */
        uint64_t words_at;
        st = dp_spill_append(idx->spill, f->set, (uint32_t)f->set_len, &idx->set_off[d], err);
        if (!st && f->words_len)
            st = dp_spill_append(idx->spill, f->words, (uint32_t)f->words_len, &words_at, err);
    }
    if (!st && idx->prints) {
        /* fixed-size records: document d's prints start at d * words */
        uint64_t at;
        uint32_t record[DP_MAX_PERM / 2 + DP_REUSE_BANDS / 2];
        dp_prefilter_record(&idx->prefilter, f->sig, f->band + idx->bands, record);
        st = dp_spill_append(idx->prints, record, dp_prefilter_words(&idx->prefilter), &at, err);
    }
    if (!st) st = dp_bandstore_append(idx->bands_store, f->band, err);
    if (st) {
        idx->broken = 1;
        return st;
    }
    if (idx->sig)
        memcpy(idx->sig + (size_t)d * idx->cfg.num_perm, f->sig,
               idx->cfg.num_perm * sizeof *f->sig);
    if (add_id(idx, d, id, id_len, info))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory storing ids");
    idx->text_hash[d] = f->text_hash;
    idx->set_len[d] = (uint32_t)f->set_len;
    idx->words_len[d] = (uint32_t)f->words_len;
    if (idx->date) idx->date[d] = date != DOPPEL_NO_DATE ? date : f->date;
    info->short_doc = f->short_doc;
    idx->short_docs += f->short_doc != 0;
    info->docnum = d;
    idx->n++;
    return DOPPEL_OK;
}

doppel_status doppel_index_add(doppel_index *idx, const char *id, size_t id_len,
                               const char *text, size_t text_len, int64_t date,
                               doppel_add_info *info, doppel_error *err) {
    doppel_add_info local;
    if (!info) info = &local;
    *info = (doppel_add_info){0};
    if (idx->finished)
        return dp_fail(err, DOPPEL_ERR_STATE, "documents cannot be added after finish");
    if (idx->broken) return dp_fail(err, DOPPEL_ERR_STATE, BROKEN_MESSAGE);
    dp_features_compute(&idx->cfg, idx->bands, idx->rows, idx->reuse, &idx->scratch[0], text, text_len,
                        &idx->feats[0]);
    return commit(idx, id, id_len, date, &idx->feats[0], info, err);
}

/* ---- batches on several threads ----------------------------------------------- */

typedef struct batch_job {
    doppel_index *idx;
    const doppel_doc_input *docs;
    size_t n;
    atomic_size_t next;   /* the next document to take */
    atomic_uchar *done;   /* done[i]: document i's features are computed */
    /* Document i's features go to feats[i], or all to feats[0] when this
     * thread computes every document and commits each at once: one slot
     * that stays in the cache instead of a thousand that do not (on one
     * thread the set and word hashes were written to a cold slot, and read
     * back from it by the commit). */
    int one_slot;
    /* The committing thread sleeps here when the document it needs next is
     * being computed by another thread (a spin would steal that thread's
     * core on a busy machine). */
    atomic_int waiting;
    pthread_mutex_t lock;
    pthread_cond_t computed;
} batch_job;

static dp_features *slot_of(batch_job *job, size_t i) {
    return &job->idx->feats[job->one_slot ? 0 : i];
}

static void compute_one(batch_job *job, dp_scratch *scratch, size_t i) {
    doppel_index *idx = job->idx;
    dp_features_compute(&idx->cfg, idx->bands, idx->rows, idx->reuse, scratch, job->docs[i].text,
                        job->docs[i].text_len, slot_of(job, i));
    /* Sequentially consistent, like the waiter's side in wait_for: either
     * this thread sees waiting set, or the waiter sees done[i]. */
    atomic_store(&job->done[i], 1);
    if (atomic_load(&job->waiting)) {
        pthread_mutex_lock(&job->lock);
        pthread_cond_broadcast(&job->computed);
        pthread_mutex_unlock(&job->lock);
    }
}

static void wait_for(batch_job *job, size_t i) {
    pthread_mutex_lock(&job->lock);
    atomic_store(&job->waiting, 1);
    while (!atomic_load(&job->done[i])) pthread_cond_wait(&job->computed, &job->lock);
    atomic_store(&job->waiting, 0);
    pthread_mutex_unlock(&job->lock);
}

/* Documents are taken one at a time from a shared counter, so a thread that
 * got short documents takes more; results go to the document's own slot. */
static void worker(void *p, unsigned number) {
    batch_job *job = p;
    for (;;) {
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= job->n) break;
        compute_one(job, &job->idx->scratch[number], i);
    }
}

/* The calling thread commits documents in input order, as soon as each is
 * computed, and computes documents itself while the next one to commit is
 * not ready: committing (the spill and band files, the ids) overlaps the
 * other threads' work instead of leaving them idle. The index is the same
 * for any thread count. Returns the first error that stops the batch. */
static doppel_status commit_in_order(batch_job *job, dp_scratch *scratch,
                                     doppel_status *statuses, doppel_add_info *infos,
                                     doppel_error *err) {
    const doppel_doc_input *docs = job->docs;
    for (size_t i = 0; i < job->n;) {
        if (!atomic_load_explicit(&job->done[i], memory_order_acquire)) {
            size_t j = atomic_fetch_add(&job->next, 1);
            if (j < job->n) compute_one(job, scratch, j);
            else wait_for(job, i);  /* another thread is computing document i */
            continue;
        }
        doppel_add_info local;
        doppel_add_info *info = infos ? &infos[i] : &local;
        doppel_status st = commit(job->idx, docs[i].id, docs[i].id_len, docs[i].date,
                                  slot_of(job, i), info, err);
        if (statuses) statuses[i] = st;
        if (st != DOPPEL_OK && st != DOPPEL_ERR_EMPTY && st != DOPPEL_ERR_FORMAT) {
            atomic_store(&job->next, job->n);  /* hand out no more documents */
            for (size_t k = i + 1; statuses && k < job->n; k++) statuses[k] = DOPPEL_ERR_STATE;
            return st;
        }
        i++;
    }
    return DOPPEL_OK;
}

doppel_status doppel_index_add_batch(doppel_index *idx, const doppel_doc_input *docs, size_t n,
                                     doppel_status *statuses, doppel_add_info *infos,
                                     doppel_error *err) {
    if (idx->finished)
        return dp_fail(err, DOPPEL_ERR_STATE, "documents cannot be added after finish");
    if (idx->broken) return dp_fail(err, DOPPEL_ERR_STATE, BROKEN_MESSAGE);
    /* Tiny batches stay on this thread: waking the workers costs more. */
    int parallel = idx->threads > 1 && n >= 16;
    if (parallel && !idx->pool) {
        idx->pool = dp_pool_for_threads(idx->threads);
        if (!idx->pool) parallel = 0;
    }
    if (grow_feats(idx, parallel ? n : 1))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory for a batch");
    atomic_uchar *done = n ? dp_malloc(n * sizeof *done) : NULL;
    if (n && !done) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory for a batch");
    for (size_t i = 0; i < n; i++) atomic_init(&done[i], 0);
    batch_job job = {.idx = idx, .docs = docs, .n = n, .done = done, .one_slot = !parallel};
    atomic_init(&job.next, 0);
    atomic_init(&job.waiting, 0);
    pthread_mutex_init(&job.lock, NULL);
    pthread_cond_init(&job.computed, NULL);
    if (parallel) dp_pool_start(idx->pool, worker, &job);
    doppel_status st = commit_in_order(&job, &idx->scratch[0], statuses, infos, err);
    if (parallel) dp_pool_wait(idx->pool);
    pthread_cond_destroy(&job.computed);
    pthread_mutex_destroy(&job.lock);
    dp_free(done, n * sizeof *done);
    return st;
}

uint32_t doppel_index_count(const doppel_index *idx) { return idx->n; }
