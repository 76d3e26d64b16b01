/*
 * boilercount.c — layer 2: lines that recur across the corpus.
 *
 * A count-min sketch with conservative update: DEPTH rows of `width`
 * 32-bit counters; a line hash h picks one cell per row (double hashing,
 * h + r*h2), and adding a document raises only the cells that hold the
 * current minimum, which keeps the overestimate of rare lines low. The
 * estimate of a line is the minimum over its cells; it is never below the
 * true count of documents that contain the line.
 *
 * Each cell also has a 32-bit bitmap of content keys: bit (key & 31) where
 * key is a hash of the document's longest line other than the line
 * counted. Reprints of one article share their longest lines, so they set
 * one bit however many there are; chrome recurs around different articles
 * and sets many. The AND of a
 * line's bitmaps over the rows (cells shared with other lines only add
 * bits) estimates its distinct contexts, saturating at 32 — enough for a
 * threshold of a few.
 *
 * Memory is fixed at creation: DEPTH * width * 8 bytes, width a power of
 * two. With the default 16 MiB (width 2^19), 1M documents of 30 lines
 * (3e7 line-documents, ~57 per cell) leave a noise floor of a few tens;
 * at 10M documents the floor rises to a few hundred, and because the
 * threshold is min_docs + floor, the sketch grows more conservative rather
 * than wrong: a line must then recur in hundreds of documents. Give it more
 * memory (memory_bytes) to keep the floor low on very large corpora.
 */
#include "extract/extract_int.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define DEPTH 4
#define MAX_LINE 2000     /* longer lines are not chrome; not counted */
#define NOISE_PROBES 4096 /* random never-added lines measured by finish */

struct doppel_boiler_counter {
    doppel_boiler_options opt;
    size_t width;             /* cells per row, a power of two */
    uint32_t *count;          /* DEPTH * width */
    uint32_t *ctx;            /* DEPTH * width */
    uint64_t docs, lines;
    uint32_t noise_floor, threshold;
    int finished;
    uint64_t *tmp;            /* one document's line hashes */
    size_t tmp_cap;
};

void doppel_boiler_options_default(doppel_boiler_options *opt) {
    *opt = (doppel_boiler_options){0};
    opt->memory_bytes = 16u << 20;
    opt->min_docs = 20;
    opt->min_share = 0;
    opt->min_contexts = 5;
    opt->seed = 1;
}

doppel_status doppel_boiler_counter_new(const doppel_boiler_options *opt,
                                        doppel_boiler_counter **out, doppel_error *err) {
    doppel_boiler_options def;
    if (!opt) {
        doppel_boiler_options_default(&def);
        opt = &def;
    }
    *out = NULL;
    if (opt->memory_bytes < (64u << 10))
        return dp_fail(err, DOPPEL_ERR_ARG, "boiler counter: memory %zu bytes: at least 64 KiB",
                       opt->memory_bytes);
    if (opt->min_contexts > 32)
        return dp_fail(err, DOPPEL_ERR_ARG, "boiler counter: min_contexts %u: at most 32",
                       opt->min_contexts);
    if (!(opt->min_share >= 0 && opt->min_share <= 1))
        return dp_fail(err, DOPPEL_ERR_ARG, "boiler counter: min_share %g: must be in [0, 1]",
                       opt->min_share);
    doppel_boiler_counter *bc = dp_calloc(1, sizeof *bc);
    if (!bc) return dp_fail(err, DOPPEL_ERR_NOMEM, "boiler counter: out of memory");
    bc->opt = *opt;
    bc->width = 1;
    while (bc->width * 2 * DEPTH * 2 * sizeof(uint32_t) <= opt->memory_bytes) bc->width *= 2;
    bc->count = dp_calloc(DEPTH * bc->width, sizeof *bc->count);
    bc->ctx = dp_calloc(DEPTH * bc->width, sizeof *bc->ctx);
    if (!bc->count || !bc->ctx) {
        doppel_boiler_counter_free(bc);
        return dp_fail(err, DOPPEL_ERR_NOMEM, "boiler counter: out of memory (%zu bytes)",
                       opt->memory_bytes);
    }
    *out = bc;
    return DOPPEL_OK;
}

void doppel_boiler_counter_free(doppel_boiler_counter *bc) {
    if (!bc) return;
    dp_free(bc->count, DEPTH * bc->width * sizeof *bc->count);
    dp_free(bc->ctx, DEPTH * bc->width * sizeof *bc->ctx);
    dp_free(bc->tmp, bc->tmp_cap * sizeof *bc->tmp);
    dp_free(bc, sizeof *bc);
}

/* Normalize a line the way chrome varies: case, digits (dates, counters,
 * years in copyright lines) and spacing do not matter. Returns 0 for lines
 * that are empty or too long to count. */
static int line_hash(const char *s, size_t len, uint64_t seed, uint64_t *h) {
    char buf[MAX_LINE];
    size_t n = 0;
    if (len > MAX_LINE) return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (n && buf[n - 1] != ' ') buf[n++] = ' ';
            continue;
        }
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        else if (c >= '1' && c <= '9') c = '0';
        buf[n++] = (char)c;
    }
    while (n && buf[n - 1] == ' ') n--;
    if (!n) return 0;
    *h = XXH3_64bits_withSeed(buf, n, seed);
    return 1;
}

static inline size_t cell(const doppel_boiler_counter *bc, uint64_t h, int r) {
    uint64_t h2 = (h >> 32 | h << 32) * 0x9E3779B97F4A7C15ull | 1;
    return (size_t)r * bc->width + (size_t)((h + (uint64_t)r * h2) & (bc->width - 1));
}

