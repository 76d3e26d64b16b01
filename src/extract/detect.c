/*
 * detect.c — the first look at a document: is it binary data, and is it
 * text, Markdown or HTML.
 *
 * Every document goes through here before anything else, so the look is one
 * pass over its head: the pass that tallies control bytes (binary data)
 * also notes whether any byte that a format mark starts with ('<' of a tag,
 * ']' of a Markdown link, '#' of a heading, '`' of a code fence) occurs.
 * Plain text, most of any corpus, holds none: its format is then known from
 * its first bytes, and the scans for tags, links and headings are not made.
 * A document with one of those bytes, or longer than the head, is detected
 * by the scans as before; both ways give the same answer
 * (tests/unit/test_detect.c holds them to a copy of the scans alone).
 */
#include "extract/extract_int.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HEAD_AVX512 1
#define HEAD_AVX512_TARGET "avx512f,avx512bw,bmi,bmi2,popcnt"
#endif

/* A byte below 0x20: NUL, or a control byte other than white space and ESC. */
static inline void tally_low(unsigned char c, dp_text_head *h) {
    if (c == 0) h->nul++;
    else if (c < 0x20 && !dp_is_space(c) && c != 0x1b) h->ctl++;
}

/* ---- the head pass ---------------------------------------------------------- */

/* Bytes [i, n) one at a time: tails, and the portable path. Text bytes are
 * almost all >= 0x20: eight are tested at a time, single bytes only in words
 * that hold a byte below 0x20 (exact: the high bit of a byte of lt is set
 * iff that byte is < 0x20). */
static void head_tail(const char *s, size_t i, size_t n, dp_text_head *h) {
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full, add = 0x6060606060606060ull,
                   high = 0x8080808080808080ull;
    size_t from = i;
    while (i < n) {
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            uint64_t lt = ~(((w & low7) + add) | w) & high;
            if (!lt) {
                i += 8;
                continue;
            }
        }
        for (size_t end = DP_MIN(n, i + 8); i < end; i++) tally_low((unsigned char)s[i], h);
    }
    if (!h->marks && n > from) {
        static const char marks[] = "<]#`";
        for (int k = 0; k < 4 && !h->marks; k++) h->marks = memchr(s + from, marks[k], n - from) != NULL;
    }
}

#ifdef HEAD_AVX512
/* 64 bytes a compare: a mask of the bytes below 0x20 (looked at one by
 * one: text has one a line) and one of the mark bytes. The last block is a
 * masked load, which reads no byte past n. */
__attribute__((target(HEAD_AVX512_TARGET))) static void head_avx512(const char *s, size_t n,
                                                                     dp_text_head *h) {
    const __m512i below = _mm512_set1_epi8(0x20), lt = _mm512_set1_epi8('<'),
                  rb = _mm512_set1_epi8(']'), hash = _mm512_set1_epi8('#'),
                  tick = _mm512_set1_epi8('`');
    __mmask64 marks = 0;
    for (size_t i = 0; i < n; i += 64) {
        __mmask64 in = n - i >= 64 ? ~(__mmask64)0 : _bzhi_u64(~0ull, (unsigned)(n - i));
        __m512i v = _mm512_maskz_loadu_epi8(in, s + i);
        marks |= _mm512_mask_cmpeq_epi8_mask(in, v, lt) | _mm512_mask_cmpeq_epi8_mask(in, v, rb) |
                 _mm512_mask_cmpeq_epi8_mask(in, v, hash) | _mm512_mask_cmpeq_epi8_mask(in, v, tick);
        for (__mmask64 low = _mm512_mask_cmplt_epu8_mask(in, v, below); low; low = _blsr_u64(low))
            tally_low((unsigned char)s[i + _tzcnt_u64(low)], h);
    }
    h->marks = marks != 0;
}
#endif

void dp_text_head_scan(const char *s, size_t len, int vector, dp_text_head *h) {
    size_t n = DP_MIN(len, (size_t)DP_HEAD_BYTES), i = 0;
    *h = (dp_text_head){.n = n, .marks = len > n};
#ifdef HEAD_AVX512
    if (vector && dp_cpu_avx512bw()) {
        head_avx512(s, n, h);
        h->marks |= len > n;
        return;
    }
#endif
#ifdef __SSE2__
    if (vector) {
        /* 16 bytes at a time; only the bytes below 0x20 (min(c, 0x1F) == c,
         * unsigned) are looked at one by one. */
        const __m128i low = _mm_set1_epi8(0x1F), lt = _mm_set1_epi8('<'), rb = _mm_set1_epi8(']'),
                      hash = _mm_set1_epi8('#'), tick = _mm_set1_epi8('`');
        __m128i marks = _mm_setzero_si128();
        for (; i + 16 <= n; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            marks = _mm_or_si128(marks, _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lt),
                                                                  _mm_cmpeq_epi8(v, rb)),
                                                     _mm_or_si128(_mm_cmpeq_epi8(v, hash),
                                                                  _mm_cmpeq_epi8(v, tick))));
            unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, low), v));
            for (; m; m &= m - 1) tally_low((unsigned char)s[i + (unsigned)__builtin_ctz(m)], h);
        }
        h->marks |= _mm_movemask_epi8(marks) != 0;
    }
