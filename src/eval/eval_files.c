/*
 * eval_files.c — doppel_eval_files: the prediction and gold JSONL read into
 * label arrays, scored by eval.c, and the figures by kind and of removal.
 *
 * The file reader maps ids and labels to dense numbers through base/idtab.h
 * tables keyed by xxh3 of the value's text. Values are keyed the way
 * Python's dict compares them, since that is what score_pairs.py does:
 * strings by their bytes, numbers by value (1, 1.0 and true are one key).
 * An id table's entry number is the document number (first occurrence in
 * the gold file), which is also what keeps gold order for removal scores.
 */
#include "base/idtab.h"
#include "base/internal.h"
#include "eval/eval_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define NONE UINT32_MAX

/* ======================================================================
 * Interning: value text -> dense number
 * ==================================================================== */

typedef struct intern_entry {
    uint64_t hash; /* xxh3 of the key: the id table's key */
    uint64_t off;  /* key bytes in the arena */
    size_t len;
} intern_entry;

typedef struct intern {
    uint64_t *slots; /* base/idtab.h's table: hash high half | entry + 1 */
    size_t num_slots;
    intern_entry *entries;
    size_t count, entry_cap;
    doppel_buf arena;
} intern;

static void intern_free(intern *t) {
    dp_free(t->slots, t->num_slots * sizeof *t->slots);
    dp_free(t->entries, t->entry_cap * sizeof *t->entries);
    doppel_buf_free(&t->arena);
}

static const char *intern_key(const intern *t, uint32_t e, size_t *len) {
    *len = t->entries[e].len;
    return t->arena.data + t->entries[e].off;
}

static uint32_t intern_find_hashed(const intern *t, const char *key, size_t len, uint64_t h) {
    size_t pos = (size_t)h;
    for (uint32_t e; (e = dp_idtab_next(t->slots, t->num_slots, h, &pos)) != UINT32_MAX;) {
        const intern_entry *en = &t->entries[e];
        if (en->len == len && memcmp(t->arena.data + en->off, key, len) == 0) return e;
    }
    return NONE;
}

/* Find key; NONE when absent. */
static uint32_t intern_find(const intern *t, const char *key, size_t len) {
    return intern_find_hashed(t, key, len, XXH3_64bits(key, len));
}

/* Find or add key; *added tells which. */
static doppel_status intern_add(intern *t, const char *key, size_t len, uint32_t *num, int *added) {
    *added = 0;
    uint64_t h = XXH3_64bits(key, len);
    uint32_t e = intern_find_hashed(t, key, len, h);
    if (e != NONE) {
        *num = e;
        return DOPPEL_OK;
    }
    if (t->count >= UINT32_MAX - 1) return DOPPEL_ERR_LIMIT;
    if ((t->count + 1) * 2 > t->num_slots) {
        doppel_status st =
            dp_idtab_rebuild(&t->slots, &t->num_slots, t->num_slots ? t->num_slots * 2 : 1024,
                             t->entries, sizeof *t->entries, offsetof(intern_entry, hash), t->count);
        if (st != DOPPEL_OK) return st;
    }
    if (dp_grow((void **)&t->entries, &t->entry_cap, t->count + 1, sizeof *t->entries))
        return DOPPEL_ERR_NOMEM;
    uint64_t off = t->arena.len;
    if (dp_buf_append(&t->arena, key, len)) return DOPPEL_ERR_NOMEM;
    t->entries[t->count] = (intern_entry){h, off, len};
    dp_idtab_put(t->slots, t->num_slots, h, (uint32_t)t->count);
    *num = (uint32_t)t->count++;
    *added = 1;
    return DOPPEL_OK;
}

/* The key of a JSON value as Python's dict would compare it: strings by
 * bytes ("s" prefix), numbers and booleans by value ("n" prefix, integral
 * values in integer form), null alone. Arrays and objects are not keys
 * (Python cannot hash them): returns -1. */
static int value_key(const json_t *v, doppel_buf *key) {
    char num[64];
    key->len = 0;
    switch (json_typeof(v)) {
    case JSON_STRING:
        if (dp_buf_append(key, "s", 1) ||
            dp_buf_append(key, json_string_value(v), json_string_length(v)))
            return -2;
        return 0;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "n%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL: {
        double d = json_real_value(v);
        if (d == floor(d) && fabs(d) < 9.2e18) snprintf(num, sizeof num, "n%lld", (long long)d);
        else snprintf(num, sizeof num, "n%.17g", d);
        break;
    }
    case JSON_TRUE: strcpy(num, "n1"); break;
    case JSON_FALSE: strcpy(num, "n0"); break;
    case JSON_NULL: strcpy(num, "z"); break;
    default: return -1;
    }
    return dp_buf_append(key, num, strlen(num)) ? -2 : 0;
}

