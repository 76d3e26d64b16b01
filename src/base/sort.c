/*
 * sort.c — LSD radix sorts for the integer keys the pipeline sorts by the
 * million: shingle sets (uint32) and LSH band entries (uint64 keyed on their
 * upper half). Radix sort is linear and branch-free, several times faster
 * than qsort's comparison callbacks on these sizes, and stable, which the
 * LSH relies on to keep bucket members in document order.
 */
#include "base/sort.h"
#include "base/internal.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static void insertion_u32(uint32_t *v, size_t n) {
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

/* Insertion sort for values at most a few places from where they belong.
 * Most stay, the rest move one place; whether a value moves is a coin toss
 * the branch predictor loses, so the step of one place is done without a
 * branch: the largest value so far is carried in a register, and the
 * smaller of it and the next value is written. Only a value that must move
 * further takes the branch, and the ordinary loop. */
static void insertion_near_u32(uint32_t *v, size_t n) {
    if (n < 2) return;
    uint32_t hi = v[0];
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        uint32_t lo = x < hi ? x : hi;
        hi = x < hi ? hi : x;
        if (i >= 2 && v[i - 2] > lo) {
            size_t j = i - 1;
            while (j > 0 && v[j - 1] > lo) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = lo;
        } else {
            v[i - 1] = lo;
        }
    }
    v[n - 1] = hi;
}

/* LSD radix sort of v on all four bytes into out, v serving as the other
 * buffer; the histograms are built in one read. */
static void radix_u32(uint32_t *v, uint32_t *out, size_t n) {
    size_t count[4][256] = {{0}};
    for (size_t i = 0; i < n; i++) {
        uint32_t x = v[i];
        count[0][x & 0xFF]++;
        count[1][(x >> 8) & 0xFF]++;
        count[2][(x >> 16) & 0xFF]++;
        count[3][x >> 24]++;
    }
    uint32_t *src = v, *dst = out;
    for (unsigned d = 0; d < 4; d++) {
        unsigned shift = d * 8;
        if (count[d][(src[0] >> shift) & 0xFF] == n) continue;  /* all equal in this digit */
        size_t sum = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[d][b];
            count[d][b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) dst[count[d][(src[i] >> shift) & 0xFF]++] = src[i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != out) memcpy(out, src, n * sizeof *out);
}

/* Turn the counts of buckets (a multiple of 16) into each bucket's start;
 * returns whether a bucket holds more than 32 values, too many for the
 * insertion sort. With one value per bucket the buckets are as many as
 * the values, so this pass costs as much as one over the data: with SSE2
 * it takes four buckets a step. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_STARTS_AVX512 1

/* bucket_starts sixteen buckets a step: the sums within a step are four
 * shifted adds off the critical path, and the carry from step to step is
 * one add and one broadcast (4 cycles a step, where the SSE2 loop's carry
 * took about as long for four buckets). */
__attribute__((target("avx512f"))) static int bucket_starts_avx512(uint32_t *count,
                                                                   size_t buckets) {
    const __m512i zero = _mm512_setzero_si512(), most = _mm512_set1_epi32(32);
    const __m512i top = _mm512_set1_epi32(15);
    __m512i carry = zero;
    __mmask16 crowded = 0;
    for (size_t b = 0; b < buckets; b += 16) {
        __m512i c = _mm512_loadu_si512(count + b);
        crowded |= _mm512_cmpgt_epu32_mask(c, most);
        __m512i sum = _mm512_add_epi32(c, _mm512_alignr_epi32(c, zero, 15));  /* lanes up 1 */
        sum = _mm512_add_epi32(sum, _mm512_alignr_epi32(sum, zero, 14));       /* up 2 */
        sum = _mm512_add_epi32(sum, _mm512_alignr_epi32(sum, zero, 12));       /* up 4 */
        sum = _mm512_add_epi32(sum, _mm512_alignr_epi32(sum, zero, 8));        /* up 8 */
        sum = _mm512_add_epi32(sum, carry);
        _mm512_storeu_si512(count + b, _mm512_sub_epi32(sum, c));
        carry = _mm512_permutexvar_epi32(top, sum);
    }
    _mm256_zeroupper();  /* see mix_windows_avx512 in src/copy/shingle.c */
    return crowded != 0;
}
#endif

static int bucket_starts(uint32_t *count, size_t buckets) {
#ifdef HAVE_STARTS_AVX512
    if (dp_cpu_avx512()) return bucket_starts_avx512(count, buckets);
#endif
#ifdef __SSE2__
    __m128i carry = _mm_setzero_si128(), crowded = _mm_setzero_si128();
    const __m128i most = _mm_set1_epi32(32);
    for (size_t b = 0; b < buckets; b += 4) {
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(count + b));
        crowded = _mm_or_si128(crowded, _mm_cmpgt_epi32(c, most));
        __m128i sum = _mm_add_epi32(c, _mm_slli_si128(c, 4));
        sum = _mm_add_epi32(_mm_add_epi32(sum, _mm_slli_si128(sum, 8)), carry);
        _mm_storeu_si128((__m128i *)(void *)(count + b), _mm_sub_epi32(sum, c));
        carry = _mm_shuffle_epi32(sum, _MM_SHUFFLE(3, 3, 3, 3));
    }
    return _mm_movemask_epi8(crowded) != 0;
#else
    uint32_t sum = 0;
    int crowded = 0;
    for (size_t b = 0; b < buckets; b++) {
        uint32_t c = count[b];
        crowded |= c > 32;
        count[b] = sum;
        sum += c;
    }
    return crowded;
#endif
}

