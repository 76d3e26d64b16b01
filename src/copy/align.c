/*
 * align.c — the passages two documents share, found on their word hashes
 * in text order, in the manner of greedy string tiling with anchors:
 *
 *  1. B's word 3-grams (anchors) go into a hash table of chains in text
 *     order, and into a bit filter that rules out most other anchors.
 *  2. A is walked from the start, over the positions whose anchor passes
 *     the filter (the rest cannot start a fragment); at each its anchor's first
 *     DP_ALIGN_MAX_TRIES places in B are extended word by word as far as
 *     both texts agree; the longest extension (ties: the one nearest the
 *     end of the previous fragment in B, so a copy stays on its diagonal)
 *     becomes a fragment and the walk jumps past it. Each word of A is
 *     thus extended from at most MAX_TRIES times: the work is linear, even
 *     for a document of one repeated word.
 *  3. Fragments in A order that follow each other within DP_ALIGN_GAP
 *     words on both sides (a few edited words) join into one passage.
 *
 * Coverage is the share of a document's words inside passages of at least
 * DP_ALIGN_MIN_PASSAGE matched words: stock phrases of three or four words
 * are everywhere in news and say nothing about copying. The ordered
 * fragments are the skeleton of a rewrite: short shared pieces that keep
 * the source's order, spread over the whole of the smaller text.
 */
#include "copy/align.h"

#include <string.h>

static void table_free(dp_anchor_table *t) {
    dp_free(t->head, t->head_cap * sizeof *t->head);
    dp_free(t->next, t->next_cap * sizeof *t->next);
    dp_free(t->filter, t->filter_cap * sizeof *t->filter);
}

void dp_aligner_free(dp_aligner *al) {
    table_free(&al->keyed);
    table_free(&al->scratch);
    dp_free(al->bits, al->bits_cap * sizeof *al->bits);
    dp_free(al->frag, al->frag_cap * sizeof *al->frag);
    dp_free(al->pass, al->pass_cap * sizeof *al->pass);
    *al = (dp_aligner){0};
}

/* A word's hash: its bytes in 8-byte loads, each multiplied in, then
 * finished with splitmix64's mixer. xxh3 with a seed cost a fifth of a
 * run's time here; these hashes only need to tell words apart within a
 * pair (a collision of two words makes one spurious one-word match, far
 * below an anchor's three). */
