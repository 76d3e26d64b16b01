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
#include "base/internal.h"
#include "copy/densify.h"

#include <xxhash.h>


/* Where one shingle goes in oph: bin << 32 | value. */
static inline uint64_t oph_entry(uint64_t hash, uint64_t s, unsigned k) {
    uint64_t h = dp_splitmix64(hash ^ s);
    return (((h >> 32) * (uint64_t)k) >> 32) << 32 | (uint32_t)h;
}

static void oph_entries_portable(const uint64_t *hashes, size_t count, uint64_t s, unsigned k,
                                 uint64_t *e) {
    for (size_t j = 0; j < count; j++) e[j] = oph_entry(hashes[j], s, k);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_OPH_AVX512 1

/* oph_entry on eight, then four shingles at once: splitmix64's two 64-bit
 * multiplies are what a scalar loop waits on (see mix_windows_avx512 in
 * shingle.c for the vector widths and the zeroupper). */
__attribute__((target("avx512f,avx512dq,avx512vl"))) static void oph_entries_avx512(
    const uint64_t *hashes, size_t count, uint64_t s, unsigned k, uint64_t *e) {
    const __m256i seed = _mm256_set1_epi64x((long long)s);
    const __m256i golden = _mm256_set1_epi64x((long long)0x9E3779B97F4A7C15ULL);
    const __m256i mul1 = _mm256_set1_epi64x((long long)0xBF58476D1CE4E5B9ULL);
    const __m256i mul2 = _mm256_set1_epi64x((long long)0x94D049BB133111EBULL);
    const __m256i bins = _mm256_set1_epi64x((long long)k);
    size_t j = 0;
    /* Eight at a time first, as mix_windows_avx512 (shingle.c) does. */
    const __m512i seed8 = _mm512_set1_epi64((long long)s);
    const __m512i golden8 = _mm512_set1_epi64((long long)0x9E3779B97F4A7C15ULL);
    const __m512i mul1_8 = _mm512_set1_epi64((long long)0xBF58476D1CE4E5B9ULL);
    const __m512i mul2_8 = _mm512_set1_epi64((long long)0x94D049BB133111EBULL);
    const __m512i bins8 = _mm512_set1_epi64((long long)k);
    for (; j + 8 <= count; j += 8) {
        __m512i x = _mm512_loadu_si512(hashes + j);
        x = _mm512_add_epi64(_mm512_xor_si512(x, seed8), golden8);
        x = _mm512_mullo_epi64(_mm512_xor_si512(x, _mm512_srli_epi64(x, 30)), mul1_8);
        x = _mm512_mullo_epi64(_mm512_xor_si512(x, _mm512_srli_epi64(x, 27)), mul2_8);
        x = _mm512_xor_si512(x, _mm512_srli_epi64(x, 31));
        __m512i bin = _mm512_mul_epu32(_mm512_srli_epi64(x, 32), bins8);
        _mm512_storeu_si512(e + j, _mm512_mask_blend_epi32(0xAAAA, x, bin));
    }
    for (; j + 4 <= count; j += 4) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(hashes + j));
        x = _mm256_add_epi64(_mm256_xor_si256(x, seed), golden);
        x = _mm256_mullo_epi64(_mm256_xor_si256(x, _mm256_srli_epi64(x, 30)), mul1);
        x = _mm256_mullo_epi64(_mm256_xor_si256(x, _mm256_srli_epi64(x, 27)), mul2);
        x = _mm256_xor_si256(x, _mm256_srli_epi64(x, 31));
        /* (h >> 32) * k as a 32 x 32 -> 64-bit multiply; its upper half is
         * the bin, the upper half of each entry. */
        __m256i bin = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), bins);
        _mm256_storeu_si256((__m256i *)(void *)(e + j), _mm256_blend_epi32(x, bin, 0xAA));
    }
    _mm256_zeroupper();
    oph_entries_portable(hashes + j, count - j, s, k, e + j);
}
#endif

