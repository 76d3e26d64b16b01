/*
 * boilerplate.c — layer 1: which blocks of one page are the article.
 *
 * The core is jusText's (Pomikálek 2011) two-step classification. Each block
 * first gets a class from its own text:
 *
 *   link density > max_link_density                    bad   (links)
 *   length < length_low, any link text                  bad   (links)
 *   length < length_low                                 short
 *   stopword share >= stopwords_high, length >= high    good
 *   stopword share >= stopwords_low                     neargood
 *   otherwise                                           bad   (not-prose)
 *
 * then short and neargood blocks take their class from their neighbours, so
 * a short line between two article paragraphs survives and a borderline
 * line in a run of chrome does not:
 *
 *   short:    nearest non-short, non-neargood neighbours both good -> good;
 *             both bad (the page edges count as bad) -> bad; mixed -> good
 *             only when a neargood block sits on the bad side, else bad
 *   neargood: nearest good/bad neighbours both bad -> bad, else good
 *   heading:  a short heading within max_heading_distance bytes before a
 *             good block is kept
 *
 * The thresholds (all in doppel_extract_options):
 *
 *   option                default  meaning
 *   length_low             70      bytes; shorter blocks are "short"
 *   length_high           200      bytes; a good block is at least this long
 *   stopwords_low         0.22     share of function words below which a block
 *                                  is not running text
 *   stopwords_high        0.26     share at which a long block is good
 *   max_link_density      0.2      share of link text above which a block is links
 *   max_heading_distance  200      bytes between a heading and the good text it heads
 *
 * The stopword shares are lower than jusText's (0.30/0.32) because the list
 * below is short (about 200 words) and shared by several languages rather
 * than one long per-language list; on the labeled set in tests/data/extract
 * these values separate prose from chrome best. When a page's words hardly
 * ever hit the list (a language it does not cover), the stopword test is
 * replaced by sentence punctuation, so such pages are not emptied.
 *
 * Before that, rules that context cannot overrule ("hard"), because they
 * recognise chrome by what it says or how it is laid out rather than by its
 * length: prompts (subscribe, share, comment, login, legal, correction
 * requests), advertisement markers, breadcrumbs and menus, lines with no
 * letters (share counters), photo credits, short lines repeated within the
 * page, and teaser blocks: after a section marker ("Most Popular",
 * "Related", "Other Topics of Interest", ...) every headline and the blurb
 * under each headline is dropped until two prose paragraphs follow each
 * other again; and runs of headline + truncated blurb ("...") are dropped
 * wherever they are. The phrase tables are English first with the most
 * common equivalents in a few other languages; they only act on short
 * blocks, so an article that discusses subscriptions is not touched.
 */
#include "extract/extract_int.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <xxhash.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
/* dp_count_words reads 64-byte windows as bit masks (it needs ctz/clz and
 * little-endian keys); it and dp_lower_words use AVX-512 where the CPU has
 * it. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WORD_WINDOWS 1
#ifdef __x86_64__
#include <immintrin.h>
#define HAVE_AVX512 1
#endif
#endif

/* ---- words and stopwords ------------------------------------------------ */

/* Function words: English, plus the most frequent ones of German, French,
 * Spanish, Italian, Portuguese and Dutch, so the share means "running text"
 * in those languages too. */
static const char *const stopword_list[] = {
    "a", "about", "above", "after", "again", "against", "all", "also", "although", "am",
    "among", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before",
    "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does",
    "doing", "down", "during", "each", "even", "few", "for", "from", "further", "had", "has",
    "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how",
    "however", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "may", "me",
    "might", "more", "most", "much", "must", "my", "no", "nor", "not", "now", "of", "off",
    "on", "once", "one", "only", "or", "other", "our", "out", "over", "own", "per", "said",
    "same", "says", "she", "should", "since", "so", "some", "still", "such", "than", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "those", "though",
    "through", "to", "too", "under", "until", "up", "upon", "very", "was", "we", "were",
    "what", "when", "where", "whether", "which", "while", "who", "whom", "whose", "why",
    "will", "with", "within", "without", "would", "yet", "you", "your",
    /* de */ "der", "die", "das", "und", "ist", "nicht", "mit", "von", "zu", "den", "im",
    "sich", "des", "auf", "für", "ein", "eine", "dem", "auch", "es", "wird", "wurde", "sie",
    /* fr */ "le", "la", "les", "et", "est", "un", "une", "du", "que", "qui", "dans", "pour",
    "pas", "sur", "au", "aux", "ce", "ses", "son", "sont", "été", "avec", "il", "elle",
    /* es, it, pt */ "el", "los", "las", "y", "en", "del", "se", "por", "con", "para", "una",
    "es", "lo", "su", "di", "che", "non", "della", "il", "per", "da", "do", "em", "um", "uma",
    "não", "os", "ao", "como", "mas", "foi",
    /* nl */ "de", "het", "een", "van", "zijn", "niet", "op", "met", "voor", "dat", "er",
    NULL};

/* The scorer counts words in every block of every document, so this is the
 * hot loop of extraction; it is table-driven and touches each byte once.
 *
 * A stopword is at most SW_MAXLEN (8) bytes, so a lower-cased word of that
 * length packs into one uint64_t (bytes in order, zero-padded; words hold
 * no NUL byte, so the packing is one-to-one). The set is a table of
 * buckets of two keys, addressed by a multiplicative hash whose multiplier
 * is chosen at start-up so that no bucket overflows: a lookup is one
 * multiply and two compares, without a branch (most words are not
 * stopwords, and a probe loop mispredicts on every other word). */
#define SW_BUCKETS 512  /* power of two */
#define SW_SHIFT (64 - 9)
#define SW_MAXLEN 8
/* Empty slots hold spaces: no word has a space, nor an empty key (0). */
#define SW_EMPTY 0x2020202020202020ull
static uint64_t sw_table[SW_BUCKETS][2];
/* [n]: the bytes of a key a word of n bytes fills. */
static uint64_t sw_key_bytes[SW_MAXLEN + 1];
static uint64_t sw_mult;
#ifdef HAVE_AVX512
static int windows_avx512;  /* the CPU has what count_windows_avx512 uses */
static int lower_avx512;    /* and what lower_words_avx512 uses */
#endif
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static inline const uint64_t *sw_bucket(uint64_t key) {
    return sw_table[(key * sw_mult) >> SW_SHIFT];
}

