/*
 * bandstore.h — LSH band hashes on disk, one column per band (internal).
 *
 * Band hashes are the largest per-document structure (4 bytes x 64 bands =
 * 256 bytes a document at the defaults), and they are needed only once, at
 * finish, one band at a time. Writing each band to its own unlinked
 * temporary file keeps memory at a few buffers whatever the corpus size;
 * reading band j back is one sequential read of 4 bytes a document.
 */
#ifndef DOPPEL_BANDSTORE_H
#define DOPPEL_BANDSTORE_H
#include "base/internal.h"

typedef struct dp_bandstore dp_bandstore;

doppel_status dp_bandstore_new(const char *dir, unsigned bands, dp_bandstore **out,
                               doppel_error *err);
void dp_bandstore_free(dp_bandstore *bs);
/* Append one document's hashes (bands values). */
doppel_status dp_bandstore_append(dp_bandstore *bs, const uint32_t *hashes, doppel_error *err);
/* Write out what is buffered. After it, and until the next append,
 * dp_bandstore_read_range may run on several threads at once. */
doppel_status dp_bandstore_flush(dp_bandstore *bs, doppel_error *err);
/* Read band j of documents [first, first + count) into out; they must have
 * been flushed (dp_bandstore_flush). */
doppel_status dp_bandstore_read_range(dp_bandstore *bs, unsigned j, uint64_t first, size_t count,
                                      uint32_t *out, doppel_error *err);
uint64_t dp_bandstore_count(const dp_bandstore *bs);
#endif
