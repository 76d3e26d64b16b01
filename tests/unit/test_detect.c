/*
 * test_detect.c — the first look at a document (src/extract/detect.c): the
 * one-pass head scan and the format detection that skips its scans for
 * plain text must answer as the four scans and the separate binary check
 * did. The reference below is that code as it was before the head pass
 * (extract.c at b41aae1), kept here verbatim but for its names.
 */
#include "testutil.h"

#include "extract/extract_int.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ---- the reference -------------------------------------------------------- */

static int ref_is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}


/* A byte below 0x20: NUL, or a control byte other than white space and ESC. */
static inline void ref_tally_low(unsigned char c, size_t *nul, size_t *ctl) {
    if (c == 0) (*nul)++;
    else if (c < 0x20 && !ref_is_space(c) && c != 0x1b) (*ctl)++;
}

/* Binary data has NUL bytes or many control bytes early on; text (even
 * badly encoded text) has almost none. UTF-16 lands here too, on purpose:
 * it is rare on the web and the rest of doppel reads UTF-8. */
static int ref_looks_binary(const char *s, size_t len, size_t *nuls) {
    size_t n = DP_MIN(len, (size_t)8192), nul = 0, ctl = 0, i = 0;
#ifdef __SSE2__
    /* 16 bytes at a time; only the bytes below 0x20 (min(c, 0x1F) == c,
     * unsigned) are looked at one by one, and text has one a line. */
    const __m128i below = _mm_set1_epi8(0x1F);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned low = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, below), v));
        for (; low; low &= low - 1)
            ref_tally_low((unsigned char)s[i + (unsigned)__builtin_ctz(low)], &nul, &ctl);
    }
#endif
    /* Text bytes are almost all >= 0x20: test eight at a time and look at
     * single bytes only in words that hold a byte below 0x20 (exact: the
     * high bit of a byte of lt is set iff that byte is < 0x20). */
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full, add = 0x6060606060606060ull,
                   high = 0x8080808080808080ull;
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
        for (size_t end = DP_MIN(n, i + 8); i < end; i++)
            ref_tally_low((unsigned char)s[i], &nul, &ctl);
    }
    *nuls = nul;
    /* The reader's rule (read.c): over 10% of the first 8 KiB. A stray NUL in
     * a text is repaired by normalization, not a reason to drop the text. */
    return n && (nul + ctl) * 10 > n;
}

