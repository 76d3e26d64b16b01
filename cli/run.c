/*
 * run.c — shared options and the indexing pass of cluster, dedup and pairs.
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

int cli_spool_if_stdin(cli_common *c) {
    for (size_t i = 0; i < c->n_inputs; i++)
        if (!strcmp(c->inputs[i].path, "-") && !c->inputs[i].name) return cli_spool_stdin(c);
    return 0;
}

/* At most this many messages of one kind are printed; the summary counts all. */
#define MAX_MESSAGES 20

static bool quiet_notes;  /* -q: per-record messages are only counted */

static void note(cli_counts *counts, uint64_t *kind_count, const char *msg) {
    (*kind_count)++;
    if (quiet_notes) {
        counts->warnings++;
        return;
    }
    if (*kind_count <= MAX_MESSAGES) cli_warn("%s", msg);
    else if (*kind_count == MAX_MESSAGES + 1) cli_warn("(further messages of this kind are only counted)");
    counts->warnings++;
}

static int set_bit(uint8_t **bits, size_t *cap, uint64_t i, int on) {
    if ((i >> 3) >= *cap) {
        size_t ncap = *cap ? *cap * 2 : 4096;
        while ((i >> 3) >= ncap) ncap *= 2;
        uint8_t *p = realloc(*bits, ncap);
        if (!p) return -1;
        memset(p + *cap, 0, ncap - *cap);
        *bits = p;
        *cap = ncap;
    }
    if (on) (*bits)[i >> 3] |= (uint8_t)(1u << (i & 7));
    return 0;
}

static void progress_cb(const char *phase, double done, void *user) {
    cli_progress_phase(user, phase, done);
}

/* ---- the indexing pass ------------------------------------------------------
 * Records are read one at a time (the reader is sequential) and queued in a
 * batch; each full batch goes to doppel_index_add_batch, which computes the
 * documents' features on all threads. Messages are printed when the batch is
 * handled, in input order, whatever the thread count. */

/* 1024 documents (3.5 MB of synth text) keep each thread busy for tens of
 * milliseconds, so the hand-offs cost nothing, while the two arenas and the
 * per-document feature slots stay small: at 4096 they took half the peak
 * RSS (63 MB against 31 MB at 100k synth documents), and every page of them
 * was touched fresh once, which on a VM is most of a page's cost. */
#define BATCH_DOCS 1024
/* The first batch is small and each next one twice as large up to
 * BATCH_DOCS: the indexing side waits for the first batch with nothing to
 * do, so it should come soon. */
#define BATCH_DOCS_FIRST 256
#define BATCH_BYTES ((size_t)64 << 20)

typedef struct queued {
    doppel_status read_status;  /* the reader's verdict on this record */
    uint64_t ordinal, line, invalid_utf8;
    size_t source, id, id_len, text, text_len, message; /* offsets into the arena */
    size_t raw, raw_len;        /* a rejected line, kept for --rejects (raw_len 0: none) */
    size_t present, guess;      /* fields_present, text_field_guess of a FIELD error (0: none) */
    int64_t date;
    bool id_from_position;
} queued;

typedef struct batch {
    queued *q;
    size_t n, cap;
    char *arena;
    size_t used, arena_cap;
    doppel_doc_input *inputs;
    doppel_status *statuses;
    doppel_add_info *infos;
} batch;

static int arena_put(batch *b, const char *s, size_t len, size_t *off) {
    if (b->used + len + 1 > b->arena_cap) {
        size_t cap = b->arena_cap ? b->arena_cap : 1 << 20;
        while (cap < b->used + len + 1) cap *= 2;
        char *p = realloc(b->arena, cap);
        if (!p) return -1;
        b->arena = p;
        b->arena_cap = cap;
    }
    *off = b->used;
    if (len) memcpy(b->arena + b->used, s, len);
    b->arena[b->used + len] = '\0';
    b->used += len + 1;
    return 0;
}

