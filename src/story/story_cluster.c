/*
 * story_cluster.c — doppel_story_finish: documents become units, the units
 * are clustered (story_agg.c by default, or the single pass here), fragments
 * are merged, misplaced units refined and copy clusters kept whole; then the
 * stories are published. See story.c for the overview.
 */
#include "story/story_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- limits and internal constants -------------------------------------- */

/* Centroid terms kept per story, as a multiple of top_terms: a story of many
 * documents has a broader vocabulary than any one of them, but its tail is
 * noise that only costs time. */
#define CENTROID_FACTOR 2
/* Candidate stories scored exactly per unit, best-supported first. */
#define MAX_SCORED 32
/* Effective numbers of terms (see unit_threshold) at which a unit counts as
 * short (a headline: about six informative words) and as long (an article
 * whose top_terms weights are spread over about thirty terms). */
#define SHORT_TERMS 6.0
#define LONG_TERMS 30.0
/* Rounds of fragment merging at most; each round can only join stories. */
#define MERGE_ROUNDS 4
/* Rounds of centroid refinement at most (see refine_pass). */
#define REFINE_ROUNDS 3

/* ---- units ---------------------------------------------------------------- */

/* qsort has no context argument in C11: the comparators read the handle
 * being finished through this pointer, one per thread, so handles can be
 * finished concurrently on different threads. */
static _Thread_local const doppel_story *sort_ctx;

static int cmp_doc_copy(const void *a, const void *b) {
    const sdoc *x = &sort_ctx->docs[*(const uint32_t *)a];
    const sdoc *y = &sort_ctx->docs[*(const uint32_t *)b];
    if (x->copy != y->copy) return x->copy < y->copy ? -1 : 1;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->docnum < y->docnum ? -1 : x->docnum > y->docnum;
}

static int cmp_unit_order(const void *a, const void *b) {
    const unit *x = &sort_ctx->units[*(const uint32_t *)a];
    const unit *y = &sort_ctx->units[*(const uint32_t *)b];
    if (x->date != y->date) return x->date < y->date ? -1 : 1;
    if (x->key != y->key) return x->key < y->key ? -1 : 1;
    return x->copy < y->copy ? -1 : x->copy > y->copy;
}

/* The similarity a unit needs to join a story. A cosine means different
 * things at different lengths: two headlines of six informative words that
 * share one name reach only about 0.15, while two long articles on the same
 * kind of event (two rehab stays, two earthquakes) reach 0.2-0.3 through
 * the topic's vocabulary alone. So the threshold moves from short_threshold
 * to threshold as the effective number of terms, (sum w^2)^2 / sum w^4,
 * grows from SHORT_TERMS to LONG_TERMS (linearly in its logarithm). */
static float unit_threshold(const doppel_story *st, const unit *u) {
    const pair *v = unit_vec(st, u);
    double s2 = 0, s4 = 0;
    for (uint32_t i = 0; i < u->n; i++) {
        double x = (double)v[i].w * v[i].w;
        s2 += x;
        s4 += x * x;
    }
    double eff = s4 > 0 ? s2 * s2 / s4 : 1;
    double f = (log(eff) - log(SHORT_TERMS)) / (log(LONG_TERMS) - log(SHORT_TERMS));
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    return (float)(st->opt.short_threshold + (st->opt.threshold - st->opt.short_threshold) * f);
}

/* One unit per document, in st->order grouped by copy cluster (join_copies
 * relies on that). Copy clusters are not merged into one unit before
 * clustering: a copy cluster of edited reprints collapsed to one point
 * would lose its members' weight in the average link and their places in
 * the neighbour graph (measured through the CLI at long threshold 0.50,
 * ECB+ F1 0.903 with merged units, 0.931 with one unit per document); join_copies keeps each copy
 * cluster whole afterwards. */