enum { MAX_BUCKETS = 1 << 16 };

/* Zero the counts of the buckets for n uniform keys, about 2^spread keys a
 * bucket (at least 256 buckets: bucket_starts takes 16 at a time, at most
 * MAX_BUCKETS); returns the bits of a bucket index. */
static unsigned clear_buckets(uint32_t *count, size_t n, unsigned spread) {
    unsigned bits = 8;
    while ((1u << bits) < MAX_BUCKETS && ((size_t)1 << (bits + spread)) < n) bits++;
    memset(count, 0, ((size_t)1 << bits) * sizeof *count);
    return bits;
}

/* One key a bucket (up to two buckets a key) for the shingle sets. Two
 * keys a bucket halve the buckets to clear and sum, but leave more keys
 * for the insertion sort to move, and more of them further than one place,
 * which is the branch it mispredicts. Measured on sets of 450-900 random
 * folds (2026-12-06, Xeon with AVX-512): 4.0-4.8 ns a key against 4.4-7.0
 * with two keys a bucket; half a key a bucket is no faster again. */
enum { SET_SPREAD = 0 };

/* The rest of dp_sort_u32 once the keys are in in[n] and counted, with
 * the bucket counts of the top 32 - shift bits in count. */
static void sort_counted(uint32_t *in, uint32_t *out, size_t n, uint32_t *count,
                         unsigned shift) {
    if (bucket_starts(count, (size_t)1 << (32 - shift))) {
        radix_u32(in, out, n);
        return;
    }
    for (size_t i = 0; i < n; i++) out[count[in[i] >> shift]++] = in[i];
    insertion_near_u32(out, n);
}

void dp_sort_u32(uint32_t *in, uint32_t *out, size_t n) {
    if (n < 48) {
        memcpy(out, in, n * sizeof *out);
        insertion_u32(out, n);
        return;
    }
    /* Shingle hashes are uniform: one counting pass on the top bits, with
     * a key or two per bucket, leaves only tiny local disorder for an
     * insertion sort to fix. Two passes over the data instead of radix
     * sort's four. Crowded buckets (not uniform data) take the radix sort. */
    uint32_t count[MAX_BUCKETS];
    unsigned shift = 32 - clear_buckets(count, n, SET_SPREAD);
    for (size_t i = 0; i < n; i++) count[in[i] >> shift]++;
    sort_counted(in, out, n, count, shift);
}

void dp_sort_folds_u32(const uint64_t *in, uint32_t *tmp, uint32_t *out, size_t n) {
    if (n < 48) {
        for (size_t i = 0; i < n; i++) tmp[i] = (uint32_t)(in[i] ^ (in[i] >> 32));
        dp_sort_u32(tmp, out, n);
        return;
    }
    /* dp_sort_u32 with the folding done in its counting pass: one pass over
     * the keys fewer. */
    uint32_t count[MAX_BUCKETS];
    unsigned shift = 32 - clear_buckets(count, n, SET_SPREAD);
    for (size_t i = 0; i < n; i++) {
        uint32_t x = (uint32_t)(in[i] ^ (in[i] >> 32));
        tmp[i] = x;
        count[x >> shift]++;
    }
    sort_counted(tmp, out, n, count, shift);
}

