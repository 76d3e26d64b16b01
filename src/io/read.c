/*
 * read.c — documents from any number of inputs (files, directory trees,
 * standard input), streamed one record at a time.
 *
 * Each file is read by its kind (reader.h): decided by --format when forced,
 * else by the extension (the compression suffix ignored), else by the first
 * bytes. A UTF-8 byte-order mark is dropped and CRLF line ends are accepted.
 *
 * Memory: one line (or one file, row, array element) at a time, bounded by
 * max_doc_bytes. A line longer than that is skipped without being held in
 * memory: the reader discards bytes up to the next newline and reports
 * DOPPEL_ERR_TOO_LARGE with its line number.
 */
#include "io/reader.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

void doppel_reader_options_default(doppel_reader_options *opt) {
    opt->id_field = "id";
    opt->text_field = "text";
    opt->title_field = "title";
    opt->date_field = "date";
    opt->max_doc_bytes = (size_t)64 << 20;
    opt->format = DOPPEL_INPUT_AUTO;
}

/* ---- streams and lines ---------------------------------------------------- */

static void close_file(doppel_reader *r) {
    if (r->stream) r->done_bytes += dp_stream_raw_bytes(r->stream);
    dp_stream_free(r->stream);
    r->stream = NULL;
    r->chunk_pos = r->chunk_len = 0;
    r->stream_done = 0;
    r->line = 0;
    r->kind = K_NONE;
    r->array_state = 0;
    r->element = 0;
    dp_csv_reset(r);
}

/* Next line into cur/cur_len (without the newline or a CR before it).
 * Returns OK, END, TOO_LARGE (line skipped), or FORMAT/IO (the stream
 * cannot continue). */
static doppel_status next_line(doppel_reader *r, doppel_error *err) {
    /* Fast path: the whole line is in the read buffer. It is returned in
     * place, its newline overwritten by a NUL: no copy. */
    if (r->chunk_pos < r->chunk_len) {
        char *start = r->chunk + r->chunk_pos;
        char *nl = memchr(start, '\n', r->chunk_len - r->chunk_pos);
        if (nl && (size_t)(nl - start) <= r->opt.max_doc_bytes) {
            size_t len = (size_t)(nl - start);
            r->chunk_pos += len + 1;
            r->line++;
            if (len && start[len - 1] == '\r') len--;
            start[len] = '\0';
            r->cur = start;
            r->cur_len = len;
            return DOPPEL_OK;
        }
    }
    r->line_buf.len = 0;
    int too_large = 0, any = 0;
    for (;;) {
        if (r->chunk_pos == r->chunk_len) {
            if (r->stream_done) break;
            if (dp_reader_refill(r, err)) {
                r->stream_done = 1;
                return err ? (doppel_status)err->code : DOPPEL_ERR_FORMAT;
            }
            if (r->stream_done) break;
        }
        any = 1;
        const char *start = r->chunk + r->chunk_pos;
        size_t avail = r->chunk_len - r->chunk_pos;
        const char *nl = memchr(start, '\n', avail);
        size_t take = nl ? (size_t)(nl - start) : avail;
        if (!too_large) {
            if (r->line_buf.len + take > r->opt.max_doc_bytes) {
                too_large = 1;
                r->line_buf.len = 0;
            } else if (dp_buf_append(&r->line_buf, start, take)) {
                return dp_fail(err, DOPPEL_ERR_NOMEM, "%s:%llu: out of memory", r->source,
                               (unsigned long long)(r->line + 1));
            }
        }
        r->chunk_pos += take + (nl ? 1 : 0);
        if (nl) break;
    }
    if (!any) return DOPPEL_END;
    r->line++;
    if (too_large)
        return dp_fail(err, DOPPEL_ERR_TOO_LARGE, "%s:%llu: line longer than %s, skipped",
                       r->source, (unsigned long long)r->line, dp_size(r->opt.max_doc_bytes).s);
    if (r->line_buf.len && r->line_buf.data[r->line_buf.len - 1] == '\r') r->line_buf.len--;
    if (dp_buf_terminate(&r->line_buf)) return DOPPEL_ERR_NOMEM;
    r->cur = r->line_buf.data;
    r->cur_len = r->line_buf.len;
    return DOPPEL_OK;
}

