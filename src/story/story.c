/*
 * story.c — the story level: documents that report one event in their own
 * words (see doppel.h, "Story clustering", for the contract).
 *
 * Three parts, in the order data flows through them:
 *
 *  1. The term dictionary and document frequencies (learn pass). Terms are
 *     the tokenizer's strings (terms.h); an open-addressing table maps each to
 *     an id. When learning ends the ids are renumbered by decreasing
 *     document frequency, then term hash, so that ids, the order of every sum
 *     over terms and every tie between equal weights do not depend on the
 *     order documents arrived in (and frequent terms sit together in cache).
 *
 *  2. Document vectors (add pass). TF-IDF with a sublinear tf, the title
 *     counted title_weight times, event-identifying kinds boosted; only the
 *     top_terms heaviest terms are kept, as (term id, weight) pairs sorted by
 *     weight, L2-normalized over the whole vector so a long article with many
 *     terms is not made to look focused by the truncation. That is 8 bytes a
 *     term plus a 32-byte record per document.
 *
 *  3. Clustering (finish, in story_cluster.c, and story_agg.c for the
 *     default agglomeration). Every document is a unit (build_units); copy
 *     clusters are kept whole at the end (join_copies). By default the units
 *     are clustered by average-link agglomeration over a nearest-neighbour
 *     graph of expanded vectors (story_agg.c), then fragments are merged and
 *     misplaced units refined. With opt.online the single pass runs instead:
 *     units are taken in (date, key) order, key being a hash of title and
 *     text; each is compared with the centroids of live stories found
 *     through an inverted index from term to the stories whose members had the
 *     term among their top index_terms. Posting lists keep only the
 *     max_postings most recent stories and only the best-supported candidates
 *     are scored, so a unit costs O(index_terms * max_postings + candidates *
 *     centroid size) whatever the corpus size. A unit joins the best story if
 *     the cosine reaches its length-dependent threshold, else it opens a
 *     story. Finally stories whose centroids are alike are merged (fragments
 *     of one event that started apart), found through the same index.
 */
#include "story/story_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* ---- options ------------------------------------------------------------- */

void doppel_story_options_default(doppel_story_options *o) {
    memset(o, 0, sizeof *o);
    o->language = "english";
    o->threshold = 0.55;
    o->short_threshold = 0.08;
    o->merge_threshold = 0.5;
    o->top_terms = 32;
    o->index_terms = 12;
    o->max_postings = 256;
    o->title_weight = 3.0;
    o->name_boost = 2.0;
    o->date_boost = 2.0;
    o->unit_boost = 2.0;
    o->quote_boost = 1.5;
    o->window_seconds = 5 * 86400;
    o->expansion = 1.0;
}

static doppel_status check_options(const doppel_story_options *o, doppel_error *err) {
    if (!(o->threshold > 0 && o->threshold <= 1))
        return dp_fail(err, DOPPEL_ERR_ARG, "story threshold %g is not in (0, 1]", o->threshold);
    if (!(o->short_threshold > 0 && o->short_threshold <= 1))
        return dp_fail(err, DOPPEL_ERR_ARG, "story short_threshold %g is not in (0, 1]",
                       o->short_threshold);
    if (!(o->merge_threshold > 0 && o->merge_threshold <= 1))
        return dp_fail(err, DOPPEL_ERR_ARG, "story merge_threshold %g is not in (0, 1]",
                       o->merge_threshold);
    if (o->top_terms < 1 || o->top_terms > 4096)
        return dp_fail(err, DOPPEL_ERR_ARG, "story top_terms %u is not in [1, 4096]", o->top_terms);
    if (o->index_terms < 1 || o->index_terms > o->top_terms)
        return dp_fail(err, DOPPEL_ERR_ARG, "story index_terms %u is not in [1, top_terms]",
                       o->index_terms);
    if (o->max_postings < 1)
        return dp_fail(err, DOPPEL_ERR_ARG, "story max_postings must be at least 1");
    if (!(o->title_weight >= 1) || !(o->name_boost > 0) || !(o->date_boost > 0) ||
        !(o->unit_boost > 0) || !(o->quote_boost > 0))
        return dp_fail(err, DOPPEL_ERR_ARG,
                       "story title_weight must be >= 1 and every boost > 0");
    if (!(o->expansion >= 0 && o->expansion <= 100))
        return dp_fail(err, DOPPEL_ERR_ARG, "story expansion %g is not in [0, 100]", o->expansion);
    if (o->window_seconds < 0)
        return dp_fail(err, DOPPEL_ERR_ARG, "story window_seconds must not be negative");
    return DOPPEL_OK;
}