static int queue_record(batch *b, doppel_status st, const doppel_record *rec, const doppel_error *err,
                        uint64_t ordinal, bool keep_raw) {
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        queued *p = realloc(b->q, cap * sizeof *p);
        if (!p) return -1;
        b->q = p;
        b->cap = cap;
    }
    queued *q = &b->q[b->n];
    *q = (queued){.read_status = st, .ordinal = ordinal, .line = rec->line,
                  .invalid_utf8 = rec->invalid_utf8, .date = DOPPEL_NO_DATE,
                  .id_from_position = rec->id_from_position != 0};
    const char *src = rec->source ? rec->source : "";
    if (arena_put(b, src, strlen(src), &q->source)) return -1;
    if (st != DOPPEL_OK) {
        if (arena_put(b, err->message, strlen(err->message), &q->message)) return -1;
        if (keep_raw && rec->raw && (st == DOPPEL_ERR_JSON || st == DOPPEL_ERR_FIELD)) {
            if (arena_put(b, rec->raw, rec->raw_len, &q->raw)) return -1;
            q->raw_len = rec->raw_len;
        }
        if (rec->fields_present &&
            arena_put(b, rec->fields_present, strlen(rec->fields_present), &q->present))
            return -1;
        if (rec->text_field_guess &&
            arena_put(b, rec->text_field_guess, strlen(rec->text_field_guess), &q->guess))
            return -1;
    } else {
        if (arena_put(b, rec->id, rec->id_len, &q->id) ||
            arena_put(b, rec->text, rec->text_len, &q->text))
            return -1;
        q->id_len = rec->id_len;
        q->text_len = rec->text_len;
        if (rec->date && doppel_parse_date(rec->date, &q->date)) q->date = DOPPEL_NO_DATE;
    }
    b->n++;
    return 0;
}

static void batch_free(batch *b) {
    free(b->q);
    free(b->arena);
    free(b->inputs);
    free(b->statuses);
    free(b->infos);
}

/* Add the queued documents and account for every queued record in order.
 * Returns 0, or 1 to stop (the message is printed). */
/* Records sampled before deciding that the text field is wrong. */
#define FIELD_SAMPLE 1000