static doppel_status build_units(doppel_story *st) {
    size_t n = st->ndocs;
    st->order = dp_malloc((n + 1) * sizeof *st->order);
    st->units = dp_malloc((n + 1) * sizeof *st->units);
    if (!st->order || !st->units) return DOPPEL_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) st->order[i] = (uint32_t)i;
    sort_ctx = st;
    qsort(st->order, n, sizeof *st->order, cmp_doc_copy);
    for (size_t i = 0; i < n; i++) {
        const sdoc *d = &st->docs[st->order[i]];
        unit *u = &st->units[i];
        u->copy = d->copy;
        u->date = d->date;
        u->key = d->key;
        u->off = d->off;
        u->n = d->n;
        u->thr = unit_threshold(st, u);
    }
    st->nunits = n;
    st->stats.units = n;
    return DOPPEL_OK;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* A copy cluster never splits across stories: each goes whole to the story
 * that holds most of its members (ties: the smaller story number, which
 * depends only on the documents, so the choice is order-independent).
 * scratch holds nunits entries. */
static void join_copies(doppel_story *st, uint32_t *scratch) {
    for (size_t a = 0; a < st->nunits;) {
        size_t b = a + 1;
        uint32_t copy = st->units[a].copy;
        if (copy != DOPPEL_STORY_NO_COPY)
            while (b < st->nunits && st->units[b].copy == copy) b++;
        if (b - a > 1) {
            memcpy(scratch, st->story_of_unit + a, (b - a) * sizeof *scratch);
            qsort(scratch, b - a, sizeof *scratch, cmp_u32);
            uint32_t best = scratch[0];
            size_t bestn = 0;
            for (size_t i = 0; i < b - a;) {
                size_t j = i + 1;
                while (j < b - a && scratch[j] == scratch[i]) j++;
                if (j - i > bestn) { /* ascending: a tie keeps the smaller */
                    best = scratch[i];
                    bestn = j - i;
                }
                i = j;
            }
            for (size_t i = a; i < b; i++) st->story_of_unit[i] = best;
        }
        a = b;
    }
}

static doppel_status new_story(doppel_story *st, uint32_t *id) {
    if (dp_grow((void **)&st->stories, &st->storycap, st->nstories + 1, sizeof *st->stories))
        return DOPPEL_ERR_NOMEM;
    story_rec *s = &st->stories[st->nstories];
    memset(s, 0, sizeof *s);
    s->first = s->last = DOPPEL_NO_DATE;
    *id = (uint32_t)st->nstories++;
    return DOPPEL_OK;
}

/* Add unit u (scattered in w->dense) to story s's centroid. Centroid terms
 * the unit also has are marked consumed with -0.0 while merging, so the
 * unit's remaining terms can be appended without a search. */
static doppel_status story_join(doppel_story *st, work *w, story_rec *s, const unit *u) {
    const pair *v = unit_vec(st, u);
    size_t cmax = (size_t)st->opt.top_terms * CENTROID_FACTOR;
    for (uint32_t i = 0; i < s->n; i++) {
        float x = w->dense[s->c[i].term];
        if (x != 0) {
            s->c[i].w += x;
            w->dense[s->c[i].term] = -0.0f;
        }
    }
    size_t need = s->n + u->n;
    if (need > s->cap) {
        size_t cap = s->cap;
        if (dp_grow((void **)&s->c, &cap, need, sizeof *s->c)) return DOPPEL_ERR_NOMEM;
        s->cap = (uint32_t)cap;
    }
    for (uint32_t i = 0; i < u->n; i++) {
        if (!signbit(w->dense[v[i].term])) s->c[s->n++] = v[i];
        w->dense[v[i].term] = v[i].w;
    }
    s->n = (uint32_t)dp_story_keep_heaviest(s->c, s->n, cmax);
    double norm2 = 0;
    for (uint32_t i = 0; i < s->n; i++) norm2 += (double)s->c[i].w * s->c[i].w;
    s->norm = sqrt(norm2);
    if (u->date != DOPPEL_NO_DATE && (s->first == DOPPEL_NO_DATE || u->date < s->first))
        s->first = u->date;
    if (u->date != DOPPEL_NO_DATE && (s->last == DOPPEL_NO_DATE || u->date > s->last))
        s->last = u->date;
    s->units++;
    return DOPPEL_OK;
}

