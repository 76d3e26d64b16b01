/*
 * read.c — documents from a directory tree, a JSONL file (plain, gzip or
 * zstd) or standard input, streamed one record at a time.
 *
 * Memory: one line (or one file) at a time, bounded by max_doc_bytes. A line
 * longer than that is skipped without being held in memory: the reader
 * discards bytes up to the next newline and reports DOPPEL_ERR_TOO_LARGE
 * with its line number.
 *
 * Directories are walked depth-first in byte order of names, so ids and
 * document numbers do not depend on the file system's listing order. Names
 * starting with '.' are skipped (version-control and editor files).
 * Symbolic links are followed; a directory reached twice (a symlink loop) is
 * reported once and not entered again.
 */
#include "io/jsonl.h"
#include "io/stream.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK (1u << 20)

/* The members of a JSONL record the reader extracts, in reader->fields. */
enum { FLD_ID, FLD_TEXT, FLD_TITLE, FLD_DATE, FLD_COUNT };

typedef struct dir_frame {
    char *path;        /* relative to the root ("" for the root) */
    char **names;      /* sorted entries still to visit */
    size_t count, next;
} dir_frame;

struct doppel_reader {
    doppel_reader_options opt;
    char *root;              /* the path given to open */
    int is_dir;
    doppel_input_format format;

    /* the current stream (a JSONL file, a text file, stdin) */
    dp_stream *stream;
    char *source;            /* name of the current stream for messages */
    uint64_t line;           /* lines consumed from the stream */
    char *chunk;             /* read buffer, CHUNK bytes */
    size_t chunk_pos, chunk_len;
    int stream_done;
    doppel_buf line_buf;     /* the current line or file content when copied */
    const char *cur;         /* the current JSONL line: in chunk, or line_buf.data */
    size_t cur_len;

    /* JSONL record state */
    dp_jsonl_field fields[FLD_COUNT];
    doppel_buf scratch;      /* the scanner's decoded strings */
    doppel_buf id_buf, text_buf, title_buf, date_buf;  /* values copied to be NUL-terminated */
    doppel_buf repair_buf;   /* the line with invalid UTF-8 replaced */
    json_t *json;            /* jansson's tree, only for a line the scanner refused */
    char numtext[FLD_COUNT][40];  /* numbers jansson parsed, printed */

    /* directory walk */
    dir_frame *stack;
    size_t depth, stack_cap;
    dev_t *seen_dev;
    ino_t *seen_ino;
    size_t seen, seen_cap;
    char *rel_path;          /* id of the current file */

    uint64_t done_bytes;     /* bytes of finished streams */
    uint64_t total_bytes;
    int single_done;         /* text format, one document: already returned */
    doppel_error pending;    /* an error met while peeking at open, reported by next */
};

void doppel_reader_options_default(doppel_reader_options *opt) {
    opt->id_field = "id";
    opt->text_field = "text";
    opt->title_field = "title";
    opt->date_field = "date";
    opt->max_doc_bytes = (size_t)64 << 20;
    opt->format = DOPPEL_INPUT_AUTO;
}

/* ---- streams and lines ---------------------------------------------------- */

static void close_stream(doppel_reader *r) {
    if (r->stream) r->done_bytes += dp_stream_raw_bytes(r->stream);
    dp_stream_free(r->stream);
    r->stream = NULL;
    r->chunk_pos = r->chunk_len = 0;
    r->stream_done = 0;
    r->line = 0;
}

static doppel_status open_stream(doppel_reader *r, const char *path, const char *name,
                                 doppel_error *err) {
    int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return dp_fail(err, DOPPEL_ERR_IO, "%s: cannot open: %s", name, strerror(errno));
    doppel_status st = dp_stream_open(fd, name, &r->stream, err);
    if (st) return st;
    free(r->source);
    r->source = strdup(name);
    return r->source ? DOPPEL_OK : dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
}

static int refill(doppel_reader *r, doppel_error *err) {
    long n = dp_stream_read(r->stream, r->chunk, CHUNK, err);
    if (n < 0) return -1;
    r->chunk_pos = 0;
    r->chunk_len = (size_t)n;
    if (n == 0) r->stream_done = 1;
    return 0;
}