#endif
    (void)vector;
    head_tail(s, i, n, h);
}

int dp_text_head_binary(const dp_text_head *h) {
    /* The reader's rule (read.c): over 10% of the first 8 KiB. A stray NUL in
     * a text is repaired by normalization, not a reason to drop the text. */
    return h->n && (h->nul + h->ctl) * 10 > h->n;
}

/* ---- the format ------------------------------------------------------------- */

static int starts_with_ci(const char *s, size_t len, const char *lit) {
    size_t n = strlen(lit);
    if (len < n) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if (c != lit[i]) return 0;
    }
    return 1;
}

/* Does a line of s[0..n), n >= 2, start before the last byte with an ATX
 * heading ("## News") or a code fence? Both open with a byte that prose
 * hardly uses, so the scan jumps between those bytes rather than between
 * line starts. */
static int md_line_start(const char *s, size_t n) {
    const char *end = s + n - 1;
    for (const char *p = s; (p = memchr(p, '#', (size_t)(end - p))); p++) {
        if (p > s && p[-1] != '\n') continue;
        size_t k = (size_t)(p - s), j = k;
        while (j < n && s[j] == '#') j++;
        if (j - k <= 6 && j < n && s[j] == ' ') return 1;
    }
    for (const char *p = s; (p = memchr(p, '`', (size_t)(end - p))); p++)
        if ((p == s || p[-1] == '\n') && p + 2 < s + n && p[1] == '`' && p[2] == '`') return 1;
    return 0;
}

doppel_extract_format dp_detect_format(const char *s, size_t len, const dp_text_head *h) {
    size_t i = 0;
    if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) i = 3;
    while (i < len && dp_is_space((unsigned char)s[i])) i++;
    /* "<!doctype" alone: a crawl cut short leaves "<!DOCTYPEw.site.com/..." */
    if (starts_with_ci(s + i, len - i, "<!doctype") || starts_with_ci(s + i, len - i, "<html") ||
        starts_with_ci(s + i, len - i, "<?xml") || starts_with_ci(s + i, len - i, "<!--"))
        return DOPPEL_FORMAT_HTML;
    /* Without a mark byte no scan below can find anything: they all look at
     * s[0..min(len, 64 KiB)), and h saw the whole document. */
    int front = len - i >= 4 && !memcmp(s + i, "---", 3) && (s[i + 3] == '\n' || s[i + 3] == '\r');
    if (h && !h->marks) return front ? DOPPEL_FORMAT_MARKDOWN : DOPPEL_FORMAT_TEXT;
    /* A fragment without a document element: count block-level tags. */
    static const char *const tags[] = {"<p>", "<p ", "<div", "<br", "<body", "<head", "<table",
                                       "<li>", "<h1", "<h2", "<h3", "<article", "<section",
                                       "<span", "<a href", "<meta", "<title", "<ul", "</p>",
                                       "<link ", "<script", "<style"};
    size_t n = DP_MIN(len, (size_t)4096), hits = 0;
    /* The scans jump between the few bytes that can matter ('<', ']', '#',
     * '`') with memchr. */
    for (const char *p = s + DP_MIN(i, n), *end = s + n; (p = memchr(p, '<', (size_t)(end - p)));
         p++) {
        size_t k = (size_t)(p - s);
        for (size_t t = 0; t < sizeof tags / sizeof *tags; t++)
            if (starts_with_ci(s + k, n - k, tags[t])) { hits++; break; }
    }
    if (hits >= 3) return DOPPEL_FORMAT_HTML;
    if (front) return DOPPEL_FORMAT_MARKDOWN;
    /* Markdown shows itself in links and ATX headings; look at the start. */
    n = DP_MIN(len, (size_t)65536);
    if (n < 2) return DOPPEL_FORMAT_TEXT;
    for (const char *p = s, *end = s + n - 1; (p = memchr(p, ']', (size_t)(end - p))); p++)
        if (p[1] == '(') return DOPPEL_FORMAT_MARKDOWN;
    return md_line_start(s, n) ? DOPPEL_FORMAT_MARKDOWN : DOPPEL_FORMAT_TEXT;
}