/* Byte classes for word scanning. */
enum {
    WB_DIGIT = 1,   /* 0-9; bit 0, so that it can be added up directly */
    WB_WORD = 2,    /* ASCII letter or digit, or a non-ASCII byte other than 0xE2 */
    WB_SPECIAL = 4, /* ' and 0xE2: in a word or not depending on what follows */
    WB_UPPER = 8    /* A-Z */
};
static uint8_t wb_class[256];
/* lower_words: A-Z lowered, other ASCII punctuation a space, the rest kept. */
static uint8_t lw_map[256];

/* The key of a stopword or word: its bytes, zero-padded, as loaded by
 * memcpy; the same function builds the table and the lookups, so the byte
 * order of the machine does not matter. */
static uint64_t sw_key(const char *w, size_t n) {
    unsigned char b[SW_MAXLEN] = {0};
    memcpy(b, w, n);
    uint64_t k;
    memcpy(&k, b, sizeof k);
    return k;
}

/* A-Z to a-z in each byte of w; other bytes (UTF-8 included) unchanged. */
static inline uint64_t lower_ascii8(uint64_t w) {
    const uint64_t high = 0x8080808080808080ull, low7 = 0x7F7F7F7F7F7F7F7Full;
    uint64_t x = w & low7;
    uint64_t ge_a = x + 0x3F3F3F3F3F3F3F3Full;  /* high bit: x >= 'A' */
    uint64_t gt_z = x + 0x2525252525252525ull;  /* high bit: x > 'Z' */
    return w | ((ge_a & ~gt_z & ~w & high) >> 2);
}

/* The lower-cased key of the word s[0..n), n <= SW_MAXLEN; avail bytes
 * are readable from s. */
static uint64_t word_key(const unsigned char *s, size_t n, size_t avail) {
    if (avail < SW_MAXLEN) return lower_ascii8(sw_key((const char *)s, n));
    uint64_t w;
    memcpy(&w, s, sizeof w);
    if (n < SW_MAXLEN) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w &= ~(~0ull >> (8 * n));
#else
        w &= (1ull << (8 * n)) - 1;
#endif
    }
    return lower_ascii8(w);
}

static void phrase_index_init(void);

static void tables_init(void) {
    phrase_index_init();
#ifdef HAVE_AVX512
    windows_avx512 = dp_cpu_avx512bw();
    lower_avx512 = dp_cpu_avx512_vbmi2();
#endif
    for (int c = 0; c < 256; c++) {
        uint8_t cl = 0;
        if (c >= 0x80 || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z'))
            cl = WB_WORD;
        if (c == '\'' || c == 0xE2) cl = WB_SPECIAL;
        if (c >= 'A' && c <= 'Z') cl |= WB_UPPER;
        if (c >= '0' && c <= '9') cl |= WB_DIGIT;
        wb_class[c] = cl;
        uint8_t l = (uint8_t)c;
        if (c >= 'A' && c <= 'Z') l = (uint8_t)(c + 32);
        else if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) l = ' ';
        lw_map[c] = l;
    }
    char ones[SW_MAXLEN];
    memset(ones, 0xFF, sizeof ones);
    for (size_t n = 1; n <= SW_MAXLEN; n++) sw_key_bytes[n] = sw_key(ones, n);
    /* Odd multipliers from a fixed sequence (splitmix64), so the table is
     * the same in every run; about one in a hundred fits the list. */
    uint64_t seq = 0;
    for (;;) {
        uint64_t z = (seq += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        sw_mult = (z ^ (z >> 31)) | 1;
        for (int b = 0; b < SW_BUCKETS; b++) sw_table[b][0] = sw_table[b][1] = SW_EMPTY;
        int fits = 1;
        for (int i = 0; fits && stopword_list[i]; i++) {
            size_t n = strlen(stopword_list[i]);
            assert(n <= SW_MAXLEN);  /* a longer stopword would never match: widen the key */
            uint64_t key = sw_key(stopword_list[i], n);
            uint64_t *b = sw_table[(key * sw_mult) >> SW_SHIFT];
            if (b[0] == key || b[1] == key) continue;  /* listed twice */
            if (b[0] == SW_EMPTY) b[0] = key;
            else if (b[1] == SW_EMPTY) b[1] = key;
            else fits = 0;
        }
        if (fits) break;
    }
}

static inline int is_stopword_key(uint64_t key) {
    const uint64_t *b = sw_bucket(key);
    return (b[0] == key) | (b[1] == key);
}

/* Bytes that belong to a word: ASCII letters and digits and any non-ASCII
 * byte, except UTF-8 general punctuation (U+2000-U+206F: typographic quotes,
 * dashes, ellipsis), which would otherwise glue quotes onto words. */
static int ascii_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

/* Counts of dp_count_words as it goes. */
typedef struct word_tally {
    uint32_t words, stop, caps, lower_stop, letters, digits;
} word_tally;

/* Count the word s[0..n) (its letters and digits are added by the caller);
 * avail bytes are readable from s. */
static inline void tally_word(word_tally *t, const unsigned char *s, size_t n, size_t avail) {
    int upper = (unsigned)(s[0] - 'A') < 26u;
    t->words++;
    t->caps += upper;
    if (n <= SW_MAXLEN && is_stopword_key(word_key(s, n, avail))) {
        t->stop++;
        t->lower_stop += !upper;
    }
}

/* One step of the byte-wise scan from i, which is not inside a word: step
 * over a separator byte, or count the word that starts at i. Returns the
 * position after what it consumed. This is the definition of a word; the
 * window scan below only takes the shortcuts it can prove equal. */
static size_t scan_step(const unsigned char *s, size_t len, size_t i, word_tally *t) {
    unsigned cl = wb_class[s[i]];
    if (!(cl & WB_WORD)) {
        /* A word starts at a letter, a digit or a non-ASCII byte; an
         * apostrophe never starts one, and neither does 0xE2 when it opens
         * general punctuation (only that byte is skipped: the next one, a
         * continuation byte, does start a word). */
        if (s[i] != 0xE2 || (i + 1 < len && (s[i + 1] == 0x80 || s[i + 1] == 0x81)))
            return i + 1;
    }
    size_t start = i;
    for (;;) {
        while (i < len && ((cl = wb_class[s[i]]) & WB_WORD)) {
            t->digits += cl & WB_DIGIT;
            i++;
        }
        if (i >= len || !(cl & WB_SPECIAL)) break;
        if (s[i] == '\'') {
            /* Inside a word ("Russia's", "don't") it keeps the word whole. */
            if (!(i > start && i + 1 < len && ascii_alnum(s[i + 1]))) break;
            i++;
            continue;
        }
        /* 0xE2: general punctuation ends the word, except ’ used as an
         * apostrophe; any other character starting with 0xE2 is part of it. */
        if (i + 1 < len && (s[i + 1] == 0x80 || s[i + 1] == 0x81)) {
            if (!(s[i + 1] == 0x80 && i + 3 < len && s[i + 2] == 0x99 && i > start &&
                  ascii_alnum(s[i + 3])))
                break;
            i += 3;
            continue;
        }
        i++;
    }
    tally_word(t, s + start, i - start, len - start);
    t->letters += (uint32_t)(i - start);
    return i;
}

#ifdef WORD_WINDOWS

/* The bit masks of a window: bit j describes s[j], j < 64. */
typedef struct window {
    uint64_t word;     /* a plain word byte (WB_WORD: ASCII letter or digit, non-ASCII but 0xE2) */
    uint64_t digit;    /* an ASCII digit */
    uint64_t upper;    /* A-Z */
    uint64_t special;  /* ' or 0xE2, whose meaning depends on the bytes around them */
} window;

/* The masks of s[0..64), and lower[j]: s[j] with bit 5 set if it is ASCII,
 * which lowers the ASCII letters of a word and keeps its other bytes. */
static inline void window_masks(const unsigned char *s, window *m, unsigned char *lower) {
#ifdef __SSE2__
    /* A range lo..hi is one signed compare: adding 0x80 - lo maps it to the
     * lowest values, -128..-128 + (hi - lo), and every other byte above. */
    const __m128i d_bias = _mm_set1_epi8((char)(0x80 - '0')), d_end = _mm_set1_epi8(-128 + 10);
    const __m128i a_bias = _mm_set1_epi8((char)(0x80 - 'a')), a_end = _mm_set1_epi8(-128 + 26);
    const __m128i u_bias = _mm_set1_epi8((char)(0x80 - 'A'));
    const __m128i bit5 = _mm_set1_epi8(0x20), apos = _mm_set1_epi8('\''),
                  e2 = _mm_set1_epi8((char)0xE2), ones = _mm_set1_epi8(-1);
    uint64_t w = 0, d = 0, u = 0, x = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + 16 * k));
        __m128i y = _mm_or_si128(v, bit5);  /* A-Z to a-z */
        __m128i dig = _mm_cmplt_epi8(_mm_add_epi8(v, d_bias), d_end);
        __m128i alp = _mm_cmplt_epi8(_mm_add_epi8(y, a_bias), a_end);
        __m128i up = _mm_cmplt_epi8(_mm_add_epi8(v, u_bias), a_end);
        __m128i is_e2 = _mm_cmpeq_epi8(v, e2);
        __m128i ascii = _mm_cmpgt_epi8(v, ones);
        __m128i high = _mm_andnot_si128(_mm_or_si128(is_e2, ascii), ones);  /* but 0xE2 */
        __m128i in_word = _mm_or_si128(_mm_or_si128(dig, alp), high);
        _mm_storeu_si128((__m128i *)(void *)(lower + 16 * k),
                         _mm_or_si128(v, _mm_and_si128(ascii, bit5)));
        __m128i spec = _mm_or_si128(_mm_cmpeq_epi8(v, apos), is_e2);
        w |= (uint64_t)(unsigned)_mm_movemask_epi8(in_word) << (16 * k);
        d |= (uint64_t)(unsigned)_mm_movemask_epi8(dig) << (16 * k);
        u |= (uint64_t)(unsigned)_mm_movemask_epi8(up) << (16 * k);
        x |= (uint64_t)(unsigned)_mm_movemask_epi8(spec) << (16 * k);
    }
    *m = (window){.word = w, .digit = d, .upper = u, .special = x};