/* Buckets for sort_unique_avx512: SET_MEAN keys or fewer each on average
 * (between 8 and 16 was fastest: 2.5-2.8 ns a key on the sets of real-20000,
 * against 2.9-3.1 with 4-8 and 4.3 with 2-4, where a register holds mostly
 * padding), at most SET_BUCKETS of them (16 KiB of counts on the stack).
 * A bucket of more than 32 keys falls back: for hashes about one set in
 * 200 where the buckets average nearly 16 keys (n just under 16 times a
 * power of two), almost never elsewhere. */
enum { SET_MEAN = 16, SET_BUCKETS = 1 << 12 };

/* The bits of a bucket number for n keys: at least 4 (16 buckets, one
 * vector of counts), and SET_MEAN keys or fewer a bucket. */
static unsigned set_bits(size_t n) {
    unsigned bits = 4;
    while ((n >> bits) > SET_MEAN) bits++;
    return bits;
}

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_SET_AVX512 1
#define SET_TARGET "avx512f,popcnt"

/* One compare-exchange stage of a bitonic network on the 16 lanes of v:
 * lane i meets lane i ^ j (p holds those), and the lanes in hi keep the
 * larger of the two, the others the smaller. */
__attribute__((target(SET_TARGET))) static inline __m512i cex(__m512i v, __m512i p,
                                                               __mmask16 hi) {
    return _mm512_mask_max_epu32(_mm512_min_epu32(v, p), hi, v, p);
}

/* Partners at distance 1 and 2 within 128-bit lanes (one-cycle shuffles),
 * 4 and 8 across them. */
#define CEX1(v, m) cex(v, _mm512_shuffle_epi32(v, (_MM_PERM_ENUM)0xB1), m)
#define CEX2(v, m) cex(v, _mm512_shuffle_epi32(v, (_MM_PERM_ENUM)0x4E), m)
#define CEX4(v, m) cex(v, _mm512_shuffle_i32x4(v, v, 0xB1), m)
#define CEX8(v, m) cex(v, _mm512_shuffle_i32x4(v, v, 0x4E), m)

/* The last four stages of the network: a bitonic v into ascending order. */
__attribute__((target(SET_TARGET))) static inline __m512i merge16(__m512i v) {
    v = CEX8(v, 0xFF00);
    v = CEX4(v, 0xF0F0);
    v = CEX2(v, 0xCCCC);
    return CEX1(v, 0xAAAA);
}

/* The 16 lanes of v in ascending order: bitonic sort, ten stages (the
 * masks say which lanes keep the larger value: runs of 2, 4 and 8 are
 * sorted up and down in turn, then merged). */
__attribute__((target(SET_TARGET))) static inline __m512i sort16(__m512i v) {
    v = CEX1(v, 0x6666);
    v = CEX2(v, 0x3C3C);
    v = CEX1(v, 0x5A5A);
    v = CEX4(v, 0x0FF0);
    v = CEX2(v, 0x33CC);
    v = CEX1(v, 0x55AA);
    return merge16(v);
}

/* The lanes of v in live that differ from the lane before them (lane 0's is
 * before's last; first set: lane 0 counts whatever it is, the first key of
 * a bucket, which no other bucket's key equals), compressed to out[0..)
 * with a whole store; returns how many. */
__attribute__((target(SET_TARGET))) static inline unsigned put_fresh(uint32_t *out, __m512i v,
                                                                      __m512i before,
                                                                      __mmask16 live,
                                                                      __mmask16 first) {
    __mmask16 fresh =
        (_mm512_cmpneq_epu32_mask(v, _mm512_alignr_epi32(v, before, 15)) | first) & live;
    _mm512_storeu_si512(out, _mm512_maskz_compress_epi32(fresh, v));
    return (unsigned)__builtin_popcount(fresh);
}

/* dp_sort_unique_folds_u32 for n keys, SET_MEAN * SET_BUCKETS at most:
 * the folds scattered by their top bits into buckets of 32 slots each
 * (slots, one pass over the keys: no counting pass first), and each
 * bucket sorted in one or two registers by a sorting network and its
 * repeats dropped there, straight into out. The counting sort and
 * insertion sort it replaces spent most of their time on the insertion
 * sort's mispredicted branches and in a pass of their own for the repeats.
 * A bucket of more than 32 keys (not hashes: a document repeating a few
 * shingles) has written into the next bucket's slots (never past the
 * end: slots holds n more than the buckets) and sends the whole set to
 * the scalar path, which reads in again. Returns SIZE_MAX then. */
