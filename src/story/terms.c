/*
 * terms.c — the story tokenizer (see terms.h for the kinds of term).
 *
 * Text is cut into lines first: a line is a natural unit in extracted news
 * (headline, paragraphs, captions), a sentence always ends at one, and a
 * quotation left open by bad markup cannot swallow the rest of the article.
 * Each line is tokenized into words with what the later passes need to know
 * (capitalized, all capitals, numeric, first of a sentence, a quote mark),
 * then the passes emit words, names, numbers with units, dates and quotes.
 *
 * Capitalization is evidence of a name only where it is not style: the first
 * word of a sentence is capitalized anyway, and a Title Case Headline
 * Capitalizes Every Word, so such lines contribute no names (acronyms still
 * count unless the line is shouted in capitals).
 */
#include "story/terms.h"

#include "story/stopwords.h"

#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

enum { MARK_NONE = 0, MARK_OPEN = 1, MARK_CLOSE = 2 };

typedef struct tok {
    uint32_t off, len;     /* the folded word in t->fold */
    uint32_t soff, slen;   /* its stem in t->stems (len 0: none) */
    uint8_t stemmed;       /* the stem is the stemmer's, not the word itself */
    uint8_t mark;          /* MARK_*: a quote mark, not a word */
    uint8_t cap;           /* first letter upper or title case */
    uint8_t upper;         /* two or more letters, all upper case */
    uint8_t digit;         /* digits, possibly with '.' inside */
    uint8_t sent;          /* first word of a sentence */
    uint8_t stop;          /* stopword or a single character */
    uint8_t month;         /* 1..12 when a capitalized month name */
    uint8_t weekday;       /* capitalized day name: not a name */
    uint8_t name;          /* decided: written as a name */
    uint8_t used;          /* consumed by a date: no bare number term */
} tok;

struct dp_terms {
    struct sb_stemmer *stemmer;
    const char **stop;     /* sorted copy of the language's stopwords */
    size_t nstop;
    tok *toks;
    size_t ntoks, tokcap;
    char *fold;
    size_t foldlen, foldcap;
    char *stems;
    size_t stemlen, stemcap;
    char term[DP_TERM_MAX + 8];
};

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

doppel_status dp_terms_new(const char *language, dp_terms **out) {
    *out = NULL;
    if (!language) language = "english";
    dp_terms *t = dp_calloc(1, sizeof *t);
    if (!t) return DOPPEL_ERR_NOMEM;
    /* libstemmer allocates with malloc itself; that memory (a few hundred
     * bytes per stemmer) is outside the counted heap. */
    t->stemmer = sb_stemmer_new(language, "UTF_8");
    if (!t->stemmer) {
        dp_free(t, sizeof *t);
        return DOPPEL_ERR_ARG;
    }
    size_t n = 0;
    const char *const *list = dp_stopwords(language, &n);
    if (n) {
        t->stop = dp_malloc(n * sizeof *t->stop);
        if (!t->stop) {
            dp_terms_free(t);
            return DOPPEL_ERR_NOMEM;
        }
        memcpy(t->stop, list, n * sizeof *t->stop);
        qsort(t->stop, n, sizeof *t->stop, cmp_str);
        t->nstop = n;
    }
    *out = t;
    return DOPPEL_OK;
}

void dp_terms_free(dp_terms *t) {
    if (!t) return;
    if (t->stemmer) sb_stemmer_delete(t->stemmer);
    dp_free(t->stop, t->nstop * sizeof *t->stop);
    dp_free(t->toks, t->tokcap * sizeof *t->toks);
    dp_free(t->fold, t->foldcap);
    dp_free(t->stems, t->stemcap);
    dp_free(t, sizeof *t);
}

int dp_terms_is_stopword(const dp_terms *t, const char *word, size_t len) {
    size_t lo = 0, hi = t->nstop;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *s = t->stop[mid];
        int c = strncmp(s, word, len);
        if (c == 0) c = s[len] ? 1 : 0;
        if (c == 0) return 1;
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

/* ---- character classes -------------------------------------------------- */

static int is_word_cat(utf8proc_category_t c) {
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_ND) ||
           c == UTF8PROC_CATEGORY_NL;
}

/* Decode one code point; invalid bytes decode as -1 over one byte. */
static size_t decode(const char *s, size_t n, int32_t *cp) {
    utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, cp);
    if (r <= 0) {
        *cp = -1;
        return 1;
    }
    return (size_t)r;
}

