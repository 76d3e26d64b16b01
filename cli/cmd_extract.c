/*
 * cmd_extract.c — `doppel extract INPUT`: show what doppel compares.
 *
 * One JSON line per document: {"id","title","date","text"}, where text is
 * the extracted article (paragraphs separated by blank lines) and title and
 * date come from the document (front matter, HTML meta) or else from the
 * JSONL record. --explain adds "dropped":[{"line","reason","text"}] and the
 * result flags. Documents that come out empty are still written (with
 * "empty":true) and counted on stderr: nothing is lost silently.
 */
#include "cli.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char extract_usage[] =
    "usage: doppel extract [options] INPUT\n\n"
    "Print the cleaned text doppel compares for each document of INPUT (a directory,\n"
    "a JSONL file, a text file, or - for standard input), one JSON line each:\n"
    "{\"id\",\"title\",\"date\",\"text\"}.\n\n"
    "options:\n"
    "  --explain            add every dropped line with its reason, and the flags\n"
    "  --format F           auto (default), text, markdown or html\n"
    "  --no-boilerplate     keep page chrome (front matter and markup are still read)\n"
    "  --no-front-matter    read YAML front matter as text\n"
    "  --text-field NAME    JSONL field with the document (default text)\n"
    "  --id-field NAME      JSONL field with the id (default id)\n"
    "  -o FILE              write to FILE (whole or not at all; default stdout)\n"
    "  --strict             exit 1 when a document cannot be read or extracted\n"
    "  --threads N          extract on N threads (default: all cores); the output is\n"
    "                       in input order and the same for any N\n";

static const char *const flag_names[] = {"empty", "front-matter-unclosed", "front-matter-not-yaml",
                                         "charset-converted", "charset-unknown", "html-repaired",
                                         "fallback", "no-text"};

static void put_str_field(FILE *fp, const char *key, const char *v, size_t len) {
    fprintf(fp, ",\"%s\":", key);
    if (v) cli_json_string(fp, v, len);
    else fputs("null", fp);
}

/* ---- batches on threads ------------------------------------------------------ */

#define MAX_THREADS 256
#define BATCH_DOCS 512
#define BATCH_BYTES (32u << 20)

/* One document of a batch: a copy of its record, and its JSON line. */
typedef struct job {
    char *rec;               /* id, title, date, text, each NUL-terminated */
    size_t rec_cap;
    const char *id, *title, *date, *text;
    size_t id_len, text_len;
    char *line;              /* the output line (malloc'd by open_memstream) */
    size_t line_len;
    doppel_status st;
    char msg[600];           /* the error when st != OK */
    unsigned flags;
} job;

typedef struct worker {
    doppel_extractor *ex;
    pthread_t thread;
} worker;

typedef struct batch {
    const doppel_extract_options *opt;
    job jobs[BATCH_DOCS];
    size_t n;
    _Atomic size_t next;     /* next job to take */
    worker workers[MAX_THREADS];
    unsigned nworkers;
} batch;

static int job_take(job *j, const doppel_record *rec) {
    size_t tl = rec->title ? strlen(rec->title) : 0, dl = rec->date ? strlen(rec->date) : 0;
    size_t need = rec->id_len + tl + dl + rec->text_len + 4;
    if (need > j->rec_cap) {
        char *m = realloc(j->rec, need);
        if (!m) return -1;
        j->rec = m, j->rec_cap = need;
    }
    char *p = j->rec;
    memcpy(p, rec->id, rec->id_len);
    p[rec->id_len] = 0;
    j->id = p, j->id_len = rec->id_len, p += rec->id_len + 1;
    j->title = NULL, j->date = NULL;
    if (rec->title) memcpy(p, rec->title, tl + 1), j->title = p, p += tl + 1;
    if (rec->date) memcpy(p, rec->date, dl + 1), j->date = p, p += dl + 1;
    memcpy(p, rec->text, rec->text_len);
    p[rec->text_len] = 0;
    j->text = p, j->text_len = rec->text_len;
    return 0;
}

static void job_free(job *j) {
    free(j->rec);
    free(j->line);
}

/* The JSON line of one document into j->line (through a memory stream, so
 * the writers shared with the other commands can be used). */
