/*
 * spill.h — an append-only stream of 32-bit values (shingle sets, prints,
 * candidate runs) kept aside (internal). Values are written once and read
 * back by offset. The start of the stream may stay in memory, up to a byte
 * cap; the rest goes to an unlinked temporary file, removed by the OS when
 * closed or when the process dies, so a killed run leaves nothing behind.
 */
#ifndef DOPPEL_SPILL_H
#define DOPPEL_SPILL_H
#include "base/internal.h"

typedef struct dp_spill dp_spill;

/* Create in dir (NULL: $TMPDIR or /tmp), every value on disk. */
doppel_status dp_spill_new(const char *dir, dp_spill **out, doppel_error *err);
/* The same, keeping the stream's first values in memory while they fit in
 * memory_bytes; the first value that does not fit, and all after it, go to
 * the file. 0: every value on disk. The file is created in both cases. */
doppel_status dp_spill_new_capped(const char *dir, uint64_t memory_bytes, dp_spill **out,
                                  doppel_error *err);
/* The same for a stream of fixed-size records of `record` values: a chunk
 * of the memory part holds whole records, so that a run of records inside
 * one chunk is one view (dp_spill_get). The cap counts whole chunks as
 * allocated. */
doppel_status dp_spill_new_records(const char *dir, uint64_t memory_bytes, uint32_t record,
                                   dp_spill **out, doppel_error *err);
void dp_spill_free(dp_spill *s);
/* Append n values; *offset receives where they start (in values). Values
 * appended one after another are contiguous in offsets wherever they are. */
doppel_status dp_spill_append(dp_spill *s, const uint32_t *v, uint32_t n, uint64_t *offset,
                              doppel_error *err);
/* Read n values at offset into out (grown as needed; *cap in values). */
doppel_status dp_spill_read(dp_spill *s, uint64_t offset, uint32_t n, uint32_t **out,
                            size_t *cap, doppel_error *err);
/* The n values at offset: *view points into the memory part when they lie
 * in it (valid until dp_spill_free; do not write), else at *buf, into
 * which they were read as by dp_spill_read. */
doppel_status dp_spill_get(dp_spill *s, uint64_t offset, uint32_t n, const uint32_t **view,
                           uint32_t **buf, size_t *cap, doppel_error *err);
/* Ask the cache for the first values (at most 64) of [offset, offset + n)
 * when they lie in the memory part; a hint, nothing is read or checked. */
void dp_spill_prefetch(const dp_spill *s, uint64_t offset, uint32_t n);
/* Bytes of every value appended, in memory or on disk. */
uint64_t dp_spill_bytes(const dp_spill *s);
/* Heap the spill holds for its values: its memory part (at most the cap),
 * and a 1 MiB write buffer once values go to the file. */
uint64_t dp_spill_memory_bytes(const dp_spill *s);
/* Values a chunk of the memory part holds: values [c * this, (c + 1) *
 * this) lie in one chunk for each c, while in memory. */
size_t dp_spill_chunk_values(const dp_spill *s);
/* How many of the stream's first values are in memory. */
uint64_t dp_spill_memory_values(const dp_spill *s);
/* Write out buffered values. After it, and until the next append,
 * dp_spill_read and dp_spill_get may be called from several threads at
 * once. */
doppel_status dp_spill_flush(dp_spill *s, doppel_error *err);
#endif
