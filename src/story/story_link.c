/*
 * story_link.c — stories that continue across runs: at the end of finish,
 * each story of this run is linked to the earlier story (read with
 * doppel_story_read_state) it continues, and takes its id; then
 * doppel_story_write_state saves what is alive for the next run.
 *
 * Linking compares centroids, as fragment merging does within a run
 * (merge_threshold): a story of today's batch about yesterday's event has
 * the event's names and words, and a centroid of many reports is a far
 * steadier description than any one of them. Candidates come from an
 * inverted index over each earlier story's index_terms heaviest terms, so
 * a run costs O(stories x candidates) however long the feed has run. Links
 * are made best first and one to one, so the ids of a run stay distinct and
 * no earlier story absorbs two stories the clustering kept apart.
 */
#include "story/story_impl.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Earlier stories scored exactly per story, best-supported first. */
#define LINK_CANDIDATES 32

typedef struct link { double sim; uint32_t story, prev; } link;

/* Most similar first; ties by the smaller story, then the smaller earlier
 * story: a total order, so the links do not depend on anything but the
 * stories. */
static int cmp_link(const void *a, const void *b) {
    const link *x = a, *y = b;
    if (x->sim != y->sim) return x->sim > y->sim ? -1 : 1;
    if (x->story != y->story) return x->story < y->story ? -1 : 1;
    return x->prev < y->prev ? -1 : x->prev > y->prev;
}

static double prev_norm(const doppel_story *st, const prev_story *p) {
    double n2 = 0;
    for (uint32_t i = 0; i < p->n; i++) {
        double w = st->prev_terms[p->off + i].w;
        n2 += w * w;
    }
    return sqrt(n2);
}

/* Are the two date spans within the window of each other? */
static int within_window(const doppel_story *st, int64_t first, int64_t last, const prev_story *p) {
    if (st->opt.window_seconds <= 0 || first == DOPPEL_NO_DATE || p->first == DOPPEL_NO_DATE)
        return 1;
    int64_t gap = first > p->last ? first - p->last : p->first > last ? p->first - last : 0;
    return gap <= st->opt.window_seconds;
}

/* Candidate links of story s: the earlier stories indexed under its
 * index_terms heaviest terms, the best-supported scored exactly. */
static doppel_status story_links(const doppel_story *st, work *w, uint32_t s, const uint32_t *head,
                                 const uint32_t *chain, const uint32_t *chain_prev,
                                 const double *pnorm, link **links, size_t *nlinks,
                                 size_t *linkcap) {
    const story_rec *r = &st->stories[s];
    if (!r->n || r->norm <= 0) return DOPPEL_OK;
    dp_story_tally_begin(w);
    uint32_t t = DP_MIN(r->n, st->opt.index_terms);
    for (uint32_t i = 0; i < t; i++) {
        uint32_t read = 0; /* the newest max_postings only, as within a run */
        for (uint32_t e = head[r->c[i].term]; e != UINT32_MAX && read < st->opt.max_postings;
             e = chain[e], read++) {
            doppel_status rc = dp_story_tally_add(w, chain_prev[e], r->c[i].w);
            if (rc) return rc;
        }
    }
    size_t k = dp_story_keep_best(w->sel, w->nsel, LINK_CANDIDATES);
    for (uint32_t i = 0; i < r->n; i++) w->dense[r->c[i].term] = r->c[i].w;
    for (size_t c = 0; c < k; c++) {
        uint32_t pi = w->sel[c].id;
        const prev_story *p = &st->prev[pi];
        if (pnorm[pi] <= 0 || !within_window(st, r->first, r->last, p)) continue;
        double dot = 0;
        for (uint32_t i = 0; i < p->n; i++) {
            const prev_term *pt = &st->prev_terms[p->off + i];
            dot += (double)w->dense[pt->term] * pt->w;
        }
        double sim = dot / (r->norm * pnorm[pi]);
        if (sim < st->opt.merge_threshold) continue;
        if (dp_grow((void **)links, linkcap, *nlinks + 1, sizeof **links)) return DOPPEL_ERR_NOMEM;
        (*links)[(*nlinks)++] = (link){sim, s, pi};
    }
    for (uint32_t i = 0; i < r->n; i++) w->dense[r->c[i].term] = 0;
    return DOPPEL_OK;
}

static _Thread_local const doppel_story *order_ctx;

