/*
 * eval.c — score a clustering against gold, agreeing with the project's
 * yardsticks (shared/tools/score_pairs.py and bcubed.py) figure for figure:
 * the figures from two label arrays. Reading the files is eval_files.c's.
 *
 * Everything is counted through the contingency table, never by pairs: the
 * documents' (gold, pred) label pairs are radix sorted, and a run of equal
 * pairs is one cell of n documents holding C(n, 2) true pairs. The same
 * sorted runs give cluster sizes, hence the pair totals, the adjusted Rand
 * index and BCubed (each document's precision is its cell's size over its
 * predicted cluster's size, so a cell contributes n^2 / |cluster|).
 */
#include "base/internal.h"
#include "base/sort.h"
#include "eval/eval_impl.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define NONE UINT32_MAX

/* Sort keys with the pipeline's radix sort (sort.c); passes over digits
 * that are the same in every key are skipped there, so dense labels cost
 * few passes. */
doppel_status dp_eval_sort_u64(uint64_t *v, size_t n) {
    if (n < 2) return DOPPEL_OK;
    uint64_t *tmp = dp_malloc(n * sizeof *tmp);
    if (!tmp) return DOPPEL_ERR_NOMEM;
    dp_sort_u64_bytes(v, tmp, n, 0, 8);
    dp_free(tmp, n * sizeof *tmp);
    return DOPPEL_OK;
}

/* ======================================================================
 * Figures from two label arrays
 * ==================================================================== */

static uint64_t c2(uint64_t n) { return n * (n - (n > 0)) / 2; }

/* Sort (major << 32 | minor) keys and walk the runs: cells of equal keys,
 * clusters of equal majors. Adds C(cell, 2) to *cell_pairs, sums C(size, 2)
 * over clusters into *pairs, and sum over clusters of (sum of cell^2)/size
 * into *bcubed. */
static doppel_status walk_cells(const uint32_t *major, const uint32_t *minor, size_t n,
                                uint64_t *keys, uint64_t *cell_pairs, uint64_t *pairs,
                                uint64_t *clusters, double *bcubed) {
    for (size_t i = 0; i < n; i++) keys[i] = (uint64_t)major[i] << 32 | minor[i];
    doppel_status st = dp_eval_sort_u64(keys, n);
    if (st != DOPPEL_OK) return st;
    *cell_pairs = *pairs = *clusters = 0;
    *bcubed = 0;
    size_t i = 0;
    while (i < n) {
        uint32_t m = (uint32_t)(keys[i] >> 32);
        uint64_t size = 0;
        double squares = 0;
        while (i < n && (uint32_t)(keys[i] >> 32) == m) {
            size_t j = i;
            while (j < n && keys[j] == keys[i]) j++;
            uint64_t cell = j - i;
            *cell_pairs += c2(cell);
            squares += (double)cell * (double)cell;
            size += cell;
            i = j;
        }
        *pairs += c2(size);
        *bcubed += squares / (double)size;
        (*clusters)++;
    }
    return DOPPEL_OK;
}

/* removed[i] = 1 when an earlier document (array order) has label[i]. */
static doppel_status mark_removed(const uint32_t *label, size_t n, uint64_t *keys,
                                  unsigned char *removed) {
    for (size_t i = 0; i < n; i++) keys[i] = (uint64_t)label[i] << 32 | (uint64_t)i;
    doppel_status st = dp_eval_sort_u64(keys, n);
    if (st != DOPPEL_OK) return st;
    for (size_t i = 0; i < n; i++)
        removed[(uint32_t)keys[i]] = i > 0 && (keys[i] >> 32) == (keys[i - 1] >> 32);
    return DOPPEL_OK;
}

static double f1_of(double p, double r) { return p + r > 0 ? 2 * p * r / (p + r) : 0.0; }

void dp_eval_removal_figures(doppel_eval_result *out, const unsigned char *gold_removed,
                             const unsigned char *pred_removed, size_t n) {
    out->gold_removed = out->pred_removed = out->true_removed = 0;
    for (size_t i = 0; i < n; i++) {
        out->gold_removed += gold_removed[i];
        out->pred_removed += pred_removed[i];
        out->true_removed += gold_removed[i] & pred_removed[i];
    }
    out->removal_precision =
        out->pred_removed ? (double)out->true_removed / (double)out->pred_removed : 1.0;
    out->removal_recall =
        out->gold_removed ? (double)out->true_removed / (double)out->gold_removed : 1.0;
    out->removal_f1 = f1_of(out->removal_precision, out->removal_recall);
}

