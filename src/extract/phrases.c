/*
 * phrases.c — what chrome says and how it is laid out: the phrase tables
 * (prompts, advertisement markers, page furniture, teaser-section markers)
 * and the tests of one block's text the scorer treats as hard rules
 * (breadcrumbs and menus, photo credits, bylines, one-word controls,
 * truncated teaser blurbs, the copyright sign).
 *
 * Phrases are matched at word starts of the dp_lower_words form of a block
 * (see boilerplate.c for how the rules are applied). The tables are
 * English first with the most common equivalents in a few other
 * languages; they only act on short blocks, so an article that discusses
 * subscriptions is not touched.
 */
#include "extract/extract_int.h"
#include "extract/phrases.h"
#include "extract/bits.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

/* ---- phrase tables --------------------------------------------------------- */

typedef struct prompt_phrase {
    const char *text;   /* lower case, words separated by one space */
    uint8_t reason;
} prompt_phrase;

/* Prompts and markers, matched at a word start of the lower-cased block
 * (so "subscri" catches subscribe, subscription and its misspellings). */
static const prompt_phrase prompts[] = {
    /* "subscribe" before the stem it starts with: as a whole word it is the
     * imperative a block may open with ("Subscribe now"), which
     * prompt_applies tells from a noun ("Subscriptions close ..."). */
    {"subscribe", DOPPEL_DROP_PROMPT}, {"subscri", DOPPEL_DROP_PROMPT},
    {"newsletter", DOPPEL_DROP_PROMPT},
    {"sign up", DOPPEL_DROP_PROMPT}, {"sign in", DOPPEL_DROP_PROMPT},
    {"log in", DOPPEL_DROP_PROMPT}, {"login", DOPPEL_DROP_PROMPT},
    {"create an account", DOPPEL_DROP_PROMPT}, {"already a member", DOPPEL_DROP_PROMPT},
    {"become a member", DOPPEL_DROP_PROMPT}, {"follow us", DOPPEL_DROP_PROMPT},
    {"share this", DOPPEL_DROP_PROMPT}, {"share on", DOPPEL_DROP_PROMPT},
    {"share via", DOPPEL_DROP_PROMPT}, {"tweet this", DOPPEL_DROP_PROMPT},
    {"email this", DOPPEL_DROP_PROMPT}, {"print this", DOPPEL_DROP_PROMPT},
    {"copy link", DOPPEL_DROP_PROMPT}, {"leave a comment", DOPPEL_DROP_PROMPT},
    {"leave a reply", DOPPEL_DROP_PROMPT}, {"post a comment", DOPPEL_DROP_PROMPT},
    {"add a comment", DOPPEL_DROP_PROMPT}, {"your comment", DOPPEL_DROP_PROMPT},
    {"enter your", DOPPEL_DROP_PROMPT}, {"your email", DOPPEL_DROP_PROMPT},
    {"email address", DOPPEL_DROP_PROMPT}, {"required fields", DOPPEL_DROP_PROMPT},
    {"comments are closed", DOPPEL_DROP_PROMPT},
    {"be the first to", DOPPEL_DROP_PROMPT}, {"suggest a correction", DOPPEL_DROP_PROMPT},
    {"report an error", DOPPEL_DROP_PROMPT}, {"report a typo", DOPPEL_DROP_PROMPT},
    {"ctrl enter", DOPPEL_DROP_PROMPT}, {"write to us", DOPPEL_DROP_PROMPT},
    {"contact us", DOPPEL_DROP_PROMPT}, {"all rights reserved", DOPPEL_DROP_PROMPT},
    {"copyright", DOPPEL_DROP_PROMPT}, {"use cookies", DOPPEL_DROP_PROMPT},
    {"cookie policy", DOPPEL_DROP_PROMPT}, {"accept cookies", DOPPEL_DROP_PROMPT},
    {"cookie settings", DOPPEL_DROP_PROMPT},
    {"privacy policy", DOPPEL_DROP_PROMPT}, {"terms of use", DOPPEL_DROP_PROMPT},
    {"terms of service", DOPPEL_DROP_PROMPT}, {"click here", DOPPEL_DROP_PROMPT},
    {"continue reading", DOPPEL_DROP_PROMPT}, {"back to top", DOPPEL_DROP_PROMPT},
    {"skip to", DOPPEL_DROP_PROMPT}, {"download the app", DOPPEL_DROP_PROMPT},
    {"download our app", DOPPEL_DROP_PROMPT}, {"get the app", DOPPEL_DROP_PROMPT},
    {"support our journalism", DOPPEL_DROP_PROMPT}, {"free trial", DOPPEL_DROP_PROMPT},
    {"turn on notifications", DOPPEL_DROP_PROMPT}, {"abonnieren", DOPPEL_DROP_PROMPT},
    {"alle rechte vorbehalten", DOPPEL_DROP_PROMPT}, {"kommentar", DOPPEL_DROP_PROMPT},
    {"abonnez", DOPPEL_DROP_PROMPT}, {"s abonner", DOPPEL_DROP_PROMPT},
    {"partager", DOPPEL_DROP_PROMPT}, {"tous droits r", DOPPEL_DROP_PROMPT},
    {"suscr", DOPPEL_DROP_PROMPT}, {"compartir", DOPPEL_DROP_PROMPT},
    {"todos los derechos", DOPPEL_DROP_PROMPT}, {"iscriviti", DOPPEL_DROP_PROMPT},
    {NULL, 0}};

