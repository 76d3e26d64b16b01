/*
 * minhash.c — MinHash signatures of shingle sets.
 *
 * Default scheme: one-permutation hashing (Li, Owen & Zhang 2012) with
 * optimal densification (Shrivastava 2017). Each 64-bit shingle hash is used
 * once: its top bits choose one of k bins, its low 32 bits are the value, and
 * each bin keeps its minimum. Cost is one pass over the shingles, O(n + k),
 * instead of classic MinHash's O(n * k) — at k = 128 that is the difference
 * between hashing at memory speed and not.
 *
 * Bins no shingle fell into (documents with fewer shingles than bins, or by
 * chance) are filled by densification: empty bin i borrows the value of the
 * first non-empty bin on a probe sequence that depends only on (i, attempt,
 * seed). Both documents of a pair use the same sequence, so two similar
 * documents borrow from the same bins and the collision probability of every
 * bin stays equal to the Jaccard similarity.
 *
 * The classic scheme (k multiply-shift hash functions, minimum of each) is
 * kept as a reference for the accuracy tests and as an option.
 */
#include "internal.h"

#include <xxhash.h>

static inline uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

static void oph(const uint64_t *hashes, size_t count, uint64_t seed, unsigned k, uint32_t *sig) {
    /* A bin is empty while its 64-bit slot holds UINT64_MAX; values are 32 bits. */
    uint64_t bins[DP_MAX_PERM];
    for (unsigned i = 0; i < k; i++) bins[i] = UINT64_MAX;
    /* Re-mix with the sketch seed so the bin choice is independent of the
     * shingle hash seed the spill and the exact set use. */
    uint64_t s = splitmix64(seed ^ 0x5851F42D4C957F2DULL);
    for (size_t j = 0; j < count; j++) {
        uint64_t h = splitmix64(hashes[j] ^ s);
        unsigned bin = (unsigned)(((h >> 32) * (uint64_t)k) >> 32);
        uint64_t v = (uint32_t)h;
        if (v < bins[bin]) bins[bin] = v;
    }
    unsigned empty = 0;
    for (unsigned i = 0; i < k; i++) empty += bins[i] == UINT64_MAX;
    if (empty == k) {
        for (unsigned i = 0; i < k; i++) sig[i] = 0;
        return;
    }
    for (unsigned i = 0; i < k; i++) {
        if (bins[i] != UINT64_MAX) {
            sig[i] = (uint32_t)bins[i];
            continue;
        }
        for (uint64_t attempt = 1;; attempt++) {
            uint64_t p = splitmix64(s ^ ((uint64_t)i << 32) ^ attempt);
            unsigned from = (unsigned)(((p >> 32) * (uint64_t)k) >> 32);
            if (bins[from] != UINT64_MAX) {
                sig[i] = (uint32_t)bins[from];
                break;
            }
        }
    }
}

static void classic(const uint64_t *hashes, size_t count, uint64_t seed, unsigned k,
                    uint32_t *sig) {
    for (unsigned i = 0; i < k; i++) {
        uint64_t a = splitmix64(seed + 2 * i) | 1, b = splitmix64(seed + 2 * i + 1);
        uint32_t m = UINT32_MAX;
        for (size_t j = 0; j < count; j++) {
            uint32_t v = (uint32_t)((a * hashes[j] + b) >> 32);
            if (v < m) m = v;
        }
        sig[i] = count ? m : 0;
    }
}

void doppel_minhash(doppel_sketch_kind kind, const uint64_t *hashes, size_t count,
                    uint64_t seed, unsigned num_perm, uint32_t *sig) {
    if (kind == DOPPEL_SKETCH_CLASSIC) classic(hashes, count, seed, num_perm, sig);
    else oph(hashes, count, seed, num_perm, sig);
}

double doppel_minhash_jaccard(const uint32_t *a, const uint32_t *b, unsigned num_perm) {
    if (!num_perm) return 0.0;
    unsigned eq = 0;
    for (unsigned i = 0; i < num_perm; i++) eq += a[i] == b[i];
    return (double)eq / num_perm;
}
