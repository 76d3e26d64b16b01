/*
 * lsh.c — candidate pairs from banded MinHash signatures.
 *
 * The index is flat: for one band at a time, an array of (band hash, docnum)
 * packed in a uint64 is sorted on the hash; equal hashes are adjacent
 * and, because the sort is stable and the array is filled in docnum order,
 * each bucket lists its members in document order. Only one band's array
 * exists at a time (8 bytes per document), instead of hash maps of lists.
 */
#include "copy/lsh.h"
#include "base/sort.h"
#include "copy/candruns.h"

#include <pthread.h>
#include <stdatomic.h>

/* Inlined from the system header: word hashes are short, and a call into the
 * shared library per word costs more than the hash itself. */
#define XXH_INLINE_ALL
#include <string.h>
#include <xxhash.h>

void dp_band_hashes(const uint32_t *sig, unsigned bands, unsigned rows, uint32_t *out) {
    for (unsigned j = 0; j < bands; j++)
        out[j] = (uint32_t)XXH3_64bits_withSeed(sig + (size_t)j * rows, rows * sizeof *sig, j);
}

/* The reuse hash of the word 3-gram at w: its top 4 bits choose the bin,
 * the rest is the value. */
static inline uint32_t reuse_hash(const uint32_t *w) {
    uint64_t x = ((uint64_t)w[0] << 32 | w[1]) * 0x9E3779B97F4A7C15ull;
    return (uint32_t)((x ^ (x >> 29) ^ w[2]) * 0xBF58476D1CE4E5B9ull >> 32);
}

/* Each bin's least value (h << 4 of its hashes), UINT32_MAX when empty. */
static void reuse_mins_portable(const uint32_t *w, size_t n, uint32_t *min) {
    const unsigned bits = 4;  /* 2^bits == DP_REUSE_BANDS */
    for (unsigned j = 0; j < DP_REUSE_BANDS; j++) min[j] = UINT32_MAX;
    for (size_t i = 0; i + 2 < n; i++) {
        uint32_t h = reuse_hash(w + i);
        unsigned bin = h >> (32 - bits);
        uint32_t v = h << bits;
        /* A store every word, not a branch: a bin's minimum falls a few
         * times in a text's first hundred words, at random, and the branch
         * on it was mispredicted often enough to cost a third of the loop
         * (3.7 -> 2.3 ns a word on words of 100-1,300-word texts). */
        uint32_t m = min[bin];
        min[bin] = v < m ? v : m;
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_REUSE_AVX512 1

/* reuse_mins_portable with the 16 bins in the 16 lanes of a register. A
 * hash h goes to every lane b as h ^ b << 28: in its own bin's lane the top
 * bits clear and what is left orders as h does; in every other lane it is
 * 2^28 or more, above any value of that bin. So one unmasked minimum per
 * hash keeps all bins, and a lane still at 2^28 or more is an empty bin.
 * The scalar loop waited on each bin's load after the previous store to it
 * (2.3 ns a word); here four registers take turns, and the hashes are
 * computed eight at a time with 64-bit lane multiplies. */
__attribute__((target("avx512f,avx512dq,avx512vl"))) static void reuse_mins_avx512(
    const uint32_t *w, size_t n, uint32_t *min) {
    const __m512i lanes = _mm512_slli_epi32(
        _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0), 28);
    const __m512i golden = _mm512_set1_epi64((long long)0x9E3779B97F4A7C15ull);
    const __m512i mix = _mm512_set1_epi64((long long)0xBF58476D1CE4E5B9ull);
    __m512i acc[4];
    for (unsigned k = 0; k < 4; k++) acc[k] = _mm512_set1_epi32(-1);
    size_t windows = n > 2 ? n - 2 : 0, i = 0;
    uint32_t h[16];
    while (i < windows) {
        unsigned m = 0;
        /* Window i + 7 reads w[i + 9]: in the text while i + 8 <= windows. */
        for (; m < 16 && i + 8 <= windows; m += 8, i += 8) {
            __m512i a = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(const void *)(w + i)));
            __m512i b = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(const void *)(w + i + 1)));
            __m512i c = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(const void *)(w + i + 2)));
            __m512i x = _mm512_mullo_epi64(_mm512_or_si512(_mm512_slli_epi64(a, 32), b), golden);
            x = _mm512_xor_si512(_mm512_xor_si512(x, _mm512_srli_epi64(x, 29)), c);
            x = _mm512_srli_epi64(_mm512_mullo_epi64(x, mix), 32);
            _mm256_storeu_si256((__m256i *)(void *)(h + m), _mm512_cvtepi64_epi32(x));
        }
        if (m == 0)  /* the last few windows */
            for (; m < 16 && i < windows; m++, i++) h[m] = reuse_hash(w + i);
        unsigned k = 0;
        for (; k + 4 <= m; k += 4)
            for (unsigned r = 0; r < 4; r++)
                acc[r] = _mm512_min_epu32(acc[r], _mm512_xor_si512(lanes, _mm512_set1_epi32((int)h[k + r])));
        for (; k < m; k++)
            acc[0] = _mm512_min_epu32(acc[0], _mm512_xor_si512(lanes, _mm512_set1_epi32((int)h[k])));
    }
    __m512i t = _mm512_min_epu32(_mm512_min_epu32(acc[0], acc[1]), _mm512_min_epu32(acc[2], acc[3]));
    __mmask16 empty = _mm512_cmpge_epu32_mask(t, _mm512_set1_epi32(1 << 28));
    _mm512_storeu_si512(min, _mm512_mask_blend_epi32(empty, _mm512_slli_epi32(t, 4),
                                                     _mm512_set1_epi32(-1)));
    _mm256_zeroupper();  /* see mix_windows_avx512 in shingle.c */
}
#endif