/* Advertisement markers: only when they are (nearly) the whole block. */
static const char *const adverts[] = {
    "advertisement", "advertising", "sponsored", "ad feedback", "adchoices", "paid content",
    "promoted", "anzeige", "werbung", "publicit", "publicidad", "pubblicit", "reklame", NULL};

/* Page furniture even when written as a sentence: a short block that
 * holds one of these and a prompt phrase is a prompt. */
static const char *const furniture[] = {
    "all rights reserved", "alle rechte vorbehalten", "tous droits r", "todos los derechos",
    "unless otherwise stated", "available to subscribers", "for subscribers",
    "subscribers only", "full article", "independent journalism", NULL};

/* Section markers that open a teaser / related / popular block. */
static const char *const markers[] = {
    "most popular", "popular", "most read", "related", "read more", "read also", "also read",
    "read next", "see also", "more news", "more stories", "more from", "more on this",
    "you may also like", "you might also like", "recommended", "trending", "latest news",
    "latest posts", "top stories", "other topics of interest", "editor s picks",
    "don t miss", "further reading", "lesen sie auch", "mehr zum thema", "lire aussi",
    "a lire aussi", "sur le m\xc3\xaame sujet", "noticias relacionadas", "te puede interesar",
    "leggi anche", "comments", "leave a reply", NULL};

/* Words of the law of copying, whole words (the space after each is part
 * of the entry), for dp_is_legal. At most 32: seen as bits. */
static const char *const legal_words[] = {
    "copyright ", "copyrighted ", "rights ", "reserved ", "prohibited ", "redistribution ",
    "republication ", "redistributed ", "republished ", "rewritten ", "broadcast ",
    "permission ", "consent ", "trademark ", "trademarks ", "disclaimer ", "terms ",
    "privacy ", "policy ", "agreement ", "warranty ", "warranties ", "disclaims ", "implied ",
    "liability ", NULL};

/* Breadcrumb roots: "Home" followed by a separator or glued to the next
 * crumb ("HomeWorldRussia's ..."). */
static const char *const crumb_roots[] = {"Home", "Startseite", "Accueil", "Inicio", NULL};

/* A phrase table grouped by its first PHRASE_PREFIX bytes, so that a
 * block is matched against a whole table in one pass over its word starts
 * instead of one strstr per phrase. Most word starts meet an empty group,
 * and a whole prefix compared as one number turns away the words that
 * only share a group or a first syllable ("company", "report") before a
 * memcmp. Phrases keep their table order within a group. */
#define MAX_PHRASES 128
#define NO_PHRASE 0xFF
#define PHRASE_BUCKETS 1024
typedef struct phrase_index {
    const char *text[MAX_PHRASES];
    uint32_t prefix[MAX_PHRASES];      /* phrase_key of the text */
    uint8_t len[MAX_PHRASES];
    uint8_t next[MAX_PHRASES];         /* next phrase in the same group, or NO_PHRASE */
    uint8_t head[PHRASE_BUCKETS];      /* first phrase of each group, or NO_PHRASE */
} phrase_index;

static phrase_index prompt_index, advert_index, furniture_index, marker_index, legal_index;

/* The first PHRASE_PREFIX bytes at w as one number (in memory order, so
 * phrases and words agree on any machine). */
static uint32_t phrase_key(const char *w) {
    uint32_t k;
    memcpy(&k, w, sizeof k);
    return k;
}

static unsigned phrase_bucket(uint32_t key) {
    return (unsigned)((key * 0x9E3779B1u) >> 22) & (PHRASE_BUCKETS - 1);
}