/* Python truthiness of a JSON value, for {"duplicate": ...} flags. */
static int truthy(const json_t *v) {
    switch (json_typeof(v)) {
    case JSON_TRUE: return 1;
    case JSON_INTEGER: return json_integer_value(v) != 0;
    case JSON_REAL: return json_real_value(v) != 0;
    case JSON_STRING: return json_string_length(v) > 0;
    case JSON_ARRAY: return json_array_size(v) > 0;
    case JSON_OBJECT: return json_object_size(v) > 0;
    default: return 0;
    }
}

/* ======================================================================
 * Reading JSONL
 * ==================================================================== */

typedef struct line_reader {
    FILE *fp;
    const char *path;
    doppel_buf buf;
    size_t start;       /* first unread byte in buf */
    int eof;
    uint64_t lineno;
} line_reader;

/* 1 and the next line (without its newline), 0 at the end, or an error. */
static doppel_status next_line(line_reader *lr, const char **line, size_t *len, int *got,
                               doppel_error *err) {
    *got = 0;
    for (;;) {
        char *base = lr->buf.data ? lr->buf.data + lr->start : NULL;
        size_t avail = lr->buf.len - lr->start;
        char *nl = avail ? memchr(base, '\n', avail) : NULL;
        if (nl || (lr->eof && avail)) {
            *line = base;
            *len = nl ? (size_t)(nl - base) : avail;
            lr->start += *len + (nl != NULL);
            lr->lineno++;
            *got = 1;
            return DOPPEL_OK;
        }
        if (lr->eof) return DOPPEL_OK;
        /* Keep the partial line, make room, read more. */
        if (avail) memmove(lr->buf.data, base, avail);
        lr->buf.len = avail;
        lr->start = 0;
        size_t want = DP_MAX(lr->buf.cap, (size_t)1 << 20);
        if (lr->buf.len + want / 2 > lr->buf.cap &&
            dp_buf_reserve(&lr->buf, lr->buf.len + want))
            return dp_fail(err, DOPPEL_ERR_NOMEM, "%s: out of memory", lr->path);
        size_t got_bytes = fread(lr->buf.data + lr->buf.len, 1, lr->buf.cap - lr->buf.len, lr->fp);
        lr->buf.len += got_bytes;
        if (got_bytes == 0) {
            if (ferror(lr->fp))
                return dp_fail(err, DOPPEL_ERR_IO, "%s: read error: %s", lr->path, strerror(errno));
            lr->eof = 1;
        }
    }
}

static int blank(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (!strchr(" \t\r\n\f\v", s[i]) || s[i] == '\0') return 0;
    return 1;
}

/* Everything read from the two files, by gold document number. */
typedef struct eval_state {
    intern ids, gold_labels, pred_labels, kinds;
    uint32_t *gold, *pred, *kind;  /* pred: NONE when missing; kind: NONE when absent */
    signed char *flag;             /* flags mode: -1 missing, 0, 1 */
    size_t n;                      /* gold documents */
    size_t gold_cap, kind_cap;     /* elements allocated */
    size_t pred_alloc;             /* elements of pred and flag */
    int have_kinds;
    doppel_buf key;
} eval_state;

static void eval_state_free(eval_state *s) {
    intern_free(&s->ids);
    intern_free(&s->gold_labels);
    intern_free(&s->pred_labels);
    intern_free(&s->kinds);
    dp_free(s->gold, s->gold_cap * sizeof *s->gold);
    dp_free(s->kind, s->kind_cap * sizeof *s->kind);
    dp_free(s->pred, s->pred_alloc * sizeof *s->pred);
    dp_free(s->flag, s->pred_alloc);
    doppel_buf_free(&s->key);
}

static doppel_status grow_docs(eval_state *s) {
    if (dp_grow((void **)&s->gold, &s->gold_cap, s->n + 1, sizeof *s->gold) ||
        dp_grow((void **)&s->kind, &s->kind_cap, s->n + 1, sizeof *s->kind))
        return DOPPEL_ERR_NOMEM;
    return DOPPEL_OK;
}