/* The rest of the stream appended to line_buf, bounded by max_doc_bytes. */
static doppel_status slurp(doppel_reader *r, doppel_error *err) {
    for (;;) {
        if (dp_reader_refill(r, err)) return err ? (doppel_status)err->code : DOPPEL_ERR_FORMAT;
        if (r->stream_done) break;
        if (r->line_buf.len + r->chunk_len > r->opt.max_doc_bytes)
            return dp_fail(err, DOPPEL_ERR_TOO_LARGE, "%s: larger than %s, skipped",
                           r->source, dp_size(r->opt.max_doc_bytes).s);
        if (dp_buf_append(&r->line_buf, r->chunk, r->chunk_len))
            return dp_fail(err, DOPPEL_ERR_NOMEM, "%s: out of memory", r->source);
    }
    return dp_buf_terminate(&r->line_buf) ? DOPPEL_ERR_NOMEM : DOPPEL_OK;
}

/* Text that is mostly NUL or control bytes is a binary file, not a document. */
static int looks_binary(const char *s, size_t len) {
    size_t n = DP_MIN(len, 8192), bad = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0 || (c < 32 && c != '\n' && c != '\r' && c != '\t' && c != '\f')) bad++;
    }
    return n && bad * 10 > n;  /* more than 10% */
}

static doppel_status next_jsonl(doppel_reader *r, doppel_record *rec, doppel_error *err) {
    for (;;) {
        doppel_status st = next_line(r, err);
        rec->source = r->source;
        rec->line = r->line;
        if (st != DOPPEL_OK) return st;
        /* Blank lines separate nothing and hold no document. */
        size_t i = 0;
        while (i < r->cur_len && (r->cur[i] == ' ' || r->cur[i] == '\t')) i++;
        if (i == r->cur_len) continue;
        rec->raw = r->cur;
        rec->raw_len = r->cur_len;
        return dp_reader_parse_json(r, rec, ':', r->line, err);
    }
}

static doppel_status next_text(doppel_reader *r, doppel_record *rec, doppel_error *err) {
    r->kind = K_TEXT_DONE;
    rec->source = r->source;
    r->line_buf.len = 0;
    doppel_status st = dp_buf_append(&r->line_buf, r->chunk + r->chunk_pos,
                                     r->chunk_len - r->chunk_pos);
    if (st) return dp_fail(err, st, "out of memory");
    if (!r->stream_done) st = slurp(r, err);
    if (!st) st = dp_buf_terminate(&r->line_buf);
    if (st) return st;
    if (r->line_buf.len > r->opt.max_doc_bytes)
        return dp_fail(err, DOPPEL_ERR_TOO_LARGE, "%s: larger than %s, skipped", r->source,
                       dp_size(r->opt.max_doc_bytes).s);
    if (looks_binary(r->line_buf.data, r->line_buf.len))
        return dp_fail(err, DOPPEL_ERR_FORMAT, "%s: binary data, skipped", r->source);
    rec->id = r->source;
    rec->id_len = strlen(r->source);
    rec->text = r->line_buf.data;
    rec->text_len = r->line_buf.len;
    return DOPPEL_OK;
}

/* ---- what kind of file ------------------------------------------------------ */

static int ends_with(const char *s, size_t len, const char *suffix) {
    size_t n = strlen(suffix);
    return len >= n && strncasecmp(s + len - n, suffix, n) == 0;
}

