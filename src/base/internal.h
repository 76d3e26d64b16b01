/*
 * internal.h — helpers shared by the library's modules; not installed.
 *
 * All heap allocation goes through dp_malloc/dp_calloc/dp_realloc/dp_free so
 * the library can report how much memory it holds (doppel_index_stats) and a
 * caller can keep a budget. The counter is process-wide and atomic.
 */
#ifndef DOPPEL_INTERNAL_H
#define DOPPEL_INTERNAL_H

#include "doppel.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- counted allocation ---------------------------------------------- */
void *dp_malloc(size_t size);
void *dp_calloc(size_t count, size_t size);
/* Grow or shrink; old_size must be the size previously allocated. */
void *dp_realloc(void *ptr, size_t old_size, size_t new_size);
void dp_free(void *ptr, size_t size);
/* size bytes (a multiple of 2 MiB) of zeroed pages mapped on their own,
 * 2 MiB-aligned and offered to the kernel's huge pages; counted like the
 * heap, and freed with dp_unmap. Long-lived blocks taken from malloc's
 * heap in the middle of a run pin its top: what is freed below them stays
 * in the resident set. NULL when out of memory. */
void *dp_map(size_t size);
void dp_unmap(void *ptr, size_t size);
char *dp_strndup(const char *s, size_t len);
/* Heap bytes currently held through the wrappers, and the most ever held. */
uint64_t dp_mem_in_use(void);
uint64_t dp_mem_peak(void);

/* Grow *arr (element size elem) so it holds at least need elements. */
doppel_status dp_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* ---- errors ------------------------------------------------------------ */
/* Fill err (when non-NULL) and return code. */
doppel_status dp_fail(doppel_error *err, doppel_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- buffers ----------------------------------------------------------- */
doppel_status dp_buf_reserve(doppel_buf *b, size_t need);
doppel_status dp_buf_append(doppel_buf *b, const void *data, size_t len);
static inline doppel_status dp_buf_putc(doppel_buf *b, char c) {
    if (b->len + 1 >= b->cap) {
        doppel_status st = dp_buf_reserve(b, b->len + 2);
        if (st != DOPPEL_OK) return st;
    }
    b->data[b->len++] = c;
    return DOPPEL_OK;
}
/* Ensure data is NUL-terminated at len (not counted in len). */
doppel_status dp_buf_terminate(doppel_buf *b);

/* Most MinHash values per document doppel_config_validate accepts. */
#define DP_MAX_PERM 1024

/* Defaults whose values come from measurements (see README, "Choosing the
 * defaults"); kept here so the header's documentation and the code agree. */
#define DOPPEL_DEFAULT_THRESHOLD 0.5
#define DOPPEL_DEFAULT_LOW_THRESHOLD 0.15
#define DOPPEL_DEFAULT_MIN_SHARED 50
#define DOPPEL_DEFAULT_MIN_CONTAINED 40
#define DOPPEL_LSH_MARGIN 0.8

/* The Jaccard level the LSH is shaped for (cfg->lsh_threshold or derived). */
double dp_lsh_threshold(const doppel_config *cfg);

/* ---- UTF-8 ------------------------------------------------------------ */
/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is invalid. */
size_t dp_utf8_seq_len(const unsigned char *s, size_t avail);
/* Offset of the first byte of in[0..len) that starts no valid UTF-8
 * sequence, or len when all of it is valid. */
size_t dp_utf8_first_invalid(const char *in, size_t len);
/* Copy in to out with each invalid byte replaced by U+FFFD; returns the number
 * replaced, or SIZE_MAX when out of memory. */
size_t dp_utf8_repair(const char *in, size_t len, doppel_buf *out);
/* doppel_normalize one byte at a time, without the 16-byte ASCII blocks:
 * the reference the tests hold the block path to. */
doppel_status dp_normalize_bytewise(const char *text, size_t len, doppel_buf *out,
                                    doppel_norm_stats *stats);

/* ---- vector paths chosen at run time --------------------------------- */
/* Built for the baseline CPU, doppel uses AVX-512 (F, DQ and VL: 64-bit
 * multiplies on 256-bit vectors) only where this says the CPU has it. */
int dp_cpu_avx512(void);
/* AVX-512 BW and VBMI2 (byte compares and compression) and BMI2: the
 * normalizer's 64-byte blocks. */
int dp_cpu_avx512_vbmi2(void);
/* AVX-512 BW (byte compares into masks), BMI, BMI2 and POPCNT: the word
 * counts of extraction. */
int dp_cpu_avx512bw(void);
/* AVX-512 BW and VBMI (byte permutes across a whole vector): the legal-text
 * filter of extraction. */
int dp_cpu_avx512_vbmi(void);
/* AVX2 and POPCNT: the set intersections of verification. */
int dp_cpu_avx2(void);
/* doppel_shingle and doppel_minhash without the vector instructions they
 * pick at run time: the reference the tests hold the vector paths to. */
/* doppel_shingle, also leaving the 32-bit hashes of the first max words in
 * text order in *words (grown; *cap in values) for alignment; returns their
 * count, or -1 when out of memory (copy/shingle.c). */
long dp_shingle_with_words(const char *norm, size_t len, doppel_shingle_kind kind, unsigned n,
                           uint64_t seed, doppel_hashes *out, uint32_t max, uint32_t **words,
                           size_t *cap);
doppel_status dp_shingle_portable(const char *norm, size_t len, doppel_shingle_kind kind,
                                  unsigned n, uint64_t seed, doppel_hashes *out);
void dp_minhash_portable(doppel_sketch_kind kind, const uint64_t *hashes, size_t count,
                         uint64_t seed, unsigned num_perm, uint32_t *sig);

/* Threads a batch may use; doppel_config_validate enforces it. */
#define DP_MAX_THREADS 256
/* The smallest limit the cgroup hierarchies under root (v2 at root, v1 at
 * root/cpu and root/memory) set on the process whose cgroup file (as
 * /proc/self/cgroup) is proc_file, or 0 for none: CPU quota in cores
 * (rounded up), memory in bytes. Parameters so that tests can fake both. */
uint64_t dp_cgroup_cpu_limit(const char *root, const char *proc_file);
uint64_t dp_cgroup_memory_limit(const char *root, const char *proc_file);

#define DP_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DP_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
