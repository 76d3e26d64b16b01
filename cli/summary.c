/*
 * summary.c — the --summary JSON of cluster, dedup and pairs (the settings
 * a run used and every count), and the error when nothing was read.
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
    /* The counts in the order of docs/formats.md's --summary table. */
    const struct {
        const char *name;
        unsigned long long v;
    } counts[] = {
        {"read", k->read},
        {"kept", kept},
        {"removed", removed_total},
        {"removed_exact", removed[DOPPEL_REL_EXACT]},
        {"removed_near", removed[DOPPEL_REL_NEAR]},
        {"removed_contained", removed[DOPPEL_REL_CONTAINED]},
        {"removed_linked", removed[DOPPEL_REL_LINKED]},
        {"passed", k->passed},
        {"skipped", cli_skipped(k)},
        {"skipped_json", k->skip_json},
        {"skipped_field", k->skip_field},
        {"skipped_too_large", k->skip_large},
        {"skipped_empty", k->skip_empty},
        {"skipped_unreadable", k->skip_io},
        {"skipped_binary", k->skip_format},
        {"duplicate_ids", k->duplicate_ids},
        {"invalid_utf8", k->invalid_utf8},
        {"nul_bytes", k->nul_bytes},
        {"short_docs", k->short_docs},
        {"bands", s.bands},
        {"rows", s.rows},
        {"candidates", s.candidates},
        {"prefiltered", s.prefiltered},
        {"verified_pairs", s.verified_pairs + s.exact_groups},
        {"lsh_slices", s.lsh_slices},
        {"heap_peak_bytes", s.peak_memory_bytes},
        {"candidate_runs", s.candidate_runs},
        {"spill_bytes", s.spill_bytes},
        {"largest_cluster", s.largest_cluster},
        {"reuse_pairs", s.reuse_pairs},
    };
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
        fprintf(out.fp, "%c\"%s\":%llu", i ? ',' : '{', counts[i].name, counts[i].v);
    fprintf(out.fp, ",\"seconds\":%.3f,", secs);
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
