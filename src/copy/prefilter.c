/*
 * prefilter.c — the signature pre-filter of LSH candidates (see prefilter.h).
 *
 * A MinHash position agrees with probability J, so the agreements of a pair
 * at Jaccard J are close to Binomial(k, J). For the one-permutation sketch
 * with at least k shingles per set they spread less than that (measured:
 * variance 0.77-0.86 of the binomial's for 128 to 512 shingles), so the
 * binomial's lower tail is a safe bound. A pair is dropped when its
 * agreements fall in the tail of mass prefilter_miss below the pair's
 * Jaccard floor: the least Jaccard any acceptance rule allows for its set
 * sizes. 16-bit prints agree by chance once in 65,536 positions, which
 * only ever adds agreements, so it can keep a pair, never drop one.
 */
#include "copy/prefilter.h"
#include "base/pool.h"
#include "base/spill.h"
#include "copy/lsh.h"

#include <math.h>
#include <string.h>

double dp_jaccard_floor(const doppel_config *cfg, size_t na, size_t nb) {
    double floor = cfg->threshold;
    double small = (double)DP_MIN(na, nb), large = (double)DP_MAX(na, nb);
    /* contained: shared >= c * small, and J = shared / (small + large - shared)
     * rises with shared */
    if (small >= cfg->min_contained && small > 0) {
        double c = cfg->containment;
        double j = c * small / (small + large - c * small);
        if (j < floor) floor = j;
    }
    /* edited reprints: J >= low and shared >= min_shared, where
     * shared = J (na + nb) / (1 + J) */
    if (small >= cfg->min_shared) {
        double total = small + large, ms = cfg->min_shared;
        double j = total > ms ? ms / (total - ms) : 1.0;
        if (j < cfg->low_threshold) j = cfg->low_threshold;
        if (j < floor) floor = j;
    }
    return floor;
}

/* P(X <= m) for X ~ Binomial(k, p), summed in logs: (1-p)^k underflows for
 * the k and p used here. */
static double binomial_cdf(unsigned k, double p, unsigned m) {
    if (p <= 0.0) return 1.0;
    if (p >= 1.0) return m >= k ? 1.0 : 0.0;
    double sum = 0.0, lp = log(p), lq = log1p(-p), lk = lgamma((double)k + 1.0);
    for (unsigned i = 0; i <= m && i <= k; i++)
        sum += exp(lk - lgamma((double)i + 1.0) - lgamma((double)(k - i) + 1.0) + i * lp +
                   (double)(k - i) * lq);
    return sum;
}