#else
    uint64_t w = 0, d = 0, u = 0, x = 0;
    for (unsigned j = 0; j < 64; j++) {
        unsigned cl = wb_class[s[j]];
        w |= (uint64_t)((cl & WB_WORD) != 0) << j;
        d |= (uint64_t)(cl & WB_DIGIT) << j;
        u |= (uint64_t)((cl & WB_UPPER) != 0) << j;
        x |= (uint64_t)((cl & WB_SPECIAL) != 0) << j;
        lower[j] = s[j] < 0x80 ? s[j] | 0x20 : s[j];
    }
    *m = (window){.word = w, .digit = d, .upper = u, .special = x};
#endif
}

/* The bits set in x. Written out because __builtin_popcountll is a call
 * into libgcc without -mpopcnt; GCC turns this into one popcnt instruction
 * where the target has it (the AVX-512 path below). */
static inline uint32_t bit_count(uint64_t x) {
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (uint32_t)((x * 0x0101010101010101ull) >> 56);
}

#ifdef HAVE_AVX512
#define WINDOWS_AVX512_TARGET "avx512f,avx512bw,bmi,bmi2,popcnt"

/* window_masks with AVX-512BW: one compare a class for all 64 bytes, straight
 * into a mask. Only avail bytes are read (a masked load does not fault);
 * the others read as zero bytes, which end every word as a space would. */
__attribute__((target(WINDOWS_AVX512_TARGET))) static inline void window_masks_avx512(
    const unsigned char *s, size_t avail, window *m, unsigned char *lower) {
    __mmask64 in = avail >= 64 ? ~0ull : (1ull << avail) - 1;
    __m512i v = _mm512_maskz_loadu_epi8(in, s);
    __m512i y = _mm512_or_si512(v, _mm512_set1_epi8(0x20));  /* A-Z to a-z */
    __mmask64 dig = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('0')),
                                           _mm512_set1_epi8(10));
    __mmask64 alp = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(y, _mm512_set1_epi8('a')),
                                           _mm512_set1_epi8(26));
    __mmask64 up = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('A')),
                                          _mm512_set1_epi8(26));
    __mmask64 high = _mm512_movepi8_mask(v);
    __mmask64 e2 = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8((char)0xE2));
    __mmask64 apos = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\''));
    _mm512_storeu_si512(lower, _mm512_mask_mov_epi8(v, ~high, y));
    *m = (window){.word = dig | alp | (high & ~e2), .digit = dig, .upper = up,
                  .special = apos | e2};
}
#endif

/* The masks of the window at s[0..avail), avail > 0: read in place, or
 * the end of the text zero-padded. */
static inline __attribute__((always_inline)) void load_window(const unsigned char *s,
                                                             size_t avail, window *m,
                                                             unsigned char *lower, int wide) {
#ifdef HAVE_AVX512
    if (wide) {
        window_masks_avx512(s, avail, m, lower);
        return;
    }
#endif
    (void)wide;
    if (avail >= 64) {
        window_masks(s, m, lower);
        return;
    }
    unsigned char pad[64] = {0};  /* zero bytes end every word as a space would */
    memcpy(pad, s, avail);
    window_masks(pad, m, lower);
}