static inline uint32_t word_hash(const char *p, size_t n, uint64_t seed) {
    uint64_t h = seed ^ (n * 0x9E3779B97F4A7C15ULL);
    while (n >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        h = (h ^ v) * 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    if (n) {
        uint64_t v = 0;
        memcpy(&v, p, n);
        h = (h ^ v) * 0xBF58476D1CE4E5B9ULL;
    }
    h ^= h >> 27;
    h *= 0x94D049BB133111EBULL;
    return (uint32_t)(h ^ h >> 31 ^ h >> 40);
}

long dp_word_hashes(const char *norm, size_t len, uint64_t seed, uint32_t max, uint32_t **out,
                    size_t *cap) {
    /* One value per space plus one: reserve once instead of per word. */
    size_t words = len ? 1 : 0;
    const char *sp = norm, *end = norm + len;
    while ((sp = memchr(sp, ' ', (size_t)(end - sp)))) {
        words++;
        sp++;
    }
    if (words > max) words = max;
    if (dp_grow((void **)out, cap, words + 1, sizeof **out)) return -1;
    uint32_t n = 0;
    const char *p = norm;
    seed = seed * 0xD6E8FEB86659FD93ULL + 0xA11C4ULL;
    while (p < end && n < max) {
        const char *e = memchr(p, ' ', (size_t)(end - p));
        if (!e) e = end;
        (*out)[n++] = word_hash(p, (size_t)(e - p), seed);
        p = e + 1;
    }
    return n;
}

/* An anchor's hash. The word hashes are already mixed (word_hash), so
 * rotated and xored they make a hash as good for telling anchors apart,
 * in 32-bit operations the filter pass below does eight at a time. Which
 * slot an anchor lands in changes no result (chains are compared word by
 * word), only how often a false one is tried. */
static inline uint32_t rotl32(uint32_t x, unsigned r) { return x << r | x >> (32 - r); }
static inline uint32_t anchor_hash(const uint32_t *w) {
    return w[0] ^ rotl32(w[1], 10) ^ rotl32(w[2], 20);
}
/* The filter's bit for an anchor's hash: its top bits, not the low bits
 * the slot takes (independent of them for all but the largest documents,
 * where they overlap and the filter only passes more). The word hashes are
 * mixed already: multiplied first (as before), a 32-bit multiply an anchor
 * in the filter pass and the build, the replayed pairs of real-20000 took
 * 1.04 times as long. Which bit changes no result, only the passes. */
static inline uint32_t filter_bit(uint32_t h, unsigned shift) { return h >> shift; }

/* Slots per anchor of B. Before the filter below, 8 made the empty slot
 * the rule for the walked positions; behind the filter only the few
 * positions that pass look a slot up, and a smaller table costs less to
 * empty (memset of the slots the last build used) and fills fewer cache
 * lines: 2 took 0.97 of 8's time on the replayed pairs of real-20000. The
 * count changes no result: a chain holds B's positions of one slot in text
 * order and the walk compares the words of each, so the matches met, and
 * their order, are those of any other count. */
#define SLOTS_PER_ANCHOR 2

/* Filter bits per anchor of B. Most of the walked side's positions have
 * no anchor of B at all, yet one in eight still met a filled slot (a false
 * chain whose first words must be loaded and compared) and the branch on
 * it mispredicted. The filter is a plain bit array: at 64 bits an anchor,
 * one position in 64 passes it falsely, and a clear bit proves that no
 * anchor of B matches, so skipping the position changes no result. */
#define FILTER_BITS_PER_ANCHOR 64

/* Build t on b[nb] unless it is built for key (non-zero). Inlined in each
 * compiled copy of the alignment: the BMI2 one's shifts serve it too. */
static inline __attribute__((always_inline)) doppel_status
build_table(dp_anchor_table *t, const uint32_t *b, uint32_t nb, uint64_t key) {
    size_t slots = 64;
    while (slots < SLOTS_PER_ANCHOR * (size_t)nb) slots *= 2;
    if (key && key == t->key && slots == t->slots) return DOPPEL_OK;
    t->key = 0;
    if (slots > t->head_cap) {
        dp_free(t->head, t->head_cap * sizeof *t->head);
        t->head = dp_malloc(slots * sizeof *t->head);
        t->head_cap = t->head ? slots : 0;
        if (!t->head) return DOPPEL_ERR_NOMEM;
        t->dirty = slots;
    }
    memset(t->head, 0xff, t->dirty * sizeof *t->head);
    t->dirty = 0;
    uint32_t anchors = nb - DP_ALIGN_ANCHOR + 1;
    uint32_t fbits = 5; /* up to 2 MiB: a larger B only passes more */
    while (fbits < 24 && ((size_t)1 << fbits) < FILTER_BITS_PER_ANCHOR * (size_t)anchors) fbits++;
    size_t fwords = ((size_t)1 << fbits) / 32;
    if (dp_grow((void **)&t->filter, &t->filter_cap, fwords, sizeof *t->filter))
        return DOPPEL_ERR_NOMEM;
    memset(t->filter, 0, fwords * sizeof *t->filter);
    t->filter_bits = fbits;
    if (dp_grow((void **)&t->next, &t->next_cap, (size_t)nb + 1, sizeof *t->next))
        return DOPPEL_ERR_NOMEM;
    t->dirty = slots;
    /* Chains in text order: insert from the end. */
    uint32_t m = (uint32_t)(slots - 1);
    for (uint32_t j = anchors; j-- > 0;) {
        uint32_t h = anchor_hash(b + j), s = h & m, f = filter_bit(h, 32 - fbits);
        t->filter[f >> 5] |= 1u << (f & 31);
        t->next[j] = t->head[s];
        t->head[s] = j;
    }
    t->key = key;
    t->slots = slots;
    return DOPPEL_OK;
}

/* Bits [0, anchors) of pass: whether the anchor at each position of a
 * passes t's filter; the bits after them in the last word are clear. */
static void filter_pass_scalar(const dp_anchor_table *t, const uint32_t *a, uint32_t anchors,
                               uint32_t from, uint64_t *pass) {
    const unsigned shift = 32 - t->filter_bits;
    /* A word of bits in a register, stored when full: or-ed into memory
     * position by position, each step waited for the last one's store. */
    uint64_t bits = 0;
    for (uint32_t i = from; i < anchors; i++) {
        uint32_t f = filter_bit(anchor_hash(a + i), shift);
        bits |= (uint64_t)(t->filter[f >> 5] >> (f & 31) & 1) << (i & 63);
        if ((i & 63) == 63) {
            pass[i >> 6] |= bits;
            bits = 0;
        }
    }
    if (bits) pass[(anchors - 1) >> 6] |= bits; /* the last word's, not full */
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_FILTER_AVX2 1
/* The same bits, eight positions a step: the hashes, their filter words
 * gathered, one bit of each. The scalar loop spent most of the walk's time
 * on these positions, where nothing follows. */
__attribute__((target("avx2"))) static void filter_pass_avx2(const dp_anchor_table *t,
                                                           const uint32_t *a,
                                                           uint32_t anchors, uint64_t *pass) {
    const __m128i shift = _mm_cvtsi32_si128((int)(32 - t->filter_bits));
    const __m256i low5 = _mm256_set1_epi32(31);
    const int *filter = (const int *)(const void *)t->filter;
    uint32_t i = 0;
    /* a step reads words i .. i + 9, all anchors' words while i + 8 <= anchors */
    for (; i + 8 <= anchors; i += 8) {
        __m256i w0 = _mm256_loadu_si256((const __m256i *)(const void *)(a + i));
        __m256i w1 = _mm256_loadu_si256((const __m256i *)(const void *)(a + i + 1));
        __m256i w2 = _mm256_loadu_si256((const __m256i *)(const void *)(a + i + 2));
        __m256i h = _mm256_xor_si256(
            w0, _mm256_xor_si256(_mm256_or_si256(_mm256_slli_epi32(w1, 10), _mm256_srli_epi32(w1, 22)),
                                 _mm256_or_si256(_mm256_slli_epi32(w2, 20), _mm256_srli_epi32(w2, 12))));
        __m256i f = _mm256_srl_epi32(h, shift);
        __m256i word = _mm256_i32gather_epi32(filter, _mm256_srli_epi32(f, 5), 4);
        __m256i bit = _mm256_sllv_epi32(word, _mm256_sub_epi32(low5, _mm256_and_si256(f, low5)));
        uint64_t m = (uint32_t)_mm256_movemask_ps(_mm256_castsi256_ps(bit));
        pass[i >> 6] |= m << (i & 63);  /* i is a multiple of 8: never straddles words */
    }
    _mm256_zeroupper();
    filter_pass_scalar(t, a, anchors, i, pass);
}

/* Sixteen positions a step (AVX-512F: rotates and a bit test into a mask
 * register), four steps to a word of pass kept in a register; the last
 * step's positions past the anchors are masked off, so no scalar tail. */
__attribute__((target("avx512f"))) static void filter_pass_avx512(const dp_anchor_table *t,
                                                                 const uint32_t *a,
                                                                 uint32_t anchors,
                                                                 uint64_t *pass) {
    const __m128i shift = _mm_cvtsi32_si128((int)(32 - t->filter_bits));
    const __m512i low5 = _mm512_set1_epi32(31),
                  one = _mm512_set1_epi32(1);
    const int *filter = (const int *)(const void *)t->filter;
    for (uint32_t i0 = 0; i0 < anchors; i0 += 64) {
        uint64_t bits = 0; /* pass's word, in a register: four steps fill it */
        for (uint32_t i = i0; i < anchors && i < i0 + 64; i += 16) {
            /* lanes past the anchors load nothing: their words may not exist */
            __mmask16 live = anchors - i >= 16 ? 0xffff : (__mmask16)((1u << (anchors - i)) - 1);
            __m512i w0 = _mm512_maskz_loadu_epi32(live, a + i);
            __m512i w1 = _mm512_maskz_loadu_epi32(live, a + i + 1);
            __m512i w2 = _mm512_maskz_loadu_epi32(live, a + i + 2);
            __m512i h = _mm512_ternarylogic_epi32(w0, _mm512_rol_epi32(w1, 10),
                                                  _mm512_rol_epi32(w2, 20), 0x96);
            __m512i f = _mm512_srl_epi32(h, shift);
            __m512i word = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), live,
                                                       _mm512_srli_epi32(f, 5), filter, 4);
            __mmask16 m = _mm512_mask_test_epi32_mask(
                live, word, _mm512_sllv_epi32(one, _mm512_and_si512(f, low5)));
            bits |= (uint64_t)m << (i - i0);
        }
        pass[i0 >> 6] = bits;
    }
}
#endif