doppel_story *doppel_story_new(const doppel_story_options *opt, doppel_error *err) {
    doppel_story_options def;
    if (!opt) {
        doppel_story_options_default(&def);
        opt = &def;
    }
    if (check_options(opt, err) != DOPPEL_OK) return NULL;
    doppel_story *st = dp_calloc(1, sizeof *st);
    if (!st) {
        dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory creating the story clusterer");
        return NULL;
    }
    st->opt = *opt;
    const char *lang = opt->language ? opt->language : "english";
    st->language = dp_strndup(lang, strlen(lang));
    if (!st->language) {
        doppel_story_free(st);
        dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory creating the story clusterer");
        return NULL;
    }
    st->opt.language = st->language;
    doppel_status s = dp_terms_new(lang, &st->tok);
    if (s != DOPPEL_OK) {
        doppel_story_free(st);
        if (s == DOPPEL_ERR_ARG)
            dp_fail(err, s, "story language \"%s\" has no Snowball stemmer", lang);
        else
            dp_fail(err, s, "out of memory creating the story tokenizer");
        return NULL;
    }
    return st;
}

void doppel_story_free(doppel_story *st) {
    if (!st) return;
    dp_terms_free(st->tok);
    dp_free(st->language, strlen(st->language) + 1);
    dp_free(st->terms, st->termcap * sizeof *st->terms);
    dp_free(st->table, st->tabcap * sizeof *st->table);
    dp_free(st->arena, st->arenacap);
    if (st->slot) dp_free(st->slot, (st->nterms + 1) * sizeof *st->slot);
    dp_free(st->acc, st->acccap * sizeof *st->acc);
    dp_free(st->docs, st->doccap * sizeof *st->docs);
    dp_free(st->pairs, st->paircap * sizeof *st->pairs);
    dp_free(st->doc_of_num, st->numcap * sizeof *st->doc_of_num);
    dp_free(st->order, (st->ndocs + 1) * sizeof *st->order);
    dp_free(st->units, (st->ndocs + 1) * sizeof *st->units);
    dp_story_free_results(st);
    dp_free(st->story_of_unit, (st->ndocs + 1) * sizeof *st->story_of_unit);
    dp_free(st->story_of_doc, (st->ndocs + 1) * sizeof *st->story_of_doc);
    dp_story_free_state(st);
    dp_story_free_forms(st);
    dp_free(st, sizeof *st);
}

/* n elements of size elem from src to a new array of cap elements (*out
 * NULL when cap is 0). 0 or -1. */
static int dup_array(void **out, const void *src, size_t n, size_t cap, size_t elem) {
    *out = NULL;
    if (!cap) return 0;
    if (!(*out = dp_malloc(cap * elem))) return -1;
    if (n) memcpy(*out, src, n * elem);
    return 0;
}

