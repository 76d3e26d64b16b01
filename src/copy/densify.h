/*
 * densify.h — the probe order of optimal densification (internal; see
 * densify.c and minhash.c).
 */
#ifndef DOPPEL_DENSIFY_H
#define DOPPEL_DENSIFY_H
#include "base/internal.h"

static inline uint64_t dp_splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/* The bin that empty bin i of k probes at this attempt (1, 2, ...), under
 * the sketch's re-mixed seed s: it borrows from the first non-empty one. */
static inline unsigned dp_densify_probe(uint64_t s, unsigned i, uint64_t attempt, unsigned k) {
    uint64_t p = dp_splitmix64(s ^ ((uint64_t)i << 32) ^ attempt);
    return (unsigned)(((p >> 32) * (uint64_t)k) >> 32);
}

/* For sketches of k bins under seed s: rank[i * k + f] is the order in which
 * bin f first appears on empty bin i's probe sequence (0 = first). The
 * first non-empty bin on the sequence is the non-empty bin of least rank,
 * so a document that filled few bins finds it in as many steps as it has
 * filled bins, not the ~k / filled probes of the walk. Built once per
 * (s, k) and kept for the life of the process (a few per process: one per
 * seed and size in use; 32 KiB at k = 128). NULL when out of memory or the
 * cache is full: walk the sequence instead. Thread-safe. */
const uint16_t *dp_densify_ranks(uint64_t s, unsigned k);

#endif
