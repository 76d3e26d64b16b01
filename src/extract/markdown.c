/*
 * markdown.c — text and Markdown documents to blocks.
 *
 * Markdown is reduced to the words a reader sees: [text](url) -> text,
 * [[x](url)] (a bracketed citation) -> x, images dropped, emphasis, inline
 * code ticks, heading hashes, quote and list markers removed, inline HTML
 * tags removed with their content kept, fenced code kept verbatim. Link
 * text is counted so boilerplate scoring sees link density.
 *
 * Every scan that looks ahead for a closing bracket or tick is bounded
 * (INLINE_WINDOW), so a hostile line of a million '[' stays linear.
 *
 * Lines are the unit; a hard-wrapped sentence continued on the next line is
 * joined to it (see wraps_into), so wrapping does not make prose "short".
 */
#include "extract/extract_int.h"

#include <string.h>

#define INLINE_WINDOW 1024  /* bytes scanned for a closing bracket/paren/tick */
#define MAX_DEPTH 2         /* link text inside link text: rare; deeper is literal */

static int is_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') || c >= 0x80;
}
static int is_ws(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Index of the ']' closing the '[' at s[i], honouring nesting, or 0. */
static size_t close_bracket(const char *s, size_t len, size_t i) {
    int depth = 0;
    size_t end = DP_MIN(len, i + INLINE_WINDOW);
    for (size_t k = i; k < end; k++) {
        if (s[k] == '\\') { k++; continue; }
        if (s[k] == '[') depth++;
        else if (s[k] == ']' && --depth == 0) return k;
    }
    return 0;
}

/* Index of the ')' closing the '(' at s[i] (one level of nested parens, as
 * in Wikipedia URLs), or 0. */
static size_t close_paren(const char *s, size_t len, size_t i) {
    int depth = 0;
    size_t end = DP_MIN(len, i + 2 * INLINE_WINDOW);
    for (size_t k = i; k < end; k++) {
        if (s[k] == '(') depth++;
        else if (s[k] == ')' && --depth == 0) return k;
        else if (s[k] == ' ' && depth == 1 && k + 1 < len && s[k + 1] != '"' && s[k + 1] != '\'')
            return 0;  /* URLs have no bare spaces (a title starts with a quote) */
    }
    return 0;
}

/* A run of emphasis characters is markup when it opens (followed by a
 * non-space, preceded by a space or punctuation) or closes a span; inside a
 * word (snake_case, 2*3) it is literal. */
static int emphasis_run(const char *s, size_t len, size_t i, size_t n) {
    unsigned char prev = i ? (unsigned char)s[i - 1] : ' ';
    unsigned char next = i + n < len ? (unsigned char)s[i + n] : ' ';
    if (is_alnum(prev) && is_alnum(next)) return 0;
    int opens = !is_ws(next) && !is_alnum(prev);
    int closes = !is_ws(prev) && !is_alnum(next);
    return opens || closes;
}

/* Scans that found no construct cost up to INLINE_WINDOW bytes without
 * consuming them; after this many per line, brackets, ticks and angles are
 * taken literally. Keeps a line of a million '[' linear. */
#define MAX_FAILED_SCANS 256

static doppel_status inline_rec(const char *s, size_t len, doppel_buf *out, uint32_t *link_bytes,
                                int depth, unsigned *failed) {
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (*failed >= MAX_FAILED_SCANS && (c == '`' || c == '[' || c == '<' || c == '!')) {
            if (dp_buf_putc(out, (char)c)) return DOPPEL_ERR_NOMEM;
            i++;
            continue;
        }
        if (c == '\\' && i + 1 < len && strchr("\\`*_{}[]()#+-.!<>~|", s[i + 1]) && s[i + 1]) {
            if (dp_buf_putc(out, s[i + 1])) return DOPPEL_ERR_NOMEM;
            i += 2;
            continue;
        }
        if (c == '`') {
            size_t n = 1;
            while (i + n < len && s[i + n] == '`') n++;
            size_t end = DP_MIN(len, i + n + INLINE_WINDOW);
            for (size_t k = i + n; k + n <= end; k++) {
                if (s[k] != '`') continue;
                size_t m = 0;
                while (k + m < len && s[k + m] == '`') m++;
                if (m == n) {
                    if (dp_buf_append(out, s + i + n, k - i - n)) return DOPPEL_ERR_NOMEM;
                    i = k + n;
                    goto next;
                }
                k += m - 1;
            }
            ++*failed;
            if (dp_buf_append(out, s + i, n)) return DOPPEL_ERR_NOMEM;
            i += n;
            continue;
        }
        if (c == '!' && i + 1 < len && s[i + 1] == '[') {
            size_t cb = close_bracket(s, len, i + 1);
            size_t cp = cb && cb + 1 < len && s[cb + 1] == '(' ? close_paren(s, len, cb + 1) : 0;
            if (cp) { i = cp + 1; continue; }  /* an image: no words for a reader */
            ++*failed;
        }
        if (c == '[' && depth < MAX_DEPTH) {
            size_t cb = close_bracket(s, len, i);
            if (cb) {
                size_t after = cb + 1, cp = 0;
                if (after < len && s[after] == '(') cp = close_paren(s, len, after);
                /* [[x](url)]: a bracket around one link is citation dressing. */
                if (!cp && s[i + 1] == '[' && s[cb - 1] == ')') {
                    size_t icb = close_bracket(s, len, i + 1);
                    if (icb && icb + 1 < cb && s[icb + 1] == '(' &&
                        close_paren(s, len, icb + 1) == cb - 1) {
                        size_t before = out->len;
                        if (inline_rec(s + i + 2, icb - i - 2, out, link_bytes, depth + 1, failed))
                            return DOPPEL_ERR_NOMEM;
                        *link_bytes += (uint32_t)(out->len - before);
                        i = cb + 1;
                        continue;
                    }
                }
                size_t ref_end = 0;
                if (!cp && after < len && s[after] == '[') ref_end = close_bracket(s, len, after);
                if (cp || ref_end) {
                    size_t before = out->len;
                    if (inline_rec(s + i + 1, cb - i - 1, out, link_bytes, depth + 1, failed))
                        return DOPPEL_ERR_NOMEM;
                    *link_bytes += (uint32_t)(out->len - before);
                    i = (cp ? cp : ref_end) + 1;
                    continue;
                }
            }
            ++*failed;
        }
        if (c == '<' && i + 1 < len && (s[i + 1] == '/' || s[i + 1] == '!' ||
                                        ((unsigned char)(s[i + 1] | 32) >= 'a' &&
                                         (unsigned char)(s[i + 1] | 32) <= 'z'))) {
            size_t end = DP_MIN(len, i + INLINE_WINDOW);
            size_t k = i + 1;
            while (k < end && s[k] != '>' && s[k] != '<') k++;
            if (k < end && s[k] == '>') {  /* a tag or autolink: markup, not words */
                i = k + 1;
                if (out->len && !is_ws((unsigned char)out->data[out->len - 1]) && i < len &&
                    !is_ws((unsigned char)s[i]) && dp_buf_putc(out, ' '))
                    return DOPPEL_ERR_NOMEM;
                continue;
            }
            ++*failed;
        }
        if (c == '*' || c == '_' || c == '~') {
            size_t n = 1;
            while (i + n < len && s[i + n] == (char)c) n++;
            if ((c != '~' || n >= 2) && emphasis_run(s, len, i, n)) {
                i += n;
                continue;
            }
            if (dp_buf_append(out, s + i, n)) return DOPPEL_ERR_NOMEM;
            i += n;
            continue;
        }
        if (dp_buf_putc(out, (char)c)) return DOPPEL_ERR_NOMEM;
        i++;
    next:;
    }
    return DOPPEL_OK;
}

