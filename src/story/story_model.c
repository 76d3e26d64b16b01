/*
 * story_model.c — the story level's document frequencies saved and loaded,
 * so that a small batch of new articles is weighted by what a large corpus
 * learned (a day's news alone says little about which words are common),
 * and so that the counts can grow batch after batch.
 *
 * The model is text, one line each, tab-separated:
 *
 *     doppel-story-model	1
 *     language	english
 *     documents	N
 *     terms	T
 *     DF	CASED	CAPPED	TERM        (T lines)
 *
 * TERM is the tokenizer's string (its first byte the kind: w, n, u, d, q),
 * never holding a tab or a newline. Terms are written by decreasing DF, then
 * in byte order, so the same counts always give the same file. Loading adds
 * the counts to the handle's, exactly as if the model's documents had been
 * learned there: N/DF, and so every weight, is then what learning all of
 * them in one handle gives.
 *
 * Also the reading of a story state (a model followed by stories, see
 * below); linking to its stories and writing it are in story_link.c.
 */
#include "story/story_impl.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MODEL_MAGIC "doppel-story-model"
#define MODEL_VERSION 1

static int cmp_rank(const void *a, const void *b, void *ctx) {
    const doppel_story *st = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (st->terms[x].df != st->terms[y].df) return st->terms[x].df > st->terms[y].df ? -1 : 1;
    return strcmp(term_str(st, x), term_str(st, y));
}

doppel_status doppel_story_write_model(const doppel_story *st, FILE *fp, doppel_error *err) {
    if (!st || !fp) return dp_fail(err, DOPPEL_ERR_ARG, "doppel_story_write_model: NULL argument");
    uint32_t *order = st->nterms ? dp_malloc(st->nterms * sizeof *order) : NULL;
    if (st->nterms && !order) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory writing the model");
    size_t n = 0;
    for (size_t i = 0; i < st->nterms; i++)
        if (st->terms[i].df) order[n++] = (uint32_t)i;
    if (n > 1) qsort_r(order, n, sizeof *order, cmp_rank, (void *)st);
    fprintf(fp, "%s\t%d\nlanguage\t%s\ndocuments\t%" PRIu64 "\nterms\t%zu\n", MODEL_MAGIC,
            MODEL_VERSION, st->language, st->learned, n);
    for (size_t k = 0; k < n; k++) {
        const term_entry *e = &st->terms[order[k]];
        fprintf(fp, "%" PRIu32 "\t%" PRIu32 "\t%" PRIu32 "\t%s\n", e->df, e->cased, e->capped,
                term_str(st, order[k]));
    }
    dp_free(order, st->nterms * sizeof *order);
    if (ferror(fp)) return dp_fail(err, DOPPEL_ERR_IO, "writing the story model failed");
    return DOPPEL_OK;
}

/* ---- reading ------------------------------------------------------------- */

typedef struct model_reader {
    FILE *fp;
    const char *name;
    uint64_t line;
    char buf[4 + 3 * 21 + DP_TERM_MAX + 64];
} model_reader;

/* The next line without its newline; 0 at the end of the file. A line too
 * long for any model line is an error (*too_long). */
static int next_line(model_reader *r, int *too_long) {
    *too_long = 0;
    if (!fgets(r->buf, sizeof r->buf, r->fp)) return 0;
    r->line++;
    size_t len = strlen(r->buf);
    if (len && r->buf[len - 1] == '\n') r->buf[--len] = '\0';
    else if (!feof(r->fp)) *too_long = 1;
    return 1;
}

static doppel_status bad(model_reader *r, doppel_error *err, const char *what) {
    return dp_fail(err, DOPPEL_ERR_FORMAT, "%s:%" PRIu64 ": %s", r->name, r->line, what);
}

/* A decimal number ending at a tab (or at the end of the line when last);
 * advances *p past it and its tab. */
static int number(char **p, int last, uint64_t *v) {
    char *s = *p, *end;
    if (*s < '0' || *s > '9') return 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (last ? *end != '\0' : *end != '\t') return 0;
    *v = x;
    *p = last ? end : end + 1;
    return 1;
}