/* dp_count_words 64 bytes at a time; wide: with the AVX-512 masks (a
 * constant: the function is compiled once for each). Up to the first ' or
 * 0xE2 of the window, words are exactly the runs of plain word bytes,
 * ended by ASCII punctuation or a space; count those runs from bit masks.
 * The run that touches the first special byte or the window's end (its end
 * is not known yet) is left for the next window, or for scan_step when
 * nothing was left before it. */
static inline __attribute__((always_inline)) void count_windows(const unsigned char *s,
                                                               size_t len, word_tally *t,
                                                               int wide) {
    /* The window, lowered for the stopword keys, which are loaded at word
     * starts; the bytes past it are never part of a key. */
    unsigned char lower[64 + SW_MAXLEN];
    memset(lower + 64, 0, SW_MAXLEN);
    size_t i = 0;  /* never inside a word */
    while (i < len) {
        window m;
        load_window(s + i, len - i, &m, lower, wide);
        uint64_t a = m.word, x = m.special;
        unsigned f = x ? (unsigned)__builtin_ctzll(x) : 64;  /* the first special byte */
        uint64_t below_f = f < 64 ? (1ull << f) - 1 : ~0ull;
        a &= below_f;
        unsigned done = f;  /* bytes of the window settled here */
        if (f && (a >> (f - 1) & 1)) {
            uint64_t gaps = ~a & below_f;
            done = gaps ? 64 - (unsigned)__builtin_clzll(gaps) : 0;  /* the open run's start */
            a &= (1ull << done) - 1;  /* done < 64: the open run holds bit f - 1 */
        }
        if (!done) {
            i = scan_step(s, len, i, t);
            continue;
        }
        /* Words, capitals and letters are counted for the whole window at
         * once; only the stopword test is done word by word, and only for
         * words short enough to be one: long_ has bit p set where the
         * SW_MAXLEN + 1 = 9 bytes from p are all word bytes. */
        uint64_t starts = a & ~(a << 1);
        t->words += bit_count(starts);
        t->caps += bit_count(starts & m.upper);
        t->letters += bit_count(a);
        if (m.digit & a) t->digits += bit_count(m.digit & a);
        uint64_t long_ = a & (a >> 1);
        long_ &= long_ >> 2;
        long_ &= long_ >> 4;
        long_ &= a >> 8;
        for (uint64_t c = starts & ~long_; c; c &= c - 1) {
            unsigned p = (unsigned)__builtin_ctzll(c);
            unsigned n = (unsigned)__builtin_ctzll(~(a >> p));  /* <= SW_MAXLEN */
            /* Without branches on the word: their outcomes are random.
             * sw_key_bytes keeps the word's bytes of the key. */
            uint64_t key;
            memcpy(&key, lower + p, sizeof key);
            key &= sw_key_bytes[n];
            unsigned hit = (unsigned)is_stopword_key(key);
            t->stop += hit;
            t->lower_stop += hit & ~(unsigned)(m.upper >> p);  /* bit 0: capitalized */
        }
        i += done;
        if (i > len) i = len;  /* the padding of the last window is no text */
    }
}

#ifdef HAVE_AVX512
__attribute__((target(WINDOWS_AVX512_TARGET))) static void count_windows_avx512(
    const unsigned char *s, size_t len, word_tally *t) {
    count_windows(s, len, t, 1);
}
#endif
#endif /* WORD_WINDOWS */

/* The counts without the AVX-512 path. */
static void count_portable(const unsigned char *s, size_t len, word_tally *t) {
#ifdef WORD_WINDOWS
    count_windows(s, len, t, 0);
#else
    for (size_t i = 0; i < len;) i = scan_step(s, len, i, t);
#endif
}

static void words_from_tally(const word_tally *t, dp_words *w) {
    w->words = t->words;
    w->stopwords = t->stop;
    w->capitalized = t->caps;
    w->lower_stop = t->lower_stop;
    /* Digits are not letters: a line of numbers has none. */
    w->letters = t->digits >= t->letters ? 0 : t->letters - t->digits;
}

void dp_count_words_portable(const char *s, size_t len, dp_words *w) {
    pthread_once(&tables_once, tables_init);
    word_tally t = {0};
    count_portable((const unsigned char *)s, len, &t);
    words_from_tally(&t, w);
}

void dp_count_words(const char *str, size_t len, dp_words *w) {
    pthread_once(&tables_once, tables_init);
    const unsigned char *s = (const unsigned char *)str;
    word_tally t = {0};
#ifdef HAVE_AVX512
    if (windows_avx512) count_windows_avx512(s, len, &t);
    else
#endif
        count_portable(s, len, &t);
    words_from_tally(&t, w);
}

int dp_ends_sentence(const char *str, size_t len) {
    const unsigned char *s = (const unsigned char *)str;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
    while (len) {
        unsigned char c = s[len - 1];
        if (c == '"' || c == '\'' || c == ')' || c == '*' || c == '_' || c == ']') {
            len--;
            continue;
        }
        if (len >= 3 && s[len - 3] == 0xE2 && s[len - 2] == 0x80 && (c == 0x9D || c == 0x99)) {
            len -= 3;  /* ” ’ */
            continue;
        }
        if (len >= 3 && s[len - 3] == 0xE3 && s[len - 2] == 0x80 && c == 0x82) return 1; /* 。 */
        if (len >= 3 && s[len - 3] == 0xEF && s[len - 2] == 0xBC && (c == 0x81 || c == 0x9F))
            return 1; /* ！？ */
        return c == '.' || c == '!' || c == '?' || c == ':' || c == ';';
    }
    return 0;
}

/* Headline case capitalizes the words that carry meaning; the small
 * function words ("of", "the", "in") stay lower case and do not count. */
static int title_case(const dp_words *w) {
    return w->words && w->words <= 20 && w->capitalized * 10 >= (w->words - w->lower_stop) * 6;
}

int dp_title_like(const char *s, size_t len, const dp_words *w) {
    return title_case(w) && !dp_ends_sentence(s, len);
}

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

/* Breadcrumb roots: "Home" followed by a separator or glued to the next
 * crumb ("HomeWorldRussia's ..."). */
static const char *const crumb_roots[] = {"Home", "Startseite", "Accueil", "Inicio", NULL};

/* ---- features -------------------------------------------------------------- */