static void reuse_slots(const uint32_t *w, size_t n, uint64_t text_hash, uint32_t *out,
                        int portable) {
    _Static_assert(DP_REUSE_BANDS == 16, "bins are the top 4 bits");
    uint32_t min[DP_REUSE_BANDS];
#ifdef HAVE_REUSE_AVX512
    if (!portable && dp_cpu_avx512()) reuse_mins_avx512(w, n, min);
    else
#endif
        reuse_mins_portable(w, n, min);
    (void)portable;
    /* An empty bin gets a value of this text alone (equal texts are exact
     * copies anyway), so that it makes no bucket. */
    for (unsigned j = 0; j < DP_REUSE_BANDS; j++)
        out[j] = min[j] != UINT32_MAX ? (uint32_t)XXH3_64bits_withSeed(&min[j], 4, j)
                                      : (uint32_t)XXH3_64bits_withSeed(&text_hash, 8, 1000 + j);
}

void dp_reuse_slots(const uint32_t *w, size_t n, uint64_t text_hash, uint32_t *out) {
    reuse_slots(w, n, text_hash, out, 0);
}

void dp_reuse_slots_portable(const uint32_t *w, size_t n, uint64_t text_hash, uint32_t *out) {
    reuse_slots(w, n, text_hash, out, 1);
}

void dp_candidates_free(dp_candidates *c) {
    if (!c) return;
    dp_free(c->pairs, c->cap * sizeof *c->pairs);
    *c = (dp_candidates){0};
}

static doppel_status push(dp_candidates *c, uint32_t a, uint32_t b) {
    if (c->len == c->cap && dp_grow((void **)&c->pairs, &c->cap, c->len + 1, sizeof *c->pairs))
        return DOPPEL_ERR_NOMEM;
    c->pairs[c->len++] = ((uint64_t)a << 32) | b;
    return DOPPEL_OK;
}

static doppel_status emit_bucket(dp_candidates *out, const uint64_t *e, size_t m,
                                 unsigned max_bucket, int capped) {
    if (capped && m > DP_REUSE_CAP) {
        out->oversize_buckets++;
        return DOPPEL_OK;
    }
    if (m > max_bucket) {
        out->oversize_buckets++;
        for (size_t i = 0; i + 1 < m; i++)
            if (push(out, (uint32_t)e[i], (uint32_t)e[i + 1])) return DOPPEL_ERR_NOMEM;
        return DOPPEL_OK;
    }
    for (size_t i = 0; i < m; i++)
        for (size_t k = i + 1; k < m; k++)
            if (push(out, (uint32_t)e[i], (uint32_t)e[k])) return DOPPEL_ERR_NOMEM;
    return DOPPEL_OK;
}

