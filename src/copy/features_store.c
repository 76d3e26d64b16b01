/*
 * features_store.c — per-document features as a blob the store keeps, the
 * candidate keys in it, and verification of two blobs through the batch
 * finish's own functions (dp_features_compute, dp_intersect_count,
 * dp_similarity, dp_worth_aligning, dp_align_pair, dp_relate,
 * dp_relation_score), so that the store follows the engine.
 *
 * Blob layout (little-endian, no alignment assumed):
 *   u8 version, u8 short_doc, u16 bands, u32 set_len, u64 text_hash,
 *   u32 words_len, u32 band[bands], u32 set[set_len], u32 words[words_len]
 */
#include "copy/features_store.h"
#include "copy/lsh.h"
#include "copy/relate.h"
#include "copy/verify.h"

#include <string.h>

#define HEAD_BYTES 20

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
    _Static_assert(DP_FSTORE_REUSE == DP_REUSE_BANDS && DP_FSTORE_REUSE_CAP == DP_REUSE_CAP,
                   "the store's keys are the index's");
    dp_features_compute(cfg, bands, rows, DP_REUSE_BANDS, s, text, len, f);
}

/* The blob's bytes: the header, then the keys, the set and the words (u32 each). */
static size_t blob_bytes(size_t bands, size_t set_len, size_t words_len) {
    return HEAD_BYTES + 4 * (bands + set_len + words_len);
}

size_t dp_fstore_blob_size(const dp_features *f, unsigned bands) {
    return blob_bytes(bands, f->set_len, f->words_len);
}

size_t dp_fstore_blob_len(const void *blob, size_t avail) {
    if (avail < HEAD_BYTES) return 0;
    const unsigned char *p = blob;
    uint16_t b16;
    uint32_t set_len, words_len;
    memcpy(&b16, p + 2, 2);
    memcpy(&set_len, p + 4, 4);
    memcpy(&words_len, p + 16, 4);
    return blob_bytes(b16, set_len, words_len);
}

void dp_fstore_pack(const dp_features *f, unsigned bands, unsigned char *out) {
    uint32_t set_len = (uint32_t)f->set_len, words_len = (uint32_t)f->words_len;
    uint16_t b16 = (uint16_t)bands;
    out[0] = DP_FSTORE_VERSION;
    out[1] = (unsigned char)(f->short_doc != 0);
    memcpy(out + 2, &b16, 2);
    memcpy(out + 4, &set_len, 4);
    memcpy(out + 8, &f->text_hash, 8);
    memcpy(out + 16, &words_len, 4);
    unsigned char *p = out + HEAD_BYTES;
    memcpy(p, f->band, 4 * (size_t)bands);
    p += 4 * (size_t)bands;
    memcpy(p, f->set, 4 * (size_t)set_len);
    p += 4 * (size_t)set_len;
    if (words_len) memcpy(p, f->words, 4 * (size_t)words_len);
}

doppel_status dp_fstore_read(const void *blob, size_t len, unsigned bands, int want_keys,
                             dp_fstore_view *v) {
    const unsigned char *p = blob;
    if (len < HEAD_BYTES || p[0] != DP_FSTORE_VERSION) return DOPPEL_ERR_FORMAT;
    uint16_t b16;
    uint32_t set_len, words_len;
    memcpy(&b16, p + 2, 2);
    memcpy(&set_len, p + 4, 4);
    memcpy(&words_len, p + 16, 4);
    if (b16 != bands || len != blob_bytes(bands, set_len, words_len))
        return DOPPEL_ERR_FORMAT;
    memcpy(&v->text_hash, p + 8, 8);
    if (dp_grow((void **)&v->set, &v->set_cap, set_len + 1, sizeof *v->set) ||
        dp_grow((void **)&v->words, &v->words_cap, words_len + 1, sizeof *v->words))
        return DOPPEL_ERR_NOMEM;
    const unsigned char *q = p + HEAD_BYTES + 4 * (size_t)bands;
    v->set_len = set_len;
    memcpy(v->set, q, 4 * (size_t)set_len);
    v->words_len = words_len;
    if (words_len) memcpy(v->words, q + 4 * (size_t)set_len, 4 * (size_t)words_len);
    if (want_keys) {
        if (!v->keys && !(v->keys = dp_malloc(4 * (size_t)bands + 4))) return DOPPEL_ERR_NOMEM;
        memcpy(v->keys, p + HEAD_BYTES, 4 * (size_t)bands);
        v->nkeys = bands;
    }
    return DOPPEL_OK;
}

