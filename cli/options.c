/*
 * options.c — the options cluster, dedup and pairs share: parsing them into
 * a cli_common, the inputs they name, and standard input spooled to a file
 * when it must be read twice.
 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    OPT_ID_FIELD = 1000, OPT_TEXT_FIELD, OPT_TITLE_FIELD, OPT_DATE_FIELD, OPT_FORMAT,
    OPT_THRESHOLD, OPT_CONTAINMENT, OPT_MIN_CONTAINED, OPT_NGRAM, OPT_CHAR, OPT_NUM_PERM,
    OPT_SEED, OPT_BANDS, OPT_ROWS, OPT_LSH_THRESHOLD, OPT_FAST, OPT_CANONICAL, OPT_STRICT,
    OPT_QUIET, OPT_MAX_DOC_BYTES, OPT_TMP_DIR, OPT_SUMMARY, OPT_SKETCH, OPT_MAX_BUCKET, OPT_JSON, OPT_LOW_THRESHOLD, OPT_MIN_SHARED, OPT_THREADS, OPT_NO_EXTRACT, OPT_LEVEL, OPT_CORPUS_BOILER, OPT_MEMORY,
    OPT_STORY_THRESHOLD, OPT_STORY_SHORT, OPT_STORY_EXPANSION, OPT_STORY_WINDOW, OPT_STORY_ONLINE,
    OPT_STORY_MODEL, OPT_SAVE_STORY_MODEL, OPT_STORY_STATE,
    OPT_PREFILTER_MISS, OPT_PROGRESS, OPT_DROP_UNCOMPARED, OPT_REMOVED, OPT_REJECTS,
    OPT_COVER, OPT_CONTAINED_COVER, OPT_DERIVED_COVER, OPT_DERIVED_SPREAD,
    OPT_PARTIAL_WORDS, OPT_JOIN_DERIVED
};

static const struct option long_opts[] = {
    {"help", no_argument, 0, 'h'},
    {"output", required_argument, 0, 'o'},
    {"id-field", required_argument, 0, OPT_ID_FIELD},
    {"text-field", required_argument, 0, OPT_TEXT_FIELD},
    {"title-field", required_argument, 0, OPT_TITLE_FIELD},
    {"date-field", required_argument, 0, OPT_DATE_FIELD},
    {"format", required_argument, 0, OPT_FORMAT},
    {"threshold", required_argument, 0, OPT_THRESHOLD},
    {"containment", required_argument, 0, OPT_CONTAINMENT},
    {"min-contained", required_argument, 0, OPT_MIN_CONTAINED},
    {"ngram", required_argument, 0, OPT_NGRAM},
    {"char", no_argument, 0, OPT_CHAR},
    {"num-perm", required_argument, 0, OPT_NUM_PERM},
    {"seed", required_argument, 0, OPT_SEED},
    {"sketch", required_argument, 0, OPT_SKETCH},
    {"bands", required_argument, 0, OPT_BANDS},
    {"rows", required_argument, 0, OPT_ROWS},
    {"lsh-threshold", required_argument, 0, OPT_LSH_THRESHOLD},
    {"max-bucket", required_argument, 0, OPT_MAX_BUCKET},
    {"fast", no_argument, 0, OPT_FAST},
    {"prefilter-miss", required_argument, 0, OPT_PREFILTER_MISS},
    {"cover", required_argument, 0, OPT_COVER},
    {"contained-cover", required_argument, 0, OPT_CONTAINED_COVER},
    {"derived-cover", required_argument, 0, OPT_DERIVED_COVER},
    {"derived-spread", required_argument, 0, OPT_DERIVED_SPREAD},
    {"partial-words", required_argument, 0, OPT_PARTIAL_WORDS},
    {"join-derived", no_argument, 0, OPT_JOIN_DERIVED},
    {"canonical", required_argument, 0, OPT_CANONICAL},
    {"strict", no_argument, 0, OPT_STRICT},
    {"quiet", no_argument, 0, OPT_QUIET},
    {"max-doc-bytes", required_argument, 0, OPT_MAX_DOC_BYTES},
    {"tmp-dir", required_argument, 0, OPT_TMP_DIR},
    {"summary", required_argument, 0, OPT_SUMMARY},
    {"json", no_argument, 0, OPT_JSON},
    {"low-threshold", required_argument, 0, OPT_LOW_THRESHOLD},
    {"threads", required_argument, 0, OPT_THREADS},
    {"no-extract", no_argument, 0, OPT_NO_EXTRACT},
    {"level", required_argument, 0, OPT_LEVEL},
    {"corpus-boilerplate", no_argument, 0, OPT_CORPUS_BOILER},
    {"memory", required_argument, 0, OPT_MEMORY},
    {"min-shared", required_argument, 0, OPT_MIN_SHARED},
    {"story-threshold", required_argument, 0, OPT_STORY_THRESHOLD},
    {"story-short-threshold", required_argument, 0, OPT_STORY_SHORT},
    {"story-expansion", required_argument, 0, OPT_STORY_EXPANSION},
    {"story-window", required_argument, 0, OPT_STORY_WINDOW},
    {"story-online", no_argument, 0, OPT_STORY_ONLINE},
    {"story-model", required_argument, 0, OPT_STORY_MODEL},
    {"save-story-model", required_argument, 0, OPT_SAVE_STORY_MODEL},
    {"story-state", required_argument, 0, OPT_STORY_STATE},
    {"progress", required_argument, 0, OPT_PROGRESS},
    {"drop-uncompared", no_argument, 0, OPT_DROP_UNCOMPARED},
    {"removed", required_argument, 0, OPT_REMOVED},
    {"rejects", required_argument, 0, OPT_REJECTS},
    {0, 0, 0, 0}};

static int parse_double(const char *s, const char *name, double lo, double hi, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || end == s || !(v >= lo && v <= hi)) {
        cli_error("--%s %s: expected a number in [%g, %g]", name, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

/* 16777216 as 16M, as the options accept it; other numbers as they are. */
static const char *size_suffix(char buf[32], unsigned long long v) {
    const char *unit = "KMGT";
    int u = -1;
    while (u < 3 && v >= 1024 && v % 1024 == 0) v /= 1024, u++;
    if (u >= 0) snprintf(buf, 32, "%llu%c", v, unit[u]);
    else snprintf(buf, 32, "%llu", v);
    return buf;
}

