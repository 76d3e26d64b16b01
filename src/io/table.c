/*
 * table.c — records that are not one per line: the elements of a JSON
 * array, and the rows of a CSV or TSV file with a header row.
 *
 * Both are read a byte at a time from the reader's buffer, so that an
 * element or a row is held alone in memory (bounded by max_doc_bytes)
 * however large the file. The CSV reader follows RFC 4180: fields separated
 * by the delimiter, a quoted field may hold delimiters, newlines and doubled
 * quotes; CR before LF is dropped. TSV is the same with a tab (quotes are
 * accepted there too, as spreadsheet exports write them).
 */
#include "io/reader.h"

#include <stdlib.h>
#include <string.h>

/* The next decoded byte; -1 at the end of the stream, -2 on a stream error
 * (err set; the stream is then done). */
static inline int next_byte(doppel_reader *r, doppel_error *err) {
    if (r->chunk_pos == r->chunk_len) {
        if (r->stream_done) return -1;
        if (dp_reader_refill(r, err)) {
            r->stream_done = 1;
            return -2;
        }
        if (r->stream_done) return -1;
    }
    return (unsigned char)r->chunk[r->chunk_pos++];
}

doppel_status dp_json_put_string(doppel_buf *b, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    if (dp_buf_putc(b, '"')) return DOPPEL_ERR_NOMEM;
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        char esc[8];
        const char *out = NULL;
        size_t n = 0;
        if (c == '"' || c == '\\') esc[0] = '\\', esc[1] = (char)c, out = esc, n = 2;
        else if (c == '\n') out = "\\n", n = 2;
        else if (c == '\r') out = "\\r", n = 2;
        else if (c == '\t') out = "\\t", n = 2;
        else if (c < 0x20) n = (size_t)snprintf(esc, sizeof esc, "\\u%04x", c), out = esc;
        if (out) {
            if (dp_buf_append(b, out, n)) return DOPPEL_ERR_NOMEM;
            i++;
            continue;
        }
        size_t k = c < 0x80 ? 1 : dp_utf8_seq_len(p + i, len - i);
        if (!k) {
            if (dp_buf_append(b, "\xEF\xBF\xBD", 3)) return DOPPEL_ERR_NOMEM;
            i++;
            continue;
        }
        if (dp_buf_append(b, p + i, k)) return DOPPEL_ERR_NOMEM;
        i += k;
    }
    return dp_buf_putc(b, '"');
}

/* ---- JSON arrays ------------------------------------------------------------ */

static int skip_space(doppel_reader *r, doppel_error *err) {
    for (;;) {
        int c = next_byte(r, err);
        if (c == '\n') r->line++;
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c;
    }
}

doppel_status dp_array_next(doppel_reader *r, doppel_record *rec, doppel_error *err) {
    rec->source = r->source;
    if (r->array_state == 2) return DOPPEL_END;
    int c = skip_space(r, err);
    if (c == -2) return err ? (doppel_status)err->code : DOPPEL_ERR_FORMAT;
    if (r->array_state == 0) {
        r->array_state = 2;
        if (c != '[')
            return dp_fail(err, DOPPEL_ERR_FORMAT, "%s: not a JSON array of objects, skipped", r->source);
        r->array_state = 1;
        c = skip_space(r, err);
    }
    /* Elements are separated by commas; a stray extra one is let pass. */
    while (c == ',') c = skip_space(r, err);
    if (c == ']' || c < 0) {
        r->array_state = 2;
        if (c == -2) return err ? (doppel_status)err->code : DOPPEL_ERR_FORMAT;
        if (c == -1)
            return dp_fail(err, DOPPEL_ERR_FORMAT, "%s: JSON array not closed (at line %llu)",
                           r->source, (unsigned long long)r->line + 1);
        return DOPPEL_END;
    }
    /* In an array a record's position is its element number: several may
     * share a line, and ids and messages must tell them apart (FILE#N). */
    rec->line = ++r->element;
    r->line_buf.len = 0;
    int depth = 0, in_str = 0, esc = 0, too_large = 0;
    for (;; c = next_byte(r, err)) {
        if (c == -2) return err ? (doppel_status)err->code : DOPPEL_ERR_FORMAT;
        if (c == -1) break;  /* the element is read; the missing ']' is reported next */
        if (in_str) {
            if (esc) esc = 0;
            else if (c == '\\') esc = 1;
            else if (c == '"') in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']' || c == ',') {
            if (depth == 0 && c != '}') {
                r->chunk_pos--;  /* the array's own ',' or ']': read again by the next call */
                break;
            }
            /* A '}' at depth 0 closes nothing: it is a byte of a malformed
             * element, never pushed back (that would read it again forever). */
            if (c != ',' && depth) depth--;
        }
        if (c == '\n') r->line++;
        /* White space outside strings is dropped: the element becomes one
         * compact JSONL line of the same meaning. Inside a string a newline
         * or CR is not JSON: as a space it stays refused. */
        if (!in_str && c != '"' && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) continue;
        if (c == '\n' || c == '\r') c = ' ';
        if (too_large) continue;
        if (r->line_buf.len >= r->opt.max_doc_bytes) {
            too_large = 1;
            continue;
        }
        if (dp_buf_putc(&r->line_buf, (char)c)) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    }
    if (too_large)
        return dp_fail(err, DOPPEL_ERR_TOO_LARGE, "%s#%llu: array element longer than %s, skipped",
                       r->source, (unsigned long long)rec->line, dp_size(r->opt.max_doc_bytes).s);
    while (r->line_buf.len && r->line_buf.data[r->line_buf.len - 1] == ' ') r->line_buf.len--;
    if (dp_buf_terminate(&r->line_buf)) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    r->cur = r->line_buf.data;
    r->cur_len = r->line_buf.len;
    rec->raw = r->cur;
    rec->raw_len = r->cur_len;
    return dp_reader_parse_json(r, rec, '#', r->element, err);
}