/* The header line "key<TAB>value"; value points into r->buf. */
static doppel_status header(model_reader *r, const char *key, char **value, doppel_error *err) {
    int too_long;
    if (!next_line(r, &too_long)) return bad(r, err, "the model ends in its header");
    size_t k = strlen(key);
    if (too_long || strncmp(r->buf, key, k) || r->buf[k] != '\t') {
        char what[64];
        snprintf(what, sizeof what, "expected the \"%s\" line", key);
        return bad(r, err, what);
    }
    *value = r->buf + k + 1;
    return DOPPEL_OK;
}

/* The term lines, held until the whole file has been checked, so that a bad
 * model leaves the handle's counts as they were. */
typedef struct pending {
    char *text;
    size_t len, cap;
    struct pending_term { size_t off, len; uint64_t df, cased, capped, line; } *t;
    size_t n, tcap;
} pending;

static void pending_free(pending *p) {
    dp_free(p->text, p->cap);
    dp_free(p->t, p->tcap * sizeof *p->t);
}

static int cmp_text(const void *a, const void *b, void *ctx) {
    const pending *p = ctx;
    const struct pending_term *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(p->text + x->off, p->text + y->off, n);
    if (c) return c;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* A term listed twice would add its counts twice: DF could then exceed the
 * document count, and the model written afterwards would be refused. */
static doppel_status no_repeats(model_reader *r, pending *p, doppel_error *err) {
    if (p->n < 2) return DOPPEL_OK;
    qsort_r(p->t, p->n, sizeof *p->t, cmp_text, p);
    for (size_t k = 1; k < p->n; k++) {
        const struct pending_term *a = &p->t[k - 1], *b = &p->t[k];
        if (a->len == b->len && !memcmp(p->text + a->off, p->text + b->off, a->len))
            return dp_fail(err, DOPPEL_ERR_FORMAT,
                           "%s:%" PRIu64 ": the term on line %" PRIu64 " is listed again",
                           r->name, b->line, a->line);
    }
    return DOPPEL_OK;
}

/* Read and check the terms lines after the header: exactly `terms` of them. */
static doppel_status read_terms(model_reader *r, uint64_t docs, uint64_t terms, pending *p,
                                doppel_error *err) {
    int too_long;
    while (p->n < terms && next_line(r, &too_long)) {
        if (too_long) return bad(r, err, "line too long for a term");
        char *q = r->buf;
        uint64_t df, cased, capped;
        if (!number(&q, 0, &df) || !number(&q, 0, &cased) || !number(&q, 0, &capped))
            return bad(r, err, "expected DF, CASED and CAPPED counts");
        size_t len = strlen(q);
        if (!len || len > DP_TERM_MAX || strchr(q, '\t'))
            return bad(r, err, "expected a term after the counts");
        if (df == 0 || df > docs || capped > cased)
            return bad(r, err, "counts out of range (DF from 1 to the document count, "
                               "CAPPED at most CASED)");
        if (dp_grow((void **)&p->text, &p->cap, p->len + len, 1) ||
            dp_grow((void **)&p->t, &p->tcap, p->n + 1, sizeof *p->t))
            return dp_fail(err, DOPPEL_ERR_NOMEM, "%s: out of memory reading the model",
                           r->name);
        memcpy(p->text + p->len, q, len);
        p->t[p->n++] = (struct pending_term){p->len, len, df, cased, capped, r->line};
        p->len += len;
    }
    if (ferror(r->fp)) return dp_fail(err, DOPPEL_ERR_IO, "%s: reading the model failed", r->name);
    if (p->n != terms)
        return dp_fail(err, DOPPEL_ERR_FORMAT,
                       "%s: %zu terms where the header says %" PRIu64 " (the file is cut short)",
                       r->name, p->n, terms);
    return no_repeats(r, p, err);
}

/* The model from its magic line through its last term, held in *p. */
static doppel_status parse_model(model_reader *r, const doppel_story *st, pending *p,
                                 uint64_t *docs, doppel_error *err) {
    char *v;
    uint64_t terms;
    uint64_t first = r->line;
    doppel_status s = header(r, MODEL_MAGIC, &v, err);
    if (s == DOPPEL_ERR_FORMAT && r->line <= first + 1)
        return dp_fail(err, DOPPEL_ERR_FORMAT, "%s: not a doppel story model", r->name);
    if (s) return s;
    if (strcmp(v, "1"))
        return dp_fail(err, DOPPEL_ERR_FORMAT, "%s: story model version %s, this doppel reads %d",
                       r->name, v, MODEL_VERSION);
    if ((s = header(r, "language", &v, err))) return s;
    if (strcmp(v, st->language))
        return dp_fail(err, DOPPEL_ERR_ARG,
                       "%s: the model's terms are stemmed for %s, this clusterer's for %s",
                       r->name, v, st->language);
    if ((s = header(r, "documents", &v, err))) return s;
    if (!number(&v, 1, docs)) return bad(r, err, "the document count is not a number");
    if (*docs > UINT32_MAX - 1 - st->learned)
        return dp_fail(err, DOPPEL_ERR_LIMIT, "%s: more than 2^32-2 learned documents", r->name);
    if ((s = header(r, "terms", &v, err))) return s;
    if (!number(&v, 1, &terms)) return bad(r, err, "the term count is not a number");
    return read_terms(r, *docs, terms, p, err);
}

static doppel_status apply_model(doppel_story *st, const model_reader *r, const pending *p,
                                 uint64_t docs, doppel_error *err) {
    for (size_t k = 0; k < p->n; k++) {
        const struct pending_term *t = &p->t[k];
        doppel_status s = dp_story_count_term(st, p->text + t->off, t->len, t->df, t->cased,
                                              t->capped);
        if (s) return dp_fail(err, s, "%s: %s while adding the model's counts", r->name,
                              doppel_strerror(s));
    }
    st->learned += docs;
    return DOPPEL_OK;
}

/* Nothing may follow what the header announced. */
static doppel_status at_end(model_reader *r, const char *what, doppel_error *err) {
    int too_long;
    if (next_line(r, &too_long)) return bad(r, err, what);
    if (ferror(r->fp)) return dp_fail(err, DOPPEL_ERR_IO, "%s: reading failed", r->name);
    return DOPPEL_OK;
}

doppel_status doppel_story_read_model(doppel_story *st, FILE *fp, const char *name,
                                      doppel_error *err) {
    if (!st || !fp) return dp_fail(err, DOPPEL_ERR_ARG, "doppel_story_read_model: NULL argument");
    if (st->state != ST_LEARN)
        return dp_fail(err, DOPPEL_ERR_STATE, "a story model must be read before doppel_story_add");
    model_reader r = {.fp = fp, .name = name ? name : "story model"};
    pending p = {0};
    uint64_t docs = 0;
    doppel_status s = parse_model(&r, st, &p, &docs, err);
    if (!s) s = at_end(&r, "more lines than the header's term count", err);
    if (!s) s = apply_model(st, &r, &p, docs, err);
    pending_free(&p);
    return s;
}

/* ---- story state ------------------------------------------------------------
 *
 * A state is a model followed by the stories alive after a run:
 *
 *     doppel-story-state	1
 *     doppel-story-model	1          (the model, as above)
 *     ...
 *     next-id	N
 *     stories	S
 *     story	ID	FIRST	LAST	DOCS	K    (S times; FIRST, LAST: seconds or -)
 *     WEIGHT	TERM                        (K lines, heaviest first)
 *
 * A story's terms must be terms of the model: its centroid was made of them.
 */

#define STATE_MAGIC "doppel-story-state"
#define STATE_VERSION 1
/* More terms than any centroid has (2 x top_terms) by far: a bound, so a
 * broken count cannot make the reader allocate without limit. */
#define STATE_MAX_TERMS 65536

/* A date field: seconds since the epoch, or "-" for none. */
static int date_field(char **p, int last, int64_t *v) {
    char *q = *p;
    if (q[0] == '-' && (last ? q[1] == '\0' : q[1] == '\t')) {
        *v = DOPPEL_NO_DATE;
        *p = last ? q + 1 : q + 2;
        return 1;
    }
    char *end;
    int neg = *q == '-';
    if (neg) q++;
    if (*q < '0' || *q > '9') return 0;
    unsigned long long x = strtoull(q, &end, 10);
    if ((last ? *end != '\0' : *end != '\t') || x > INT64_MAX) return 0;
    *v = neg ? -(int64_t)x : (int64_t)x;
    if (*v == DOPPEL_NO_DATE) return 0;
    *p = last ? end : end + 1;
    return 1;
}

/* Is text[0..len) a term of the model? p->t is sorted by text (no_repeats). */
static int in_model(const pending *p, const char *text, size_t len) {
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const struct pending_term *t = &p->t[mid];
        size_t n = t->len < len ? t->len : len;
        int c = memcmp(p->text + t->off, text, n);
        if (!c) c = t->len < len ? -1 : t->len > len;
        if (!c) return 1;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

/* The story lines, into *into (a scratch handle's state arrays). */
static doppel_status read_stories(model_reader *r, const pending *model, doppel_story *into,
                                  doppel_error *err) {
    char *v;
    uint64_t nstories;
    doppel_status s = header(r, "next-id", &v, err);
    if (s) return s;
    if (!number(&v, 1, &into->next_id)) return bad(r, err, "the next id is not a number");
    if ((s = header(r, "stories", &v, err))) return s;
    if (!number(&v, 1, &nstories)) return bad(r, err, "the story count is not a number");
    for (uint64_t k = 0; k < nstories; k++) {
        uint64_t id, docs, nterms;
        prev_story ps = {0};
        if ((s = header(r, "story", &v, err))) return s;
        if (!number(&v, 0, &id) || !date_field(&v, 0, &ps.first) || !date_field(&v, 0, &ps.last) ||
            !number(&v, 0, &docs) || !number(&v, 1, &nterms))
            return bad(r, err, "expected story ID FIRST LAST DOCS TERMS");
        if (id >= into->next_id || docs == 0 || nterms > STATE_MAX_TERMS ||
            (ps.first == DOPPEL_NO_DATE) != (ps.last == DOPPEL_NO_DATE) || ps.first > ps.last)
            return bad(r, err, "story out of range (ID below next-id, DOCS above 0, "
                               "FIRST and LAST both dates in order or both -)");
        if (into->nprev && id <= into->prev[into->nprev - 1].id)
            return bad(r, err, "story ids must increase");
        ps.id = id;
        ps.docs = docs;
        ps.off = (uint32_t)into->nprev_terms;
        ps.n = (uint32_t)nterms;
        ps.linked = UINT32_MAX;
        if (dp_grow((void **)&into->prev, &into->prevcap, into->nprev + 1, sizeof *into->prev))
            return DOPPEL_ERR_NOMEM;
        into->prev[into->nprev++] = ps;
        for (uint64_t i = 0; i < nterms; i++) {
            int too_long;
            if (!next_line(r, &too_long)) return bad(r, err, "the story's terms are cut short");
            char *q = r->buf, *end;
            double w = strtod(q, &end);
            /* kept as a float: a weight that rounds to 0 there (5e-76) would
             * be written back as 0 and refused by the next run */
            if (too_long || end == q || *end != '\t' || !((float)w > 0) || w > 1e30)
                return bad(r, err, "expected WEIGHT (above 0) and TERM");
            q = end + 1;
            size_t len = strlen(q);
            if (!in_model(model, q, len)) return bad(r, err, "a story term the model lacks");
            if (into->prev_textlen + len > UINT32_MAX ||
                dp_grow((void **)&into->prev_text, &into->prev_textcap, into->prev_textlen + len, 1) ||
                dp_grow((void **)&into->prev_terms, &into->prev_termcap, into->nprev_terms + 1,
                        sizeof *into->prev_terms))
                return DOPPEL_ERR_NOMEM;
            memcpy(into->prev_text + into->prev_textlen, q, len);
            into->prev_terms[into->nprev_terms++] =
                (prev_term){(uint32_t)into->prev_textlen, (uint32_t)len, UINT32_MAX, (float)w};
            into->prev_textlen += len;
        }
    }
    return at_end(r, "more lines than the header's story count", err);
}

doppel_status doppel_story_read_state(doppel_story *st, FILE *fp, const char *name,
                                      doppel_error *err) {
    if (!st || !fp) return dp_fail(err, DOPPEL_ERR_ARG, "doppel_story_read_state: NULL argument");
    if (st->state != ST_LEARN)
        return dp_fail(err, DOPPEL_ERR_STATE, "a story state must be read before doppel_story_add");
    if (st->state_read)
        return dp_fail(err, DOPPEL_ERR_STATE, "a story state was read already");
    model_reader r = {.fp = fp, .name = name ? name : "story state"};
    char *v;
    doppel_status s = header(&r, STATE_MAGIC, &v, err);
    if (s == DOPPEL_ERR_FORMAT) return dp_fail(err, s, "%s: not a doppel story state", r.name);
    if (s) return s;
    if (strcmp(v, "1"))
        return dp_fail(err, DOPPEL_ERR_FORMAT, "%s: story state version %s, this doppel reads %d",
                       r.name, v, STATE_VERSION);
    pending p = {0};
    uint64_t docs = 0;
    doppel_story scratch = {0}; /* only its state arrays are used */
    s = parse_model(&r, st, &p, &docs, err);
    if (!s) {
        s = read_stories(&r, &p, &scratch, err);
        if (s == DOPPEL_ERR_NOMEM)
            dp_fail(err, s, "%s: out of memory reading the stories", r.name);
    }
    if (!s) s = apply_model(st, &r, &p, docs, err);
    if (!s) {
        st->prev = scratch.prev;
        st->nprev = scratch.nprev;
        st->prevcap = scratch.prevcap;
        st->prev_terms = scratch.prev_terms;
        st->nprev_terms = scratch.nprev_terms;
        st->prev_termcap = scratch.prev_termcap;
        st->prev_text = scratch.prev_text;
        st->prev_textlen = scratch.prev_textlen;
        st->prev_textcap = scratch.prev_textcap;
        st->next_id = scratch.next_id;
        st->state_read = 1;
    } else {
        dp_story_free_state(&scratch);
    }
    pending_free(&p);
    return s;
}

/* ---- the state written for the next run --------------------------------- */

/* What one saved story line needs, from this run, an earlier run or both. */
typedef struct saved {
    uint64_t id;
    uint32_t story, prev; /* UINT32_MAX: none */
} saved;

void dp_story_free_state(doppel_story *st) {
    dp_free(st->prev, st->prevcap * sizeof *st->prev);
    dp_free(st->prev_terms, st->prev_termcap * sizeof *st->prev_terms);
    dp_free(st->prev_text, st->prev_textcap);
    if (st->story_id) dp_free(st->story_id, ((size_t)st->nfinal + 1) * sizeof *st->story_id);
    if (st->story_prev)
        dp_free(st->story_prev, ((size_t)st->nfinal + 1) * sizeof *st->story_prev);
    st->prev = NULL;
    st->prev_terms = NULL;
    st->prev_text = NULL;
    st->story_id = NULL;
    st->story_prev = NULL;
    st->nprev = st->prevcap = st->nprev_terms = st->prev_termcap = 0;
    st->prev_textlen = st->prev_textcap = 0;
}

static int cmp_saved(const void *a, const void *b) {
    const saved *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void put_date(FILE *fp, int64_t d) {
    if (d == DOPPEL_NO_DATE) fputs("\t-", fp);
    else fprintf(fp, "\t%" PRId64, d);
}

static int64_t earliest(int64_t a, int64_t b) {
    return a == DOPPEL_NO_DATE ? b : b == DOPPEL_NO_DATE || a < b ? a : b;
}

static int64_t latest(int64_t a, int64_t b) {
    return a == DOPPEL_NO_DATE ? b : b == DOPPEL_NO_DATE || a > b ? a : b;
}

/* The centroid of one saved story: this run's, the earlier one's, or their
 * sum, cut to its 2 x top_terms heaviest terms. The weights of the two runs
 * come from different document frequencies; both are sums of unit vectors,
 * so the sum weighs each story by its documents, as one run would. */
static size_t saved_terms(const doppel_story *st, const saved *sv, pair *buf) {
    size_t k = 0;
    const story_rec *r = sv->story != UINT32_MAX ? &st->stories[sv->story] : NULL;
    if (r)
        for (uint32_t i = 0; i < r->n; i++) buf[k++] = r->c[i];
    if (sv->prev != UINT32_MAX) {
        const prev_story *p = &st->prev[sv->prev];
        for (uint32_t i = 0; i < p->n; i++) {
            const prev_term *pt = &st->prev_terms[p->off + i];
            size_t j = 0;
            while (j < (r ? r->n : 0) && buf[j].term != pt->term) j++;
            if (r && j < r->n) buf[j].w += pt->w;
            else buf[k++] = (pair){pt->term, pt->w};
        }
    }
    size_t keep = (size_t)st->opt.top_terms * 2;
    if (k > 1) qsort(buf, k, sizeof *buf, dp_story_cmp_pair_weight);
    return k < keep ? k : keep;
}

doppel_status doppel_story_write_state(const doppel_story *st, FILE *fp, doppel_error *err) {
    if (!st || !fp) return dp_fail(err, DOPPEL_ERR_ARG, "doppel_story_write_state: NULL argument");
    if (st->state != ST_DONE || !st->opt.keep_state)
        return dp_fail(err, DOPPEL_ERR_STATE,
                       "doppel_story_write_state needs a finished handle made with keep_state");
    int64_t newest = DOPPEL_NO_DATE;
    for (uint32_t s = 0; s < st->nfinal; s++) newest = latest(newest, st->stories[s].last);
    for (size_t pi = 0; pi < st->nprev; pi++) newest = latest(newest, st->prev[pi].last);
    size_t nsaved = 0, cap = (size_t)st->nfinal + st->nprev + 1;
    saved *sv = dp_malloc(cap * sizeof *sv);
    size_t bufcap = 0;
    for (uint32_t s = 0; s < st->nfinal; s++)
        bufcap = DP_MAX(bufcap, (size_t)st->stories[s].n);
    for (size_t pi = 0; pi < st->nprev; pi++) bufcap = DP_MAX(bufcap, (size_t)st->prev[pi].n);
    bufcap = 2 * bufcap + 1;
    pair *buf = dp_malloc(bufcap * sizeof *buf);
    if (!sv || !buf) {
        dp_free(sv, cap * sizeof *sv);
        dp_free(buf, bufcap * sizeof *buf);
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory writing the story state");
    }
    for (uint32_t s = 0; s < st->nfinal; s++)
        sv[nsaved++] = (saved){st->story_id[s], s, st->story_prev[s]};
    for (size_t pi = 0; pi < st->nprev; pi++) {
        const prev_story *p = &st->prev[pi];
        if (p->linked != UINT32_MAX) continue;
        if (st->opt.window_seconds > 0 && p->last != DOPPEL_NO_DATE && newest != DOPPEL_NO_DATE &&
            p->last < newest - st->opt.window_seconds)
            continue; /* aged out */
        sv[nsaved++] = (saved){p->id, UINT32_MAX, (uint32_t)pi};
    }
    if (nsaved > 1) qsort(sv, nsaved, sizeof *sv, cmp_saved);

    fputs("doppel-story-state\t1\n", fp);
    doppel_status rc = doppel_story_write_model(st, fp, err);
    if (!rc) {
        fprintf(fp, "next-id\t%" PRIu64 "\nstories\t%zu\n", st->next_id, nsaved);
        for (size_t k = 0; k < nsaved; k++) {
            const story_rec *r = sv[k].story != UINT32_MAX ? &st->stories[sv[k].story] : NULL;
            const prev_story *p = sv[k].prev != UINT32_MAX ? &st->prev[sv[k].prev] : NULL;
            int64_t first = earliest(r ? r->first : DOPPEL_NO_DATE, p ? p->first : DOPPEL_NO_DATE);
            int64_t last = latest(r ? r->last : DOPPEL_NO_DATE, p ? p->last : DOPPEL_NO_DATE);
            uint64_t docs = (r ? r->units : 0) + (p ? p->docs : 0);
            size_t n = saved_terms(st, &sv[k], buf);
            fprintf(fp, "story\t%" PRIu64, sv[k].id);
            put_date(fp, first);
            put_date(fp, last);
            fprintf(fp, "\t%" PRIu64 "\t%zu\n", docs, n);
            for (size_t i = 0; i < n; i++)
                fprintf(fp, "%.9g\t%s\n", (double)buf[i].w, term_str(st, buf[i].term));
        }
    }
    dp_free(sv, cap * sizeof *sv);
    dp_free(buf, bufcap * sizeof *buf);
    if (!rc && ferror(fp)) rc = dp_fail(err, DOPPEL_ERR_IO, "writing the story state failed");
    return rc;
}
