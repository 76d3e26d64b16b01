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
 * mispredicted exit each time. The PHRASE_PAD NUL bytes after the form
 * make the 64 bytes readable for any base < limit < n, so a short block
 * (most that get here) takes the vector path too. */
static inline uint64_t space_bits(const char *words, size_t base, size_t limit) {
    uint64_t m = 0;
    size_t n = limit - base < 64 ? limit - base : 64;
#ifdef __SSE2__
    const __m128i sp = _mm_set1_epi8(' ');
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(words + base + 16 * k));
        m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, sp)) << (16 * k);
    }
    return n == 64 ? m : m & ((1ull << n) - 1);
#else
    for (size_t i = 0; i < n; i++) m |= (uint64_t)(words[base + i] == ' ') << i;
    return m;
#endif
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

static void legal_filter_init(void);

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
    legal_filter_init();
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
        if (*s == prefixes[i][0] && len > strlen(prefixes[i]) &&  /* most blocks: no call */
            !memcmp(s, prefixes[i], strlen(prefixes[i])) && w->words <= 8)
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

static pthread_once_t phrases_once = PTHREAD_ONCE_INIT;

void dp_phrases_init(void) { pthread_once(&phrases_once, phrase_index_init); }

/* ---- legal words in a block's own bytes ------------------------------------- */

/* dp_is_legal reads the lower_words form, which costs a pass that writes
 * the block and a table probe at every word start. Most blocks that reach
 * the test are long prose with no word of the law of copying at all, so
 * dp_is_legal_text answers from the block's bytes: a word start there is
 * a byte lower_words keeps (ASCII letter or digit, non-ASCII byte) after
 * one it turns into a space, and a legal word matches at it when its
 * letters follow in either case and a byte lower_words turns into a space
 * (or the end) follows them; which is exactly where the lower_words form
 * has " word ". With AVX-512 only the word starts whose first four bytes
 * could begin a legal word are probed: a table filter in the manner of
 * Hyperscan's "Teddy", 64 bytes at a time: the legal words are grouped in
 * eight buckets by first letter, and byte j of a start passes for the
 * buckets with a word whose letter j has the byte's low 6 bits (one VBMI
 * permute a byte: the letters have 6-bit codes of their own; other bytes
 * that share one are turned away by legal_at). */
static uint8_t teddy[PHRASE_PREFIX][64];
/* Without AVX-512: a 32 x 32 bit table of the first two letters (byte &
 * 31: 1-26 for the letters; other bytes may alias them, which legal_at
 * sorts out). */
static uint32_t legal_pairs[32];
#ifdef HAVE_AVX512
static int legal_avx512;  /* the CPU has what legal_text_avx512 uses */
#endif

static void legal_filter_init(void) {
#ifdef HAVE_AVX512
    legal_avx512 = dp_cpu_avx512bw() && dp_cpu_avx512_vbmi2() && dp_cpu_avx512_vbmi();
#endif
    char firsts[32] = {0};
    size_t nfirst = 0;
    for (int k = 0; legal_words[k]; k++) {
        const char *t = legal_words[k];
        const char *f = memchr(firsts, t[0], nfirst);
        size_t order = f ? (size_t)(f - firsts) : nfirst;
        if (!f && nfirst < sizeof firsts) firsts[nfirst++] = t[0];
        unsigned bucket = 1u << (order % 8);
        legal_pairs[t[0] & 31] |= 1u << (t[1] & 31);
        for (int j = 0; j < PHRASE_PREFIX; j++) {
            unsigned char c = (unsigned char)t[j];
            assert(c >= 'a' && c <= 'z');  /* legal_at lowers with | 0x20 */
            teddy[j][c & 63] |= (uint8_t)bucket;
        }
    }
}

/* A byte lower_words keeps: an ASCII letter or digit, or a non-ASCII byte. */
static inline int kept_byte(unsigned char c) {
    return (unsigned)(c - '0') < 10u || (unsigned)((c | 32) - 'a') < 26u || c >= 0x80;
}

/* The legal word at word start i of s[0..len), or NO_PHRASE: what
 * phrase_at(&legal_index) finds at the same word start of the lower_words
 * form. The entries are lower-case letters and a space, so b | 0x20 equals
 * a letter exactly when b is that letter in either case. */
static unsigned legal_at(const unsigned char *s, size_t len, size_t i) {
    if (len - i < PHRASE_PREFIX) return NO_PHRASE;
    uint32_t key;
    memcpy(&key, s + i, sizeof key);
    key |= 0x20202020u;
    for (unsigned k = legal_index.head[phrase_bucket(key)]; k != NO_PHRASE;
         k = legal_index.next[k]) {
        size_t n = legal_index.len[k] - 1u;  /* its letters; the space is the word's end */
        if (legal_index.prefix[k] != key || n > len - i) continue;
        const char *t = legal_index.text[k];
        size_t j = PHRASE_PREFIX;
        while (j < n && (s[i + j] | 32) == (unsigned char)t[j]) j++;
        if (j == n && (i + n == len || !kept_byte(s[i + n]))) return k;
    }
    return NO_PHRASE;
}

/* Adds legal word k to the set seen; 1 once three kinds are in it. */
static inline int legal_seen(uint32_t *seen, unsigned k) {
    if (k == NO_PHRASE) return 0;
    *seen |= 1u << k;
    return bit_count(*seen) >= 3;
}

/* Can a legal word start with the bytes at s (two of them readable)? The
 * first two letters looked up in legal_pairs. */
static inline int legal_filter(const unsigned char *s) {
    return (int)(legal_pairs[s[0] & 31] >> (s[1] & 31) & 1);
}