static void oph(const uint64_t *hashes, size_t count, uint64_t seed, unsigned k, uint32_t *sig,
                int portable) {
    /* A bin is empty while its 64-bit slot holds UINT64_MAX; values are 32 bits. */
    uint64_t bins[DP_MAX_PERM];
    for (unsigned i = 0; i < k; i++) bins[i] = UINT64_MAX;
    /* Re-mix with the sketch seed so the bin choice is independent of the
     * shingle hash seed the spill and the exact set use. */
    uint64_t s = dp_splitmix64(seed ^ 0x5851F42D4C957F2DULL);
    /* The entries a chunk at a time, then the bins' minimums: the hashing
     * becomes a loop without memory dependencies, which vectorizes. */
    enum { CHUNK = 256 };
    uint64_t e[CHUNK];
#ifdef HAVE_OPH_AVX512
    int vector = !portable && dp_cpu_avx512();
#else
    (void)portable;
#endif
    for (size_t base = 0; base < count; base += CHUNK) {
        size_t m = DP_MIN(count - base, (size_t)CHUNK);
#ifdef HAVE_OPH_AVX512
        if (vector) oph_entries_avx512(hashes + base, m, s, k, e);
        else
#endif
            oph_entries_portable(hashes + base, m, s, k, e);
        for (size_t j = 0; j < m; j++) {
            unsigned bin = (unsigned)(e[j] >> 32);
            uint64_t v = (uint32_t)e[j];
            if (v < bins[bin]) bins[bin] = v;
        }
    }
    unsigned empty = 0;
    for (unsigned i = 0; i < k; i++) empty += bins[i] == UINT64_MAX;
    if (empty == k) {
        for (unsigned i = 0; i < k; i++) sig[i] = 0;
        return;
    }
    /* Few bins filled: each empty one borrows from its filled bin of least
     * rank (densify.c), the bin its probe sequence meets first. */
    unsigned filled = k - empty;
    const uint16_t *rank = (uint64_t)filled * filled < k ? dp_densify_ranks(s, k) : NULL;
    unsigned full[DP_MAX_PERM], nfull = 0;
    if (rank)
        for (unsigned i = 0; i < k; i++)
            if (bins[i] != UINT64_MAX) full[nfull++] = i;
    for (unsigned i = 0; i < k; i++) {
        if (bins[i] != UINT64_MAX) {
            sig[i] = (uint32_t)bins[i];
            continue;
        }
        if (rank) {
            const uint16_t *r = rank + (size_t)i * k;
            unsigned from = full[0];
            for (unsigned j = 1; j < nfull; j++)
                if (r[full[j]] < r[from]) from = full[j];
            sig[i] = (uint32_t)bins[from];
            continue;
        }
        for (uint64_t attempt = 1;; attempt++) {
            unsigned from = dp_densify_probe(s, i, attempt, k);
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
        uint64_t a = dp_splitmix64(seed + 2 * i) | 1, b = dp_splitmix64(seed + 2 * i + 1);
        uint32_t m = UINT32_MAX;
        for (size_t j = 0; j < count; j++) {
            uint32_t v = (uint32_t)((a * hashes[j] + b) >> 32);
            if (v < m) m = v;
        }
        sig[i] = count ? m : 0;
    }
}

static void minhash(doppel_sketch_kind kind, const uint64_t *hashes, size_t count, uint64_t seed,
                    unsigned num_perm, uint32_t *sig, int portable) {
    if (kind == DOPPEL_SKETCH_CLASSIC) classic(hashes, count, seed, num_perm, sig);
    else oph(hashes, count, seed, num_perm, sig, portable);
}

void doppel_minhash(doppel_sketch_kind kind, const uint64_t *hashes, size_t count,
                    uint64_t seed, unsigned num_perm, uint32_t *sig) {
    minhash(kind, hashes, count, seed, num_perm, sig, 0);
}

void dp_minhash_portable(doppel_sketch_kind kind, const uint64_t *hashes, size_t count,
                         uint64_t seed, unsigned num_perm, uint32_t *sig) {
    minhash(kind, hashes, count, seed, num_perm, sig, 1);
}

double doppel_minhash_jaccard(const uint32_t *a, const uint32_t *b, unsigned num_perm) {
    if (!num_perm) return 0.0;
    unsigned eq = 0;
    for (unsigned i = 0; i < num_perm; i++) eq += a[i] == b[i];
    return (double)eq / num_perm;
}
