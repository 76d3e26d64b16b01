/*
 * record.c — one record's fields out of its JSON text (the validating
 * scanner, jansson for the rare refused line and for dotted paths), the id
 * from the position when there is none, and what to say when the text field
 * is missing. Used by read.c (JSONL) and table.c (array elements, CSV rows).
 */
#include "io/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

dp_size_text dp_size(uint64_t n) {
    static const char *const unit[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    dp_size_text t;
    int u = 0;
    uint64_t v = n;
    while (u < 4 && v >= 1024 && v % 1024 == 0) v /= 1024, u++;
    snprintf(t.s, sizeof t.s, "%llu %s", (unsigned long long)v, unit[u]);
    return t;
}

/* The next chunk of the current stream into r->chunk. */
int dp_reader_refill(doppel_reader *r, doppel_error *err) {
    long n = dp_stream_read(r->stream, r->chunk, DP_READ_CHUNK, err);
    if (n < 0) return -1;
    r->chunk_pos = 0;
    r->chunk_len = (size_t)n;
    if (n == 0) r->stream_done = 1;
    return 0;
}

/* ---- JSON records ----------------------------------------------------------- */

/* Does the line hold a byte sequence that is not UTF-8? Most lines are
 * checked by the ASCII loop alone. */
static int has_invalid_utf8(const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        if (p[i] < 128) {
            i++;
            continue;
        }
        size_t k = dp_utf8_seq_len(p + i, len - i);
        if (!k) return 1;
        i += k;
    }
    return 0;
}

/* A field's value in the scanner's form from jansson's value v. */
static void field_from_json(doppel_reader *r, int i, json_t *v) {
    dp_jsonl_field *f = &r->fields[i];
    f->value = NULL;
    f->len = 0;
    f->terminated = 1;  /* jansson's strings are; numbers are printed below */
    if (!v) {
        f->type = DP_JSONL_ABSENT;
    } else if (json_is_string(v)) {
        f->type = DP_JSONL_STRING;
        f->value = json_string_value(v);
        f->len = json_string_length(v);
    } else if (json_is_number(v)) {
        f->type = DP_JSONL_NUMBER;
        int n = json_is_integer(v)
                    ? snprintf(r->numtext[i], sizeof r->numtext[i], "%" JSON_INTEGER_FORMAT,
                               json_integer_value(v))
                    : snprintf(r->numtext[i], sizeof r->numtext[i], "%.17g", json_real_value(v));
        f->value = r->numtext[i];
        f->len = (size_t)n;
    } else {
        f->type = DP_JSONL_OTHER;
    }
}

/* The value at a dotted path ("meta.body"): a top-level key with that very
 * name first, then the path into nested objects. */
static json_t *json_path(json_t *obj, const char *path) {
    json_t *v = json_object_get(obj, path);
    if (v || !strchr(path, '.')) return v;
    char part[256];
    const char *p = path;
    while (obj && json_is_object(obj)) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof part) return NULL;
        memcpy(part, p, n);
        part[n] = '\0';
        obj = json_object_get(obj, part);
        if (!dot) return obj;
        p = dot + 1;
    }
    return NULL;
}

/* Parse the current text with jansson (kept in r->json). */
static json_t *json_tree(doppel_reader *r, const char *line, size_t len) {
    if (!r->json) r->json = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
    return r->json;
}

/* The longest string value under obj, as a dotted path in *best. */
static void longest_string(json_t *obj, doppel_buf *path, doppel_buf *best, size_t *best_len) {
    const char *key;
    json_t *v;
    size_t at = path->len;
    json_object_foreach(obj, key, v) {
        path->len = at;
        if (at && dp_buf_putc(path, '.')) return;
        if (dp_buf_append(path, key, strlen(key))) return;
        if (json_is_string(v) && json_string_length(v) > *best_len) {
            *best_len = json_string_length(v);
            best->len = 0;
            if (dp_buf_append(best, path->data, path->len) || dp_buf_terminate(best)) return;
        } else if (json_is_object(v)) {
            longest_string(v, path, best, best_len);
        }
    }
    path->len = at;
}

/* For the message of a record without its text field: the fields it has and
 * the one holding its longest string. */
static void describe_fields(doppel_reader *r, doppel_record *rec, json_t *obj) {
    r->present.len = 0;
    r->guess.len = 0;
    if (!obj || !json_is_object(obj)) return;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (r->present.len && dp_buf_append(&r->present, ", ", 2)) return;
        if (dp_buf_append(&r->present, key, strlen(key))) return;
    }
    if (dp_buf_terminate(&r->present)) return;
    rec->fields_present = r->present.data;
    doppel_buf path = {0};
    size_t best_len = 0;
    longest_string(obj, &path, &r->guess, &best_len);
    doppel_buf_free(&path);
    if (best_len) rec->text_field_guess = r->guess.data;
}

/* A field's value NUL-terminated, as doppel_record promises: decoded values
 * already are; views into the line are copied into buf. NULL when out of
 * memory. */
static const char *terminated(const dp_jsonl_field *f, doppel_buf *buf) {
    if (f->terminated) return f->value;
    buf->len = 0;
    return dp_buf_append(buf, f->value, f->len) || dp_buf_terminate(buf) ? NULL : buf->data;
}