/* ---- CSV and TSV ------------------------------------------------------------ */

void dp_csv_reset(doppel_reader *r) {
    for (size_t i = 0; i < r->ncolumns; i++) free(r->columns[i]);
    free(r->columns);
    r->columns = NULL;
    r->ncolumns = 0;
    r->header_done = 0;
    for (int i = 0; i < FLD_COUNT; i++) r->col[i] = -1;
}

static doppel_status end_cell(doppel_reader *r, size_t *start) {
    if (dp_buf_putc(&r->line_buf, '\0')) return DOPPEL_ERR_NOMEM;
    if (dp_grow((void **)&r->cell, &r->cell_cap, r->ncells + 1, sizeof *r->cell))
        return DOPPEL_ERR_NOMEM;
    r->cell[r->ncells++] = *start;
    *start = r->line_buf.len;
    return DOPPEL_OK;
}

/* One row into line_buf: its cells NUL-terminated, their offsets in cell. */
static doppel_status read_row(doppel_reader *r, uint64_t *start_line, doppel_error *err) {
    r->line_buf.len = 0;
    r->ncells = 0;
    *start_line = r->line + 1;
    size_t start = 0;
    int any = 0, in_quotes = 0, at_start = 1, too_large = 0;
    for (;;) {
        int c = next_byte(r, err);
        if (c == -2) return err ? (doppel_status)err->code : DOPPEL_ERR_FORMAT;
        if (c == -1) {
            if (!any) return DOPPEL_END;
            if (in_quotes)
                return dp_fail(err, DOPPEL_ERR_FORMAT, "%s:%llu: quoted field not closed at the end",
                               r->source, (unsigned long long)*start_line);
            break;
        }
        any = 1;
        if (c == '\n') r->line++;
        if (r->line_buf.len > r->opt.max_doc_bytes) {
            too_large = 1;
            r->line_buf.len = 0;
            r->ncells = 0;
            start = 0;
        }
        if (in_quotes) {
            if (c == '"') {
                int d = next_byte(r, err);
                if (d == '"') {
                    if (dp_buf_putc(&r->line_buf, '"')) return DOPPEL_ERR_NOMEM;
                    continue;
                }
                in_quotes = 0;
                if (d >= 0) r->chunk_pos--;
                continue;
            }
            if (dp_buf_putc(&r->line_buf, (char)c)) return DOPPEL_ERR_NOMEM;
            continue;
        }
        if (c == '"' && at_start) {
            in_quotes = 1;
            at_start = 0;
            continue;
        }
        if (c == r->delim) {
            if (end_cell(r, &start)) return DOPPEL_ERR_NOMEM;
            at_start = 1;
            continue;
        }
        if (c == '\r') continue;
        if (c == '\n') break;
        at_start = 0;
        if (dp_buf_putc(&r->line_buf, (char)c)) return DOPPEL_ERR_NOMEM;
    }
    if (end_cell(r, &start)) return DOPPEL_ERR_NOMEM;
    if (too_large)
        return dp_fail(err, DOPPEL_ERR_TOO_LARGE, "%s:%llu: row longer than %s, skipped",
                       r->source, (unsigned long long)*start_line, dp_size(r->opt.max_doc_bytes).s);
    return DOPPEL_OK;
}