doppel_status dp_md_inline(const char *s, size_t len, doppel_buf *out, uint32_t *link_bytes) {
    unsigned failed = 0;
    return inline_rec(s, len, out, link_bytes, 0, &failed);
}

/* ---- lines and blocks ------------------------------------------------------ */

/* A bare URL in text is a link as far as density goes. It runs from an
 * "http://" or "https://" at a word start (or after '(') to the next
 * whitespace. Every line of every document passes here, so the scan jumps
 * from ':' to ':' (rare in prose) instead of testing every 'h'. */
static uint32_t url_bytes(const char *s, size_t len) {
    uint32_t n = 0;
    size_t from = 0;  /* no URL starts before this: the end of the last one */
    /* c: the ':' of a candidate; a URL needs "http" before it and "//" and
     * at least one more byte after it. */
    for (size_t c = 4; c + 3 < len; c++) {
        const char *q = memchr(s + c, ':', len - 3 - c);
        if (!q) break;
        c = (size_t)(q - s);
        if (s[c + 1] != '/' || s[c + 2] != '/') continue;
        size_t i;
        if (!memcmp(s + c - 4, "http", 4)) i = c - 4;
        else if (c >= 5 && !memcmp(s + c - 5, "https", 5)) i = c - 5;
        else continue;
        if (i < from || (i && !is_ws((unsigned char)s[i - 1]) && s[i - 1] != '(')) continue;
        size_t k = c + 3;
        while (k < len && !is_ws((unsigned char)s[k])) k++;
        n += (uint32_t)(k - i);
        from = k + 1;
        c = k;
    }
    return n;
}

