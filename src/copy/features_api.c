/*
 * features_api.c — one document's features as a portable blob, and the
 * decisions doppel_index_finish makes on them, for callers that spread one
 * run over many processes or machines (the Python package's Dask pipeline).
 *
 * Nothing here decides anything of its own: the features come from
 * dp_features_compute (the function the index's batches call), a pair is
 * judged as verify_range in finish.c judges it (the signature pre-filter,
 * then the exact intersection, the gate on it, the alignment of the words
 * and dp_relate; in fast mode the sketch estimate and doppel_classify), and
 * a member's relation to its canonical as relate_range does (from the
 * verified edge between them, else linked). So when the engine changes how
 * it verifies, a distributed run follows it.
 *
 * Blob layout (native byte order; blobs move between processes of one
 * architecture and one library version, never to disk for long):
 *   header (fixed, struct blob_head), num_perm signature values, `bands`
 *   candidate keys (the LSH band hashes, then in exact mode the reuse slots),
 *   band hashes, then (exact verification only; fast mode needs the
 *   signature alone) set_len sorted unique 32-bit shingle folds and
 *   words_len word hashes in text order (what alignment reads).
 */
#include "copy/docfeatures.h"
#include "copy/lsh.h"
#include "copy/prefilter.h"
#include "copy/relate.h"
#include "copy/verify.h"

#include <string.h>

#define BLOB_MAGIC 0x32465044u /* "DPF2": with word hashes */

typedef struct blob_head {
    uint32_t magic;
    uint32_t set_len;
    uint64_t text_hash;
    int64_t date;
    uint64_t invalid_utf8, nul_bytes;
    uint32_t extract_flags;
    uint16_t num_perm, bands;
    uint32_t short_doc;
    uint32_t has_set;           /* the set and the word hashes follow */
    uint32_t words_len;
    uint32_t pad;
} blob_head;
_Static_assert(sizeof(blob_head) % 8 == 0, "blobs laid end to end stay aligned");

struct doppel_featurizer {
    doppel_config cfg;          /* copied; extract_options stays borrowed */
    unsigned bands, rows;
    unsigned keys;              /* bands, then the reuse slots in exact mode */
    dp_scratch scratch;
    dp_features feats;
    dp_prefilter prefilter;     /* points at cfg above */
    dp_aligner aligner;         /* verification's scratch */
};

_Static_assert(DOPPEL_REUSE_SLOTS == DP_REUSE_BANDS && DOPPEL_REUSE_CAP == DP_REUSE_CAP,
               "the public reuse constants are the index's");

doppel_status doppel_featurizer_new(const doppel_config *cfg, doppel_featurizer **out,
                                    doppel_error *err) {
    *out = NULL;
    doppel_status st = doppel_config_validate(cfg, err);
    if (st) return st;
    doppel_featurizer *fz = dp_calloc(1, sizeof *fz);
    if (!fz) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    fz->cfg = *cfg;
    fz->cfg.tmp_dir = NULL;
    /* The same shape doppel_index_new picks. */
    if (cfg->bands) {
        fz->bands = cfg->bands;
        fz->rows = cfg->rows;
    } else {
        doppel_lsh_optimal_shape(dp_lsh_threshold(cfg), cfg->num_perm, &fz->bands, &fz->rows);
    }
    /* The same reuse channel doppel_index_new adds. */
    fz->keys = fz->bands + (cfg->verify == DOPPEL_VERIFY_EXACT ? DP_REUSE_BANDS : 0);
    dp_prefilter_init(&fz->prefilter, &fz->cfg);
    if (dp_features_init(&fz->feats, cfg->num_perm, fz->keys)) {
        dp_free(fz, sizeof *fz);
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    }
    *out = fz;
    return DOPPEL_OK;
}

void doppel_featurizer_free(doppel_featurizer *fz) {
    if (!fz) return;
    dp_features_free(&fz->feats, fz->cfg.num_perm, fz->keys);
    dp_scratch_free(&fz->scratch);
    dp_aligner_free(&fz->aligner);
    dp_free(fz, sizeof *fz);
}

