/*
 * verify.c — exact similarity of two shingle sets, and doppel_compare, which
 * explains one pair end to end including the passages the two texts share.
 *
 * Sets are stored as sorted 32-bit folds of the 64-bit shingle hashes: half
 * the disk and cache traffic, and for sets of thousands of shingles the
 * chance that two different shingles fold to the same value is ~1e-6 per
 * pair of shingles compared, far below any threshold's resolution.
 */
#include "copy/verify.h"
#include "base/sort.h"
#include "copy/align.h"
#include "copy/relate.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* The merge one element at a time, from a[i], b[j]. */
static uint32_t intersect_merge(const uint32_t *a, size_t na, size_t i, const uint32_t *b,
                                size_t nb, size_t j) {
    /* Branch-free merge: which side advances is data, not control flow,
     * because for random hashes it is a coin toss the predictor loses. */
    uint32_t shared = 0;
    while (i < na && j < nb) {
        uint32_t x = a[i], y = b[j];
        shared += x == y;
        i += x <= y;
        j += y <= x;
    }
    return shared;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_INTERSECT_AVX2 1
/* Values ahead to prefetch: 8 cache lines. */
#define PREFETCH_B 128

/* b's first PREFETCH_B values, asked for at once. b lies anywhere in the
 * spill, so its first lines missed one after another, each waited on by a
 * step of the merge, before the prefetches ahead (and the hardware's)
 * caught up. Replaying the intersections of a 100k run with the b sets
 * scattered in memory as the spill has them: 0.85 -> 0.74 of the AVX2
 * loop's time without it (twice as many lines: 0.73-0.80; all of b: 0.77);
 * the AVX2 loop itself, 0.89 with it. */
static inline void prefetch_start(const uint32_t *b, size_t nb) {
    for (size_t o = 0; o < PREFETCH_B && o < nb; o += 16)
        _mm_prefetch((const char *)(b + o), _MM_HINT_T0);
}

/* Eight values of each side at a time: each of b's eight, broadcast,
 * against a's block, then the block with the smaller last value advances,
 * or both on a tie (the SSE2 loop below, twice as wide). The loop waits on
 * the comparison of the two last values, which decides the next loads, so
 * eight values a step instead of four nearly halve it: 1.65 -> 0.96 ns a
 * value on sets of 300-1,800 sharing 60%. Broadcasts from memory are
 * loads, not shuffles: rotating b's block (vpermd) was slower. */
__attribute__((target("avx2,popcnt"))) static uint32_t intersect_avx2(const uint32_t *a,
                                                                      size_t na,
                                                                      const uint32_t *b,
                                                                      size_t nb) {
    size_t i = 0, j = 0;
    uint32_t shared = 0;
    prefetch_start(b, nb);
    while (i + 8 <= na && j + 8 <= nb) {
        __m256i va = _mm256_loadu_si256((const __m256i *)(const void *)(a + i));
        const uint32_t *q = b + j;
        /* b is a new set each call (a is the run's, cached): its blocks
         * came from memory, and the step that needed one waited for it (a
         * quarter of this loop's time at 100k documents). Asked for
         * PREFETCH_B values ahead, they are there when the merge gets to
         * them. Past the end a prefetch is a harmless hint; its address is
         * made as an integer, as pointer arithmetic may not leave the set. */
        _mm_prefetch((const char *)((uintptr_t)q + 4 * PREFETCH_B), _MM_HINT_T0);
        _mm_prefetch((const char *)((uintptr_t)(a + i) + 4 * PREFETCH_B), _MM_HINT_T0);
#define EQ(k) _mm256_cmpeq_epi32(va, _mm256_set1_epi32((int)q[k]))
        __m256i eq = _mm256_or_si256(
            _mm256_or_si256(_mm256_or_si256(EQ(0), EQ(1)), _mm256_or_si256(EQ(2), EQ(3))),
            _mm256_or_si256(_mm256_or_si256(EQ(4), EQ(5)), _mm256_or_si256(EQ(6), EQ(7))));
#undef EQ
        shared += (uint32_t)__builtin_popcount((unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(eq)));
        uint32_t amax = a[i + 7], bmax = q[7];
        i += 8 * (size_t)(amax <= bmax);
        j += 8 * (size_t)(bmax <= amax);
    }
    /* dirty upper halves slow the SSE code that runs next (shingle.c) */
    _mm256_zeroupper();
    return shared + intersect_merge(a, na, i, b, nb, j);
}

#define HAVE_INTERSECT_AVX512 1
/* Sixteen values of each side at a time, as the AVX2 loop does eight:
 * half the dependent steps again. Each of b's sixteen values, broadcast,
 * is compared with a's block into a mask of the lanes that differ; four
 * chains of four masked compares (a lane stays set only while it differs
 * from every value so far) keep the masks in mask registers, where an OR
 * tree of sixteen separate masks went through general registers (the
 * compiler's kmov/or), and the chains are not on the loop's critical path,
 * which is the comparison of the two last values. The lanes still set at
 * the end matched nothing; values are unique within a set, so the others
 * matched exactly once. Replaying the 238,627 intersections of a 100k run:
 * 0.6-0.78 of the AVX2 loop's time (an OR tree of _kor_mask16 0.74-0.82,
 * the compiler's OR of sixteen masks 0.78-0.95, loading the next last
 * values a step ahead slower than without; docs/performance.md).
 *
 * The rest, below sixteen values on a side, takes eight at a time in one
 * 512-bit compare per two of b's values: a's eight doubled up (a0 a0 a1
 * a1 ...) against b's pairs broadcast (b0 b1 b0 b1 ...), four compares
 * for the 64 pairs. */
__attribute__((target("avx512f,avx2,popcnt"))) static uint32_t intersect_avx512(
    const uint32_t *a, size_t na, const uint32_t *b, size_t nb) {
    size_t i = 0, j = 0;
    uint32_t shared = 0;
    prefetch_start(b, nb);
    while (i + 16 <= na && j + 16 <= nb) {
        __m512i va = _mm512_loadu_si512((const void *)(a + i));
        const uint32_t *q = b + j;
        /* as in intersect_avx2 */
        _mm_prefetch((const char *)((uintptr_t)q + 4 * PREFETCH_B), _MM_HINT_T0);
        _mm_prefetch((const char *)((uintptr_t)(a + i) + 4 * PREFETCH_B), _MM_HINT_T0);
#define NE(k) _mm512_cmpneq_epi32_mask(va, _mm512_set1_epi32((int)q[k]))
#define MNE(m, k) _mm512_mask_cmpneq_epi32_mask(m, va, _mm512_set1_epi32((int)q[k]))
        __mmask16 m0 = MNE(MNE(MNE(NE(0), 4), 8), 12);
        __mmask16 m1 = MNE(MNE(MNE(NE(1), 5), 9), 13);
        __mmask16 m2 = MNE(MNE(MNE(NE(2), 6), 10), 14);
        __mmask16 m3 = MNE(MNE(MNE(NE(3), 7), 11), 15);
#undef NE
#undef MNE
        __mmask16 differ = _kand_mask16(_kand_mask16(m0, m1), _kand_mask16(m2, m3));
        shared += 16 - (uint32_t)__builtin_popcount(_cvtmask16_u32(differ));
        uint32_t amax = a[i + 15], bmax = q[15];
        i += 16 * (size_t)(amax <= bmax);
        j += 16 * (size_t)(bmax <= amax);
    }
    const __m512i twice = _mm512_set_epi32(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0);
    while (i + 8 <= na && j + 8 <= nb) {
        __m512i va = _mm512_permutexvar_epi32(
            twice, _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(const void *)(a + i))));
        const uint32_t *q = b + j;
        uint64_t w[4];
        memcpy(w, q, sizeof w);
#define EQ(k) _mm512_cmpeq_epi32_mask(va, _mm512_set1_epi64((long long)w[k]))
        __mmask16 eq = _kor_mask16(_kor_mask16(EQ(0), EQ(1)), _kor_mask16(EQ(2), EQ(3)));
#undef EQ
        shared += (uint32_t)__builtin_popcount(_cvtmask16_u32(eq));
        uint32_t amax = a[i + 7], bmax = q[7];
        i += 8 * (size_t)(amax <= bmax);
        j += 8 * (size_t)(bmax <= amax);
    }
    _mm256_zeroupper();
    return shared + intersect_merge(a, na, i, b, nb, j);
}
#endif