static int flush_batch(cli_common *c, doppel_index *idx, batch *b, cli_counts *counts,
                       uint8_t **bits, size_t *bits_cap, int want_bits, FILE *rejects, int last) {
    size_t k = 0;
    if (b->n) {
        free(b->inputs);
        free(b->statuses);
        free(b->infos);
        b->inputs = malloc(b->n * sizeof *b->inputs);
        b->statuses = malloc(b->n * sizeof *b->statuses);
        b->infos = malloc(b->n * sizeof *b->infos);
        if (!b->inputs || !b->statuses || !b->infos) {
            cli_error("out of memory");
            return 1;
        }
    }
    for (size_t i = 0; i < b->n; i++) {
        queued *q = &b->q[i];
        if (q->read_status != DOPPEL_OK) continue;
        b->inputs[k++] = (doppel_doc_input){b->arena + q->id, q->id_len, b->arena + q->text,
                                            q->text_len, q->date};
    }
    doppel_error err = {0};
    if (k && doppel_index_add_batch(idx, b->inputs, k, b->statuses, b->infos, &err)) {
        cli_error("%s", err.message);
        return 1;
    }
    int rc = 0;
    size_t j = 0;
    for (size_t i = 0; i < b->n && !rc; i++) {
        queued *q = &b->q[i];
        const char *source = b->arena + q->source;
        uint64_t *kind = NULL;
        char msg[800];
        if (q->read_status != DOPPEL_OK) {
            switch (q->read_status) {
            case DOPPEL_ERR_JSON: kind = &counts->skip_json; break;
            case DOPPEL_ERR_FIELD: kind = &counts->skip_field; break;
            case DOPPEL_ERR_TOO_LARGE: kind = &counts->skip_large; break;
            case DOPPEL_ERR_FORMAT: kind = &counts->skip_format; break;
            default: kind = &counts->skip_io; break;
            }
            note(counts, kind, b->arena + q->message);
            if (rejects && q->raw_len) {
                fwrite(b->arena + q->raw, 1, q->raw_len, rejects);
                fputc('\n', rejects);
            }
            if (q->present && counts->seen < FIELD_SAMPLE) {
                if (!counts->missing_text++) {
                    snprintf(counts->fields_present, sizeof counts->fields_present, "%s",
                             b->arena + q->present);
                    snprintf(counts->field_guess, sizeof counts->field_guess, "%s",
                             q->guess ? b->arena + q->guess : "");
                }
            }
        } else {
            doppel_status st = b->statuses[j];
            const doppel_add_info *info = &b->infos[j];
            const doppel_doc_input *in = &b->inputs[j++];
            int idlen = (int)(in->id_len > 200 ? 200 : in->id_len);
            if (q->id_from_position && !counts->position_ids_noted) {
                counts->position_ids_noted = true;
                if (!quiet_notes)
                    cli_warn("%s: records have no \"%s\" field: each is named by its position "
                             "(e.g. '%.*s'); said once", source, c->ropt.id_field, idlen, in->id);
            }
            if (st == DOPPEL_ERR_EMPTY && !c->drop_uncompared) {
                /* Not a copy of anything doppel can tell: kept, as a cleaner
                 * of a corpus expects from a tool that removes copies. */
                const char *why = info->extract_flags & DOPPEL_EXTRACT_EMPTY
                                      ? "has no words after extraction (all boilerplate)"
                                      : "has no words";
                snprintf(msg, sizeof msg, "%s%s%llu: document '%.*s' %s: not compared, passed through",
                         source, q->line ? ":" : "", (unsigned long long)q->line, idlen, in->id, why);
                note(counts, &counts->passed, msg);
                counts->warnings--;  /* a note, not a problem with the input */
                if (set_bit(&c->passed_bits, &c->passed_cap, q->ordinal, 1)) {
                    cli_error("out of memory");
                    rc = 1;
                }
            } else if (st == DOPPEL_ERR_EMPTY || st == DOPPEL_ERR_FORMAT) {
                const char *why = st == DOPPEL_ERR_FORMAT ? "is binary data"
                                  : info->extract_flags & DOPPEL_EXTRACT_EMPTY
                                      ? "has no words after extraction (all boilerplate)"
                                      : "has no words";
                snprintf(msg, sizeof msg, "%s%s%llu: document '%.*s' %s, skipped", source,
                         q->line ? ":" : "", (unsigned long long)q->line, idlen, in->id, why);
                kind = st == DOPPEL_ERR_FORMAT ? &counts->skip_format : &counts->skip_empty;
                note(counts, kind, msg);
            } else {
                counts->indexed++;
                counts->bytes += in->text_len;
                counts->invalid_utf8 += info->norm.invalid_utf8 + q->invalid_utf8;
                counts->nul_bytes += info->norm.nul_bytes;
                counts->short_docs += info->short_doc != 0;
                if (want_bits && set_bit(bits, bits_cap, q->ordinal, 1)) {
                    cli_error("out of memory");
                    rc = 1;
                }
                if (info->duplicate_id) {
                    snprintf(msg, sizeof msg, "%s%s%llu: duplicate id '%.*s' (both documents are kept)",
                             source, q->line ? ":" : "", (unsigned long long)q->line, idlen, in->id);
                    note(counts, &counts->duplicate_ids, msg);
                    if (c->strict) {
                        cli_error("duplicate id under --strict; stopping");
                        rc = 1;
                    }
                }
            }
        }
        if (kind && c->strict) {
            cli_error("bad record under --strict; stopping");
            rc = 1;
        }
        counts->seen++;
    }
    /* Most records of the first ones without the text field: the wrong
     * field name, not bad records. Say which fields there are and stop. */
    if (!rc && !counts->sample_checked && (counts->seen >= FIELD_SAMPLE || last)) {
        counts->sample_checked = true;
        uint64_t sample = counts->seen < FIELD_SAMPLE ? counts->seen : FIELD_SAMPLE;
        if (counts->missing_text * 2 > sample) {
            if (counts->field_guess[0])
                cli_error("%llu of the first %llu records have no text field \"%s\": records have "
                          "%s: use --text-field %s", (unsigned long long)counts->missing_text,
                          (unsigned long long)sample, c->ropt.text_field, counts->fields_present,
                          counts->field_guess);
            else
                cli_error("%llu of the first %llu records have no text field \"%s\": records have "
                          "%s (none holds a string): see --text-field",
                          (unsigned long long)counts->missing_text, (unsigned long long)sample,
                          c->ropt.text_field, counts->fields_present);
            rc = 1;
        }
    }
    b->n = 0;
    b->used = 0;
    return rc;
}

/* Layer 2 of extraction, pass 1: count the lines of every document's
 * extracted text in the corpus sketch; the indexing pass then drops the lines
 * the sketch calls boilerplate. Records the reader rejects are left to the
 * indexing pass to report. */
