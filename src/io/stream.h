/* stream.h — a byte stream over a file descriptor that undoes gzip, zstd,
 * bzip2 or xz compression when the data starts with their magic bytes (internal). */
#ifndef DOPPEL_STREAM_H
#define DOPPEL_STREAM_H
#include "base/internal.h"

typedef struct dp_stream dp_stream;

/* Takes ownership of fd (closed by dp_stream_free). name is for messages. */
doppel_status dp_stream_open(int fd, const char *name, dp_stream **out, doppel_error *err);
/* Read up to cap bytes; returns bytes read (0 at end) or -1 with err set
 * (a truncated or corrupt compressed stream, or a read error). */
long dp_stream_read(dp_stream *s, char *buf, size_t cap, doppel_error *err);
/* Compressed bytes consumed from the file so far. */
uint64_t dp_stream_raw_bytes(const dp_stream *s);
void dp_stream_free(dp_stream *s);
#endif
