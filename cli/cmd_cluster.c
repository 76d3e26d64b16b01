/*
 * cmd_cluster.c — `doppel cluster`, `doppel dedup` and `doppel pairs`: one
 * indexing pass over the input, then each writes its own view of the result.
 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define INPUT_OPTIONS \
    "INPUT: any number of files, directories and - (standard input, once). A file is read\n" \
    "by its extension (.gz/.zst/.bz2/.xz ignored), else its content: .jsonl/.ndjson/.json\n" \
    "records (a JSON array too), .csv/.tsv rows with a header, .parquet refused, anything\n" \
    "else one document. Directories are walked in sorted order, each file by its kind.\n" \
    "See docs/formats.md.\n" \
    "input:\n" \
    "  --format F          auto (default), jsonl, text (each file one document), csv, tsv\n" \
    "  --id-field NAME     field with the id (default id); strings or numbers; a record\n" \
    "                      without one is named FILE:LINE\n" \
    "  --text-field NAME   field with the text (default text); NAME may be a dotted path\n" \
    "                      into nested objects (meta.body), or a CSV column\n" \
    "  --date-field NAME   field with the date, for --canonical earliest (default date)\n" \
    "  --max-doc-bytes N   skip larger records (default 64M; K/M/G suffixes)\n" \
    "  --no-extract        compare raw text (default: strip front matter, Markdown/HTML\n" \
    "                      markup and boilerplate first; see doppel extract --help)\n" \
    "  --corpus-boilerplate  also drop lines that recur across many documents (site\n" \
    "                      footers, share prompts): one more pass over the input first\n" \
    "  --strict            stop with exit 1 at the first bad record or duplicate id\n" \
    "                      (default: report it on stderr, skip it, count it)\n"

#define MATCH_OPTIONS \
    "matching:\n" \
    "  --threshold J       near: Jaccard of shingle sets >= J (default 0.5)\n" \
    "  --low-threshold L   near also: Jaccard >= L (default 0.15) for pairs that share\n" \
    "  --min-shared N      at least N shingles (default 50): long texts with scattered edits\n" \
    "  --containment C     contained: smaller doc's shingles >= C inside the larger (default 0.9)\n" \
    "  --min-contained N   ... when the smaller doc has at least N shingles (default 40)\n" \
    "  --ngram N           shingle length (default 5 words)\n" \
    "  --char              character n-grams instead of words\n" \
    "  --num-perm K        MinHash values per document (default 128)\n" \
    "  --sketch S          oph (default: one-permutation + densification) or classic\n" \
    "  --seed S            hash seed (default 1)\n" \
    "  --lsh-threshold J   Jaccard the LSH is shaped for (default 0.8 x min(threshold,\n" \
    "                      low-threshold) = 0.12, giving 64 bands x 2 rows)\n" \
    "  --bands B --rows R  set the LSH shape by hand (B x R <= K)\n" \
    "  --max-bucket N      LSH buckets larger than N are linked as a chain (default 100)\n" \
    "  --fast              verify with the MinHash estimate instead of exact sets\n" \
    "  --prefilter-miss P  skip reading the sets of a candidate whose signatures agree\n" \
    "                      too little for any rule; P is the chance of losing a pair just\n" \
    "                      at a threshold (default 1e-6; 0 = read every candidate)\n" \
    "  --canonical P       longest (default), first, or earliest (by date)\n" \
    "relations from shared passages (docs/relations.md; cover = share of a document's\n" \
    "words inside passages it shares with the other):\n" \
    "  --cover C           near: both covered >= C (default 0.7)\n" \
    "  --contained-cover C contained: the smaller covered >= C (default 0.9)\n" \
    "  --derived-cover C   derived: the smaller's words in shared phrases >= C (default 0.2) ...\n" \
    "  --derived-spread N  ... in at least N tenths of it (default 6)\n" \
    "  --partial-words N   partial: a passage of >= N shared words (default 20)\n" \
    "  --join-derived      derived pairs join clusters too (default: pairs only)\n"

#define OUTPUT_OPTIONS \
    "output:\n" \
    "  -o, --output FILE   write here (default stdout); files appear whole or not at all;\n" \
    "                      a name ending .gz or .zst is written compressed\n" \
    "  --summary FILE      also write the run summary as JSON (docs/formats.md)\n" \
    "  -q, --quiet         no per-record warnings, progress or statistics on stderr; the\n" \
    "                      counts line is always printed\n" \
    "  --progress WHEN     auto (default: on a terminal), always (a log line every 5 s\n" \
    "                      when stderr is not a terminal), never\n" \
    "  --rejects FILE      write the malformed lines (bad JSON, missing fields) there\n" \
    "  --tmp-dir DIR       where shingle sets are spilled (default $TMPDIR or /tmp)\n" \
    "  --memory N          memory limit (default: half of RAM or of the cgroup's limit;\n" \
    "                      K/M/G suffixes): above it\n" \
    "                      the LSH works in slices, same result; about 72 bytes a\n" \
    "                      document must fit\n" \
    "  --threads N         threads for normalizing, shingling and sketching (default: the\n" \
    "                      cores this process may use); the output is the same for any N\n"

#define STORY_OPTIONS \
    "story level (--level story|all, doppel stories; see docs/story.md):\n" \
    "  --story-threshold X       cosine a long article needs to join a story (default 0.55)\n" \
    "  --story-short-threshold X ... a headline (default 0.08); in between, by length\n" \
    "  --story-expansion X       weight of the nearest neighbours added to each vector\n" \
    "                            before clustering (default 1; 0 = off: then use a story\n" \
    "                            threshold near 0.22)\n" \
    "  --story-window DAYS       dated stories further apart never merge (default 5; 0 = off)\n" \
    "  --story-online            single pass in date order instead of the batch clustering\n" \
    "                            (no expansion; story threshold default 0.22)\n" \
    "  --story-model FILE        start from the document frequencies saved in FILE (by\n" \
    "                            --save-story-model); the input's are added to them\n" \
    "  --save-story-model FILE   write the document frequencies after this run (the\n" \
    "                            model's and the input's) to FILE\n" \
    "  --story-state FILE        a feed in batches: continue the stories saved in FILE\n" \
    "                            (a story keeps its id while new reports join it) and\n" \
    "                            save them back after the run; a missing FILE starts one.\n" \
    "                            Holds its own model: not with --story-model\n"

static const char cluster_usage[] =
    "usage: doppel cluster [options] INPUT...\n\n"
    "Write one JSON line per document, in input order:\n"
    "  {\"id\", \"cluster\", \"canonical\", \"relation\", \"score\", \"cluster_size\"}\n"
    "cluster is a number shared by copies; canonical the id of the document kept for the\n"
    "cluster; relation is unique, canonical, exact, near, contained or linked (joined\n"
    "through other members); score is the Jaccard similarity with the canonical\n"
    "(the containment for contained); cluster_size counts the cluster's documents.\n"
    "Records with no words to compare are counted as passed and get no line.\n\n"
    "  --level L           copy (default), story ({\"id\",\"story\"}: articles about one\n"
    "                      news event, see doppel stories), or all (both columns)\n\n"
    INPUT_OPTIONS MATCH_OPTIONS OUTPUT_OPTIONS STORY_OPTIONS;

static const char dedup_usage[] =
    "usage: doppel dedup [options] INPUT... -o OUTPUT\n\n"
    "Write the input's records minus the non-canonical copies. JSONL records are copied\n"
    "byte for byte (every field kept); JSON array elements and CSV rows become one JSON\n"
    "line each; whole files become {\"id\",\"text\"} lines. Records that could not be\n"
    "compared (no words after extraction) pass through and are counted as passed.\n"
    "The counts (read = kept + removed + passed + skipped) go to stderr.\n\n"
    "  --removed FILE      one line per removed record: {\"id\",\"canonical\",\"relation\",\n"
    "                      \"score\"}\n"
    "  --drop-uncompared   skip the records that could not be compared instead\n\n"
    INPUT_OPTIONS MATCH_OPTIONS OUTPUT_OPTIONS;

static const char pairs_usage[] =
    "usage: doppel pairs [options] INPUT...\n\n"
    "Write every verified pair, one JSON line each:\n"
    "  {\"a\", \"b\", \"jaccard\", \"a_in_b\", \"b_in_a\", \"shared\", \"relation\",\n"
    "   \"cover_a\", \"cover_b\", \"source\", \"passages\"}\n"
    "shared is the number of shingles the two have in common; cover_a and cover_b the\n"
    "share of each one's words inside passages they share; relation exact, near,\n"
    "contained (copies: these join clusters), derived (a rewrite) or partial (a\n"
    "passage shared, the rest different); source (contained, derived, partial) the one\n"
    "the other took from: the earlier by date, else the covering one; passages the\n"
    "longest shared passages as word offsets and lengths in each document's\n"
    "normalized extracted text (see docs/relations.md).\n"
    "Copies of an identical text are listed against the first of them.\n\n" 
    INPUT_OPTIONS MATCH_OPTIONS OUTPUT_OPTIONS;

/* Non-canonical members by relation (removed[DOPPEL_REL_PARTIAL + 1]: a member
 * joined by --join-derived is DERIVED). */