doppel_status dp_eval_labels(const uint32_t *pred, const uint32_t *gold, size_t n,
                                 doppel_eval_result *out, unsigned char **gold_removed_out,
                                 unsigned char **pred_removed_out, doppel_error *err) {
    memset(out, 0, sizeof *out);
    if (n >= UINT32_MAX)
        return dp_fail(err, DOPPEL_ERR_LIMIT, "eval: at most %u documents", UINT32_MAX - 1);
    out->docs = n;
    uint64_t *keys = dp_malloc((n ? n : 1) * sizeof *keys);
    unsigned char *gold_removed = dp_calloc(n ? n : 1, 1);
    unsigned char *pred_removed = dp_calloc(n ? n : 1, 1);
    doppel_status st = keys && gold_removed && pred_removed ? DOPPEL_OK : DOPPEL_ERR_NOMEM;
    double bc_r = 0, bc_p = 0;
    uint64_t tp2 = 0;
    if (st == DOPPEL_OK)
        st = walk_cells(gold, pred, n, keys, &out->true_pairs, &out->gold_pairs,
                        &out->gold_clusters, &bc_r);
    if (st == DOPPEL_OK)
        st = walk_cells(pred, gold, n, keys, &tp2, &out->pred_pairs, &out->pred_clusters, &bc_p);
    if (st == DOPPEL_OK) st = mark_removed(gold, n, keys, gold_removed);
    if (st == DOPPEL_OK) st = mark_removed(pred, n, keys, pred_removed);
    dp_free(keys, (n ? n : 1) * sizeof *keys);
    if (st != DOPPEL_OK) {
        dp_free(gold_removed, n ? n : 1);
        dp_free(pred_removed, n ? n : 1);
        return dp_fail(err, st, "eval: out of memory for %zu documents", n);
    }

    uint64_t tp = out->true_pairs, gp = out->gold_pairs, pp = out->pred_pairs;
    out->precision = pp ? (double)tp / (double)pp : 1.0;
    out->recall = gp ? (double)tp / (double)gp : 1.0;
    out->f1 = f1_of(out->precision, out->recall);
    /* Hubert & Arabie; long double keeps gp * pp exact far beyond 2^64. */
    long double total = (long double)c2(n);
    long double expected = total > 0 ? (long double)gp * (long double)pp / total : 0.0L;
    long double max_index = ((long double)gp + (long double)pp) / 2;
    out->ari = max_index != expected
                   ? (double)(((long double)tp - expected) / (max_index - expected))
                   : 1.0;
    out->bcubed_precision = n ? bc_p / (double)n : 1.0;
    out->bcubed_recall = n ? bc_r / (double)n : 1.0;
    out->bcubed_f1 = f1_of(out->bcubed_precision, out->bcubed_recall);
    dp_eval_removal_figures(out, gold_removed, pred_removed, n);

    if (gold_removed_out) *gold_removed_out = gold_removed;
    else dp_free(gold_removed, n ? n : 1);
    if (pred_removed_out) *pred_removed_out = pred_removed;
    else dp_free(pred_removed, n ? n : 1);
    return DOPPEL_OK;
}

doppel_status doppel_eval_labels(const uint32_t *pred, const uint32_t *gold, size_t n,
                                 doppel_eval_result *out, doppel_error *err) {
    if (!out || (n && (!pred || !gold)))
        return dp_fail(err, DOPPEL_ERR_ARG, "eval: NULL argument");
    return dp_eval_labels(pred, gold, n, out, NULL, NULL, err);
}

void doppel_eval_result_free(doppel_eval_result *res) {
    if (!res) return;
    for (size_t k = 0; k < res->num_kinds; k++)
        dp_free(res->kinds[k].name, strlen(res->kinds[k].name) + 1);
    dp_free(res->kinds, res->num_kinds * sizeof *res->kinds);
    memset(res, 0, sizeof *res);
}

void doppel_eval_options_default(doppel_eval_options *opt) {
    opt->id_field = "id";
    opt->pred_field = "cluster";
    opt->gold_field = "cluster";
}
