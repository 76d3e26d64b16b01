/*
 * tally.c — choosing the best few of many: the k heaviest terms of a vector,
 * the k most similar candidates, and the tally that sums each candidate's
 * support from posting lists. Shared by the graph (story_agg.c), the single
 * pass and merging (story_cluster.c) and linking across runs (story_link.c).
 */
#include "story/story_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Heaviest first; equal weights by term id (see dp_story_freeze_terms). */
int dp_story_cmp_pair_weight(const void *a, const void *b) {
    const pair *x = a, *y = b;
    if (x->w != y->w) return x->w > y->w ? -1 : 1;
    return x->term < y->term ? -1 : x->term > y->term;
}

/* Quickselect: reorder the n elements of base (of size bytes, at most 16)
 * so that the first k (k < n) are the k smallest by cmp, in no particular
 * order. cmp must be a total order. O(n) on average, where sorting
 * everything to keep a few was a tenth of the clustering time. */
void dp_story_select_first(void *base, size_t n, size_t k, size_t size,
                         int (*cmp)(const void *, const void *)) {
    unsigned char *a = base, pivot[16], t[16];
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        memcpy(pivot, a + (lo + (hi - lo) / 2) * size, size);
        size_t i = lo, j = hi;
        while (i <= j) {
            while (cmp(a + i * size, pivot) < 0) i++;
            while (cmp(pivot, a + j * size) < 0) j--;
            if (i <= j) {
                memcpy(t, a + i * size, size);
                memcpy(a + i * size, a + j * size, size);
                memcpy(a + j * size, t, size);
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k - 1 <= j) hi = j;
        else if (k - 1 >= i) lo = i;
        else break;
    }
}

/* The k heaviest pairs of v[0..n) first, in no order; returns min(n, k). */
size_t dp_story_keep_heaviest(pair *v, size_t n, size_t k) {
    if (n <= k) return n;
    dp_story_select_first(v, n, k, sizeof *v, dp_story_cmp_pair_weight);
    return k;
}

/* Most similar first; equal similarities by the smaller id: a total order. */
static int cmp_scored(const void *a, const void *b) {
    const scored *x = a, *y = b;
    if (x->sim != y->sim) return x->sim > y->sim ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Reorder a[0..n) so that its first min(n, k) entries are the best, in
 * order, as a full sort would leave them. Returns min(n, k). */
size_t dp_story_keep_best(scored *a, size_t n, size_t k) {
    if (n > k) dp_story_select_first(a, n, k, sizeof *a, cmp_scored);
    else k = n;
    if (k > 1) qsort(a, k, sizeof *a, cmp_scored); /* a is NULL when nothing was gathered */
    return k;
}

/* The tally: candidate ids with summed support, gathered in w->sel through
 * a small open-addressing table of their positions. Deduplicating through
 * a mark in each candidate's own record was a cache miss per posting entry,
 * half of the graph's time at 300k documents; the table stays in cache. */
void dp_story_tally_begin(work *w) {
    w->nsel = 0;
    if (++w->tgen == 0) { /* wrapped: forget every old mark */
        for (size_t i = 0; i < w->tcap; i++) w->tab[i].gen = 0;
        w->tgen = 1;
    }
}

static void tally_place(work *w, uint32_t id, uint32_t idx) {
    size_t mask = w->tcap - 1;
    for (size_t h = (id * 2654435761u) & mask;; h = (h + 1) & mask)
        if (w->tab[h].gen != w->tgen) {
            w->tab[h] = (tally_slot){w->tgen, id, idx};
            return;
        }
}

doppel_status dp_story_tally_add(work *w, uint32_t id, double support) {
    if ((w->nsel + 1) * 2 > w->tcap) { /* grow and re-place what is gathered */
        size_t cap = w->tcap ? w->tcap * 2 : 4096;
        tally_slot *t = dp_calloc(cap, sizeof *t);
        if (!t) return DOPPEL_ERR_NOMEM;
        dp_free(w->tab, w->tcap * sizeof *w->tab);
        w->tab = t;
        w->tcap = cap;
        w->tgen = 1;
        for (size_t i = 0; i < w->nsel; i++) tally_place(w, w->sel[i].id, (uint32_t)i);
    }
    size_t mask = w->tcap - 1;
    for (size_t h = (id * 2654435761u) & mask;; h = (h + 1) & mask) {
        tally_slot *e = &w->tab[h];
        if (e->gen != w->tgen) {
            if (dp_grow((void **)&w->sel, &w->selcap, w->nsel + 1, sizeof *w->sel))
                return DOPPEL_ERR_NOMEM;
            *e = (tally_slot){w->tgen, id, (uint32_t)w->nsel};
            w->sel[w->nsel++] = (scored){support, id};
            return DOPPEL_OK;
        }
        if (e->id == id) {
            w->sel[e->idx].sim += support;
            return DOPPEL_OK;
        }
    }
}

/* The n terms of out were summed in w->dense: collect their weights (and
 * clear dense), keep the k heaviest (in no order), scaled to unit length.
 * Returns how many were kept. */
size_t dp_story_gather_heaviest(work *w, pair *out, size_t n, size_t k) {
    for (size_t p = 0; p < n; p++) {
        out[p].w = w->dense[out[p].term];
        w->dense[out[p].term] = 0;
    }
    n = dp_story_keep_heaviest(out, n, k);
    double norm2 = 0;
    for (size_t p = 0; p < n; p++) norm2 += (double)out[p].w * out[p].w;
    double inv = norm2 > 0 ? 1 / sqrt(norm2) : 0;
    for (size_t p = 0; p < n; p++) out[p].w = (float)(out[p].w * inv);
    return n;
}