/* Read one file. Gold: adds documents. Prediction: fills pred or flag. */
static doppel_status read_file(eval_state *s, const char *path, int is_gold,
                               const doppel_eval_options *opt, uint64_t *extra, int *flags_mode,
                               doppel_error *err) {
    line_reader lr = {.path = path};
    lr.fp = fopen(path, "rb");
    if (!lr.fp) return dp_fail(err, DOPPEL_ERR_IO, "%s: %s", path, strerror(errno));
    const char *label_field = is_gold ? opt->gold_field : opt->pred_field;
    int saw_labels = 0, saw_flags = 0;
    doppel_status st = DOPPEL_OK;
    for (;;) {
        const char *line;
        size_t len;
        int got;
        st = next_line(&lr, &line, &len, &got, err);
        if (st != DOPPEL_OK || !got) break;
        if (blank(line, len)) continue;
        json_error_t jerr;
        json_t *rec = json_loadb(line, len, 0, &jerr);
        if (!rec || !json_is_object(rec)) {
            st = dp_fail(err, DOPPEL_ERR_JSON, "%s:%" PRIu64 ": bad line (%s)", path, lr.lineno,
                         rec ? "not a JSON object" : jerr.text);
            json_decref(rec);
            break;
        }
        const json_t *id = json_object_get(rec, opt->id_field);
        const json_t *label = json_object_get(rec, label_field);
        const json_t *dup = is_gold || label ? NULL : json_object_get(rec, "duplicate");
        const char *missing = !id ? opt->id_field : !label && !dup ? label_field : NULL;
        if (missing) {
            st = dp_fail(err, DOPPEL_ERR_FIELD, "%s:%" PRIu64 ": bad line (no \"%s\")", path,
                         lr.lineno, missing);
            json_decref(rec);
            break;
        }
        int bad = value_key(id, &s->key);
        uint32_t doc = NONE;
        int added = 0;
        if (bad == 0) {
            if (is_gold) {
                st = intern_add(&s->ids, s->key.data, s->key.len, &doc, &added);
            } else {
                doc = intern_find(&s->ids, s->key.data, s->key.len);
                if (doc == NONE || doc >= s->n) {
                    /* Not a gold id: counted once, then ignored. */
                    st = intern_add(&s->ids, s->key.data, s->key.len, &doc, &added);
                    *extra += added;
                    doc = NONE;
                }
            }
        }
        if (bad == 0 && st == DOPPEL_OK && is_gold && added) {
            st = grow_docs(s);
            if (st == DOPPEL_OK) {
                s->kind[s->n] = NONE;
                s->n++;
            }
        }
        if (bad == 0 && st == DOPPEL_OK && label) {
            saw_labels = 1;
            bad = value_key(label, &s->key);
            uint32_t num = NONE;
            if (bad == 0)
                st = intern_add(is_gold ? &s->gold_labels : &s->pred_labels, s->key.data,
                                s->key.len, &num, &added);
            if (bad == 0 && st == DOPPEL_OK && doc != NONE) {
                if (is_gold) s->gold[doc] = num;  /* a repeated id keeps its last label */
                else s->pred[doc] = num;
            }
        } else if (bad == 0 && st == DOPPEL_OK) {
            saw_flags = 1;
            if (doc != NONE) s->flag[doc] = (signed char)truthy(dup);
        }
        const json_t *kind = is_gold ? json_object_get(rec, "kind") : NULL;
        if (bad == 0 && st == DOPPEL_OK && kind) {
            uint32_t num = NONE;
            s->have_kinds = 1;
            if (json_is_string(kind)) {
                st = intern_add(&s->kinds, json_string_value(kind), json_string_length(kind), &num,
                                &added);
            } else {
                char *text = json_dumps(kind, JSON_ENCODE_ANY | JSON_COMPACT);
                st = text ? intern_add(&s->kinds, text, strlen(text), &num, &added)
                          : DOPPEL_ERR_NOMEM;
                free(text);  /* jansson's allocation */
            }
            if (st == DOPPEL_OK) s->kind[doc] = num;
        }
        json_decref(rec);
        if (bad == -1) {
            st = dp_fail(err, DOPPEL_ERR_FIELD,
                         "%s:%" PRIu64 ": bad line (id and label must be strings or numbers)",
                         path, lr.lineno);
            break;
        }
        if (bad == -2) st = DOPPEL_ERR_NOMEM;
        if (st != DOPPEL_OK) {
            st = dp_fail(err, st, "%s:%" PRIu64 ": %s", path, lr.lineno,
                         st == DOPPEL_ERR_LIMIT ? "too many distinct ids or labels"
                                                : "out of memory");
            break;
        }
        if (saw_labels && saw_flags) {
            st = dp_fail(err, DOPPEL_ERR_FIELD,
                         "%s: mixes cluster lines and duplicate-flag lines", path);
            break;
        }
    }
    *flags_mode = saw_flags && !saw_labels;
    fclose(lr.fp);
    doppel_buf_free(&lr.buf);
    return st;
}