static void job_run(job *j, doppel_extractor *ex, const doppel_extract_options *opt) {
    doppel_error err = {0};
    doppel_extract_result res;
    free(j->line);
    j->line = NULL;
    j->line_len = 0;
    j->flags = 0;
    if ((j->st = doppel_extract(ex, j->text, j->text_len, opt, &res, &err))) {
        snprintf(j->msg, sizeof j->msg, "%s", err.message);
        return;
    }
    j->flags = res.flags;
    char *mem = NULL;
    size_t memlen = 0;
    FILE *fp = open_memstream(&mem, &memlen);
    if (!fp) {
        j->st = DOPPEL_ERR_NOMEM;
        snprintf(j->msg, sizeof j->msg, "out of memory");
        return;
    }
    const char *title = res.title ? res.title : j->title;
    const char *date = res.date ? res.date : j->date;
    fputs("{\"id\":", fp);
    cli_json_string(fp, j->id, j->id_len);
    put_str_field(fp, "title", title, title ? strlen(title) : 0);
    put_str_field(fp, "date", date, date ? strlen(date) : 0);
    put_str_field(fp, "text", res.text, res.text_len);
    if (res.flags & DOPPEL_EXTRACT_EMPTY) fputs(",\"empty\":true", fp);
    if (opt->explain) {
        fprintf(fp, ",\"format\":\"%s\",\"flags\":[", doppel_extract_format_name(res.format));
        int n = 0;
        for (unsigned b = 0; b < sizeof flag_names / sizeof *flag_names; b++)
            if (res.flags & (1u << b)) fprintf(fp, "%s\"%s\"", n++ ? "," : "", flag_names[b]);
        fputs("],\"dropped\":[", fp);
        for (size_t i = 0; i < res.num_dropped; i++) {
            const doppel_dropped_line *d = &res.dropped[i];
            fprintf(fp, "%s{\"line\":%u,\"reason\":\"%s\",\"text\":", i ? "," : "", d->line,
                    doppel_drop_reason_name(d->reason));
            cli_json_string(fp, d->text, d->len);
            fputc('}', fp);
        }
        fputc(']', fp);
    }
    fputs("}\n", fp);
    if (fclose(fp)) {
        free(mem);
        j->st = DOPPEL_ERR_NOMEM;
        snprintf(j->msg, sizeof j->msg, "out of memory");
        return;
    }
    j->line = mem;
    j->line_len = memlen;
}

typedef struct worker_arg {
    batch *b;
    unsigned w;
} worker_arg;

static void *worker_main(void *p) {
    worker_arg *a = p;
    batch *b = a->b;
    for (size_t i; (i = atomic_fetch_add(&b->next, 1)) < b->n;)
        job_run(&b->jobs[i], b->workers[a->w].ex, b->opt);
    return NULL;
}

/* Extract every job of the batch; the caller's thread is worker 0. A
 * thread the system refuses leaves its share to the others. */
