/*
 * synth_reuse.c — text reuse that is not a copy, for the synthetic corpus:
 *
 *   derived  a rewrite of an original, as a newspaper rewrites wire copy: a
 *            new headline; sentences dropped, trimmed, merged with the next
 *            one or swapped with it; a share of words replaced (the drawn
 *            amount, rewrite_min..rewrite_max) and a few deleted; sentences
 *            of local colour added. Word 5-gram containment in the source
 *            ends near 0.1-0.4, 3-gram containment near 0.25-0.55, as in
 *            real rewrites of agency copy.
 *   partial  a new article (its own original text) with one to three
 *            consecutive paragraphs of the source inside it.
 *   quote    a new article quoting one passage of quote_min_words ..
 *            quote_max_words consecutive sentences of the source.
 *   shared   a new article carrying one of shared_paragraphs boilerplate
 *            paragraphs (a disclaimer, an "about us" block) that many
 *            documents of the corpus carry.
 *
 * None of them is a copy: each is its own gold cluster. derived and partial
 * are what the `derived` and `partial` relations should report; quote and
 * shared are the negatives a copy detector must not join, however many
 * words they share.
 */
#include "eval/synth_impl.h"

/* Purpose of the stream that writes shared paragraph k (see synth.c's list). */
#define P_SHARED_PARAGRAPH 0x5A4ED

/* Sentences of text[off, off + len) into g->order: sentence k starts at
 * order[k] and ends before order[k + 1] (trailing spaces and its period
 * excluded by sentence_end); a sentence ends at ". " or ".\n". */
static size_t split_sentences(synth *g, const char *s, size_t off, size_t len) {
    size_t n = 0, end = off + len, i = off;
    while (i < end) {
        if (n + 1 >= g->order_cap &&
            dp_grow((void **)&g->order, &g->order_cap, n + 2, sizeof *g->order)) {
            g->st = DOPPEL_ERR_NOMEM;
            return 0;
        }
        g->order[n++] = i;
        while (i < end && !(s[i] == '.' && (i + 1 == end || s[i + 1] == ' ' || s[i + 1] == '\n')))
            i++;
        i++;
        while (i < end && (s[i] == ' ' || s[i] == '\n')) i++;
    }
    g->order[n] = end;
    return n;
}

/* End of sentence k: before its period and the spaces after it. */
static size_t sentence_end(const synth *g, const char *s, size_t k) {
    size_t from = g->order[k], to = g->order[k + 1];
    while (to > from && (s[to - 1] == ' ' || s[to - 1] == '\n' || s[to - 1] == '.')) to--;
    return to;
}

/* Write one sentence, rewritten: words replaced at rate, a few deleted, the
 * tail sometimes trimmed; ends with '.' unless merge (then ", and"). */
static void rewrite_sentence(synth *g, doppel_buf *o, const char *s, size_t len, uint32_t topic,
                             double rate, int merge, int first_cap) {
    size_t words = 0;
    for (size_t i = 0; i < len; i++) words += (i == 0 || s[i - 1] == ' ') && s[i] != ' ';
    size_t keep = words;
    if (words > 8 && rng_chance(&g->r, 0.2)) keep = words * (6 + rng_below(&g->r, 3)) / 10;
    size_t w = 0, i = 0;
    g->cap_next = first_cap;
    while (i < len && w < keep) {
        size_t start = i;
        while (i < len && s[i] != ' ') i++;
        size_t core = i - start;
        while (core > 1 && (s[start + core - 1] == '.' || s[start + core - 1] == ',')) core--;
        int comma = core < i - start && s[start + core] == ',';
        if (w > 0 && rng_chance(&g->r, rate)) {
            dp_synth_edit_word(g, topic, s + start, core, "", 0);
            dp_synth_put_word(g, o, g->line.data, g->line.len);
        } else if (w > 0 && rng_chance(&g->r, rate / 5)) {
            /* deleted */
        } else {
            int cap = g->cap_next;
            dp_synth_put_word(g, o, s + start, core);
            if (cap && g->st == DOPPEL_OK) {
                char *c = o->data + o->len - core;
                if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 'a' + 'A');
            } else if (!cap && w == 0 && g->st == DOPPEL_OK) {
                /* a merged sentence's first word goes on in lower case unless a name */
                char *c = o->data + o->len - core;
                if (core > 1 && *c >= 'A' && *c <= 'Z' && c[1] >= 'a' && c[1] <= 'z' &&
                    rng_chance(&g->r, 0.5))
                    *c = (char)(*c - 'A' + 'a');
            }
        }
        if (comma && w + 1 < keep) dp_synth_put_punct(g, o, ',');
        w++;
        while (i < len && s[i] == ' ') i++;
    }
    if (merge) {
        dp_synth_put_punct(g, o, ',');
        dp_synth_put_cstr(g, o, "and");
    } else {
        dp_synth_put_punct(g, o, '.');
    }
}