void dp_prefilter_init(dp_prefilter *pf, const doppel_config *cfg) {
    pf->cfg = cfg;
    pf->k = cfg->num_perm;
    pf->active = cfg->verify == DOPPEL_VERIFY_EXACT && cfg->prefilter_miss > 0.0;
    pf->reuse = cfg->verify == DOPPEL_VERIFY_EXACT;
    for (unsigned q = 0; q <= DP_FLOOR_STEPS; q++) {
        double p = (double)q / DP_FLOOR_STEPS;
        unsigned need = 0;
        /* need rises with p: start from the previous step's */
        if (q) need = pf->need[q - 1];
        while (pf->active && need < pf->k && binomial_cdf(pf->k, p, need) <= cfg->prefilter_miss)
            need++;
        pf->need[q] = (uint16_t)need;
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_PRINTS_AVX2 1
/* The low halves of sig[0, 2 words) into prints[0, words), words a
 * multiple of 8: a print is the low 16 bits of a value, so the record is
 * the values' low halves in order (little endian). Masked to 16 bits, the
 * saturating pack truncates; it interleaves the two inputs by 128-bit lane,
 * which the permute undoes. */
__attribute__((target("avx2"))) static void prints_pack_avx2(const uint32_t *sig, unsigned words,
                                                             uint32_t *prints) {
    const __m256i low = _mm256_set1_epi32(0xffff);
    for (unsigned w = 0; w < words; w += 8) {
        const __m256i *v = (const __m256i *)(const void *)(sig + 2 * w);
        __m256i x0 = _mm256_and_si256(_mm256_loadu_si256(v), low);
        __m256i x1 = _mm256_and_si256(_mm256_loadu_si256(v + 1), low);
        __m256i p = _mm256_permute4x64_epi64(_mm256_packus_epi32(x0, x1), 0xD8);
        _mm256_storeu_si256((__m256i *)(void *)(prints + w), p);
    }
    _mm256_zeroupper();
}
#endif

void dp_prints_pack(const uint32_t *sig, unsigned k, uint32_t *prints) {
    unsigned w = 0;
#ifdef HAVE_PRINTS_AVX2
    /* whole words (both halves from sig), eight at a time: the scalar
     * loop, seven instructions a word, was 0.5% of a run at 100k documents */
    if (k / 2 >= 8 && dp_cpu_avx2()) {
        w = k / 2 - k / 2 % 8;
        prints_pack_avx2(sig, w, prints);
    }
#endif
    for (; w < dp_prints_words(k); w++) {
        uint32_t lo = sig[2 * w] & 0xffffu;
        uint32_t hi = 2 * w + 1 < k ? sig[2 * w + 1] & 0xffffu : 0;
        prints[w] = lo | hi << 16;
    }
}

#ifdef HAVE_PRINTS_AVX2
/* Agreeing 16-bit halves of words [0, words - words % 16), sixteen prints
 * a compare: the scalar loop below was four fifths of the pre-filter's
 * time, the one pass every candidate pair makes. */
__attribute__((target("avx2,popcnt"))) static unsigned prints_agree_avx2(const uint32_t *pa,
                                                                         const uint32_t *pb,
                                                                         unsigned words) {
    unsigned bytes = 0;
    for (unsigned w = 0; w + 16 <= words; w += 16) {
        __m256i x0 = _mm256_loadu_si256((const __m256i *)(const void *)(pa + w));
        __m256i y0 = _mm256_loadu_si256((const __m256i *)(const void *)(pb + w));
        __m256i x1 = _mm256_loadu_si256((const __m256i *)(const void *)(pa + w + 8));
        __m256i y1 = _mm256_loadu_si256((const __m256i *)(const void *)(pb + w + 8));
        /* an agreeing print sets both bytes of its lane */
        unsigned m0 = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi16(x0, y0));
        unsigned m1 = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi16(x1, y1));
        bytes += (unsigned)(__builtin_popcount(m0) + __builtin_popcount(m1));
    }
    _mm256_zeroupper();
    return bytes / 2;
}
#endif

unsigned dp_prints_matches(const uint32_t *pa, const uint32_t *pb, unsigned k) {
    unsigned words = dp_prints_words(k), matches = 0, w = 0;
#ifdef HAVE_PRINTS_AVX2
    if (words >= 16 && dp_cpu_avx2()) {
        matches = prints_agree_avx2(pa, pb, words);
        w = words - words % 16;
    }
#endif
    for (; w < words; w++) {
        uint32_t x = pa[w] ^ pb[w];
        matches += (x & 0xffffu) == 0;
        matches += (x >> 16) == 0;
    }
    /* an odd k pads the last word's upper half with zeros on both sides */
    return matches - (k & 1);
}

int dp_prefilter_rejects(const dp_prefilter *pf, size_t na, size_t nb, unsigned matches) {
    if (!dp_prefilter_applies(pf, na, nb)) return 0;
    double floor = dp_jaccard_floor(pf->cfg, na, nb);
    if (floor > 1.0) floor = 1.0;
    if (floor < 0.0) floor = 0.0;
    unsigned q = (unsigned)(floor * DP_FLOOR_STEPS); /* rounded down: never stricter */
    return matches < pf->need[q];
}

unsigned dp_prefilter_words(const dp_prefilter *pf) {
    return dp_prints_words(pf->k) + (pf->reuse ? dp_prints_words(DP_REUSE_BANDS) : 0);
}

void dp_prefilter_record(const dp_prefilter *pf, const uint32_t *sig, const uint32_t *slots,
                         uint32_t *record) {
    dp_prints_pack(sig, pf->k, record);
    if (pf->reuse) dp_prints_pack(slots, DP_REUSE_BANDS, record + dp_prints_words(pf->k));
}