/* Index story sid under the unit's top index_terms terms. */
static doppel_status post_story(doppel_story *st, work *w, uint32_t sid, const unit *u) {
    const pair *v = unit_vec(st, u);
    uint32_t t = DP_MIN(u->n, st->opt.index_terms);
    uint32_t cap = st->opt.max_postings;
    for (uint32_t i = 0; i < t; i++) {
        posting *p = &w->post[v[i].term];
        if (p->n && p->v[p->n - 1] == sid) continue;
        if (p->n + 1 > p->cap) {
            size_t c = p->cap;
            if (dp_grow((void **)&p->v, &c, p->n + 1, sizeof *p->v)) return DOPPEL_ERR_NOMEM;
            p->cap = (uint32_t)c;
        }
        p->v[p->n++] = sid;
        /* Keep the newest cap entries; dropping in blocks of cap keeps the
         * cost amortized O(1) per entry. */
        if (p->n >= 2 * cap) {
            memmove(p->v, p->v + (p->n - cap), cap * sizeof *p->v);
            st->stats.capped_postings += p->n - cap;
            p->n = cap;
        }
    }
    return DOPPEL_OK;
}

/* Collect the live candidate stories of unit u into w->cand, at most
 * MAX_SCORED, those sharing the most index weight with u first. */
static doppel_status candidates(doppel_story *st, work *w, const unit *u, uint32_t stamp,
                                size_t *ncand) {
    const pair *v = unit_vec(st, u);
    uint32_t t = DP_MIN(u->n, st->opt.index_terms);
    size_t nc = 0;
    for (uint32_t i = 0; i < t; i++) {
        const posting *p = &w->post[v[i].term];
        uint32_t start = p->n > st->opt.max_postings ? p->n - st->opt.max_postings : 0;
        for (uint32_t e = start; e < p->n; e++) {
            story_rec *s = &st->stories[p->v[e]];
            if (s->stamp != stamp) {
                if (apart(st, s->first, s->last, u->date, u->date)) continue;
                if (dp_grow((void **)&w->cand, &w->candcap, nc + 1, sizeof *w->cand))
                    return DOPPEL_ERR_NOMEM;
                s->stamp = stamp;
                s->support = 0;
                w->cand[nc++] = p->v[e];
            }
            s->support += v[i].w;
        }
    }
    if (nc > MAX_SCORED) {
        if (dp_grow((void **)&w->sel, &w->selcap, nc, sizeof *w->sel)) return DOPPEL_ERR_NOMEM;
        for (size_t c = 0; c < nc; c++)
            w->sel[c] = (scored){st->stories[w->cand[c]].support, w->cand[c]};
        nc = dp_story_keep_best(w->sel, nc, MAX_SCORED);
        for (size_t c = 0; c < nc; c++) w->cand[c] = w->sel[c].id;
    }
    *ncand = nc;
    return DOPPEL_OK;
}

/* Cosine of the scattered unit (a unit vector) with story s's centroid. */
static double story_cos(const work *w, const story_rec *s) {
    double dot = 0;
    for (uint32_t i = 0; i < s->n; i++) dot += (double)s->c[i].w * w->dense[s->c[i].term];
    return s->norm > 0 ? dot / s->norm : 0;
}

/* The single pass in (date, key) order. */
static doppel_status online_pass(doppel_story *st, work *w, uint32_t *stamp) {
    for (size_t oi = 0; oi < st->nunits; oi++) {
        uint32_t ui = w->uorder[oi];
        const unit *u = &st->units[ui];
        scatter(st, w, u, 1);
        size_t nc;
        doppel_status r = candidates(st, w, u, ++*stamp, &nc);
        if (r) return r;
        uint32_t best = UINT32_MAX;
        double bestsim = 0;
        for (size_t c = 0; c < nc; c++) {
            double sim = story_cos(w, &st->stories[w->cand[c]]);
            st->stats.candidates++;
            if (sim > bestsim || (sim == bestsim && best != UINT32_MAX && w->cand[c] < best)) {
                bestsim = sim;
                best = w->cand[c];
            }
        }
        if (best == UINT32_MAX || bestsim < u->thr) {
            if ((r = new_story(st, &best))) return r;
        }
        st->story_of_unit[ui] = best;
        if ((r = story_join(st, w, &st->stories[best], u))) return r;
        if ((r = post_story(st, w, best, u))) return r;
        scatter(st, w, u, 0);
    }
    return DOPPEL_OK;
}

/* Rebuild centroids and postings from st->story_of_unit (story numbers
 * below nold), dropping empty stories and numbering stories in order of
 * their first unit. */