static int parse_uint(const char *s, const char *name, unsigned long long lo,
                      unsigned long long hi, unsigned long long *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    /* Size suffixes for byte counts: 64K, 16M, 1G. A value the shift would
     * wrap is out of range, not a small number (17179869185G is not 1G). */
    unsigned shift = 0;
    if (end != s && (*end == 'K' || *end == 'k')) shift = 10, end++;
    else if (end != s && (*end == 'M' || *end == 'm')) shift = 20, end++;
    else if (end != s && (*end == 'G' || *end == 'g')) shift = 30, end++;
    if (shift && v > (ULLONG_MAX >> shift)) errno = ERANGE;
    else v <<= shift;
    if (errno || *end || end == s || *s == '-' || v < lo || v > hi) {
        char a[32], b[32];
        cli_error("--%s %s: expected an integer in [%s, %s]", name, s, size_suffix(a, lo),
                  size_suffix(b, hi));
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_common(int argc, char **argv, cli_common *c, const char *usage) {
    memset(c, 0, sizeof *c);
    doppel_config_default(&c->cfg);
    doppel_story_options_default(&c->story);
    doppel_reader_options_default(&c->ropt);
    /* Default memory limit: half of what the process may use (physical
     * memory or its cgroup's limit); the rest is the page cache's, which
     * the spill files live in. */
    c->cfg.memory_limit = doppel_available_memory() / 2;
    c->output = "-";
    c->seconds_start = cli_now();
    unsigned long long u;
    double d;
    int opt;
    bool story_threshold_set = false;
    optind = 0;  /* 0, not 1: glibc then also forgets a half-read option cluster ("-qh") */
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":ho:q", long_opts, NULL)) != -1) {
        switch (opt) {
        case 'h': fputs(usage, stdout); return -1;
        case 'o': c->output = optarg; break;
        case 'q': case OPT_QUIET: c->quiet = true; break;
        case OPT_ID_FIELD: c->ropt.id_field = optarg; break;
        case OPT_TEXT_FIELD: c->ropt.text_field = optarg; break;
        case OPT_TITLE_FIELD: c->ropt.title_field = optarg; break;
        case OPT_DATE_FIELD: c->ropt.date_field = optarg; break;
        case OPT_FORMAT:
            if (!strcmp(optarg, "auto")) c->ropt.format = DOPPEL_INPUT_AUTO;
            else if (!strcmp(optarg, "jsonl")) c->ropt.format = DOPPEL_INPUT_JSONL;
            else if (!strcmp(optarg, "text")) c->ropt.format = DOPPEL_INPUT_TEXT;
            else if (!strcmp(optarg, "csv")) c->ropt.format = DOPPEL_INPUT_CSV;
            else if (!strcmp(optarg, "tsv")) c->ropt.format = DOPPEL_INPUT_TSV;
            else { cli_error("--format %s: expected auto, jsonl, text, csv or tsv", optarg); return -2; }
            break;
        case OPT_THRESHOLD:
            if (parse_double(optarg, "threshold", 0.01, 1, &d)) return -2;
            c->cfg.threshold = d;
            break;
        case OPT_LOW_THRESHOLD:
            if (parse_double(optarg, "low-threshold", 0.01, 1, &d)) return -2;
            c->cfg.low_threshold = d;
            break;
        case OPT_NO_EXTRACT: c->cfg.extract = 0; break;
        /* relations from aligned passages (docs/relations.md) */
        case OPT_COVER:
            if (parse_double(optarg, "cover", 0.01, 1, &c->cfg.cover)) return -2;
            break;
        case OPT_CONTAINED_COVER:
            if (parse_double(optarg, "contained-cover", 0.01, 1, &c->cfg.contained_cover)) return -2;
            break;
        case OPT_DERIVED_COVER:
            if (parse_double(optarg, "derived-cover", 0.01, 1, &c->cfg.derived_cover)) return -2;
            break;
        case OPT_DERIVED_SPREAD:
            if (parse_uint(optarg, "derived-spread", 0, 10, &u)) return -2;
            c->cfg.derived_spread = (unsigned)u;
            break;
        case OPT_PARTIAL_WORDS:
            if (parse_uint(optarg, "partial-words", 1, 1u << 20, &u)) return -2;
            c->cfg.partial_words = (unsigned)u;
            break;
        case OPT_JOIN_DERIVED: c->cfg.join_derived = 1; break;
        case OPT_PREFILTER_MISS:
            if (parse_double(optarg, "prefilter-miss", 0, 0.5, &d)) return -2;
            c->cfg.prefilter_miss = d;
            break;
        case OPT_CORPUS_BOILER: c->corpus_boilerplate = true; break;
        case OPT_MEMORY:
            if (parse_uint(optarg, "memory", 16u << 20, (unsigned long long)1 << 50, &u)) return -2;
            c->cfg.memory_limit = u;
            break;
        case OPT_STORY_THRESHOLD:
            if (parse_double(optarg, "story-threshold", 0.001, 1, &c->story.threshold)) return -2;
            story_threshold_set = true;
            break;
        case OPT_STORY_SHORT:
            if (parse_double(optarg, "story-short-threshold", 0.001, 1, &c->story.short_threshold))
                return -2;
            break;
        case OPT_STORY_EXPANSION:
            if (parse_double(optarg, "story-expansion", 0, 100, &c->story.expansion)) return -2;
            break;
        case OPT_STORY_WINDOW:
            if (parse_double(optarg, "story-window", 0, 36500, &d)) return -2;
            c->story.window_seconds = (int64_t)(d * 86400);
            break;
        case OPT_STORY_ONLINE: c->story.online = 1; break;
        case OPT_STORY_MODEL: c->story_model = optarg; break;
        case OPT_SAVE_STORY_MODEL: c->save_story_model = optarg; break;
        case OPT_STORY_STATE: c->story_state = optarg; break;
        case OPT_LEVEL:
            if (!strcmp(optarg, "copy")) c->level = CLI_LEVEL_COPY;
            else if (!strcmp(optarg, "story")) c->level = CLI_LEVEL_STORY;
            else if (!strcmp(optarg, "all")) c->level = CLI_LEVEL_ALL;
            else { cli_error("--level %s: expected copy, story or all", optarg); return -2; }
            break;
        case OPT_THREADS:
            if (parse_uint(optarg, "threads", 1, 256, &u)) return -2;
            c->cfg.threads = (unsigned)u;
            break;
        case OPT_MIN_SHARED:
            if (parse_uint(optarg, "min-shared", 0, 1u << 30, &u)) return -2;
            c->cfg.min_shared = (unsigned)u;
            break;
        case OPT_CONTAINMENT:
            if (parse_double(optarg, "containment", 0.01, 1, &d)) return -2;
            c->cfg.containment = d;
            break;
        case OPT_LSH_THRESHOLD:
            if (parse_double(optarg, "lsh-threshold", 0.01, 1, &d)) return -2;
            c->cfg.lsh_threshold = d;
            break;
        case OPT_MIN_CONTAINED:
            if (parse_uint(optarg, "min-contained", 1, 1u << 30, &u)) return -2;
            c->cfg.min_contained = (unsigned)u;
            break;
        case OPT_NGRAM:
            if (parse_uint(optarg, "ngram", 1, 64, &u)) return -2;
            c->cfg.shingle_size = (unsigned)u;
            break;
        case OPT_CHAR: c->cfg.shingle_kind = DOPPEL_SHINGLE_CHAR; break;
        case OPT_NUM_PERM:
            if (parse_uint(optarg, "num-perm", 8, 1024, &u)) return -2;
            c->cfg.num_perm = (unsigned)u;
            break;
        case OPT_SEED:
            if (parse_uint(optarg, "seed", 0, UINT64_MAX, &u)) return -2;
            c->cfg.seed = u;
            break;
        case OPT_SKETCH:
            if (!strcmp(optarg, "oph")) c->cfg.sketch = DOPPEL_SKETCH_OPH;
            else if (!strcmp(optarg, "classic")) c->cfg.sketch = DOPPEL_SKETCH_CLASSIC;
            else { cli_error("--sketch %s: expected oph or classic", optarg); return -2; }
            break;
        case OPT_BANDS:
            if (parse_uint(optarg, "bands", 1, 1024, &u)) return -2;
            c->cfg.bands = (unsigned)u;
            break;
        case OPT_ROWS:
            if (parse_uint(optarg, "rows", 1, 1024, &u)) return -2;
            c->cfg.rows = (unsigned)u;
            break;
        case OPT_MAX_BUCKET:
            if (parse_uint(optarg, "max-bucket", 2, 1u << 30, &u)) return -2;
            c->cfg.max_bucket = (unsigned)u;
            break;
        case OPT_FAST: c->cfg.verify = DOPPEL_VERIFY_FAST; break;
        case OPT_CANONICAL:
            if (!strcmp(optarg, "longest")) c->cfg.canonical = DOPPEL_CANON_LONGEST;
            else if (!strcmp(optarg, "first")) c->cfg.canonical = DOPPEL_CANON_FIRST;
            else if (!strcmp(optarg, "earliest")) c->cfg.canonical = DOPPEL_CANON_EARLIEST;
            else { cli_error("--canonical %s: expected longest, first or earliest", optarg); return -2; }
            break;
        case OPT_STRICT: c->strict = true; break;
        case OPT_MAX_DOC_BYTES:
            if (parse_uint(optarg, "max-doc-bytes", 1, (unsigned long long)1 << 40, &u)) return -2;
            c->ropt.max_doc_bytes = (size_t)u;
            break;
        case OPT_TMP_DIR: c->cfg.tmp_dir = optarg; break;
        case OPT_SUMMARY: c->summary_path = optarg; break;
        case OPT_JSON: c->json = true; break;
        case OPT_PROGRESS:
            if (!strcmp(optarg, "auto")) c->progress = CLI_PROGRESS_AUTO;
            else if (!strcmp(optarg, "always")) c->progress = CLI_PROGRESS_ALWAYS;
            else if (!strcmp(optarg, "never")) c->progress = CLI_PROGRESS_NEVER;
            else { cli_error("--progress %s: expected auto, always or never", optarg); return -2; }
            break;
        case OPT_DROP_UNCOMPARED: c->drop_uncompared = true; break;
        case OPT_REMOVED: c->removed_path = optarg; break;
        case OPT_REJECTS: c->rejects_path = optarg; break;
        case ':': cli_error("option %s needs a value", argv[optind - 1]); return -2;
        default: cli_error("unknown option %s (see --help)", argv[optind - 1]); return -2;
        }
    }
    /* The default threshold is for expanded vectors; the single pass
     * compares plain ones (measured best there: 0.22, docs/story.md). */
    if (c->story.online && !story_threshold_set) c->story.threshold = 0.22;
    if (c->story_state && c->story_model) {
        cli_error("--story-state holds a story model already: not with --story-model");
        return -2;
    }
    c->story.keep_state = c->story_state != NULL;
    doppel_error err;
    if (doppel_config_validate(&c->cfg, &err)) {
        cli_error("%s", err.message);
        return -2;
    }
    return optind;
}