static int count_corpus_lines(cli_common *c) {
    doppel_error err = {0};
    doppel_boiler_options bo;
    doppel_boiler_options_default(&bo);
    doppel_reader *reader = NULL;
    doppel_extractor *ex = NULL;
    if (cli_open_reader(c, &reader)) return 1;
    if (doppel_boiler_counter_new(&bo, &c->corpus, &err) || doppel_extractor_new(&ex, &err)) {
        cli_error("%s", err.message);
        doppel_reader_free(reader);
        return 1;
    }
    doppel_extract_options xo;
    doppel_extract_options_default(&xo);
    int rc = 0;
    for (;;) {
        doppel_record rec;
        doppel_status st = doppel_reader_next(reader, &rec, &err);
        if (st == DOPPEL_END) break;
        if (st != DOPPEL_OK) continue;
        doppel_extract_result xr;
        if (doppel_extract(ex, rec.text, rec.text_len, &xo, &xr, NULL) != DOPPEL_OK) continue;
        if (doppel_boiler_add(c->corpus, xr.text, xr.text_len)) {
            cli_error("out of memory counting corpus lines");
            rc = 1;
            break;
        }
    }
    doppel_extractor_free(ex);
    doppel_reader_free(reader);
    if (!rc && doppel_boiler_finish(c->corpus)) rc = 1;
    if (!rc) {
        doppel_extract_options_default(&c->extract_options);
        c->extract_options.corpus = c->corpus;
        c->cfg.extract_options = &c->extract_options;
    }
    return rc;
}

/* The reading thread fills one batch while the indexing side works on the
 * other: reading and JSON scanning are sequential by nature, and overlapping
 * them with the feature computation is what lets two cores go twice as fast. */
typedef struct handoff {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    batch slot[2];
    int full[2];            /* ready for the indexing side */
    int last[2];            /* no batch follows this one */
    uint64_t read_upto[2], bytes_upto[2];
    int stop;               /* the indexing side gave up: stop reading */
    int nomem;              /* the reading side ran out of memory */
    doppel_error err;
    cli_common *c;
    doppel_reader *reader;
    uint64_t read;          /* records read (owned by the reading thread) */
} handoff;

static void *read_batches(void *p) {
    handoff *h = p;
    size_t limit = BATCH_DOCS_FIRST;
    for (int k = 0;; k ^= 1) {
        pthread_mutex_lock(&h->mu);
        while (h->full[k] && !h->stop) pthread_cond_wait(&h->cv, &h->mu);
        int stop = h->stop;
        pthread_mutex_unlock(&h->mu);
        if (stop) return NULL;
        batch *b = &h->slot[k];
        int last = 0;
        for (;;) {
            doppel_record rec;
            doppel_status st = doppel_reader_next(h->reader, &rec, &h->err);
            if (st == DOPPEL_END) {
                last = 1;
                break;
            }
            if (st == DOPPEL_ERR_NOMEM ||
                queue_record(b, st, &rec, &h->err, h->read++, h->c->rejects_path != NULL)) {
                h->nomem = 1;
                last = 1;
                break;
            }
            /* Under --strict a bad record ends the reading where it is. */
            if (st != DOPPEL_OK && h->c->strict) {
                last = 1;
                break;
            }
            if (b->n >= limit || b->used >= BATCH_BYTES) break;
        }
        if (limit < BATCH_DOCS) limit *= 2;
        pthread_mutex_lock(&h->mu);
        h->full[k] = 1;
        h->last[k] = last;
        h->read_upto[k] = h->read;
        h->bytes_upto[k] = doppel_reader_bytes(h->reader);
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
        if (last) return NULL;
    }
}