dp_fstore_view dp_fstore_view_of(const dp_features *f) {
    return (dp_fstore_view){.text_hash = f->text_hash,
                            .set_len = (uint32_t)f->set_len,
                            .words_len = (uint32_t)f->words_len,
                            .set = f->set,
                            .words = f->words};
}

void dp_fstore_view_free(dp_fstore_view *v) {
    dp_free(v->set, v->set_cap * sizeof *v->set);
    dp_free(v->words, v->words_cap * sizeof *v->words);
    if (v->keys) dp_free(v->keys, 4 * (size_t)v->nkeys + 4);
    *v = (dp_fstore_view){0};
}

void dp_fstore_scratch_free(dp_fstore_scratch *sc) {
    dp_aligner_free(&sc->aligner);
    *sc = (dp_fstore_scratch){0};
}

doppel_similarity dp_fstore_similarity(const dp_fstore_view *a, const dp_fstore_view *b) {
    return dp_similarity(a->set_len, b->set_len,
                         dp_intersect_count(a->set, a->set_len, b->set, b->set_len));
}

doppel_similarity dp_fstore_edge_similarity(uint32_t size_a, uint32_t size_b, uint32_t shared) {
    return dp_similarity(size_a, size_b, shared);
}

doppel_status dp_fstore_verify(const doppel_config *cfg, dp_fstore_scratch *sc,
                               const dp_fstore_view *a, uint64_t key_a, const dp_fstore_view *b,
                               doppel_similarity *sim, doppel_relation *rel, float cover[2]) {
    /* verify_range and align_pair in finish.c, step by step */
    *rel = DOPPEL_REL_NONE;
    cover[0] = cover[1] = 0.0f;
    *sim = dp_fstore_similarity(a, b);
    if (!dp_worth_aligning(a->set_len, b->set_len, sim->shared)) return DOPPEL_OK;
    dp_alignment al;
    if (dp_align_pair(cfg, &sc->aligner, a->words, a->words_len, key_a, b->words, b->words_len,
                      &al, rel))
        return DOPPEL_ERR_NOMEM;
    cover[0] = dp_cover_share(al.cover_a, al.na);
    cover[1] = dp_cover_share(al.cover_b, al.nb);
    return DOPPEL_OK;
}

uint32_t dp_fstore_article(float cover, uint32_t words) {
    return dp_article_words(cover, words);
}

int dp_fstore_joins(const doppel_config *cfg, doppel_relation rel) {
    return dp_relation_joins(cfg, rel);
}

uint32_t dp_fstore_source(doppel_relation rel, uint32_t a, uint32_t b, int64_t date_a,
                          int64_t date_b, double cover_a, double cover_b, uint32_t na,
                          uint32_t nb) {
    return dp_relation_source(rel, a, b, date_a, date_b, cover_a, cover_b, na, nb);
}

double dp_fstore_score(doppel_relation rel, const doppel_similarity *sim, uint32_t size_a,
                       uint32_t size_b) {
    return dp_relation_score(rel, sim, size_a, size_b);
}

void dp_fstore_prefilter_init(dp_fstore_prefilter *p, const doppel_config *cfg) {
    dp_prefilter_init(&p->pf, cfg);
}

unsigned dp_fstore_prefilter_words(const dp_fstore_prefilter *p) {
    return p->pf.active ? 1 + dp_prefilter_words(&p->pf) : 0;
}

void dp_fstore_prefilter_record(const dp_fstore_prefilter *p, const dp_features *f, unsigned bands,
                                uint32_t *record) {
    record[0] = (uint32_t)f->set_len;
    /* the reuse slots follow the band hashes among the keys, as in the
     * batch index's records (index.c) */
    dp_prefilter_record(&p->pf, f->sig, f->band + bands, record + 1);
}

int dp_fstore_prefilter_keeps(const dp_fstore_prefilter *p, const uint32_t *a, const uint32_t *b) {
    /* 1 where it does not apply (small sets), as the batch pass skips them */
    if (!dp_prefilter_applies(&p->pf, a[0], b[0])) return 1;
    return dp_prefilter_keeps(&p->pf, a[0], b[0], a + 1, b + 1);
}