static doppel_status rebuild_stories(doppel_story *st, work *w, size_t nold) {
    for (size_t i = 0; i < nold; i++) w->map[i] = UINT32_MAX;
    dp_story_free_results(st);
    for (size_t t = 0; t < st->nterms; t++) w->post[t].n = 0;
    for (size_t oi = 0; oi < st->nunits; oi++) {
        uint32_t ui = w->uorder[oi];
        uint32_t old = st->story_of_unit[ui];
        doppel_status r;
        if (w->map[old] == UINT32_MAX && (r = new_story(st, &w->map[old]))) return r;
        uint32_t sid = w->map[old];
        st->story_of_unit[ui] = sid;
        const unit *u = &st->units[ui];
        scatter(st, w, u, 1);
        if ((r = story_join(st, w, &st->stories[sid], u))) return r;
        if ((r = post_story(st, w, sid, u))) return r;
        scatter(st, w, u, 0);
    }
    return DOPPEL_OK;
}

/* Fragment merging. The first reports of a story often share too little
 * with each other to meet the threshold, so a story can start as several
 * fragments that grow side by side; their centroids, each built from many
 * members, are far more alike than any two first reports were. Stories
 * whose centroids reach merge_threshold (and whose dates are within the
 * window) are joined. Every pair is judged against the centroids as they
 * stood before the round and union-find keeps the smaller number, so the
 * result does not depend on the visiting order. */
static doppel_status merge_pass(doppel_story *st, work *w, uint32_t *stamp, size_t *merged) {
    size_t ns = st->nstories;
    uint32_t *parent = w->map; /* free until the next rebuild */
    for (size_t i = 0; i < ns; i++) parent[i] = (uint32_t)i;
    *merged = 0;
    double thr = st->opt.merge_threshold;
    for (size_t a = 0; a < ns; a++) {
        story_rec *s = &st->stories[a];
        if (!s->n || s->norm <= 0) continue;
        qsort(s->c, s->n, sizeof *s->c, dp_story_cmp_pair_weight); /* heaviest terms first */
        for (uint32_t i = 0; i < s->n; i++)
            w->dense[s->c[i].term] = (float)(s->c[i].w / s->norm);
        ++*stamp;
        size_t nc = 0;
        for (uint32_t i = 0; i < DP_MIN(st->opt.index_terms, s->n); i++) {
            const posting *p = &w->post[s->c[i].term];
            uint32_t start = p->n > st->opt.max_postings ? p->n - st->opt.max_postings : 0;
            for (uint32_t e = start; e < p->n && nc < 4 * MAX_SCORED; e++) {
                uint32_t b = p->v[e];
                story_rec *o = &st->stories[b];
                if (b <= a || o->stamp == *stamp) continue;
                o->stamp = *stamp;
                if (dp_grow((void **)&w->cand, &w->candcap, nc + 1, sizeof *w->cand))
                    return DOPPEL_ERR_NOMEM;
                w->cand[nc++] = b;
            }
        }
        for (size_t c = 0; c < nc; c++) {
            const story_rec *o = &st->stories[w->cand[c]];
            if (apart(st, s->first, s->last, o->first, o->last)) continue;
            st->stats.candidates++;
            if (story_cos(w, o) >= thr) {
                uint32_t x = uf_find(parent, (uint32_t)a), y = uf_find(parent, w->cand[c]);
                if (x != y) {
                    parent[DP_MAX(x, y)] = DP_MIN(x, y);
                    (*merged)++;
                }
            }
        }
        for (uint32_t i = 0; i < s->n; i++) w->dense[s->c[i].term] = 0;
    }
    for (size_t i = 0; i < st->nunits; i++)
        st->story_of_unit[i] = uf_find(parent, st->story_of_unit[i]);
    return DOPPEL_OK;
}

/* Cosine of the scattered unit u with its own story's centroid without u
 * (leave one out), over the centroid's kept terms: c - u has the dot
 * product u.c - u.u and the squared norm |c|^2 - 2 u.c + u.u. */
static double own_cos(const work *w, const story_rec *s) {
    double dot = 0, self = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        double x = w->dense[s->c[i].term];
        dot += (double)s->c[i].w * x;
        self += x * x;
    }
    double n2 = s->norm * s->norm - 2 * dot + self;
    return n2 > 1e-12 ? (dot - self) / sqrt(n2) : 0;
}