/* The SSE2 path, or the merge alone where there is no SSE2. */
static uint32_t intersect_sse2(const uint32_t *a, size_t na, const uint32_t *b, size_t nb) {
    size_t i = 0, j = 0;
    uint32_t shared = 0;
#ifdef __SSE2__
    /* Four values of each side at a time: every value of a's block against
     * every value of b's (three rotations of b), then the block with the
     * smaller last value advances, or both on a tie. Values are unique
     * within each set, so a value matches at most once, and a pair of
     * blocks is compared at most once. The merge's one-step dependency
     * chain becomes one step per four values. */
    static const uint8_t bits4[16] = {0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4};
    while (i + 4 <= na && j + 4 <= nb) {
        __m128i va = _mm_loadu_si128((const __m128i *)(const void *)(a + i));
        __m128i vb = _mm_loadu_si128((const __m128i *)(const void *)(b + j));
        __m128i eq = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi32(va, vb),
                         _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, _MM_SHUFFLE(0, 3, 2, 1)))),
            _mm_or_si128(_mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, _MM_SHUFFLE(1, 0, 3, 2))),
                         _mm_cmpeq_epi32(va, _mm_shuffle_epi32(vb, _MM_SHUFFLE(2, 1, 0, 3)))));
        shared += bits4[_mm_movemask_ps(_mm_castsi128_ps(eq))];
        uint32_t amax = a[i + 3], bmax = b[j + 3];
        i += 4 * (size_t)(amax <= bmax);
        j += 4 * (size_t)(bmax <= amax);
    }
