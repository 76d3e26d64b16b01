/*
 * index.c — the near-duplicate engine: documents in, clusters out.
 *
 * add():    normalize -> shingle -> sketch -> (set to the spill) -> band hashes
 * finish(): exact groups -> LSH candidates -> verify -> union-find -> canonical
 *
 * Per document the index keeps, in flat arrays indexed by docnum: the id
 * (in one string arena), the normalized-text hash, the shingle-set size and
 * spill offset, the date, and the band hashes (4 bytes per band). Shingle
 * sets live in the spill file, signatures are dropped after banding unless
 * fast verification needs them. Memory therefore grows with the number of
 * documents, never with their length.
 *
 * Incremental use (a later step): the band hashes of the documents added so
 * far are exactly what a query needs — a new document's band hashes looked
 * up band by band in the sorted band arrays — so the same arrays can be
 * saved, loaded and extended without re-reading old documents.
 */
#include "index_impl.h"
#include "lsh.h"
#include "verify.h"

#include <stdlib.h>
#include <string.h>
/* Inlined from the system header: word hashes are short, and a call into the
 * shared library per word costs more than the hash itself. */
#define XXH_INLINE_ALL
#include <xxhash.h>

/* ---- creation ------------------------------------------------------------ */

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
    if (cfg->verify == DOPPEL_VERIFY_EXACT) {
        st = dp_spill_new(cfg->tmp_dir, &idx->spill, err);
        if (st) {
            dp_free(idx, sizeof *idx);
            return st;
        }
    }
    idx->stats.bands = idx->bands;
    idx->stats.rows = idx->rows;
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
    dp_free(idx->date, c * sizeof *idx->date);
    dp_free(idx->band, c * idx->bands * sizeof *idx->band);
    if (idx->sig) dp_free(idx->sig, c * idx->cfg.num_perm * sizeof *idx->sig);
    dp_free(idx->ids, idx->ids_cap);
    dp_free(idx->id_table, idx->id_table_cap * sizeof *idx->id_table);
    dp_spill_free(idx->spill);
    doppel_buf_free(&idx->norm);
    doppel_hashes_free(&idx->shingles);
    dp_free(idx->set_buf, 2 * idx->set_cap * sizeof *idx->set_buf);
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
    GROW_ARRAY(date, cap);
    {
        void *p = dp_realloc(idx->band, old * idx->bands * sizeof *idx->band,
                             cap * idx->bands * sizeof *idx->band);
        if (!p) return DOPPEL_ERR_NOMEM;
        idx->band = p;
    }
    if (idx->cfg.verify == DOPPEL_VERIFY_FAST) {
        unsigned k = idx->cfg.num_perm;
        void *p = dp_realloc(idx->sig, old * k * sizeof *idx->sig, cap * k * sizeof *idx->sig);
        if (!p) return DOPPEL_ERR_NOMEM;
        idx->sig = p;
    }
    idx->doc_cap = cap;
    return DOPPEL_OK;
}


/* Find docnum + 1 of an id already added, or 0; *slot gets the probe end. */
static uint32_t id_lookup(const doppel_index *idx, const char *id, size_t len, uint64_t h,
                          size_t *slot) {
    size_t mask = idx->id_table_cap - 1, i = (size_t)h & mask;
    while (idx->id_table[i]) {
        uint32_t d = idx->id_table[i] - 1;
        const char *other = doc_id(idx, d);
        if (strlen(other) == len && memcmp(other, id, len) == 0) {
            *slot = i;
            return d + 1;
        }
        i = (i + 1) & mask;
    }
    *slot = i;
    return 0;
}