static const char *cell(const doppel_reader *r, size_t i) { return r->line_buf.data + r->cell[i]; }

static doppel_status read_header(doppel_reader *r, doppel_error *err) {
    uint64_t line;
    doppel_status st = read_row(r, &line, err);
    if (st) return st;
    r->columns = calloc(r->ncells, sizeof *r->columns);
    if (!r->columns) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < r->ncells; i++) {
        if (!(r->columns[i] = strdup(cell(r, i)))) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        r->ncolumns++;
        for (int f = 0; f < FLD_COUNT; f++)
            if (r->col[f] < 0 && r->fields[f].name && !strcmp(r->fields[f].name, r->columns[i]))
                r->col[f] = (long)i;
    }
    r->header_done = 1;
    return DOPPEL_OK;
}

doppel_status dp_csv_next(doppel_reader *r, doppel_record *rec, doppel_error *err) {
    rec->source = r->source;
    if (!r->header_done) {
        doppel_status st = read_header(r, err);
        if (st == DOPPEL_END) return st;
        if (st) {
            r->stream_done = 1;  /* without its header the file cannot be read */
            r->chunk_pos = r->chunk_len;
            return st;
        }
    }
    uint64_t line;
    doppel_status st;
    do {
        st = read_row(r, &line, err);
        rec->line = line;
        if (st) return st;
    } while (r->ncells == 1 && !cell(r, 0)[0]);  /* a blank line */
    /* The row as a JSON object, for dedup to write. */
    r->compact.len = 0;
    if (dp_buf_putc(&r->compact, '{')) goto nomem;
    for (size_t i = 0; i < r->ncolumns && i < r->ncells; i++) {
        if ((i && dp_buf_putc(&r->compact, ',')) ||
            dp_json_put_string(&r->compact, r->columns[i], strlen(r->columns[i])) ||
            dp_buf_putc(&r->compact, ':') || dp_json_put_string(&r->compact, cell(r, i), strlen(cell(r, i))))
            goto nomem;
    }
    if (dp_buf_putc(&r->compact, '}') || dp_buf_terminate(&r->compact)) goto nomem;
    rec->raw = r->compact.data;
    rec->raw_len = r->compact.len;
    for (int f = 0; f < FLD_COUNT; f++) {
        dp_jsonl_field *fl = &r->fields[f];
        fl->type = DP_JSONL_ABSENT;
        fl->terminated = 1;
        if (r->col[f] >= 0 && (size_t)r->col[f] < r->ncells) {
            fl->value = cell(r, (size_t)r->col[f]);
            fl->len = strlen(fl->value);
            /* An empty id cell is no id: the position stands in. */
            if (fl->len || f != FLD_ID) fl->type = DP_JSONL_STRING;
        }
    }
    if (r->fields[FLD_TEXT].type != DP_JSONL_STRING) {
        r->present.len = 0;
        r->guess.len = 0;
        size_t best = 0;
        for (size_t i = 0; i < r->ncolumns; i++) {
            if ((i && dp_buf_append(&r->present, ", ", 2)) ||
                dp_buf_append(&r->present, r->columns[i], strlen(r->columns[i])))
                goto nomem;
            size_t n = i < r->ncells ? strlen(cell(r, i)) : 0;
            if (n > best) {
                best = n;
                r->guess.len = 0;
                if (dp_buf_append(&r->guess, r->columns[i], strlen(r->columns[i])) ||
                    dp_buf_terminate(&r->guess))
                    goto nomem;
            }
        }
        if (dp_buf_terminate(&r->present)) goto nomem;
        rec->fields_present = r->present.data;
        if (best) rec->text_field_guess = r->guess.data;
    }
    return dp_reader_take_fields(r, rec, ':', line, err);
nomem:
    return dp_fail(err, DOPPEL_ERR_NOMEM, "%s:%llu: out of memory", r->source, (unsigned long long)line);
}
