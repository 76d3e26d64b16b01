/*
 * candruns.h — candidate pairs beyond the memory limit: sorted runs in an
 * unlinked temporary file, merged back in order (internal). See candruns.c.
 */
#ifndef DOPPEL_CANDRUNS_H
#define DOPPEL_CANDRUNS_H
#include "base/internal.h"

typedef struct dp_cand_runs dp_cand_runs;

/* Runs to be written in dir (NULL: $TMPDIR or /tmp); the file is created
 * with the first run, and an error making it comes from that put. */
doppel_status dp_cand_runs_new(const char *dir, dp_cand_runs **out, doppel_error *err);
void dp_cand_runs_free(dp_cand_runs *r);

/* Write pairs[n] (sorted, unique) as one run. Safe from several threads. */
doppel_status dp_cand_runs_put(dp_cand_runs *r, const uint64_t *pairs, size_t n,
                               doppel_error *err);
/* Runs written so far. */
size_t dp_cand_runs_count(const dp_cand_runs *r);

/* Start merging the runs, reading each through a buffer of buffer_pairs
 * pairs (the merge holds count * buffer_pairs * 8 bytes). No put after it. */
doppel_status dp_cand_runs_merge(dp_cand_runs *r, size_t buffer_pairs, doppel_error *err);
/* The next pairs of the merge, in order and without duplicates (a pair in
 * several runs comes once): at most max into out, *got of them; 0 at the end. */
doppel_status dp_cand_runs_next(dp_cand_runs *r, uint64_t *out, size_t max, size_t *got,
                                doppel_error *err);
#endif