/* derived: a rewrite of a into g->out. */
static void make_derived(synth *g, const article *a, double rate) {
    doppel_buf *o = &g->out;
    const char *s = a->text.data;
    o->len = 0;
    dp_synth_put_headline(g, o, a->topic);
    for (size_t p = 0; p < a->num_paras && g->st == DOPPEL_OK; p++) {
        if (a->num_paras > 3 && p > 0 && rng_chance(&g->r, 0.1)) continue;  /* paragraph cut */
        size_t n = split_sentences(g, s, a->para_off[p], a->para_len[p]);
        if (g->st != DOPPEL_OK) return;
        /* Swap a pair of neighbouring sentences now and then. */
        size_t swap = n > 1 && rng_chance(&g->r, 0.3) ? rng_below(&g->r, (uint32_t)(n - 1))
                                                     : SIZE_MAX;
        dp_synth_put_raw(g, o, "\n\n", 2);
        size_t para_start = o->len;
        int merging = 0;
        for (size_t k = 0; k < n && g->st == DOPPEL_OK; k++) {
            size_t kk = k == swap ? k + 1 : swap != SIZE_MAX && k == swap + 1 ? k - 1 : k;
            size_t from = g->order[kk], to = sentence_end(g, s, kk);
            if (rng_chance(&g->r, 0.15) && !merging) continue;  /* dropped */
            int merge = k + 1 < n && rng_chance(&g->r, 0.12);
            rewrite_sentence(g, o, s + from, to - from, a->topic, rate, merge, !merging);
            merging = merge;
            if (!merge && rng_chance(&g->r, 0.2)) dp_synth_put_sentence(g, o, a->topic);
        }
        if (merging) {  /* the paragraph's last sentence asked to merge: close it */
            o->len -= 5;  /* ", and" */
            dp_synth_put_punct(g, o, '.');
        }
        if (o->len == para_start) dp_synth_put_sentence(g, o, a->topic);
    }
}

/* Words of text[off, off + len). */
static size_t words_in(const char *s, size_t len) { return dp_synth_count_words(s, len); }

/* The own article with `insert` (a paragraph of text) placed before body
 * paragraph `at` (num_paras = at the end), into g->out. */
static void put_with_insert(synth *g, const article *own, const char *ins, size_t ins_len,
                            size_t at) {
    doppel_buf *o = &g->out;
    const char *s = own->text.data;
    o->len = 0;
    dp_synth_put_raw(g, o, s, own->title_len);
    for (size_t p = 0; p <= own->num_paras; p++) {
        if (p == at) {
            dp_synth_put_raw(g, o, "\n\n", 2);
            dp_synth_put_raw(g, o, ins, ins_len);
        }
        if (p == own->num_paras) break;
        dp_synth_put_raw(g, o, "\n\n", 2);
        dp_synth_put_raw(g, o, s + own->para_off[p], own->para_len[p]);
    }
}

/* partial: one to three consecutive paragraphs of src (at least 60 words
 * when it has them) inside own. *amount = words taken. */
static void make_partial(synth *g, const article *own, const article *src, double *amount) {
    size_t n = src->num_paras, k = 1 + rng_below(&g->r, 3);
    if (k > n) k = n;
    size_t first = rng_below(&g->r, (uint32_t)(n - k + 1));
    const char *s = src->text.data;
    size_t words = 0;
    for (size_t p = first; p < first + k; p++) words += words_in(s + src->para_off[p], src->para_len[p]);
    while (words < 60 && first + k < n) {
        words += words_in(s + src->para_off[first + k], src->para_len[first + k]);
        k++;
    }
    size_t from = src->para_off[first];
    size_t to = src->para_off[first + k - 1] + src->para_len[first + k - 1];
    *amount = (double)words;
    put_with_insert(g, own, s + from, to - from, 1 + rng_below(&g->r, (uint32_t)own->num_paras));
}