static void count_removed(const doppel_index *idx, uint64_t *removed) {
    memset(removed, 0, (DOPPEL_REL_PARTIAL + 1) * sizeof *removed);
    uint32_t n = doppel_index_count(idx);
    for (uint32_t d = 0; d < n; d++) {
        doppel_doc_result r;
        doppel_index_result(idx, d, &r);
        if (r.canonical != d) removed[r.relation]++;
    }
}

/* The story level's files would be read or written by nothing: refuse them
 * rather than leave a feed's state silently unwritten. */
static int story_files_refused(const cli_common *c, const char *what) {
    if (!c->story_model && !c->save_story_model && !c->story_state) return 0;
    cli_error("--story-model, --save-story-model and --story-state need %s", what);
    return 1;
}

/* Parse options, check operands, build the index. Returns -1 to go on, or an
 * exit code. */
static int prepare(int argc, char **argv, const char *usage, cli_common *c, doppel_index **idx,
                   cli_counts *counts, uint8_t **bits) {
    int first = cli_parse_common(argc, argv, c, usage);
    if (first == -1) return 0;
    if (first == -2) return EXIT_USAGE;
    int rc = cli_take_inputs(c, argc, argv, first);
    if (rc) return rc;
    if (story_files_refused(c, "the story level (cluster --level story, stories)"))
        return EXIT_USAGE;
    if (cli_build_index(c, idx, counts, bits)) return 1;
    if (!cli_nothing_read(c, counts, *idx)) return -1;
    doppel_index_free(*idx);
    *idx = NULL;
    return 1;
}

