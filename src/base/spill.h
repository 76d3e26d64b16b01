/*
 * spill.h — append-only store of shingle sets in an unlinked temporary file
 * (internal). Sets are written once while documents are added and read back
 * by offset during verification; the file is removed by the OS when closed
 * or when the process dies, so a killed run leaves nothing behind.
 */
#ifndef DOPPEL_SPILL_H
#define DOPPEL_SPILL_H
#include "base/internal.h"

typedef struct dp_spill dp_spill;

/* Create in dir (NULL: $TMPDIR or /tmp). */
doppel_status dp_spill_new(const char *dir, dp_spill **out, doppel_error *err);
void dp_spill_free(dp_spill *s);
/* Append n values; *offset receives where they start (in values). */
doppel_status dp_spill_append(dp_spill *s, const uint32_t *v, uint32_t n, uint64_t *offset,
                              doppel_error *err);
/* Read n values at offset into out (grown as needed; *cap in values). */
doppel_status dp_spill_read(dp_spill *s, uint64_t offset, uint32_t n, uint32_t **out,
                            size_t *cap, doppel_error *err);
uint64_t dp_spill_bytes(const dp_spill *s);
/* Write out buffered values. After it, and until the next append,
 * dp_spill_read may be called from several threads at once. */
doppel_status dp_spill_flush(dp_spill *s, doppel_error *err);
#endif