/* ======================================================================
 * Scoring files
 * ==================================================================== */

static int kind_cmp(const void *a, const void *b) {
    return strcmp(((const doppel_eval_kind *)a)->name, ((const doppel_eval_kind *)b)->name);
}

/* Count of key in sorted v[n]. */
static uint64_t count_of(const uint64_t *v, size_t n, uint64_t key) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    size_t first = lo;
    hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= key) lo = mid + 1;
        else hi = mid;
    }
    return lo - first;
}

/* Each kind's predicted pairs and true ones: a document in a predicted
 * cluster of size p, p' of whose members share its gold cluster, is in
 * p - 1 predicted pairs of which p' - 1 are true. Documents the
 * prediction lacks are singletons (no pairs). */
static doppel_status pair_counts(eval_state *s, doppel_eval_kind *k) {
    size_t n = s->n, m = 0;
    uint64_t *cells = dp_malloc(2 * (n ? n : 1) * sizeof *cells);
    if (!cells) return DOPPEL_ERR_NOMEM;
    uint64_t *sizes = cells + n;
    for (size_t i = 0; i < n; i++) {
        if (s->pred[i] == NONE) continue;
        cells[m] = (uint64_t)s->pred[i] << 32 | s->gold[i];
        sizes[m++] = s->pred[i];
    }
    doppel_status st = dp_eval_sort_u64(cells, m);
    if (!st) st = dp_eval_sort_u64(sizes, m);
    for (size_t i = 0; !st && i < n; i++) {
        uint32_t kn = s->kind[i];
        if (kn == NONE || s->pred[i] == NONE) continue;
        uint64_t p = count_of(sizes, m, s->pred[i]);
        uint64_t t = count_of(cells, m, (uint64_t)s->pred[i] << 32 | s->gold[i]);
        k[kn].pred_pairs += p - 1;
        k[kn].true_pairs += t - 1;
    }
    dp_free(cells, 2 * (n ? n : 1) * sizeof *cells);
    return st;
}

/* Recall and removal recall by kind. A copy counts toward recall when its
 * label is another gold document's id (its representative). */
static doppel_status by_kind(eval_state *s, const unsigned char *gold_removed,
                             const unsigned char *pred_removed, doppel_eval_result *out) {
    size_t nk = s->kinds.count;
    if (!s->have_kinds || nk == 0) return DOPPEL_OK;
    doppel_eval_kind *k = dp_calloc(nk, sizeof *k);
    uint32_t *rep = dp_malloc((s->gold_labels.count ? s->gold_labels.count : 1) * sizeof *rep);
    if (!k || !rep) {
        dp_free(k, nk * sizeof *k);
        dp_free(rep, (s->gold_labels.count ? s->gold_labels.count : 1) * sizeof *rep);
        return DOPPEL_ERR_NOMEM;
    }
    out->kinds = k;
    out->num_kinds = nk;
    for (size_t i = 0; i < nk; i++) {
        size_t len;
        const char *name = intern_key(&s->kinds, (uint32_t)i, &len);
        k[i].name = dp_strndup(name, len);
        if (!k[i].name) {
            out->num_kinds = i;
            dp_free(rep, (s->gold_labels.count ? s->gold_labels.count : 1) * sizeof *rep);
            return DOPPEL_ERR_NOMEM;
        }
    }
    /* A label is a representative's id when the same key is a gold id. */
    for (size_t l = 0; l < s->gold_labels.count; l++) {
        size_t len;
        const char *key = intern_key(&s->gold_labels, (uint32_t)l, &len);
        uint32_t d = intern_find(&s->ids, key, len);
        rep[l] = d < s->n ? d : NONE;
    }
    if (!out->flags_only && pair_counts(s, k) != DOPPEL_OK) {
        dp_free(rep, (s->gold_labels.count ? s->gold_labels.count : 1) * sizeof *rep);
        return DOPPEL_ERR_NOMEM;
    }
    for (size_t i = 0; i < s->n; i++) {
        uint32_t kn = s->kind[i];
        if (kn == NONE) continue;
        uint32_t r = rep[s->gold[i]];
        if (r != NONE && r != i && !out->flags_only) {
            k[kn].total++;
            k[kn].found += s->pred[i] != NONE && s->pred[r] != NONE && s->pred[i] == s->pred[r];
        }
        if (gold_removed[i]) {
            k[kn].removal_total++;
            k[kn].removal_found += pred_removed[i];
        }
    }
    dp_free(rep, (s->gold_labels.count ? s->gold_labels.count : 1) * sizeof *rep);
    qsort(k, nk, sizeof *k, kind_cmp);
    return DOPPEL_OK;
}