void doppel_featurizer_shape(const doppel_featurizer *fz, unsigned *bands, unsigned *rows) {
    *bands = fz->bands;
    *rows = fz->rows;
}

/* Rounded up to 8 bytes, so blobs laid end to end stay aligned. */
static size_t blob_bytes(const blob_head *h) {
    size_t n = sizeof *h + ((size_t)h->num_perm + h->bands +
                            (h->has_set ? (size_t)h->set_len + h->words_len : 0)) *
                               sizeof(uint32_t);
    return (n + 7) & ~(size_t)7;
}

/* The header of a blob made by this featurizer, or NULL when it is not one. */
static const blob_head *check_blob(const doppel_featurizer *fz, const void *blob, size_t len) {
    blob_head h;
    if (!blob || len < sizeof h) return NULL;
    memcpy(&h, blob, sizeof h);
    if (h.magic != BLOB_MAGIC || h.num_perm != fz->cfg.num_perm || h.bands != fz->keys ||
        blob_bytes(&h) != len || (uintptr_t)blob % sizeof(uint64_t))
        return NULL;
    return blob;
}

static void fill_info(const blob_head *h, doppel_feature_info *info) {
    const uint32_t *words = (const uint32_t *)(const void *)(h + 1);
    info->text_hash = h->text_hash;
    info->set_len = h->set_len;
    info->short_doc = (int)h->short_doc;
    info->date = h->date;
    info->extract_flags = h->extract_flags;
    info->norm.invalid_utf8 = h->invalid_utf8;
    info->norm.nul_bytes = h->nul_bytes;
    info->sig = words;
    info->bands = words + h->num_perm;
    info->nkeys = h->bands;
    info->words_len = h->words_len;
}

doppel_status doppel_features_compute(doppel_featurizer *fz, const char *text, size_t len,
                                      doppel_buf *blob, doppel_feature_info *info,
                                      doppel_error *err) {
    dp_features *f = &fz->feats;
    dp_features_compute(&fz->cfg, fz->bands, fz->rows, fz->keys - fz->bands, &fz->scratch, text,
                        len, f);
    if (info) {
        memset(info, 0, sizeof *info);
        info->extract_flags = f->extract_flags;
        info->norm = f->norm;
        info->date = DOPPEL_NO_DATE;
    }
    /* The same outcomes, and messages, as doppel_index_add's. */
    if (f->status == DOPPEL_ERR_EMPTY)
        return dp_fail(err, DOPPEL_ERR_EMPTY, "document has no words%s",
                       f->extract_flags & DOPPEL_EXTRACT_EMPTY ? " (all boilerplate)" : "");
    if (f->status == DOPPEL_ERR_FORMAT)
        return dp_fail(err, DOPPEL_ERR_FORMAT, "document is binary data");
    if (f->status != DOPPEL_OK) return dp_fail(err, f->status, "out of memory processing a document");
    blob_head h = {.magic = BLOB_MAGIC,
                   .set_len = (uint32_t)f->set_len,
                   .text_hash = f->text_hash,
                   .date = f->date,
                   .invalid_utf8 = f->norm.invalid_utf8,
                   .nul_bytes = f->norm.nul_bytes,
                   .extract_flags = f->extract_flags,
                   .num_perm = (uint16_t)fz->cfg.num_perm,
                   .bands = (uint16_t)fz->keys,
                   .short_doc = (uint32_t)f->short_doc,
                   .has_set = fz->cfg.verify == DOPPEL_VERIFY_EXACT,
                   .words_len = fz->cfg.verify == DOPPEL_VERIFY_EXACT ? (uint32_t)f->words_len : 0};
    size_t need = blob_bytes(&h);
    blob->len = 0;
    if (dp_buf_reserve(blob, need + 1)) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    char *p = blob->data;
    memcpy(p, &h, sizeof h);
    p += sizeof h;
    memcpy(p, f->sig, fz->cfg.num_perm * sizeof *f->sig);
    p += fz->cfg.num_perm * sizeof *f->sig;
    memcpy(p, f->band, fz->keys * sizeof *f->band);
    p += fz->keys * sizeof *f->band;
    if (h.has_set) {
        memcpy(p, f->set, f->set_len * sizeof *f->set);
        p += f->set_len * sizeof *f->set;
        if (h.words_len) memcpy(p, f->words, h.words_len * sizeof *f->words);
        p += h.words_len * sizeof *f->words;
    }
    memset(p, 0, (size_t)(blob->data + need - p));
    blob->len = need;
    if (info) fill_info((const blob_head *)(const void *)blob->data, info);
    return DOPPEL_OK;
}