int cli_build_index(cli_common *c, doppel_index **out, cli_counts *counts, uint8_t **indexed_bits) {
    memset(counts, 0, sizeof *counts);
    *out = NULL;
    doppel_error err = {0};
    doppel_reader *reader = NULL;
    doppel_index *idx = NULL;
    if (c->corpus_boilerplate && c->cfg.extract && !c->corpus) {
        if (cli_spool_if_stdin(c)) return 1;
        if (count_corpus_lines(c)) return 1;
    }
    if (cli_open_reader(c, &reader)) return 1;
    if (doppel_index_new(&c->cfg, &idx, &err)) {
        cli_error("%s", err.message);
        doppel_reader_free(reader);
        return 1;
    }
    cli_out rejects = {0};
    if (c->rejects_path && cli_out_open(&rejects, c->rejects_path)) {
        doppel_index_free(idx);
        doppel_reader_free(reader);
        return 1;
    }
    quiet_notes = c->quiet;
    cli_progress prog;
    cli_progress_init(&prog, c->quiet ? CLI_PROGRESS_NEVER : c->progress);
    size_t bits_cap = 0;
    uint8_t *bits = NULL;
    int rc = 0;
    double t0 = cli_now();
    handoff h = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .c = c,
                 .reader = reader};
    pthread_t tid;
    if (pthread_create(&tid, NULL, read_batches, &h) != 0) {
        cli_error("cannot start the reading thread");
        doppel_index_free(idx);
        doppel_reader_free(reader);
        return 1;
    }
    for (int k = 0;; k ^= 1) {
        pthread_mutex_lock(&h.mu);
        while (!h.full[k]) pthread_cond_wait(&h.cv, &h.mu);
        int last = h.last[k];
        uint64_t read_upto = h.read_upto[k], bytes_upto = h.bytes_upto[k];
        pthread_mutex_unlock(&h.mu);
        rc = flush_batch(c, idx, &h.slot[k], counts, &bits, &bits_cap, indexed_bits != NULL,
                         rejects.fp, last);
        cli_progress_update(&prog, read_upto, bytes_upto, doppel_reader_total_bytes(reader));
        pthread_mutex_lock(&h.mu);
        h.full[k] = 0;
        if (rc) h.stop = 1;
        pthread_cond_broadcast(&h.cv);
        pthread_mutex_unlock(&h.mu);
        if (rc || last) break;
    }
    pthread_join(tid, NULL);
    if (!rc && h.nomem) {
        cli_error("%s", h.err.message[0] ? h.err.message : "out of memory queueing records");
        rc = 1;
    }
    counts->read = h.read;
    batch_free(&h.slot[0]);
    batch_free(&h.slot[1]);
    counts->seconds_read = cli_now() - t0;
    doppel_reader_free(reader);
    if (!rc) {
        double t1 = cli_now();
        if (doppel_index_finish(idx, prog.enabled ? progress_cb : NULL, &prog, &err)) {
            cli_error("%s", err.message);
            rc = 1;
        }
        counts->seconds_finish = cli_now() - t1;
    }
    cli_progress_done(&prog);
    if (c->rejects_path) {
        if (rc) cli_out_abort(&rejects);
        else if (cli_out_commit(&rejects)) rc = 1;
    }
    if (rc) {
        doppel_index_free(idx);
        free(bits);
        return rc;
    }
    *out = idx;
    if (indexed_bits) *indexed_bits = bits;
    else free(bits);
    return 0;
}

static const char *canonical_name(doppel_canonical_policy p) {
    switch (p) {
    case DOPPEL_CANON_LONGEST: return "longest";
    case DOPPEL_CANON_FIRST: return "first";
    case DOPPEL_CANON_EARLIEST: return "earliest";
    default: return "other";
    }
}

static const char *format_name(doppel_input_format f) {
    static const char *const names[] = {"auto", "jsonl", "text", "csv", "tsv"};
    return (unsigned)f < sizeof names / sizeof *names ? names[f] : "other";
}

static void json_str_or_null(FILE *fp, const char *s) {
    if (s) cli_json_string(fp, s, strlen(s));
    else fputs("null", fp);
}

/* Every setting that shaped the result, as used (defaults filled in), so
 * that a run can be repeated from its summary (docs/formats.md). */
