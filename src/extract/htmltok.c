/*
 * htmltok.c — doppel's HTML tokenizer: the page's bytes into tags and text
 * for the tree builder (htmltree.c).
 *
 * Why not libxml2's: libxml2 2.9's HTML parser reads a page a character at
 * a time through its input layer, counts lines per character and looks
 * every tag name up in its HTML4 tables; it was 60% of the extraction time
 * and capped it near 35 MB/s of HTML per core. This tokenizer steps from
 * '<' to '<' with memchr, hands text over as byte ranges of the input, and
 * lexes a tag's attributes without copying them: the tree builder decodes
 * only the few values it keeps.
 *
 * It follows the HTML5 tokenizer where a page's text depends on it:
 * - "<" starts a tag only before a letter ("</" before a letter, "<!",
 *   "<?"); otherwise it is text ("a < b", "<3");
 * - tag and attribute names end at whitespace, '/' or '>'; attribute
 *   values are double-quoted, single-quoted (a '>' inside is the value's),
 *   unquoted (to whitespace or '>') or missing;
 * - comments ("<!-->" and "<!--->" are empty ones), doctypes, "<?...>",
 *   "</ ...>" and CDATA sections produce no token;
 * - <script> and <style> are raw text: their bodies end at the first
 *   "</script" or "</style" followed by whitespace, '/' or '>' (HTML5's
 *   escaped states after "<!--" are not followed; libxml2 ended them the
 *   same way) and produce no token; a quoted attribute value of their
 *   start tag that holds their own end tag is taken as a quote left open
 *   and ends at its first '>' (lex_attrs; not HTML5's reading);
 * - <title> and <textarea> are RCDATA: text up to their end tag, with
 *   character references but no tags. A <title> whose end tag is not
 *   within MAX_TITLE bytes, or a <textarea> never closed, ends at the next
 *   '<' or line end instead of swallowing the page as HTML5 would (a
 *   truncated or spliced crawl leaves such pages);
 * - a tag, comment or declaration cut by the end of the page is dropped.
 * Character references are decoded by dp_htok_decode when the builder
 * keeps text or a value: numeric ones as HTML5 says (0, surrogates and
 * values beyond U+10FFFF give U+FFFD, 0x80-0x9F the windows-1252
 * character), named ones from libxml2's HTML entity table (htmlEntityLookup:
 * the HTML4 set; HTML5's 2,231 names are not all there), with the legacy
 * names HTML5 also reads without ';' ("&nbsp", "&copy2024").
 *
 * libxml2 is linked for that entity table only.
 */
#include "extract/htmltok.h"

#include <libxml/HTMLparser.h>
#include <string.h>
#include <strings.h>

/* A <title> is never longer; its end tag further away is not its own (a
 * truncated page, or an SVG <title> far below). */
#define MAX_TITLE 2048
/* Attributes reported per tag; more are lexed and not reported. */
#define MAX_ATTRS 128

static inline int is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}
static inline int is_alpha(char c) { return (unsigned)((c | 32) - 'a') < 26u; }
static inline int is_digit(char c) { return (unsigned)(c - '0') < 10u; }
static inline int is_alnum(char c) { return is_alpha(c) || is_digit(c); }

/* The first "</name" (any case) followed by whitespace, '/' or '>' in
 * [p, end); NULL when there is none. */
static const char *find_end_tag(const char *p, const char *end, const char *name, size_t n) {
    for (const char *q = p; (q = memchr(q, '<', (size_t)(end - q))); q++) {
        if ((size_t)(end - q) < n + 3) return NULL;
        if (q[1] != '/' || strncasecmp(q + 2, name, n)) continue;
        char c = q[n + 2];
        if (is_space(c) || c == '/' || c == '>') return q;
    }
    return NULL;
}

enum { BODY_DATA = 0, BODY_RAW, BODY_RCDATA };

static int body_kind(const char *n, size_t len) {
    if ((len == 6 && !strncasecmp(n, "script", 6)) || (len == 5 && !strncasecmp(n, "style", 5)))
        return BODY_RAW;
    if ((len == 5 && !strncasecmp(n, "title", 5)) || (len == 8 && !strncasecmp(n, "textarea", 8)))
        return BODY_RCDATA;
    return BODY_DATA;
}

/* Lex the attributes of a tag from q (after its name) to its '>'. Returns
 * the byte after the '>', or NULL when the page ends first. raw: the name
 * of a raw-text element's start tag (script, style; rawn bytes), else NULL:
 * a quoted value of such a tag that holds the element's own end tag is a
 * quote left open (a spliced crawl: '<script src="/te.style=...'), and
 * the value and the tag end at the value's first '>' instead, so the
 * script ends at its own "</script>" and does not run on to a later one
 * over the page's text, as it would in HTML5. */