typedef struct dp_feat {
    dp_words w;
    float link_density;
    uint8_t visible;   /* takes part in scoring and is a neighbour */
    uint8_t heading;   /* marked up as one, or headline-like and short */
    uint8_t title;     /* dp_title_like */
    uint8_t ends;      /* ends a sentence */
    uint8_t truncated; /* ends with "..." or an ellipsis: a teaser blurb */
    uint8_t marker;    /* opens a teaser/related section */
    uint8_t init;      /* class from the block's own text, before context */
    uint8_t hashed;    /* repeat_hash is set */
    uint64_t repeat_hash; /* of the lower_words form, for mark_repeats */
} dp_feat;

typedef struct dp_seen {
    uint64_t h;
    uint32_t n;
} dp_seen;

void dp_classify_free(doppel_extractor *ex) {
    dp_free(ex->seen, ex->seen_cap * sizeof *ex->seen);
    dp_free(ex->feat, ex->feat_cap * sizeof *ex->feat);
}

/* Phrases are found by their first PHRASE_PREFIX bytes, loaded as one
 * number; the lower_words form is followed by that many NUL bytes, so the
 * load is safe at any word start. */
#define PHRASE_PREFIX 4

/* lower_words of s[i..end) appended at o[n], after a space when
 * *last_space; returns the new n. Branch-free: every byte is written, and
 * n advances unless it is a second space; the flag keeps o[n - 1] in a
 * register, so that no iteration waits for the previous store. */
static size_t lower_bytes(const unsigned char *s, size_t i, size_t end, char *o, size_t n,
                          int *last_space) {
    int sp = *last_space;
    for (; i < end; i++) {
        char c = (char)lw_map[s[i]];
        o[n] = c;
        n += !(c == ' ' && sp);
        sp = c == ' ';
    }
    *last_space = sp;
    return n;
}

#ifdef HAVE_AVX512
/* dp_lower_words of s[0..len) appended at o[n] (as lower_bytes; returns the
 * new n): 64 bytes at a time mapped with compares, the second space of
 * each pair squeezed out with VBMI2's compress, so ", " costs nothing
 * extra. The last chunk is read and written with masks, which do not
 * fault past the ends. */
__attribute__((target("avx512f,avx512bw,avx512vbmi2"))) static size_t lower_words_avx512(
    const unsigned char *s, size_t len, char *o, size_t n, int *last_space) {
    const __m512i bit5 = _mm512_set1_epi8(0x20), space = _mm512_set1_epi8(' ');
    for (size_t i = 0; i < len; i += 64) {
        size_t avail = DP_MIN(len - i, (size_t)64);
        uint64_t in = avail == 64 ? ~0ull : (1ull << avail) - 1;
        __m512i v = _mm512_maskz_loadu_epi8(in, s + i);
        __m512i y = _mm512_or_si512(v, bit5);  /* A-Z to a-z */
        __mmask64 alpha = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(y, _mm512_set1_epi8('a')),
                                                 _mm512_set1_epi8(26));
        __mmask64 digit = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('0')),
                                                 _mm512_set1_epi8(10));
        __mmask64 keep = alpha | digit | _mm512_movepi8_mask(v);
        __m512i out = _mm512_mask_mov_epi8(space, keep, _mm512_mask_mov_epi8(v, alpha, y));
        uint64_t sp = ~(uint64_t)keep & in;  /* bytes that become ' ' */
        uint64_t write = in & ~(sp & ((sp << 1) | (uint64_t)*last_space));
        uint32_t k = bit_count(write);
        _mm512_mask_storeu_epi8(o + n, k == 64 ? ~0ull : (1ull << k) - 1,
                                _mm512_maskz_compress_epi8(write, out));
        n += k;
        *last_space = (int)(sp >> (avail - 1) & 1);
    }
    return n;
}
#endif

/* dp_lower_words, the tables set up; wide: with lower_words_avx512. */
static size_t lower_words_to(const char *str, size_t len, char *o, int wide) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, n = 0;
    int last_space = 1;
    o[n++] = ' ';
#ifdef HAVE_AVX512
    if (wide) {
        n = lower_words_avx512(s, len, o, n, &last_space);
        i = len;
    }
#endif
    (void)wide;
#ifdef __SSE2__
    /* 16 bytes at a time, mapped with compares; a chunk that would put two
     * spaces in a row (", " and ". " do, some 30-40 bytes apart in prose)
     * goes through lower_bytes, the others are stored whole. */
    const __m128i space = _mm_set1_epi8(' '), bit5 = _mm_set1_epi8(0x20);
    const __m128i a_lo = _mm_set1_epi8('a' - 1), a_hi = _mm_set1_epi8('z' + 1);
    const __m128i d_lo = _mm_set1_epi8('0' - 1), d_hi = _mm_set1_epi8('9' + 1);
    for (; i + 16 <= len; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i y = _mm_or_si128(v, bit5);  /* A-Z to a-z; other letters unchanged */
        /* Signed compares: non-ASCII bytes are negative and fail the ranges. */
        __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(y, a_lo), _mm_cmplt_epi8(y, a_hi));
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, d_lo), _mm_cmplt_epi8(v, d_hi));
        __m128i high = _mm_cmplt_epi8(v, _mm_setzero_si128());
        __m128i keep = _mm_or_si128(_mm_or_si128(alpha, digit), high);
        unsigned sp = ~(unsigned)_mm_movemask_epi8(keep) & 0xFFFFu;  /* bytes that become ' ' */
        if (sp & ((sp << 1) | (unsigned)last_space)) {
            n = lower_bytes(s, i, i + 16, o, n, &last_space);
            continue;
        }
        __m128i out = _mm_or_si128(_mm_and_si128(alpha, y), _mm_andnot_si128(alpha, v));
        out = _mm_or_si128(_mm_and_si128(keep, out), _mm_andnot_si128(keep, space));
        _mm_storeu_si128((__m128i *)(void *)(o + n), out);  /* n + 16 <= i + 17 <= len + 1 */
        n += 16;
        last_space = (int)(sp >> 15);
    }
#endif
    n = lower_bytes(s, i, len, o, n, &last_space);
    if (!last_space) o[n++] = ' ';
    return n;
}

size_t dp_lower_words(const char *s, size_t len, char *o) {
    pthread_once(&tables_once, tables_init);
#ifdef HAVE_AVX512
    return lower_words_to(s, len, o, lower_avx512);
#else
    return lower_words_to(s, len, o, 0);
#endif
}

size_t dp_lower_words_portable(const char *s, size_t len, char *o) {
    pthread_once(&tables_once, tables_init);
    return lower_words_to(s, len, o, 0);
}

