/*
 * vocab.c — the story level's term dictionary: an open-addressing table from
 * each term string (terms.h) to an id and its document frequency, and the
 * renumbering that makes ids independent of the order documents arrived in
 * (see story.c, part 1). The table is base/idtab.h's. Uses only terms and base.
 */
#include "story/story_impl.h"
#include "base/idtab.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

uint32_t dp_story_lookup(const doppel_story *st, const char *s, size_t len, uint64_t h) {
    size_t pos = (size_t)h;
    for (uint32_t id; (id = dp_idtab_next(st->table, st->tabcap, h, &pos)) != UINT32_MAX;) {
        const term_entry *e = &st->terms[id];
        if (e->hash == h && strncmp(st->arena + e->off, s, len) == 0 &&
            st->arena[e->off + len] == '\0')
            return id;
    }
    return UINT32_MAX;
}

uint32_t dp_story_find_term(const doppel_story *st, const char *s, size_t len) {
    return dp_story_lookup(st, s, len, XXH64(s, len, 0));
}

static doppel_status rebuild_table(doppel_story *st, size_t cap) {
    return dp_idtab_rebuild(&st->table, &st->tabcap, cap, st->terms, sizeof *st->terms,
                            offsetof(term_entry, hash), st->nterms);
}

static doppel_status insert(doppel_story *st, const char *s, size_t len, uint64_t h,
                            uint32_t *id) {
    if (st->nterms >= UINT32_MAX - 1) return DOPPEL_ERR_LIMIT;
    if ((st->nterms + 1) * 2 > st->tabcap) {
        doppel_status r = rebuild_table(st, st->tabcap ? st->tabcap * 2 : 1024);
        if (r) return r;
    }
    if (st->arenalen + len + 1 > UINT32_MAX) return DOPPEL_ERR_LIMIT;
    if (dp_grow((void **)&st->arena, &st->arenacap, st->arenalen + len + 1, 1) ||
        dp_grow((void **)&st->terms, &st->termcap, st->nterms + 1, sizeof *st->terms))
        return DOPPEL_ERR_NOMEM;
    memcpy(st->arena + st->arenalen, s, len);
    st->arena[st->arenalen + len] = '\0';
    term_entry *e = &st->terms[st->nterms];
    e->hash = h;
    e->off = (uint32_t)st->arenalen;
    e->df = 0;
    e->stamp = 0;
    e->cased = e->capped = e->words = 0;
    st->arenalen += len + 1;
    dp_idtab_put(st->table, st->tabcap, h, (uint32_t)st->nterms);
    *id = (uint32_t)st->nterms++;
    return DOPPEL_OK;
}

doppel_status dp_story_intern(doppel_story *st, const char *s, size_t len, uint32_t *id) {
    uint64_t h = XXH64(s, len, 0);
    *id = dp_story_lookup(st, s, len, h);
    return *id == UINT32_MAX ? insert(st, s, len, h, id) : DOPPEL_OK;
}

/* Saturating: counts from a model and from learning add up. */
static uint32_t add_capped(uint32_t a, uint64_t b) {
    return b >= UINT32_MAX - a ? UINT32_MAX : a + (uint32_t)b;
}

doppel_status dp_story_count_term(doppel_story *st, const char *s, size_t len, uint64_t df,
                                  uint64_t cased, uint64_t capped) {
    uint32_t id;
    doppel_status r = dp_story_intern(st, s, len, &id);
    if (r) return r;
    term_entry *e = &st->terms[id];
    e->df = add_capped(e->df, df);
    e->cased = add_capped(e->cased, cased);
    e->capped = add_capped(e->capped, capped);
    return DOPPEL_OK;
}

static int cmp_entry_rank(const void *a, const void *b) {
    const term_entry *x = a, *y = b;
    if (x->df != y->df) return x->df > y->df ? -1 : 1;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return 0; /* equal hashes of different strings: resolved by the caller */
}

/* End of learning: renumber terms by decreasing document frequency, then
 * hash (see the file comment). Frequent terms get the small ids, so the
 * arrays indexed by term (entries, postings, the dense vector) are read
 * mostly in a small region that stays in cache: with half a million terms
 * in hash order, every term touched was a cache miss. */
doppel_status dp_story_freeze_terms(doppel_story *st) {
    /* stamp carries each term's learning id through the sort, for the
     * words counted under it (surface.c); it is reset below */
    for (size_t i = 0; i < st->nterms; i++) st->terms[i].stamp = (uint32_t)i;
    if (st->nterms > 1) qsort(st->terms, st->nterms, sizeof *st->terms, cmp_entry_rank);
    /* Two strings with one 64-bit hash are ordered by their bytes. */
    for (size_t i = 1; i < st->nterms; i++) {
        size_t j = i;
        while (j > 0 && st->terms[j - 1].hash == st->terms[j].hash &&
               st->terms[j - 1].df == st->terms[j].df &&
               strcmp(term_str(st, (uint32_t)j - 1), term_str(st, (uint32_t)j)) > 0) {
            term_entry t = st->terms[j];
            st->terms[j] = st->terms[j - 1];
            st->terms[j - 1] = t;
            j--;
        }
    }
    doppel_status r = rebuild_table(st, st->tabcap ? st->tabcap : 16);
    if (r) return r;
    uint32_t *old_of_new = dp_malloc((st->nterms + 1) * sizeof *old_of_new);
    if (!old_of_new) return DOPPEL_ERR_NOMEM;
    for (size_t i = 0; i < st->nterms; i++) old_of_new[i] = st->terms[i].stamp;
    r = dp_story_choose_forms(st, old_of_new);
    dp_free(old_of_new, (st->nterms + 1) * sizeof *old_of_new);
    if (r) return r;
    st->slot = dp_calloc(st->nterms + 1, sizeof *st->slot);
    if (!st->slot) return DOPPEL_ERR_NOMEM;
    for (size_t i = 0; i < st->nterms; i++) st->terms[i].stamp = 0;
    st->stamp = 0;
    return DOPPEL_OK;
}