/* Called for k = n-1 down to 0, so each group ends up in ascending order. */
static void phrase_index_push(phrase_index *x, unsigned k, const char *text) {
    x->text[k] = text;
    x->len[k] = (uint8_t)strlen(text);
    assert(x->len[k] >= PHRASE_PREFIX);
    x->prefix[k] = phrase_key(text);
    unsigned g = phrase_bucket(x->prefix[k]);
    x->next[k] = x->head[g];
    x->head[g] = (uint8_t)k;
}

/* Does phrase k of x occur at word start p of words (the lower_words form,
 * n bytes)? */
static int phrase_is_at(const phrase_index *x, unsigned k, const char *words, size_t n,
                        size_t p, uint32_t key) {
    return x->prefix[k] == key && x->len[k] <= n - p &&
           !memcmp(words + p + PHRASE_PREFIX, x->text[k] + PHRASE_PREFIX,
                   x->len[k] - PHRASE_PREFIX);
}

/* The first phrase before table index limit that occurs at word start p of
 * words, or NO_PHRASE. */
static unsigned phrase_at(const phrase_index *x, const char *words, size_t n, size_t p,
                          unsigned limit) {
    uint32_t key = phrase_key(words + p);
    for (unsigned k = x->head[phrase_bucket(key)]; k < limit; k = x->next[k])
        if (phrase_is_at(x, k, words, n, p, key)) return k;
    return NO_PHRASE;
}

/* The spaces among words[base, base + 64) before limit, as bits. Word
 * starts are visited through these masks rather than one memchr per word:
 * a word is a few bytes, and a search per word costs a call and a
 * mispredicted exit each time. */
static inline uint64_t space_bits(const char *words, size_t base, size_t limit) {
    uint64_t m = 0;
    size_t n = limit - base < 64 ? limit - base : 64;
#ifdef __SSE2__
    if (n == 64) {
        const __m128i sp = _mm_set1_epi8(' ');
        for (int k = 0; k < 4; k++) {
            __m128i v = _mm_loadu_si128((const __m128i *)(words + base + 16 * k));
            m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, sp)) << (16 * k);
        }
        return m;
    }
#endif
    for (size_t i = 0; i < n; i++) m |= (uint64_t)(words[base + i] == ' ') << i;
    return m;
}

/* The first phrase of the table (in table order) that occurs at a word
 * start of words (the lower_words form, n bytes), or -1. */
static int first_phrase(const phrase_index *x, const char *words, size_t n) {
    unsigned best = NO_PHRASE;
    /* Word starts are the bytes after a space but the last: lower_words
     * leaves no two spaces in a row and a space at both ends. */
    for (size_t base = 0, last = n - 1; n && base < last; base += 64)
        for (uint64_t m = space_bits(words, base, last); m; m &= m - 1) {
            unsigned k = phrase_at(x, words, n, base + (size_t)__builtin_ctzll(m) + 1, best);
            if (k < best) best = k;
        }
    return best == NO_PHRASE ? -1 : (int)best;
}

static void phrase_index_init(void) {
    size_t n = 0;
    memset(prompt_index.head, NO_PHRASE, sizeof prompt_index.head);
    while (prompts[n].text) n++;
    assert(n < MAX_PHRASES);
    for (size_t k = n; k-- > 0;) phrase_index_push(&prompt_index, (unsigned)k, prompts[k].text);
    memset(advert_index.head, NO_PHRASE, sizeof advert_index.head);
    for (n = 0; adverts[n];) n++;
    assert(n < MAX_PHRASES);
    for (size_t k = n; k-- > 0;) phrase_index_push(&advert_index, (unsigned)k, adverts[k]);
    memset(furniture_index.head, NO_PHRASE, sizeof furniture_index.head);
    for (n = 0; furniture[n];) n++;
    assert(n < MAX_PHRASES);
    for (size_t k = n; k-- > 0;) phrase_index_push(&furniture_index, (unsigned)k, furniture[k]);
    memset(marker_index.head, NO_PHRASE, sizeof marker_index.head);
    for (n = 0; markers[n];) n++;
    assert(n < MAX_PHRASES);
    for (size_t k = n; k-- > 0;) phrase_index_push(&marker_index, (unsigned)k, markers[k]);
    memset(legal_index.head, NO_PHRASE, sizeof legal_index.head);
    for (n = 0; legal_words[n];) n++;
    assert(n <= 32);
    for (size_t k = n; k-- > 0;) phrase_index_push(&legal_index, (unsigned)k, legal_words[k]);
}

/* Words that address the reader ("sign up for our newsletter", "enter your
 * email"), in the lower_words form. */
static const char *const reader_words[] = {
    " you ", " your ", " yours ", " our ", " us ", " vous ", " votre ", " vos ", " notre ",
    " nos ", " unser", " usted ", " nuestr", " tu ", " tus ", NULL};