/* Sort and deduplicate the pairs gathered so far. Only those added since
 * the last time are sorted, then merged with the ones sorted before: most
 * pairs recur in many bands, so the sorted part is the larger. */
static doppel_status compact(dp_candidates *c) {
    size_t s = c->sorted, t = c->len - s;
    uint64_t *v = c->pairs;
    if (t == 0) return DOPPEL_OK;
    uint64_t *tmp = dp_malloc(t * sizeof *tmp);
    if (!tmp) return DOPPEL_ERR_NOMEM;
    dp_sort_u64_packed(v + s, tmp, t);
    t = dp_unique_u64(v + s, t);
    memcpy(tmp, v + s, t * sizeof *tmp);
    /* Merged from the top down, so that the sorted part stays in place;
     * which side gives the next pair is a coin toss, taken without a branch.
     * Both sides hold no repeats, so a pair on both is taken from both at
     * once: the merged part (v[k..s + t)) has none, and it is moved down
     * onto what is left below it instead of a pass for repeats over all.
     * k >= i + j throughout: no write reaches a pair not yet read. */
    size_t i = s, j = t, k = s + t;
    while (i > 0 && j > 0) {
        uint64_t x = v[i - 1], y = tmp[j - 1];
        size_t take_x = x >= y, take_y = y >= x;
        v[--k] = take_x ? x : y;
        i -= take_x;
        j -= take_y;
    }
    k -= j;  /* i == 0 when j > 0 */
    memcpy(v + k, tmp, j * sizeof *tmp);
    memmove(v + i, v + k, (s + t - k) * sizeof *v);
    dp_free(tmp, (c->len - s) * sizeof *tmp);
    c->len = c->sorted = i + (s + t - k);
    return DOPPEL_OK;
}

/* One thread's share of the bands: bands are taken from a shared counter,
 * each with this thread's own work arrays, and the pairs go to this thread's
 * own list. The lists are merged, sorted and deduplicated at the end, so
 * which thread did which band does not show in the result. */
typedef struct band_job {
    dp_bandstore *store;
    unsigned bands, max_bucket, capped_from, slice_bits;
    const uint32_t *docs;
    size_t n, per_pass;
    atomic_uint *next_band;
    dp_candidates pairs;
    dp_cand_runs *runs;     /* NULL: the list is not bounded */
    size_t pairs_budget;    /* this thread's share, bytes */
    doppel_status st;
    doppel_error err;
} band_job;

/* Band values are read this many documents at a time: the whole column
 * (4 bytes a document per thread) would add to the run's peak memory. */
#define COLUMN_CHUNK 16384

/* Candidates of band j, slice by slice; entries and tmp grow when a slice
 * is unlucky. column holds COLUMN_CHUNK values. */
