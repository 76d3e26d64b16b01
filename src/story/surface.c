/*
 * surface.c — the words a story's terms are shown as. Terms are stems
 * ("explor", "endang"), which say little to a reader; each stemmed word term
 * is shown as the word it was most often made from while learning
 * ("exploration", "endangered"), and a quantity or a quotation as its stems
 * each shown so ("6.1 magnitude").
 *
 * Learning counts every (term, word) pair in a table of its own, beside the
 * dictionary (vocab.c), except where the word is the stem itself ("found",
 * about half of all words): those are the term's stemmed occurrences
 * (term_entry.words) less its other words. Freeze keeps, per term, the most frequent word, ties
 * going to the shorter then the bytewise smaller, so the choice depends only
 * on the multiset of learned words: not on the order of documents, the
 * number of threads the caller ran, or the hash. The counts are released at
 * freeze; what remains is one offset a term and the chosen words' bytes.
 * Terms only read from a model or a state file have no word and are shown
 * as stored. Display only: nothing here reaches the vectors or clustering.
 * shown.c puts the words together for the stories finish published.
 */
#include "story/story_impl.h"
#include "base/idtab.h"

#include <stddef.h>
#include <string.h>
#include <xxhash.h>

/* Append s[0..len) and a NUL to form_text; *off receives its offset. */
static doppel_status put_text(doppel_story *st, const char *s, size_t len, uint32_t *off) {
    if (st->form_textlen + len + 1 > UINT32_MAX - 1) return DOPPEL_ERR_LIMIT;
    if (dp_grow((void **)&st->form_text, &st->form_textcap, st->form_textlen + len + 1, 1))
        return DOPPEL_ERR_NOMEM;
    memcpy(st->form_text + st->form_textlen, s, len);
    st->form_text[st->form_textlen + len] = '\0';
    *off = (uint32_t)st->form_textlen;
    st->form_textlen += len + 1;
    return DOPPEL_OK;
}

doppel_status dp_story_count_form(doppel_story *st, uint32_t id, const char *form, size_t len) {
    uint64_t h = XXH64(form, len, id);
    size_t pos = (size_t)h;
    for (uint32_t i; (i = dp_idtab_next(st->formtab, st->formtabcap, h, &pos)) != UINT32_MAX;) {
        form_entry *e = &st->forms[i];
        if (e->hash == h && e->term == id && e->len == len &&
            memcmp(st->form_text + e->off, form, len) == 0) {
            if (e->count < UINT32_MAX) e->count++;
            return DOPPEL_OK;
        }
    }
    if (st->nforms >= UINT32_MAX - 1) return DOPPEL_ERR_LIMIT;
    if ((st->nforms + 1) * 2 > st->formtabcap) {
        doppel_status r = dp_idtab_rebuild(&st->formtab, &st->formtabcap,
                                           st->formtabcap ? st->formtabcap * 2 : 4096,
                                           st->forms, sizeof *st->forms,
                                           offsetof(form_entry, hash), st->nforms);
        if (r) return r;
    }
    uint32_t off;
    doppel_status r = put_text(st, form, len, &off);
    if (r) return r;
    if (dp_grow((void **)&st->forms, &st->formcap, st->nforms + 1, sizeof *st->forms))
        return DOPPEL_ERR_NOMEM;
    st->forms[st->nforms] = (form_entry){h, id, off, (uint32_t)len, 1};
    dp_idtab_put(st->formtab, st->formtabcap, h, (uint32_t)st->nforms);
    st->nforms++;
    return DOPPEL_OK;
}

/* Is word a (count ca) a better word to show than b (count cb): more
 * frequent, then shorter, then bytewise smaller? A total order on the
 * distinct words of one term. */
static int better_word(uint64_t ca, const char *a, size_t la, uint64_t cb, const char *b,
                       size_t lb) {
    if (ca != cb) return ca > cb;
    if (la != lb) return la < lb;
    return memcmp(a, b, la) < 0;
}

doppel_status dp_story_choose_forms(doppel_story *st, const uint32_t *old_of_new) {
    size_t n = st->nterms;
    st->shown = dp_calloc(n + 1, sizeof *st->shown);
    if (!st->shown) return DOPPEL_ERR_NOMEM;
    st->nshown = n;
    if (st->nforms) {
        /* each term's best counted word (index + 1) and the sum of their
         * counts: the rest of its words were the stem itself */
        uint32_t *new_of_old = dp_malloc((n + 1) * sizeof *new_of_old);
        uint32_t *best = dp_calloc(n + 1, sizeof *best);
        uint64_t *sum = dp_calloc(n + 1, sizeof *sum);
        if (!new_of_old || !best || !sum) {
            dp_free(new_of_old, (n + 1) * sizeof *new_of_old);
            dp_free(best, (n + 1) * sizeof *best);
            dp_free(sum, (n + 1) * sizeof *sum);
            return DOPPEL_ERR_NOMEM;
        }
        for (size_t i = 0; i < n; i++) new_of_old[old_of_new[i]] = (uint32_t)i;
        for (size_t f = 0; f < st->nforms; f++) {
            form_entry *e = &st->forms[f];
            e->term = new_of_old[e->term];
            sum[e->term] += e->count;
            uint32_t b = best[e->term];
            const form_entry *o = b ? &st->forms[b - 1] : NULL;
            if (!o || better_word(e->count, st->form_text + e->off, e->len, o->count,
                                  st->form_text + o->off, o->len))
                best[e->term] = (uint32_t)f + 1;
        }
        for (size_t i = 0; i < n; i++) {
            if (!best[i]) continue;
            const form_entry *o = &st->forms[best[i] - 1];
            const char *stem = term_str(st, (uint32_t)i) + 1;
            uint64_t words = st->terms[i].words;
            uint64_t rest = words > sum[i] ? words - sum[i] : 0;
            if (!better_word(rest, stem, strlen(stem), o->count, st->form_text + o->off, o->len))
                st->shown[i] = o->off + 1;
        }
        dp_free(new_of_old, (n + 1) * sizeof *new_of_old);
        dp_free(best, (n + 1) * sizeof *best);
        dp_free(sum, (n + 1) * sizeof *sum);
    }
    dp_free(st->forms, st->formcap * sizeof *st->forms);
    dp_free(st->formtab, st->formtabcap * sizeof *st->formtab);
    st->forms = NULL;
    st->formtab = NULL;
    st->nforms = st->formcap = st->formtabcap = 0;
    return DOPPEL_OK;
}

void dp_story_free_forms(doppel_story *st) {
    dp_free(st->forms, st->formcap * sizeof *st->forms);
    dp_free(st->formtab, st->formtabcap * sizeof *st->formtab);
    dp_free(st->form_text, st->form_textcap);
    if (st->shown) dp_free(st->shown, (st->nshown + 1) * sizeof *st->shown);
    st->forms = NULL;
    st->formtab = NULL;
    st->form_text = NULL;
    st->shown = NULL;
    st->nforms = st->formcap = st->formtabcap = st->form_textlen = st->form_textcap = 0;
    st->nshown = 0;
}
