/*
 * store_header.c — a store's header: every parameter that changes results
 * as "name=value" lines (written at create, parsed at open), the story
 * options beside them, and the refusal of a run whose parameters differ.
 */
#include "store/store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the header: parameters as "name=value" lines --------------------------- */

static const char *kind_name(doppel_shingle_kind k) { return k == DOPPEL_SHINGLE_CHAR ? "char" : "word"; }
static const char *sketch_name(doppel_sketch_kind k) { return k == DOPPEL_SKETCH_CLASSIC ? "classic" : "oph"; }
static const char *canon_name(doppel_canonical_policy p) {
    return p == DOPPEL_CANON_FIRST ? "first" : p == DOPPEL_CANON_EARLIEST ? "earliest" : "longest";
}

/* Every parameter that changes which documents match and how, in a fixed
 * order; two configurations give the same results iff their texts agree. */
int dp_store_config_text(const doppel_config *c, unsigned bands, unsigned rows, char *out,
                         size_t cap) {
    return snprintf(out, cap,
                    "format=%d\nfeatures=%u\nshingle=%s\nngram=%u\nsketch=%s\nnum_perm=%u\n"
                    "seed=%llu\nthreshold=%.17g\nlow_threshold=%.17g\nmin_shared=%u\n"
                    "containment=%.17g\nmin_contained=%u\nbands=%u\nrows=%u\nmax_bucket=%u\n"
                    "canonical=%s\nextract=%d\ncover=%.17g\ncontained_cover=%.17g\n"
                    "derived_cover=%.17g\nderived_spread=%u\npartial_words=%u\njoin_derived=%d\n"
                    "prefilter_miss=%.15g\n",
                    DOPPEL_STORE_FORMAT, DP_FSTORE_VERSION, kind_name(c->shingle_kind),
                    c->shingle_size, sketch_name(c->sketch), c->num_perm,
                    (unsigned long long)c->seed, c->threshold, c->low_threshold, c->min_shared,
                    c->containment, c->min_contained, bands, rows, c->max_bucket,
                    canon_name(c->canonical), c->extract ? 1 : 0, c->cover, c->contained_cover,
                    c->derived_cover, c->derived_spread, c->partial_words,
                    c->join_derived ? 1 : 0, c->prefilter_miss);
}

/* The value of name in a config text, copied to out; 0 or -1. */
static int config_value(const char *text, size_t len, const char *name, char *out, size_t cap) {
    size_t nl = strlen(name);
    for (size_t i = 0; i < len;) {
        const char *line = text + i, *end = memchr(line, '\n', len - i);
        size_t ll = end ? (size_t)(end - line) : len - i;
        if (ll > nl && !memcmp(line, name, nl) && line[nl] == '=') {
            size_t vl = ll - nl - 1;
            if (vl >= cap) return -1;
            memcpy(out, line + nl + 1, vl);
            out[vl] = 0;
            return 0;
        }
        i += ll + 1;
    }
    return -1;
}

doppel_status dp_store_parse_config(doppel_store *s, const char *text, size_t len,
                                   doppel_error *err) {
    char v[64];
    doppel_config *c = &s->cfg;
    doppel_config_default(c);
#define GET(name) (config_value(text, len, name, v, sizeof v) == 0)
    if (!GET("format") || atoi(v) != DOPPEL_STORE_FORMAT)
        return dp_fail(err, DOPPEL_ERR_FORMAT, "index %s: format %s, this doppel reads format %d; "
                       "rebuild it from the documents",
                       s->dir, GET("format") ? v : "unknown", DOPPEL_STORE_FORMAT);
    if (!GET("features") || (unsigned)atoi(v) != DP_FSTORE_VERSION)
        return dp_fail(err, DOPPEL_ERR_FORMAT,
                       "index %s: written with features version %s, this doppel uses %u; "
                       "rebuild it from the documents", s->dir, v, DP_FSTORE_VERSION);
    int ok = 1;
    ok &= GET("shingle"); c->shingle_kind = !strcmp(v, "char") ? DOPPEL_SHINGLE_CHAR : DOPPEL_SHINGLE_WORD;
    ok &= GET("ngram"); c->shingle_size = (unsigned)strtoul(v, NULL, 10);
    ok &= GET("sketch"); c->sketch = !strcmp(v, "classic") ? DOPPEL_SKETCH_CLASSIC : DOPPEL_SKETCH_OPH;
    ok &= GET("num_perm"); c->num_perm = (unsigned)strtoul(v, NULL, 10);
    ok &= GET("seed"); c->seed = strtoull(v, NULL, 10);
    ok &= GET("threshold"); c->threshold = strtod(v, NULL);
    ok &= GET("low_threshold"); c->low_threshold = strtod(v, NULL);
    ok &= GET("min_shared"); c->min_shared = (unsigned)strtoul(v, NULL, 10);
    ok &= GET("containment"); c->containment = strtod(v, NULL);
    ok &= GET("min_contained"); c->min_contained = (unsigned)strtoul(v, NULL, 10);
    ok &= GET("bands"); c->bands = s->bands = (unsigned)strtoul(v, NULL, 10);
    s->keys = dp_fstore_keys(s->bands);
    ok &= GET("rows"); c->rows = s->rows = (unsigned)strtoul(v, NULL, 10);
    ok &= GET("max_bucket"); c->max_bucket = (unsigned)strtoul(v, NULL, 10);
    ok &= GET("canonical");
    c->canonical = !strcmp(v, "first") ? DOPPEL_CANON_FIRST
                   : !strcmp(v, "earliest") ? DOPPEL_CANON_EARLIEST : DOPPEL_CANON_LONGEST;
    ok &= GET("extract"); c->extract = atoi(v);
    ok &= GET("cover"); c->cover = strtod(v, NULL);
    ok &= GET("contained_cover"); c->contained_cover = strtod(v, NULL);
    ok &= GET("derived_cover"); c->derived_cover = strtod(v, NULL);
    ok &= GET("derived_spread"); c->derived_spread = (unsigned)strtoul(v, NULL, 10);
    ok &= GET("partial_words"); c->partial_words = (unsigned)strtoul(v, NULL, 10);
    ok &= GET("join_derived"); c->join_derived = atoi(v);
    ok &= GET("prefilter_miss"); c->prefilter_miss = strtod(v, NULL);
#undef GET
    if (!ok || doppel_config_validate(c, NULL))
        return dp_fail(err, DOPPEL_ERR_FORMAT, "index %s: damaged header", s->dir);
    return DOPPEL_OK;
}

