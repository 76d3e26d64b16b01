/*
 * shingle.c — hash the n-gram shingles of normalized text.
 *
 * Word shingles: every word is hashed once (xxh3, seeded), then each window
 * of n word hashes is mixed into one 64-bit shingle hash. Hashing words once
 * instead of re-hashing n-word byte spans makes the cost per byte constant
 * whatever n is. Character shingles hash each window of n code points of the
 * normalized text (spaces included, so word boundaries count).
 *
 * A text with fewer than n units (but at least one) gives one shingle over all
 * of it: short documents then still match their exact and near copies.
 */
#include "base/internal.h"
#include "copy/align.h"

#include <stdlib.h>
#include <string.h>
/* Inlined from the system header: word hashes are short, and a call into the
 * shared library per word costs more than the hash itself. */
#define XXH_INLINE_ALL
#include <xxhash.h>

void doppel_hashes_free(doppel_hashes *h) {
    if (!h) return;
    dp_free(h->v, h->cap * sizeof *h->v);
    h->v = NULL;
    h->len = h->cap = 0;
}

static doppel_status hashes_push(doppel_hashes *h, uint64_t v) {
    if (h->len == h->cap) {
        if (dp_grow((void **)&h->v, &h->cap, h->len + 1, sizeof *h->v)) return DOPPEL_ERR_NOMEM;
    }
    h->v[h->len++] = v;
    return DOPPEL_OK;
}

/* Mix a window of word hashes: order-sensitive (each step multiplies and
 * rotates the accumulator before the next word), finished with the
 * splitmix64 finalizer so every input bit reaches every output bit. The word
 * hashes are already seeded, so the window needs no seed of its own. */
static inline uint64_t mix_window(const uint64_t *w, unsigned n) {
    uint64_t acc = w[0];
    /* Unrolled whole for a constant n (word_shingles passes the default 5):
     * the loop's own counting and branching cost as much as the mixing. */
#pragma GCC unroll 8
    for (unsigned k = 1; k < n; k++) {
        acc *= 0x9E3779B97F4A7C15ULL;
        acc = (acc << 29 | acc >> 35) ^ w[k];
    }
    acc ^= acc >> 30;
    acc *= 0xBF58476D1CE4E5B9ULL;
    acc ^= acc >> 27;
    acc *= 0x94D049BB133111EBULL;
    return acc ^ (acc >> 31);
}

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Bit k: p[k] is a space, for the n <= 64 bytes at p. */
static inline uint64_t space_mask(const char *p, size_t n) {
#ifdef __SSE2__
    if (n == 64) {
        const __m128i sp = _mm_set1_epi8(' ');
        uint64_t m = 0;
        for (int k = 0; k < 4; k++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
            m |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, sp)) << (16 * k);
        }
        return m;
    }
#endif
    uint64_t m = 0;
    for (size_t k = 0; k < n; k++) m |= (uint64_t)(p[k] == ' ') << k;
    return m;
}

/* Words wait in a batch and are hashed grouped by length class. xxh3 takes
 * a different path for 1-3, 4-8, 9-16 and longer inputs, and the words of a
 * text jump between those at random, so hashed in text order the length
 * tests are a coin toss for the branch predictor. Hashed class by class,
 * each run of calls takes one path. The hashes still land in text order. */
enum { WORD_BATCH = 256, WORD_CLASSES = 4 };

static const size_t class_min[WORD_CLASSES] = {1, 4, 9, 17};
static const size_t class_max[WORD_CLASSES] = {3, 8, 16, SIZE_MAX};

typedef struct {
    size_t start[WORD_BATCH], len[WORD_BATCH];
    uint16_t member[WORD_CLASSES][WORD_BATCH];  /* batch positions, by class */
} word_batch;

/* Hash the n words of the batch to the end of out, in text order; members
 * holds the size of each class, 16 bits each. Flattened, with the class
 * loop unrolled and each class's length range promised: xxh3 is inlined
 * into every class's loop, and its tests on the length fold away there. */