doppel_story *doppel_story_copy(const doppel_story *src, doppel_error *err) {
    if (!src) {
        dp_fail(err, DOPPEL_ERR_ARG, "doppel_story_copy: NULL argument");
        return NULL;
    }
    /* Before the first add only the vocabulary, its surface forms and the
     * state are filled; everything else is per run and still empty. */
    if (src->state != ST_LEARN || src->ndocs || src->slot || src->shown) {
        dp_fail(err, DOPPEL_ERR_STATE, "a story handle can be copied only before doppel_story_add");
        return NULL;
    }
    doppel_story *st = doppel_story_new(&src->opt, err);
    if (!st) return NULL;
    int bad = 0;
    st->nterms = src->nterms;
    st->termcap = src->termcap;
    bad |= dup_array((void **)&st->terms, src->terms, src->nterms, src->termcap, sizeof *st->terms);
    st->tabcap = src->tabcap;
    bad |= dup_array((void **)&st->table, src->table, src->tabcap, src->tabcap, sizeof *st->table);
    st->arenalen = src->arenalen;
    st->arenacap = src->arenacap;
    bad |= dup_array((void **)&st->arena, src->arena, src->arenalen, src->arenacap, 1);
    st->learned = src->learned;
    st->stamp = src->stamp;
    st->nforms = src->nforms;
    st->formcap = src->formcap;
    bad |= dup_array((void **)&st->forms, src->forms, src->nforms, src->formcap, sizeof *st->forms);
    st->formtabcap = src->formtabcap;
    bad |= dup_array((void **)&st->formtab, src->formtab, src->formtabcap, src->formtabcap,
                     sizeof *st->formtab);
    st->form_textlen = src->form_textlen;
    st->form_textcap = src->form_textcap;
    bad |= dup_array((void **)&st->form_text, src->form_text, src->form_textlen,
                     src->form_textcap, 1);
    st->nprev = src->nprev;
    st->prevcap = src->prevcap;
    bad |= dup_array((void **)&st->prev, src->prev, src->nprev, src->prevcap, sizeof *st->prev);
    st->nprev_terms = src->nprev_terms;
    st->prev_termcap = src->prev_termcap;
    bad |= dup_array((void **)&st->prev_terms, src->prev_terms, src->nprev_terms,
                     src->prev_termcap, sizeof *st->prev_terms);
    st->prev_textlen = src->prev_textlen;
    st->prev_textcap = src->prev_textcap;
    bad |= dup_array((void **)&st->prev_text, src->prev_text, src->prev_textlen,
                     src->prev_textcap, 1);
    st->next_id = src->next_id;
    st->state_read = src->state_read;
    st->stats = src->stats;
    if (bad) {
        doppel_story_free(st);
        dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory copying the story clusterer");
        return NULL;
    }
    return st;
}

static doppel_status learn_term(const char *s, size_t len, const char *form, size_t form_len,
                                unsigned flags, void *user) {
    doppel_story *st = user;
    uint32_t id;
    doppel_status r = dp_story_intern(st, s, len, &id);
    if (r) return r;
    term_entry *e = &st->terms[id];
    if (form_len) {
        /* a word the stemmer left as it was (about half of them) is not
         * looked up: the term's other words are subtracted from its count */
        if (e->words < UINT32_MAX) e->words++;
        if ((form_len != len - 1 || memcmp(form, s + 1, form_len) != 0) &&
            (r = dp_story_count_form(st, id, form, form_len)))
            return r;
        e = &st->terms[id];
    }
    if (e->stamp != st->stamp) {
        e->stamp = st->stamp;
        e->df++;
    }
    if ((flags & DP_TF_CASED) && e->cased < UINT32_MAX) {
        e->cased++;
        e->capped += (flags & DP_TF_NAME) != 0;
    }
    return DOPPEL_OK;
}

doppel_status doppel_story_learn(doppel_story *st, const char *title, size_t title_len,
                                 const char *text, size_t text_len, doppel_error *err) {
    if (!st || (!title && title_len) || (!text && text_len))
        return dp_fail(err, DOPPEL_ERR_ARG, "doppel_story_learn: NULL argument");
    if (st->state != ST_LEARN)
        return dp_fail(err, DOPPEL_ERR_STATE,
                       "doppel_story_learn after the first doppel_story_add");
    if (st->learned >= UINT32_MAX - 1)
        return dp_fail(err, DOPPEL_ERR_LIMIT, "story: more than 2^32-2 learned documents");
    st->stamp = (uint32_t)st->learned + 1;
    doppel_status r = DOPPEL_OK;
    if (title_len) r = dp_terms_scan(st->tok, title, title_len, 1, learn_term, st);
    if (!r && text_len) r = dp_terms_scan(st->tok, text, text_len, 0, learn_term, st);
    if (r) return dp_fail(err, r, "story: %s while learning document frequencies",
                          doppel_strerror(r));
    st->learned++;
    return DOPPEL_OK;
}

/* ---- document vectors ---------------------------------------------------- */