#endif
    return shared + intersect_merge(a, na, i, b, nb, j);
}

uint32_t dp_intersect_count_path(const uint32_t *a, size_t na, const uint32_t *b, size_t nb,
                                 dp_intersect_path path) {
    if (path == DP_INTERSECT_MERGE) return intersect_merge(a, na, 0, b, nb, 0);
#ifdef HAVE_INTERSECT_AVX512
    if (path >= DP_INTERSECT_AVX512 && na >= 8 && nb >= 8 && dp_cpu_avx512())
        return intersect_avx512(a, na, b, nb);
#endif
#ifdef HAVE_INTERSECT_AVX2
    if (path >= DP_INTERSECT_AVX2 && na >= 8 && nb >= 8 && dp_cpu_avx2())
        return intersect_avx2(a, na, b, nb);
#endif
    return intersect_sse2(a, na, b, nb);
}

uint32_t dp_intersect_count(const uint32_t *a, size_t na, const uint32_t *b, size_t nb) {
    return dp_intersect_count_path(a, na, b, nb, DP_INTERSECT_BEST);
}

doppel_similarity dp_similarity(size_t na, size_t nb, uint32_t shared) {
    doppel_similarity s = {0};
    s.shared = shared;
    size_t uni = na + nb - shared;
    s.jaccard = uni ? (double)shared / (double)uni : 1.0;
    s.a_in_b = na ? (double)shared / (double)na : 0.0;
    s.b_in_a = nb ? (double)shared / (double)nb : 0.0;
    return s;
}