doppel_status dp_reader_take_fields(doppel_reader *r, doppel_record *rec, char id_sep,
                                    uint64_t pos, doppel_error *err) {
    const dp_jsonl_field *id = &r->fields[FLD_ID], *text = &r->fields[FLD_TEXT];
    const dp_jsonl_field *title = &r->fields[FLD_TITLE], *date = &r->fields[FLD_DATE];
    const char *src = r->source;
    unsigned long long ln = (unsigned long long)rec->line;
    if (id->type == DP_JSONL_ABSENT) {
        /* The Pile, C4 and many exports have no ids: the position is one. */
        r->pos_id.len = 0;
        char num[32];
        int n = snprintf(num, sizeof num, "%c%llu", id_sep, (unsigned long long)pos);
        if (dp_buf_append(&r->pos_id, src, strlen(src)) || dp_buf_append(&r->pos_id, num, (size_t)n) ||
            dp_buf_terminate(&r->pos_id))
            goto nomem;
        rec->id = r->pos_id.data;
        rec->id_len = r->pos_id.len;
        rec->id_from_position = 1;
    } else {
        if (id->type != DP_JSONL_STRING && id->type != DP_JSONL_NUMBER)
            return dp_fail(err, DOPPEL_ERR_FIELD, "%s%c%llu: no usable (string or number) field \"%s\"",
                           src, id_sep, ln, id->name);
        if (id->len == 0) return dp_fail(err, DOPPEL_ERR_FIELD, "%s%c%llu: empty id", src, id_sep, ln);
        if (!(rec->id = terminated(id, &r->id_buf))) goto nomem;
        rec->id_len = id->len;
    }
    if (text->type != DP_JSONL_STRING) {
        const char *has = rec->fields_present;
        return dp_fail(err, DOPPEL_ERR_FIELD, "%s%c%llu: id '%.*s': %s text field \"%s\"%s%s%s", src,
                       id_sep, ln, (int)DP_MIN(rec->id_len, 200), rec->id,
                       text->type ? "non-string" : "missing", text->name,
                       has ? " (record has " : "", has ? has : "", has ? ")" : "");
    }
    if (!(rec->text = terminated(text, &r->text_buf))) goto nomem;
    rec->text_len = text->len;
    if (title->type == DP_JSONL_STRING && !(rec->title = terminated(title, &r->title_buf)))
        goto nomem;
    if ((date->type == DP_JSONL_STRING || date->type == DP_JSONL_NUMBER) &&
        !(rec->date = terminated(date, &r->date_buf)))
        goto nomem;
    return DOPPEL_OK;
nomem:
    return dp_fail(err, DOPPEL_ERR_NOMEM, "%s%c%llu: out of memory", src, id_sep, ln);
}

doppel_status dp_reader_parse_json(doppel_reader *r, doppel_record *rec, char id_sep,
                                   uint64_t pos, doppel_error *err) {
    if (r->json) {
        json_decref(r->json);
        r->json = NULL;
    }
    const char *line = r->cur;
    size_t len = r->cur_len;
    const char *src = r->source;
    unsigned long long ln = (unsigned long long)rec->line;
    int code = dp_jsonl_scan(line, len, r->fields, FLD_COUNT, &r->scratch, NULL);
    /* A web page with one bad byte is still a document: repair it, count what
     * was replaced and scan again. Checked only after a refusal, because the
     * scanner accepts nothing but valid UTF-8. */
    if (code != DP_JSONL_OK && has_invalid_utf8(line, len)) {
        size_t bad = dp_utf8_repair(line, len, &r->repair_buf);
        if (bad == SIZE_MAX) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        rec->invalid_utf8 = bad;
        line = r->repair_buf.data;
        len = r->repair_buf.len;
        code = dp_jsonl_scan(line, len, r->fields, FLD_COUNT, &r->scratch, NULL);
    }
    if (code == DP_JSONL_NOMEM) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    if (code != DP_JSONL_OK) {
        /* jansson words the message (with its column) for the rare bad line. */
        json_error_t jerr;
        r->json = json_loadb(line, len, JSON_ALLOW_NUL, &jerr);
        if (!r->json)
            return dp_fail(err, DOPPEL_ERR_JSON, "%s%c%llu: malformed JSON: %s (column %d)", src,
                           id_sep, ln, jerr.text, jerr.column);
        if (!json_is_object(r->json))
            return dp_fail(err, DOPPEL_ERR_JSON, "%s%c%llu: not a JSON object", src, id_sep, ln);
        for (int i = 0; i < FLD_COUNT; i++)
            field_from_json(r, i, r->fields[i].name ? json_path(r->json, r->fields[i].name) : NULL);
    } else {
        /* A dotted name not found at the top level is a path: jansson walks it. */
        for (int i = 0; i < FLD_COUNT; i++)
            if (r->dotted[i] && r->fields[i].type == DP_JSONL_ABSENT) {
                json_t *obj = json_tree(r, line, len);
                if (obj) field_from_json(r, i, json_path(obj, r->fields[i].name));
            }
    }
    if (r->fields[FLD_TEXT].type != DP_JSONL_STRING) describe_fields(r, rec, json_tree(r, line, len));
    return dp_reader_take_fields(r, rec, id_sep, pos, err);
}