/* Should this line continue the previous line's block? Hard-wrapped prose
 * breaks mid-sentence at a fixed width; two headlines or a headline and its
 * teaser line do not belong together. */
static int wraps_into(const char *prev, size_t prev_len, const char *cur, size_t cur_len) {
    if (prev_len < 40 || dp_ends_sentence(prev, prev_len)) return 0;
    if ((unsigned char)cur[0] >= 'a' && (unsigned char)cur[0] <= 'z') return 1;
    dp_words w;
    dp_count_words(prev, prev_len, &w);
    if (dp_title_like(prev, prev_len, &w)) return 0;
    dp_count_words(cur, cur_len, &w);
    return !dp_title_like(cur, cur_len, &w);
}

static int fence_line(const char *s, size_t len) {
    size_t i = 0;
    while (i < len && i < 3 && s[i] == ' ') i++;
    return len - i >= 3 && (!memcmp(s + i, "```", 3) || !memcmp(s + i, "~~~", 3));
}

static int rule_line(const char *s, size_t len) {
    char c = 0;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ' ' || s[i] == '\t') continue;
        if (s[i] != '-' && s[i] != '*' && s[i] != '_' && s[i] != '=') return 0;
        if (c && s[i] != c) return 0;
        c = s[i];
        n++;
    }
    return n >= 3;
}

/* [label]: http://... — a reference definition is the address book of the
 * links, not text. */
static int refdef_line(const char *s, size_t len) {
    size_t i = 0;
    while (i < len && i < 3 && s[i] == ' ') i++;
    if (i >= len || s[i] != '[') return 0;
    size_t cb = close_bracket(s, len, i);
    return cb && cb + 1 < len && s[cb + 1] == ':';
}