static const char *lex_attrs(const char *q, const char *end, dp_htok_attr *at, size_t *nat,
                             int *self_closing, const char *raw, size_t rawn) {
    size_t k = 0;
    *self_closing = 0;
    *nat = 0;
    for (;;) {
        while (q < end && (is_space(*q) || *q == '/')) {
            if (*q == '/' && q + 1 < end && q[1] == '>') {
                *self_closing = 1;
                *nat = k;
                return q + 2;
            }
            q++;
        }
        if (q >= end) return NULL;
        if (*q == '>') {
            *nat = k;
            return q + 1;
        }
        const char *a = q++;  /* a name may start with '=' */
        while (q < end && !is_space(*q) && *q != '/' && *q != '>' && *q != '=') q++;
        dp_htok_attr x = {.name = a, .nlen = (uint32_t)(q - a)};
        const char *v = q;
        while (v < end && is_space(*v)) v++;
        if (v < end && *v == '=') {
            v++;
            while (v < end && is_space(*v)) v++;
            if (v < end && (*v == '"' || *v == '\'')) {
                const char *close = memchr(v + 1, *v, (size_t)(end - v - 1));
                if (!close) return NULL;
                const char *gt;
                if (raw && find_end_tag(v + 1, close, raw, rawn) &&
                    (gt = memchr(v + 1, '>', (size_t)(close - v - 1)))) {
                    x.val = v + 1;
                    x.vlen = (uint32_t)(gt - v - 1);
                    x.has_val = 1;
                    if (k < MAX_ATTRS) at[k++] = x;
                    *nat = k;
                    return gt + 1;
                }
                x.val = v + 1;
                x.vlen = (uint32_t)(close - v - 1);
                q = close + 1;
            } else {
                const char *s = v;
                while (v < end && !is_space(*v) && *v != '>') v++;
                x.val = s;
                x.vlen = (uint32_t)(v - s);
                q = v;
            }
            x.has_val = 1;
        }
        if (k < MAX_ATTRS) at[k++] = x;
    }
}

/* Skip a comment or declaration from p to its '>' (or its "-->"); NULL
 * when the page ends first. */
static const char *skip_markup(const char *lt, const char *end) {
    size_t left = (size_t)(end - lt);
    if (lt[1] == '!' && left >= 4 && lt[2] == '-' && lt[3] == '-') {
        if (left >= 5 && lt[4] == '>') return lt + 5;
        if (left >= 6 && lt[4] == '-' && lt[5] == '>') return lt + 6;
        const char *e = memmem(lt + 4, left - 4, "-->", 3);
        return e ? e + 3 : NULL;
    }
    if (lt[1] == '!' && left >= 9 && !memcmp(lt + 2, "[CDATA[", 7)) {
        const char *e = memmem(lt + 9, left - 9, "]]>", 3);
        if (e) return e + 3;
    }
    const char *gt = memchr(lt + 2, '>', left - 2);
    return gt ? gt + 1 : NULL;
}

long dp_htok_run(const char *s, size_t len, const dp_htok_sink *k) {
    const char *end = s + len, *p = s, *text = s;  /* text: where pending text starts */
    /* No "</textarea" after this point: a page of unclosed <textarea>s is
     * searched once, not once per tag. */
    const char *no_textarea = end + 1;
    long repairs = 0;
    dp_htok_attr at[MAX_ATTRS];
#define FLUSH(upto)                                                                        \
    do {                                                                                   \
        if ((upto) > text && k->text(k->ud, text, (size_t)((upto) - text), (size_t)(text - s))) \
            return -1;                                                                     \
    } while (0)
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt || end - lt < 2) break;
        char c = lt[1];
        if (is_alpha(c) || (c == '/' && end - lt >= 3 && is_alpha(lt[2]))) {
            int closing = c == '/';
            const char *name = lt + 1 + closing, *q = name;
            while (q < end && !is_space(*q) && *q != '/' && *q != '>') q++;
            size_t nl = (size_t)(q - name), nat;
            int sc;
            int body = closing ? BODY_DATA : body_kind(name, nl);
            const char *after =
                lex_attrs(q, end, at, &nat, &sc, body == BODY_RAW ? name : NULL, nl);
            FLUSH(lt);
            if (!after) {  /* cut by the end of the page: dropped */
                repairs++;
                text = p = end;
                break;
            }
            text = p = after;
            if (closing) {
                if (k->end(k->ud, name, nl, (size_t)(lt - s), 0)) return -1;
                continue;
            }
            if (k->start(k->ud, name, nl, at, nat, sc, (size_t)(lt - s))) return -1;
            if (body == BODY_RAW) {
                const char *close = find_end_tag(p, end, name, nl);
                text = p = close ? close : end;
            } else if (body == BODY_RCDATA) {
                const char *lim = nl == 5 && (size_t)(end - p) > MAX_TITLE + nl + 3
                                      ? p + MAX_TITLE + nl + 3 : end;
                int title = nl == 5;
                const char *close =
                    !title && p >= no_textarea ? NULL : find_end_tag(p, lim, name, nl);
                if (!close && !title && p < no_textarea) no_textarea = p;
                if (!close) {  /* never closed: it ends at the next tag or line */
                    repairs++;
                    const char *stop = memchr(p, '<', (size_t)(end - p)), *line = p;
                    if (!stop) stop = end;
                    while (line < stop && is_space(*line)) line++;
                    if (line < stop && (line = memchr(line, '\n', (size_t)(stop - line)))) stop = line;
                    FLUSH(stop);
                    if (k->end(k->ud, name, nl, (size_t)(stop - s), 1)) return -1;
                    text = p = stop;
                    continue;
                }
                FLUSH(close);
                text = p = close;
            }
            continue;
        }
        if (c == '/' || c == '!' || c == '?') {
            FLUSH(lt);
            const char *after =
                c == '/' && end - lt >= 3 && lt[2] == '>' ? lt + 3 : skip_markup(lt, end);
            if (!after) {
                repairs++;
                text = p = end;
                break;
            }
            text = p = after;
            continue;
        }
        p = lt + 1;  /* '<' that starts nothing is text */
    }
    FLUSH(end);