/* The first byte of the decoded content that is not white space, or 0. */
static char first_byte(const doppel_reader *r, size_t *at) {
    size_t i = r->chunk_pos;
    while (i < r->chunk_len && strchr(" \t\r\n", r->chunk[i])) i++;
    if (at) *at = i;
    return i < r->chunk_len ? r->chunk[i] : 0;
}

/* '[' then '{': a JSON array of objects, not Markdown starting with a link. */
static int looks_array(const doppel_reader *r) {
    size_t i;
    if (first_byte(r, &i) != '[') return 0;
    for (i++; i < r->chunk_len && strchr(" \t\r\n", r->chunk[i]); i++) {}
    return i < r->chunk_len && (r->chunk[i] == '{' || r->chunk[i] == ']');
}

static const char *const text_ext[] = {".txt", ".text", ".md", ".markdown", ".html", ".htm",
                                       ".xhtml", ".xml", ".rst", ".shtml", NULL};

/* The kind of the file just opened, its first decoded bytes in chunk. */
static dp_file_kind kind_of(const doppel_reader *r, const char *name) {
    switch (r->opt.format) {
    case DOPPEL_INPUT_JSONL: return looks_array(r) ? K_ARRAY : K_JSONL;
    case DOPPEL_INPUT_TEXT: return K_TEXT;
    case DOPPEL_INPUT_CSV: return K_CSV;
    case DOPPEL_INPUT_TSV: return K_TSV;
    default: break;
    }
    size_t len = strlen(name);
    static const char *const packed[] = {".gz", ".zst", ".zstd", ".bz2", ".xz", NULL};
    for (int i = 0; packed[i]; i++)
        if (ends_with(name, len, packed[i])) {
            len -= strlen(packed[i]);
            break;
        }
    if (ends_with(name, len, ".jsonl") || ends_with(name, len, ".ndjson") ||
        ends_with(name, len, ".jsonlines") || ends_with(name, len, ".json"))
        return looks_array(r) ? K_ARRAY : K_JSONL;
    if (ends_with(name, len, ".csv")) return K_CSV;
    if (ends_with(name, len, ".tsv") || ends_with(name, len, ".tab")) return K_TSV;
    for (int i = 0; text_ext[i]; i++)
        if (ends_with(name, len, text_ext[i])) return K_TEXT;
    if (first_byte(r, NULL) == '{') return K_JSONL;
    return looks_array(r) ? K_ARRAY : K_TEXT;
}

static int is_parquet(const doppel_reader *r, const char *name) {
    size_t len = strlen(name);
    return ends_with(name, len, ".parquet") || ends_with(name, len, ".pq") ||
           (r->chunk_len >= 4 && memcmp(r->chunk, "PAR1", 4) == 0);
}

/* Open the file at path, named name in ids and messages, and decide its
 * kind. Errors are the file's, reported as one record's. */
