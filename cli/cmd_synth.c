/*
 * cmd_synth.c — `doppel synth`: write a labeled synthetic corpus (documents
 * JSONL and, optionally, the gold clustering JSONL) streamed from the library
 * generator, so any size fits in constant memory.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char synth_usage[] =
    "usage: doppel synth -n N [options] -o DOCS.jsonl [--gold GOLD.jsonl]\n\n"
    "Generate N news-like documents of which a share are copies of earlier ones,\n"
    "each made in one way (its kind): exact, boilerplate (site chrome around it),\n"
    "truncated (a lead), edited (5-20% of words), ocr (1-3% of characters),\n"
    "reordered (paragraphs shuffled), headline (a new headline). Reuse that is not a\n"
    "copy (off unless --realistic or --kinds turns it on): derived (a rewrite),\n"
    "partial (paragraphs of another inside a new article), quote (a new article\n"
    "quoting 80-200 words of another), shared (a boilerplate paragraph many share).\n"
    "The same options give a byte-identical corpus.\n\n"
    "Documents: {\"id\",\"title\",\"date\",\"source\",\"text\"} per line.\n"
    "Gold: {\"id\",\"cluster\",\"kind\"} per line; cluster is the id of the original\n"
    "(reuse kinds are their own cluster and add \"related\", the id they took text from).\n"
    "Gold pairs: {\"a\",\"b\",\"kind\"} per derived, partial and quote document (b)\n"
    "and its source (a).\n\n"
    "options:\n"
    "  -n, --count N          documents to generate (required)\n"
    "  -o, --output PATH      documents file (- = stdout; default -)\n"
    "  -g, --gold PATH        also write the gold clustering here\n"
    "      --gold-pairs PATH  also write the gold pairs of reuse kinds here\n"
    "      --realistic        the mix of a realistic web corpus: every kind, half the\n"
    "                         documents reuse text, ~3.7 KB documents\n"
    "  -s, --seed S           random seed (default 1)\n"
    "  -w, --mean-words W     mean words of an original (default 500, ~3 KB)\n"
    "  -c, --copy-fraction F  share of documents that are copies (default 0.35)\n"
    "  -k, --kinds LIST       relative shares of copy kinds, e.g. exact=1,edited=2\n"
    "                         (unlisted kinds keep 1; 0 turns a kind off)\n"
    "      --topics T         number of topics (default N/64, at least 4)\n"
    "      --sites S          number of sites (default 40)\n"
    "  -q, --quiet            no progress on stderr\n"
    "  -h, --help             this help\n";

typedef struct synth_sink {
    FILE *docs, *gold, *pairs;
    cli_progress progress;
    uint64_t bytes;
} synth_sink;

static int emit_doc(const doppel_synth_doc *d, void *user) {
    synth_sink *s = user;
    FILE *fp = s->docs;
    fputs("{\"id\":", fp);
    cli_json_string(fp, d->id, strlen(d->id));
    fputs(",\"title\":", fp);
    cli_json_string(fp, d->title, strlen(d->title));
    fputs(",\"date\":", fp);
    cli_json_string(fp, d->date, strlen(d->date));
    fputs(",\"source\":", fp);
    cli_json_string(fp, d->source, strlen(d->source));
    fputs(",\"text\":", fp);
    cli_json_string(fp, d->text, d->text_len);
    fputs("}\n", fp);
    if (s->gold) {
        fputs("{\"id\":", s->gold);
        cli_json_string(s->gold, d->id, strlen(d->id));
        fputs(",\"cluster\":", s->gold);
        cli_json_string(s->gold, d->cluster, strlen(d->cluster));
        fprintf(s->gold, ",\"kind\":\"%s\"", doppel_synth_kind_name(d->kind));
        if (d->related_id) {
            fputs(",\"related\":", s->gold);
            cli_json_string(s->gold, d->related_id, strlen(d->related_id));
        }
        fputs("}\n", s->gold);
    }
    if (s->pairs && d->related_id) {
        fputs("{\"a\":", s->pairs);
        cli_json_string(s->pairs, d->related_id, strlen(d->related_id));
        fputs(",\"b\":", s->pairs);
        cli_json_string(s->pairs, d->id, strlen(d->id));
        fprintf(s->pairs, ",\"kind\":\"%s\"}\n", doppel_synth_kind_name(d->kind));
    }
    s->bytes += d->text_len;
    if ((d->number & 1023) == 0) {
        cli_progress_update(&s->progress, d->number, s->bytes, 0);
        /* A full disk shows here; stop instead of generating on. */
        if (ferror(fp) || (s->gold && ferror(s->gold))) return 1;
    }
    return 0;
}

static int parse_u64(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    if (!*s || *s == '-') return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end) return -1;
    *out = v;
    return 0;
}

/* "exact=1,edited=2" into the kind weights. */
static int parse_kinds(const char *spec, doppel_synth_options *opt) {
    char *copy = strdup(spec);
    if (!copy) return -1;
    int rc = 0;
    for (char *save = NULL, *item = strtok_r(copy, ",", &save); item && !rc;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        double w;
        if (!eq || parse_double(eq + 1, &w) || w < 0) {
            cli_error("--kinds: '%s' is not KIND=WEIGHT with WEIGHT >= 0", item);
            rc = -1;
            break;
        }
        *eq = '\0';
        int k = 1;
        while (k < DOPPEL_SYNTH_NUM_KINDS && strcmp(item, doppel_synth_kind_name(k))) k++;
        if (k == DOPPEL_SYNTH_NUM_KINDS) {
            cli_error("--kinds: unknown kind '%s' (exact, boilerplate, truncated, edited, ocr, "
                      "reordered, headline, derived, partial, quote, shared)", item);
            rc = -1;
        } else {
            opt->kind_weight[k] = w;
        }
    }
    free(copy);
    return rc;
}