/* The bytes lower_words keeps among c[0..64), as bits. */
static inline uint64_t kept_bits(const unsigned char *c) {
    uint64_t kept = 0;
#ifdef __SSE2__
    const __m128i bit5 = _mm_set1_epi8(0x20);
    const __m128i a_lo = _mm_set1_epi8('a' - 1), a_hi = _mm_set1_epi8('z' + 1);
    const __m128i d_lo = _mm_set1_epi8('0' - 1), d_hi = _mm_set1_epi8('9' + 1);
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(c + 16 * k));
        __m128i y = _mm_or_si128(v, bit5);
        /* Signed compares: non-ASCII bytes are negative, and kept. */
        __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(y, a_lo), _mm_cmplt_epi8(y, a_hi));
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, d_lo), _mm_cmplt_epi8(v, d_hi));
        __m128i high = _mm_cmplt_epi8(v, _mm_setzero_si128());
        kept |= (uint64_t)(unsigned)_mm_movemask_epi8(
                    _mm_or_si128(_mm_or_si128(alpha, digit), high)) << (16 * k);
    }
#else
    for (unsigned j = 0; j < 64; j++) kept |= (uint64_t)kept_byte(c[j]) << j;
#endif
    return kept;
}

/* Word starts 64 bytes at a time (the last chunk zero-padded: a zero byte
 * is not kept); the filter marks the candidates among them without a
 * branch (one per word start would mispredict every few words), and only
 * those are looked up. */
static int legal_text_portable(const unsigned char *s, size_t len) {
    uint32_t seen = 0;
    uint64_t carry = 0;  /* the byte before the chunk is kept */
    unsigned char pad[64 + PHRASE_PREFIX];
    for (size_t i = 0; i < len; i += 64) {
        const unsigned char *c = s + i;
        if (len - i < 64 + PHRASE_PREFIX) {
            memset(pad, 0, sizeof pad);
            memcpy(pad, s + i, len - i);
            c = pad;
        }
        uint64_t kept = kept_bits(c);
        uint64_t starts = kept & ~((kept << 1) | carry), cand = 0;
        carry = kept >> 63;
        for (; starts; starts &= starts - 1) {
            unsigned p = (unsigned)__builtin_ctzll(starts);
            cand |= (uint64_t)legal_filter(c + p) << p;
        }
        for (; cand; cand &= cand - 1)
            if (legal_seen(&seen, legal_at(s, len, i + (size_t)__builtin_ctzll(cand)))) return 1;
    }
    return 0;
}

#ifdef HAVE_AVX512
__attribute__((target("avx512f,avx512bw,avx512vbmi"))) static int legal_text_avx512(
    const unsigned char *s, size_t len) {
    const __m512i bit5 = _mm512_set1_epi8(0x20);
    __m512i table[PHRASE_PREFIX];
    for (int j = 0; j < PHRASE_PREFIX; j++) table[j] = _mm512_loadu_si512(teddy[j]);
    uint32_t seen = 0;
    uint64_t carry = 0;  /* the byte before the chunk is kept */
    for (size_t i = 0; i < len; i += 64) {
        __m512i cand = _mm512_set1_epi8(-1);
        uint64_t kept = 0;
        for (int j = 0; j < PHRASE_PREFIX; j++) {
            /* Bytes past the end read as 0: ' ' once lowered, in no bucket. */
            size_t avail = len - i > (size_t)j ? len - i - (size_t)j : 0;
            if (!avail) {
                cand = _mm512_setzero_si512();
                break;
            }
            __mmask64 in = avail >= 64 ? ~0ull : (1ull << avail) - 1;
            __m512i v = _mm512_maskz_loadu_epi8(in, s + i + j);
            __m512i y = _mm512_or_si512(v, bit5);
            if (j == 0) {
                __mmask64 alpha = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(y, _mm512_set1_epi8('a')),
                                                         _mm512_set1_epi8(26));
                __mmask64 digit = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('0')),
                                                         _mm512_set1_epi8(10));
                kept = alpha | digit | _mm512_movepi8_mask(v);
            }
            cand = _mm512_and_si512(cand, _mm512_permutexvar_epi8(y, table[j]));
        }
        uint64_t starts = kept & ~((kept << 1) | carry);
        carry = kept >> 63;
        for (uint64_t c = starts & _mm512_test_epi8_mask(cand, cand); c; c &= c - 1)
            if (legal_seen(&seen, legal_at(s, len, i + (size_t)__builtin_ctzll(c)))) return 1;
    }
    return 0;
}
#endif

const uint8_t (*dp_legal_filter(void))[64] {
    dp_phrases_init();
    return (const uint8_t (*)[64])teddy;
}

int dp_is_legal_text(const char *s, size_t len) {
    dp_phrases_init();
#ifdef HAVE_AVX512
    if (legal_avx512) return legal_text_avx512((const unsigned char *)s, len);
#endif
    return legal_text_portable((const unsigned char *)s, len);
}

int dp_is_legal_text_portable(const char *s, size_t len) {
    dp_phrases_init();
    return legal_text_portable((const unsigned char *)s, len);
}

/* Contains ©. (memchr for its first byte beats memmem on short blocks.) */
int dp_has_copyright_sign(const char *s, size_t len) {
    const char *end = s + len;
    for (const char *p = s; (p = memchr(p, 0xC2, (size_t)(end - p))) && p + 1 < end; p++)
        if ((unsigned char)p[1] == 0xA9) return 1;
    return 0;
}


int dp_is_advert(const char *words, size_t n) {
    return first_phrase(&advert_index, words, n) >= 0;
}

int dp_prompt_reason(const dp_words *w, int ends, const char *s, size_t len, const char *words,
                     size_t n) {
    int k = first_phrase(&prompt_index, words, n);
    if (k >= 0 && prompt_applies(w, ends, s, len, words, n, k)) return prompts[k].reason;
    return 0;
}