int cmd_cluster(int argc, char **argv) {
    cli_common c;
    int first = cli_parse_common(argc, argv, &c, cluster_usage);
    if (first == -1) return 0;
    if (first == -2) return EXIT_USAGE;
    int stories = c.level != CLI_LEVEL_COPY;
    int rc0 = cli_take_inputs(&c, argc, argv, first);
    if (!rc0 && !stories && story_files_refused(&c, "--level story or all")) rc0 = EXIT_USAGE;
    if (!rc0 && stories && cli_spool_if_stdin(&c)) rc0 = 1;
    if (rc0) {
        cli_common_free(&c);
        return rc0;
    }
    doppel_index *idx = NULL;
    doppel_story *st = NULL;
    cli_counts counts;
    uint8_t *bits = NULL;
    int rc = cli_build_index(&c, &idx, &counts, stories ? &bits : NULL);
    if (!rc) rc = cli_nothing_read(&c, &counts, idx);
    if (!rc && stories) rc = cli_build_stories(&c, idx, bits, &st);
    free(bits);
    uint64_t *story_ids = NULL;
    if (!rc && stories && !(story_ids = cli_story_ids(st))) rc = 1;
    cli_out out;
    if (!rc && cli_out_open(&out, c.output)) rc = 1;
    if (rc) {
        free(story_ids);
        doppel_story_free(st);
        doppel_index_free(idx);
        cli_common_free(&c);
        return rc;
    }
    uint32_t n = doppel_index_count(idx);
    for (uint32_t d = 0; d < n; d++) {
        doppel_doc_result r, canon;
        doppel_index_result(idx, d, &r);
        doppel_index_result(idx, r.canonical, &canon);
        /* One line per document: stdio's unlocked calls and hand-made
         * numbers, since at 100k documents fprintf made this loop a tenth
         * of the two-thread run, with one core idle. */
        fputs_unlocked("{\"id\":", out.fp);
        cli_json_string(out.fp, r.id, r.id_len);
        if (c.level != CLI_LEVEL_STORY) {
            fputs_unlocked(",\"cluster\":", out.fp);
            cli_put_u32(out.fp, r.cluster);
            fputs_unlocked(",\"canonical\":", out.fp);
            cli_json_string(out.fp, canon.id, canon.id_len);
            fputs_unlocked(",\"relation\":\"", out.fp);
            fputs_unlocked(r.cluster_size == 1 ? "unique" : doppel_relation_name(r.relation), out.fp);
            fputs_unlocked("\",\"score\":", out.fp);
            cli_put_fixed4(out.fp, r.score);
            fputs_unlocked(",\"cluster_size\":", out.fp);
            cli_put_u32(out.fp, r.cluster_size);
        }
        if (stories) {
            fputs_unlocked(",\"story\":", out.fp);
            cli_put_u64(out.fp, story_ids[doppel_story_of(st, d)]);
        }
        fputs_unlocked("}\n", out.fp);
    }
    rc = cli_out_commit(&out) ? 1 : 0;
    if (!rc && stories) rc = cli_save_story_state(&c, st);
    free(story_ids);
    uint64_t removed[DOPPEL_REL_PARTIAL + 1];
    count_removed(idx, removed);
    if (!rc && cli_write_summary(&c, &counts, idx, removed)) rc = 1;
    doppel_story_free(st);
    doppel_index_free(idx);
    cli_common_free(&c);
    return rc;
}