int dp_prefilter_keeps(const dp_prefilter *pf, size_t na, size_t nb, const uint32_t *ra,
                       const uint32_t *rb) {
    if (!dp_prefilter_rejects(pf, na, nb, dp_prints_matches(ra, rb, pf->k))) return 1;
    unsigned w = dp_prints_words(pf->k);
    return pf->reuse && dp_prints_matches(ra + w, rb + w, DP_REUSE_BANDS) >= DP_REUSE_KEEP;
}

/* The prints of documents [first, first + count): in place when they lie
 * in one chunk of the spill's memory part, else read into *buf. */
static doppel_status get_chunk(dp_spill *prints, unsigned words, uint32_t first, uint32_t count,
                               const uint32_t **view, uint32_t **buf, size_t *cap,
                               doppel_error *err) {
    return dp_spill_get(prints, (uint64_t)first * words, count * words, view, buf, cap, err);
}

/* The candidates of one pair of chunks, evaluated by `parts` threads, each
 * a contiguous share of idx. Bits of keep are cleared with an atomic AND:
 * the pairs of one block are not contiguous in the candidate list, so two
 * threads can own bits of one byte. */
typedef struct block_job {
    const dp_prefilter *pf;
    const uint32_t *set_len;
    const uint64_t *pairs;
    const uint32_t *idx;  /* candidate numbers, relative to base */
    size_t base, n;
    const uint32_t *a_buf, *b_buf;
    uint32_t a_first, b_first;
    unsigned words, parts;
    uint8_t *keep;
    uint64_t ruled_out[DP_MAX_THREADS];
} block_job;

/* Candidates ahead whose b record is asked for (a miss takes about as
 * long as evaluating this many). */
#define PREFETCH_AHEAD 8

static void eval_block(void *arg, unsigned part) {
    block_job *j = arg;
    uint64_t ruled = 0;
    const size_t rec_bytes = (size_t)j->words * sizeof(uint32_t);
    for (size_t t = j->n * part / j->parts, end = j->n * (part + 1) / j->parts; t < end; t++) {
        /* The b records are scattered over the chunk: each one read was a
         * miss the loop waited on (a third of the pass's time). Asked for
         * PREFETCH_AHEAD candidates early, they arrive while others are
         * evaluated. */
        if (t + PREFETCH_AHEAD < end) {
            uint32_t pb = (uint32_t)j->pairs[j->base + j->idx[t + PREFETCH_AHEAD]];
            const char *r = (const char *)(j->b_buf + (size_t)(pb - j->b_first) * j->words);
            for (size_t off = 0; off < rec_bytes; off += 64) __builtin_prefetch(r + off);
        }
        size_t i = j->base + j->idx[t];
        uint32_t a = (uint32_t)(j->pairs[i] >> 32), b = (uint32_t)j->pairs[i];
        size_t na = j->set_len[a], nb = j->set_len[b];
        if (!dp_prefilter_applies(j->pf, na, nb)) continue;
        if (!dp_prefilter_keeps(j->pf, na, nb, j->a_buf + (size_t)(a - j->a_first) * j->words,
                                j->b_buf + (size_t)(b - j->b_first) * j->words)) {
            __atomic_fetch_and(&j->keep[i >> 3], (uint8_t)~(1u << (i & 7)), __ATOMIC_RELAXED);
            ruled++;
        }
    }
    j->ruled_out[part] += ruled;
}