/* Oldest last report first (undated first of all), then by id. */
static int cmp_prev_age(const void *a, const void *b) {
    const prev_story *x = &order_ctx->prev[*(const uint32_t *)a];
    const prev_story *y = &order_ctx->prev[*(const uint32_t *)b];
    if (x->last != y->last) return x->last < y->last ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The earlier stories indexed by their heaviest terms, every story scored
 * against its candidates, then links made best first, one to one. Each
 * term's chain is entered oldest first, so it is read newest first and a
 * term common to thousands of earlier stories costs max_postings steps. */
static doppel_status make_links(doppel_story *st) {
    size_t nt = st->nterms + 1, np = st->nprev;
    work w = {0};
    uint32_t *head = dp_malloc(nt * sizeof *head);
    uint32_t *chain = dp_malloc((np * st->opt.index_terms + 1) * sizeof *chain);
    uint32_t *chain_prev = dp_malloc((np * st->opt.index_terms + 1) * sizeof *chain_prev);
    double *pnorm = dp_malloc((np + 1) * sizeof *pnorm);
    uint32_t *by_age = dp_malloc((np + 1) * sizeof *by_age);
    w.dense = dp_calloc(nt, sizeof *w.dense);
    link *links = NULL;
    size_t nlinks = 0, linkcap = 0;
    doppel_status rc = DOPPEL_ERR_NOMEM;
    if (!head || !chain || !chain_prev || !pnorm || !by_age || !w.dense) goto out;
    for (size_t t = 0; t < nt; t++) head[t] = UINT32_MAX;
    for (size_t pi = 0; pi < np; pi++) by_age[pi] = (uint32_t)pi;
    order_ctx = st;
    qsort(by_age, np, sizeof *by_age, cmp_prev_age);
    size_t ne = 0;
    for (size_t k = 0; k < np; k++) {
        size_t pi = by_age[k];
        const prev_story *p = &st->prev[pi];
        pnorm[pi] = prev_norm(st, p);
        for (uint32_t i = 0; i < DP_MIN(p->n, st->opt.index_terms); i++) {
            uint32_t term = st->prev_terms[p->off + i].term;
            chain[ne] = head[term];
            chain_prev[ne] = (uint32_t)pi;
            head[term] = (uint32_t)ne++;
        }
    }
    for (uint32_t s = 0; s < st->nfinal; s++)
        if ((rc = story_links(st, &w, s, head, chain, chain_prev, pnorm, &links, &nlinks,
                              &linkcap)))
            goto out;
    if (nlinks > 1) qsort(links, nlinks, sizeof *links, cmp_link);
    for (size_t k = 0; k < nlinks; k++) {
        const link *l = &links[k];
        if (st->story_prev[l->story] != UINT32_MAX || st->prev[l->prev].linked != UINT32_MAX)
            continue;
        st->story_prev[l->story] = l->prev;
        st->prev[l->prev].linked = l->story;
    }
    rc = DOPPEL_OK;
out:
    dp_free(head, nt * sizeof *head);
    dp_free(chain, (np * st->opt.index_terms + 1) * sizeof *chain);
    dp_free(chain_prev, (np * st->opt.index_terms + 1) * sizeof *chain_prev);
    dp_free(pnorm, (np + 1) * sizeof *pnorm);
    dp_free(by_age, (np + 1) * sizeof *by_age);
    dp_free(w.dense, nt * sizeof *w.dense);
    dp_free(w.sel, w.selcap * sizeof *w.sel);
    dp_free(w.tab, w.tcap * sizeof *w.tab);
    dp_free(links, linkcap * sizeof *links);
    return rc;
}

doppel_status dp_story_link(doppel_story *st) {
    /* without a state to read or write, ids are the story numbers */
    if (!st->state_read && !st->opt.keep_state) return DOPPEL_OK;
    size_t n = (size_t)st->nfinal + 1;
    st->story_id = dp_malloc(n * sizeof *st->story_id);
    st->story_prev = dp_malloc(n * sizeof *st->story_prev);
    if (!st->story_id || !st->story_prev) return DOPPEL_ERR_NOMEM;
    for (uint32_t s = 0; s < st->nfinal; s++) st->story_prev[s] = UINT32_MAX;
    /* read_state took only terms of the model, which are all in the
     * dictionary now: every lookup finds its term */
    for (size_t i = 0; i < st->nprev_terms; i++) {
        prev_term *pt = &st->prev_terms[i];
        pt->term = dp_story_find_term(st, st->prev_text + pt->soff, pt->slen);
        if (pt->term == UINT32_MAX) return DOPPEL_ERR_STATE;
    }
    if (st->nprev) {
        doppel_status rc = make_links(st);
        if (rc) return rc;
    }
    /* new ids in story order: story numbers depend only on the documents */
    for (uint32_t s = 0; s < st->nfinal; s++)
        st->story_id[s] = st->story_prev[s] != UINT32_MAX ? st->prev[st->story_prev[s]].id
                                                          : st->next_id++;
    return DOPPEL_OK;
}

/* ---- writing the state ---------------------------------------------------- */
