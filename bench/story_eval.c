/*
 * story_eval.c — run the story clusterer on a labeled JSONL corpus and write
 * its clusters for the scorers in ../shared/tools, or time it on synthetic
 * news. A measuring tool, not part of the library: it reads JSONL with
 * jansson directly because the CLI's reader is a separate module.
 *
 *   story_eval DOCS.jsonl PRED.jsonl [options]   cluster, write {"id","cluster"}
 *   story_eval --synth N [options]               time N synthetic documents
 *
 * Options: --threshold X  --short-threshold X  --merge-threshold X (1 = off)
 *          --top-terms K  --index-terms T  --max-postings P
 *          --title-weight X  --name-boost X  --date-boost X  --window SECONDS
 *          --no-dates (ignore dates: batch mode)   --shuffle SEED (add in a
 *          shuffled order)  --copy-exact (documents with the same lower-cased
 *          text share a copy cluster, standing in for the near-duplicate stage)
 *          --stories N (print the N largest stories)  --expansion X
 *          --copies CLUSTERS.jsonl (copy clusters from `doppel cluster`)
 *          --online (the single pass instead of the agglomeration)
 *          --write-synth DOCS.jsonl GOLD.jsonl (with --synth: write the
 *          documents and their stories instead of clustering them)
 */
#include "doppel.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

typedef struct doc {
    char *id, *title, *text;
    size_t title_len, text_len;
    int64_t date;
    uint32_t copy;
    uint64_t story; /* synthetic documents: the story they were written for */
} doc;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const doppel_error *err) {
    fprintf(stderr, "story_eval: %s: %s\n", what, err ? err->message : "");
    exit(1);
}

static char *dupstr(const char *s, size_t *len) {
    size_t n = strlen(s);
    char *p = malloc(n + 1);
    if (!p) die("out of memory", NULL);
    memcpy(p, s, n + 1);
    if (len) *len = n;
    return p;
}

/* Dates as the datasets give them: seconds or milliseconds since the epoch
 * (a number or a string of digits), or YYYY-MM-DD. */
static int64_t parse_date(json_t *v) {
    if (json_is_integer(v)) {
        int64_t x = json_integer_value(v);
        return x > 100000000000LL ? x / 1000 : x;
    }
    if (!json_is_string(v)) return DOPPEL_NO_DATE;
    const char *s = json_string_value(v);
    int all = *s != 0;
    for (const char *p = s; *p; p++) all &= isdigit((unsigned char)*p) != 0;
    if (all) {
        int64_t x = strtoll(s, NULL, 10);
        return x > 100000000000LL ? x / 1000 : x;
    }
    int y, m, d;
    if (sscanf(s, "%d-%d-%d", &y, &m, &d) == 3) {
        struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
        return (int64_t)timegm(&tm);
    }
    return DOPPEL_NO_DATE;
}

static doc *read_docs(const char *path, size_t *count) {
    FILE *f = fopen(path, "r");
    if (!f) die(path, NULL);
    doc *docs = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, f) > 0) {
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        if (!o) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 1024;
            docs = realloc(docs, cap * sizeof *docs);
            if (!docs) die("out of memory", NULL);
        }
        doc *d = &docs[n++];
        memset(d, 0, sizeof *d);
        json_t *v = json_object_get(o, "id");
        d->id = dupstr(json_is_string(v) ? json_string_value(v) : "", NULL);
        v = json_object_get(o, "text");
        d->text = dupstr(json_is_string(v) ? json_string_value(v) : "", &d->text_len);
        v = json_object_get(o, "title");
        if (json_is_string(v)) d->title = dupstr(json_string_value(v), &d->title_len);
        d->date = parse_date(json_object_get(o, "date"));
        d->copy = DOPPEL_STORY_NO_COPY;
        json_decref(o);
    }
    free(line);
    fclose(f);
    *count = n;
    return docs;
}

/* ---- synthetic news ------------------------------------------------------ */

static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A made-up word of 4-9 letters for number i; names are capitalized. */
static void word(char *out, uint64_t i, int cap) {
    static const char cons[] = "bcdfghjklmnprstvz", vow[] = "aeiou";
    uint64_t h = XXH64(&i, sizeof i, 7);
    int len = 4 + (int)(h % 6);
    for (int k = 0; k < len; k++) {
        h = h * 6364136223846793005ULL + 1442695040888963407ULL;
        out[k] = (k % 2) ? vow[(h >> 33) % 5] : cons[(h >> 33) % 17];
    }
    if (cap) out[0] = (char)toupper((unsigned char)out[0]);
    out[len] = 0;
}