static doppel_status add_term(const char *s, size_t len, const char *form, size_t form_len,
                              unsigned flags, void *user) {
    (void)form;
    (void)form_len;
    doppel_story *st = user;
    uint32_t id = dp_story_lookup(st, s, len, XXH64(s, len, 0));
    if (id == UINT32_MAX || st->terms[id].df < 2) return DOPPEL_OK;
    term_entry *e = &st->terms[id];
    acc_entry *a;
    if (e->stamp != st->stamp) {
        if (dp_grow((void **)&st->acc, &st->acccap, st->nacc + 1, sizeof *st->acc))
            return DOPPEL_ERR_NOMEM;
        e->stamp = st->stamp;
        st->slot[id] = (uint32_t)st->nacc;
        a = &st->acc[st->nacc++];
        a->term = id;
        a->body = a->title = 0;
        a->flags = 0;
    } else {
        a = &st->acc[st->slot[id]];
    }
    if (flags & DP_TF_TITLE) a->title += 1;
    else a->body += 1;
    a->flags |= flags;
    return DOPPEL_OK;
}

static double boost(const doppel_story *st, uint32_t id, unsigned flags) {
    switch (term_str(st, id)[0]) {
    case DP_TERM_NAME: return st->opt.name_boost;
    case DP_TERM_DATE: return st->opt.date_boost;
    case DP_TERM_UNIT: return st->opt.unit_boost;
    case DP_TERM_QUOTE: return st->opt.quote_boost;
    default: break;
    }
    /* Is the word a name? Where the corpus shows it in places where case is
     * evidence, the majority decides: a headline in Title Case or a sentence
     * that starts with the name still gets it, and "Will" at the start of a
     * sentence does not make "will" a name. Otherwise this occurrence decides. */
    const term_entry *e = &st->terms[id];
    int name = e->cased >= 2 ? e->capped * 2 > e->cased : (flags & DP_TF_NAME) != 0;
    return name ? st->opt.name_boost : 1.0;
}

doppel_status doppel_story_add(doppel_story *st, uint32_t docnum, const char *title,
                               size_t title_len, const char *text, size_t text_len,
                               int64_t date, uint32_t copy_cluster, doppel_error *err) {
    if (!st || (!title && title_len) || (!text && text_len) || docnum == UINT32_MAX)
        return dp_fail(err, DOPPEL_ERR_ARG, "doppel_story_add: invalid argument");
    if (st->state == ST_DONE)
        return dp_fail(err, DOPPEL_ERR_STATE, "doppel_story_add after doppel_story_finish");
    if (st->state == ST_LEARN) {
        if (st->learned == 0)
            return dp_fail(err, DOPPEL_ERR_STATE,
                           "doppel_story_add before any doppel_story_learn");
        if (dp_story_freeze_terms(st)) return dp_fail(err, DOPPEL_ERR_NOMEM, "story: out of memory");
        st->state = ST_ADD;
    }
    if (st->ndocs >= UINT32_MAX - 1)
        return dp_fail(err, DOPPEL_ERR_LIMIT, "story: more than 2^32-2 documents");
    if (docnum >= st->numcap) {
        size_t old = st->numcap;
        if (dp_grow((void **)&st->doc_of_num, &st->numcap, (size_t)docnum + 1,
                    sizeof *st->doc_of_num))
            return dp_fail(err, DOPPEL_ERR_NOMEM, "story: out of memory");
        memset(st->doc_of_num + old, 0, (st->numcap - old) * sizeof *st->doc_of_num);
    }
    if (st->doc_of_num[docnum])
        return dp_fail(err, DOPPEL_ERR_ARG, "story: document %u added twice", docnum);

    st->stamp++;
    st->nacc = 0;
    doppel_status r = DOPPEL_OK;
    if (title_len) r = dp_terms_scan(st->tok, title, title_len, 1, add_term, st);
    if (!r && text_len) r = dp_terms_scan(st->tok, text, text_len, 0, add_term, st);
    if (r) return dp_fail(err, r, "story: %s in document %u", doppel_strerror(r), docnum);

    size_t k = st->opt.top_terms;
    /* + 1: a document without terms (nacc 0) added first would leave pairs
     * NULL, and NULL + 0 below is undefined behaviour (found by fuzz_story) */
    if (dp_grow((void **)&st->pairs, &st->paircap, st->npairs + st->nacc + 1, sizeof *st->pairs) ||
        dp_grow((void **)&st->docs, &st->doccap, st->ndocs + 1, sizeof *st->docs))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "story: out of memory");
    if (st->npairs + k > UINT32_MAX)
        return dp_fail(err, DOPPEL_ERR_LIMIT, "story: too many document terms");

    /* TF-IDF with sublinear tf: the tenth mention of a word says much less
     * than the first. The idf is smoothed, log(1 + N/df) rather than
     * log(N/df): the same for rare terms of a large corpus, but in a corpus
     * of five documents a name in four of them (the event's protagonist)
     * keeps weight log 1.25 instead of 0.22, and a name in all five is not
     * dropped; unsmoothed, the terms two documents happen to share
     * dominate every vector of a tiny corpus. Weights go straight into the pair pool; only the
     * heaviest k stay. */
    double n_docs = (double)st->learned, norm2 = 0;
    pair *v = st->pairs + st->npairs;
    size_t nv = 0;
    for (size_t i = 0; i < st->nacc; i++) {
        const acc_entry *a = &st->acc[i];
        double idf = log(1 + n_docs / st->terms[a->term].df);
        double tf = a->body + st->opt.title_weight * a->title;
        double w = (1 + log(tf)) * idf * boost(st, a->term, a->flags);
        norm2 += w * w;
        v[nv].term = a->term;
        v[nv].w = (float)w;
        nv++;
    }
    nv = dp_story_keep_heaviest(v, nv, k);
    if (nv > 1) qsort(v, nv, sizeof *v, dp_story_cmp_pair_weight);
    double inv = norm2 > 0 ? 1 / sqrt(norm2) : 0;
    for (size_t i = 0; i < nv; i++) v[i].w = (float)(v[i].w * inv);

    sdoc *d = &st->docs[st->ndocs];
    d->docnum = docnum;
    d->copy = copy_cluster;
    d->date = date;
    uint64_t h = XXH64(title ? title : "", title_len, 0x5eed);
    d->key = XXH64(text ? text : "", text_len, h);
    d->off = (uint32_t)st->npairs;
    d->n = (uint32_t)nv;
    st->npairs += nv;
    st->doc_of_num[docnum] = (uint32_t)++st->ndocs;
    return DOPPEL_OK;
}