static doppel_status one_band(band_job *b, unsigned j, uint32_t *column, uint64_t **entries,
                              uint64_t **tmp, size_t *cap) {
    doppel_status st;
    const uint32_t *docs = b->docs;
    uint64_t all = dp_bandstore_count(b->store);
    for (uint32_t slice = 0; slice < (1u << b->slice_bits); slice++) {
        size_t m = 0;
        uint64_t chunk_first = 0, chunk_end = 0;  /* documents in column */
        for (size_t i = 0; i < b->n; i++) {
            if (docs[i] >= chunk_end) {  /* docs ascend: read the chunk holding this one */
                chunk_first = docs[i] / COLUMN_CHUNK * (uint64_t)COLUMN_CHUNK;
                chunk_end = DP_MIN(chunk_first + COLUMN_CHUNK, all);
                st = dp_bandstore_read_range(b->store, j, chunk_first,
                                             (size_t)(chunk_end - chunk_first), column, &b->err);
                if (st) return st;
            }
            uint32_t h = column[docs[i] - chunk_first];
            if (b->slice_bits && h >> (32 - b->slice_bits) != slice) continue;
            if (m == *cap) {  /* an unlucky slice: grow */
                uint64_t *e2 = dp_malloc(2 * *cap * sizeof *e2);
                uint64_t *t2 = dp_malloc(2 * *cap * sizeof *t2);
                if (!e2 || !t2) {
                    dp_free(e2, 2 * *cap * sizeof *e2);
                    dp_free(t2, 2 * *cap * sizeof *t2);
                    return dp_fail(&b->err, DOPPEL_ERR_NOMEM, "out of memory for an LSH slice");
                }
                memcpy(e2, *entries, m * sizeof *e2);
                dp_free(*entries, *cap * sizeof **entries);
                dp_free(*tmp, *cap * sizeof **tmp);
                *entries = e2;
                *tmp = t2;
                *cap *= 2;
            }
            (*entries)[m++] = ((uint64_t)h << 32) | docs[i];
        }
        /* The slice's hashes share their top slice_bits. */
        uint64_t *e = *tmp;
        dp_sort_u64_hi(*entries, e, m, b->slice_bits);
        size_t start = 0;
        for (size_t i = 1; i <= m; i++) {
            if (i < m && (e[i] >> 32) == (e[start] >> 32)) continue;
            if (i - start > 1 && emit_bucket(&b->pairs, e + start, i - start, b->max_bucket,
                                               j >= b->capped_from))
                return dp_fail(&b->err, DOPPEL_ERR_NOMEM, "out of memory for candidate pairs");
            start = i;
        }
    }
    return DOPPEL_OK;
}

/* A pair costs 16 bytes while the list is compacted (the list and the
 * sort's scratch for what was added since the last compaction). */
static int over_budget(const band_job *b) {
    return b->runs && 16 * b->pairs.len > b->pairs_budget;
}

/* The list (compacted) to a run; it starts again empty. */
static doppel_status to_run(band_job *b) {
    doppel_status st = dp_cand_runs_put(b->runs, b->pairs.pairs, b->pairs.len, &b->err);
    b->pairs.len = b->pairs.sorted = 0;
    return st;
}

static void *band_worker(void *p) {
    band_job *b = p;
    size_t cap = DP_MIN(b->per_pass, b->n);
    uint32_t *column = dp_malloc(COLUMN_CHUNK * sizeof *column);
    uint64_t *entries = dp_malloc(cap * sizeof *entries);
    uint64_t *tmp = dp_malloc(cap * sizeof *tmp);
    if (!column || !entries || !tmp)
        b->st = dp_fail(&b->err, DOPPEL_ERR_NOMEM,
                        "out of memory for the LSH band array (%zu docs)", b->n);
    /* Pairs found in several bands are duplicates: compacting whenever the
     * array grows by a quarter of the document count, or by half of what it
     * held after the last compaction when that is more, keeps it near the
     * number of distinct pairs, which is what bounds memory here. The half
     * is there because every compaction merges the whole sorted part: at a
     * fixed step that was 47 merges of 14M pairs in all for 2.2M added at
     * 100k documents (2% of a run); the array's doubling growth leaves room
     * for the half as a rule. */
    size_t compact_at = b->n / 4 + 4096;
    while (b->st == DOPPEL_OK) {
        unsigned j = atomic_fetch_add(b->next_band, 1);
        if (j >= b->bands) break;
        b->st = one_band(b, j, column, &entries, &tmp, &cap);
        /* Deduplicate as we go so that pairs sharing many bands cost memory once. */
        if (b->st == DOPPEL_OK && (b->pairs.len > compact_at || over_budget(b))) {
            if (compact(&b->pairs)) b->st = dp_fail(&b->err, DOPPEL_ERR_NOMEM, "out of memory");
            if (b->st == DOPPEL_OK && over_budget(b)) b->st = to_run(b);
            compact_at = b->pairs.len + DP_MAX(b->n / 4 + 4096, b->pairs.len / 2);
        }
    }
    dp_free(column, COLUMN_CHUNK * sizeof *column);
    dp_free(entries, cap * sizeof *entries);
    dp_free(tmp, cap * sizeof *tmp);
    return NULL;
}

