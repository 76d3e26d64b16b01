/*
 * shown.c — a story's terms as a reader sees them: each stem replaced by
 * the word surface.c chose for it, in words, quantities ("6.1 magnitud" ->
 * "6.1 magnitude") and quotations alike. Built once, after finish, for the
 * terms the published stories show (DOPPEL_STORY_TOP_TERMS each), into
 * form_text; the handle keeps them until it is freed.
 */
#include "story/story_impl.h"

#include <string.h>

/* The word stem s[0..len) is shown as: its chosen form, or itself. */
static void stem_word(const doppel_story *st, const char *s, size_t len, const char **out,
                      size_t *outlen) {
    char key[DP_TERM_MAX + 2];
    *out = s;
    *outlen = len;
    if (len + 1 > DP_TERM_MAX) return; /* a stem cut inside a long quotation */
    key[0] = DP_TERM_WORD;
    memcpy(key + 1, s, len);
    uint32_t id = dp_story_find_term(st, key, len + 1);
    if (id != UINT32_MAX && id < st->nshown && st->shown[id]) {
        *out = st->form_text + st->shown[id] - 1;
        *outlen = strlen(*out);
    }
}

/* A quantity ("90 day": the number kept) or a quotation (every word a
 * stem): each stem shown as its word, appended to form_text. */
static doppel_status show_phrase(doppel_story *st, uint32_t id) {
    const char *t = term_str(st, id);
    int quantity = t[0] == DP_TERM_UNIT;
    t++;
    size_t start = st->form_textlen;
    for (int first = 1; *t; first = 0) {
        const char *sp = strchr(t, ' ');
        size_t len = sp ? (size_t)(sp - t) : strlen(t);
        const char *w = t;
        size_t wl = len;
        if (!(quantity && first)) stem_word(st, t, len, &w, &wl);
        /* w may point into form_text, which the append can move */
        size_t woff = st->form_text && w >= st->form_text &&
                              w < st->form_text + st->form_textlen
                          ? (size_t)(w - st->form_text)
                          : SIZE_MAX;  /* before the first append form_text is NULL */
        if (dp_grow((void **)&st->form_text, &st->form_textcap, st->form_textlen + wl + 2, 1))
            return DOPPEL_ERR_NOMEM;
        if (woff != SIZE_MAX) w = st->form_text + woff;
        if (!first) st->form_text[st->form_textlen++] = ' ';
        memcpy(st->form_text + st->form_textlen, w, wl);
        st->form_textlen += wl;
        t += len;
        if (*t == ' ') t++;
    }
    if (st->form_textlen + 1 > UINT32_MAX - 1) return DOPPEL_ERR_LIMIT;
    if (dp_grow((void **)&st->form_text, &st->form_textcap, st->form_textlen + 1, 1))
        return DOPPEL_ERR_NOMEM;
    st->form_text[st->form_textlen++] = '\0';
    st->shown[id] = (uint32_t)start + 1;
    return DOPPEL_OK;
}

doppel_status dp_story_show_terms(doppel_story *st) {
    if (!st->shown) return DOPPEL_OK;
    for (uint32_t s = 0; s < st->nfinal; s++) {
        const story_rec *r = &st->stories[s];
        uint32_t k = DP_MIN(r->n, DOPPEL_STORY_TOP_TERMS);
        for (uint32_t i = 0; i < k; i++) {
            uint32_t id = r->c[i].term;
            char kind = term_str(st, id)[0];
            if (id >= st->nshown || st->shown[id] ||
                (kind != DP_TERM_UNIT && kind != DP_TERM_QUOTE))
                continue;
            doppel_status rc = show_phrase(st, id);
            if (rc) return rc;
        }
    }
    return DOPPEL_OK;
}

const char *dp_story_term_text(const doppel_story *st, uint32_t id) {
    if (id < st->nshown && st->shown[id]) return st->form_text + st->shown[id] - 1;
    return term_str(st, id) + 1;
}
