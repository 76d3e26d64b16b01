/*
 * story_impl.h — what the story module's files share (private): the handle,
 * its records and the scratch of finish. story.c builds the dictionary and
 * the document vectors, story_cluster.c runs finish (units, the single pass,
 * fragment merging, refinement, copy clusters), story_agg.c the default
 * batch agglomeration.
 */
#ifndef DOPPEL_STORY_IMPL_H
#define DOPPEL_STORY_IMPL_H

#include "base/internal.h"
#include "story/terms.h"

/* ---- types --------------------------------------------------------------- */

typedef struct term_entry {
    uint64_t hash;
    uint32_t off;    /* NUL-terminated string in arena; first byte is the kind */
    uint32_t df;     /* learned documents containing the term */
    uint32_t stamp;  /* last document that touched the term (dedupe) */
    uint32_t cased;  /* learned occurrences where its case was evidence */
    uint32_t capped; /* of those, written capitalized */
    uint32_t words;  /* learned occurrences made by the stemmer (surface.c) */
} term_entry;

/* A word as it was written, for a stemmed word term (surface.c): how often
 * it was learned. */
typedef struct form_entry {
    uint64_t hash;   /* XXH64 of the word, seeded with its term's id */
    uint32_t term;   /* the word term (renumbered with the terms at freeze) */
    uint32_t off;    /* the word in st->form_text, NUL-terminated */
    uint32_t len;
    uint32_t count;  /* learned occurrences */
} form_entry;

typedef struct pair {
    uint32_t term;
    float w;
} pair;

typedef struct sdoc {
    uint32_t docnum;
    uint32_t copy;
    int64_t date;
    uint64_t key;    /* hash of title and text: the order-independent tie-break */
    uint32_t off;    /* first pair in st->pairs */
    uint32_t n;      /* pairs, heaviest first */
} sdoc;

/* A document as finish clusters it: units are the documents in st->order
 * (grouped by copy cluster), unit i being document st->order[i]. */
typedef struct unit {
    int64_t date;
    uint64_t key;
    uint32_t copy;
    uint32_t off, n; /* vector in st->pairs, heaviest first */
    float thr;       /* similarity needed to join a story (unit_threshold) */
} unit;

typedef struct story_rec {
    pair *c;         /* centroid: sum of member unit vectors, truncated */
    uint32_t n, cap;
    double norm;
    int64_t first, last;
    uint32_t units;  /* documents */
    uint32_t copies; /* distinct copy clusters, counted by publish */
    uint32_t stamp;  /* candidate dedupe */
    float support;   /* candidate pre-score */
} story_rec;

typedef struct posting {
    uint32_t *v;
    uint32_t n, cap;
} posting;

typedef struct acc_entry {
    uint32_t term;
    float body, title;
    unsigned flags;
} acc_entry;

/* A story of an earlier run (doppel_story_read_state). Its centroid terms
 * are held as strings until finish resolves them: term ids are renumbered
 * when learning ends. */
typedef struct prev_story {
    uint64_t id;
    int64_t first, last;
    uint64_t docs;
    uint32_t off, n;       /* its terms: st->prev_terms[off .. off + n) */
    uint32_t linked;       /* the story of this run it continues, or UINT32_MAX */
} prev_story;

typedef struct prev_term {
    uint32_t soff, slen;   /* the term's string in st->prev_text */
    uint32_t term;         /* its id, once finish has resolved it */
    float w;
} prev_term;

enum { ST_LEARN = 0, ST_ADD = 1, ST_DONE = 2 };

struct doppel_story {
    doppel_story_options opt;
    char *language;
    dp_terms *tok;
    int state;

    term_entry *terms;
    size_t nterms, termcap;
    uint64_t *table; /* slot(): the hash's high half, then id + 1; 0 = empty */
    size_t tabcap;
    char *arena;
    size_t arenalen, arenacap;
    uint64_t learned;

    /* the words stems were made from (surface.c) */
    form_entry *forms;    /* while learning; freed at freeze */
    size_t nforms, formcap;
    uint64_t *formtab;    /* slots as in table: hash's high half, then index + 1 */
    size_t formtabcap;
    char *form_text;
    size_t form_textlen, form_textcap;
    uint32_t *shown;      /* by term after freeze: offset + 1 in form_text of
                             the word it is shown as (0: shown as it is) */
    size_t nshown;

    /* per-document scratch */
    uint32_t *slot;  /* term -> index in acc while its stamp is current */
    acc_entry *acc;
    size_t nacc, acccap;
    uint32_t stamp;

    sdoc *docs;
    size_t ndocs, doccap;
    pair *pairs;
    size_t npairs, paircap;
    uint32_t *doc_of_num; /* docnum -> doc index + 1 */
    size_t numcap;

    /* finish */
    uint32_t *order;      /* doc indices grouped by unit */
    unit *units;
    size_t nunits;
    story_rec *stories;
    size_t nstories, storycap;
    uint32_t *story_of_unit;
    uint32_t *story_of_doc;   /* by doc index */
    uint32_t nfinal;
    doppel_story_stats stats;

    /* state (story_model.c reads it, story_link.c links and writes it) */
    prev_story *prev;
    size_t nprev, prevcap;
    prev_term *prev_terms;
    size_t nprev_terms, prev_termcap;
    char *prev_text;
    size_t prev_textlen, prev_textcap;
    uint64_t next_id;         /* the smallest id never given */
    int state_read;           /* doppel_story_read_state succeeded once */
    uint64_t *story_id;       /* by final story, after finish (NULL: the numbers) */
    uint32_t *story_prev;     /* by final story: the earlier story it continues */
};

