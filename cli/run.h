/*
 * run.h — what cluster, dedup and pairs share: their options and the first
 * pass that reads every record into an index while counting what was
 * skipped, so that documents read = kept + removed + skipped always holds
 * (options.c, indexing.c, summary.c).
 */
#ifndef DOPPEL_CLI_RUN_H
#define DOPPEL_CLI_RUN_H

#include "cli.h"

typedef enum { CLI_LEVEL_COPY = 0, CLI_LEVEL_STORY = 1, CLI_LEVEL_ALL = 2 } cli_level;

typedef struct cli_common {
    doppel_config cfg;
    doppel_reader_options ropt;
    doppel_input *inputs;     /* the INPUT operands, in order (malloc'ed) */
    size_t n_inputs;
    const char *output;       /* "-" = stdout */
    const char *summary_path; /* JSON summary file, or NULL */
    bool strict, quiet;
    bool json;                /* compare: JSON instead of text */
    cli_level level;          /* cluster: which clustering to write */
    doppel_story_options story; /* the story level's options */
    const char *story_model;      /* --story-model: counts to start from, or NULL */
    const char *save_story_model; /* --save-story-model: where to write the counts */
    const char *story_state;      /* --story-state: stories and counts carried from
                                     run to run (read if it exists, then rewritten) */
    FILE *story_state_fp;         /* the state read, open and locked until the end */
    bool corpus_boilerplate;  /* layer 2: count lines across the corpus first */
    doppel_boiler_counter *corpus;        /* the counted sketch, when run */
    doppel_extract_options extract_options; /* cfg.extract_options points here then */
    char *spooled;            /* stdin copied to a file for a second pass */
    bool drop_uncompared;     /* --drop-uncompared: records with no words are skipped */
    const char *removed_path; /* --removed FILE: one line per removed record */
    const char *rejects_path; /* --rejects FILE: the malformed lines as read */
    uint8_t *passed_bits;     /* one bit per record: passed through uncompared */
    size_t passed_cap;
    cli_progress_mode progress;
    bool want_titles;         /* stories: keep the documents' titles (headlines) */
    char **titles;            /* ... by document number (NULL: none), when kept */
    uint32_t ntitles;
    double seconds_start;     /* when the command started */
} cli_common;

/* Why records were not indexed. */
typedef struct cli_counts {
    uint64_t read;            /* records seen (non-blank lines, files) */
    uint64_t indexed;
    uint64_t skip_json, skip_field, skip_large, skip_empty, skip_io, skip_format;
    uint64_t passed;          /* not comparable (no words), passed through by dedup */
    uint64_t seen;            /* records accounted for so far */
    uint64_t missing_text;    /* ... of them without the text field */
    bool sample_checked, position_ids_noted;
    char fields_present[512], field_guess[256];  /* of the first record without text */
    uint64_t duplicate_ids, invalid_utf8, nul_bytes, short_docs, warnings;
    double seconds_read, seconds_finish;
    uint64_t bytes;
} cli_counts;

/* No document was read (nothing indexed or passed): print why, write the
 * summary, and return 1 (the exit code); 0 when there were documents. */
int cli_nothing_read(const cli_common *c, const cli_counts *counts, const doppel_index *idx);

static inline uint64_t cli_skipped(const cli_counts *c) {
    return c->skip_json + c->skip_field + c->skip_large + c->skip_empty + c->skip_io +
           c->skip_format;
}

/* Parse the shared options; returns -1 after --help (exit 0), -2 on a usage
 * error (message printed), else the index of the first operand. */
int cli_parse_common(int argc, char **argv, cli_common *c, const char *usage);

/* Take argv[first..argc) as the inputs: at least one, standard input ("-")
 * at most once. Returns 0, or EXIT_USAGE (message printed). */
int cli_take_inputs(cli_common *c, int argc, char **argv, int first);
/* A reader over c's inputs with c's options; the message is printed on failure. */
int cli_open_reader(const cli_common *c, doppel_reader **out);
/* The string value of the record's key (given with its quotes, "\"outlet\""),
 * read from rec->raw: a malloc'd NUL-terminated copy (the caller frees it)
 * and its length in *len; NULL when the line has no such string field or
 * memory ran out (rawfield.c). */
char *cli_record_field(const doppel_record *rec, const char *key, size_t *len);
/* A pass over the inputs that reads each record and, when extract is set,
 * extracts it: the reader and an extractor (NULL when !extract), both the
 * caller's to free. On failure prints the error, frees both and returns 1. */
int cli_open_pass(const cli_common *c, int extract, doppel_reader **reader,
                  doppel_extractor **ex);
/* Spool standard input when it is one of the inputs and is to be read twice. */
int cli_spool_if_stdin(cli_common *c);

/* Read c's inputs into a finished index. indexed_bits (optional) receives one
 * bit per record, set when the record was indexed, so that a second pass can
 * line records up with document numbers. Returns 0 or an exit code. */
int cli_build_index(cli_common *c, doppel_index **out, cli_counts *counts,
                    uint8_t **indexed_bits);

/* Print the summary to stderr (unless quiet) and to c->summary_path. */
int cli_write_summary(const cli_common *c, const cli_counts *counts, const doppel_index *idx,
                      const uint64_t removed_by_rel[DOPPEL_REL_PARTIAL + 1]);

void cli_common_free(cli_common *c);

/* Standard input cannot be read twice: copy it to an unlinked temporary file
 * and read that in its place (still named "-"). 0 or -1 (message printed). */
int cli_spool_stdin(cli_common *c);

/* Story clustering over the documents of a finished index: two more passes
 * over the input (document frequencies, then clustering), each document
 * extracted as in the index and tied to its copy cluster. indexed_bits says
 * which records became documents. Returns 0 or an exit code. */
int cli_build_stories(cli_common *c, const doppel_index *idx, const uint8_t *indexed_bits,
                      doppel_story **out);
/* --story-state: write the state after the run's output is committed, so
 * that a failed run leaves the earlier state in place. 0 or 1. */
int cli_save_story_state(const cli_common *c, const doppel_story *st);
/* Every story's id (doppel_story_info.id), malloc'ed; NULL (reported) when
 * out of memory. */
uint64_t *cli_story_ids(const doppel_story *st);
#endif