doppel_status doppel_eval_files(const char *pred_path, const char *gold_path,
                                const doppel_eval_options *opt, doppel_eval_result *out,
                                doppel_error *err) {
    doppel_eval_options defaults;
    doppel_eval_options_default(&defaults);
    if (!opt) opt = &defaults;
    if (!pred_path || !gold_path || !out || !opt->id_field || !opt->pred_field || !opt->gold_field)
        return dp_fail(err, DOPPEL_ERR_ARG, "eval: NULL argument");
    memset(out, 0, sizeof *out);

    eval_state s;
    memset(&s, 0, sizeof s);
    uint64_t extra = 0;
    int flags_mode = 0, gold_flags = 0;
    unsigned char *gold_removed = NULL, *pred_removed = NULL;
    doppel_status st = read_file(&s, gold_path, 1, opt, &extra, &gold_flags, err);
    if (st == DOPPEL_OK) {
        s.pred_alloc = s.n ? s.n : 1;
        s.pred = dp_malloc(s.pred_alloc * sizeof *s.pred);
        s.flag = dp_malloc(s.pred_alloc);
        if (!s.pred || !s.flag) {
            st = dp_fail(err, DOPPEL_ERR_NOMEM, "eval: out of memory");
        } else {
            for (size_t i = 0; i < s.n; i++) {
                s.pred[i] = NONE;
                s.flag[i] = -1;
            }
        }
    }
    if (st == DOPPEL_OK) st = read_file(&s, pred_path, 0, opt, &extra, &flags_mode, err);

    uint64_t missing = 0;
    if (st == DOPPEL_OK && !flags_mode) {
        /* Missing documents become singletons: fresh labels after the
         * prediction's own. */
        uint64_t next = s.pred_labels.count;
        for (size_t i = 0; i < s.n; i++) {
            if (s.pred[i] != NONE) continue;
            missing++;
            if (next >= UINT32_MAX) {
                st = dp_fail(err, DOPPEL_ERR_LIMIT, "eval: too many labels");
                break;
            }
            s.pred[i] = (uint32_t)next++;
        }
        if (st == DOPPEL_OK)
            st = dp_eval_labels(s.pred, s.gold, s.n, out, &gold_removed, &pred_removed, err);
        /* Recall by kind must see which documents the prediction lacked. */
        if (st == DOPPEL_OK)
            for (size_t i = 0; i < s.n; i++)
                if (s.pred[i] >= s.pred_labels.count) s.pred[i] = NONE;
    } else if (st == DOPPEL_OK) {
        /* Flags only: gold removal from the gold labels, the prediction's
         * removed set is the documents flagged. */
        doppel_eval_result tmp;
        st = dp_eval_labels(s.gold, s.gold, s.n, &tmp, &gold_removed, NULL, err);
        pred_removed = st == DOPPEL_OK ? dp_calloc(s.n ? s.n : 1, 1) : NULL;
        if (st == DOPPEL_OK && !pred_removed) st = dp_fail(err, DOPPEL_ERR_NOMEM, "eval: out of memory");
        if (st == DOPPEL_OK) {
            for (size_t i = 0; i < s.n; i++) {
                missing += s.flag[i] < 0;
                pred_removed[i] = s.flag[i] > 0;
            }
            memset(out, 0, sizeof *out);
            out->docs = s.n;
            out->flags_only = 1;
            dp_eval_removal_figures(out, gold_removed, pred_removed, s.n);
        }
    }
    if (st == DOPPEL_OK) {
        out->missing_in_pred = missing;
        out->extra_in_pred = extra;
        st = by_kind(&s, gold_removed, pred_removed, out);
        if (st != DOPPEL_OK) st = dp_fail(err, st, "eval: out of memory");
    }
    dp_free(gold_removed, s.n ? s.n : 1);
    dp_free(pred_removed, s.n ? s.n : 1);
    eval_state_free(&s);
    if (st != DOPPEL_OK) doppel_eval_result_free(out);
    return st;
}