int cmd_synth(int argc, char **argv) {
    static const struct option longopts[] = {
        {"count", required_argument, NULL, 'n'},
        {"output", required_argument, NULL, 'o'},
        {"gold", required_argument, NULL, 'g'},
        {"seed", required_argument, NULL, 's'},
        {"mean-words", required_argument, NULL, 'w'},
        {"copy-fraction", required_argument, NULL, 'c'},
        {"kinds", required_argument, NULL, 'k'},
        {"topics", required_argument, NULL, 'T'},
        {"sites", required_argument, NULL, 'S'},
        {"quiet", no_argument, NULL, 'q'},
        {"gold-pairs", required_argument, NULL, 'P'},
        {"realistic", no_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    doppel_synth_options opt;
    doppel_synth_options_default(&opt);
    const char *out_path = "-", *gold_path = NULL, *pairs_path = NULL;
    int have_count = 0, quiet = 0;
    uint64_t v;
    double d;
    optind = 0;  /* 0, not 1: glibc then also forgets a half-read option cluster ("-qh") */
    int ch;
    while ((ch = getopt_long(argc, argv, "n:o:g:s:w:c:k:qh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'n':
            if (parse_u64(optarg, &opt.count)) goto bad_number;
            have_count = 1;
            break;
        case 'o': out_path = optarg; break;
        case 'g': gold_path = optarg; break;
        case 's':
            if (parse_u64(optarg, &opt.seed)) goto bad_number;
            break;
        case 'w':
            if (parse_u64(optarg, &v) || v > UINT32_MAX) goto bad_number;
            opt.mean_words = (unsigned)v;
            break;
        case 'c':
            if (parse_double(optarg, &d)) goto bad_number;
            opt.copy_fraction = d;
            break;
        case 'k':
            if (parse_kinds(optarg, &opt)) return EXIT_USAGE;
            break;
        case 'T':
            if (parse_u64(optarg, &v) || v > UINT32_MAX) goto bad_number;
            opt.topics = (uint32_t)v;
            break;
        case 'S':
            if (parse_u64(optarg, &v) || v > UINT32_MAX) goto bad_number;
            opt.sites = (uint32_t)v;
            break;
        case 'q': quiet = 1; break;
        case 'P': pairs_path = optarg; break;
        case 'R': {
            /* The preset under the options given so far, then those after it. */
            doppel_synth_options r;
            doppel_synth_options_realistic(&r);
            r.count = opt.count;
            r.seed = opt.seed;
            opt = r;
            break;
        }
        case 'h': fputs(synth_usage, stdout); return 0;
        default: fputs(synth_usage, stderr); return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("synth takes no operands (see --help)");
        return EXIT_USAGE;
    }
    if (!have_count) {
        cli_error("synth needs -n N (see --help)");
        return EXIT_USAGE;
    }
    doppel_error err = {0};
    if (doppel_synth_options_validate(&opt, &err)) {
        cli_error("%s", err.message);
        return EXIT_USAGE;
    }
    if (gold_path && !strcmp(gold_path, out_path)) {
        cli_error("--gold and --output must be different files");
        return EXIT_USAGE;
    }

    cli_out docs = {0}, gold = {0}, pairs = {0};
    if (cli_out_open(&docs, out_path)) return 1;
    if (gold_path && cli_out_open(&gold, gold_path)) {
        cli_out_abort(&docs);
        return 1;
    }
    if (pairs_path && cli_out_open(&pairs, pairs_path)) {
        cli_out_abort(&docs);
        if (gold_path) cli_out_abort(&gold);
        return 1;
    }
    synth_sink sink = {.docs = docs.fp, .gold = gold_path ? gold.fp : NULL,
                       .pairs = pairs_path ? pairs.fp : NULL};
    cli_progress_init(&sink.progress, quiet ? CLI_PROGRESS_NEVER : CLI_PROGRESS_AUTO);
    doppel_status st = doppel_synth_generate(&opt, emit_doc, &sink, &err);
    cli_progress_done(&sink.progress);
    if (st == DOPPEL_END) {
        cli_error("%s: write error", gold_path && ferror(gold.fp) ? gold_path : out_path);
    } else if (st != DOPPEL_OK) {
        cli_error("%s", err.message);
    }
    if (st != DOPPEL_OK) {
        cli_out_abort(&docs);
        if (gold_path) cli_out_abort(&gold);
        if (pairs_path) cli_out_abort(&pairs);
        return 1;
    }
    if (cli_out_commit(&docs)) {
        if (gold_path) cli_out_abort(&gold);
        if (pairs_path) cli_out_abort(&pairs);
        return 1;
    }
    if (gold_path && cli_out_commit(&gold)) {
        if (pairs_path) cli_out_abort(&pairs);
        return 1;
    }
    if (pairs_path && cli_out_commit(&pairs)) return 1;
    return 0;

bad_number:
    for (const struct option *o = longopts; o->name; o++)
        if (o->val == ch) cli_error("--%s: '%s' is not a valid number", o->name, optarg);
    return EXIT_USAGE;
}