/* How far x and y agree from m on, up to limit: two words per compare of
 * eight bytes, four per step. A copy's fragments run for hundreds of
 * words, and word by word the loop's three tests cost a tenth of the
 * alignment. */
static inline uint32_t extend(const uint32_t *x, const uint32_t *y, uint32_t m, uint32_t limit) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; m + 4 <= limit; m += 4) {
        uint64_t x0, y0, x1, y1;
        memcpy(&x0, x + m, 8);
        memcpy(&y0, y + m, 8);
        memcpy(&x1, x + m + 2, 8);
        memcpy(&y1, y + m + 2, 8);
        uint64_t d0 = x0 ^ y0, d1 = x1 ^ y1;
        if (d0 | d1) {
            /* little endian: word m is the low half */
            if (d0) return m + ((uint32_t)d0 == 0);
            return m + 2 + ((uint32_t)d1 == 0);
        }
    }
#endif
    while (m < limit && x[m] == y[m]) m++;
    return m;
}

/* Bit sets of words, a word at a time: a fragment of a copy spans
 * hundreds of words, and the byte a word these were before cost a byte's
 * test and store each, a sixth of the alignment. The bit count is written
 * out: the baseline x86-64 has no popcnt instruction. */
static inline uint32_t bit_count(uint64_t x, int fast) {
    if (fast) return (uint32_t)__builtin_popcountll(x);
    x -= x >> 1 & 0x5555555555555555ULL;
    x = (x & 0x3333333333333333ULL) + (x >> 2 & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return (uint32_t)((x * 0x0101010101010101ULL) >> 56);
}

/* Bits [lo, hi), a word at a time: body runs with k the word's index and
 * mask its bits in the range. Most ranges are a fragment of a few words,
 * within one or two words of the set: the masks of the first and the last
 * word are worked out once, without a loop's per-word minimum and test. */
#define FOR_RANGE(lo, hi, k, mask, body)                                                 \
    do {                                                                                 \
        uint32_t lo_ = (lo), hi_ = (hi);                                                 \
        if (lo_ >= hi_) break;                                                           \
        uint32_t k0_ = lo_ >> 6, k1_ = (hi_ - 1) >> 6;                                   \
        uint64_t first_ = ~0ULL << (lo_ & 63), last_ = ~0ULL >> (63 - ((hi_ - 1) & 63)); \
        if (k0_ == k1_) {                                                                \
            uint32_t k = k0_;                                                            \
            uint64_t mask = first_ & last_;                                              \
            body;                                                                        \
            break;                                                                       \
        }                                                                                \
        {                                                                                \
            uint32_t k = k0_;                                                            \
            uint64_t mask = first_;                                                      \
            body;                                                                        \
        }                                                                                \
        for (uint32_t k = k0_ + 1; k < k1_; k++) {                                       \
            uint64_t mask = ~0ULL;                                                       \
            body;                                                                        \
        }                                                                                \
        {                                                                                \
            uint32_t k = k1_;                                                            \
            uint64_t mask = last_;                                                       \
            body;                                                                        \
        }                                                                                \
    } while (0)

static inline void set_range(uint64_t *w, uint32_t lo, uint32_t hi) {
    FOR_RANGE(lo, hi, k, m, w[k] |= m);
}

/* Set bits [lo, hi); returns how many were clear. */
static inline uint32_t fresh_range(uint64_t *w, uint32_t lo, uint32_t hi, int fast) {
    uint32_t fresh = 0;
    FOR_RANGE(lo, hi, k, m, {
        fresh += bit_count(m & ~w[k], fast);
        w[k] |= m;
    });
    return fresh;
}

static inline uint32_t count_range(const uint64_t *w, uint32_t lo, uint32_t hi, int fast) {
    uint32_t n = 0;
    FOR_RANGE(lo, hi, k, m, n += bit_count(m & w[k], fast));
    return n;
}

static doppel_status reserve(dp_aligner *al, uint32_t na, uint32_t nb) {
    if (dp_grow((void **)&al->bits, &al->bits_cap, 2 * ((size_t)na / 64 + (size_t)nb / 64 + 2),
                sizeof *al->bits) ||
        dp_grow((void **)&al->frag, &al->frag_cap, 3 * ((size_t)na / DP_ALIGN_ANCHOR + 2),
                sizeof *al->frag) ||
        dp_grow((void **)&al->pass, &al->pass_cap, (size_t)na / 64 + 1, sizeof *al->pass))
        return DOPPEL_ERR_NOMEM;
    return DOPPEL_OK;
}

/* Keep span s among the DP_ALIGN_KEEP longest (by matched words; ties: earlier). */
static void keep_span(dp_alignment *out, dp_span s) {
    uint32_t at = out->num_spans;
    while (at > 0 && out->spans[at - 1].matched < s.matched) at--;
    if (at >= DP_ALIGN_KEEP) return;
    uint32_t end = out->num_spans < DP_ALIGN_KEEP ? out->num_spans : DP_ALIGN_KEEP - 1;
    memmove(out->spans + at + 1, out->spans + at, (end - at) * sizeof *out->spans);
    out->spans[at] = s;
    if (out->num_spans < DP_ALIGN_KEEP) out->num_spans++;
}


void dp_alignment_swap(dp_alignment *x) {
#define SWAP(f, g)            \
    do {                      \
        uint32_t t_ = x->f;   \
        x->f = x->g;          \
        x->g = t_;            \
    } while (0)
    SWAP(na, nb);
    SWAP(cover_a, cover_b);
    SWAP(frag_a, frag_b);
    for (uint32_t k = 0; k < x->num_spans; k++) {
        SWAP(spans[k].a, spans[k].b);
        SWAP(spans[k].a_len, spans[k].b_len);
    }
#undef SWAP
}

doppel_status dp_align(dp_aligner *al, const uint32_t *a, uint32_t na, const uint32_t *b,
                       uint32_t nb, dp_alignment *out) {
    return dp_align_keyed(al, a, na, b, nb, 0, out);
}

/* The alignment; fast: compiled for a CPU with POPCNT and BMI2 (see
 * dp_align_keyed), else for the baseline. */
static inline __attribute__((always_inline)) doppel_status
align_keyed(dp_aligner *al, const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb,
            uint64_t key_b, dp_alignment *out, int fast) {
    *out = (dp_alignment){0};
    out->na = na;
    out->nb = nb;
    if (na < DP_ALIGN_ANCHOR || nb < DP_ALIGN_ANCHOR) return DOPPEL_OK;
    dp_anchor_table *tab = key_b ? &al->keyed : &al->scratch;
    if (build_table(tab, b, nb, key_b) || reserve(al, na, nb)) {
        tab->key = 0;
        return DOPPEL_ERR_NOMEM;
    }
    const uint32_t NIL = UINT32_MAX, mask = (uint32_t)(tab->slots - 1);
    const uint32_t *head = tab->head, *next = tab->next;
    /* Which positions of A can start a fragment at all, worked out for all
     * of them first; the walk goes from one to the next. */
    const uint32_t anchors = na - DP_ALIGN_ANCHOR + 1;
    uint64_t *pass = al->pass;
    memset(pass, 0, ((size_t)anchors / 64 + 1) * sizeof *pass);
#ifdef HAVE_FILTER_AVX2
    if (!al->portable && !al->no_avx512 && dp_cpu_avx512())
        filter_pass_avx512(tab, a, anchors, pass);
    else if (!al->portable && dp_cpu_avx2()) filter_pass_avx2(tab, a, anchors, pass);
    else
#endif
        filter_pass_scalar(tab, a, anchors, 0, pass);
    uint32_t nf = 0, expect = 0;
    for (uint32_t i = 0; i < anchors;) {
        uint64_t rest = pass[i >> 6] >> (i & 63);
        if (!rest) {
            i = (i | 63) + 1;
            continue;
        }
        i += (uint32_t)__builtin_ctzll(rest);
        if (i >= anchors) break;
        uint32_t h = anchor_hash(a + i);
        uint32_t s = h & mask;
        uint32_t best_j = NIL, best_m = 0, best_d = UINT32_MAX;
        int tries = 0;
        for (uint32_t j = head[s]; j != NIL && tries < DP_ALIGN_MAX_TRIES; j = next[j]) {
            if (b[j] != a[i] || b[j + 1] != a[i + 1] || b[j + 2] != a[i + 2]) continue;
            tries++;
            uint32_t m = extend(a + i, b + j, DP_ALIGN_ANCHOR, DP_MIN(na - i, nb - j));
            uint32_t d = j >= expect ? j - expect : expect - j;
            if (m > best_m || (m == best_m && d < best_d)) {
                best_j = j;
                best_m = m;
                best_d = d;
            }
        }
        if (best_j == NIL) {
            i++;
            continue;
        }
        al->frag[3 * nf] = i;
        al->frag[3 * nf + 1] = best_j;
        al->frag[3 * nf + 2] = best_m;
        nf++;
        i += best_m;
        expect = best_j + best_m;
    }
    /* Fragments into passages. A passage counts when it holds min_passage
     * matched words (a document shorter than a passage counts when matched
     * whole); then its fragments' words are covered on both sides. Only
     * matched words count, not the gaps between them: in templated text
     * (bond issues, earnings tables) the words that differ are the news. */
    uint32_t small = na <= nb ? na : nb;
    uint32_t min_passage = DP_MIN(small, (uint32_t)DP_ALIGN_MIN_PASSAGE);
    /* words in a fragment and covered, as bit sets of each side */
    const size_t wa = (size_t)na / 64 + 1, wb = (size_t)nb / 64 + 1;
    uint64_t *frag_a = al->bits, *cover_a = frag_a + wa, *frag_b = cover_a + wa,
             *cover_b = frag_b + wb;
    memset(al->bits, 0, 2 * (wa + wb) * sizeof *al->bits);
    dp_span cur = {0};
    uint32_t first = 0, last_b_end = 0;
    int have_last = 0;
    for (uint32_t f = 0; f <= nf; f++) {
        uint32_t fa = 0, fb = 0, fm = 0;
        if (f < nf) {
            fa = al->frag[3 * f];
            fb = al->frag[3 * f + 1];
            fm = al->frag[3 * f + 2];
            out->frag_a += fm;
            set_range(frag_a, fa, fa + fm);  /* fragments never overlap in A */
            out->frag_b += fresh_range(frag_b, fb, fb + fm, fast);
            if (!have_last || fb + 40 >= last_b_end) {  /* in order, or a swapped neighbour */
                out->ordered += fm;
                last_b_end = fb + fm;
                have_last = 1;
            }
            if (f > first && fa <= cur.a + cur.a_len + DP_ALIGN_GAP && fb >= cur.b + cur.b_len &&
                fb <= cur.b + cur.b_len + DP_ALIGN_GAP) {
                cur.a_len = fa + fm - cur.a;
                cur.b_len = fb + fm - cur.b;
                cur.matched += fm;
                continue;
            }
        }
        if (f > 0 && cur.matched >= min_passage) {  /* close the passage of [first, f) */
            out->passages++;
            keep_span(out, cur);
            for (uint32_t g = first; g < f; g++) {
                uint32_t ga = al->frag[3 * g], gb = al->frag[3 * g + 1], gm = al->frag[3 * g + 2];
                set_range(cover_a, ga, ga + gm);
                out->cover_a += gm;
                out->cover_b += fresh_range(cover_b, gb, gb + gm, fast);
            }
        }
        cur = (dp_span){fa, fb, fm, fm, fm};
        first = f;
    }
    if (out->ordered > small) out->ordered = small;
    /* Spread of the cover over the smaller document, by tenths: word i is
     * in tenth floor(10 i / small), i.e. in [ceil(small t / 10),
     * ceil(small (t + 1) / 10)). */
    const uint64_t *cover_small = na <= nb ? cover_a : cover_b;
    const uint64_t *frag_small = na <= nb ? frag_a : frag_b;
    for (int t = 0; t < 10; t++) {
        uint32_t lo = (uint32_t)(((uint64_t)small * t + 9) / 10);
        uint32_t hi = (uint32_t)(((uint64_t)small * (t + 1) + 9) / 10);
        uint32_t covered = count_range(cover_small, lo, hi, fast);
        uint32_t in_frag = count_range(frag_small, lo, hi, fast);
        out->cover_spread += hi > lo && covered >= DP_ALIGN_SPREAD_SHARE * (hi - lo);
        out->frag_spread += hi > lo && in_frag >= DP_ALIGN_FRAG_SPREAD_SHARE * (hi - lo);
    }
    return DOPPEL_OK;
}

static doppel_status align_keyed_base(dp_aligner *al, const uint32_t *a, uint32_t na,
                                      const uint32_t *b, uint32_t nb, uint64_t key_b,
                                      dp_alignment *out) {
    return align_keyed(al, a, na, b, nb, key_b, out, 0);
}

#ifdef HAVE_FILTER_AVX2
/* The same code for a CPU with POPCNT and BMI2: the bit counts of the
 * cover and fragment sets in one instruction instead of twelve, and the
 * variable shifts of the bit ranges and the walk without the flags
 * dependency. */
__attribute__((target("popcnt,bmi,bmi2"))) static doppel_status
align_keyed_bmi(dp_aligner *al, const uint32_t *a, uint32_t na, const uint32_t *b, uint32_t nb,
                uint64_t key_b, dp_alignment *out) {
    return align_keyed(al, a, na, b, nb, key_b, out, 1);
}
#endif

doppel_status dp_align_keyed(dp_aligner *al, const uint32_t *a, uint32_t na, const uint32_t *b,
                             uint32_t nb, uint64_t key_b, dp_alignment *out) {
#ifdef HAVE_FILTER_AVX2
    if (!al->portable && dp_cpu_avx512bw()) /* BMI, BMI2 and POPCNT among them */
        return align_keyed_bmi(al, a, na, b, nb, key_b, out);
#endif
    return align_keyed_base(al, a, na, b, nb, key_b, out);
}
