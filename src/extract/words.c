/*
 * words.c — words, function words and sentences: the counts every block is
 * scored by (dp_count_words), whether it ends a sentence and whether it is
 * written like a headline.
 *
 * This is the hot loop of extraction: dp_count_words reads 64-byte
 * windows as bit masks (AVX-512 where the CPU has it), and a stopword is
 * found with one multiply and one compare. The lower-cased word form the
 * phrase tables match in is lowerwords.c; the AVX-512 VBMI count, which
 * takes a fixed stride of the text a window, is words_vbmi.c.
 */
#include "extract/words_int.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>
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
 * no NUL byte, so the packing is one-to-one). The set is a perfect hash:
 * a multiplicative hash, its multiplier chosen at start-up so that no two
 * stopwords share a slot, picks one slot of SW_SLOTS, which holds the
 * number of the one stopword that can be there (0: none); a lookup is a
 * multiply, two loads and one compare, without a branch (most words are
 * not stopwords, and a probe loop mispredicts on every other word). The
 * slots are 16-bit so the table stays as small as two keys a bucket in 512
 * buckets were (8 KiB): a document's words probe all of it. */
#define SW_WORDS (sizeof stopword_list / sizeof *stopword_list)  /* with the NULL */
/* sw_keys[0], the key of no stopword, holds spaces: no word has a space,
 * nor an empty key (0). */
#define SW_EMPTY 0x2020202020202020ull
static uint16_t sw_slot[SW_SLOTS];
static uint64_t sw_keys[SW_WORDS];
/* [n]: the bytes of a key a word of n bytes fills. */
static uint64_t sw_key_bytes[SW_MAXLEN + 1];
static uint64_t sw_mult;
/* The key in each slot (SW_EMPTY: none), for the vector lookup, where a
 * gather costs more than the 24 KiB more the table takes. */
static uint64_t sw_slot_key[SW_SLOTS];
#ifdef HAVE_AVX512
static int windows_avx512;  /* the CPU has what count_windows_avx512 uses */
static int windows_vbmi;    /* and what the stride count of words_vbmi.c adds */
#endif
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static inline size_t sw_hash(uint64_t key) { return (size_t)((key * sw_mult) >> SW_SHIFT); }

/* Byte classes for word scanning. */
enum {
    WB_DIGIT = 1,   /* 0-9; bit 0, so that it can be added up directly */
    WB_WORD = 2,    /* ASCII letter or digit, or a non-ASCII byte other than 0xE2 */
    WB_SPECIAL = 4, /* ' and 0xE2: in a word or not depending on what follows */
    WB_UPPER = 8    /* A-Z */
};
static uint8_t wb_class[256];
/* lower_words: A-Z lowered, other ASCII punctuation a space, the rest kept. */

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

static void tables_init(void) {
#ifdef HAVE_AVX512
    windows_avx512 = dp_cpu_avx512bw();
    windows_vbmi = windows_avx512 && dp_cpu_avx512() && dp_cpu_avx512_vbmi() &&
                   dp_cpu_avx512_vbmi2();
#endif
    for (int c = 0; c < 256; c++) {
        uint8_t cl = 0;
        if (c >= 0x80 || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z'))
            cl = WB_WORD;
        if (c == '\'' || c == 0xE2) cl = WB_SPECIAL;
        if (c >= 'A' && c <= 'Z') cl |= WB_UPPER;
        if (c >= '0' && c <= '9') cl |= WB_DIGIT;
        wb_class[c] = cl;
    }
    char ones[SW_MAXLEN];
    memset(ones, 0xFF, sizeof ones);
    for (size_t n = 1; n <= SW_MAXLEN; n++) sw_key_bytes[n] = sw_key(ones, n);
    /* The keys, each once (a few words are listed for two languages). */
    sw_keys[0] = SW_EMPTY;
    uint16_t nkeys = 1;
    for (int i = 0; stopword_list[i]; i++) {
        size_t n = strlen(stopword_list[i]);
        assert(n <= SW_MAXLEN);  /* a longer stopword would never match: widen the key */
        uint64_t key = sw_key(stopword_list[i], n);
        uint16_t k = 1;
        while (k < nkeys && sw_keys[k] != key) k++;
        if (k == nkeys) sw_keys[nkeys++] = key;
    }
    /* Odd multipliers from a fixed sequence (splitmix64), so the table is
     * the same in every run; about one in 500 puts every key in a slot of
     * its own (a fraction of a millisecond of search). */
    uint64_t seq = 0;
    for (;;) {
        uint64_t z = (seq += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        sw_mult = (z ^ (z >> 31)) | 1;
        uint16_t k = 1;
        for (; k < nkeys && !sw_slot[sw_hash(sw_keys[k])]; k++) sw_slot[sw_hash(sw_keys[k])] = k;
        if (k == nkeys) break;
        while (k-- > 1) sw_slot[sw_hash(sw_keys[k])] = 0;  /* empty again */
    }
    for (size_t i = 0; i < SW_SLOTS; i++) sw_slot_key[i] = sw_keys[sw_slot[i]];
}

static inline int is_stopword_key(uint64_t key) { return sw_keys[sw_slot[sw_hash(key)]] == key; }

/* Bytes that belong to a word: ASCII letters and digits and any non-ASCII
 * byte, except UTF-8 general punctuation (U+2000-U+206F: typographic quotes,
 * dashes, ellipsis), which would otherwise glue quotes onto words. */
static int ascii_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

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
        uint64_t hits = 0;  /* the starts of stopwords */
        for (uint64_t c = starts & ~long_; c; c &= c - 1) {
            unsigned p = (unsigned)__builtin_ctzll(c);
            unsigned n = (unsigned)__builtin_ctzll(~(a >> p));  /* <= SW_MAXLEN */
            /* Without branches on the word: their outcomes are random.
             * sw_key_bytes keeps the word's bytes of the key. */
            uint64_t key;
            memcpy(&key, lower + p, sizeof key);
            key &= sw_key_bytes[n];
            hits |= (uint64_t)is_stopword_key(key) << p;
        }
        t->stop += bit_count(hits);
        t->lower_stop += bit_count(hits & ~m.upper);
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
    if (windows_vbmi) dp_count_stride_vbmi(s, len, &(dp_sw_table){sw_mult, sw_slot_key}, &t);
    else if (windows_avx512) count_windows_avx512(s, len, &t);
    else
#endif
        count_portable(s, len, &t);
    words_from_tally(&t, w);
}

uint32_t dp_count_words_legal(const char *str, size_t len, const uint8_t (*legal)[64],
                              dp_words *w) {
    pthread_once(&tables_once, tables_init);
#ifdef HAVE_AVX512
    if (windows_vbmi) {
        word_tally t = {0};
        uint32_t n = dp_count_stride_legal_vbmi((const unsigned char *)str, len,
                                                &(dp_sw_table){sw_mult, sw_slot_key}, legal, &t);
        words_from_tally(&t, w);
        return n;
    }
#endif
    dp_count_words(str, len, w);
    return UINT32_MAX;
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
int dp_title_case(const dp_words *w) {
    return w->words && w->words <= 20 && w->capitalized * 10 >= (w->words - w->lower_stop) * 6;
}

int dp_title_like(const char *s, size_t len, const dp_words *w) {
    return dp_title_case(w) && !dp_ends_sentence(s, len);
}