#undef FLUSH
    return repairs;
}

/* ---- character references --------------------------------------------------- */

static size_t put_utf8(char *o, unsigned c) {
    if (c < 0x80) {
        o[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (char)(0xC0 | (c >> 6));
        o[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (char)(0xE0 | (c >> 12));
        o[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (c >> 18));
    o[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* HTML5 reads these without ';' too: &amp &lt &gt &quot and the Latin-1
 * names (U+00A0-U+00FF), as browsers did before HTML5. */
static int legacy(unsigned v) { return v == 34 || v == 38 || v == 60 || v == 62 || (v >= 0xA0 && v <= 0xFF); }

static unsigned lookup(const char *name, size_t n) {
    char buf[40];
    memcpy(buf, name, n);
    buf[n] = '\0';
    const htmlEntityDesc *e = htmlEntityLookup((const xmlChar *)buf);
    return e ? e->value : 0;
}

/* The reference at q ('&'): its length (0 when it is none) and *cp. */
static size_t reference(const char *q, const char *end, int attr, unsigned *cp) {
    const char *p = q + 1;
    if (p < end && *p == '#') {
        p++;
        int hex = p < end && (*p | 32) == 'x';
        p += hex;
        const char *d = p;
        unsigned long v = 0;
        for (; p < end; p++) {
            unsigned dig;
            if (is_digit(*p)) dig = (unsigned)(*p - '0');
            else if (hex && (unsigned)((*p | 32) - 'a') < 6u) dig = (unsigned)((*p | 32) - 'a' + 10);
            else break;
            v = v * (hex ? 16 : 10) + dig;
            if (v > 0x10FFFF) v = 0x110000;
        }
        if (p == d) return 0;
        if (p < end && *p == ';') p++;
        if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) v = 0xFFFD;
        else if (v >= 0x80 && v < 0xA0) v = dp_cp1252((unsigned char)v);
        *cp = (unsigned)v;
        return (size_t)(p - q);
    }
    const char *name = p;
    while (p < end && is_alnum(*p) && p - name < 32) p++;
    size_t n = (size_t)(p - name);
    if (!n) return 0;
    unsigned v;
    if (p < end && *p == ';' && (v = lookup(name, n))) {
        *cp = v;
        return n + 2;
    }
    for (size_t m = n < 6 ? n : 6; m >= 2; m--) {
        if (!(v = lookup(name, m)) || !legacy(v)) continue;
        char next = name + m < end ? name[m] : '\0';
        if (attr && (is_alnum(next) || next == '=')) return 0;  /* "?a=1&copy=2" */
        *cp = v;
        return m + 1;
    }
    return 0;
}

doppel_status dp_htok_decode(doppel_buf *out, const char *s, size_t n, int attr) {
    if (!memchr(s, '&', n) && !memchr(s, 0xC2, n)) return dp_buf_append(out, s, n);
    const char *p = s, *end = s + n;
    while (p < end) {
        const char *q = p;
        while (q < end && *q != '&' && (unsigned char)*q != 0xC2) q++;
        if (dp_buf_append(out, p, (size_t)(q - p))) return DOPPEL_ERR_NOMEM;
        if (q >= end) break;
        char u[4];
        unsigned cp;
        size_t used;
        if (*q == '&') {
            used = reference(q, end, attr, &cp);
            if (!used) {
                if (dp_buf_putc(out, '&')) return DOPPEL_ERR_NOMEM;
                p = q + 1;
                continue;
            }
        } else if (q + 1 < end && (unsigned char)q[1] >= 0x80 && (unsigned char)q[1] < 0xA0) {
            cp = dp_cp1252((unsigned char)q[1]);  /* a C1 control: as HTML5 reads "&#151;" */
            used = 2;
        } else {
            if (dp_buf_putc(out, *q)) return DOPPEL_ERR_NOMEM;
            p = q + 1;
            continue;
        }
        if (dp_buf_append(out, u, put_utf8(u, cp))) return DOPPEL_ERR_NOMEM;
        p = q + used;
    }
    return DOPPEL_OK;
}