typedef struct {
    const doppel_index *idx;
    FILE *fp;
} pair_ctx;

static int write_pair(const doppel_pair *p, void *user) {
    pair_ctx *ctx = user;
    doppel_doc_result a, b;
    doppel_index_result(ctx->idx, p->a, &a);
    doppel_index_result(ctx->idx, p->b, &b);
    FILE *fp = ctx->fp;
    fputs("{\"a\":", fp);
    cli_json_string(fp, a.id, a.id_len);
    fputs(",\"b\":", fp);
    cli_json_string(fp, b.id, b.id_len);
    fprintf(fp,
            ",\"jaccard\":%.4f,\"a_in_b\":%.4f,\"b_in_a\":%.4f,\"shared\":%u,\"relation\":\"%s\""
            ",\"cover_a\":%.4f,\"cover_b\":%.4f",
            p->sim.jaccard, p->sim.a_in_b, p->sim.b_in_a, p->sim.shared,
            doppel_relation_name(p->relation), p->cover_a, p->cover_b);
    if (p->relation == DOPPEL_REL_CONTAINED || p->relation == DOPPEL_REL_DERIVED ||
        p->relation == DOPPEL_REL_PARTIAL) {
        fputs(",\"source\":", fp);
        if (p->source == p->a) cli_json_string(fp, a.id, a.id_len);
        else cli_json_string(fp, b.id, b.id_len);
    }
    fputs(",\"passages\":[", fp);
    for (size_t k = 0; k < p->num_passages; k++) {
        const doppel_pair_passage *q = &p->passages[k];
        fprintf(fp, "%s{\"a_word\":%u,\"a_words\":%u,\"b_word\":%u,\"b_words\":%u,\"matched\":%u}",
                k ? "," : "", q->a_word, q->a_words, q->b_word, q->b_words, q->matched);
    }
    fputs("]}\n", fp);
    return 0;
}

int cmd_pairs(int argc, char **argv) {
    cli_common c;
    doppel_index *idx = NULL;
    cli_counts counts;
    int rc = prepare(argc, argv, pairs_usage, &c, &idx, &counts, NULL);
    if (rc >= 0) {
        cli_common_free(&c);
        return rc;
    }
    cli_out out;
    if (cli_out_open(&out, c.output)) {
        doppel_index_free(idx);
        cli_common_free(&c);
        return 1;
    }
    pair_ctx ctx = {idx, out.fp};
    doppel_index_pairs(idx, write_pair, &ctx);
    rc = cli_out_commit(&out) ? 1 : 0;
    uint64_t removed[DOPPEL_REL_PARTIAL + 1];
    count_removed(idx, removed);
    if (!rc && cli_write_summary(&c, &counts, idx, removed)) rc = 1;
    doppel_index_free(idx);
    cli_common_free(&c);
    return rc;
}

/* A kept record: JSONL as read (array elements and CSV rows as one JSON
 * line each), a whole file as {"id","text"}. */