__attribute__((flatten)) static doppel_status batch_flush(const word_batch *b, unsigned n,
                                                          uint64_t members, const char *norm,
                                                          uint64_t seed, doppel_hashes *out) {
    if (n == 0) return DOPPEL_OK;  /* a text without words may have no array yet */
    if (dp_grow((void **)&out->v, &out->cap, out->len + n, sizeof *out->v))
        return DOPPEL_ERR_NOMEM;
    uint64_t *h = out->v + out->len;
#pragma GCC unroll 4
    for (unsigned c = 0; c < WORD_CLASSES; c++) {
        unsigned count = (unsigned)(members >> (16 * c)) & 0xFFFF;
        for (unsigned k = 0; k < count; k++) {
            unsigned i = b->member[c][k];
            size_t len = b->len[i];
            if (len < class_min[c] || len > class_max[c]) __builtin_unreachable();
            h[i] = XXH3_64bits_withSeed(norm + b->start[i], len, seed);
        }
    }
    out->len += n;
    return DOPPEL_OK;
}

/* Hash every word of norm (the bytes between spaces; empty ones skipped)
 * into out. Spaces are found 64 bytes at a time from a bit mask: a word
 * costs a count-trailing-zeros, not a memchr call. */
static doppel_status hash_words(const char *norm, size_t len, uint64_t seed, doppel_hashes *out) {
    word_batch b;
    unsigned n = 0;
    /* The four class sizes, 16 bits each, in one integer that stays in a
     * register: as an array they cost a store and a load per word. */
    uint64_t members = 0;
    size_t start = 0, base = 0;
    for (; base <= len; base += 64) {
        uint64_t sp = base < len ? space_mask(norm + base, DP_MIN(len - base, (size_t)64)) : 0;
        /* The end of the text ends the last word as a space would. */
        if (len - base < 64) sp |= (uint64_t)1 << (len - base);
        for (; sp; sp &= sp - 1) {
            size_t j = base + (size_t)__builtin_ctzll(sp);
            if (j > start) {
                size_t wl = j - start;
                unsigned shift = 16 * ((wl > class_max[0]) + (wl > class_max[1]) +
                                       (wl > class_max[2]));
                b.start[n] = start;
                b.len[n] = wl;
                b.member[shift / 16][(members >> shift) & 0xFFFF] = (uint16_t)n;
                members += (uint64_t)1 << shift;
                if (++n == WORD_BATCH) {
                    if (batch_flush(&b, n, members, norm, seed, out)) return DOPPEL_ERR_NOMEM;
                    n = 0;
                    members = 0;
                }
            }
            start = j + 1;
        }
    }
    return batch_flush(&b, n, members, norm, seed, out);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_SPLIT_AVX512 1

/* hash_words in three steps, for the CPU with AVX-512 VBMI2: the scan
 * only records where words start and end, 64 bytes at a time; the words
 * are put in their classes sixteen at a time by vector compares and
 * compresses; then each class is hashed as in batch_flush. Taking the
 * words one by one (a loop per word that mispredicts its exit once a
 * window, a class test, a counter kept in a register, a store through it)
 * cost more than twice the hashing itself. Offsets are 32-bit, so texts of
 * 4 GiB or more take hash_words. */
typedef struct {
    /* + 32: a window adds whole vectors of 16 offsets, of which only the
     * first ones count, and so does a class. */
    uint32_t start[WORD_BATCH + 32], len[WORD_BATCH + 32];
    uint32_t pos[WORD_CLASSES][WORD_BATCH + 32];  /* the words of each class */
} split_batch;

/* Turn b->len from the offsets of the words' ends into their lengths, and
 * list the n words of b by class (pos); count[c] gets the size of class c. */
__attribute__((target("avx512f"))) static void class_words_avx512(split_batch *b, unsigned n,
                                                                  unsigned count[WORD_CLASSES]) {
    unsigned cur[WORD_CLASSES] = {0};
    const __m512i iota = _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    for (unsigned i = 0; i < n; i += 16) {
        __mmask16 live = n - i >= 16 ? 0xFFFF : (__mmask16)((1u << (n - i)) - 1);
        __m512i ln = _mm512_sub_epi32(_mm512_maskz_loadu_epi32(live, b->len + i),
                                      _mm512_maskz_loadu_epi32(live, b->start + i));
        _mm512_mask_storeu_epi32(b->len + i, live, ln);
        __m512i pos = _mm512_add_epi32(iota, _mm512_set1_epi32((int)i));
        __mmask16 le[WORD_CLASSES - 1];
        for (unsigned c = 0; c + 1 < WORD_CLASSES; c++)
            le[c] = _mm512_mask_cmple_epu32_mask(live, ln, _mm512_set1_epi32((int)class_max[c]));
        const __mmask16 in[WORD_CLASSES] = {le[0], le[1] & ~le[0], le[2] & ~le[1],
                                            live & ~le[2]};
        for (unsigned c = 0; c < WORD_CLASSES; c++) {
            /* Compressed in a register and stored whole: the compressing
             * store is microcoded and slow on some cores. */
            _mm512_storeu_si512(b->pos[c] + cur[c], _mm512_maskz_compress_epi32(in[c], pos));
            cur[c] += (unsigned)__builtin_popcount(in[c]);
        }
    }
    for (unsigned c = 0; c < WORD_CLASSES; c++) count[c] = cur[c];
    _mm256_zeroupper();  /* see mix_windows_avx512 */
}

/* batch_flush for a split_batch of n words (offsets into norm). */
__attribute__((flatten)) static doppel_status split_flush(split_batch *b, unsigned n,
                                                          const char *norm, uint64_t seed,
                                                          doppel_hashes *out) {
    if (n == 0) return DOPPEL_OK;
    if (dp_grow((void **)&out->v, &out->cap, out->len + n, sizeof *out->v))
        return DOPPEL_ERR_NOMEM;
    unsigned count[WORD_CLASSES];
    class_words_avx512(b, n, count);
    uint64_t *h = out->v + out->len;
#pragma GCC unroll 4
    for (unsigned c = 0; c < WORD_CLASSES; c++) {
        for (unsigned k = 0; k < count[c]; k++) {
            unsigned i = b->pos[c][k];
            size_t len = b->len[i];
            if (len < class_min[c] || len > class_max[c]) __builtin_unreachable();
            h[i] = XXH3_64bits_withSeed(norm + b->start[i], len, seed);
        }
    }
    out->len += n;
    return DOPPEL_OK;
}

#define SPLIT_TARGET "avx512f,avx512bw,avx512vbmi2,bmi,bmi2,popcnt"
#define SHORT_TARGET SPLIT_TARGET ",avx512dq,avx512vl"

/* split_flush for a CPU that also multiplies 64-bit lanes (AVX-512DQ):
 * the words of up to 8 bytes, most words of prose, hashed eight at a time
 * in text order, the rest (longer ones, and a short one too near the end
 * of the text to read 4 bytes at its start) one by one afterwards. The
 * lanes compute XXH3_64bits_withSeed as xxHash's specification defines it
 * for 1-3 bytes (the first, middle and last byte, the length, a 32-bit
 * secret word, the XXH64 avalanche) and 4-8 bytes (the first and last 4
 * bytes, two 64-bit secret words, the rrmxmx mix); test_sketch checks
 * them against the library for every length. Scalar, the calls cost 4 ns
 * a word, and classing the words for the branch predictor 1 more. */
__attribute__((target(SHORT_TARGET))) static doppel_status split_flush_short(
    split_batch *b, unsigned n, const char *norm, size_t len, uint64_t seed,
    doppel_hashes *out) {
    if (n == 0) return DOPPEL_OK;
    if (dp_grow((void **)&out->v, &out->cap, out->len + n, sizeof *out->v))
        return DOPPEL_ERR_NOMEM;
    uint64_t *h = out->v + out->len;
    const uint8_t *sec = XXH3_kSecret;
    uint64_t seed48 = seed ^ ((uint64_t)XXH_swap32((uint32_t)seed) << 32);
    const __m512i flip48 = _mm512_set1_epi64(
        (long long)((XXH_readLE64(sec + 8) ^ XXH_readLE64(sec + 16)) - seed48));
    uint64_t flip13_1 = (uint64_t)(XXH_readLE32(sec) ^ XXH_readLE32(sec + 4)) + seed;
    const __m512i flip13 = _mm512_set1_epi64((long long)flip13_1);
    const __m512i rrmxmx = _mm512_set1_epi64((long long)0x9FB21C651E98DF25ULL);
    const __m512i prime2 = _mm512_set1_epi64((long long)XXH_PRIME64_2);
    const __m512i prime3 = _mm512_set1_epi64((long long)XXH_PRIME64_3);
    const __m512i s28 = _mm512_set1_epi64(28), s29 = _mm512_set1_epi64(29);
    const __m512i s32 = _mm512_set1_epi64(32), s35 = _mm512_set1_epi64(35);
    const __m256i iota = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0);
    const __m256i byte = _mm256_set1_epi32(0xFF), eight = _mm256_set1_epi32(8);
    /* A start at or below this has 4 readable bytes (none when len < 4). */
    const __m256i last4 = _mm256_set1_epi32((int)(uint32_t)(len >= 4 ? len - 4 : 0));
    uint32_t rest[WORD_BATCH + 32];
    unsigned nrest = 0;
    for (unsigned i = 0; i < n; i += 8) {
        __mmask8 live = n - i >= 8 ? 0xFF : (__mmask8)((1u << (n - i)) - 1);
        __m256i st = _mm256_maskz_loadu_epi32(live, b->start + i);
        __m256i ln = _mm256_sub_epi32(_mm256_maskz_loadu_epi32(live, b->len + i), st);
        __mmask8 vec = _mm256_mask_cmple_epu32_mask(live, ln, eight);
        vec = len >= 4 ? _mm256_mask_cmple_epu32_mask(vec, st, last4) : 0;
        __mmask8 four = _mm256_mask_cmpge_epu32_mask(vec, ln, _mm256_set1_epi32(4));
        __m256i g1 = _mm256_mmask_i32gather_epi32(_mm256_setzero_si256(), vec, st, norm, 1);
        __m256i g2 = _mm256_mmask_i32gather_epi32(
            _mm256_setzero_si256(), four,
            _mm256_add_epi32(st, _mm256_sub_epi32(ln, _mm256_set1_epi32(4))), norm, 1);
        __m512i ln64 = _mm512_cvtepu32_epi64(ln);
        /* Both lengths' finishes in one chain, the constants and shifts
         * chosen by lane: two multiplies a lane instead of four (the
         * 64-bit multiply is three micro-ops, on one port). */
        /* 4-8 bytes: the input and its first step */
        __m512i x = _mm512_xor_si512(
            _mm512_add_epi64(_mm512_cvtepu32_epi64(g2),
                             _mm512_slli_epi64(_mm512_cvtepu32_epi64(g1), 32)),
            flip48);
        x = _mm512_xor_si512(x, _mm512_xor_si512(_mm512_rol_epi64(x, 49), _mm512_rol_epi64(x, 24)));
        /* 1-3 bytes: all in g1 */
        __m256i c2 = _mm256_and_si256(
            _mm256_srlv_epi32(g1, _mm256_slli_epi32(_mm256_srli_epi32(ln, 1), 3)), byte);
        __m256i c3 = _mm256_and_si256(
            _mm256_srlv_epi32(g1, _mm256_slli_epi32(_mm256_sub_epi32(ln, _mm256_set1_epi32(1)), 3)),
            byte);
        __m256i comb = _mm256_or_si256(
            _mm256_or_si256(_mm256_slli_epi32(_mm256_and_si256(g1, byte), 16),
                            _mm256_slli_epi32(c2, 24)),
            _mm256_or_si256(c3, _mm256_slli_epi32(ln, 8)));
        __m512i y = _mm512_xor_si512(_mm512_cvtepu32_epi64(comb), flip13);
        y = _mm512_xor_si512(y, _mm512_srli_epi64(y, 33));
        /* rrmxmx (4-8) or the XXH64 avalanche (1-3) from here */
        __m512i z = _mm512_mask_blend_epi64(four, y, x);
        z = _mm512_mullo_epi64(z, _mm512_mask_blend_epi64(four, prime2, rrmxmx));
        z = _mm512_xor_si512(z, _mm512_add_epi64(_mm512_srlv_epi64(z, _mm512_mask_blend_epi64(four, s29, s35)),
                                                 _mm512_maskz_mov_epi64(four, ln64)));
        z = _mm512_mullo_epi64(z, _mm512_mask_blend_epi64(four, prime3, rrmxmx));
        z = _mm512_xor_si512(z, _mm512_srlv_epi64(z, _mm512_mask_blend_epi64(four, s32, s28)));
        _mm512_mask_storeu_epi64(h + i, live, z);
        /* Compressed in a register and stored whole (see class_words_avx512). */
        __mmask8 slow = live & (__mmask8)~vec;
        __m256i at = _mm256_add_epi32(iota, _mm256_set1_epi32((int)i));
        _mm256_storeu_si256((__m256i *)(void *)(rest + nrest),
                            _mm256_maskz_compress_epi32(slow, at));
        nrest += (unsigned)_mm_popcnt_u32(slow);
    }
    _mm256_zeroupper();
    for (unsigned k = 0; k < nrest; k++) {
        unsigned i = rest[k];
        h[i] = XXH3_64bits_withSeed(norm + b->start[i], b->len[i] - b->start[i], seed);
    }
    out->len += n;
    return DOPPEL_OK;
}