doppel_status doppel_features_read(const doppel_featurizer *fz, const void *blob, size_t len,
                                   doppel_feature_info *info) {
    const blob_head *h = check_blob(fz, blob, len);
    if (!h) return DOPPEL_ERR_FORMAT;
    fill_info(h, info);
    return DOPPEL_OK;
}

/* Similarity of two checked blobs, as similarity_of in finish.c. */
static doppel_similarity blob_similarity(const doppel_featurizer *fz, const blob_head *a,
                                         const blob_head *b) {
    const uint32_t *wa = (const uint32_t *)(const void *)(a + 1);
    const uint32_t *wb = (const uint32_t *)(const void *)(b + 1);
    unsigned k = fz->cfg.num_perm;
    if (fz->cfg.verify == DOPPEL_VERIFY_FAST)
        return dp_similarity_estimate(wa, wb, k, a->set_len, b->set_len);
    const uint32_t *sa = wa + k + a->bands, *sb = wb + k + b->bands;
    return dp_similarity(a->set_len, b->set_len,
                         dp_intersect_count(sa, a->set_len, sb, b->set_len));
}

/* The word hashes of a checked exact-mode blob. */
static const uint32_t *blob_words(const blob_head *h) {
    return (const uint32_t *)(const void *)(h + 1) + h->num_perm + h->bands + h->set_len;
}

/* A name for a blob's words in the aligner's cache: equal normalized texts
 * have equal words (the index's exact groups rest on the same hash). */
static uint64_t words_key(const blob_head *h) {
    return h->text_hash ? h->text_hash : 1;
}

/* The pre-filter's decision on two documents' set lengths and records
 * (dp_prefilter_record's words): what verify and doppel_features_prefilter
 * both ask, so a pair dropped before shipping is one verify would drop. */
static int prefilter_keeps(const doppel_featurizer *fz, uint32_t na, uint32_t nb,
                           const uint32_t *ra, const uint32_t *rb) {
    return dp_prefilter_keeps(&fz->prefilter, na, nb, ra, rb);  /* 1 where it does not apply */
}

doppel_status doppel_features_verify(doppel_featurizer *fz, const void *a, size_t a_len,
                                     const void *b, size_t b_len, doppel_similarity *sim,
                                     doppel_relation *rel, uint32_t article[2]) {
    const blob_head *ha = check_blob(fz, a, a_len), *hb = check_blob(fz, b, b_len);
    if (!ha || !hb) return DOPPEL_ERR_FORMAT;
    *rel = DOPPEL_REL_NONE;
    *sim = (doppel_similarity){0};
    if (article) article[0] = article[1] = 0;
    /* The signature pre-filter first, on the same 16-bit prints the index
     * keeps on disk: a pair it drops is not read back there either. */
    if (dp_prefilter_applies(&fz->prefilter, ha->set_len, hb->set_len)) {
        uint32_t ra[DP_MAX_PERM / 2 + DP_REUSE_BANDS / 2], rb[DP_MAX_PERM / 2 + DP_REUSE_BANDS / 2];
        const uint32_t *sa = (const uint32_t *)(const void *)(ha + 1);
        const uint32_t *sb = (const uint32_t *)(const void *)(hb + 1);
        /* the reuse slots follow the band hashes among the keys */
        dp_prefilter_record(&fz->prefilter, sa, sa + fz->cfg.num_perm + fz->bands, ra);
        dp_prefilter_record(&fz->prefilter, sb, sb + fz->cfg.num_perm + fz->bands, rb);
        if (!prefilter_keeps(fz, ha->set_len, hb->set_len, ra, rb)) return DOPPEL_OK;
    }
    *sim = blob_similarity(fz, ha, hb);
    if (fz->cfg.verify == DOPPEL_VERIFY_FAST) {
        /* no texts to align: the set rules on estimates */
        *rel = doppel_classify(&fz->cfg, sim, ha->set_len, hb->set_len);
        return DOPPEL_OK;
    }
    if (!dp_worth_aligning(ha->set_len, hb->set_len, sim->shared)) return DOPPEL_OK;
    dp_alignment al;
    if (dp_align_pair(&fz->cfg, &fz->aligner, blob_words(ha), ha->words_len, words_key(ha),
                      blob_words(hb), hb->words_len, &al, rel))
        return DOPPEL_ERR_NOMEM;
    /* the measure finish.c takes from the edge's float covers */
    if (article) {
        article[0] = dp_article_words(dp_cover_share(al.cover_a, al.na), ha->words_len);
        article[1] = dp_article_words(dp_cover_share(al.cover_b, al.nb), hb->words_len);
    }
    return DOPPEL_OK;
}