static void write_record(FILE *fp, const doppel_record *rec) {
    if (rec->raw) {
        fwrite(rec->raw, 1, rec->raw_len, fp);
        fputc('\n', fp);
        return;
    }
    fputs("{\"id\":", fp);
    cli_json_string(fp, rec->id, rec->id_len);
    fputs(",\"text\":", fp);
    cli_json_string(fp, rec->text, rec->text_len);
    fputs("}\n", fp);
}

/* --removed: one line per removed record, in input order. */
static int write_removed(const cli_common *c, const doppel_index *idx) {
    cli_out out;
    if (cli_out_open(&out, c->removed_path)) return 1;
    uint32_t n = doppel_index_count(idx);
    for (uint32_t d = 0; d < n; d++) {
        doppel_doc_result r, canon;
        doppel_index_result(idx, d, &r);
        if (r.canonical == d) continue;
        doppel_index_result(idx, r.canonical, &canon);
        fputs("{\"id\":", out.fp);
        cli_json_string(out.fp, r.id, r.id_len);
        fputs(",\"canonical\":", out.fp);
        cli_json_string(out.fp, canon.id, canon.id_len);
        fprintf(out.fp, ",\"relation\":\"%s\",\"score\":", doppel_relation_name(r.relation));
        cli_put_fixed4(out.fp, r.score);
        fputs("}\n", out.fp);
    }
    return cli_out_commit(&out) ? 1 : 0;
}

int cmd_dedup(int argc, char **argv) {
    cli_common c;
    int first = cli_parse_common(argc, argv, &c, dedup_usage);
    if (first == -1) return 0;
    if (first == -2) return EXIT_USAGE;
    int rc0 = cli_take_inputs(&c, argc, argv, first);
    if (!rc0 && story_files_refused(&c, "the story level (cluster --level story, stories)"))
        rc0 = EXIT_USAGE;
    if (!rc0 && cli_spool_if_stdin(&c)) rc0 = 1;
    if (rc0) {
        cli_common_free(&c);
        return rc0;
    }
    doppel_index *idx = NULL;
    cli_counts counts;
    uint8_t *bits = NULL;
    if (cli_build_index(&c, &idx, &counts, &bits) || cli_nothing_read(&c, &counts, idx)) {
        doppel_index_free(idx);
        free(bits);
        cli_common_free(&c);
        return 1;
    }
    cli_out out;
    int rc = 0;
    if (cli_out_open(&out, c.output)) rc = 1;

    /* Second pass: the reader yields the same records in the same order, so
     * the k-th indexed record is document k. */
    doppel_reader *reader = NULL;
    doppel_error err = {0};
    if (!rc && cli_open_reader(&c, &reader)) rc = 1;
    uint64_t ordinal = 0;
    uint32_t docnum = 0;
    while (!rc) {
        doppel_record rec;
        doppel_status st = doppel_reader_next(reader, &rec, &err);
        if (st == DOPPEL_END) break;
        uint64_t i = ordinal++;
        if (!bits || !(bits[i >> 3] & (1u << (i & 7)))) {
            /* A record that could not be compared goes through as it came. */
            if (st == DOPPEL_OK && (i >> 3) < c.passed_cap && (c.passed_bits[i >> 3] & (1u << (i & 7))))
                write_record(out.fp, &rec);
            continue;
        }
        doppel_doc_result r;
        if (st != DOPPEL_OK || doppel_index_result(idx, docnum, &r) != DOPPEL_OK) {
            cli_error("input changed between the two passes (record %llu); no output written",
                      (unsigned long long)i + 1);
            rc = 1;
            break;
        }
        if (r.canonical == docnum) write_record(out.fp, &rec);
        docnum++;
    }
    doppel_reader_free(reader);
    if (!rc && docnum != doppel_index_count(idx)) {
        cli_error("input changed between the two passes; no output written");
        rc = 1;
    }
    if (rc) cli_out_abort(&out);
    else rc = cli_out_commit(&out) ? 1 : 0;
    if (!rc && c.removed_path) rc = write_removed(&c, idx);
    uint64_t removed[DOPPEL_REL_PARTIAL + 1];
    count_removed(idx, removed);
    if (!rc && cli_write_summary(&c, &counts, idx, removed)) rc = 1;
    free(bits);
    doppel_index_free(idx);
    cli_common_free(&c);
    return rc;
}