__attribute__((target(SET_TARGET))) static size_t sort_unique_avx512(const uint64_t *in,
                                                                     uint32_t *slots,
                                                                     uint32_t *out, size_t n) {
    /* end[b]: where bucket b's next key goes, from b * 32 on (the slot
     * itself, not a count to add to the bucket's start: two instructions
     * fewer in the loop that takes most of the time) */
    uint32_t end[SET_BUCKETS];
    unsigned bits = set_bits(n);
    size_t buckets = (size_t)1 << bits;
    unsigned shift = 32 - bits;
    const __m512i step = _mm512_set_epi32(480, 448, 416, 384, 352, 320, 288, 256, 224, 192, 160,
                                          128, 96, 64, 32, 0);
    for (size_t b = 0; b < buckets; b += 16)
        _mm512_storeu_si512(end + b, _mm512_add_epi32(step, _mm512_set1_epi32((int)(b * 32))));
    for (size_t i = 0; i < n; i++) {
        uint32_t x = (uint32_t)(in[i] ^ (in[i] >> 32));
        slots[end[x >> shift]++] = x;
    }
    __mmask16 crowded = 0;
    for (size_t b = 0; b < buckets; b += 16) {
        __m512i full = _mm512_add_epi32(step, _mm512_set1_epi32((int)(b * 32 + 32)));
        crowded |= _mm512_cmpgt_epu32_mask(_mm512_loadu_si512(end + b), full);
    }
    if (crowded) {
        _mm256_zeroupper();
        return SIZE_MAX;
    }
    const __m512i pad = _mm512_set1_epi32(-1);  /* sorts last, cut off by live */
    const __m512i rev = _mm512_set_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    size_t k = 0;
    for (size_t b = 0; b < buckets; b++) {
        uint32_t cnt = end[b] - (uint32_t)(b * 32);
        const uint32_t *p = slots + b * 32;
        if (cnt <= 16) {
            if (!cnt) continue;
            __mmask16 live = (__mmask16)((1u << cnt) - 1);
            __m512i v = sort16(_mm512_mask_loadu_epi32(pad, live, p));
            k += put_fresh(out + k, v, v, live, 1);
        } else {
            __mmask16 live = (__mmask16)((1u << (cnt - 16)) - 1);
            __m512i lo = sort16(_mm512_loadu_si512(p));
            __m512i hi = sort16(_mm512_mask_loadu_epi32(pad, live, p + 16));
            /* hi reversed against lo: the smaller 16 and the larger 16,
             * each bitonic */
            hi = _mm512_permutexvar_epi32(rev, hi);
            __m512i l = merge16(_mm512_min_epu32(lo, hi));
            __m512i h = merge16(_mm512_max_epu32(lo, hi));
            k += put_fresh(out + k, l, l, 0xFFFF, 1);
            k += put_fresh(out + k, h, l, live, 0);
        }
    }
    _mm256_zeroupper();  /* see mix_windows_avx512 in src/copy/shingle.c */
    return k;
}
#endif

size_t dp_sort_unique_scratch(size_t n) { return n + ((size_t)32 << set_bits(n)); }

size_t dp_sort_unique_folds_u32(const uint64_t *in, uint32_t *tmp, uint32_t *sorted,
                                uint32_t *out, size_t n) {
#ifdef HAVE_SET_AVX512
    if (n >= 48 && n <= (size_t)SET_MEAN * SET_BUCKETS && dp_cpu_avx512bw()) {
        size_t k = sort_unique_avx512(in, sorted, out, n);
        if (k != SIZE_MAX) return k;
    }
#endif
    dp_sort_folds_u32(in, tmp, sorted, n);
    return dp_unique_copy_u32(sorted, n, out);
}

/* In place is safe: a value is written at or before its own position, and
 * each comparison reads v[i] and v[i - 1] before anything is written there. */
size_t dp_unique_u32(uint32_t *v, size_t n) { return dp_unique_copy_u32(v, n, v); }

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_UNIQUE_AVX512 1

/* dp_unique_copy_u32 sixteen values at a time: each compared with the one
 * before it (the previous block's last carried in a register, not read
 * again: out may be v), the new ones compressed to the front of a register
 * and stored whole. A store writes out[k..k + 16) with k <= i, which holds
 * only values already read, and stays inside out[0..n) while i + 16 <= n;
 * the tail is left to the scalar loop. The branch of the scalar loop costs
 * 0.4 ns a value; this 0.1. Returns how many of v[0..*done) it kept. */