/* Next line into line_buf (without the newline). Returns OK, END, TOO_LARGE
 * (line skipped), or FORMAT/IO (the stream cannot continue). */
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
            if (refill(r, err)) {
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
        return dp_fail(err, DOPPEL_ERR_TOO_LARGE, "%s:%llu: line longer than %zu bytes, skipped",
                       r->source, (unsigned long long)r->line, r->opt.max_doc_bytes);
    if (r->line_buf.len && r->line_buf.data[r->line_buf.len - 1] == '\r') r->line_buf.len--;
    if (dp_buf_terminate(&r->line_buf)) return DOPPEL_ERR_NOMEM;
    r->cur = r->line_buf.data;
    r->cur_len = r->line_buf.len;
    return DOPPEL_OK;
}

/* The rest of the stream appended to line_buf, bounded by max_doc_bytes. */
static doppel_status slurp(doppel_reader *r, doppel_error *err) {
    for (;;) {
        if (refill(r, err)) return err ? (doppel_status)err->code : DOPPEL_ERR_FORMAT;
        if (r->stream_done) break;
        if (r->line_buf.len + r->chunk_len > r->opt.max_doc_bytes)
            return dp_fail(err, DOPPEL_ERR_TOO_LARGE, "%s: larger than %zu bytes, skipped",
                           r->source, r->opt.max_doc_bytes);
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

/* ---- JSONL records ----------------------------------------------------------- */

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

/* The fields in the scanner's form from jansson's tree. Used only for a line
 * the scanner refused and jansson accepted, which the differential tests
 * make impossible; should it happen anyway, the document is not lost. */
static void fields_from_json(doppel_reader *r, json_t *obj) {
    for (int i = 0; i < FLD_COUNT; i++) {
        dp_jsonl_field *f = &r->fields[i];
        json_t *v = f->name ? json_object_get(obj, f->name) : NULL;
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
}

/* A field's value NUL-terminated, as doppel_record promises: decoded values
 * already are; views into the line are copied into buf. NULL when out of
 * memory. */
static const char *terminated(const dp_jsonl_field *f, doppel_buf *buf) {
    if (f->terminated) return f->value;
    buf->len = 0;
    return dp_buf_append(buf, f->value, f->len) ? NULL : buf->data;
}

static doppel_status parse_record(doppel_reader *r, doppel_record *rec, doppel_error *err) {
    if (r->json) {
        json_decref(r->json);
        r->json = NULL;
    }
    const char *line = r->cur;
    size_t len = r->cur_len;
    const char *src = r->source;
    unsigned long long ln = (unsigned long long)r->line;
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
            return dp_fail(err, DOPPEL_ERR_JSON, "%s:%llu: malformed JSON: %s (column %d)", src,
                           ln, jerr.text, jerr.column);
        if (!json_is_object(r->json))
            return dp_fail(err, DOPPEL_ERR_JSON, "%s:%llu: not a JSON object", src, ln);
        fields_from_json(r, r->json);
    }

    const dp_jsonl_field *id = &r->fields[FLD_ID], *text = &r->fields[FLD_TEXT];
    const dp_jsonl_field *title = &r->fields[FLD_TITLE], *date = &r->fields[FLD_DATE];
    if (id->type != DP_JSONL_STRING && id->type != DP_JSONL_NUMBER)
        return dp_fail(err, DOPPEL_ERR_FIELD, "%s:%llu: %s field \"%s\"", src, ln,
                       id->type ? "no usable (string or number)" : "missing", id->name);
    if (id->len == 0) return dp_fail(err, DOPPEL_ERR_FIELD, "%s:%llu: empty id", src, ln);
    if (!(rec->id = terminated(id, &r->id_buf))) goto nomem;
    rec->id_len = id->len;
    if (text->type != DP_JSONL_STRING)
        return dp_fail(err, DOPPEL_ERR_FIELD, "%s:%llu: id '%.*s': %s text field \"%s\"", src, ln,
                       (int)DP_MIN(rec->id_len, 200), rec->id,
                       text->type ? "non-string" : "missing", text->name);
    if (!(rec->text = terminated(text, &r->text_buf))) goto nomem;
    rec->text_len = text->len;
    if (title->type == DP_JSONL_STRING && !(rec->title = terminated(title, &r->title_buf)))
        goto nomem;
    if ((date->type == DP_JSONL_STRING || date->type == DP_JSONL_NUMBER) &&
        !(rec->date = terminated(date, &r->date_buf)))
        goto nomem;
    return DOPPEL_OK;
nomem:
    return dp_fail(err, DOPPEL_ERR_NOMEM, "%s:%llu: out of memory", src, ln);
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
        return parse_record(r, rec, err);
    }
}

/* ---- directory walk ----------------------------------------------------------- */

static int cmp_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 2);
    if (!p) return NULL;
    memcpy(p, a, la);
    size_t k = la;
    if (la && a[la - 1] != '/') p[k++] = '/';
    memcpy(p + k, b, lb + 1);
    return p;
}