static void run_batch(batch *b) {
    atomic_store(&b->next, 0);
    unsigned spawn = b->nworkers > b->n ? (unsigned)b->n : b->nworkers;
    worker_arg args[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (unsigned w = 1; w < spawn; w++) {
        args[w] = (worker_arg){b, w};
        started[w] = !pthread_create(&b->workers[w].thread, NULL, worker_main, &args[w]);
    }
    args[0] = (worker_arg){b, 0};
    worker_main(&args[0]);
    for (unsigned w = 1; w < spawn; w++)
        if (started[w]) pthread_join(b->workers[w].thread, NULL);
}

int cmd_extract(int argc, char **argv) {
    doppel_extract_options opt;
    doppel_extract_options_default(&opt);
    doppel_reader_options ropt;
    doppel_reader_options_default(&ropt);
    const char *input = NULL, *output = "-";
    int strict = 0;
    unsigned threads = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(extract_usage, stdout);
            return 0;
        } else if (!strcmp(a, "--explain")) {
            opt.explain = 1;
        } else if (!strcmp(a, "--no-boilerplate")) {
            opt.boilerplate = 0;
        } else if (!strcmp(a, "--no-front-matter")) {
            opt.front_matter = 0;
        } else if (!strcmp(a, "--strict")) {
            strict = 1;
        } else if (!strcmp(a, "--threads") && i + 1 < argc) {
            char *end;
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end || !v || v > MAX_THREADS) {
                cli_error("--threads %s: must be 1 to %d", argv[i], MAX_THREADS);
                return EXIT_USAGE;
            }
            threads = (unsigned)v;
        } else if ((!strcmp(a, "--format") || !strcmp(a, "--text-field") ||
                    !strcmp(a, "--id-field") || !strcmp(a, "-o")) && i + 1 < argc) {
            const char *v = argv[++i];
            if (!strcmp(a, "-o")) {
                output = v;
            } else if (!strcmp(a, "--text-field")) {
                ropt.text_field = v;
            } else if (!strcmp(a, "--id-field")) {
                ropt.id_field = v;
            } else {
                int f = -1;
                for (int k = 0; k <= DOPPEL_FORMAT_HTML; k++)
                    if (!strcmp(v, doppel_extract_format_name((doppel_extract_format)k))) f = k;
                if (f < 0) {
                    cli_error("--format %s: must be auto, text, markdown or html", v);
                    return EXIT_USAGE;
                }
                opt.format = (doppel_extract_format)f;
            }
        } else if (a[0] == '-' && a[1]) {
            cli_error("extract: unknown or incomplete option '%s' (see --help)", a);
            return EXIT_USAGE;
        } else if (!input) {
            input = a;
        } else {
            cli_error("extract takes one INPUT (see --help)");
            return EXIT_USAGE;
        }
    }
    if (!input) {
        cli_error("extract needs an INPUT (see --help)");
        return EXIT_USAGE;
    }

    doppel_error err = {0};
    doppel_reader *r = NULL;
    if (doppel_reader_open(input, &ropt, &r, &err)) {
        cli_error("%s", err.message);
        return 1;
    }
    cli_out out;
    if (cli_out_open(&out, output)) {
        doppel_reader_free(r);
        return 1;
    }
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
    }
    batch *bp = calloc(1, sizeof *bp);
    if (!bp) {
        cli_error("extract: out of memory");
        cli_out_abort(&out);
        doppel_reader_free(r);
        return 1;
    }
    bp->opt = &opt;
    bp->nworkers = threads;
    uint64_t docs = 0, empty = 0, failed = 0, fallback = 0;
    int io_error = 0;
    for (unsigned w = 0; w < threads && !io_error; w++)
        if (doppel_extractor_new(&bp->workers[w].ex, &err)) {
            cli_error("%s", err.message);
            io_error = 1;
        }
    doppel_record rec;
    doppel_status st = DOPPEL_OK;
    while (!io_error && st != DOPPEL_END) {
        /* Read a batch (copies: a record lives until the next read), extract
         * it on all threads, write it in input order. */
        bp->n = 0;
        size_t bytes = 0;
        while (bp->n < BATCH_DOCS && bytes < BATCH_BYTES &&
               (st = doppel_reader_next(r, &rec, &err)) != DOPPEL_END) {
            if (st != DOPPEL_OK) {
                /* Keep the order of messages: flush what was read so far. */
                if (bp->n) break;
                cli_warn("%s", err.message);
                failed++;
                continue;
            }
            if (job_take(&bp->jobs[bp->n], &rec)) {
                cli_error("extract: out of memory");
                io_error = 1;
                break;
            }
            bytes += rec.text_len;
            bp->n++;
        }
        if (io_error) break;
        run_batch(bp);
        for (size_t i = 0; i < bp->n; i++) {
            job *j = &bp->jobs[i];
            if (j->st) {
                cli_warn("%.*s: %s", (int)j->id_len, j->id, j->msg);
                failed++;
            } else {
                docs++;
                if (j->flags & DOPPEL_EXTRACT_EMPTY) {
                    empty++;
                    cli_warn("%.*s: empty after extraction (%s)", (int)j->id_len, j->id,
                             j->flags & DOPPEL_EXTRACT_NO_TEXT ? "no text in the document"
                                                               : "all boilerplate");
                }
                fallback += (j->flags & DOPPEL_EXTRACT_FALLBACK) != 0;
                if (!io_error && fwrite(j->line, 1, j->line_len, out.fp) != j->line_len) {
                    cli_error("extract: cannot write the output");
                    io_error = 1;
                }
            }
        }
        if (st != DOPPEL_OK && st != DOPPEL_END && bp->n) {
            /* the read error that ended this batch, in its place */
            cli_warn("%s", err.message);
            failed++;
            st = DOPPEL_OK;
        }
    }
    for (size_t i = 0; i < BATCH_DOCS; i++) job_free(&bp->jobs[i]);
    for (unsigned w = 0; w < threads; w++) doppel_extractor_free(bp->workers[w].ex);
    free(bp);
    doppel_reader_free(r);
    if (io_error) {
        cli_out_abort(&out);
        return 1;
    }
    if (cli_out_commit(&out)) return 1;
    if (empty || failed || fallback)
        cli_warn("extract: %llu documents written, %llu empty after extraction, %llu not readable, "
                 "%llu kept by the fallback (the rules would have emptied them)",
                 (unsigned long long)docs, (unsigned long long)empty,
                 (unsigned long long)failed, (unsigned long long)fallback);
    return strict && failed ? 1 : 0;
}
