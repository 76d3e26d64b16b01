/* eval_impl.h — what eval.c shares with eval_files.c (internal). */
#ifndef DOPPEL_EVAL_IMPL_H
#define DOPPEL_EVAL_IMPL_H
#include "base/internal.h"

/* Sort v[n] ascending with the pipeline's radix sort (base/sort.c);
 * DOPPEL_ERR_NOMEM when its scratch cannot be had. */
doppel_status dp_eval_sort_u64(uint64_t *v, size_t n);

/* Every figure of pred against gold (n documents, dense labels) but the
 * kinds; when the pointers are given, hands back the removed flags of each
 * side (max(n, 1) bytes each, dp_calloc'd: the caller dp_frees them). */
doppel_status dp_eval_labels(const uint32_t *pred, const uint32_t *gold, size_t n,
                             doppel_eval_result *out, unsigned char **gold_removed_out,
                             unsigned char **pred_removed_out, doppel_error *err);

/* The removal figures of out (documents each side removed, and both) from
 * the two sides' removed flags over n documents. */
void dp_eval_removal_figures(doppel_eval_result *out, const unsigned char *gold_removed,
                             const unsigned char *pred_removed, size_t n);
#endif
