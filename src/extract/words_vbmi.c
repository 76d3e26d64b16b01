/*
 * words_vbmi.c — dp_count_words with AVX-512 VBMI: the counts of words,
 * stopwords, capitals and letters of a block, a fixed stride of its bytes
 * a window, with the stopword test eight words at a time; and, on the same
 * pass, where a legal word of phrases.c may start (dp_count_words_legal),
 * so the scorer need not read a block a second time to rule out legal
 * text. words.c picks this path when the CPU has it; its byte scan
 * (scan_step) is the definition this path is held to (tests/unit/
 * test_extract.c, fuzz/fuzz_extract.c).
 */
#include "extract/words_int.h"
#include "extract/phrases.h"

#ifdef HAVE_AVX512

#define STOPS_VBMI_TARGET "avx512f,avx512bw,bmi,bmi2,popcnt,avx512dq,avx512vbmi,avx512vbmi2"

/* The stopword test for the word starts cand of a window of
 * dp_count_stride_vbmi, eight words at a time: count_windows' per-word steps
 * (two bit scans, a load, a multiply and two dependent table loads) cost
 * more than counting the window's words, letters and capitals together.
 * text: the window, ASCII lowered; a: its word bytes; upper: its A-Z
 * bytes. The words start at cand, at most SW_MAXLEN bytes long, and end
 * inside the window, so a key's bytes are text[p..p+8) up to the first
 * byte not in a, which is what the scalar loop's sw_key_bytes[n] keeps. */