/* Append the offsets marked in mask (bits of the 64 bytes from base) to
 * to[0..), 32-bit; returns how many. At most 32: marks are word starts or
 * word ends, and two words need a space between them. */
__attribute__((target(SPLIT_TARGET))) static inline unsigned put_offsets(uint32_t *to,
                                                                          uint64_t mask,
                                                                          size_t base) {
    const __m512i iota = _mm512_set_epi8(
        63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42,
        41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20,
        19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    __m512i at = _mm512_maskz_compress_epi8(mask, iota);
    __m512i b32 = _mm512_set1_epi32((int)(uint32_t)base);
    _mm512_storeu_si512(to, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_castsi512_si128(at)), b32));
    _mm512_storeu_si512(to + 16, _mm512_add_epi32(
                                     _mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(at, 1)), b32));
    return (unsigned)_mm_popcnt_u64(mask);
}

/* hash_words with the scan done 64 bytes at a time by vector compresses
 * (word starts and ends from the space mask: no loop over the words) and
 * the classing by class_words_avx512. b.start holds offsets of word
 * starts, b.len first the offsets of their ends: a word that crosses a
 * window has its start in one window and its end in the next. */
__attribute__((target(SPLIT_TARGET))) static doppel_status hash_words_split(
    const char *norm, size_t len, uint64_t seed, doppel_hashes *out) {
    int lanes = dp_cpu_avx512();  /* split_flush_short's 64-bit multiplies */
    split_batch b;
    unsigned starts = 0, ends = 0;
    uint64_t carry = 0;  /* 1: the byte before the window is in a word */
    for (size_t base = 0; base <= len; base += 64) {
        size_t avail = DP_MIN(len - base, (size_t)64);
        uint64_t in = avail == 64 ? ~0ull : ((uint64_t)1 << avail) - 1;
        /* One 64-byte compare (a masked load past the end reads nothing). */
        uint64_t sp = _mm512_mask_cmpeq_epi8_mask(in, _mm512_maskz_loadu_epi8(in, norm + base),
                                                  _mm512_set1_epi8(' '));
        /* The end of the text ends the last word as a space would. */
        if (avail < 64) sp |= (uint64_t)1 << avail;
        uint64_t word = ~sp & in;
        uint64_t before = word << 1 | carry;  /* bit j: byte j - 1 is in a word */
        starts += put_offsets(b.start + starts, word & ~before, base);
        ends += put_offsets(b.len + ends, sp & before, base);
        carry = word >> 63;
        /* Hash the words completed so far once the next window could
         * overfill the batch; a started word (at most one) moves to the
         * front of the next. */
        if (starts + 32 > WORD_BATCH || base + 64 > len) {
            if (lanes ? split_flush_short(&b, ends, norm, len, seed, out)
                      : split_flush(&b, ends, norm, seed, out))
                return DOPPEL_ERR_NOMEM;
            for (unsigned k = ends; k < starts; k++) b.start[k - ends] = b.start[k];
            starts -= ends;
            ends = 0;
        }
    }
    _mm256_zeroupper();
    return DOPPEL_OK;
}
#endif