void cli_common_free(cli_common *c) {
    if (c->story_state_fp) fclose(c->story_state_fp); /* releases its lock */
    c->story_state_fp = NULL;
    doppel_boiler_counter_free(c->corpus);
    c->corpus = NULL;
    free(c->spooled);
    c->spooled = NULL;
    free(c->inputs);
    c->inputs = NULL;
    free(c->passed_bits);
    c->passed_bits = NULL;
    for (uint32_t i = 0; i < c->ntitles; i++) free(c->titles[i]);
    free(c->titles);
    c->titles = NULL;
    c->ntitles = 0;
}

int cli_take_inputs(cli_common *c, int argc, char **argv, int first) {
    if (first >= argc) {
        cli_error("%s needs at least one INPUT: a file, a directory or - (see --help)", argv[0]);
        return EXIT_USAGE;
    }
    c->n_inputs = (size_t)(argc - first);
    c->inputs = calloc(c->n_inputs, sizeof *c->inputs);
    if (!c->inputs) {
        cli_error("out of memory");
        return 1;
    }
    int stdin_seen = 0;
    for (size_t i = 0; i < c->n_inputs; i++) {
        const char *a = argv[first + (int)i];
        if (!strcmp(a, "-") && stdin_seen++) {
            cli_error("standard input (-) given twice");
            return EXIT_USAGE;
        }
        c->inputs[i] = (doppel_input){a, NULL};
    }
    return 0;
}