static void pop_frame(doppel_reader *r) {
    dir_frame *f = &r->stack[--r->depth];
    for (size_t i = f->next; i < f->count; i++) free(f->names[i]);
    free(f->names);
    free(f->path);
}

/* Enter directory rel (relative to root). Errors leave the stack unchanged. */
static doppel_status push_dir(doppel_reader *r, const char *rel, doppel_error *err) {
    char *full = *rel ? join(r->root, rel) : strdup(r->root);
    if (!full) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    struct stat sb;
    doppel_status st = DOPPEL_OK;
    if (stat(full, &sb) != 0) {
        st = dp_fail(err, DOPPEL_ERR_IO, "%s: %s", full, strerror(errno));
        goto out;
    }
    for (size_t i = 0; i < r->seen; i++)
        if (r->seen_dev[i] == sb.st_dev && r->seen_ino[i] == sb.st_ino) {
            st = dp_fail(err, DOPPEL_ERR_IO, "%s: directory already visited (symlink loop), skipped",
                         full);
            goto out;
        }
    DIR *dir = opendir(full);
    if (!dir) {
        st = dp_fail(err, DOPPEL_ERR_IO, "%s: cannot read directory: %s", full, strerror(errno));
        goto out;
    }
    if (dp_grow((void **)&r->seen_dev, &(size_t){r->seen_cap}, r->seen + 1, sizeof *r->seen_dev) ||
        dp_grow((void **)&r->seen_ino, &r->seen_cap, r->seen + 1, sizeof *r->seen_ino)) {
        closedir(dir);
        st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        goto out;
    }
    r->seen_dev[r->seen] = sb.st_dev;
    r->seen_ino[r->seen++] = sb.st_ino;
    dir_frame f = {0};
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (de->d_name[0] == '.') continue;
        if (f.count == cap) {
            cap = cap ? cap * 2 : 64;
            char **p = realloc(f.names, cap * sizeof *p);
            if (!p) break;
            f.names = p;
        }
        if (!(f.names[f.count] = strdup(de->d_name))) break;
        f.count++;
    }
    closedir(dir);
    if (f.count) qsort(f.names, f.count, sizeof *f.names, cmp_name);
    f.path = strdup(rel);
    if (dp_grow((void **)&r->stack, &r->stack_cap, r->depth + 1, sizeof *r->stack) || !f.path) {
        for (size_t i = 0; i < f.count; i++) free(f.names[i]);
        free(f.names);
        free(f.path);
        st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        goto out;
    }
    r->stack[r->depth++] = f;
out:
    free(full);
    return st;
}

/* The next file of the walk as a whole-file record. */
static doppel_status next_file(doppel_reader *r, doppel_record *rec, doppel_error *err) {
    while (r->depth) {
        dir_frame *f = &r->stack[r->depth - 1];
        if (f->next == f->count) {
            pop_frame(r);
            continue;
        }
        char *name = f->names[f->next++];
        char *rel = *f->path ? join(f->path, name) : strdup(name);
        free(name);
        if (!rel) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        char *full = join(r->root, rel);
        if (!full) {
            free(rel);
            return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        }
        free(r->rel_path);
        r->rel_path = rel;
        *rec = (doppel_record){0};
        rec->source = full;  /* replaced below by r->source, which outlives this call */
        struct stat sb;
        doppel_status st = DOPPEL_OK;
        if (stat(full, &sb) != 0) {
            st = dp_fail(err, DOPPEL_ERR_IO, "%s: %s, skipped", full, strerror(errno));
        } else if (S_ISDIR(sb.st_mode)) {
            st = push_dir(r, rel, err);
            free(full);
            if (st) {
                free(r->source);
                r->source = strdup(r->rel_path);
                rec->source = r->source;
                return st;
            }
            continue;
        } else if (!S_ISREG(sb.st_mode)) {
            st = dp_fail(err, DOPPEL_ERR_IO, "%s: not a regular file, skipped", full);
        } else if ((uint64_t)sb.st_size > r->opt.max_doc_bytes) {
            st = dp_fail(err, DOPPEL_ERR_TOO_LARGE, "%s: %lld bytes, larger than %zu, skipped",
                         full, (long long)sb.st_size, r->opt.max_doc_bytes);
            r->done_bytes += (uint64_t)sb.st_size;
        } else {
            st = open_stream(r, full, full, err);
            r->line_buf.len = 0;
            if (!st) st = slurp(r, err);
            close_stream(r);
            if (!st && looks_binary(r->line_buf.data, r->line_buf.len))
                st = dp_fail(err, DOPPEL_ERR_FORMAT, "%s: binary file, skipped", full);
        }
        free(full);
        free(r->source);
        r->source = strdup(r->rel_path);
        rec->source = r->source;
        if (st) return st;
        rec->id = r->rel_path;
        rec->id_len = strlen(r->rel_path);
        rec->text = r->line_buf.data;
        rec->text_len = r->line_buf.len;
        return DOPPEL_OK;
    }
    return DOPPEL_END;
}