static uint32_t estimate(const doppel_boiler_counter *bc, uint64_t h, uint32_t *ctx_and) {
    uint32_t m = UINT32_MAX, bits = UINT32_MAX;
    for (int r = 0; r < DEPTH; r++) {
        size_t c = cell(bc, h, r);
        if (bc->count[c] < m) m = bc->count[c];
        bits &= bc->ctx[c];
    }
    if (ctx_and) *ctx_and = bits;
    return m;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

doppel_status doppel_boiler_add(doppel_boiler_counter *bc, const char *text, size_t len) {
    if (bc->finished) return DOPPEL_ERR_STATE;
    /* The two longest lines identify the document's content: a line's
     * context is the longest line other than itself, so chrome that is the
     * longest line of its pages still sees the varying article beside it. */
    size_t n = 0, len1 = 0, len2 = 0;
    uint64_t key1 = 0, key2 = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        uint64_t h;
        if (line_hash(text + i, e - i, bc->opt.seed, &h)) {
            if (dp_grow((void **)&bc->tmp, &bc->tmp_cap, n + 1, sizeof *bc->tmp))
                return DOPPEL_ERR_NOMEM;
            bc->tmp[n++] = h;
            if (e - i > len1) {
                len2 = len1, key2 = key1;
                len1 = e - i, key1 = h;
            } else if (e - i > len2 && h != key1) {
                len2 = e - i, key2 = h;
            }
        }
        i = e + 1;
    }
    bc->docs++;
    if (!n) return DOPPEL_OK;
    /* Count each line once per document. */
    qsort(bc->tmp, n, sizeof *bc->tmp, cmp_u64);
    if (!len2) key2 = key1;
    uint32_t bit1 = 1u << (XXH3_64bits_withSeed(&key1, sizeof key1, bc->opt.seed) & 31);
    uint32_t bit2 = 1u << (XXH3_64bits_withSeed(&key2, sizeof key2, bc->opt.seed) & 31);
    for (size_t k = 0; k < n; k++) {
        if (k && bc->tmp[k] == bc->tmp[k - 1]) continue;
        uint64_t h = bc->tmp[k];
        uint32_t bit = h == key1 ? bit2 : bit1;
        uint32_t m = estimate(bc, h, NULL);
        for (int r = 0; r < DEPTH; r++) {
            size_t c = cell(bc, h, r);
            if (bc->count[c] == m && m != UINT32_MAX) bc->count[c] = m + 1;
            bc->ctx[c] |= bit;
        }
        bc->lines++;
    }
    return DOPPEL_OK;
}

doppel_status doppel_boiler_merge(doppel_boiler_counter *a, const doppel_boiler_counter *b) {
    if (a->finished || b->finished) return DOPPEL_ERR_STATE;
    if (a->width != b->width || a->opt.seed != b->opt.seed) return DOPPEL_ERR_ARG;
    for (size_t i = 0; i < DEPTH * a->width; i++) {
        uint64_t s = (uint64_t)a->count[i] + b->count[i];
        a->count[i] = s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
        a->ctx[i] |= b->ctx[i];
    }
    a->docs += b->docs;
    a->lines += b->lines;
    return DOPPEL_OK;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

doppel_status doppel_boiler_finish(doppel_boiler_counter *bc) {
    if (bc->finished) return DOPPEL_ERR_STATE;
    /* The noise floor: what the sketch says about lines it never saw, at
     * the 99.9th percentile, so only one unique line in a thousand gets
     * within min_docs of being called boilerplate. */
    uint32_t *est = dp_malloc(NOISE_PROBES * sizeof *est);
    if (!est) return DOPPEL_ERR_NOMEM;
    uint64_t x = bc->opt.seed ^ 0xD1B54A32D192ED03ull;
    for (int i = 0; i < NOISE_PROBES; i++) {
        x += 0x9E3779B97F4A7C15ull;  /* splitmix64 */
        uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        est[i] = estimate(bc, z ^ (z >> 31), NULL);
    }
    qsort(est, NOISE_PROBES, sizeof *est, cmp_u32);
    bc->noise_floor = est[NOISE_PROBES - 1 - NOISE_PROBES / 1000];
    dp_free(est, NOISE_PROBES * sizeof *est);
    uint64_t need = bc->opt.min_docs;
    uint64_t share = (uint64_t)(bc->opt.min_share * (double)bc->docs + 0.999999);
    if (share > need) need = share;
    need += bc->noise_floor;
    bc->threshold = need > UINT32_MAX ? UINT32_MAX : (uint32_t)need;
    if (bc->threshold < 2) bc->threshold = 2;  /* once is never "recurring" */
    bc->finished = 1;
    return DOPPEL_OK;
}

int doppel_boiler_is_line(const doppel_boiler_counter *bc, const char *line, size_t len) {
    uint64_t h;
    if (!bc || !bc->finished || !line_hash(line, len, bc->opt.seed, &h)) return 0;
    uint32_t bits;
    if (estimate(bc, h, &bits) < bc->threshold) return 0;
    return (unsigned)__builtin_popcount(bits) >= bc->opt.min_contexts;
}

void doppel_boiler_get_stats(const doppel_boiler_counter *bc, doppel_boiler_stats *out) {
    *out = (doppel_boiler_stats){0};
    out->docs = bc->docs;
    out->lines = bc->lines;
    out->memory_bytes = sizeof *bc + 2 * DEPTH * bc->width * sizeof(uint32_t) +
                        bc->tmp_cap * sizeof *bc->tmp;
    size_t nz = 0;
    for (size_t i = 0; i < bc->width; i++) nz += bc->count[i] != 0;
    out->fill = (double)nz / (double)bc->width;
    out->noise_floor = bc->noise_floor;
    out->threshold = bc->threshold;
}