/* Each window of n word hashes at v, mixed into v[0..windows). In place:
 * window w only reads words w..w+n-1 >= w. */
static void mix_windows_portable(uint64_t *v, size_t windows, unsigned n) {
    /* The default n as a constant, so that the mixing loop is unrolled. */
    if (n == 5)
        for (size_t w = 0; w < windows; w++) v[w] = mix_window(v + w, 5);
    else
        for (size_t w = 0; w < windows; w++) v[w] = mix_window(v + w, n);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_MIX_AVX512 1

/* mix_window on eight windows at once: six 64-bit multiplies a window make
 * the scalar loop wait on the multiplier, and AVX-512DQ multiplies eight
 * lanes in one instruction. 512-bit vectors first: the 256-bit loop alone
 * (chosen once for the clock slow-down older Intel cores take for 512-bit
 * multiplies) left normalize + shingle 7% slower on a current Xeon
 * (2026-12-06, docs/performance.md); four at a time for the rest. A group
 * of windows is read before it is written, and later windows only read
 * words further on, so in place stays safe. */
__attribute__((target("avx512f,avx512dq,avx512vl"))) static void mix_windows_avx512(
    uint64_t *v, size_t windows, unsigned n) {
    const __m256i golden = _mm256_set1_epi64x((long long)0x9E3779B97F4A7C15ULL);
    const __m256i fin1 = _mm256_set1_epi64x((long long)0xBF58476D1CE4E5B9ULL);
    const __m256i fin2 = _mm256_set1_epi64x((long long)0x94D049BB133111EBULL);
    size_t w = 0;
    const __m512i golden_8 = _mm512_set1_epi64((long long)0x9E3779B97F4A7C15ULL);
    const __m512i fin1_8 = _mm512_set1_epi64((long long)0xBF58476D1CE4E5B9ULL);
    const __m512i fin2_8 = _mm512_set1_epi64((long long)0x94D049BB133111EBULL);
    for (; w + 8 <= windows; w += 8) {
        __m512i acc = _mm512_loadu_si512(v + w);
        for (unsigned k = 1; k < n; k++) {
            __m512i word = _mm512_loadu_si512(v + w + k);
            acc = _mm512_xor_si512(_mm512_rol_epi64(_mm512_mullo_epi64(acc, golden_8), 29), word);
        }
        acc = _mm512_mullo_epi64(_mm512_xor_si512(acc, _mm512_srli_epi64(acc, 30)), fin1_8);
        acc = _mm512_mullo_epi64(_mm512_xor_si512(acc, _mm512_srli_epi64(acc, 27)), fin2_8);
        acc = _mm512_xor_si512(acc, _mm512_srli_epi64(acc, 31));
        _mm512_storeu_si512(v + w, acc);
    }
    for (; w + 4 <= windows; w += 4) {
        __m256i acc = _mm256_loadu_si256((const __m256i *)(const void *)(v + w));
        for (unsigned k = 1; k < n; k++) {
            __m256i word = _mm256_loadu_si256((const __m256i *)(const void *)(v + w + k));
            acc = _mm256_xor_si256(_mm256_rol_epi64(_mm256_mullo_epi64(acc, golden), 29), word);
        }
        acc = _mm256_mullo_epi64(_mm256_xor_si256(acc, _mm256_srli_epi64(acc, 30)), fin1);
        acc = _mm256_mullo_epi64(_mm256_xor_si256(acc, _mm256_srli_epi64(acc, 27)), fin2);
        acc = _mm256_xor_si256(acc, _mm256_srli_epi64(acc, 31));
        _mm256_storeu_si256((__m256i *)(void *)(v + w), acc);
    }
    /* GCC emits no vzeroupper for this function, and with the upper halves
     * of the vector registers left dirty the SSE code that runs next (the
     * normalizer, xxh3) ran ~10% slower: clear them. */
    _mm256_zeroupper();
    mix_windows_portable(v + w, windows - w, n);
}
#endif

static void mix_windows(uint64_t *v, size_t windows, unsigned n, int portable) {
#ifdef HAVE_MIX_AVX512
    if (!portable && dp_cpu_avx512()) {
        mix_windows_avx512(v, windows, n);
        return;
    }
#endif
    (void)portable;
    mix_windows_portable(v, windows, n);
}

/* Where word_shingles also leaves each word's hash folded to 32 bits, in
 * text order (the first max words), for alignment; NULL: nowhere. */
typedef struct word_sink {
    uint32_t **v;
    size_t *cap;
    uint32_t max;
    size_t len;
} word_sink;

static doppel_status word_shingles_to(const char *norm, size_t len, unsigned n, uint64_t seed,
                                      int portable, doppel_hashes *out, word_sink *sink);

static doppel_status word_shingles(const char *norm, size_t len, unsigned n, uint64_t seed,
                                   int portable, doppel_hashes *out) {
    return word_shingles_to(norm, len, n, seed, portable, out, NULL);
}

static doppel_status word_shingles_to(const char *norm, size_t len, unsigned n, uint64_t seed,
                                      int portable, doppel_hashes *out, word_sink *sink) {
    /* First the word hashes, kept in out itself, then the windows overwrite
     * the front of the same array. */
    doppel_status st;
#ifdef HAVE_SPLIT_AVX512
    if (!portable && len < UINT32_MAX - 64 && dp_cpu_avx512_vbmi2())
        st = hash_words_split(norm, len, seed, out);
    else
#endif
        st = hash_words(norm, len, seed, out);
    if (st) return st;
    size_t words = out->len;
    if (sink) {
        /* The word hashes are already here: fold them for alignment before
         * the windows overwrite them (hashing words again cost a fifth of
         * a run). */
        size_t keep = DP_MIN(words, (size_t)sink->max);
        if (dp_grow((void **)sink->v, sink->cap, keep + 1, sizeof **sink->v)) return DOPPEL_ERR_NOMEM;
        for (size_t i = 0; i < keep; i++) (*sink->v)[i] = (uint32_t)(out->v[i] ^ out->v[i] >> 32);
        sink->len = keep;
    }
    if (words == 0) return DOPPEL_OK;
    if (words < n) {
        out->v[0] = mix_window(out->v, (unsigned)words);
        out->len = 1;
        return DOPPEL_OK;
    }
    size_t windows = words - n + 1;
    mix_windows(out->v, windows, n, portable);
    out->len = windows;
    return DOPPEL_OK;
}

static doppel_status char_shingles(const char *norm, size_t len, unsigned n, uint64_t seed,
                                   doppel_hashes *out) {
    /* Offsets of code point starts, kept in out temporarily. */
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)norm[i] & 0xC0) != 0x80 && hashes_push(out, i)) return DOPPEL_ERR_NOMEM;
    size_t cps = out->len;
    if (cps == 0) return DOPPEL_OK;
    if (cps < n) {
        out->v[0] = XXH3_64bits_withSeed(norm, len, seed);
        out->len = 1;
        return DOPPEL_OK;
    }
    size_t windows = cps - n + 1;
    for (size_t w = 0; w < windows; w++) {
        size_t from = (size_t)out->v[w];
        size_t to = w + n < cps ? (size_t)out->v[w + n] : len;
        out->v[w] = XXH3_64bits_withSeed(norm + from, to - from, seed);
    }
    out->len = windows;
    return DOPPEL_OK;
}