__attribute__((target("avx512f,popcnt"))) static size_t unique_avx512(const uint32_t *v, size_t n,
                                                                      uint32_t *out, size_t *done,
                                                                      uint32_t *prev) {
    __m512i last = _mm512_set1_epi32((int)~v[0]);  /* differs from v[0] */
    size_t i = 0, k = 0;
    for (; i + 16 <= n; i += 16) {
        __m512i cur = _mm512_loadu_si512(v + i);
        __m512i before = _mm512_alignr_epi32(cur, last, 15);  /* last[15], cur[0..14] */
        __mmask16 fresh = _mm512_cmpneq_epi32_mask(cur, before);
        /* Read before the store: in place, the store's zeroed lanes may
         * cover v[i + 15] when the block held a repeat. */
        *prev = v[i + 15];
        _mm512_storeu_si512(out + k, _mm512_maskz_compress_epi32(fresh, cur));
        k += (size_t)__builtin_popcount(fresh);
        last = cur;
    }
    *done = i;
    return k;
}
#endif

size_t dp_unique_copy_u32(const uint32_t *v, size_t n, uint32_t *out) {
    if (n == 0) return 0;
    size_t k = 1;
#ifdef HAVE_UNIQUE_AVX512
    if (n >= 32 && dp_cpu_avx512bw()) {  /* F and POPCNT among what it promises */
        size_t i;
        uint32_t prev;
        k = unique_avx512(v, n, out, &i, &prev);
        /* The value before the tail from a register, not from v[i - 1]:
         * in place, that slot may hold a stored value or a zeroed lane. */
        for (; i < n; i++) {
            uint32_t x = v[i];
            if (x != prev) out[k++] = x;
            prev = x;
        }
        return k;
    }
#endif
    out[0] = v[0];
    /* A branch, not a store per value with k advanced by the comparison:
     * repeated shingles are rare, so it is predicted, and the branch-free
     * form made every store wait for the previous comparison (0.40 against
     * 0.69 ns a value at 1% repeats). */
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[i - 1]) out[k++] = v[i];
    return k;
}

