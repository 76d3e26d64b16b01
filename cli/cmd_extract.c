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

#include <stdlib.h>
#include <string.h>

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
    "  --strict             exit 1 when a document cannot be read or extracted\n";

static const char *const flag_names[] = {"empty", "front-matter-unclosed", "front-matter-not-yaml",
                                         "charset-converted", "charset-unknown", "html-repaired",
                                         "fallback", "no-text"};

static void put_str_field(FILE *fp, const char *key, const char *v, size_t len) {
    fprintf(fp, ",\"%s\":", key);
    if (v) cli_json_string(fp, v, len);
    else fputs("null", fp);
}

int cmd_extract(int argc, char **argv) {
    doppel_extract_options opt;
    doppel_extract_options_default(&opt);
    doppel_reader_options ropt;
    doppel_reader_options_default(&ropt);
    const char *input = NULL, *output = "-";
    int strict = 0;
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
    doppel_extractor *ex = NULL;
    if (doppel_extractor_new(&ex, &err)) {
        cli_error("%s", err.message);
        doppel_reader_free(r);
        return 1;
    }
    cli_out out;
    if (cli_out_open(&out, output)) {
        doppel_extractor_free(ex);
        doppel_reader_free(r);
        return 1;
    }
    FILE *fp = out.fp;
    uint64_t docs = 0, empty = 0, failed = 0, fallback = 0;
    doppel_record rec;
    doppel_status st;
    while ((st = doppel_reader_next(r, &rec, &err)) != DOPPEL_END) {
        if (st != DOPPEL_OK) {
            cli_warn("%s", err.message);
            failed++;
            continue;
        }
        doppel_extract_result res;
        if ((st = doppel_extract(ex, rec.text, rec.text_len, &opt, &res, &err))) {
            cli_warn("%.*s: %s", (int)rec.id_len, rec.id, err.message);
            failed++;
            continue;
        }
        docs++;
        if (res.flags & DOPPEL_EXTRACT_EMPTY) {
            empty++;
            cli_warn("%.*s: empty after extraction (%s)", (int)rec.id_len, rec.id,
                     res.flags & DOPPEL_EXTRACT_NO_TEXT ? "no text in the document"
                                                        : "all boilerplate");
        }
        fallback += (res.flags & DOPPEL_EXTRACT_FALLBACK) != 0;
        const char *title = res.title ? res.title : rec.title;
        const char *date = res.date ? res.date : rec.date;
        fputs("{\"id\":", fp);
        cli_json_string(fp, rec.id, rec.id_len);
        put_str_field(fp, "title", title, title ? strlen(title) : 0);
        put_str_field(fp, "date", date, date ? strlen(date) : 0);
        put_str_field(fp, "text", res.text, res.text_len);
        if (res.flags & DOPPEL_EXTRACT_EMPTY) fputs(",\"empty\":true", fp);
        if (opt.explain) {
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
    }
    doppel_extractor_free(ex);
    doppel_reader_free(r);
    if (cli_out_commit(&out)) return 1;
    if (empty || failed || fallback)
        cli_warn("extract: %llu documents written, %llu empty after extraction, %llu not readable, "
                 "%llu kept by the fallback (the rules would have emptied them)",
                 (unsigned long long)docs, (unsigned long long)empty,
                 (unsigned long long)failed, (unsigned long long)fallback);
    return strict && failed ? 1 : 0;
}