/* quote: consecutive sentences of src's body, quote_min..max words, as one
 * paragraph inside own. *amount = words quoted. */
static void make_quote(synth *g, const article *own, const article *src, double *amount) {
    const char *s = src->text.data;
    size_t body = src->para_off[0], end = src->text.len;
    size_t target = g->opt.quote_min_words +
                    rng_below(&g->r, g->opt.quote_max_words - g->opt.quote_min_words + 1);
    /* Sentence starts of the whole body, then a window of them. */
    size_t n = split_sentences(g, s, body, end - body);
    if (g->st != DOPPEL_OK || n == 0) return;
    size_t start = rng_below(&g->r, (uint32_t)n);
    /* Walk back when the rest is too short for the target. */
    while (start > 0 && words_in(s + g->order[start], end - g->order[start]) < target) start--;
    size_t from = g->order[start], to = from, words = 0;
    for (size_t k = start; k < n && words < target; k++) {
        to = sentence_end(g, s, k) + 1;  /* with its period */
        words = words_in(s + from, to - from);
    }
    /* Paragraph breaks inside the quote become spaces: one paragraph. */
    g->line.len = 0;
    for (size_t i = from; i < to; i++) {
        char c = s[i] == '\n' ? ' ' : s[i];
        if (c == ' ' && g->line.len && g->line.data[g->line.len - 1] == ' ') continue;
        dp_synth_put_raw(g, &g->line, &c, 1);
    }
    *amount = (double)words;
    if (g->st != DOPPEL_OK) return;
    put_with_insert(g, own, g->line.data, g->line.len,
                    1 + rng_below(&g->r, (uint32_t)own->num_paras));
}

/* Shared paragraph k of the pool: a pure function of (seed, k). */
static void put_shared_paragraph(synth *g, doppel_buf *b, uint32_t k) {
    rng saved = g->r;
    rng_seed(&g->r, g->opt.seed, P_SHARED_PARAGRAPH, k);
    size_t before = g->words;
    g->words = 0;
    size_t target = 50 + rng_below(&g->r, 50);
    uint32_t topic = rng_below(&g->r, g->topics);
    while (g->words < target && g->st == DOPPEL_OK) dp_synth_put_sentence(g, b, topic);
    g->words = before;
    g->r = saved;
}

/* shared: own with a pool paragraph at its start or end; *related = k. */
static void make_shared(synth *g, const article *own, uint64_t *related) {
    uint32_t k = dp_synth_zipf(g, g->opt.shared_paragraphs);
    *related = k;
    g->line.len = 0;
    put_shared_paragraph(g, &g->line, k);
    if (g->st != DOPPEL_OK) return;
    put_with_insert(g, own, g->line.data, g->line.len,
                    rng_chance(&g->r, 0.7) ? own->num_paras : 0);
}

void dp_synth_make_reuse(synth *g, doppel_synth_kind kind, const article *own,
                         const article *src, double *amount, uint64_t *related) {
    *amount = 0;
    switch (kind) {
    case DOPPEL_SYNTH_DERIVED:
        *amount = g->opt.rewrite_min + (g->opt.rewrite_max - g->opt.rewrite_min) * rng_unit(&g->r);
        make_derived(g, src, *amount);
        break;
    case DOPPEL_SYNTH_PARTIAL: make_partial(g, own, src, amount); break;
    case DOPPEL_SYNTH_QUOTE: make_quote(g, own, src, amount); break;
    default: make_shared(g, own, related); break;
    }
    /* The title is the first line. */
    g->title.len = 0;
    if (g->st == DOPPEL_OK) {
        const char *nl = memchr(g->out.data, '\n', g->out.len);
        dp_synth_put_raw(g, &g->title, g->out.data, nl ? (size_t)(nl - g->out.data) : g->out.len);
    }
}