void dp_sort_u64_bytes(uint64_t *v, uint64_t *tmp, size_t n, unsigned first_byte,
                       unsigned end_byte) {
    if (n == 0) return;
    /* All the histograms in one read of v: a pass that would not move
     * anything (one value in its byte) then costs no read either. */
    size_t count[8][256] = {{0}};
    for (size_t i = 0; i < n; i++)
        for (unsigned byte = first_byte; byte < end_byte; byte++)
            count[byte][(v[i] >> (byte * 8)) & 0xFF]++;
    uint64_t *src = v, *dst = tmp;
    for (unsigned byte = first_byte; byte < end_byte; byte++) {
        unsigned shift = byte * 8;
        size_t *c = count[byte];
        if (c[(v[0] >> shift) & 0xFF] == n) continue;
        size_t sum = 0;
        for (int b = 0; b < 256; b++) {
            size_t k = c[b];
            c[b] = sum;
            sum += k;
        }
        for (size_t i = 0; i < n; i++) dst[c[(src[i] >> shift) & 0xFF]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v) memcpy(v, src, n * sizeof *v);
}

/* dp_sort_u64_packed's digits: at most 12 bits (a 16 KiB histogram), and
 * at most 4 of them. */
enum { PACK_DIGIT = 12, PACK_PASSES = 4 };

static unsigned bits_of(uint64_t x) { return x ? 64 - (unsigned)__builtin_clzll(x) : 0; }

void dp_sort_u64_packed(uint64_t *v, uint64_t *tmp, size_t n) {
    uint64_t any = 0;
    for (size_t i = 0; i < n; i++) any |= v[i];
    unsigned lo = bits_of((uint32_t)any), bits = lo + bits_of(any >> 32);
    if (n < 4096 || n > UINT32_MAX || bits > PACK_DIGIT * PACK_PASSES) {
        dp_sort_u64_bytes(v, tmp, n, 0, 8);
        return;
    }
    unsigned passes = bits ? (bits + PACK_DIGIT - 1) / PACK_DIGIT : 1;
    unsigned width = (bits + passes - 1) / passes;
    uint64_t mask = ((uint64_t)1 << width) - 1;
    /* Packed in place (the upper half moved down onto the unused bits of
     * the lower: order kept), counted in the same read. */
    uint32_t count[PACK_PASSES][1 << PACK_DIGIT];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = (v[i] >> 32) << lo | (uint32_t)v[i];
        v[i] = k;
        for (unsigned p = 0; p < passes; p++) count[p][(k >> (p * width)) & mask]++;
    }
    uint64_t *src = v, *dst = tmp;
    for (unsigned p = 0; p < passes; p++) {
        unsigned shift = p * width;
        uint32_t *c = count[p];
        if (c[(src[0] >> shift) & mask] == n) continue;  /* one value in this digit */
        uint32_t sum = 0;
        for (size_t b = 0; b <= mask; b++) {
            uint32_t k = c[b];
            c[b] = sum;
            sum += k;
        }
        for (size_t i = 0; i < n; i++) dst[c[(src[i] >> shift) & mask]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    uint64_t low = lo ? ((uint64_t)1 << lo) - 1 : 0;
    for (size_t i = 0; i < n; i++) v[i] = (src[i] >> lo) << 32 | (src[i] & low);
}

/* Stable insertion sort by the upper halves, for values at most a few
 * places from where they belong: insertion_near_u32's scheme, where the
 * larger of two equal keys is the later one. Gives up once more than
 * budget values were moved by more than one place, and returns 0: v is then
 * a permutation of what it held in which equal keys keep their order. */
static int insertion_near_hi(uint64_t *v, size_t n, size_t budget) {
    if (n < 2) return 1;
    uint64_t hi = v[0];
    for (size_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        int before = x >> 32 < hi >> 32;
        uint64_t lo = before ? x : hi;
        hi = before ? hi : x;
        if (i < 2 || v[i - 2] >> 32 <= lo >> 32) {
            v[i - 1] = lo;  /* moved one place at most: the common case */
            continue;
        }
        size_t j = i - 2;  /* lo goes after the last key not above its own */
        while (j > 0 && v[j - 1] >> 32 > lo >> 32) j--;
        if (i - 1 - j > budget) {
            v[i - 1] = lo;  /* the two values in hand back in their slots */
            v[i] = hi;
            return 0;
        }
        budget -= i - 1 - j;
        memmove(v + j + 1, v + j, (i - 1 - j) * sizeof *v);
        v[j] = lo;
    }
    v[n - 1] = hi;
    return 1;
}

void dp_sort_u64_hi(uint64_t *in, uint64_t *out, size_t n, unsigned skip) {
    if (n < 48 || skip > 16) {
        dp_sort_u64_bytes(in, out, n, 4, 8);
        memcpy(out, in, n * sizeof *out);
        return;
    }
    /* dp_sort_u32's plan: the keys are hashes, so one stable counting pass
     * on their top bits (below the skip bits, which are all equal) leaves
     * only local disorder, for the insertion sort. One scatter instead of
     * four. A crowded bucket is no reason to give that up: in the band
     * arrays it is many documents with one band value (copies, a shared
     * paragraph), whose equal keys the insertion sort does not move. Only keys that move too far (many distinct keys a bucket: not
     * uniform) do, from where the insertion sort left off. On 100k documents
     * that radix sort was most of the band sort's time (1.9% of a run's
     * samples against 0.7%). */
    uint32_t count[MAX_BUCKETS];
    unsigned shift = 64 - clear_buckets(count, n, 0);
    for (size_t i = 0; i < n; i++) count[in[i] << skip >> shift]++;
    (void)bucket_starts(count, (size_t)1 << (64 - shift));
    for (size_t i = 0; i < n; i++) out[count[in[i] << skip >> shift]++] = in[i];
    /* Stable at every step, so the radix sort of a half-sorted out gives
     * what it gives for in. */
    if (!insertion_near_hi(out, n, 4 * n)) dp_sort_u64_bytes(out, in, n, 4, 8);
}

size_t dp_unique_u64(uint64_t *v, size_t n) {
    if (n < 2) return n;
    /* A store every value, the count advanced by the comparison: the LSH
     * candidate pairs repeat at random (a pair recurs in many bands), and
     * the branch on it was mispredicted. In place is safe: v[k] with k <= i
     * is written after v[i] is read, and the last kept value is carried. */
    size_t k = 1;
    uint64_t last = v[0];
    for (size_t i = 1; i < n; i++) {
        uint64_t x = v[i];
        v[k] = x;
        k += x != last;
        last = x;
    }
    return k;
}