/* ---- the reader ------------------------------------------------------------------ */

doppel_status doppel_reader_open(const char *path, const doppel_reader_options *opt,
                                 doppel_reader **out, doppel_error *err) {
    *out = NULL;
    doppel_reader *r = calloc(1, sizeof *r);
    if (!r) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    if (opt) r->opt = *opt;
    else doppel_reader_options_default(&r->opt);
    if (!r->opt.id_field) r->opt.id_field = "id";
    if (!r->opt.text_field) r->opt.text_field = "text";
    if (!r->opt.max_doc_bytes) r->opt.max_doc_bytes = (size_t)64 << 20;
    r->fields[FLD_ID].name = r->opt.id_field;
    r->fields[FLD_TEXT].name = r->opt.text_field;
    r->fields[FLD_TITLE].name = r->opt.title_field;
    r->fields[FLD_DATE].name = r->opt.date_field;
    r->root = strdup(path);
    r->chunk = dp_malloc(CHUNK);
    doppel_status st = DOPPEL_OK;
    if (!r->root || !r->chunk) {
        st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        goto fail;
    }
    struct stat sb;
    int is_stdin = strcmp(path, "-") == 0;
    if (!is_stdin && stat(path, &sb) != 0) {
        st = dp_fail(err, DOPPEL_ERR_IO, "%s: %s", path, strerror(errno));
        goto fail;
    }
    if (!is_stdin && S_ISDIR(sb.st_mode)) {
        r->is_dir = 1;
        st = push_dir(r, "", err);
        if (st) goto fail;
        *out = r;
        return DOPPEL_OK;
    }
    if (!is_stdin && S_ISREG(sb.st_mode)) r->total_bytes = (uint64_t)sb.st_size;
    st = open_stream(r, path, is_stdin ? "-" : path, err);
    if (st) goto fail;
    r->format = r->opt.format;
    if (r->format == DOPPEL_INPUT_AUTO) {
        /* Peek at the first decoded bytes: JSONL starts with '{'. */
        if (refill(r, &r->pending)) {
            /* Nothing decodable: report it as the first record's error. */
            r->stream_done = 1;
            r->format = DOPPEL_INPUT_JSONL;
            *out = r;
            return DOPPEL_OK;
        }
        size_t i = 0;
        while (i < r->chunk_len && strchr(" \t\r\n", r->chunk[i])) i++;
        if (i + 3 <= r->chunk_len && memcmp(r->chunk + i, "\xEF\xBB\xBF", 3) == 0) i += 3;
        r->format = i < r->chunk_len && r->chunk[i] == '{' ? DOPPEL_INPUT_JSONL : DOPPEL_INPUT_TEXT;
    }
    *out = r;
    return DOPPEL_OK;
fail:
    doppel_reader_free(r);
    return st;
}