static int is_word_cp(int32_t cp) { return cp >= 0 && is_word_cat(utf8proc_category(cp)); }
static int is_apostrophe(int32_t cp) { return cp == '\'' || cp == 0x2019; }

static int quote_mark(int32_t cp) {
    switch (cp) {
    case 0x201C: case 0x201E: case 0x00AB: return MARK_OPEN;   /* “ „ « */
    case 0x201D: case 0x00BB: return MARK_CLOSE;               /* ” » */
    case '"': return 3;                                         /* direction from context */
    default: return MARK_NONE;
    }
}

/* ---- tokenizing one line ------------------------------------------------ */

static doppel_status push_tok(dp_terms *t, const tok *k) {
    if (dp_grow((void **)&t->toks, &t->tokcap, t->ntoks + 1, sizeof *t->toks) != DOPPEL_OK)
        return DOPPEL_ERR_NOMEM;
    t->toks[t->ntoks++] = *k;
    return DOPPEL_OK;
}

static doppel_status put_fold(dp_terms *t, int32_t cp) {
    if (dp_grow((void **)&t->fold, &t->foldcap, t->foldlen + 4, 1) != DOPPEL_OK)
        return DOPPEL_ERR_NOMEM;
    t->foldlen += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)t->fold + t->foldlen);
    return DOPPEL_OK;
}