doppel_similarity dp_similarity_estimate(const uint32_t *sa, const uint32_t *sb, unsigned k,
                                         size_t na, size_t nb) {
    double j = doppel_minhash_jaccard(sa, sb, k);
    /* |A∩B| = J * |A∪B| = J * (|A| + |B|) / (1 + J) */
    double shared = j * (double)(na + nb) / (1.0 + j);
    if (shared > (double)DP_MIN(na, nb)) shared = (double)DP_MIN(na, nb);
    doppel_similarity s = dp_similarity(na, nb, (uint32_t)(shared + 0.5));
    s.jaccard = j;
    return s;
}

size_t dp_make_set32(const uint64_t *hashes, size_t n, uint32_t *out, uint32_t *tmp) {
    dp_sort_folds_u32(hashes, tmp, out, n);
    return dp_unique_u32(out, n);
}

/* ---- doppel_compare ----------------------------------------------------
 * The same steps as the index, for one pair: extraction (when configured),
 * normalization, shingles and their sets, the sketch, the word hashes and
 * their alignment, and the relation rules of relate.c. */

typedef struct {
    doppel_extractor *ex;
    doppel_buf norm;
    doppel_hashes shingles;  /* in text order */
    uint32_t *set;          /* 2 x (shingles + 1) values: the set, then sort scratch */
    size_t set_len, set_bytes;
    uint32_t sig[DP_MAX_PERM];
    uint32_t *words;
    size_t words_len, words_cap;
} side;

static void side_free(side *s) {
    doppel_extractor_free(s->ex);
    doppel_buf_free(&s->norm);
    doppel_hashes_free(&s->shingles);
    dp_free(s->set, s->set_bytes);
    dp_free(s->words, s->words_cap * sizeof *s->words);
}

static doppel_status side_build(const doppel_config *cfg, const char *text, size_t len, side *s,
                                const char *name, doppel_error *err) {
    if (cfg->extract) {
        doppel_extract_options defaults;
        const doppel_extract_options *opt = cfg->extract_options;
        if (!opt) {
            doppel_extract_options_default(&defaults);
            opt = &defaults;
        }
        doppel_extract_result res;
        doppel_status st = doppel_extractor_new(&s->ex, err);
        if (!st) st = doppel_extract(s->ex, text, len, opt, &res, err);
        if (st) return st;
        text = res.text;
        len = res.text_len;
    }
    if (doppel_normalize(text, len, &s->norm, NULL))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory normalizing %s", name);
    long nw = dp_shingle_with_words(s->norm.data, s->norm.len, cfg->shingle_kind,
                                    cfg->shingle_size, cfg->seed, &s->shingles,
                                    DP_ALIGN_MAX_WORDS, &s->words, &s->words_cap);
    if (nw < 0) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory shingling %s", name);
    s->words_len = (size_t)nw;
    size_t n = s->shingles.len;
    s->set_bytes = (2 * n + 1) * sizeof *s->set;
    s->set = dp_malloc(s->set_bytes);
    if (!s->set) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    s->set_len = dp_make_set32(s->shingles.v, n, s->set, s->set + n);
    doppel_minhash(cfg->sketch, s->shingles.v, n, cfg->seed, cfg->num_perm, s->sig);
    return DOPPEL_OK;
}

/* Words [from, from + count) of normalized text as a new string. */
static char *words_text(const doppel_buf *norm, size_t from, size_t count) {
    size_t w = 0, i = 0, start = norm->len, end = norm->len;
    for (; i <= norm->len; i++) {
        int boundary = i == norm->len || norm->data[i] == ' ';
        if (i == 0 || norm->data[i - 1] == ' ') {
            if (w == from) start = i;
        }
        if (boundary) {
            w++;
            if (w == from + count) {
                end = i;
                break;
            }
        }
    }
    if (start > end) start = end;
    return dp_strndup(norm->data + start, end - start);
}

