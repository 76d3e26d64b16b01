/*
 * lsh.c — candidate pairs from banded MinHash signatures.
 *
 * The index is flat: for one band at a time, an array of (band hash, docnum)
 * packed in a uint64 is radix-sorted on the hash; equal hashes are adjacent
 * and, because the sort is stable and the array is filled in docnum order,
 * each bucket lists its members in document order. Only one band's array
 * exists at a time (8 bytes per document), instead of hash maps of lists.
 */
#include "lsh.h"
#include "sort.h"

/* Inlined from the system header: word hashes are short, and a call into the
 * shared library per word costs more than the hash itself. */
#define XXH_INLINE_ALL
#include <string.h>
#include <xxhash.h>

void dp_band_hashes(const uint32_t *sig, unsigned bands, unsigned rows, uint32_t *out) {
    for (unsigned j = 0; j < bands; j++)
        out[j] = (uint32_t)XXH3_64bits_withSeed(sig + (size_t)j * rows, rows * sizeof *sig, j);
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
                                 unsigned max_bucket) {
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

/* Sort and deduplicate the pairs gathered so far. */
static doppel_status compact(dp_candidates *c) {
    if (c->len < 2) return DOPPEL_OK;
    uint64_t *tmp = dp_malloc(c->len * sizeof *tmp);
    if (!tmp) return DOPPEL_ERR_NOMEM;
    dp_sort_u64_bytes(c->pairs, tmp, c->len, 0, 8);
    dp_free(tmp, c->len * sizeof *tmp);
    c->len = dp_unique_u64(c->pairs, c->len);
    return DOPPEL_OK;
}

doppel_status dp_lsh_candidates(dp_bandstore *store, unsigned bands, const uint32_t *docs,
                                size_t n, unsigned max_bucket, size_t memory_budget,
                                dp_candidates *out, doppel_error *err) {
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
    size_t all = (size_t)dp_bandstore_count(store);
    uint32_t *column = dp_malloc(all * sizeof *column + 1);
    size_t cap = DP_MIN(per_pass, n);
    uint64_t *entries = dp_malloc(cap * sizeof *entries);
    uint64_t *tmp = dp_malloc(cap * sizeof *tmp);
    doppel_status st = DOPPEL_OK;
    if (!column || !entries || !tmp) {
        st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory for the LSH band array (%zu docs)", n);
        goto done;
    }
    /* Pairs found in several bands are duplicates: compacting whenever the
     * array grows by a quarter of the document count keeps it near the
     * number of distinct pairs, which is what bounds memory here. */
    size_t compact_at = n / 4 + 4096;
    for (unsigned j = 0; j < bands && st == DOPPEL_OK; j++) {
        if ((st = dp_bandstore_read(store, j, column, err))) break;
        for (uint32_t slice = 0; slice < (1u << slice_bits) && st == DOPPEL_OK; slice++) {
            size_t m = 0;
            for (size_t i = 0; i < n; i++) {
                uint32_t h = column[docs[i]];
                if (slice_bits && h >> (32 - slice_bits) != slice) continue;
                if (m == cap) {  /* an unlucky slice: grow */
                    uint64_t *e2 = dp_malloc(2 * cap * sizeof *e2);
                    uint64_t *t2 = dp_malloc(2 * cap * sizeof *t2);
                    if (!e2 || !t2) {
                        dp_free(e2, 2 * cap * sizeof *e2);
                        dp_free(t2, 2 * cap * sizeof *t2);
                        st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory for an LSH slice");
                        break;
                    }
                    memcpy(e2, entries, m * sizeof *e2);
                    dp_free(entries, cap * sizeof *entries);
                    dp_free(tmp, cap * sizeof *tmp);
                    entries = e2;
                    tmp = t2;
                    cap *= 2;
                }
                entries[m++] = ((uint64_t)h << 32) | docs[i];
            }
            if (st) break;
            dp_sort_u64_bytes(entries, tmp, m, 4, 8);
            size_t start = 0;
            for (size_t i = 1; i <= m && st == DOPPEL_OK; i++) {
                if (i < m && (entries[i] >> 32) == (entries[start] >> 32)) continue;
                if (i - start > 1) st = emit_bucket(out, entries + start, i - start, max_bucket);
                start = i;
            }
            if (st) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory for candidate pairs");
        }
        /* Deduplicate as we go so that pairs sharing many bands cost memory once. */
        if (st == DOPPEL_OK && out->len > compact_at) {
            if (compact(out)) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
            compact_at = out->len + n / 4 + 4096;
        }
    }
    if (st == DOPPEL_OK && compact(out)) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    if (st == DOPPEL_OK && out->cap > out->len + 1024) {  /* give the growth slack back */
        uint64_t *p = dp_realloc(out->pairs, out->cap * sizeof *p, (out->len + 1) * sizeof *p);
        if (p) {
            out->pairs = p;
            out->cap = out->len + 1;
        }
    }
    out->slices = 1u << slice_bits;
done:
    dp_free(column, all * sizeof *column + 1);
    dp_free(entries, cap * sizeof *entries);
    dp_free(tmp, cap * sizeof *tmp);
    return st;
}