/* Lower-case the block into ex->scratch in the dp_lower_words form, so
 * phrases match at word starts; PHRASE_PREFIX NUL bytes follow. */
static doppel_status lower_words(doppel_extractor *ex, const char *s, size_t len) {
    doppel_buf *b = &ex->scratch;
    b->len = 0;
    if (dp_buf_reserve(b, len + 2 + PHRASE_PREFIX)) return DOPPEL_ERR_NOMEM;
    b->len = dp_lower_words(s, len, b->data);
    memset(b->data + b->len, 0, PHRASE_PREFIX);
    return DOPPEL_OK;
}

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

static phrase_index prompt_index, advert_index, furniture_index, marker_index;

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

/* The first phrase of the table (in table order) that occurs at a word
 * start of words (the lower_words form, n bytes), or -1. */
static int first_phrase(const phrase_index *x, const char *words, size_t n) {
    unsigned best = NO_PHRASE;
    /* Word starts are the bytes after a space but the last: lower_words
     * leaves no two spaces in a row and a space at both ends, so the search
     * for the next space always ends at the last one at the latest. */
    const char *end = words + n - 1;
    for (const char *q = words; q < end; q = memchr(q + 1, ' ', (size_t)(end - q))) {
        unsigned k = phrase_at(x, words, n, (size_t)(q - words) + 1, best);
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
static int prompt_applies(const dp_feat *f, const char *s, size_t len, const char *words,
                          size_t n, int k) {
    /* Menus and buttons are not sentences and hardly use function words;
     * a fragment of prose cut by bad markup still does. A footer row of
     * links written as sentences ("Site. Terms of use. Privacy policy.")
     * has fewer than three words a sentence. */
    unsigned stops = 0;
    for (size_t i = 0; i < len; i++)
        stops += (s[i] == '.' || s[i] == '!' || s[i] == '?') &&
                 (i + 1 == len || s[i + 1] == ' ' || s[i + 1] == '\n');
    int label = f->w.words <= 4 || f->w.words < 3 * stops ||
                (!f->ends && (f->w.words <= 6 || f->w.stopwords * 10 < f->w.words * 3));
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
static int starts_with_marker(const char *words, size_t n, uint32_t nwords) {
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

static int is_breadcrumb(const char *s, size_t len, const dp_words *w) {
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
static int is_credit(const char *s, size_t len, const dp_words *w) {
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
static int is_byline(const char *s, size_t len, const dp_words *w) {
    return len > 4 && !memcmp(s, "By ", 3) && s[3] >= 'A' && s[3] <= 'Z' && w->words <= 10 &&
           !dp_ends_sentence(s, len);
}

/* One-word blocks that are controls of the page, not words of the text. */
static int is_control(const char *words, uint32_t nwords) {
    static const char *const controls[] = {" menu ", " search ", " navigation ", " close ",
                                           " home ", " top ", " print ", " email ",
                                           " share ", " more ", " next ", " previous ", NULL};
    if (nwords != 1) return 0;
    for (int i = 0; controls[i]; i++)
        if (!strcmp(words, controls[i])) return 1;
    return 0;
}

static int truncated(const char *s, size_t len) {
    while (len && s[len - 1] == ' ') len--;
    return (len >= 3 && !memcmp(s + len - 3, "...", 3)) ||
           (len >= 3 && !memcmp(s + len - 3, "\xE2\x80\xA6", 3));
}

/* Contains ©. (memchr for its first byte beats memmem on short blocks.) */
static int has_copyright_sign(const char *s, size_t len) {
    const char *end = s + len;
    for (const char *p = s; (p = memchr(p, 0xC2, (size_t)(end - p))) && p + 1 < end; p++)
        if ((unsigned char)p[1] == 0xA9) return 1;
    return 0;
}

static void drop_hard(dp_block *b, int reason) {
    if (b->hard) return;
    b->hard = 1;
    b->cls = DP_CLS_BAD;
    b->reason = (uint8_t)reason;
}

/* Mark short blocks that occur more than once in the page. */
static doppel_status mark_repeats(doppel_extractor *ex, unsigned max_len) {
    size_t need = 16;
    while (need < ex->nblocks * 2) need *= 2;
    if (need > ex->seen_cap) {
        dp_free(ex->seen, ex->seen_cap * sizeof *ex->seen);
        ex->seen_cap = 0;
        ex->seen = dp_malloc(need * sizeof *ex->seen);
        if (!ex->seen) return DOPPEL_ERR_NOMEM;
        ex->seen_cap = need;
    }
    memset(ex->seen, 0, need * sizeof *ex->seen);
    size_t mask = need - 1;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < ex->nblocks; i++) {
            dp_block *b = &ex->blocks[i];
            if (!ex->feat[i].visible || b->len >= max_len || !ex->feat[i].w.letters) continue;
            if (!ex->feat[i].hashed) {
                if (lower_words(ex, ex->btext.data + b->off, b->len)) return DOPPEL_ERR_NOMEM;
                ex->feat[i].repeat_hash = XXH3_64bits(ex->scratch.data, ex->scratch.len) | 1;
                ex->feat[i].hashed = 1;
            }
            uint64_t h = ex->feat[i].repeat_hash;
            size_t k = h & mask;
            while (ex->seen[k].h && ex->seen[k].h != h) k = (k + 1) & mask;
            if (pass == 0) {
                ex->seen[k].h = h;
                ex->seen[k].n++;
            } else if (ex->seen[k].n > 1) {
                /* Repeated headlines, menu items and buttons go everywhere;
                 * a repeated sentence (a pull quote) keeps its first place. */
                if (!ex->feat[i].ends || ex->seen[k].n == UINT32_MAX)
                    drop_hard(b, DOPPEL_DROP_REPEATED);
                else
                    ex->seen[k].n = UINT32_MAX;
            }
        }
    }
    return DOPPEL_OK;
}

/* ---- context ------------------------------------------------------------------ */

/* Is there a good block within max_distance bytes after block i? */
static int good_follows(const doppel_extractor *ex, size_t i, unsigned max_distance,
                        int use_final) {
    size_t distance = 0;
    for (size_t k = i + 1; k < ex->nblocks && distance <= max_distance; k++) {
        if (!ex->feat[k].visible) continue;
        int c = use_final ? ex->blocks[k].cls : ex->feat[k].init;
        if (c == DP_CLS_GOOD) return 1;
        distance += ex->blocks[k].len;
    }
    return 0;
}

/* ---- the classifier -------------------------------------------------------------- */

/* A headline: title case, or (sentence-case headlines are common) a short
 * line of a few words with no sentence stop. */
static int headline(const dp_block *b, const dp_feat *f, const doppel_extract_options *opt) {
    return f->title || (b->len < opt->length_low && !f->ends && f->w.words >= 3 &&
                        f->w.words <= 15);
}

doppel_status dp_classify(doppel_extractor *ex) {
    const doppel_extract_options *opt = ex->opt;
    size_t n = ex->nblocks;
    pthread_once(&tables_once, tables_init);
    if (dp_grow((void **)&ex->feat, &ex->feat_cap, n + 1, sizeof *ex->feat)) return DOPPEL_ERR_NOMEM;

    /* Features, and whether the stopword list covers the page's language. */
    uint64_t page_words = 0, page_stop = 0;
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        dp_feat *f = &ex->feat[i];
        *f = (dp_feat){0};
        if (b->kind == DP_BK_DROPPED) {
            b->cls = DP_CLS_BAD;
            continue;
        }
        const char *s = ex->btext.data + b->off;
        f->visible = 1;
        dp_count_words(s, b->len, &f->w);
        f->link_density = b->len ? (float)b->link_bytes / (float)b->len : 0;
        f->ends = (uint8_t)dp_ends_sentence(s, b->len);
        f->title = (uint8_t)(title_case(&f->w) && !f->ends);
        f->heading = b->kind == DP_BK_HEADING || (f->title && b->len < opt->length_low * 2) ||
                     (b->len < opt->length_low && !f->ends && f->w.words >= 3 &&
                      f->w.words <= 15);
        f->truncated = (uint8_t)truncated(s, b->len);
        page_words += f->w.words;
        page_stop += f->w.stopwords;
        b->hard = 0;
        b->reason = 0;
        if (b->kind == DP_BK_CODE) {
            b->cls = DP_CLS_GOOD;
            b->hard = 1;  /* code is kept verbatim: never judged as chrome */
        }
    }
    /* Under 8% function words over a page of some size: the list does not
     * know this language; judge prose by sentence punctuation instead. */
    int covered = page_words < 50 || page_stop * 100 >= page_words * 8;

    /* Hard rules: what a block says or how it is laid out. */
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        dp_feat *f = &ex->feat[i];
        if (!f->visible || b->hard) continue;
        const char *s = ex->btext.data + b->off;
        if (!f->w.letters) {
            drop_hard(b, DOPPEL_DROP_SHORT);  /* share counters, page numbers, rules */
            continue;
        }
        if (b->len >= 2 * opt->length_high || f->w.words > 25) {
            /* Long prose may mention anything; only its layout is judged. */
            if (is_credit(s, b->len, &f->w)) drop_hard(b, DOPPEL_DROP_SHORT);
            continue;
        }
        if (lower_words(ex, s, b->len)) return DOPPEL_ERR_NOMEM;
        const char *words = ex->scratch.data;
        if (b->len < opt->length_high) {  /* mark_repeats needs the same form: hash it now */
            f->repeat_hash = XXH3_64bits(words, ex->scratch.len) | 1;
            f->hashed = 1;
        }
        f->marker = (uint8_t)(f->w.words <= 8 && !f->ends &&
                              starts_with_marker(words, ex->scratch.len, f->w.words));
        if (f->w.words <= 4 && first_phrase(&advert_index, words, ex->scratch.len) >= 0) {
            drop_hard(b, DOPPEL_DROP_ADVERT);
            continue;
        }
        int k = first_phrase(&prompt_index, words, ex->scratch.len);
        if (k >= 0 && prompt_applies(f, s, b->len, words, ex->scratch.len, k)) {
            drop_hard(b, prompts[k].reason);
            continue;
        }
        if (b->len < opt->length_high && has_copyright_sign(s, b->len)) {
            drop_hard(b, DOPPEL_DROP_PROMPT);
            continue;
        }
        if (is_breadcrumb(s, b->len, &f->w) || is_control(words, f->w.words))
            drop_hard(b, DOPPEL_DROP_NAVIGATION);
        else if (is_credit(s, b->len, &f->w) || is_byline(s, b->len, &f->w))
            drop_hard(b, DOPPEL_DROP_SHORT);
    }
    if (mark_repeats(ex, opt->length_high)) return DOPPEL_ERR_NOMEM;

    /* Teaser sections: from a marker, headlines and the blurb under each,
     * until a paragraph follows a paragraph (the article resumed). */
    int in_section = 0, after_title = 0;
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        dp_feat *f = &ex->feat[i];
        if (!f->visible || b->kind == DP_BK_CODE) continue;
        if (f->marker) {
            drop_hard(b, DOPPEL_DROP_TEASER);
            /* Only a headline licenses the blurb under it: a marker that
             * closes a related box ("More from ...") must not eat the
             * paragraph after it. */
            in_section = 1;
            after_title = 0;
            continue;
        }
        if (!in_section) continue;
        int body = b->len >= opt->length_low && !f->title;
        if (!body || after_title) {
            drop_hard(b, DOPPEL_DROP_TEASER);
            after_title = headline(b, f, opt);
        } else {
            in_section = 0;
        }
    }
    /* Teaser runs without a marker: two or more headline + "..." blurbs in
     * a row. */
    for (size_t i = 0; i < n;) {
        size_t k = i, pairs = 0, last = i;
        while (k < n) {
            size_t t = k;
            while (t < n && !ex->feat[t].visible) t++;
            size_t u = t + 1;
            while (u < n && !ex->feat[u].visible) u++;
            if (u >= n || !headline(&ex->blocks[t], &ex->feat[t], opt) || !ex->feat[u].truncated)
                break;
            pairs++;
            last = u;
            k = u + 1;
        }
        if (pairs >= 2) {
            for (size_t j = i; j <= last; j++)
                if (ex->feat[j].visible) drop_hard(&ex->blocks[j], DOPPEL_DROP_TEASER);
            i = last + 1;
        } else {
            i++;
        }
    }

    /* jusText, step 1: each remaining block on its own. */
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        dp_feat *f = &ex->feat[i];
        if (!f->visible) continue;
        if (b->hard) {
            f->init = b->cls;
            continue;
        }
        double sd = f->w.words ? (double)f->w.stopwords / f->w.words : 0;
        if (!covered) sd = f->ends ? opt->stopwords_high : opt->stopwords_low;
        int cls, reason = 0;
        if (f->link_density > opt->max_link_density) {
            cls = DP_CLS_BAD, reason = DOPPEL_DROP_LINKS;
        } else if (b->len < opt->length_low) {
            if (b->link_bytes) cls = DP_CLS_BAD, reason = DOPPEL_DROP_LINKS;
            else cls = DP_CLS_SHORT, reason = DOPPEL_DROP_SHORT;
        } else if (f->title && b->len < 2 * opt->length_low) {
            /* A long headline: no function words to speak of, but it heads
             * text; judge it as a short heading. */
            cls = DP_CLS_SHORT, reason = DOPPEL_DROP_SHORT;
        } else if (sd >= opt->stopwords_high) {
            /* Wire copy runs in paragraphs of one or two sentences, shorter
             * than length_high: a complete sentence of some length is as
             * good a sign of prose as length. */
            int sentence = f->ends && f->w.words >= 12;
            cls = b->len >= opt->length_high || sentence ? DP_CLS_GOOD : DP_CLS_NEARGOOD;
            reason = DOPPEL_DROP_CONTEXT;
        } else if (sd >= opt->stopwords_low || (f->ends && b->len >= opt->length_high)) {
            /* Long punctuated prose dense with names still reads as text. */
            cls = DP_CLS_NEARGOOD, reason = DOPPEL_DROP_CONTEXT;
        } else {
            cls = DP_CLS_BAD, reason = DOPPEL_DROP_NOT_PROSE;
        }
        f->init = (uint8_t)cls;
        b->cls = (uint8_t)cls;
        b->reason = (uint8_t)reason;
    }
    /* Step 2: headings shortly before good text count as neargood. */
    for (size_t i = 0; i < n; i++) {
        dp_feat *f = &ex->feat[i];
        if (f->visible && f->heading && f->init == DP_CLS_SHORT && !ex->blocks[i].hard &&
            good_follows(ex, i, opt->max_heading_distance, 0))
            f->init = ex->blocks[i].cls = DP_CLS_NEARGOOD;
    }
    /* Step 3: short blocks from their neighbours (as they were before this
     * step: the rules read f->init, write b->cls). */
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        if (!ex->feat[i].visible || b->hard || ex->feat[i].init != DP_CLS_SHORT) continue;
        int prev = 0, next = 0, prev_any = 0, next_any = 0;
        for (size_t k = i; k-- > 0;) {
            if (!ex->feat[k].visible) continue;
            int c = ex->feat[k].init;
            if (!prev_any && c != DP_CLS_SHORT) prev_any = c;
            if (c == DP_CLS_SHORT || c == DP_CLS_NEARGOOD) continue;
            prev = c;
            break;
        }
        for (size_t k = i + 1; k < n; k++) {
            if (!ex->feat[k].visible) continue;
            int c = ex->feat[k].init;
            if (!next_any && c != DP_CLS_SHORT) next_any = c;
            if (c == DP_CLS_SHORT || c == DP_CLS_NEARGOOD) continue;
            next = c;
            break;
        }
        if (!prev) prev = DP_CLS_BAD;
        if (!next) next = DP_CLS_BAD;
        if (!prev_any) prev_any = DP_CLS_BAD;
        if (!next_any) next_any = DP_CLS_BAD;
        const dp_feat *f = &ex->feat[i];
        /* A short complete sentence right after article text is usually its
         * last line ("No one was hurt, police said."); chrome sentences
         * are caught by the prompt rules above. */
        int closing = prev == DP_CLS_GOOD && prev_any == DP_CLS_GOOD && f->ends &&
                      f->w.words >= 4 &&
                      (!covered || (double)f->w.stopwords >= opt->stopwords_low * f->w.words);
        if ((prev == DP_CLS_GOOD && next == DP_CLS_GOOD) || closing) b->cls = DP_CLS_GOOD;
        else if (prev == DP_CLS_BAD && next == DP_CLS_BAD) b->cls = DP_CLS_BAD;
        else if ((prev == DP_CLS_BAD && prev_any == DP_CLS_NEARGOOD) ||
                 (next == DP_CLS_BAD && next_any == DP_CLS_NEARGOOD))
            b->cls = DP_CLS_GOOD;
        else
            b->cls = DP_CLS_BAD;
    }
    /* Step 3b: a short line printed in one paragraph with good text (a
     * <br> continuation, a dateline above a lead) belongs to it. */
    for (int dir = 0; dir < 2; dir++) {
        for (size_t j = 0; j < n; j++) {
            size_t i = dir == 0 ? j : n - 1 - j;
            dp_block *b = &ex->blocks[i];
            if (!ex->feat[i].visible || b->hard || ex->feat[i].init != DP_CLS_SHORT ||
                b->cls == DP_CLS_GOOD)
                continue;
            size_t k = i;
            if (dir == 0 ? k == 0 : k + 1 >= n) continue;
            k = dir == 0 ? k - 1 : k + 1;
            if (ex->feat[k].visible && ex->blocks[k].para == b->para &&
                ex->blocks[k].cls == DP_CLS_GOOD && ex->feat[k].init != DP_CLS_SHORT)
                b->cls = DP_CLS_GOOD;
        }
    }
    /* Step 4: neargood blocks from their good/bad neighbours. */
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        if (!ex->feat[i].visible || b->hard || ex->feat[i].init != DP_CLS_NEARGOOD) continue;
        int prev = DP_CLS_BAD, next = DP_CLS_BAD;
        for (size_t k = i; k-- > 0;) {
            int c = ex->feat[k].init;
            if (!ex->feat[k].visible || c == DP_CLS_SHORT || c == DP_CLS_NEARGOOD) continue;
            prev = c;
            break;
        }
        for (size_t k = i + 1; k < n; k++) {
            int c = ex->feat[k].init;
            if (!ex->feat[k].visible || c == DP_CLS_SHORT || c == DP_CLS_NEARGOOD) continue;
            next = c;
            break;
        }
        b->cls = prev == DP_CLS_BAD && next == DP_CLS_BAD ? DP_CLS_BAD : DP_CLS_GOOD;
    }
    /* Step 5: a heading that lost to its neighbours but heads good text. */
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        dp_feat *f = &ex->feat[i];
        if (!f->visible || b->hard || !f->heading || b->cls != DP_CLS_BAD ||
            f->init == DP_CLS_BAD)
            continue;
        if (good_follows(ex, i, opt->max_heading_distance, 1)) b->cls = DP_CLS_GOOD;
    }
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        if (b->cls == DP_CLS_GOOD) b->reason = DOPPEL_DROP_NONE;
        else if (!b->reason) b->reason = DOPPEL_DROP_CONTEXT;
    }
    return DOPPEL_OK;
}