static int ref_starts_with(const char *s, size_t len, const char *lit) {
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
static int ref_md_line_start(const char *s, size_t n) {
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

static doppel_extract_format ref_detect_format(const char *s, size_t len) {
    size_t i = 0;
    if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) i = 3;
    while (i < len && ref_is_space((unsigned char)s[i])) i++;
    /* "<!doctype" alone: a crawl cut short leaves "<!DOCTYPEw.site.com/..." */
    if (ref_starts_with(s + i, len - i, "<!doctype") || ref_starts_with(s + i, len - i, "<html") ||
        ref_starts_with(s + i, len - i, "<?xml") || ref_starts_with(s + i, len - i, "<!--"))
        return DOPPEL_FORMAT_HTML;
    /* A fragment without a document element: count block-level tags. */
    static const char *const tags[] = {"<p>", "<p ", "<div", "<br", "<body", "<head", "<table",
                                       "<li>", "<h1", "<h2", "<h3", "<article", "<section",
                                       "<span", "<a href", "<meta", "<title", "<ul", "</p>",
                                       "<link ", "<script", "<style"};
    size_t n = DP_MIN(len, (size_t)4096), hits = 0;
    /* Every document is detected, so the scans below jump between the few
     * bytes that can matter ('<', ']', '#', '`') with memchr. */
    for (const char *p = s + DP_MIN(i, n), *end = s + n; (p = memchr(p, '<', (size_t)(end - p)));
         p++) {
        size_t k = (size_t)(p - s);
        for (size_t t = 0; t < sizeof tags / sizeof *tags; t++)
            if (ref_starts_with(s + k, n - k, tags[t])) { hits++; break; }
    }
    if (hits >= 3) return DOPPEL_FORMAT_HTML;
    if (len - i >= 4 && !memcmp(s + i, "---", 3) && (s[i + 3] == '\n' || s[i + 3] == '\r'))
        return DOPPEL_FORMAT_MARKDOWN;
    /* Markdown shows itself in links and ATX headings; look at the start. */
    n = DP_MIN(len, (size_t)65536);
    if (n < 2) return DOPPEL_FORMAT_TEXT;
    for (const char *p = s, *end = s + n - 1; (p = memchr(p, ']', (size_t)(end - p))); p++)
        if (p[1] == '(') return DOPPEL_FORMAT_MARKDOWN;
    return ref_md_line_start(s, n) ? DOPPEL_FORMAT_MARKDOWN : DOPPEL_FORMAT_TEXT;
}

/* ---- the comparison ------------------------------------------------------- */

/* s[0..len) in a buffer of exactly len bytes (a read past it is caught by
 * the sanitizers), checked on both paths against the reference. */
static void check_doc(const char *src, size_t len, const char *what) {
    char *s = malloc(len ? len : 1);
    assert_non_null(s);
    if (len) memcpy(s, src, len);
    size_t want_nul = 0;
    int want_bin = ref_looks_binary(s, len, &want_nul);
    dp_text_head h[2];
    for (int vec = 0; vec < 2; vec++) {
        dp_text_head_scan(s, len, vec, &h[vec]);
        if (dp_text_head_binary(&h[vec]) != want_bin || h[vec].nul != want_nul)
            fail_msg("%s (len %zu, %s): binary %d/%d, NUL %zu/%zu", what, len,
                     vec ? "vector" : "portable", dp_text_head_binary(&h[vec]), want_bin,
                     h[vec].nul, want_nul);
        if (len && !want_bin) {
            doppel_extract_format want = ref_detect_format(s, len);
            doppel_extract_format got = dp_detect_format(s, len, &h[vec]);
            if (got != want)
                fail_msg("%s (len %zu, %s, marks %d): %s, reference %s", what, len,
                         vec ? "vector" : "portable", h[vec].marks,
                         doppel_extract_format_name(got), doppel_extract_format_name(want));
            if (dp_detect_format(s, len, NULL) != want)
                fail_msg("%s (len %zu): without the head, not %s", what, len,
                         doppel_extract_format_name(want));
        }
    }
    if (h[0].ctl != h[1].ctl || h[0].marks != h[1].marks || h[0].n != h[1].n)
        fail_msg("%s (len %zu): vector and portable differ: ctl %zu/%zu marks %d/%d", what, len,
                 h[1].ctl, h[0].ctl, h[1].marks, h[0].marks);
    /* marks is 0 only when no mark byte is in the document at all. */
    if (!h[1].marks)
        for (size_t i = 0; i < len; i++)
            if (strchr("<]#`", s[i]) && s[i]) fail_msg("%s: a mark at %zu not seen", what, i);
    free(s);
}

/* Documents on the edges of the fast path: a mark byte in the last vector
 * block, on the last byte, just inside and outside the head, only in a
 * tail shorter than a vector; front matter, HTML openers after a BOM and
 * white space, binary heads. */
static void test_crafted(void **state) {
    (void)state;
    static const char *const docs[] = {
        "plain text\nwith lines\n", "---\ntitle: x\n---\nbody", "---\r\nx", "---x\n", "--",
        "\xEF\xBB\xBF  <!DOCTYPE html><p>x", "  \n<html>", "<?xml version", "<!-- c -->",
        "<p>a</p><p>b</p><div>c", "<p>a</p> <br>", "see [this](http://x)", "see [this] (x)",
        "a]", "]", "](", "# Title\nsome text", "text\n## Heading\nmore", "text\n####### seven",
        "a #hashtag\nand ## this", "text\n#", "text\n# ", "text\n```\ncode", "x ``` y", "```",
        "#", "`", "<", "a\0b\0c\0d", "\x01\x02\x03\x04\x05 text", "\x1b[0m colored\ttext\f\v",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        size_t len = strlen(docs[i]);
        if (i == sizeof docs / sizeof *docs - 3) len = 7;  /* the one with NULs */
        check_doc(docs[i], len, docs[i]);
    }
    /* A mark (or an HTML/Markdown marker) at every offset near the vector
     * and head boundaries, in documents of lengths around them. */
    static const char *const marks[] = {"<", "]", "#", "`", "](", "\n# x", "\n```", "<p>"};
    static const size_t lens[] = {1, 15, 16, 17, 63, 64, 65, 127, 128, 200, 4095, 4096, 4097,
                                  8191, 8192, 8193, 8200, 70000};
    char *buf = malloc(70000 + 8);
    assert_non_null(buf);
    for (size_t li = 0; li < sizeof lens / sizeof *lens; li++) {
        size_t len = lens[li];
        for (size_t m = 0; m < sizeof marks / sizeof *marks; m++) {
            size_t ml = strlen(marks[m]);
            size_t at[] = {0, 1, 14, 15, 16, 62, 63, 64, len / 2, 4095, 4096, 8190, 8191, 8192,
                           8193, 65534, 65535, 65536, len - 1, len - ml};
            for (size_t a = 0; a < sizeof at / sizeof *at; a++) {
                if (at[a] > len || at[a] + ml > len) continue;
                for (size_t i = 0; i < len; i++) buf[i] = "word \n"[i % 6];
                memcpy(buf + at[a], marks[m], ml);
                char what[64];
                snprintf(what, sizeof what, "mark '%s' at %zu", marks[m], at[a]);
                check_doc(buf, len, what);
            }
        }
    }
    /* White space longer than the head before an HTML opener. */
    memset(buf, ' ', 9000);
    memcpy(buf + 9000, "<html><p>x", 10);
    check_doc(buf, 9010, "9000 spaces then <html>");
    free(buf);
}

/* Random documents over an alphabet heavy in the bytes that matter. */
static void test_random(void **state) {
    (void)state;
    static const char *const pieces[] = {
        "a", "b", "Word", " ", " ", "\n", "\r\n", "\n\n", "\t", "<", "]", "(", "#", "`", "-",
        "<p>", "<div", "</p>", "](", "\n# ", "\n## ", "\n```", "---\n", "<!doctype", "<html",
        "\xEF\xBB\xBF", "\xC3\xA9", "\0", "\x01", "\x1b", "\x7f", "\xff"};
    size_t npieces = sizeof pieces / sizeof *pieces;
    uint64_t rng = 16;
    char *buf = malloc(80000);
    assert_non_null(buf);
    for (int round = 0; round < 20000; round++) {
        size_t target;
        uint64_t r = test_rnd(&rng);
        switch (r % 8) {
        case 0: target = 8150 + (r >> 8) % 100; break;   /* around the head */
        case 1: target = 65500 + (r >> 8) % 100; break;  /* around the 64 KiB scans */
        case 2: target = (r >> 8) % 5000; break;
        default: target = (r >> 8) % 300; break;
        }
        if (round % 50 != 1 && target > 60000) target = (r >> 8) % 300;
        /* Mostly plain words; a few rounds with marks or controls. */
        unsigned rare = (unsigned)(test_rnd(&rng) % 4);
        size_t len = 0;
        while (len < target) {
            uint64_t x = test_rnd(&rng);
            const char *p = (x % 100) < (rare ? 97u : 100u) ? pieces[x % 6]
                                                            : pieces[6 + (x >> 8) % (npieces - 6)];
            size_t pl = p == pieces[27] ? 1 : strlen(p);  /* pieces[27] is one NUL byte */
            if (len + pl > target) break;
            memcpy(buf + len, p, pl);
            len += pl;
        }
        char what[32];
        snprintf(what, sizeof what, "round %d", round);
        check_doc(buf, len, what);
    }
    free(buf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crafted),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
