/*
 * eval_pairs.c — scoring a `doppel pairs` output against gold pairs: for
 * each gold kind (derived, partial, quote, ... from `synth --gold-pairs`),
 * how many of its pairs the prediction reports, and as what (a copy:
 * exact, near or contained; derived; partial). Pairs are unordered.
 */
#include "base/internal.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

typedef struct gold_pair {
    uint64_t key;     /* hash of the unordered pair of ids */
    uint32_t kind;    /* index into the kind names */
    uint8_t found;    /* the relation reported: 0 none, 1 copy, 2 derived, 3 partial */
} gold_pair;

static uint64_t pair_key(const char *a, size_t al, const char *b, size_t bl) {
    uint64_t x = XXH3_64bits(a, al), y = XXH3_64bits(b, bl);
    if (x > y) {
        uint64_t t = x;
        x = y;
        y = t;
    }
    return XXH3_64bits_withSeed(&y, sizeof y, x);
}

static int cmp_key(const void *p, const void *q) {
    uint64_t a = ((const gold_pair *)p)->key, b = ((const gold_pair *)q)->key;
    return (a > b) - (a < b);
}

/* Visit each JSON object of a JSONL file; fn returns non-zero to fail. */
static doppel_status each_object(const char *path, int (*fn)(json_t *, void *), void *user,
                                 doppel_error *err) {
    FILE *fp = fopen(path, "r");
    if (!fp) return dp_fail(err, DOPPEL_ERR_IO, "%s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    uint64_t lineno = 0;
    doppel_status st = DOPPEL_OK;
    while (st == DOPPEL_OK && (len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        if (len <= 1) continue;
        json_t *o = json_loadb(line, (size_t)len, JSON_DISABLE_EOF_CHECK, NULL);
        if (!o || !json_is_object(o)) st = dp_fail(err, DOPPEL_ERR_JSON, "%s:%llu: not a JSON object", path, (unsigned long long)lineno);
        else if (fn(o, user)) st = dp_fail(err, DOPPEL_ERR_FIELD, "%s:%llu: needs string \"a\" and \"b\"", path, (unsigned long long)lineno);
        json_decref(o);
    }
    free(line);
    fclose(fp);
    return st;
}

typedef struct {
    gold_pair *v;
    size_t n, cap;
    char **names;
    size_t num_names;
    int nomem;
} gold_set;

static int add_gold(json_t *o, void *user) {
    gold_set *g = user;
    json_t *a = json_object_get(o, "a"), *b = json_object_get(o, "b"), *k = json_object_get(o, "kind");
    if (!json_is_string(a) || !json_is_string(b)) return 1;
    const char *kind = json_is_string(k) ? json_string_value(k) : "pair";
    size_t ki = 0;
    while (ki < g->num_names && strcmp(g->names[ki], kind)) ki++;
    if (ki == g->num_names) {
        char **p = realloc(g->names, (g->num_names + 1) * sizeof *p);
        if (!p || !(p[g->num_names] = strdup(kind))) {
            if (p) g->names = p;
            g->nomem = 1;
            return 0;
        }
        g->names = p;
        g->num_names++;
    }
    if (g->n == g->cap) {
        size_t cap = g->cap ? 2 * g->cap : 1024;
        gold_pair *p = realloc(g->v, cap * sizeof *p);
        if (!p) {
            g->nomem = 1;
            return 0;
        }
        g->v = p;
        g->cap = cap;
    }
    g->v[g->n++] = (gold_pair){pair_key(json_string_value(a), json_string_length(a),
                                        json_string_value(b), json_string_length(b)),
                               (uint32_t)ki, 0};
    return 0;
}

static int mark_pred(json_t *o, void *user) {
    gold_set *g = user;
    json_t *a = json_object_get(o, "a"), *b = json_object_get(o, "b"), *r = json_object_get(o, "relation");
    if (!json_is_string(a) || !json_is_string(b)) return 1;
    gold_pair key = {pair_key(json_string_value(a), json_string_length(a), json_string_value(b),
                              json_string_length(b)), 0, 0};
    gold_pair *hit = bsearch(&key, g->v, g->n, sizeof *g->v, cmp_key);
    if (!hit) return 0;
    const char *rel = json_is_string(r) ? json_string_value(r) : "";
    uint8_t f = !strcmp(rel, "derived") ? 2 : !strcmp(rel, "partial") ? 3 : 1;
    /* A pair listed twice keeps its strongest report (copy over derived over partial). */
    if (!hit->found || f < hit->found) hit->found = f;
    return 0;
}

doppel_status doppel_eval_pairs_files(const char *pred_path, const char *gold_path,
                                      doppel_eval_pairs_result *out, doppel_error *err) {
    memset(out, 0, sizeof *out);
    gold_set g = {0};
    doppel_status st = each_object(gold_path, add_gold, &g, err);
    if (!st && g.nomem) st = dp_fail(err, DOPPEL_ERR_NOMEM, "eval: out of memory");
    if (!st) {
        qsort(g.v, g.n, sizeof *g.v, cmp_key);
        st = each_object(pred_path, mark_pred, &g, err);
    }
    if (!st) {
        out->kinds = calloc(g.num_names ? g.num_names : 1, sizeof *out->kinds);
        if (!out->kinds) st = dp_fail(err, DOPPEL_ERR_NOMEM, "eval: out of memory");
    }
    if (!st) {
        out->num_kinds = g.num_names;
        for (size_t k = 0; k < g.num_names; k++) {
            out->kinds[k].name = g.names[k];
            g.names[k] = NULL;
        }
        for (size_t i = 0; i < g.n; i++) {
            doppel_eval_pair_kind *k = &out->kinds[g.v[i].kind];
            k->total++;
            k->copy += g.v[i].found == 1;
            k->derived += g.v[i].found == 2;
            k->partial += g.v[i].found == 3;
        }
    }
    for (size_t k = 0; k < g.num_names; k++) free(g.names[k]);
    free(g.names);
    free(g.v);
    if (st) doppel_eval_pairs_result_free(out);
    return st;
}

void doppel_eval_pairs_result_free(doppel_eval_pairs_result *res) {
    if (!res) return;
    for (size_t k = 0; k < res->num_kinds; k++) free(res->kinds[k].name);
    free(res->kinds);
    memset(res, 0, sizeof *res);
}