/* "copyright" before its holder or year ("All content copyright Acme News",
 * "copyright 2014 Reuters") is a notice; "copyright infringement" is news. */
static int copyright_notice(const char *s, size_t len) {
    for (size_t i = 0; i + 11 <= len; i++) {
        if ((s[i] | 32) != 'c' || strncasecmp(s + i, "copyright ", 10)) continue;
        unsigned char c = (unsigned char)s[i + 10];
        if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return 1;
    }
    return 0;
}

/* A prompt phrase (prompts[k], found somewhere in words) makes the block a
 * prompt unless the block is reported prose that merely mentions it: news
 * writes "the malware steals login credentials", "7 cts per share on
 * revenues", "the newsletter said", "would be the first to agree". A block
 * is taken for a prompt when it is a label (a few words, or not a
 * sentence), when it speaks to the reader, when it opens with the phrase
 * ("Sign up for the Morning Brief."), or when it also holds page furniture
 * ("The full article is available to subscribers.", a copyright notice).
 * On Reuters-21578 this keeps 344 of 355 lines the phrase table alone
 * dropped from news text (doppel extract --explain). */
static int prompt_applies(const dp_words *w, int ends, const char *s, size_t len,
                          const char *words, size_t n, int k) {
    /* Menus and buttons are not sentences and hardly use function words;
     * a fragment of prose cut by bad markup still does. A footer row of
     * links written as sentences ("Site. Terms of use. Privacy policy.")
     * has fewer than three words a sentence. */
    unsigned stops = 0;
    for (size_t i = 0; i < len; i++)
        stops += (s[i] == '.' || s[i] == '!' || s[i] == '?') &&
                 (i + 1 == len || s[i + 1] == ' ' || s[i + 1] == '\n');
    int label = w->words <= 4 || w->words < 3 * stops ||
                (!ends && (w->words <= 6 || w->stopwords * 10 < w->words * 3));
    if (label || first_phrase(&furniture_index, words, n) >= 0 ||
        (!strcmp(prompts[k].text, "copyright") && copyright_notice(s, len)))
        return 1;
    /* Any prompt at the start as a whole word ("Sign up ...", "Subscribe
     * ..."), not as the stem of a noun ("Subscriptions close March 20."). */
    unsigned first = phrase_at(&prompt_index, words, n, 1, NO_PHRASE);
    if (first != NO_PHRASE && words[1 + prompt_index.len[first]] == ' ') return 1;
    for (int i = 0; reader_words[i]; i++)
        if (memmem(words, n, reader_words[i], strlen(reader_words[i]))) return 1;
    return 0;
}

/* " popular news " starts with marker "popular" and adds at most two
 * words (words: the lower_words form, n bytes). */
int dp_starts_with_marker(const char *words, size_t n, uint32_t nwords) {
    uint32_t key = phrase_key(words + 1);
    for (unsigned k = marker_index.head[phrase_bucket(key)]; k != NO_PHRASE;
         k = marker_index.next[k]) {
        if (!phrase_is_at(&marker_index, k, words, n, 1, key) ||
            words[1 + marker_index.len[k]] != ' ')
            continue;
        uint32_t mw = 1;
        for (const char *c = markers[k]; *c; c++) mw += *c == ' ';
        if (nwords <= mw + 2) return 1;
    }
    return 0;
}

int dp_is_breadcrumb(const char *s, size_t len, const dp_words *w) {
    for (int i = 0; crumb_roots[i]; i++) {
        if (*s != crumb_roots[i][0]) continue;  /* as most blocks do: no call */
        size_t n = strlen(crumb_roots[i]);
        if (len <= n || memcmp(s, crumb_roots[i], n)) continue;
        unsigned char c = (unsigned char)s[n];
        if ((c >= 'A' && c <= 'Z') || c == '>' || c == '/' || c == '|' || c == 0xC2 ||
            c == 0xE2 || (c == ' ' && n + 1 < len && strchr(">/|", s[n + 1])))
            return 1;
    }
    /* Menus: several short items between separators. Most blocks hold no
     * byte a separator starts with: memchr (vectorized) rules them out
     * before the byte loop, whose branch on every space mispredicts. */
    if (!memchr(s, '|', len) && !memchr(s, '>', len) && !memchr(s, '/', len) &&
        !memchr(s, 0xC2, len) && !memchr(s, 0xE2, len))
        return 0;
    size_t seps = 0;
    for (size_t i = 0; i + 2 < len; i++) {
        if (s[i] != ' ') continue;
        unsigned char c = (unsigned char)s[i + 1];
        if ((c == '|' || c == '>' || c == '/') && s[i + 2] == ' ') seps++;
        else if (c == 0xC2 && i + 3 < len && ((unsigned char)s[i + 2] == 0xBB ||
                                               (unsigned char)s[i + 2] == 0xB7) && s[i + 3] == ' ')
            seps++;  /* » · */
        else if (c == 0xE2 && i + 4 < len && (unsigned char)s[i + 2] == 0x80 &&
                 ((unsigned char)s[i + 3] == 0xBA || (unsigned char)s[i + 3] == 0xA2) &&
                 s[i + 4] == ' ')
            seps++;  /* › • */
    }
    return seps >= 2 && w->words <= (seps + 1) * 4;
}