/* A pre-filter record: word 0 the set length (dp_prefilter_applies asks
 * it), then dp_prefilter_record's words. */
size_t doppel_features_prefilter_words(const doppel_featurizer *fz) {
    return 1 + dp_prefilter_words(&fz->prefilter);
}

doppel_status doppel_features_prefilter_record(const doppel_featurizer *fz, const void *blob,
                                               size_t len, uint32_t *record) {
    const blob_head *h = check_blob(fz, blob, len);
    if (!h) return DOPPEL_ERR_FORMAT;
    const uint32_t *sig = (const uint32_t *)(const void *)(h + 1);
    record[0] = h->set_len;
    /* the reuse slots follow the band hashes among the keys */
    dp_prefilter_record(&fz->prefilter, sig, sig + fz->cfg.num_perm + fz->bands, record + 1);
    return DOPPEL_OK;
}

size_t doppel_features_prefilter(const doppel_featurizer *fz, const uint32_t *a,
                                 const uint32_t *b, size_t n, uint8_t *keep) {
    size_t w = doppel_features_prefilter_words(fz), kept = 0;
    for (size_t i = 0; i < n; i++, a += w, b += w) {
        keep[i] = (uint8_t)prefilter_keeps(fz, a[0], b[0], a + 1, b + 1);
        kept += keep[i];
    }
    return kept;
}

doppel_status doppel_features_relate(doppel_featurizer *fz, const void *canonical,
                                     size_t canonical_len, const void *doc, size_t doc_len,
                                     doppel_relation edge, doppel_relation *rel, float *score) {
    const blob_head *c = check_blob(fz, canonical, canonical_len), *d = check_blob(fz, doc, doc_len);
    if (!c || !d) return DOPPEL_ERR_FORMAT;
    /* As relate_range in finish.c: same normalized text is exact; else a
     * verified copy edge between the two texts says what the member is,
     * and without one it joined through others: linked (fast mode, which
     * keeps no edges there, asks the set rules). The score comes from the
     * sets either way. */
    if (c->text_hash == d->text_hash) {
        *rel = DOPPEL_REL_EXACT;
        *score = 1.0f;
        return DOPPEL_OK;
    }
    doppel_similarity sim = blob_similarity(fz, c, d);
    doppel_relation r = fz->cfg.verify == DOPPEL_VERIFY_FAST
                            ? doppel_classify(&fz->cfg, &sim, c->set_len, d->set_len)
                        : dp_relation_joins(&fz->cfg, edge) ? edge
                                                            : DOPPEL_REL_NONE;
    *rel = r == DOPPEL_REL_NONE ? DOPPEL_REL_LINKED : r;
    *score = (float)dp_relation_score(r, &sim, c->set_len, d->set_len);
    return DOPPEL_OK;
}