/* Zipf-like background vocabulary of 50,000 words; 200 topics of three
 * words each shared by every story of that kind (the words two earthquakes
 * have in common; they fill posting lists up to their cap); each story has
 * six words and two names of its own. An article mixes 60-120 words: 8% topic,
 * 12% story, 5% names capitalized mid-sentence, the rest background. Stories
 * live about two days; one story opens per 20 documents. */
static doc *synth_docs(size_t n) {
    doc *docs = calloc(n, sizeof *docs);
    if (!docs) die("out of memory", NULL);
    char w[16];
    int64_t t0 = 1700000000;
    for (size_t i = 0; i < n; i++) {
        doc *d = &docs[i];
        uint64_t story = i / 20 + (rnd() % 3 == 0 ? rnd() % 40 : 0);
        if (story > i / 20) story = i / 20;
        size_t cap = 2048, len = 0;
        char *t = malloc(cap);
        int words = 60 + (int)(rnd() % 61);
        for (int k = 0; k < words; k++) {
            uint64_t r = rnd() % 100;
            int cap_word = 0;
            uint64_t id;
            if (r < 8) id = 900000 + (story % 200) * 3 + rnd() % 3; /* topic */
            else if (r < 20) id = 1000000 + story * 8 + rnd() % 6;
            else if (r < 25) {
                id = 1000000 + story * 8 + 6 + rnd() % 2;
                cap_word = 1;
            } else {
                double u = (double)(rnd() % 1000000) / 1e6;
                id = (uint64_t)(50000.0 * u * u * u);
            }
            word(w, id, cap_word || k == 0);
            size_t wl = strlen(w);
            if (len + wl + 3 > cap) t = realloc(t, cap *= 2);
            memcpy(t + len, w, wl);
            len += wl;
            t[len++] = (k % 12 == 11) ? '.' : ' ';
            if (k % 12 == 11) t[len++] = ' ';
        }
        t[len] = 0;
        d->text = t;
        d->text_len = len;
        char id[32];
        snprintf(id, sizeof id, "s%zu", i);
        d->id = dupstr(id, NULL);
        d->date = t0 + (int64_t)(i * 86400 / 2000) + (int64_t)(rnd() % 3600);
        d->copy = DOPPEL_STORY_NO_COPY;
        d->story = story;
    }
    return docs;
}

/* --write-synth: the synthetic documents as JSONL ({"id","text","date"},
 * dates in ISO 8601) and their stories as gold ({"id","cluster"}), for
 * measuring the CLI on them (bench/story_feed.sh). */
static void write_synth(const doc *docs, size_t n, const char *docs_path, const char *gold_path) {
    FILE *fd = fopen(docs_path, "w"), *fg = fopen(gold_path, "w");
    if (!fd || !fg) die("cannot write the synthetic corpus", NULL);
    for (size_t i = 0; i < n; i++) {
        time_t t = (time_t)docs[i].date;
        struct tm tm;
        char date[32];
        gmtime_r(&t, &tm);
        strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
        /* the made-up words and '.', ' ' need no JSON escapes */
        fprintf(fd, "{\"id\":\"%s\",\"date\":\"%s\",\"text\":\"%s\"}\n", docs[i].id, date,
                docs[i].text);
        fprintf(fg, "{\"id\":\"%s\",\"cluster\":%llu}\n", docs[i].id,
                (unsigned long long)docs[i].story);
    }
    if (fclose(fd) || fclose(fg)) die("writing the synthetic corpus failed", NULL);
}

/* Copy clusters from a `doppel cluster` output ({"id","cluster"} per line),
 * matched to the documents by id: the story level as the CLI runs it. */
static void read_copies(const char *path, doc *docs, size_t n) {
    FILE *f = fopen(path, "r");
    if (!f) die(path, NULL);
    char line[4096];
    size_t i = 0, matched = 0;
    while (fgets(line, sizeof line, f)) {
        json_t *o = json_loads(line, 0, NULL);
        json_t *id = json_object_get(o, "id"), *c = json_object_get(o, "cluster");
        if (json_is_string(id) && json_is_integer(c)) {
            /* outputs are in input order: look ahead from the last match */
            for (size_t k = 0; k < n; k++, i = (i + 1) % n)
                if (!strcmp(docs[i].id, json_string_value(id))) {
                    docs[i].copy = (uint32_t)json_integer_value(c);
                    matched++;
                    break;
                }
        }
        json_decref(o);
    }
    fclose(f);
    fprintf(stderr, "copies: %zu of %zu documents matched in %s\n", matched, n, path);
}