/* ---- the story options (stores with stories; store_story.c) -------------------- */

int dp_story_options_text(const doppel_story_options *o, char *out, size_t cap) {
    return snprintf(out, cap,
                    "stories=1\nstory_language=%s\nstory_threshold=%.17g\n"
                    "story_short_threshold=%.17g\nstory_merge_threshold=%.17g\n"
                    "story_top_terms=%u\nstory_index_terms=%u\nstory_max_postings=%u\n"
                    "story_title_weight=%.17g\nstory_name_boost=%.17g\nstory_date_boost=%.17g\n"
                    "story_unit_boost=%.17g\nstory_quote_boost=%.17g\nstory_window=%lld\n"
                    "story_expansion=%.17g\nstory_online=%d\n",
                    o->language ? o->language : "english", o->threshold, o->short_threshold,
                    o->merge_threshold, o->top_terms, o->index_terms, o->max_postings,
                    o->title_weight, o->name_boost, o->date_boost, o->unit_boost, o->quote_boost,
                    (long long)o->window_seconds, o->expansion, o->online ? 1 : 0);
}

doppel_status dp_story_options_parse(doppel_store *s, const char *text, size_t len,
                                     doppel_error *err) {
    char v[64];
    doppel_story_options *o = &s->story;
    doppel_story_options_default(o);
    int ok = 1;
#define GET(name) ((ok &= config_value(text, len, name, v, sizeof v) == 0) ? v : "0")
    snprintf(s->story_language, sizeof s->story_language, "%s", GET("story_language"));
    o->language = s->story_language;
    o->threshold = strtod(GET("story_threshold"), NULL);
    o->short_threshold = strtod(GET("story_short_threshold"), NULL);
    o->merge_threshold = strtod(GET("story_merge_threshold"), NULL);
    o->top_terms = (unsigned)strtoul(GET("story_top_terms"), NULL, 10);
    o->index_terms = (unsigned)strtoul(GET("story_index_terms"), NULL, 10);
    o->max_postings = (unsigned)strtoul(GET("story_max_postings"), NULL, 10);
    o->title_weight = strtod(GET("story_title_weight"), NULL);
    o->name_boost = strtod(GET("story_name_boost"), NULL);
    o->date_boost = strtod(GET("story_date_boost"), NULL);
    o->unit_boost = strtod(GET("story_unit_boost"), NULL);
    o->quote_boost = strtod(GET("story_quote_boost"), NULL);
    o->window_seconds = strtoll(GET("story_window"), NULL, 10);
    o->expansion = strtod(GET("story_expansion"), NULL);
    o->online = atoi(GET("story_online"));
#undef GET
    o->keep_state = 1;
    if (!ok) return dp_fail(err, DOPPEL_ERR_FORMAT, "index %s: damaged story header", s->dir);
    s->stories = 1;
    return DOPPEL_OK;
}

/* ---- comparing parameters ---------------------------------------------------------- */

doppel_status dp_store_compare_text(const doppel_store *s, const char *want, const char *have,
                                    doppel_error *err) {
    for (const char *p = want; *p;) {
        const char *eq = strchr(p, '='), *nl = strchr(p, '\n');
        if (!eq || !nl) break;
        char name[40], a[64] = "", b[64] = "";
        snprintf(name, sizeof name, "%.*s", (int)(eq - p), p);
        config_value(want, strlen(want), name, a, sizeof a);
        if (config_value(have, strlen(have), name, b, sizeof b)) snprintf(b, sizeof b, "(none)");
        if (strcmp(a, b) && strchr(a, '.')) {  /* numbers as people write them */
            snprintf(a, sizeof a, "%g", strtod(a, NULL));
            snprintf(b, sizeof b, "%g", strtod(b, NULL));
        }
        if (strcmp(a, b))
            return dp_fail(err, DOPPEL_ERR_ARG,
                           "index %s was created with %s=%s; this run asks for %s=%s (the "
                           "index's parameters cannot change: create another index)",
                           s->dir, name, b, name, a);
        p = nl + 1;
    }
    return DOPPEL_OK;
}

doppel_status doppel_store_check_config(const doppel_store *s, const doppel_config *cfg,
                                        doppel_error *err) {
    unsigned bands, rows;
    dp_fstore_shape(cfg, &bands, &rows);
    char want[1024], have[1024];
    dp_store_config_text(cfg, bands, rows, want, sizeof want);
    dp_store_config_text(&s->cfg, s->bands, s->rows, have, sizeof have);
    if (cfg->verify != DOPPEL_VERIFY_EXACT)
        return dp_fail(err, DOPPEL_ERR_ARG, "index %s verifies exactly: --fast is not possible",
                       s->dir);
    return dp_store_compare_text(s, want, have, err);
}
