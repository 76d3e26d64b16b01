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
                                size_t n, unsigned max_bucket, dp_candidates *out,
                                doppel_error *err) {
    if (n < 2) return DOPPEL_OK;
    size_t all = (size_t)dp_bandstore_count(store);
    uint32_t *column = dp_malloc(all * sizeof *column + 1);
    uint64_t *entries = dp_malloc(n * sizeof *entries);
    uint64_t *tmp = dp_malloc(n * sizeof *tmp);
    doppel_status st = DOPPEL_OK;
    if (!column || !entries || !tmp) {
        st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory for the LSH band array (%zu docs)", n);
        goto done;
    }
    size_t compact_at = 2 * n + 1024;
    for (unsigned j = 0; j < bands && st == DOPPEL_OK; j++) {
        if ((st = dp_bandstore_read(store, j, column, err))) break;
        for (size_t i = 0; i < n; i++) entries[i] = ((uint64_t)column[docs[i]] << 32) | docs[i];
        dp_sort_u64_bytes(entries, tmp, n, 4, 8);
        size_t start = 0;
        for (size_t i = 1; i <= n && st == DOPPEL_OK; i++) {
            if (i < n && (entries[i] >> 32) == (entries[start] >> 32)) continue;
            if (i - start > 1) st = emit_bucket(out, entries + start, i - start, max_bucket);
            start = i;
        }
        if (st) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory for candidate pairs");
        /* Deduplicate as we go so that pairs sharing many bands cost memory once. */
        if (st == DOPPEL_OK && out->len > compact_at) {
            if (compact(out)) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
            compact_at = 2 * out->len + 2 * n + 1024;
        }
    }
    if (st == DOPPEL_OK && compact(out)) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
done:
    dp_free(column, all * sizeof *column + 1);
    dp_free(entries, n * sizeof *entries);
    dp_free(tmp, n * sizeof *tmp);
    return st;
}