doppel_status doppel_compare(const doppel_config *cfg, const char *a, size_t a_len,
                             const char *b, size_t b_len, doppel_comparison *out,
                             doppel_error *err) {
    *out = (doppel_comparison){0};
    doppel_status st = doppel_config_validate(cfg, err);
    if (st) return st;
    side *sa = dp_calloc(1, sizeof *sa), *sb = dp_calloc(1, sizeof *sb);
    dp_aligner al = {0};
    if (!sa || !sb) {
        dp_free(sa, sizeof *sa);
        dp_free(sb, sizeof *sb);
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    }
    st = side_build(cfg, a, a_len, sa, "the first text", err);
    if (!st) st = side_build(cfg, b, b_len, sb, "the second text", err);
    if (!st) {
        out->shingles_a = sa->set_len;
        out->shingles_b = sb->set_len;
        out->words_a = sa->words_len;
        out->words_b = sb->words_len;
        out->sim = dp_similarity(sa->set_len, sb->set_len,
                                 dp_intersect_count(sa->set, sa->set_len, sb->set, sb->set_len));
        out->estimate = doppel_minhash_jaccard(sa->sig, sb->sig, cfg->num_perm);
        out->identical = sa->norm.len == sb->norm.len &&
                         memcmp(sa->norm.data, sb->norm.data, sa->norm.len) == 0 && sa->norm.len;
        dp_alignment ali;
        /* As the index aligns a pair (a, b) in input order. */
        doppel_relation arel = DOPPEL_REL_NONE;
        if (dp_align_pair(cfg, &al, sa->words, (uint32_t)sa->words_len, 0, sb->words,
                          (uint32_t)sb->words_len, &ali, &arel))
            st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        if (!st) {
            out->cover_a = ali.na ? (double)ali.cover_a / ali.na : 0.0;
            out->cover_b = ali.nb ? (double)ali.cover_b / ali.nb : 0.0;
            if (out->identical) out->cover_a = out->cover_b = 1.0;
            out->relation = out->identical ? DOPPEL_REL_EXACT
                            : cfg->verify == DOPPEL_VERIFY_FAST
                                ? doppel_classify(cfg, &out->sim, sa->set_len, sb->set_len)
                            : dp_worth_aligning((uint32_t)sa->set_len, (uint32_t)sb->set_len,
                                                out->sim.shared)
                                ? arel
                                : DOPPEL_REL_NONE;  /* the index does not align it */
            out->a_is_source = dp_relation_source(out->relation, 0, 1, DOPPEL_NO_DATE,
                                                  DOPPEL_NO_DATE, out->cover_a, out->cover_b,
                                                  ali.na, ali.nb) == 0;
            for (uint32_t k = 0; k < ali.num_spans && k < DOPPEL_MAX_PASSAGES; k++) {
                const dp_span *p = &ali.spans[k];
                doppel_passage *q = &out->passages[out->num_passages];
                *q = (doppel_passage){p->a, p->b, p->a_len, NULL, p->b_len, p->matched, NULL};
                q->text = words_text(&sa->norm, p->a, p->a_len);
                q->b_text = words_text(&sb->norm, p->b, p->b_len);
                out->num_passages++;
                if (!q->text || !q->b_text) {
                    st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
                    break;
                }
            }
        }
    }
    dp_aligner_free(&al);
    side_free(sa);
    side_free(sb);
    dp_free(sa, sizeof *sa);
    dp_free(sb, sizeof *sb);
    if (st) doppel_comparison_free(out);
    return st;
}

void doppel_comparison_free(doppel_comparison *cmp) {
    if (!cmp) return;
    for (size_t i = 0; i < cmp->num_passages; i++) {
        if (cmp->passages[i].text) dp_free(cmp->passages[i].text, strlen(cmp->passages[i].text) + 1);
        if (cmp->passages[i].b_text)
            dp_free(cmp->passages[i].b_text, strlen(cmp->passages[i].b_text) + 1);
    }
    cmp->num_passages = 0;
}