int cli_open_reader(const cli_common *c, doppel_reader **out) {
    doppel_error err = {0};
    if (doppel_reader_open_inputs(c->inputs, c->n_inputs, &c->ropt, out, &err)) {
        cli_error("%s", err.message);
        return 1;
    }
    return 0;
}

int cli_open_pass(const cli_common *c, int extract, doppel_reader **reader,
                  doppel_extractor **ex) {
    *ex = NULL;
    if (cli_open_reader(c, reader)) return 1;
    doppel_error err = {0};
    if (extract && doppel_extractor_new(ex, &err)) {
        cli_error("%s", err.message);
        doppel_reader_free(*reader);
        *reader = NULL;
        return 1;
    }
    return 0;
}

int cli_spool_if_stdin(cli_common *c) {
    for (size_t i = 0; i < c->n_inputs; i++)
        if (!strcmp(c->inputs[i].path, "-") && !c->inputs[i].name) return cli_spool_stdin(c);
    return 0;
}

/* Standard input cannot be read twice: copy it to an unlinked temporary file
 * and read that through /proc/self/fd. */
int cli_spool_stdin(cli_common *c) {
    const char *dir = c->cfg.tmp_dir ? c->cfg.tmp_dir : getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    char path[4096];
    snprintf(path, sizeof path, "%s/doppel-stdin-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0) {
        cli_error("cannot spool standard input in %s: %s", dir, strerror(errno));
        return -1;
    }
    unlink(path);
    char buf[1 << 16];
    ssize_t r;
    while ((r = read(0, buf, sizeof buf)) > 0)
        if (write(fd, buf, (size_t)r) != r) {
            cli_error("spooling standard input: %s", strerror(errno));
            close(fd);
            return -1;
        }
    c->spooled = malloc(64);
    if (!c->spooled) return -1;
    snprintf(c->spooled, 64, "/proc/self/fd/%d", fd);
    for (size_t i = 0; i < c->n_inputs; i++)
        if (!strcmp(c->inputs[i].path, "-")) c->inputs[i] = (doppel_input){c->spooled, "-"};
    return 0;
}