/* "KIM WON JIN/AFP/WireImage", "Photo: AP/Reuters": short, slashed, no stop. */
int dp_is_credit(const char *s, size_t len, const dp_words *w) {
    if (w->words > 8) return 0;  /* both tests below need a few words; skip the scans */
    static const char *const prefixes[] = {"Photo:", "Image:", "Picture:", "Credit:",
                                           "Photograph:", "Foto:", "Bild:", NULL};
    for (int i = 0; prefixes[i]; i++)
        if (len > strlen(prefixes[i]) && !memcmp(s, prefixes[i], strlen(prefixes[i])) &&
            w->words <= 8)
            return 1;
    size_t slashes = 0;
    for (size_t i = 1; i + 1 < len; i++)
        slashes += s[i] == '/' && s[i - 1] != ' ' && s[i + 1] != ' ' && s[i - 1] != '/' &&
                   s[i + 1] != '/';
    return slashes >= 2 && w->words <= 8 && !dp_ends_sentence(s, len);
}

/* "By Jo Marsh", "By Staff Reporter | 12 March 2024": who wrote it, not what. */
int dp_is_byline(const char *s, size_t len, const dp_words *w) {
    return len > 4 && !memcmp(s, "By ", 3) && s[3] >= 'A' && s[3] <= 'Z' && w->words <= 10 &&
           !dp_ends_sentence(s, len);
}

/* One-word blocks that are controls of the page, not words of the text. */
int dp_is_control(const char *words, uint32_t nwords) {
    static const char *const controls[] = {" menu ", " search ", " navigation ", " close ",
                                           " home ", " top ", " print ", " email ",
                                           " share ", " more ", " next ", " previous ", NULL};
    if (nwords != 1) return 0;
    for (int i = 0; controls[i]; i++)
        if (!strcmp(words, controls[i])) return 1;
    return 0;
}

int dp_truncated(const char *s, size_t len) {
    while (len && s[len - 1] == ' ') len--;
    return (len >= 3 && !memcmp(s + len - 3, "...", 3)) ||
           (len >= 3 && !memcmp(s + len - 3, "\xE2\x80\xA6", 3));
}

/* Legal boilerplate in sentences ("Redistribution, republication ... is
 * expressly prohibited without the prior written consent of ..."): three
 * different words of the law of copying in one paragraph. */
int dp_is_legal(const char *words, size_t n) {
    unsigned seen = 0, kinds = 0;
    for (size_t base = 0, last = n - 1; n && base < last; base += 64)  /* as first_phrase */
        for (uint64_t m = space_bits(words, base, last); m; m &= m - 1) {
            size_t p = base + (size_t)__builtin_ctzll(m) + 1;
            unsigned k = phrase_at(&legal_index, words, n, p, NO_PHRASE);
            if (k != NO_PHRASE && !(seen & (1u << k))) {
                seen |= 1u << k;
                kinds++;
            }
        }
    return kinds >= 3;
}

/* Contains ©. (memchr for its first byte beats memmem on short blocks.) */
int dp_has_copyright_sign(const char *s, size_t len) {
    const char *end = s + len;
    for (const char *p = s; (p = memchr(p, 0xC2, (size_t)(end - p))) && p + 1 < end; p++)
        if ((unsigned char)p[1] == 0xA9) return 1;
    return 0;
}

static pthread_once_t phrases_once = PTHREAD_ONCE_INIT;

void dp_phrases_init(void) { pthread_once(&phrases_once, phrase_index_init); }

int dp_is_advert(const char *words, size_t n) {
    return first_phrase(&advert_index, words, n) >= 0;
}

int dp_prompt_reason(const dp_words *w, int ends, const char *s, size_t len, const char *words,
                     size_t n) {
    int k = first_phrase(&prompt_index, words, n);
    if (k >= 0 && prompt_applies(w, ends, s, len, words, n, k)) return prompts[k].reason;
    return 0;
}