static doppel_status read_lines(doppel_extractor *ex, const char *s, size_t len,
                                uint32_t first_line, int markdown) {
    size_t pos = 0;
    uint32_t line = first_line;
    int in_fence = 0;
    /* The previous line, when it is the open end of a text block. */
    const char *prev = NULL;
    size_t prev_len = 0;
    /* The first ':' at or after pos, or NULL: a line before it holds no URL
     * (nor does its Markdown reduction, which adds no ':'), and most lines
     * of prose are such lines. */
    const char *colon = memchr(s, ':', len);
    while (pos < len) {
        /* Paragraphs are separated by empty lines: those need no search. */
        const char *nl = s[pos] == '\n' ? s + pos : memchr(s + pos, '\n', len - pos);
        size_t e = nl ? (size_t)(nl - s) : len;
        const char *l = s + pos;
        size_t n = e - pos;
        if (colon && colon < l) colon = memchr(l, ':', len - pos);
        pos = nl ? e + 1 : len;
        uint32_t this_line = line++;
        if (n && l[n - 1] == '\r') n--;
        const char *raw_l = l;
        size_t raw_n = n;

        size_t lead = 0;
        while (lead < n && (l[lead] == ' ' || l[lead] == '\t')) lead++;
        if (lead == n) {
            if (!in_fence) {
                dp_new_para(ex);
                prev = NULL;
            }
            continue;
        }
        doppel_status st;
        size_t btext_before = ex->btext.len;
        if (markdown && fence_line(l, n)) {
            in_fence = !in_fence;
            dp_new_para(ex);
            if ((st = dp_add_block(ex, l, n, this_line, DP_BK_DROPPED, 0, DOPPEL_DROP_MARKUP)))
                return st;
            dp_new_para(ex);
            prev = NULL;
            continue;
        }
        if (in_fence) {
            if ((st = dp_add_block(ex, l, n, this_line, DP_BK_CODE, 0, 0))) return st;
            continue;
        }
        int kind = DP_BK_TEXT;
        if (markdown) {
            if (rule_line(l, n) || refdef_line(l, n)) {
                if ((st = dp_add_block(ex, l, n, this_line, DP_BK_DROPPED, 0, DOPPEL_DROP_MARKUP)))
                    return st;
                dp_new_para(ex);
                prev = NULL;
                continue;
            }
            /* Strip block markers: quote, heading, list. */
            const char *t = l + lead;
            size_t tn = n - lead;
            while (tn && *t == '>') {
                t++, tn--;
                while (tn && *t == ' ') t++, tn--;
            }
            size_t h = 0;
            while (h < tn && t[h] == '#') h++;
            if (h >= 1 && h <= 6 && (h == tn || t[h] == ' ')) {
                kind = DP_BK_HEADING;
                t += h, tn -= h;
                while (tn && (t[tn - 1] == '#' || t[tn - 1] == ' ')) tn--;
            } else if (tn >= 2 && (*t == '-' || *t == '*' || *t == '+') && t[1] == ' ') {
                kind = DP_BK_ITEM;
                t += 2, tn -= 2;
            } else {
                size_t d = 0;
                while (d < tn && d < 9 && t[d] >= '0' && t[d] <= '9') d++;
                if (d && d + 1 < tn && (t[d] == '.' || t[d] == ')') && t[d + 1] == ' ') {
                    kind = DP_BK_ITEM;
                    t += d + 2, tn -= d + 2;
                }
            }
            ex->scratch.len = 0;
            uint32_t links = 0;
            if ((st = dp_md_inline(t, tn, &ex->scratch, &links))) return st;
            l = ex->scratch.data;
            n = ex->scratch.len;
            if (!n) {  /* only an image or tags: show it as dropped markup */
                if ((st = dp_add_block(ex, raw_l, raw_n, this_line, DP_BK_DROPPED, 0,
                                       DOPPEL_DROP_MARKUP)))
                    return st;
                continue;
            }
            if (colon && colon < raw_l + raw_n) links += url_bytes(l, n);
            if (kind != DP_BK_TEXT) {
                dp_new_para(ex);  /* headings and items stand alone */
                prev = NULL;
            }
            if (kind == DP_BK_TEXT && prev && wraps_into(prev, prev_len, l, n)) {
                if ((st = dp_extend_block(ex, l, n, links))) return st;
            } else if ((st = dp_add_block(ex, l, n, this_line, kind, links, 0))) {
                return st;
            }
        } else {
            uint32_t links = colon && colon < l + n ? url_bytes(l, n) : 0;
            if (prev && wraps_into(prev, prev_len, l, n)) {
                if ((st = dp_extend_block(ex, l, n, links))) return st;
            } else if ((st = dp_add_block(ex, l, n, this_line, DP_BK_TEXT, links, 0))) {
                return st;
            }
        }
        /* A line of other white space (\r, \f, \v) or one that markup removal
         * left blank adds no text (dp_add_block trims it away): it is a blank
         * line. Without this the block below would be the previous line's,
         * or blocks[-1] when there is none (found by fuzz_extract). */
        if (ex->btext.len == btext_before) {
            dp_new_para(ex);
            prev = NULL;
            continue;
        }
        /* Remember this line (as cleaned) for the wrap test of the next. A
         * block this line started is this line alone (a line holds no
         * '\n', nor does its Markdown reduction); only a block it joined
         * needs the search for its last line. */
        dp_block *b = &ex->blocks[ex->nblocks - 1];
        const char *bt = ex->btext.data + b->off;
        const char *last_nl = b->line == this_line ? NULL : memrchr(bt, '\n', b->len);
        size_t k = last_nl ? (size_t)(last_nl - bt) + 1 : 0;
        prev = kind == DP_BK_TEXT ? bt + k : NULL;
        prev_len = b->len - k;
        if (kind == DP_BK_HEADING) dp_new_para(ex);
    }
    return DOPPEL_OK;
}

doppel_status dp_read_lines(doppel_extractor *ex, const char *s, size_t len,
                            uint32_t first_line, int markdown) {
    /* Every block starts as one line (or its Markdown reduction, which
     * adds no '\n'): dp_add_block and dp_extend_block count the '\n'. */
    ex->one_line = 1;
    doppel_status st = read_lines(ex, s, len, first_line, markdown);
    ex->one_line = 0;
    return st;
}