static const char *const month_names[12][2] = {
    {"january", "jan"}, {"february", "feb"}, {"march", "mar"}, {"april", "apr"},
    {"may", "may"},     {"june", "jun"},     {"july", "jul"},  {"august", "aug"},
    {"september", "sep"}, {"october", "oct"}, {"november", "nov"}, {"december", "dec"},
};
static const char *const day_names[] = {"monday", "tuesday", "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};

static int word_is(const char *w, size_t len, const char *s) {
    return strlen(s) == len && memcmp(w, s, len) == 0;
}

static void classify(dp_terms *t, tok *k) {
    const char *w = t->fold + k->off;
    if (k->digit) return;
    if (k->len <= 1 || dp_terms_is_stopword(t, w, k->len)) k->stop = 1;
    if (!k->cap) return;
    for (int m = 0; m < 12; m++)
        if (word_is(w, k->len, month_names[m][0]) || word_is(w, k->len, month_names[m][1]) ||
            (m == 8 && word_is(w, k->len, "sept")))
            k->month = (uint8_t)(m + 1);
    for (size_t d = 0; d < sizeof day_names / sizeof *day_names; d++)
        if (word_is(w, k->len, day_names[d])) k->weekday = 1;
}

/* Split one line into tokens (t->toks, t->fold). */
static doppel_status tokenize(dp_terms *t, const char *s, size_t n) {
    t->ntoks = 0;
    t->foldlen = 0;
    int sent = 1;        /* the next word starts a sentence */
    int ascii_open = 0;  /* a straight double quote is open */
    size_t last_end = SIZE_MAX; /* byte after the last word */
    size_t i = 0;
    while (i < n) {
        int32_t cp;
        size_t cl = decode(s + i, n - i, &cp);
        if (!is_word_cp(cp)) {
            int q = quote_mark(cp);
            if (q == 3) q = ascii_open ? MARK_CLOSE : MARK_OPEN;
            if (q) {
                if (cp == '"') ascii_open = q == MARK_OPEN;
                tok m = {.mark = (uint8_t)q};
                if (push_tok(t, &m) != DOPPEL_OK) return DOPPEL_ERR_NOMEM;
                if (q == MARK_OPEN) sent = 1; /* a quotation starts its own sentence */
            } else if (cp == '.' || cp == '!' || cp == '?' || cp == ':') {
                /* "U.S." and "Jan." end in a period without ending the
                 * sentence: only a period after a word of 3+ letters does. */
                int abbrev = 0;
                if (cp == '.' && t->ntoks) {
                    const tok *p = &t->toks[t->ntoks - 1];
                    abbrev = !p->mark && last_end == i &&
                             (p->len <= 2 || memchr(t->fold + p->off, '.', p->len) ||
                              p->month);
                }
                if (!abbrev) sent = 1;
            }
            i += cl;
            continue;
        }
        tok k = {0};
        k.off = (uint32_t)t->foldlen;
        utf8proc_category_t cat = utf8proc_category(cp);
        k.cap = cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
        unsigned letters = 0, uppers = 0, digits = 0, others = 0;
        while (i < n) {
            cl = decode(s + i, n - i, &cp);
            if (is_word_cp(cp)) {
                cat = utf8proc_category(cp);
                if (cat == UTF8PROC_CATEGORY_ND) digits++;
                else if (cat <= UTF8PROC_CATEGORY_LO) {
                    letters++;
                    if (cat == UTF8PROC_CATEGORY_LU) uppers++;
                } else others++;
                if (put_fold(t, utf8proc_tolower(cp)) != DOPPEL_OK) return DOPPEL_ERR_NOMEM;
                i += cl;
                continue;
            }
            int32_t next = -1;
            size_t nl = i + cl < n ? decode(s + i + cl, n - i - cl, &next) : 0;
            if ((cp == '.' || cp == ',') && is_word_cp(next)) {
                /* 6.1, U.S, 1,000: the mark is inside the token. A thousands
                 * comma is dropped so "1,000" and "1000" agree. */
                if (cp == ',' && (letters || !digits)) break;
                if (cp == '.' && put_fold(t, '.') != DOPPEL_OK) return DOPPEL_ERR_NOMEM;
                i += cl;
                continue;
            }
            if (is_apostrophe(cp) && next >= 0 && letters &&
                utf8proc_category(next) <= UTF8PROC_CATEGORY_LO) {
                int32_t after = -1;
                if (i + cl + nl < n) decode(s + i + cl + nl, n - i - cl - nl, &after);
                if ((next == 's' || next == 'S') && !is_word_cp(after)) {
                    i += cl + nl; /* possessive 's: Lohan's -> lohan */
                    break;
                }
                i += cl; /* O'Neil, don't: join without the apostrophe */
                continue;
            }
            break;
        }
        k.len = (uint32_t)(t->foldlen - k.off);
        last_end = i;
        if (k.len == 0) continue;
        k.digit = digits > 0 && letters == 0 && others == 0;
        k.upper = letters >= 2 && uppers == letters;
        k.sent = (uint8_t)sent;
        sent = 0;
        classify(t, &k);
        if (push_tok(t, &k) != DOPPEL_OK) return DOPPEL_ERR_NOMEM;
    }
    return DOPPEL_OK;
}

/* ---- stems and term output ---------------------------------------------- */

static doppel_status stem_all(dp_terms *t) {
    t->stemlen = 0;
    for (size_t i = 0; i < t->ntoks; i++) {
        tok *k = &t->toks[i];
        k->slen = 0;
        k->stemmed = 0;
        if (k->mark || k->stop) continue;
        const char *w = t->fold + k->off;
        const sb_symbol *st = NULL;
        int sl = 0;
        if (!k->digit && !k->upper && !memchr(w, '.', k->len)) {
            /* acronyms (INS, NSA) and dotted abbreviations (u.s) are kept
             * whole: the stemmer would read a final s as a plural */
            st = sb_stemmer_stem(t->stemmer, (const sb_symbol *)w, (int)k->len);
            if (!st) return DOPPEL_ERR_NOMEM;
            sl = sb_stemmer_length(t->stemmer);
            k->stemmed = 1;
        } else {
            st = (const sb_symbol *)w;
            sl = (int)k->len;
        }
        if (dp_grow((void **)&t->stems, &t->stemcap, t->stemlen + (size_t)sl, 1) != DOPPEL_OK)
            return DOPPEL_ERR_NOMEM;
        memcpy(t->stems + t->stemlen, st, (size_t)sl);
        k->soff = (uint32_t)t->stemlen;
        k->slen = (uint32_t)sl;
        t->stemlen += (size_t)sl;
    }
    return DOPPEL_OK;
}

typedef struct emitter {
    dp_terms *t;
    dp_term_fn fn;
    void *user;
    unsigned flags;
    size_t len;
} emitter;

static void term_start(emitter *e, char kind) {
    e->t->term[0] = kind;
    e->len = 1;
}

static void term_add(emitter *e, const char *s, size_t n) {
    if (e->len + n > DP_TERM_MAX) {
        n = DP_TERM_MAX - e->len;
        /* cut at a character boundary */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    }
    memcpy(e->t->term + e->len, s, n);
    e->len += n;
}

static doppel_status term_end(emitter *e, unsigned extra) {
    return e->fn(e->t->term, e->len, NULL, 0, e->flags | extra, e->user);
}

/* A word term with the word it was stemmed from (see dp_term_fn). */
static doppel_status term_end_form(emitter *e, const char *form, size_t n, unsigned extra) {
    if (n > DP_TERM_MAX) {
        n = DP_TERM_MAX;
        while (n > 0 && ((unsigned char)form[n] & 0xC0) == 0x80) n--;
    }
    return e->fn(e->t->term, e->len, form, n, e->flags | extra, e->user);
}

static unsigned small_int(const dp_terms *t, const tok *k, unsigned max_digits) {
    if (!k->digit || k->len > max_digits) return 0;
    unsigned v = 0;
    for (uint32_t i = 0; i < k->len; i++) {
        char c = t->fold[k->off + i];
        if (c < '0' || c > '9') return 0;
        v = v * 10 + (unsigned)(c - '0');
    }
    return v;
}

static int is_year(const dp_terms *t, const tok *k) {
    unsigned v = k->len == 4 ? small_int(t, k, 4) : 0;
    return v >= 1900 && v <= 2099;
}

static int is_day(const dp_terms *t, const tok *k) {
    unsigned v = small_int(t, k, 2);
    return v >= 1 && v <= 31;
}

static doppel_status emit_date(emitter *e, unsigned a, unsigned b, int year_month) {
    char buf[16];
    int n = year_month ? snprintf(buf, sizeof buf, "%04u-%02u", a, b)
                       : snprintf(buf, sizeof buf, "%02u-%02u", a, b);
    term_start(e, DP_TERM_DATE);
    term_add(e, buf, (size_t)n);
    return term_end(e, 0);
}

/* Month-day and year-month pairs; marks the day numbers as used. */
static doppel_status emit_dates(emitter *e) {
    dp_terms *t = e->t;
    tok *k = t->toks;
    size_t n = t->ntoks;
    doppel_status st;
    for (size_t i = 0; i < n; i++) {
        if (!k[i].month) continue;
        unsigned m = k[i].month;
        size_t y = 0;
        if (i + 1 < n && is_day(t, &k[i + 1])) {
            if ((st = emit_date(e, m, small_int(t, &k[i + 1], 2), 0))) return st;
            k[i + 1].used = 1;
            if (i + 2 < n && is_year(t, &k[i + 2])) y = i + 2;
        } else if (i > 0 && is_day(t, &k[i - 1])) {
            if ((st = emit_date(e, m, small_int(t, &k[i - 1], 2), 0))) return st;
            k[i - 1].used = 1;
            if (i + 1 < n && is_year(t, &k[i + 1])) y = i + 1;
        } else if (i + 1 < n && is_year(t, &k[i + 1])) {
            y = i + 1;
        }
        if (y && (st = emit_date(e, small_int(t, &k[y], 4), m, 1))) return st;
    }
    return DOPPEL_OK;
}

/* Decide which words are written as names and emit multi-word names. */
static doppel_status emit_names(emitter *e, int title_case, int shouting) {
    dp_terms *t = e->t;
    tok *k = t->toks;
    size_t n = t->ntoks;
    for (size_t i = 0; i < n;) {
        int capable = !k[i].mark && !k[i].digit && !k[i].stop && !k[i].month &&
                      !k[i].weekday &&
                      ((k[i].cap && !title_case) || (k[i].upper && !shouting));
        if (!capable) {
            i++;
            continue;
        }
        size_t j = i + 1;
        while (j < n && !k[j].mark && !k[j].digit && !k[j].stop && !k[j].month &&
               !k[j].weekday && !k[j].sent &&
               ((k[j].cap && !title_case) || (k[j].upper && !shouting)))
            j++;
        if (j - i >= 2) {
            for (size_t x = i; x < j; x++) k[x].name = 1;
            if (j - i <= 6) {
                term_start(e, DP_TERM_NAME);
                for (size_t x = i; x < j; x++) {
                    if (x > i) term_add(e, " ", 1);
                    term_add(e, t->fold + k[x].off, k[x].len);
                }
                doppel_status st = term_end(e, DP_TF_NAME);
                if (st) return st;
            }
        } else if (!k[i].sent || k[i].upper) {
            k[i].name = 1;
        }
        i = j;
    }
    return DOPPEL_OK;
}

static doppel_status emit_quote(emitter *e, size_t a, size_t b) {
    dp_terms *t = e->t;
    tok *k = t->toks;
    size_t content = 0;
    for (size_t x = a; x < b; x++)
        if (!k[x].mark && k[x].slen) content++;
    if (content < 2) return DOPPEL_OK;
    doppel_status st;
    if (content <= 8) {
        /* a short quotation ("special military operation") is one term */
        term_start(e, DP_TERM_QUOTE);
        int first = 1;
        for (size_t x = a; x < b; x++) {
            if (k[x].mark || !k[x].slen) continue;
            if (!first) term_add(e, " ", 1);
            term_add(e, t->stems + k[x].soff, k[x].slen);
            first = 0;
        }
        return term_end(e, 0);
    }
    /* a long quotation is reported partially by most outlets: its stem
     * bigrams match wherever two reports quote the same words */
    size_t prev = SIZE_MAX;
    for (size_t x = a; x < b; x++) {
        if (k[x].mark || !k[x].slen) continue;
        if (prev != SIZE_MAX) {
            term_start(e, DP_TERM_QUOTE);
            term_add(e, t->stems + k[prev].soff, k[prev].slen);
            term_add(e, " ", 1);
            term_add(e, t->stems + k[x].soff, k[x].slen);
            if ((st = term_end(e, 0))) return st;
        }
        prev = x;
    }
    return DOPPEL_OK;
}

static doppel_status scan_line(dp_terms *t, const char *s, size_t n, unsigned flags,
                               dp_term_fn fn, void *user) {
    doppel_status st = tokenize(t, s, n);
    if (st) return st;
    if (t->ntoks == 0) return DOPPEL_OK;

    /* Title Case and ALL CAPS lines say nothing about names. */
    unsigned words = 0, caps = 0, uppers = 0;
    for (size_t i = 0; i < t->ntoks; i++) {
        const tok *k = &t->toks[i];
        if (k->mark || k->digit || k->len < 2) continue;
        words++;
        caps += k->cap || k->upper;
        uppers += k->upper;
    }
    int title_case = words >= 3 && caps * 4 >= words * 3;
    int shouting = words >= 3 && uppers * 4 >= words * 3;
    if (shouting)
        for (size_t i = 0; i < t->ntoks; i++) t->toks[i].upper = 0;
    if ((st = stem_all(t))) return st;

    emitter e = {t, fn, user, flags, 0};
    if ((st = emit_dates(&e))) return st;
    if ((st = emit_names(&e, title_case, shouting))) return st;

    tok *k = t->toks;
    size_t open = SIZE_MAX;
    for (size_t i = 0; i < t->ntoks; i++) {
        if (k[i].mark == MARK_OPEN) {
            open = i + 1;
            continue;
        }
        if (k[i].mark == MARK_CLOSE) {
            if (open != SIZE_MAX && (st = emit_quote(&e, open, i))) return st;
            open = SIZE_MAX;
            continue;
        }
        if (!k[i].slen) continue;
        if (k[i].digit) {
            if (is_year(t, &k[i])) {
                term_start(&e, DP_TERM_DATE);
                term_add(&e, t->fold + k[i].off, k[i].len);
                if ((st = term_end(&e, 0))) return st;
            } else if (!k[i].used) {
                term_start(&e, DP_TERM_WORD);
                term_add(&e, t->fold + k[i].off, k[i].len);
                if ((st = term_end(&e, 0))) return st;
            }
            /* a number followed by a lower-case word is a quantity: "90 day",
             * "6.1 magnitud"; "2014 Finale" and "Season 18 Finale" are not */
            if (!k[i].used && !is_year(t, &k[i]) && i + 1 < t->ntoks && !k[i + 1].mark &&
                !k[i + 1].digit && k[i + 1].slen && !k[i + 1].cap && !k[i + 1].upper) {
                term_start(&e, DP_TERM_UNIT);
                term_add(&e, t->fold + k[i].off, k[i].len);
                term_add(&e, " ", 1);
                term_add(&e, t->stems + k[i + 1].soff, k[i + 1].slen);
                if ((st = term_end(&e, 0))) return st;
            }
            continue;
        }
        term_start(&e, DP_TERM_WORD);
        term_add(&e, t->stems + k[i].soff, k[i].slen);
        unsigned f = k[i].name ? DP_TF_NAME : 0;
        if (!k[i].sent && !title_case && !shouting) f |= DP_TF_CASED;
        st = k[i].stemmed ? term_end_form(&e, t->fold + k[i].off, k[i].len, f) : term_end(&e, f);
        if (st) return st;
    }
    return DOPPEL_OK;
}

doppel_status dp_terms_scan(dp_terms *t, const char *text, size_t len, int in_title,
                            dp_term_fn fn, void *user) {
    unsigned flags = in_title ? DP_TF_TITLE : 0;
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        doppel_status st = scan_line(t, text + pos, end - pos, flags, fn, user);
        if (st) return st;
        pos = end + 1;
    }
    return DOPPEL_OK;
}