/* Scratch for finish, freed before it returns. */
typedef struct work {
    float *dense;       /* term -> weight of the current unit (0 elsewhere) */
    posting *post;      /* term -> stories, oldest first */
    uint32_t *cand;
    size_t candcap;
    struct scored *sel; /* candidates with their support (tally, keep_best) */
    size_t nsel, selcap;
    struct tally_slot *tab; /* the tally's table: id -> position in sel */
    size_t tcap;
    uint32_t tgen;      /* marks the tally's current entries in tab */
    uint32_t *uorder;   /* units in (date, key) order */
    uint32_t *map;      /* old story -> new story while renumbering */
    uint32_t *next;     /* unit -> story chosen by a refinement round */
} work;

typedef struct scored { double sim; uint32_t id; } scored;
typedef struct tally_slot { uint32_t gen, id, idx; } tally_slot;

/* ---- small helpers ------------------------------------------------------- */

static inline const char *term_str(const doppel_story *st, uint32_t id) {
    return st->arena + st->terms[id].off;
}

static inline const pair *unit_vec(const doppel_story *st, const unit *u) {
    return st->pairs + u->off;
}

static inline void scatter(const doppel_story *st, work *w, const unit *u, int on) {
    const pair *v = unit_vec(st, u);
    for (uint32_t i = 0; i < u->n; i++) w->dense[v[i].term] = on ? v[i].w : 0;
}

/* Are two date spans [f1, l1] and [f2, l2] more than the window apart?
 * Undated spans are never apart. */
static inline int apart(const doppel_story *st, int64_t f1, int64_t l1, int64_t f2, int64_t l2) {
    int64_t win = st->opt.window_seconds;
    if (!win || f1 == DOPPEL_NO_DATE || f2 == DOPPEL_NO_DATE) return 0;
    return (f2 > l1 && f2 - l1 > win) || (f1 > l2 && f1 - l2 > win);
}

static inline uint32_t uf_find(uint32_t *parent, uint32_t x) {
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* ---- shared functions, by file from the bottom layer up ------------------ */

/* vocab.c: the term dictionary. */
/* The id of term s[0..len) (kind byte included) with hash h = XXH64(s, len,
 * 0), or UINT32_MAX. */
uint32_t dp_story_lookup(const doppel_story *st, const char *s, size_t len, uint64_t h);
/* The id of term s[0..len) (kind byte included), or UINT32_MAX. */
uint32_t dp_story_find_term(const doppel_story *st, const char *s, size_t len);
/* The id of the term s[0..len), entered in the dictionary if new. */
doppel_status dp_story_intern(doppel_story *st, const char *s, size_t len, uint32_t *id);
/* Add df learned documents (and the case counts) to the term s[0..len),
 * entering it in the dictionary if new; for models (story_model.c). */
doppel_status dp_story_count_term(doppel_story *st, const char *s, size_t len, uint64_t df,
                                  uint64_t cased, uint64_t capped);
/* End of learning: number the terms and make the dictionary ready to add. */
doppel_status dp_story_freeze_terms(doppel_story *st);

/* surface.c: the words stems are shown as. */
/* Count one learned occurrence of word term id written as form[0..len),
 * which is not the stem itself (those are the rest of its words count). */
doppel_status dp_story_count_form(doppel_story *st, uint32_t id, const char *form, size_t len);
/* At freeze, with old_of_new[new id] = the id a term had while learning:
 * choose each word term's most frequent form and release the counts. */
doppel_status dp_story_choose_forms(doppel_story *st, const uint32_t *old_of_new);
void dp_story_free_forms(doppel_story *st);

/* shown.c: the terms as words. */
/* After finish: the words every published story's top terms are shown as. */
doppel_status dp_story_show_terms(doppel_story *st);
/* The term as a reader sees it: stems replaced by their most frequent
 * word, kind byte dropped. Valid until doppel_story_free. */
const char *dp_story_term_text(const doppel_story *st, uint32_t id);

/* tally.c: the best few of many. */
/* Heaviest first; equal weights by term id (see freeze_terms). */
int dp_story_cmp_pair_weight(const void *a, const void *b);
/* Quickselect: reorder the n elements of base (of size bytes, at most 16) so
 * that the first k (k < n) are the k smallest by cmp, a total order. */
void dp_story_select_first(void *base, size_t n, size_t k, size_t size,
                           int (*cmp)(const void *, const void *));
/* The k heaviest pairs of v[0..n) first, in no order; returns min(n, k). */
size_t dp_story_keep_heaviest(pair *v, size_t n, size_t k);
/* Reorder a[0..n) so that its first min(n, k) entries are the best (most
 * similar, then smaller id), in order. Returns min(n, k). */
size_t dp_story_keep_best(scored *a, size_t n, size_t k);
/* The tally of candidates: begin, then add (id, support) pairs; the distinct
 * ids with summed support are in w->sel[0..w->nsel). */
void dp_story_tally_begin(work *w);
doppel_status dp_story_tally_add(work *w, uint32_t id, double support);
/* The n terms of out were summed in w->dense: collect their weights (and
 * clear dense), keep the k heaviest, scaled to unit length; returns how many. */
size_t dp_story_gather_heaviest(work *w, pair *out, size_t n, size_t k);

/* story_model.c: model and state files. */
/* Release what dp_story_link and doppel_story_read_state allocated. */
void dp_story_free_state(doppel_story *st);

/* story_agg.c: batch clustering into st->story_of_unit (story = root rank
 * of its unit). */
doppel_status dp_story_agglomerate(doppel_story *st, work *w);

/* story_link.c: after publish in finish, link this run's stories to the
 * earlier ones and give every story its id; nothing when no state was read
 * and none is kept, the ids then being the story numbers. */
doppel_status dp_story_link(doppel_story *st);

/* story_cluster.c: release the published stories. */
void dp_story_free_results(doppel_story *st);
#endif
