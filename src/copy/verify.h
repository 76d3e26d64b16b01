/* verify.h — exact similarity of shingle sets (internal). */
#ifndef DOPPEL_VERIFY_H
#define DOPPEL_VERIFY_H
#include "base/internal.h"

/* Size of the intersection of two sorted, duplicate-free arrays. */
uint32_t dp_intersect_count(const uint32_t *a, size_t na, const uint32_t *b, size_t nb);
/* The paths of dp_intersect_count, widest last. */
typedef enum {
    DP_INTERSECT_MERGE,  /* one value at a time */
    DP_INTERSECT_SSE2,   /* four (the merge alone without SSE2) */
    DP_INTERSECT_AVX2,   /* eight */
    DP_INTERSECT_AVX512, /* sixteen, then eight */
    DP_INTERSECT_BEST = DP_INTERSECT_AVX512
} dp_intersect_path;
/* dp_intersect_count through `path` or the widest narrower one the CPU
 * has (dp_cpu_*): the unit tests hold every path to the merge. */
uint32_t dp_intersect_count_path(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                                 dp_intersect_path path);
/* Jaccard and containments from set sizes and the intersection size. */
doppel_similarity dp_similarity(size_t na, size_t nb, uint32_t shared);
/* Similarity estimated from two signatures and the set sizes (fast mode). */
doppel_similarity dp_similarity_estimate(const uint32_t *sa, const uint32_t *sb, unsigned k,
                                         size_t na, size_t nb);
/* The 32-bit set form of 64-bit shingle hashes: folded, sorted, unique.
 * out and tmp must hold n values; returns the set size. */
size_t dp_make_set32(const uint64_t *hashes, size_t n, uint32_t *out, uint32_t *tmp);
#endif