static void write_settings(FILE *fp, const cli_common *c, const doppel_index_stats *s) {
    const doppel_config *g = &c->cfg;
    fputs("\"settings\":{\"format\":", fp);
    json_str_or_null(fp, format_name(c->ropt.format));
    fputs(",\"id_field\":", fp);
    json_str_or_null(fp, c->ropt.id_field);
    fputs(",\"text_field\":", fp);
    json_str_or_null(fp, c->ropt.text_field);
    fputs(",\"title_field\":", fp);
    json_str_or_null(fp, c->ropt.title_field);
    fputs(",\"date_field\":", fp);
    json_str_or_null(fp, c->ropt.date_field);
    fprintf(fp,
            ",\"max_doc_bytes\":%zu,\"extract\":%s,\"corpus_boilerplate\":%s,\"strict\":%s,"
            "\"drop_uncompared\":%s,\"shingle\":\"%s\",\"ngram\":%u,\"sketch\":\"%s\","
            "\"num_perm\":%u,\"seed\":%llu,\"threshold\":%g,\"low_threshold\":%g,"
            "\"min_shared\":%u,\"containment\":%g,\"min_contained\":%u,\"lsh_threshold\":%g,"
            "\"bands\":%u,\"rows\":%u,\"max_bucket\":%u,\"verify\":\"%s\",\"prefilter_miss\":%g,"
            "\"cover\":%g,\"contained_cover\":%g,\"derived_cover\":%g,\"derived_spread\":%u,"
            "\"partial_words\":%u,\"join_derived\":%s,"
            "\"canonical\":\"%s\",\"threads\":%u,\"memory_limit\":%llu}",
            c->ropt.max_doc_bytes, g->extract ? "true" : "false",
            c->corpus_boilerplate ? "true" : "false", c->strict ? "true" : "false",
            c->drop_uncompared ? "true" : "false",
            g->shingle_kind == DOPPEL_SHINGLE_CHAR ? "char" : "word", g->shingle_size,
            g->sketch == DOPPEL_SKETCH_CLASSIC ? "classic" : "oph", g->num_perm,
            (unsigned long long)g->seed, g->threshold, g->low_threshold, g->min_shared,
            g->containment, g->min_contained, g->lsh_threshold, s->bands, s->rows, g->max_bucket,
            g->verify == DOPPEL_VERIFY_FAST ? "fast" : "exact", g->prefilter_miss,
            g->cover, g->contained_cover, g->derived_cover, g->derived_spread, g->partial_words,
            g->join_derived ? "true" : "false", canonical_name(g->canonical), g->threads ? g->threads : doppel_available_cores(),
            (unsigned long long)g->memory_limit);
}

