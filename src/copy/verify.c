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

uint32_t dp_intersect_count(const uint32_t *a, size_t na, const uint32_t *b, size_t nb) {
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

/* ---- doppel_compare ---------------------------------------------------- */

typedef struct {
    doppel_buf norm;
    doppel_hashes shingles;  /* in text order */
    uint32_t *set;          /* 2 x (shingles + 1) values: the set, then sort scratch */
    size_t set_len, set_bytes;
    uint32_t sig[DP_MAX_PERM];
} side;

static void side_free(side *s) {
    doppel_buf_free(&s->norm);
    doppel_hashes_free(&s->shingles);
    dp_free(s->set, s->set_bytes);
}

static doppel_status side_build(const doppel_config *cfg, const char *text, size_t len, side *s,
                                const char *name, doppel_error *err) {
    if (doppel_normalize(text, len, &s->norm, NULL))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory normalizing %s", name);
    if (doppel_shingle(s->norm.data, s->norm.len, cfg->shingle_kind, cfg->shingle_size, cfg->seed,
                       &s->shingles))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory shingling %s", name);
    size_t n = s->shingles.len;
    s->set_bytes = (2 * n + 1) * sizeof *s->set;
    s->set = dp_malloc(s->set_bytes);
    if (!s->set) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    s->set_len = dp_make_set32(s->shingles.v, n, s->set, s->set + n);
    doppel_minhash(cfg->sketch, s->shingles.v, n, cfg->seed, cfg->num_perm, s->sig);
    return DOPPEL_OK;
}

/* Word start offsets of normalized text; (*count + 1) entries, dp_free'd by
 * the caller. */
static size_t *word_starts(const doppel_buf *norm, size_t *count) {
    size_t n = 0;
    for (size_t i = 0; i < norm->len; i++)
        if (i == 0 || norm->data[i - 1] == ' ') n++;
    size_t *w = dp_malloc((n + 1) * sizeof *w);
    if (!w) return NULL;
    size_t k = 0;
    for (size_t i = 0; i < norm->len; i++)
        if (i == 0 || norm->data[i - 1] == ' ') w[k++] = i;
    w[n] = norm->len + 1;
    *count = n;
    return w;
}

typedef struct {
    uint64_t hash;
    size_t pos;
} hpos;

static int cmp_hpos(const void *x, const void *y) {
    const hpos *a = x, *b = y;
    if (a->hash != b->hash) return a->hash < b->hash ? -1 : 1;
    return (a->pos > b->pos) - (a->pos < b->pos);
}

static const hpos *find_hash(const hpos *v, size_t n, uint64_t h) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].hash < h) lo = mid + 1;
        else hi = mid;
    }
    return lo < n && v[lo].hash == h ? &v[lo] : NULL;
}

/* Longest runs of A's word shingles that also occur in B, as word ranges. */
static doppel_status find_passages(const doppel_config *cfg, side *a, side *b,
                                   doppel_comparison *out) {
    unsigned n = cfg->shingle_size;
    doppel_hashes wa = {0}, wb = {0};
    doppel_status st = DOPPEL_ERR_NOMEM;
    hpos *index = NULL;
    size_t *starts = NULL, words = 0;
    /* Passages are reported in words, so always use word shingles here. */
    if (doppel_shingle(a->norm.data, a->norm.len, DOPPEL_SHINGLE_WORD, n, cfg->seed, &wa) ||
        doppel_shingle(b->norm.data, b->norm.len, DOPPEL_SHINGLE_WORD, n, cfg->seed, &wb))
        goto done;
    index = dp_malloc((wb.len + 1) * sizeof *index);
    starts = word_starts(&a->norm, &words);
    if (!index || !starts) goto done;
    for (size_t i = 0; i < wb.len; i++) index[i] = (hpos){wb.v[i], i};
    qsort(index, wb.len, sizeof *index, cmp_hpos);
    st = DOPPEL_OK;
    if (words < n) goto done;  /* a single short shingle is no passage */
    size_t i = 0;
    while (i < wa.len) {
        const hpos *hit = find_hash(index, wb.len, wa.v[i]);
        if (!hit) {
            i++;
            continue;
        }
        size_t start = i, bpos = hit->pos;
        while (i + 1 < wa.len && bpos + (i + 1 - start) < wb.len &&
               wb.v[bpos + (i + 1 - start)] == wa.v[i + 1])
            i++;
        size_t len_words = i - start + n;
        /* Insert into the top list, longest first; ties keep text order. */
        size_t slot = out->num_passages;
        while (slot > 0 && out->passages[slot - 1].words < len_words) slot--;
        if (slot < DOPPEL_MAX_PASSAGES) {
            if (out->num_passages == DOPPEL_MAX_PASSAGES) {
                char *last = out->passages[DOPPEL_MAX_PASSAGES - 1].text;
                dp_free(last, strlen(last) + 1);
                out->num_passages--;
            }
            memmove(out->passages + slot + 1, out->passages + slot,
                    (out->num_passages - slot) * sizeof *out->passages);
            size_t from = starts[start], to = starts[start + len_words] - 1;
            out->passages[slot] = (doppel_passage){start, bpos, len_words, NULL};
            out->passages[slot].text = dp_strndup(a->norm.data + from, to - from);
            if (!out->passages[slot].text) {
                st = DOPPEL_ERR_NOMEM;
                goto done;
            }
            out->num_passages++;
        }
        i++;
    }
done:
    dp_free(index, (wb.len + 1) * sizeof *index);
    dp_free(starts, (words + 1) * sizeof *starts);
    doppel_hashes_free(&wa);
    doppel_hashes_free(&wb);
    return st;
}

doppel_status doppel_compare(const doppel_config *cfg, const char *a, size_t a_len,
                             const char *b, size_t b_len, doppel_comparison *out,
                             doppel_error *err) {
    *out = (doppel_comparison){0};
    doppel_status st = doppel_config_validate(cfg, err);
    if (st) return st;
    side *sa = dp_calloc(1, sizeof *sa), *sb = dp_calloc(1, sizeof *sb);
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
        out->sim = dp_similarity(sa->set_len, sb->set_len,
                                 dp_intersect_count(sa->set, sa->set_len, sb->set, sb->set_len));
        out->estimate = doppel_minhash_jaccard(sa->sig, sb->sig, cfg->num_perm);
        out->identical = sa->norm.len == sb->norm.len &&
                         memcmp(sa->norm.data, sb->norm.data, sa->norm.len) == 0 && sa->norm.len;
        out->relation = out->identical ? DOPPEL_REL_EXACT
                                       : doppel_classify(cfg, &out->sim, sa->set_len, sb->set_len);
        if (find_passages(cfg, sa, sb, out)) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    }
    side_free(sa);
    side_free(sb);
    dp_free(sa, sizeof *sa);
    dp_free(sb, sizeof *sb);
    if (st) doppel_comparison_free(out);
    return st;
}

void doppel_comparison_free(doppel_comparison *cmp) {
    if (!cmp) return;
    for (size_t i = 0; i < cmp->num_passages; i++)
        dp_free(cmp->passages[i].text, strlen(cmp->passages[i].text) + 1);
    cmp->num_passages = 0;
}