doppel_status doppel_reader_next(doppel_reader *r, doppel_record *rec, doppel_error *err) {
    *rec = (doppel_record){0};
    if (r->pending.code) {
        rec->source = r->source;
        doppel_status st = (doppel_status)r->pending.code;
        if (err) *err = r->pending;
        r->pending.code = 0;
        return st;
    }
    if (r->is_dir) return next_file(r, rec, err);
    if (r->format == DOPPEL_INPUT_JSONL) return next_jsonl(r, rec, err);
    /* One text document: what was peeked at open, then the rest of the stream. */
    if (r->single_done) return DOPPEL_END;
    r->single_done = 1;
    rec->source = r->source;
    r->line_buf.len = 0;
    doppel_status st = dp_buf_append(&r->line_buf, r->chunk + r->chunk_pos,
                                     r->chunk_len - r->chunk_pos);
    if (st) return dp_fail(err, st, "out of memory");
    if (!r->stream_done) st = slurp(r, err);
    if (!st) st = dp_buf_terminate(&r->line_buf);
    if (st) return st;
    if (r->line_buf.len > r->opt.max_doc_bytes)
        return dp_fail(err, DOPPEL_ERR_TOO_LARGE, "%s: larger than %zu bytes, skipped", r->source,
                       r->opt.max_doc_bytes);
    if (looks_binary(r->line_buf.data, r->line_buf.len))
        return dp_fail(err, DOPPEL_ERR_FORMAT, "%s: binary data, skipped", r->source);
    rec->id = r->source;
    rec->id_len = strlen(r->source);
    rec->text = r->line_buf.data;
    rec->text_len = r->line_buf.len;
    return DOPPEL_OK;
}

uint64_t doppel_reader_bytes(const doppel_reader *r) {
    return r->done_bytes + (r->stream ? dp_stream_raw_bytes(r->stream) : 0);
}

uint64_t doppel_reader_total_bytes(const doppel_reader *r) { return r->total_bytes; }

void doppel_reader_free(doppel_reader *r) {
    if (!r) return;
    close_stream(r);
    while (r->depth) pop_frame(r);
    free(r->stack);
    dp_free(r->seen_dev, r->seen_cap * sizeof *r->seen_dev);
    dp_free(r->seen_ino, r->seen_cap * sizeof *r->seen_ino);
    if (r->json) json_decref(r->json);
    doppel_buf_free(&r->line_buf);
    doppel_buf_free(&r->scratch);
    doppel_buf_free(&r->id_buf);
    doppel_buf_free(&r->text_buf);
    doppel_buf_free(&r->title_buf);
    doppel_buf_free(&r->date_buf);
    doppel_buf_free(&r->repair_buf);
    dp_free(r->chunk, CHUNK);
    free(r->root);
    free(r->source);
    free(r->rel_path);
    free(r);
}

/* ---- dates ------------------------------------------------------------------- */

/* text is exactly YYYY-MM-DD: the common form, read without sscanf (which
 * costs a few thousand instructions a record on the reading thread). Gives
 * what the sscanf below gives for it. */
static int plain_day(const char *t, int *y, int *mo, int *d) {
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? t[i] != '-' : (t[i] < '0' || t[i] > '9')) return 0;
    if (t[10]) return 0;
    *y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
    *mo = (t[5] - '0') * 10 + (t[6] - '0');
    *d = (t[8] - '0') * 10 + (t[9] - '0');
    return 1;
}

int doppel_parse_date(const char *text, int64_t *seconds) {
    if (!text) return -1;
    while (*text == ' ') text++;
    char *end;
    int all_digits = *text != '\0';
    for (const char *p = text; *p; p++)
        if (*p < '0' || *p > '9') all_digits = 0;
    if (all_digits && strlen(text) >= 9) {
        long long v = strtoll(text, &end, 10);
        /* Past 1e11 seconds is the year 5138: such numbers are milliseconds. */
        *seconds = v > 100000000000LL ? v / 1000 : v;
        return 0;
    }
    int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
    if (plain_day(text, &y, &mo, &d)) n = 10;
    else if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return -1;
    const char *p = text + n;
    int tz = 0;
    if (*p == 'T' || *p == ' ') {
        int k = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) == 2) {
            p += 1 + k;
            if (*p == ':' && sscanf(p + 1, "%2d%n", &s, &k) == 1) p += 1 + k;
            if (*p == '.') {
                p++;
                while (*p >= '0' && *p <= '9') p++;
            }
            int th, tm;
            if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &th, &tm) == 2)
                tz = (*p == '-' ? -1 : 1) * (th * 3600 + tm * 60);
        }
    }
    /* Days from civil (proleptic Gregorian), no time-zone database needed. */
    int yy = y - (mo <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    *seconds = days * 86400 + h * 3600 + mi * 60 + s - tz;
    return 0;
}