int cli_write_summary(const cli_common *c, const cli_counts *k, const doppel_index *idx,
                      const uint64_t removed[DOPPEL_REL_PARTIAL + 1]) {
    doppel_index_stats s;
    doppel_index_get_stats(idx, &s);
    uint64_t removed_total = 0;
    /* every relation a removed member can have: derived too (--join-derived) */
    for (int i = 0; i <= DOPPEL_REL_PARTIAL; i++) removed_total += removed[i];
    uint64_t kept = k->indexed - removed_total;
    double secs = k->seconds_read + k->seconds_finish;
    /* The counts are printed even under -q: they are the run's result. */
    fprintf(stderr,
            "doppel: %llu documents read: %llu kept, %llu removed (exact %llu, near %llu, "
            "contained %llu, linked %llu), %llu passed through uncompared, %llu skipped\n",
            (unsigned long long)k->read, (unsigned long long)kept,
            (unsigned long long)removed_total, (unsigned long long)removed[DOPPEL_REL_EXACT],
            (unsigned long long)removed[DOPPEL_REL_NEAR],
            (unsigned long long)removed[DOPPEL_REL_CONTAINED],
            (unsigned long long)removed[DOPPEL_REL_LINKED], (unsigned long long)k->passed,
            (unsigned long long)cli_skipped(k));
    if (!c->quiet) {
        if (cli_skipped(k))
            fprintf(stderr,
                    "doppel: skipped: %llu malformed JSON, %llu missing/invalid field, %llu too "
                    "large, %llu empty, %llu unreadable, %llu binary/corrupt\n",
                    (unsigned long long)k->skip_json, (unsigned long long)k->skip_field,
                    (unsigned long long)k->skip_large, (unsigned long long)k->skip_empty,
                    (unsigned long long)k->skip_io, (unsigned long long)k->skip_format);
        if (k->duplicate_ids || k->invalid_utf8 || k->nul_bytes || k->short_docs)
            fprintf(stderr,
                    "doppel: notes: %llu duplicate ids, %llu invalid UTF-8 sequences replaced, "
                    "%llu NUL bytes, %llu documents shorter than one shingle\n",
                    (unsigned long long)k->duplicate_ids, (unsigned long long)k->invalid_utf8,
                    (unsigned long long)k->nul_bytes, (unsigned long long)k->short_docs);
        fprintf(stderr,
                "doppel: %.2fs, %.1f MB/s; LSH %ux%u, %llu candidates (%llu ruled out by "
                "signatures), %llu verified pairs (%llu derived or partial); largest cluster "
                "%u\n",
                secs, secs > 0 ? k->bytes / 1e6 / secs : 0.0, s.bands, s.rows,
                (unsigned long long)s.candidates, (unsigned long long)s.prefiltered,
                (unsigned long long)(s.verified_pairs + s.exact_groups),
                (unsigned long long)s.reuse_pairs, s.largest_cluster);
    }
    if (!c->summary_path) return 0;
    cli_out out;
    if (cli_out_open(&out, c->summary_path)) return -1;
    fprintf(out.fp,
            "{\"read\":%llu,\"kept\":%llu,\"removed\":%llu,\"removed_exact\":%llu,"
            "\"removed_near\":%llu,\"removed_contained\":%llu,\"removed_linked\":%llu,"
            "\"passed\":%llu,"
            "\"skipped\":%llu,\"skipped_json\":%llu,\"skipped_field\":%llu,"
            "\"skipped_too_large\":%llu,\"skipped_empty\":%llu,\"skipped_unreadable\":%llu,"
            "\"skipped_binary\":%llu,\"duplicate_ids\":%llu,\"invalid_utf8\":%llu,"
            "\"nul_bytes\":%llu,\"short_docs\":%llu,\"bands\":%u,\"rows\":%u,"
            "\"candidates\":%llu,\"prefiltered\":%llu,\"verified_pairs\":%llu,\"lsh_slices\":%u,\"heap_peak_bytes\":%llu,"
            "\"candidate_runs\":%llu,\"spill_bytes\":%llu,\"largest_cluster\":%u,\"reuse_pairs\":%llu,"
            "\"seconds\":%.3f,",
            (unsigned long long)k->read, (unsigned long long)kept,
            (unsigned long long)removed_total, (unsigned long long)removed[DOPPEL_REL_EXACT],
            (unsigned long long)removed[DOPPEL_REL_NEAR],
            (unsigned long long)removed[DOPPEL_REL_CONTAINED],
            (unsigned long long)removed[DOPPEL_REL_LINKED], (unsigned long long)k->passed,
            (unsigned long long)cli_skipped(k),
            (unsigned long long)k->skip_json, (unsigned long long)k->skip_field,
            (unsigned long long)k->skip_large, (unsigned long long)k->skip_empty,
            (unsigned long long)k->skip_io, (unsigned long long)k->skip_format,
            (unsigned long long)k->duplicate_ids, (unsigned long long)k->invalid_utf8,
            (unsigned long long)k->nul_bytes, (unsigned long long)k->short_docs, s.bands, s.rows,
            (unsigned long long)s.candidates, (unsigned long long)s.prefiltered,
            (unsigned long long)(s.verified_pairs + s.exact_groups), s.lsh_slices,
            (unsigned long long)s.peak_memory_bytes, (unsigned long long)s.candidate_runs,
            (unsigned long long)s.spill_bytes, s.largest_cluster, (unsigned long long)s.reuse_pairs, secs);
    fprintf(out.fp, "\"timings\":{\"reading\":%.3f,\"finishing\":%.3f,\"total\":%.3f},",
            k->seconds_read, k->seconds_finish, cli_now() - c->seconds_start);
    fputs("\"version\":\"" DOPPEL_VERSION_STRING "\",\"inputs\":[", out.fp);
    for (size_t i = 0; i < c->n_inputs; i++) {
        if (i) fputc(',', out.fp);
        const char *name = c->inputs[i].name ? c->inputs[i].name : c->inputs[i].path;
        cli_json_string(out.fp, name, strlen(name));
    }
    fputs("],", out.fp);
    write_settings(out.fp, c, &s);
    fputs("}\n", out.fp);
    return cli_out_commit(&out);
}

int cli_nothing_read(const cli_common *c, const cli_counts *counts, const doppel_index *idx) {
    if (counts->indexed || counts->passed) return 0;
    if (counts->read)
        cli_error("no document read from %zu input%s (%llu records, all skipped: see the "
                  "messages above); no output written",
                  c->n_inputs, c->n_inputs == 1 ? "" : "s", (unsigned long long)counts->read);
    else
        cli_error("no document read from %zu input%s (no records found); no output written",
                  c->n_inputs, c->n_inputs == 1 ? "" : "s");
    uint64_t removed[DOPPEL_REL_PARTIAL + 1] = {0};
    cli_write_summary(c, counts, idx, removed);
    return 1;
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