doppel_status dp_prefilter_pass(const dp_prefilter *pf, dp_spill *prints,
                                const uint32_t *set_len, uint32_t n_docs, const uint64_t *pairs,
                                size_t n_pairs, size_t allowance, unsigned threads,
                                uint8_t *keep, uint64_t *ruled_out, doppel_error *err) {
    unsigned words = dp_prefilter_words(pf);
    size_t rec = (size_t)words * sizeof(uint32_t);
    if (allowance < (2u << 20)) allowance = 2u << 20;
    uint64_t chunk = allowance / 2 / rec;  /* documents per chunk */
    /* All in memory (dp_spill_new_records): chunks of the spill's, each
     * read in place, and no buffers. */
    int in_place = dp_spill_memory_values(prints) >= (uint64_t)n_docs * words &&
                   dp_spill_chunk_values(prints) >= words;
    if (in_place) chunk = dp_spill_chunk_values(prints) / words;
    if (chunk > n_docs) chunk = n_docs ? n_docs : 1;
    uint32_t chunks = (uint32_t)((n_docs + chunk - 1) / chunk);
    /* exactly one chunk each: dp_spill_read would round a growing buffer up */
    size_t a_cap = in_place ? 0 : (size_t)chunk * words, b_cap = a_cap;
    uint32_t *a_buf = NULL, *b_buf = NULL;
    if (!in_place) {
        a_buf = dp_malloc(a_cap * sizeof *a_buf);
        b_buf = dp_malloc(b_cap * sizeof *b_buf);
    }
    /* the candidates of the current "a" chunk, grouped by the chunk of their
     * "b" document (a counting sort: in list order within each group) */
    size_t *start = dp_calloc((size_t)chunks + 1, sizeof *start);
    uint32_t *idx = NULL;
    size_t idx_cap = 0;
    /* without a pool (one thread, or none could be made) the caller does it all */
    dp_pool *pool = dp_pool_for_threads(threads);
    block_job job = {.pf = pf, .set_len = set_len, .pairs = pairs, .words = words, .keep = keep,
                     .parts = pool ? dp_pool_workers(pool) + 1 : 1};
    doppel_status st = DOPPEL_OK;
    if ((!in_place && (!a_buf || !b_buf)) || !start)
        st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    for (size_t lo = 0; lo < n_pairs && st == DOPPEL_OK;) {
        uint32_t ci = (uint32_t)((pairs[lo] >> 32) / chunk);
        size_t hi = lo;
        while (hi < n_pairs && (pairs[hi] >> 32) / chunk == ci) hi++;
        if (hi - lo > idx_cap) {
            dp_free(idx, idx_cap * sizeof *idx);
            idx_cap = hi - lo;
            if (!(idx = dp_malloc(idx_cap * sizeof *idx))) {
                idx_cap = 0;
                st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
                break;
            }
        }
        memset(start, 0, ((size_t)chunks + 1) * sizeof *start);
        for (size_t i = lo; i < hi; i++) start[(uint32_t)pairs[i] / chunk + 1]++;
        for (uint32_t c = 0; c < chunks; c++) start[c + 1] += start[c];
        for (size_t i = lo; i < hi; i++) idx[start[(uint32_t)pairs[i] / chunk]++] = (uint32_t)(i - lo);
        /* start[c] is now the end of group c; group c begins at start[c - 1] */
        job.a_first = (uint32_t)(ci * chunk);
        uint32_t a_count = (uint32_t)DP_MIN(chunk, (uint64_t)n_docs - job.a_first);
        st = get_chunk(prints, words, job.a_first, a_count, &job.a_buf, &a_buf, &a_cap, err);
        for (uint32_t cj = ci; cj < chunks && st == DOPPEL_OK; cj++) {
            size_t from = cj ? start[cj - 1] : 0, to = start[cj];
            if (from == to) continue;
            job.b_first = (uint32_t)(cj * chunk);
            job.b_buf = job.a_buf;
            if (cj != ci) {
                uint32_t b_count = (uint32_t)DP_MIN(chunk, (uint64_t)n_docs - job.b_first);
                st = get_chunk(prints, words, job.b_first, b_count, &job.b_buf, &b_buf, &b_cap,
                               err);
                if (st) break;
            }
            job.idx = idx + from;
            job.base = lo;
            job.n = to - from;
            if (pool) dp_pool_start(pool, eval_block, &job);
            eval_block(&job, 0);
            if (pool) dp_pool_wait(pool);
        }
        lo = hi;
    }
    dp_pool_free(pool);
    for (unsigned t = 0; t < job.parts; t++) *ruled_out += job.ruled_out[t];
    dp_free(a_buf, a_cap * sizeof *a_buf);
    dp_free(b_buf, b_cap * sizeof *b_buf);
    dp_free(idx, idx_cap * sizeof *idx);
    dp_free(start, ((size_t)chunks + 1) * sizeof *start);
    return st;
}