static doppel_status id_table_grow(doppel_index *idx) {
    size_t old_cap = idx->id_table_cap, cap = old_cap ? old_cap * 2 : 2048;
    uint32_t *old = idx->id_table;
    idx->id_table = dp_calloc(cap, sizeof *idx->id_table);
    if (!idx->id_table) {
        idx->id_table = old;
        return DOPPEL_ERR_NOMEM;
    }
    idx->id_table_cap = cap;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i]) continue;
        const char *id = doc_id(idx, old[i] - 1);
        size_t slot, len = strlen(id);
        id_lookup(idx, id, len, XXH3_64bits(id, len), &slot);
        idx->id_table[slot] = old[i];
    }
    dp_free(old, old_cap * sizeof *old);
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
    uint32_t prev = id_lookup(idx, id, clean, XXH3_64bits(id, clean), &slot);
    if (prev) {
        info->duplicate_id = 1;
        info->first_docnum = prev - 1;
    } else {
        idx->id_table[slot] = d + 1;
    }
    return DOPPEL_OK;
}

static size_t count_words(const char *s, size_t len) {
    size_t words = len ? 1 : 0;
    for (size_t i = 0; i < len; i++) words += s[i] == ' ';
    return words;
}

doppel_status doppel_index_add(doppel_index *idx, const char *id, size_t id_len,
                               const char *text, size_t text_len, int64_t date,
                               doppel_add_info *info, doppel_error *err) {
    doppel_add_info local;
    if (!info) info = &local;
    *info = (doppel_add_info){0};
    if (idx->finished)
        return dp_fail(err, DOPPEL_ERR_STATE, "documents cannot be added after finish");
    if (idx->n >= UINT32_MAX - 1)
        return dp_fail(err, DOPPEL_ERR_LIMIT, "more than %u documents", UINT32_MAX - 1);
    if (doppel_normalize(text, text_len, &idx->norm, &info->norm))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory normalizing document '%.*s'",
                       (int)DP_MIN(id_len, 200), id);
    if (idx->norm.len == 0)
        return dp_fail(err, DOPPEL_ERR_EMPTY, "document '%.*s' has no words",
                       (int)DP_MIN(id_len, 200), id);
    const doppel_config *cfg = &idx->cfg;
    if (doppel_shingle(idx->norm.data, idx->norm.len, cfg->shingle_kind, cfg->shingle_size,
                       cfg->seed, &idx->shingles))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory shingling '%.*s'",
                       (int)DP_MIN(id_len, 200), id);
    if (idx->n == idx->doc_cap && grow_docs(idx))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory after %u documents", idx->n);
    uint32_t d = idx->n;
    /* Only a text of one shingle can be shorter than a shingle. */
    if (idx->shingles.len == 1) {
        size_t units = cfg->shingle_kind == DOPPEL_SHINGLE_WORD
                           ? count_words(idx->norm.data, idx->norm.len)
                           : idx->norm.len;
        info->short_doc = units < cfg->shingle_size;
    }

    size_t ns = idx->shingles.len;
    if (ns > idx->set_cap) {
        size_t cap = idx->set_cap;
        void *p = idx->set_buf;
        size_t old_bytes = 2 * cap * sizeof(uint32_t);
        while (cap < ns) cap = cap ? cap * 2 : 4096;
        p = dp_realloc(p, old_bytes, 2 * cap * sizeof(uint32_t));
        if (!p) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        idx->set_buf = p;
        idx->set_cap = cap;
    }
    size_t set_len = dp_make_set32(idx->shingles.v, ns, idx->set_buf, idx->set_buf + idx->set_cap);
    if (idx->spill) {
        doppel_status st = dp_spill_append(idx->spill, idx->set_buf, (uint32_t)set_len,
                                           &idx->set_off[d], err);
        if (st) return st;
    }
    uint32_t *sig = idx->sig ? idx->sig + (size_t)d * cfg->num_perm : idx->sig_buf;
    doppel_minhash(cfg->sketch, idx->shingles.v, ns, cfg->seed, cfg->num_perm, sig);
    dp_band_hashes(sig, idx->bands, idx->rows, idx->band + (size_t)d * idx->bands);

    if (add_id(idx, d, id, id_len, info))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory storing ids");
    idx->text_hash[d] = XXH3_64bits(idx->norm.data, idx->norm.len);
    idx->set_len[d] = (uint32_t)set_len;
    idx->date[d] = date;
    idx->short_docs += info->short_doc != 0;
    info->docnum = d;
    idx->n++;
    return DOPPEL_OK;
}

uint32_t doppel_index_count(const doppel_index *idx) { return idx->n; }