__attribute__((target(STOPS_VBMI_TARGET))) static inline void stops_vbmi(
    __m512i text, uint64_t a, uint64_t upper, uint64_t cand, const dp_sw_table *sw, word_tally *t) {
    const __m512i iota = _mm512_set_epi8(
        63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42,
        41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20,
        19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    /* Byte 8q + j of a group: word q of the group, byte j of its key. */
    const __m512i lane = _mm512_set_epi64(0x0707070707070707ll, 0x0606060606060606ll,
                                          0x0505050505050505ll, 0x0404040404040404ll,
                                          0x0303030303030303ll, 0x0202020202020202ll,
                                          0x0101010101010101ll, 0);
    const __m512i offs = _mm512_set1_epi64(0x0706050403020100ll);
    const __m512i mult = _mm512_set1_epi64((long long)sw->mult);
    __m512i inword = _mm512_movm_epi8(a);
    __m512i at = _mm512_maskz_compress_epi8(cand, iota);  /* the starts, in order */
    unsigned k = (unsigned)_mm_popcnt_u64(cand);
    uint64_t cap = _pext_u64(upper, cand);  /* bit q: word q is capitalized */
    for (unsigned g = 0; g < k; g += 8) {
        __m512i idx = _mm512_add_epi8(
            _mm512_permutexvar_epi8(_mm512_add_epi8(lane, _mm512_set1_epi8((char)g)), at), offs);
        /* The indices stay below 64: a word ends inside the window. */
        __m512i key = _mm512_permutexvar_epi8(idx, text);
        __m512i out = _mm512_andnot_si512(_mm512_permutexvar_epi8(idx, inword),
                                          _mm512_set1_epi8(-1));
        /* The bits below the lowest set bit of out: the bytes before the
         * word's end (all eight for a word of eight). */
        __m512i first = _mm512_and_si512(out, _mm512_sub_epi64(_mm512_setzero_si512(), out));
        key = _mm512_and_si512(key, _mm512_sub_epi64(first, _mm512_set1_epi64(1)));
        __m512i h = _mm512_srli_epi64(_mm512_mullo_epi64(key, mult), SW_SHIFT);
        __m512i want = _mm512_i64gather_epi64(h, (const void *)sw->slot_key, 8);
        unsigned live = k - g >= 8 ? 0xFFu : (1u << (k - g)) - 1;
        unsigned hits = _mm512_cmpeq_epi64_mask(want, key) & live;
        t->stop += (uint32_t)_mm_popcnt_u32(hits);
        t->lower_stop += (uint32_t)_mm_popcnt_u32(hits & ~(unsigned)(cap >> g));
    }
}

/* Bytes a window of dp_count_stride_vbmi owns (see there). */
#define STRIDE 52

/* dp_count_words with AVX-512 VBMI, at a fixed stride. count_windows must
 * stop each window at the first apostrophe or 0xE2 and where the last word
 * it could close ends, so where one window starts depends on the masks of
 * the one before: a chain of load, compare, bit scans a window long, and a
 * branch on the text that mispredicts. Here the apostrophe and 0xE2 rules
 * of scan_step are bit masks too, read from the bytes around each one,
 * and every window starts STRIDE bytes after the one before.
 *
 * Lane r of a window holds s[i - 1 + r]; it owns lanes 1..STRIDE (bytes
 * i..i+STRIDE-1) and reads the lanes after them to settle its last words:
 * whether a byte is in a word depends on up to three bytes after it (the
 * ’ rule), and a stopword test on the nine bytes from a word's start
 * (SW_MAXLEN and the byte that ends it): 1 + STRIDE + 8 + 3 = 64. Lane 0
 * is the byte before, for the apostrophe rules; whether it is in a word
 * came from the window before (carry). Bytes past the end read as zero,
 * which ends a word as the end does.
 *
 * The masks, per scan_step: a word byte is an ASCII letter or digit, a
 * non-ASCII byte but 0xE2, or 0xE2 not followed by 0x80/0x81 (which is
 * skipped alone when it opens general punctuation, the continuation bytes
 * after it starting a word); an apostrophe after a word byte and before an
 * ASCII letter or digit; the 0xE2 of ’ (E2 80 99) likewise. */
/* The window at i: lanes s[i - 1 .. i + 63), zero past the end and, at
 * i = 0, in lane 0. */
__attribute__((target(STOPS_VBMI_TARGET))) static inline __m512i stride_load(
    const unsigned char *s, size_t len, size_t i) {
    if (i) {
        size_t n = len - i + 1;  /* readable from s + i - 1 */
        return _mm512_maskz_loadu_epi8(n >= 64 ? ~0ull : (1ull << n) - 1, s + i - 1);
    }
    /* No byte before the text: load from s and move each byte up a lane. */
    __m512i v = _mm512_maskz_loadu_epi8(len >= 63 ? ~0ull >> 1 : (1ull << len) - 1, s);
    const __m512i down = _mm512_set_epi8(
        62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41,
        40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,
        18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0);
    return _mm512_maskz_permutexvar_epi8(~1ull, down, v);
}

/* v lowered for the stopword keys: bit 5 set in its ASCII bytes. */
__attribute__((target(STOPS_VBMI_TARGET))) static inline __m512i stride_lower(__m512i v) {
    return _mm512_mask_mov_epi8(v, ~_mm512_movepi8_mask(v),
                                _mm512_or_si512(v, _mm512_set1_epi8(0x20)));
}

/* What the stopword test of a window needs: its word bytes, A-Z bytes and
 * the starts of the words short enough to be a stopword. */
typedef struct stride_masks {
    uint64_t in, up, cand;
    uint64_t kept;  /* bytes lower_words keeps: ASCII letters and digits, non-ASCII bytes */
} stride_masks;

/* The masks of window v; counts its words, capitals, letters and digits
 * into t. *carry: the byte before the window is in a word (in: from the
 * window before; out: for the next one). */
__attribute__((target(STOPS_VBMI_TARGET))) static inline stride_masks stride_window(
    __m512i v, uint64_t *carry, word_tally *t) {
    const uint64_t own = ((1ull << STRIDE) - 1) << 1;
    __m512i y = _mm512_or_si512(v, _mm512_set1_epi8(0x20));  /* A-Z to a-z */
    uint64_t dig = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('0')),
                                          _mm512_set1_epi8(10));
    uint64_t alnum = dig | _mm512_cmplt_epu8_mask(_mm512_sub_epi8(y, _mm512_set1_epi8('a')),
                                                  _mm512_set1_epi8(26));
    uint64_t up = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('A')),
                                         _mm512_set1_epi8(26));
    uint64_t high = _mm512_movepi8_mask(v);
    uint64_t e2 = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8((char)0xE2));
    uint64_t apos = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\''));
    uint64_t in = alnum | (high & ~e2);
    if (e2 | apos) {
        uint64_t b8081 = _mm512_cmpeq_epi8_mask(_mm512_and_si512(v, _mm512_set1_epi8((char)0xFE)),
                                                _mm512_set1_epi8((char)0x80));
        uint64_t b80 = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8((char)0x80));
        uint64_t b99 = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8((char)0x99));
        uint64_t punct = e2 & (b8081 >> 1);   /* 0xE2 0x80/0x81: general punctuation */
        uint64_t plain = in | (e2 & ~punct);  /* word bytes whatever their neighbours */
        uint64_t after = plain << 1;          /* the byte before is one */
        in = plain | (apos & after & (alnum >> 1)) |
             (punct & after & (b80 >> 1) & (b99 >> 2) & (alnum >> 3));
    }
    in = (in & ~1ull) | *carry;  /* exact in lanes 1..60 (3 bytes read ahead) */
    *carry = in >> STRIDE & 1;
    uint64_t starts = in & ~(in << 1) & own;
    t->words += bit_count(starts);
    t->caps += bit_count(starts & up);
    t->letters += bit_count(in & own);
    t->digits += bit_count(dig & own);
    /* Words of more than SW_MAXLEN bytes: nine word bytes from the start. */
    uint64_t long_ = in & (in >> 1);
    long_ &= long_ >> 2;
    long_ &= long_ >> 4;
    long_ &= in >> 8;
    return (stride_masks){.in = in, .up = up, .cand = starts & ~long_, .kept = alnum | high};
}

