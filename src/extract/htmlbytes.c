/*
 * htmlbytes.c — an HTML page's bytes outside the tree: the declared
 * charset (latin-1/windows-1252 converted to UTF-8) and the plain tag
 * stripper that reads pages nested too deep for the tree (htmltree.c).
 *
 * Charset: the parser is told the page is UTF-8. A page that declares latin-1 or
 * windows-1252 (the same thing on the web) is converted first with the
 * table below; one that declares anything else is passed through and
 * flagged. A page that declares latin-1 but is valid UTF-8 with multibyte
 * characters was mislabeled by its server and is left alone.
 *
 * A page whose elements nest more than 1000 deep (htmltree.c gives up
 * there: an end tag looks its element up in the stack of open ones) is
 * read by a plain tag stripper instead (dp_html_strip) and flagged as
 * repaired: its text survives, its structure does not matter.
 */
#include "extract/extract_int.h"

#include <string.h>
#include <strings.h>

/* ---- charset ------------------------------------------------------------- */

/* windows-1252 bytes 0x80-0x9F; the rest of the range is latin-1 (= the
 * code point). Undefined bytes map to the C1 control of the same value, as
 * WHATWG's decoder does. */
static const uint16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

static const char *const latin1_labels[] = {
    "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "windows-1252",
    "cp1252", "x-cp1252", "cp819", "ibm819", "us-ascii", "ascii", "iso-ir-100", NULL};

unsigned dp_cp1252(unsigned char c) { return c >= 0x80 && c < 0xA0 ? cp1252_high[c - 0x80] : c; }

/* Where the first byte >= 0x80 is, 8 bytes at a time; len when none. */
static size_t first_high(const unsigned char *s, size_t len) {
    size_t i = 0;
    for (uint64_t w; i + 8 <= len; i += 8) {
        memcpy(&w, s + i, 8);
        if (w & 0x8080808080808080ull) break;
    }
    while (i < len && s[i] < 0x80) i++;
    return i;
}

int dp_html_charset(doppel_extractor *ex, const char *s, size_t len) {
    if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) return 0;
    size_t n = DP_MIN(len, (size_t)4096);
    char label[32];
    size_t ln = 0;
    for (size_t i = 0; i + 7 < n && !ln; i++) {
        if ((s[i] | 32) != 'c' || (s[i + 1] | 32) != 'h' || strncasecmp(s + i, "charset", 7))
            continue;
        size_t k = i + 7;
        while (k < n && (s[k] == ' ' || s[k] == '=' || s[k] == '"' || s[k] == '\'')) k++;
        while (k < n && ln < sizeof label - 1 &&
               (s[k] == '-' || s[k] == '_' || s[k] == ':' || s[k] == '.' ||
                (s[k] >= '0' && s[k] <= '9') || ((s[k] | 32) >= 'a' && (s[k] | 32) <= 'z'))) {
            char c = s[k++];
            label[ln++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
    }
    if (!ln) return 0;
    label[ln] = '\0';
    if (!strcmp(label, "utf-8") || !strcmp(label, "utf8")) return 0;
    int latin1 = 0;
    for (int i = 0; latin1_labels[i]; i++) latin1 |= !strcmp(label, latin1_labels[i]);
    if (!latin1) {
        ex->flags |= DOPPEL_EXTRACT_CHARSET_UNKNOWN;
        return 0;
    }
    const unsigned char *u = (const unsigned char *)s;
    /* ASCII, or valid UTF-8 with a multibyte sequence (mislabeled) */
    if (first_high(u, len) == len || dp_utf8_first_invalid(s, len) == len) return 0;

    doppel_buf *b = &ex->conv;
    b->len = 0;
    if (dp_buf_reserve(b, len * 3 + 1)) return DOPPEL_ERR_NOMEM;
    char *o = b->data;
    for (size_t i = 0; i < len; i++) {
        unsigned c = u[i];
        if (c < 0x80) { *o++ = (char)c; continue; }
        if (c < 0xA0) c = cp1252_high[c - 0x80];
        if (c < 0x800) {
            *o++ = (char)(0xC0 | (c >> 6));
            *o++ = (char)(0x80 | (c & 0x3F));
        } else {
            *o++ = (char)(0xE0 | (c >> 12));
            *o++ = (char)(0x80 | ((c >> 6) & 0x3F));
            *o++ = (char)(0x80 | (c & 0x3F));
        }
    }
    b->len = (size_t)(o - b->data);
    b->data[b->len] = '\0';
    ex->flags |= DOPPEL_EXTRACT_CHARSET_CONVERTED;
    return 1;
}

/* ---- pages too deep for a tree ------------------------------------------------ */

static int tag_is(const char *s, size_t n, const char *name) {
    size_t k = strlen(name);
    return n >= k && !strncasecmp(s, name, k) &&
           (n == k || s[k] == '>' || s[k] == ' ' || s[k] == '/' || s[k] == '\n' || s[k] == '\t');
}

/* Text of a page with its tags removed: tags become spaces (block tags a
 * paragraph break), script/style content is skipped, the common entities
 * are decoded. Then read as text. */
doppel_status dp_html_strip(doppel_extractor *ex, const char *s, size_t len) {
    doppel_buf *b = &ex->hbuf[0];
    b->len = 0;
    if (dp_buf_reserve(b, 2 * len + 2)) return DOPPEL_ERR_NOMEM;  /* a tag is >= 2 bytes */
    static const char *const blocks[] = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5",
                                         "h6", "tr", "table", "section", "article",
                                         "blockquote", "pre", "ul", "ol", NULL};
    static const struct { const char *name, *text; } ents[] = {
        {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"},
        {"&nbsp;", " "}, {"&apos;", "'"}, {NULL, NULL}};
    size_t i = 0;
    while (i < len) {
        char c = s[i];
        if (c == '<') {
            const char *gt = memchr(s + i, '>', len - i);
            size_t e = gt ? (size_t)(gt - s) + 1 : len;
            const char *name = s + i + 1 + (i + 1 < len && s[i + 1] == '/');
            size_t nn = (size_t)(s + e - name);
            char sep = ' ';
            for (int k = 0; blocks[k]; k++)
                if (tag_is(name, nn, blocks[k])) sep = '\n';
            if (sep == '\n') b->data[b->len++] = '\n', sep = '\n';
            b->data[b->len++] = sep;
            if (i + 1 < len && s[i + 1] != '/' && (tag_is(name, nn, "script") || tag_is(name, nn, "style"))) {
                const char *endtag = tag_is(name, nn, "script") ? "</script" : "</style";
                size_t k = e;
                while (k + 8 <= len && strncasecmp(s + k, endtag, strlen(endtag))) k++;
                e = k + 8 <= len ? k : len;
            }
            i = e;
            continue;
        }
        if (c == '&') {
            int done = 0;
            for (int k = 0; ents[k].name && !done; k++) {
                size_t n = strlen(ents[k].name);
                if (i + n <= len && !memcmp(s + i, ents[k].name, n)) {
                    b->data[b->len++] = ents[k].text[0];
                    i += n;
                    done = 1;
                }
            }
            if (done) continue;
        }
        b->data[b->len++] = c;
        i++;
    }
    return dp_read_lines(ex, b->data, b->len, 1, 0);
}
