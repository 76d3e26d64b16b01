/*
 * features_store.c — per-document features as a blob the store keeps, the
 * candidate keys in it, and verification of two blobs through the batch
 * index's own functions (dp_features_compute, dp_intersect_count,
 * dp_similarity, doppel_classify), so that the store follows the engine.
 *
 * Blob layout (little-endian, no alignment assumed):
 *   u8 version, u8 short_doc, u16 bands, u32 set_len, u64 text_hash,
 *   u32 band[bands], u32 set[set_len]
 */
#include "copy/features_store.h"
#include "copy/verify.h"

#include <string.h>

#define HEAD_BYTES 16

void dp_fstore_shape(const doppel_config *cfg, unsigned *bands, unsigned *rows) {
    if (cfg->bands) {
        *bands = cfg->bands;
        *rows = cfg->rows;
    } else {
        doppel_lsh_optimal_shape(dp_lsh_threshold(cfg), cfg->num_perm, bands, rows);
    }
}

void dp_fstore_compute(const doppel_config *cfg, unsigned bands, unsigned rows, dp_scratch *s,
                       const char *text, size_t len, dp_features *f) {
    dp_features_compute(cfg, bands, rows, s, text, len, f);
}

size_t dp_fstore_blob_size(const dp_features *f, unsigned bands) {
    return HEAD_BYTES + 4 * ((size_t)bands + f->set_len);
}

void dp_fstore_pack(const dp_features *f, unsigned bands, unsigned char *out) {
    uint32_t set_len = (uint32_t)f->set_len;
    uint16_t b16 = (uint16_t)bands;
    out[0] = DP_FSTORE_VERSION;
    out[1] = (unsigned char)(f->short_doc != 0);
    memcpy(out + 2, &b16, 2);
    memcpy(out + 4, &set_len, 4);
    memcpy(out + 8, &f->text_hash, 8);
    memcpy(out + HEAD_BYTES, f->band, 4 * (size_t)bands);
    memcpy(out + HEAD_BYTES + 4 * (size_t)bands, f->set, 4 * (size_t)set_len);
}

doppel_status dp_fstore_read(const void *blob, size_t len, unsigned bands, int want_keys,
                             dp_fstore_view *v) {
    const unsigned char *p = blob;
    if (len < HEAD_BYTES || p[0] != DP_FSTORE_VERSION) return DOPPEL_ERR_FORMAT;
    uint16_t b16;
    uint32_t set_len;
    memcpy(&b16, p + 2, 2);
    memcpy(&set_len, p + 4, 4);
    if (b16 != bands || len != HEAD_BYTES + 4 * ((size_t)bands + set_len)) return DOPPEL_ERR_FORMAT;
    memcpy(&v->text_hash, p + 8, 8);
    if (dp_grow((void **)&v->set, &v->set_cap, set_len + 1, sizeof *v->set))
        return DOPPEL_ERR_NOMEM;
    v->set_len = set_len;
    memcpy(v->set, p + HEAD_BYTES + 4 * (size_t)bands, 4 * (size_t)set_len);
    if (want_keys) {
        if (!v->keys && !(v->keys = dp_malloc(4 * (size_t)bands + 4))) return DOPPEL_ERR_NOMEM;
        memcpy(v->keys, p + HEAD_BYTES, 4 * (size_t)bands);
        v->nkeys = bands;
    }
    return DOPPEL_OK;
}

void dp_fstore_view_free(dp_fstore_view *v) {
    dp_free(v->set, v->set_cap * sizeof *v->set);
    if (v->keys) dp_free(v->keys, 4 * (size_t)v->nkeys + 4);
    *v = (dp_fstore_view){0};
}

doppel_relation dp_fstore_relation(const doppel_config *cfg, uint32_t size_a, uint32_t size_b,
                                   uint32_t shared, doppel_similarity *sim) {
    *sim = dp_similarity(size_a, size_b, shared);
    return doppel_classify(cfg, sim, size_a, size_b);
}

doppel_relation dp_fstore_verify(const doppel_config *cfg, const dp_fstore_view *a,
                                 const dp_fstore_view *b, doppel_similarity *sim) {
    uint32_t shared = dp_intersect_count(a->set, a->set_len, b->set, b->set_len);
    return dp_fstore_relation(cfg, a->set_len, b->set_len, shared, sim);
}

double dp_fstore_score(doppel_relation rel, const doppel_similarity *sim, uint32_t size_a,
                       uint32_t size_b) {
    if (rel == DOPPEL_REL_EXACT) return 1.0;
    if (rel == DOPPEL_REL_CONTAINED) return size_a <= size_b ? sim->a_in_b : sim->b_in_a;
    return sim->jaccard;
}