/* The word starts of lower_words' form (a kept byte after one it drops)
 * among the lanes window v owns where a legal word may begin: the filter
 * of legal_text_avx512 (phrases.c), row j of the filter looked up for the
 * bytes j = 0..3 from each lane. Lane 0 holds the byte before the window
 * (zero at the start of the text, which is not kept), so the starts need
 * no carry; bytes past the end read as zero, ' ' once lowered, in no
 * bucket, as there. The lookups are made on the window and the window
 * one lane on, and the result of bytes 2..3 moved two lanes back: two
 * moves instead of three. */
__attribute__((target(STOPS_VBMI_TARGET))) static inline uint32_t legal_starts(
    __m512i v, uint64_t kept, const __m512i *teddy) {
    const uint64_t own = ((1ull << STRIDE) - 1) << 1;
    const __m512i iota = _mm512_set_epi8(
        63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42,
        41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20,
        19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
    /* vpermb reads the low 6 bits of each index: lane 63 + k wraps to
     * lane k - 1, which only lanes past 55 read (none owned). */
    __m512i y = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
    __m512i y1 = _mm512_permutexvar_epi8(_mm512_add_epi8(iota, _mm512_set1_epi8(1)), y);
    __m512i b01 = _mm512_and_si512(_mm512_permutexvar_epi8(y, teddy[0]),
                                   _mm512_permutexvar_epi8(y1, teddy[1]));
    __m512i b23 = _mm512_and_si512(_mm512_permutexvar_epi8(y, teddy[2]),
                                   _mm512_permutexvar_epi8(y1, teddy[3]));
    b23 = _mm512_permutexvar_epi8(_mm512_add_epi8(iota, _mm512_set1_epi8(2)), b23);
    __m512i b = _mm512_and_si512(b01, b23);
    uint64_t starts = kept & ~(kept << 1) & own;
    return bit_count(_mm512_test_epi8_mask(b, b) & starts);
}

/* dp_count_words with AVX-512 VBMI (see STRIDE above); with the filter
 * legal (NULL or not is a constant: compiled once each way), also the
 * count of legal_starts. */
__attribute__((target(STOPS_VBMI_TARGET))) static inline __attribute__((always_inline)) uint32_t
stride_count(const unsigned char *s, size_t len, const dp_sw_table *sw,
             const uint8_t (*legal)[64], word_tally *t) {
    uint64_t carry = 0;
    uint32_t legal_n = 0;
    _Static_assert(PHRASE_PREFIX == 4, "legal_starts looks up four bytes");
    __m512i teddy[PHRASE_PREFIX];
    if (legal)
        for (int j = 0; j < PHRASE_PREFIX; j++) teddy[j] = _mm512_loadu_si512(legal[j]);
    for (size_t i = 0; i < len; i += STRIDE) {
        __m512i v = stride_load(s, len, i);
        stride_masks m = stride_window(v, &carry, t);
        stops_vbmi(stride_lower(v), m.in, m.up, m.cand, sw, t);
        if (legal) legal_n += legal_starts(v, m.kept, teddy);
    }
    return legal_n;
}

__attribute__((target(STOPS_VBMI_TARGET))) void dp_count_stride_vbmi(const unsigned char *s,
                                                                    size_t len,
                                                                    const dp_sw_table *sw,
                                                                    word_tally *t) {
    stride_count(s, len, sw, NULL, t);
}

__attribute__((target(STOPS_VBMI_TARGET))) uint32_t dp_count_stride_legal_vbmi(
    const unsigned char *s, size_t len, const dp_sw_table *sw, const uint8_t (*legal)[64],
    word_tally *t) {
    return stride_count(s, len, sw, legal, t);
}

#endif /* HAVE_AVX512 */
