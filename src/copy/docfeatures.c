/*
 * docfeatures.c — text in, features out: normalize, shingle, hash the set,
 * sketch, band. Nothing here reads or writes shared state, which is what lets
 * the index compute many documents at once and still commit them in order.
 */
#include "copy/docfeatures.h"
#include "copy/align.h"
#include "copy/lsh.h"
#include "base/sort.h"
#include "copy/verify.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

doppel_status dp_features_init(dp_features *f, unsigned num_perm, unsigned bands) {
    *f = (dp_features){0};
    f->sig = dp_malloc(num_perm * sizeof *f->sig);
    f->band = dp_malloc(bands * sizeof *f->band);
    if (!f->sig || !f->band) {
        dp_features_free(f, num_perm, bands);
        return DOPPEL_ERR_NOMEM;
    }
    return DOPPEL_OK;
}

void dp_features_free(dp_features *f, unsigned num_perm, unsigned bands) {
    dp_free(f->set, f->set_cap * sizeof *f->set);
    dp_free(f->words, f->words_cap * sizeof *f->words);
    dp_free(f->sig, num_perm * sizeof *f->sig);
    dp_free(f->band, bands * sizeof *f->band);
    *f = (dp_features){0};
}

void dp_scratch_free(dp_scratch *s) {
    doppel_buf_free(&s->norm);
    doppel_hashes_free(&s->shingles);
    dp_free(s->tmp, s->tmp_cap * sizeof *s->tmp);
    dp_free(s->sorted, s->sorted_cap * sizeof *s->sorted);
    doppel_extractor_free(s->extractor);
    *s = (dp_scratch){0};
}

static size_t count_words(const char *s, size_t len) {
    size_t words = len ? 1 : 0;
    for (size_t i = 0; i < len; i++) words += s[i] == ' ';
    return words;
}

void dp_features_compute(const doppel_config *cfg, unsigned bands, unsigned rows, unsigned reuse,
                         dp_scratch *s,
                         const char *text, size_t len, dp_features *f) {
    f->norm = (doppel_norm_stats){0};
    f->short_doc = 0;
    f->set_len = 0;
    f->words_len = 0;
    f->extract_flags = 0;
    f->date = DOPPEL_NO_DATE;
    f->status = DOPPEL_ERR_NOMEM;
    if (cfg->extract) {
        /* read -> extract -> normalize: compare the article, not the page. */
        if (!s->extractor && doppel_extractor_new(&s->extractor, NULL)) return;
        doppel_extract_options defaults;
        const doppel_extract_options *opt = cfg->extract_options;
        if (!opt) {
            doppel_extract_options_default(&defaults);
            opt = &defaults;
        }
        doppel_extract_result res;
        doppel_status st = doppel_extract(s->extractor, text, len, opt, &res, NULL);
        if (st) {
            f->status = st;
            return;
        }
        f->extract_flags = res.flags;
        if (res.date && doppel_parse_date(res.date, &f->date)) f->date = DOPPEL_NO_DATE;
        text = res.text;
        len = res.text_len;
    }
    if (doppel_normalize(text, len, &s->norm, &f->norm)) return;
    if (s->norm.len == 0) {
        f->status = DOPPEL_ERR_EMPTY;
        return;
    }
    if (cfg->verify == DOPPEL_VERIFY_EXACT) {
        long nw = dp_shingle_with_words(s->norm.data, s->norm.len, cfg->shingle_kind,
                                        cfg->shingle_size, cfg->seed, &s->shingles,
                                        DP_ALIGN_MAX_WORDS, &f->words, &f->words_cap);
        if (nw < 0) return;
        f->words_len = (size_t)nw;
    } else if (doppel_shingle(s->norm.data, s->norm.len, cfg->shingle_kind, cfg->shingle_size,
                              cfg->seed, &s->shingles)) {
        return;
    }
    size_t ns = s->shingles.len;
    /* Only a text of one shingle can be shorter than a shingle. */
    if (ns == 1) {
        size_t units = cfg->shingle_kind == DOPPEL_SHINGLE_WORD
                           ? count_words(s->norm.data, s->norm.len)
                           : s->norm.len;
        f->short_doc = units < cfg->shingle_size;
    }
    /* + 16: the set is written 16 values at a time (dp_sort_unique_folds_u32) */
    if (dp_grow((void **)&f->set, &f->set_cap, ns + 16, sizeof *f->set) ||
        dp_grow((void **)&s->tmp, &s->tmp_cap, ns, sizeof *s->tmp) ||
        dp_grow((void **)&s->sorted, &s->sorted_cap, dp_sort_unique_scratch(ns), sizeof *s->sorted))
        return;
    /* Sorted in this thread's scratch, then written out in order: f->set is
     * one of a batch's thousand slots and cold in the cache, and the sort's
     * scatter writes at random. */
    f->set_len = dp_sort_unique_folds_u32(s->shingles.v, s->tmp, s->sorted, f->set, ns);
    doppel_minhash(cfg->sketch, s->shingles.v, ns, cfg->seed, cfg->num_perm, f->sig);
    dp_band_hashes(f->sig, bands, rows, f->band);
    f->text_hash = XXH3_64bits(s->norm.data, s->norm.len);
    if (reuse) dp_reuse_slots(f->words, f->words_len, f->text_hash, f->band + bands);
    f->status = DOPPEL_OK;
}