/* Move the pairs of jobs[1..t) after those of jobs[0]. */
static doppel_status merge_pairs(band_job *jobs, unsigned t) {
    dp_candidates *out = &jobs[0].pairs;
    for (unsigned k = 1; k < t; k++) {
        dp_candidates *c = &jobs[k].pairs;
        if (dp_grow((void **)&out->pairs, &out->cap, out->len + c->len, sizeof *out->pairs))
            return DOPPEL_ERR_NOMEM;
        if (c->len) memcpy(out->pairs + out->len, c->pairs, c->len * sizeof *c->pairs);
        out->len += c->len;
        out->oversize_buckets += c->oversize_buckets;
        dp_candidates_free(c);
    }
    return DOPPEL_OK;
}

doppel_status dp_lsh_candidates(dp_bandstore *store, unsigned bands, const uint32_t *docs,
                                size_t n, unsigned max_bucket, unsigned capped_from,
                                size_t memory_budget, dp_cand_runs *runs, size_t pairs_budget,
                                unsigned threads, dp_candidates *out, doppel_error *err) {
    if (n < 2) return DOPPEL_OK;
    /* Beyond memory: a band's (hash, doc) array costs 16 bytes a document
     * with its sort scratch. When that is over the budget, the band is done
     * in 2^k passes, each over the documents whose hash falls in one slice of
     * the hash range. Buckets never straddle slices, and within a slice the
     * stable sort keeps document order, so the candidates are the same as in
     * one pass. */
    unsigned slice_bits = 0;
    while (slice_bits < 16 && memory_budget && (16 * n >> slice_bits) > memory_budget) slice_bits++;
    size_t per_pass = slice_bits ? (n >> slice_bits) * 2 + 1024 : n;  /* hashes are uniform */
    /* Bands on several threads only while each thread's arrays fit: the
     * slicing (and lsh_slices in the stats) stays what one thread needs. */
    if (threads > bands) threads = bands;
    if (slice_bits) threads = 1;
    while (threads > 1 && memory_budget && 16 * n * threads > memory_budget) threads--;
    if (threads < 1) threads = 1;
    if (threads > DP_MAX_THREADS) threads = DP_MAX_THREADS;
    doppel_status st = dp_bandstore_flush(store, err);  /* then threads share no buffer */
    if (st) return st;
    band_job *jobs = dp_calloc(threads, sizeof *jobs);
    if (!jobs) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    atomic_uint next_band;
    atomic_init(&next_band, 0);
    pthread_t tid[DP_MAX_THREADS];
    unsigned started = 1;
    for (unsigned t = 0; t < threads; t++)
        jobs[t] = (band_job){.store = store, .bands = bands, .max_bucket = max_bucket,
                             .capped_from = capped_from,
                             .slice_bits = slice_bits, .docs = docs, .n = n,
                             .per_pass = per_pass, .next_band = &next_band, .runs = runs,
                             .pairs_budget = pairs_budget / threads};
    jobs[0].pairs = *out;
    for (; started < threads; started++)
        if (pthread_create(&tid[started], NULL, band_worker, &jobs[started]) != 0) break;
    band_worker(&jobs[0]);  /* the calling thread works too */
    for (unsigned t = 1; t < started; t++) pthread_join(tid[t], NULL);
    for (unsigned t = 0; t < started && !st; t++)
        if ((st = jobs[t].st) && err) *err = jobs[t].err;
    if (!st && dp_cand_runs_count(runs)) {
        /* Some list outgrew its share: all go to runs, merged when read. */
        for (unsigned t = 0; t < started && !st; t++) {
            if (compact(&jobs[t].pairs)) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
            else if ((st = to_run(&jobs[t])) && err) *err = jobs[t].err;
        }
    }
    if (!st && merge_pairs(jobs, started)) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    for (unsigned t = 1; t < started; t++) dp_candidates_free(&jobs[t].pairs);
    *out = jobs[0].pairs;
    dp_free(jobs, threads * sizeof *jobs);
    if (st == DOPPEL_OK && compact(out)) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    if (st == DOPPEL_OK && out->cap > out->len + 1024) {  /* give the growth slack back */
        uint64_t *p = dp_realloc(out->pairs, out->cap * sizeof *p, (out->len + 1) * sizeof *p);
        if (p) {
            out->pairs = p;
            out->cap = out->len + 1;
        }
    }
    out->slices = 1u << slice_bits;
    return st;
}