/* Centroid refinement of misplaced units. The single pass decides each unit
 * against the stories as they stood when it came, so an early unit may sit
 * in a story that later grew away from it (and which unit came early depends
 * on hashes). Here a unit whose similarity to its own story's centroid
 * without itself (leave one out) is below its threshold, or that is alone in
 * its story, is compared with the candidate stories of the index and moves
 * to the most similar one that reaches its threshold; a lone unit only joins
 * a story with a smaller number, so two lone units cannot swap places. Units
 * that fit their story stay: moving them too (plain k-means) was measured to
 * pull headlines out of big stories into their fragments (headline F1 0.748
 * -> 0.729). All moves of a round are decided against the centroids before
 * the round (then rebuilt), so the result does not depend on visiting order. */
static doppel_status refine_pass(doppel_story *st, work *w, uint32_t *stamp, size_t *moved) {
    *moved = 0;
    for (size_t ui = 0; ui < st->nunits; ui++) {
        const unit *u = &st->units[ui];
        uint32_t own = st->story_of_unit[ui];
        const story_rec *os = &st->stories[own];
        w->next[ui] = own;
        scatter(st, w, u, 1);
        size_t nc;
        doppel_status r = candidates(st, w, u, ++*stamp, &nc);
        if (r) return r;
        int alone = os->units <= 1;
        double keep = alone ? 0 : own_cos(w, os);
        if (!alone && keep >= u->thr) {
            scatter(st, w, u, 0);
            continue;
        }
        uint32_t best = own;
        double bestsim = keep;
        for (size_t c = 0; c < nc; c++) {
            uint32_t sid = w->cand[c];
            if (sid == own || (alone && sid > own)) continue;
            double sim = story_cos(w, &st->stories[sid]);
            st->stats.candidates++;
            if (sim < u->thr) continue;
            if (sim > bestsim || (sim == bestsim && sid < best)) {
                bestsim = sim;
                best = sid;
            }
        }
        scatter(st, w, u, 0);
        if (best != own) {
            w->next[ui] = best;
            (*moved)++;
        }
    }
    for (size_t ui = 0; ui < st->nunits; ui++) st->story_of_unit[ui] = w->next[ui];
    return DOPPEL_OK;
}

static void free_work(doppel_story *st, work *w) {
    dp_free(w->dense, (st->nterms + 1) * sizeof *w->dense);
    if (w->post)
        for (size_t t = 0; t < st->nterms; t++)
            dp_free(w->post[t].v, w->post[t].cap * sizeof(uint32_t));
    dp_free(w->post, (st->nterms + 1) * sizeof *w->post);
    dp_free(w->cand, w->candcap * sizeof *w->cand);
    dp_free(w->sel, w->selcap * sizeof *w->sel);
    dp_free(w->tab, w->tcap * sizeof *w->tab);
    dp_free(w->uorder, (st->ndocs + 1) * sizeof *w->uorder);
    dp_free(w->map, (st->ndocs + 1) * sizeof *w->map);
    dp_free(w->next, (st->ndocs + 1) * sizeof *w->next);
}

/* Release the published stories (before a new finish, and at free). */
void dp_story_free_results(doppel_story *st) {
    for (size_t i = 0; i < st->nstories; i++)
        dp_free(st->stories[i].c, st->stories[i].cap * sizeof(pair));
    dp_free(st->stories, st->storycap * sizeof *st->stories);
    st->stories = NULL;
    st->nstories = st->storycap = 0;
}

/* Per-document stories; each centroid is cut to its top terms for the
 * report, and what only clustering needed is released. */
