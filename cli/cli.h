/*
 * cli.h — what the doppel command's subcommands share: the command table,
 * whole-or-nothing output files, JSON string writing, progress on stderr and
 * the run summary. The CLI is a thin layer: every decision about documents is
 * the library's; this layer parses options, prints and chooses exit codes.
 *
 * Exit codes: 0 success; 1 failure (I/O, or a bad record under --strict);
 * 2 usage error.
 */
#ifndef DOPPEL_CLI_H
#define DOPPEL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "doppel.h"

#define EXIT_USAGE 2

/* Each subcommand: argv[0] is the subcommand name. */
int cmd_cluster(int argc, char **argv);
int cmd_dedup(int argc, char **argv);
int cmd_pairs(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_stories(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_synth(int argc, char **argv);
int cmd_eval(int argc, char **argv);

/* ---- output files written whole or not at all ------------------------
 * cli_out_open("-") writes to stdout, and a device or FIFO is written in
 * place. Otherwise an unnamed file (or, where the file system has none, a
 * hidden temporary one) is created beside path and renamed over it by
 * cli_out_commit only when everything was written and flushed;
 * cli_out_abort (or exiting without commit) leaves no file behind. */
typedef struct cli_out {
    FILE *fp;
    char *path;     /* final path; NULL for stdout */
    char *tmp_path; /* hidden name beside path, before the rename */
    int unnamed;    /* fp is an O_TMPFILE file, linked as tmp_path at commit */
    int linked;     /* tmp_path exists on disk */
    int direct;     /* a device or FIFO, written in place */
    FILE *raw;      /* the file under fp when fp compresses (path ends .gz/.zst) */
} cli_out;

/* A path ending in .gz or .zst is written compressed (gzip, zstd level 3). */
int cli_out_open(cli_out *out, const char *path);   /* 0 or -1 (message printed) */
int cli_out_commit(cli_out *out);                   /* 0 or -1 (message printed, file removed) */
void cli_out_abort(cli_out *out);

/* compress.c: 1 for a .gz path, 2 for .zst, else 0; a stream compressing
 * into raw (NULL when out of memory); fclose ends the compressed stream and
 * leaves raw open. */
int cli_compression_of(const char *path);
FILE *cli_compress_open(FILE *raw, int kind);

/* Write s as a JSON string literal (with quotes), escaping as RFC 8259 needs.
 * Invalid UTF-8 is written as U+FFFD so output is always valid JSON. */
void cli_json_string(FILE *fp, const char *s, size_t len);
/* Unsigned decimal, and a number as fprintf "%.4f" prints it: fast paths
 * for the per-document output lines. */
void cli_put_u32(FILE *fp, uint32_t v);
void cli_put_u64(FILE *fp, uint64_t v);
void cli_put_fixed4(FILE *fp, double v);

/* ---- progress on stderr ----------------------------------------------------
 * auto: a status line redrawn in place when stderr is a terminal, nothing
 * otherwise; always: also when it is not (a log file under Slurm or nohup),
 * then as a plain line every few seconds; never. -q means never. */
typedef enum { CLI_PROGRESS_AUTO = 0, CLI_PROGRESS_ALWAYS, CLI_PROGRESS_NEVER } cli_progress_mode;

typedef struct cli_progress {
    bool enabled;
    bool lines;      /* log lines, not a redrawn status line */
    double start, last;
} cli_progress;

void cli_progress_init(cli_progress *p, cli_progress_mode mode);
/* Show documents read, MB/s and an ETA when total_bytes is known. */
void cli_progress_update(cli_progress *p, uint64_t docs, uint64_t bytes, uint64_t total_bytes);
void cli_progress_phase(cli_progress *p, const char *phase, double done);
void cli_progress_done(cli_progress *p);

double cli_now(void);  /* monotonic seconds */

/* Print "doppel: " + message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