static doppel_status open_file(doppel_reader *r, const char *path, const char *name, int in_dir,
                               doppel_record *rec, doppel_error *err) {
    free(r->source);
    r->source = strdup(name);
    if (!r->source) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    rec->source = r->source;
    int is_stdin = strcmp(path, "-") == 0;
    struct stat sb;
    if (!is_stdin) {
        if (stat(path, &sb) != 0)
            return dp_fail(err, DOPPEL_ERR_IO, "%s: %s, skipped", name, strerror(errno));
        /* A pipe given by name (<(zcat ...)) is read; one met in a walk
         * would block the walk, and a device is no document. */
        if (!S_ISREG(sb.st_mode) && (in_dir || (!S_ISFIFO(sb.st_mode) && !S_ISCHR(sb.st_mode))))
            return dp_fail(err, DOPPEL_ERR_IO, "%s: not a regular file, skipped", name);
    }
    int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return dp_fail(err, DOPPEL_ERR_IO, "%s: cannot open: %s, skipped", name, strerror(errno));
    doppel_status st = dp_stream_open(fd, name, &r->stream, err);
    if (st) return st;
    if (dp_reader_refill(r, err)) {
        close_file(r);
        return err ? (doppel_status)err->code : DOPPEL_ERR_FORMAT;
    }
    if (is_parquet(r, path)) {
        close_file(r);
        return dp_fail(err, DOPPEL_ERR_FORMAT,
                       "%s: Parquet is not read by doppel, skipped; convert it to JSONL first, "
                       "e.g. duckdb -c \"COPY (FROM '%s') TO 'out.jsonl' (FORMAT json)\"",
                       name, path);
    }
    /* A byte-order mark is not content. */
    if (r->chunk_len >= 3 && memcmp(r->chunk, "\xEF\xBB\xBF", 3) == 0) r->chunk_pos = 3;
    r->kind = kind_of(r, path);
    if (r->kind == K_TEXT && !is_stdin && S_ISREG(sb.st_mode) &&
        (uint64_t)sb.st_size > r->opt.max_doc_bytes) {
        close_file(r);
        return dp_fail(err, DOPPEL_ERR_TOO_LARGE, "%s: %lld bytes, larger than %s, skipped", name,
                       (long long)sb.st_size, dp_size(r->opt.max_doc_bytes).s);
    }
    if (r->kind == K_CSV || r->kind == K_TSV) r->delim = r->kind == K_CSV ? ',' : '\t';
    return DOPPEL_OK;
}

/* The next file to read: the walk's next, or the next input. DOPPEL_END
 * when every input is done. */