int main(int argc, char **argv) {
    doppel_story_options opt;
    doppel_story_options_default(&opt);
    const char *in = NULL, *out = NULL;
    size_t synth = 0;
    int no_dates = 0, copy_exact = 0, show = 0;
    const char *copies = NULL, *synth_docs_path = NULL, *synth_gold_path = NULL;
    long shuffle = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--threshold") && v) opt.threshold = atof(argv[++i]);
        else if (!strcmp(a, "--short-threshold") && v) opt.short_threshold = atof(argv[++i]);
        else if (!strcmp(a, "--merge-threshold") && v) opt.merge_threshold = atof(argv[++i]);
        else if (!strcmp(a, "--top-terms") && v) opt.top_terms = (unsigned)atoi(argv[++i]);
        else if (!strcmp(a, "--index-terms") && v) opt.index_terms = (unsigned)atoi(argv[++i]);
        else if (!strcmp(a, "--max-postings") && v) opt.max_postings = (unsigned)atoi(argv[++i]);
        else if (!strcmp(a, "--title-weight") && v) opt.title_weight = atof(argv[++i]);
        else if (!strcmp(a, "--name-boost") && v) opt.name_boost = atof(argv[++i]);
        else if (!strcmp(a, "--date-boost") && v) opt.date_boost = atof(argv[++i]);
        else if (!strcmp(a, "--unit-boost") && v) opt.unit_boost = atof(argv[++i]);
        else if (!strcmp(a, "--quote-boost") && v) opt.quote_boost = atof(argv[++i]);
        else if (!strcmp(a, "--expansion") && v) opt.expansion = atof(argv[++i]);
        else if (!strcmp(a, "--copies") && v) copies = argv[++i];
        else if (!strcmp(a, "--window") && v) opt.window_seconds = atoll(argv[++i]);
        else if (!strcmp(a, "--synth") && v) synth = (size_t)atoll(argv[++i]);
        else if (!strcmp(a, "--write-synth") && v && i + 2 < argc) {
            synth_docs_path = argv[++i];
            synth_gold_path = argv[++i];
        }
        else if (!strcmp(a, "--shuffle") && v) shuffle = atol(argv[++i]);
        else if (!strcmp(a, "--stories") && v) show = atoi(argv[++i]);
        else if (!strcmp(a, "--no-dates")) no_dates = 1;
        else if (!strcmp(a, "--online")) opt.online = 1;
        else if (!strcmp(a, "--copy-exact")) copy_exact = 1;
        else if (!in) in = a;
        else if (!out) out = a;
        else {
            fprintf(stderr, "usage: story_eval DOCS.jsonl PRED.jsonl [options] | --synth N\n");
            return 2;
        }
    }
    if (!synth && (!in || !out)) {
        fprintf(stderr, "usage: story_eval DOCS.jsonl PRED.jsonl [options] | --synth N\n");
        return 2;
    }
    size_t n;
    double t_read = now();
    doc *docs = synth ? synth_docs(n = synth) : read_docs(in, &n);
    t_read = now() - t_read;
    if (synth && synth_docs_path) {
        write_synth(docs, n, synth_docs_path, synth_gold_path);
        return 0;
    }
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        if (no_dates) docs[i].date = DOPPEL_NO_DATE;
        bytes += docs[i].text_len + docs[i].title_len;
    }
    if (copy_exact) {
        /* a stand-in for the copy stage: same lower-cased text, same copy */
        for (size_t i = 0; i < n; i++) {
            char *s = dupstr(docs[i].text, NULL);
            for (char *p = s; *p; p++) *p = (char)tolower((unsigned char)*p);
            docs[i].copy = (uint32_t)(XXH64(s, strlen(s), 0) & 0x7fffffff);
            free(s);
        }
    }
    if (copies) read_copies(copies, docs, n);
    /* the order documents are added in; the story of each must not depend on it */
    size_t *perm = malloc(n * sizeof *perm);
    for (size_t i = 0; i < n; i++) perm[i] = i;
    if (shuffle >= 0) {
        rng_state ^= (uint64_t)shuffle * 0x9E3779B97F4A7C15ULL + 1;
        for (size_t i = n; i > 1; i--) {
            size_t j = rnd() % i, t = perm[i - 1];
            perm[i - 1] = perm[j];
            perm[j] = t;
        }
    }

    doppel_error err;
    clock_t c0 = clock();
    double t0 = now();
    doppel_story *st = doppel_story_new(&opt, &err);
    if (!st) die("new", &err);
    for (size_t k = 0; k < n; k++) {
        const doc *d = &docs[perm[k]];
        if (doppel_story_learn(st, d->title, d->title_len, d->text, d->text_len, &err))
            die("learn", &err);
    }
    double t1 = now();
    clock_t c1 = clock();
    for (size_t k = 0; k < n; k++) {
        const doc *d = &docs[perm[k]];
        if (doppel_story_add(st, (uint32_t)perm[k], d->title, d->title_len, d->text,
                             d->text_len, d->date, d->copy, &err))
            die("add", &err);
    }
    double t2 = now();
    clock_t c2 = clock();
    doppel_story_stats before;
    doppel_story_get_stats(st, &before);
    if (doppel_story_finish(st, &err)) die("finish", &err);
    double t3 = now();
    clock_t c3 = clock();
    double cpu = (double)(c3 - c0) / CLOCKS_PER_SEC;
    doppel_story_stats s;
    doppel_story_get_stats(st, &s);
    fprintf(stderr,
            "docs %zu (%.1f MB)  stories %llu  vocabulary %llu  candidates %llu  "
            "capped postings %llu\n"
            "time: learn %.2fs  add %.2fs  cluster %.2fs  total %.2fs  = %.0f docs/s "
            "(read %.2fs not counted); CPU %.2fs = %.0f docs/s per core\n"
            "CPU: learn %.2fs  add %.2fs  cluster %.2fs\n"
            "memory: %.0f bytes/doc of vectors and records; heap before finish %.1f MB, "
            "after %.1f MB, peak %.1f MB (%.0f bytes/doc)\n",
            n, bytes / 1e6, (unsigned long long)s.stories, (unsigned long long)s.vocabulary,
            (unsigned long long)s.candidates, (unsigned long long)s.capped_postings, t1 - t0,
            t2 - t1, t3 - t2, t3 - t0, n / (t3 - t0), t_read, cpu, n / cpu,
            (double)(c1 - c0) / CLOCKS_PER_SEC, (double)(c2 - c1) / CLOCKS_PER_SEC,
            (double)(c3 - c2) / CLOCKS_PER_SEC,
            n ? (double)before.doc_bytes / n : 0, before.memory_bytes / 1e6, s.memory_bytes / 1e6,
            s.peak_memory_bytes / 1e6, n ? (double)s.peak_memory_bytes / n : 0);
    if (out) {
        FILE *f = fopen(out, "w");
        if (!f) die(out, NULL);
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_pack("{s:s, s:I}", "id", docs[i].id, "cluster",
                                  (json_int_t)doppel_story_of(st, (uint32_t)i));
            char *line = json_dumps(o, JSON_COMPACT);
            fprintf(f, "%s\n", line);
            free(line);
            json_decref(o);
        }
        fclose(f);
    }
    if (show) {
        uint32_t ns = doppel_story_count(st);
        uint32_t *idx = malloc(ns * sizeof *idx), *sz = malloc(ns * sizeof *sz);
        for (uint32_t i = 0; i < ns; i++) {
            doppel_story_info inf;
            doppel_story_get_info(st, i, &inf);
            idx[i] = i;
            sz[i] = inf.size;
        }
        for (int a = 0; a < show && a < (int)ns; a++) {
            uint32_t b = (uint32_t)a;
            for (uint32_t i = (uint32_t)a; i < ns; i++)
                if (sz[idx[i]] > sz[idx[b]]) b = i;
            uint32_t t = idx[a];
            idx[a] = idx[b];
            idx[b] = t;
            doppel_story_info inf;
            doppel_story_get_info(st, idx[a], &inf);
            printf("story %u: %u docs, %u copies:", idx[a], inf.size, inf.copies);
            for (unsigned k = 0; k < inf.num_terms; k++) printf(" %s |", inf.terms[k]);
            printf("\n");
        }
        free(idx);
        free(sz);
    }
    doppel_story_free(st);
    for (size_t i = 0; i < n; i++) {
        free(docs[i].id);
        free(docs[i].title);
        free(docs[i].text);
    }
    free(docs);
    free(perm);
    return 0;
}