/* ---- queries ------------------------------------------------------------- */

uint32_t doppel_story_of(const doppel_story *st, uint32_t docnum) {
    if (!st || st->state != ST_DONE || docnum >= st->numcap || !st->doc_of_num[docnum])
        return DOPPEL_STORY_NONE;
    return st->story_of_doc[st->doc_of_num[docnum] - 1];
}

uint32_t doppel_story_count(const doppel_story *st) {
    return st && st->state == ST_DONE ? st->nfinal : 0;
}

doppel_status doppel_story_get_info(const doppel_story *st, uint32_t story,
                                    doppel_story_info *out) {
    if (!st || !out) return DOPPEL_ERR_ARG;
    if (st->state != ST_DONE) return DOPPEL_ERR_STATE;
    if (story >= st->nfinal) return DOPPEL_ERR_ARG;
    memset(out, 0, sizeof *out);
    const story_rec *s = &st->stories[story];
    out->id = st->story_id ? st->story_id[story] : story;
    if (st->story_prev && st->story_prev[story] != UINT32_MAX)
        out->earlier_docs = st->prev[st->story_prev[story]].docs;
    out->first_date = s->first;
    out->last_date = s->last;
    out->copies = s->copies;
    out->size = s->units;
    out->num_terms = DP_MIN(s->n, DOPPEL_STORY_TOP_TERMS);
    for (unsigned i = 0; i < out->num_terms; i++) out->terms[i] = dp_story_term_text(st, s->c[i].term);
    return DOPPEL_OK;
}

void doppel_story_get_stats(const doppel_story *st, doppel_story_stats *out) {
    memset(out, 0, sizeof *out);
    if (!st) return;
    *out = st->stats;
    out->learned_docs = st->learned;
    out->docs = st->ndocs;
    out->vocabulary = st->nterms;
    out->memory_bytes = dp_mem_in_use();
    out->peak_memory_bytes = dp_mem_peak();
    out->doc_bytes = st->doccap * sizeof *st->docs + st->paircap * sizeof *st->pairs +
                     st->numcap * sizeof *st->doc_of_num;
}