static doppel_status shingle(const char *norm, size_t len, doppel_shingle_kind kind, unsigned n,
                             uint64_t seed, int portable, doppel_hashes *out) {
    out->len = 0;
    if (n == 0) return DOPPEL_ERR_ARG;
    return kind == DOPPEL_SHINGLE_CHAR ? char_shingles(norm, len, n, seed, out)
                                       : word_shingles(norm, len, n, seed, portable, out);
}

doppel_status doppel_shingle(const char *norm, size_t len, doppel_shingle_kind kind,
                             unsigned n, uint64_t seed, doppel_hashes *out) {
    return shingle(norm, len, kind, n, seed, 0, out);
}

long dp_shingle_with_words(const char *norm, size_t len, doppel_shingle_kind kind, unsigned n,
                           uint64_t seed, doppel_hashes *out, uint32_t max, uint32_t **words,
                           size_t *cap) {
    if (kind != DOPPEL_SHINGLE_WORD || n == 0) {
        if (shingle(norm, len, kind, n, seed, 0, out)) return -1;
        return dp_word_hashes(norm, len, seed, max, words, cap);
    }
    out->len = 0;
    word_sink sink = {words, cap, max, 0};
    if (word_shingles_to(norm, len, n, seed, 0, out, &sink)) return -1;
    return (long)sink.len;
}

doppel_status dp_shingle_portable(const char *norm, size_t len, doppel_shingle_kind kind,
                                  unsigned n, uint64_t seed, doppel_hashes *out) {
    return shingle(norm, len, kind, n, seed, 1, out);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void doppel_hashes_make_set(doppel_hashes *h) {
    if (h->len < 2) return;
    qsort(h->v, h->len, sizeof *h->v, cmp_u64);
    size_t k = 1;
    for (size_t i = 1; i < h->len; i++)
        if (h->v[i] != h->v[k - 1]) h->v[k++] = h->v[i];
    h->len = k;
}