static doppel_status publish(doppel_story *st) {
    size_t n = st->ndocs;
    st->story_of_doc = dp_malloc((n + 1) * sizeof *st->story_of_doc);
    if (!st->story_of_doc) return DOPPEL_ERR_NOMEM;
    st->nfinal = (uint32_t)st->nstories;
    /* units are grouped by copy cluster and a copy cluster is in one story */
    for (size_t ui = 0; ui < st->nunits; ui++) {
        st->story_of_doc[st->order[ui]] = st->story_of_unit[ui];
        uint32_t copy = st->units[ui].copy;
        if (ui == 0 || copy == DOPPEL_STORY_NO_COPY || copy != st->units[ui - 1].copy)
            st->stories[st->story_of_unit[ui]].copies++;
    }
    /* a state needs the whole centroid: to link to and to be saved */
    uint32_t keep = st->opt.keep_state || st->nprev ? UINT32_MAX : DOPPEL_STORY_TOP_TERMS;
    for (uint32_t s = 0; s < st->nfinal; s++) {
        story_rec *r = &st->stories[s];
        if (r->n > 1) qsort(r->c, r->n, sizeof *r->c, dp_story_cmp_pair_weight);
        if (r->n > keep) r->n = keep;
        if (r->cap > r->n && r->n) {
            pair *c = dp_realloc(r->c, r->cap * sizeof *r->c, r->n * sizeof *r->c);
            if (c) {
                r->c = c;
                r->cap = r->n;
            }
        }
    }
    dp_free(st->pairs, st->paircap * sizeof *st->pairs);
    st->pairs = NULL;
    st->paircap = st->npairs = 0;
    return DOPPEL_OK;
}

doppel_status doppel_story_finish(doppel_story *st, doppel_error *err) {
    if (!st) return dp_fail(err, DOPPEL_ERR_ARG, "doppel_story_finish: NULL handle");
    if (st->state == ST_DONE)
        return dp_fail(err, DOPPEL_ERR_STATE, "doppel_story_finish called twice");
    if (st->state == ST_LEARN && dp_story_freeze_terms(st))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "story: out of memory");
    st->state = ST_DONE;
    work w = {0};
    size_t n = st->ndocs;
    doppel_status r = DOPPEL_ERR_NOMEM;
    w.dense = dp_calloc(st->nterms + 1, sizeof *w.dense);
    w.post = dp_calloc(st->nterms + 1, sizeof *w.post);
    w.uorder = dp_malloc((n + 1) * sizeof *w.uorder);
    w.map = dp_malloc((n + 1) * sizeof *w.map); /* stories <= units <= docs */
    w.next = dp_malloc((n + 1) * sizeof *w.next);
    st->story_of_unit = dp_malloc((n + 1) * sizeof *st->story_of_unit);
    if (!w.dense || !w.post || !w.uorder || !w.map || !w.next || !st->story_of_unit) goto fail;
    if ((r = build_units(st))) goto fail;
    for (size_t i = 0; i < st->nunits; i++) w.uorder[i] = (uint32_t)i;
    sort_ctx = st;
    qsort(w.uorder, st->nunits, sizeof *w.uorder, cmp_unit_order);

    uint32_t stamp = 0;
    if (!st->opt.online) {
        if ((r = dp_story_agglomerate(st, &w))) goto fail;
        if ((r = rebuild_stories(st, &w, st->nunits))) goto fail; /* story = root rank */
    } else {
        if ((r = online_pass(st, &w, &stamp))) goto fail;
        if ((r = rebuild_stories(st, &w, st->nstories))) goto fail;
    }
    for (int round = 0; round < MERGE_ROUNDS && st->opt.merge_threshold < 1; round++) {
        size_t merged;
        if ((r = merge_pass(st, &w, &stamp, &merged))) goto fail;
        if ((r = rebuild_stories(st, &w, st->nstories))) goto fail;
        if (!merged) break;
    }
    for (int round = 0; round < REFINE_ROUNDS; round++) {
        size_t moved;
        if ((r = refine_pass(st, &w, &stamp, &moved))) goto fail;
        if ((r = rebuild_stories(st, &w, st->nstories))) goto fail;
        if (!moved) break;
    }
    join_copies(st, w.next);
    if ((r = rebuild_stories(st, &w, st->nstories))) goto fail;
    if ((r = publish(st))) goto fail;
    free_work(st, &w);
    if ((r = dp_story_link(st))) return dp_fail(err, r, "story: %s while linking to earlier stories",
                                                doppel_strerror(r));
    if ((r = dp_story_show_terms(st)))
        return dp_fail(err, r, "story: %s while naming the stories' terms", doppel_strerror(r));
    st->stats.stories = st->nfinal;
    return DOPPEL_OK;
fail:
    free_work(st, &w);
    return dp_fail(err, r, "story: %s while clustering", doppel_strerror(r));
}