static doppel_status next_file(doppel_reader *r, doppel_record *rec, doppel_error *err) {
    for (;;) {
        if (r->root) {
            char *rel = NULL;
            doppel_status st = dp_walk_next(r, &rel, err);
            if (st == DOPPEL_END) {
                free(r->root);
                free(r->root_name);
                r->root = r->root_name = NULL;
                continue;
            }
            char *full = rel ? dp_path_join(r->root, rel) : NULL;
            char *name = rel ? (*r->root_name ? dp_path_join(r->root_name, rel) : strdup(rel)) : NULL;
            if (!st && (!full || !name)) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
            if (st) {
                free(r->source);
                r->source = name;
                name = NULL;
                rec->source = r->source;
            } else {
                st = open_file(r, full, name, 1, rec, err);
            }
            free(rel);
            free(full);
            free(name);
            return st;
        }
        if (r->next_input == r->n_inputs) return DOPPEL_END;
        const doppel_input *in = &r->inputs[r->next_input++];
        const char *name = in->name ? in->name : in->path;
        struct stat sb;
        if (strcmp(in->path, "-") != 0 && stat(in->path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
            r->root = strdup(in->path);
            r->root_name = strdup(r->n_inputs > 1 ? name : "");
            if (!r->root || !r->root_name) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
            doppel_status st = dp_walk_push(r, "", err);
            if (st) {
                free(r->root);
                free(r->root_name);
                r->root = r->root_name = NULL;
                rec->source = r->source;
                return st;
            }
            continue;
        }
        return open_file(r, in->path, name, 0, rec, err);
    }
}

/* ---- the reader ------------------------------------------------------------------ */

doppel_status doppel_reader_open_inputs(const doppel_input *inputs, size_t n,
                                        const doppel_reader_options *opt, doppel_reader **out,
                                        doppel_error *err) {
    *out = NULL;
    doppel_reader *r = calloc(1, sizeof *r);
    if (!r) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    if (opt) r->opt = *opt;
    else doppel_reader_options_default(&r->opt);
    if (!r->opt.id_field) r->opt.id_field = "id";
    if (!r->opt.text_field) r->opt.text_field = "text";
    if (!r->opt.max_doc_bytes) r->opt.max_doc_bytes = (size_t)64 << 20;
    const char *names[FLD_COUNT] = {r->opt.id_field, r->opt.text_field, r->opt.title_field,
                                    r->opt.date_field};
    for (int i = 0; i < FLD_COUNT; i++) {
        r->fields[i].name = names[i];
        r->dotted[i] = names[i] && strchr(names[i], '.') != NULL;
        r->col[i] = -1;
    }
    r->chunk = dp_malloc(DP_READ_CHUNK);
    r->inputs = calloc(n ? n : 1, sizeof *r->inputs);
    doppel_status st = DOPPEL_OK;
    if (!r->chunk || !r->inputs) {
        st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    r->n_inputs = n;
    for (size_t i = 0; i < n; i++) {
        const char *path = inputs[i].path, *name = inputs[i].name ? inputs[i].name : path;
        r->inputs[i].path = strdup(path);
        r->inputs[i].name = strdup(name);
        if (!r->inputs[i].path || !r->inputs[i].name) {
            st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
            goto fail;
        }
        /* A missing input is the caller's mistake, found before any reading. */
        struct stat sb;
        if (strcmp(path, "-") != 0 && stat(path, &sb) != 0) {
            st = dp_fail(err, DOPPEL_ERR_IO, "%s: %s", name, strerror(errno));
            goto fail;
        }
        if (strcmp(path, "-") != 0 && S_ISREG(sb.st_mode)) r->total_bytes += (uint64_t)sb.st_size;
    }
    *out = r;
    return DOPPEL_OK;
fail:
    doppel_reader_free(r);
    return st;
}

doppel_status doppel_reader_open(const char *path, const doppel_reader_options *opt,
                                 doppel_reader **out, doppel_error *err) {
    doppel_input in = {path, NULL};
    return doppel_reader_open_inputs(&in, 1, opt, out, err);
}

doppel_status doppel_reader_next(doppel_reader *r, doppel_record *rec, doppel_error *err) {
    for (;;) {
        *rec = (doppel_record){0};
        doppel_status st;
        switch (r->kind) {
        case K_NONE:
            st = next_file(r, rec, err);
            if (st) return st;  /* END, or the file's error */
            continue;
        case K_TEXT: st = next_text(r, rec, err); break;
        case K_JSONL: st = next_jsonl(r, rec, err); break;
        case K_ARRAY: st = dp_array_next(r, rec, err); break;
        case K_CSV:
        case K_TSV: st = dp_csv_next(r, rec, err); break;
        default: st = DOPPEL_END; break;
        }
        /* A stream that cannot go on reports it once, then ends (stream_done):
         * the next file follows. */
        if (st == DOPPEL_END) {
            close_file(r);
            continue;
        }
        if (st != DOPPEL_OK && !rec->source) rec->source = r->source;
        return st;
    }
}

uint64_t doppel_reader_bytes(const doppel_reader *r) {
    return r->done_bytes + (r->stream ? dp_stream_raw_bytes(r->stream) : 0);
}

uint64_t doppel_reader_total_bytes(const doppel_reader *r) { return r->total_bytes; }

void doppel_reader_free(doppel_reader *r) {
    if (!r) return;
    close_file(r);
    dp_walk_reset(r);
    free(r->stack);
    dp_free(r->seen_dev, r->seen_cap * sizeof *r->seen_dev);
    dp_free(r->seen_ino, r->seen_cap * sizeof *r->seen_ino);
    if (r->json) json_decref(r->json);
    doppel_buf *bufs[] = {&r->line_buf, &r->scratch, &r->id_buf, &r->text_buf, &r->title_buf,
                          &r->date_buf, &r->repair_buf, &r->pos_id, &r->present, &r->guess,
                          &r->compact};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++) doppel_buf_free(bufs[i]);
    dp_free(r->chunk, DP_READ_CHUNK);
    for (size_t i = 0; i < r->n_inputs; i++) {
        free((char *)r->inputs[i].path);
        free((char *)r->inputs[i].name);
    }
    free(r->inputs);
    free(r->cell);
    free(r->root);
    free(r->root_name);
    free(r->source);
    free(r);
}
