/*
 * frontmatter.c — YAML front matter at the top of Markdown/text files, read
 * as the small line-oriented subset static-site generators write:
 *
 *   key: value              plain, "double" or 'single' quoted scalars
 *   key: first words        a plain scalar folded over more-indented lines
 *     more words
 *   key: >- / key: |        block scalars (lines joined with spaces)
 *   key:                    nested maps and lists are skipped
 *     sub: x
 *
 * This is not a YAML parser and does not try to be: a block that does not
 * look like the subset is kept as text (flag DOPPEL_EXTRACT_FM_NOT_YAML),
 * and so is a "---" that is never closed (DOPPEL_EXTRACT_FM_UNCLOSED) — a
 * thematic break at the top of a post must not swallow the post.
 */
#include "extract/extract_int.h"

#include <string.h>

/* Front matter longer than this is something else (a document that happens
 * to start with a rule); giving up early keeps the scan bounded. */
#define FM_MAX_LINES 500
#define FM_MAX_BYTES (64 * 1024)

typedef struct fm_line {
    const char *s;
    size_t len;      /* without the line break */
} fm_line;

/* Metadata keys by field, best first. Lower-case; '_' and '-' are ignored
 * when comparing, so pageTitle, page_title and page-title are one key. */
static const char *const title_keys[] = {"title", "pagetitle", "headline", "seotitle", NULL};
static const char *const date_keys[] = {"date", "publishdate", "publishedat", "pubdate",
                                        "published", "datepublished", "created", "createdat",
                                        NULL};
static const char *const desc_keys[] = {"description", "metadescription", "summary",
                                        "excerpt", "teaser", "abstract", NULL};
static const char *const url_keys[] = {"url", "canonical", "canonicalurl", "permalink",
                                       "link", "sourceurl", NULL};
static const char *const *const field_keys[DP_META_N] = {title_keys, date_keys, desc_keys,
                                                         url_keys};

static int key_rank(const char *key, size_t len, const char *const *keys) {
    char norm[32];
    size_t n = 0;
    for (size_t i = 0; i < len && n < sizeof norm - 1; i++) {
        char c = key[i];
        if (c == '_' || c == '-') continue;
        norm[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    norm[n] = '\0';
    for (int r = 0; keys[r]; r++)
        if (!strcmp(norm, keys[r])) return r;
    return -1;
}

static int is_delim(const fm_line *l, const char *d) {
    size_t n = l->len;
    while (n && (l->s[n - 1] == ' ' || l->s[n - 1] == '\t')) n--;
    return n == 3 && !memcmp(l->s, d, 3);
}

/* Length of "key" when the line is a top-level "key:" or "key: value". */
static size_t key_len(const fm_line *l) {
    size_t i = 0;
    if (!l->len || l->s[0] == ' ' || l->s[0] == '\t' || l->s[0] == '#' || l->s[0] == '-')
        return 0;
    while (i < l->len && l->s[i] != ':') {
        unsigned char c = (unsigned char)l->s[i];
        if (!(c == '_' || c == '-' || c == '.' || c == ' ' || c >= 0x80 || (c >= '0' && c <= '9') ||
              ((c | 32) >= 'a' && (c | 32) <= 'z')))
            return 0;
        i++;
    }
    if (i == 0 || i >= l->len) return 0;
    if (i + 1 < l->len && l->s[i + 1] != ' ' && l->s[i + 1] != '\t') return 0; /* "http://" */
    return i;
}

static int indented(const fm_line *l) { return l->len && (l->s[0] == ' ' || l->s[0] == '\t'); }

static int blank(const fm_line *l) {
    for (size_t i = 0; i < l->len; i++)
        if (l->s[i] != ' ' && l->s[i] != '\t') return 0;
    return 1;
}

/* Append a scalar piece to b, removing quotes and a trailing comment. */
static doppel_status put_piece(doppel_buf *b, const char *s, size_t n) {
    while (n && (*s == ' ' || *s == '\t')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    if (!n) return DOPPEL_OK;
    if (b->len && dp_buf_putc(b, ' ')) return DOPPEL_ERR_NOMEM;
    if (n >= 1 && (s[0] == '"' || s[0] == '\'')) {
        char q = s[0];
        size_t i = 1;
        for (; i < n; i++) {
            char c = s[i];
            if (q == '"' && c == '\\' && i + 1 < n) {
                char e = s[++i];
                c = e == 'n' || e == 't' ? ' ' : e;
            } else if (q == '\'' && c == '\'' && i + 1 < n && s[i + 1] == '\'') {
                i++;
            } else if (c == q) {
                break;
            }
            if (dp_buf_putc(b, c)) return DOPPEL_ERR_NOMEM;
        }
        return DOPPEL_OK;
    }
    /* A plain scalar ends at " #", which starts a comment. */
    for (size_t i = 1; i < n; i++)
        if (s[i] == '#' && (s[i - 1] == ' ' || s[i - 1] == '\t')) {
            n = i - 1;
            break;
        }
    return dp_buf_append(b, s, n);
}

/* The value of the key on lines[k]: its own text plus folded continuation
 * lines (more indented, not themselves "key:" lines of a nested map). */
static doppel_status key_value(const fm_line *lines, size_t nlines, size_t k, size_t klen,
                               doppel_buf *b) {
    const fm_line *l = &lines[k];
    const char *v = l->s + klen + 1;
    size_t vn = l->len - klen - 1;
    while (vn && (*v == ' ' || *v == '\t')) v++, vn--;
    int block_scalar = vn && (*v == '>' || *v == '|');
    if (!vn || block_scalar) {
        /* Empty value: a nested map or list follows (skipped) unless it is a
         * block scalar, whose indented lines are the value. */
        if (!block_scalar) return DOPPEL_OK;
    } else if (put_piece(b, v, vn)) {
        return DOPPEL_ERR_NOMEM;
    }
    for (size_t j = k + 1; j < nlines && (indented(&lines[j]) || blank(&lines[j])); j++) {
        if (blank(&lines[j])) continue;
        fm_line inner = lines[j];
        while (inner.len && (*inner.s == ' ' || *inner.s == '\t')) inner.s++, inner.len--;
        if (!block_scalar && key_len(&inner)) break;  /* nested map under a scalar: stop */
        if (put_piece(b, inner.s, inner.len)) return DOPPEL_ERR_NOMEM;
    }
    return DOPPEL_OK;
}

doppel_status dp_front_matter(doppel_extractor *ex, const char *raw, size_t len,
                              size_t *consumed, uint32_t *nlines_out) {
    *consumed = 0;
    *nlines_out = 0;
    size_t pos = 0;
    if (len >= 3 && !memcmp(raw, "\xEF\xBB\xBF", 3)) pos = 3;
    fm_line lines[FM_MAX_LINES];
    size_t n = 0, end = 0;
    int closed = 0;
    while (pos < len && n < FM_MAX_LINES && pos < FM_MAX_BYTES) {
        const char *nl = memchr(raw + pos, '\n', len - pos);
        size_t e = nl ? (size_t)(nl - raw) : len;
        fm_line l = {raw + pos, e - pos};
        if (l.len && l.s[l.len - 1] == '\r') l.len--;
        pos = nl ? e + 1 : len;
        if (n == 0 && !is_delim(&l, "---")) return DOPPEL_OK;  /* no front matter */
        lines[n++] = l;
        if (n > 1 && (is_delim(&l, "---") || is_delim(&l, "..."))) {
            closed = 1;
            end = pos;
            break;
        }
    }
    if (!closed) {
        if (n > 1) ex->flags |= DOPPEL_EXTRACT_FM_UNCLOSED;
        return DOPPEL_OK;
    }
    /* The inner lines must look like the subset: the first content line is a
     * key, and key lines outnumber top-level lines that are not keys. */
    size_t keys = 0, other = 0, first_content = 0;
    for (size_t k = 1; k + 1 < n; k++) {
        if (blank(&lines[k]) || lines[k].s[0] == '#' || indented(&lines[k])) continue;
        if (!first_content) first_content = k;
        if (key_len(&lines[k])) keys++;
        else if (lines[k].s[0] != '-') other++;
    }
    if (!keys || other >= keys || !key_len(&lines[first_content])) {
        ex->flags |= DOPPEL_EXTRACT_FM_NOT_YAML;
        return DOPPEL_OK;
    }

    /* Pick the best-ranked key of each field, then read only those values. */
    int best_rank[DP_META_N];
    size_t best_line[DP_META_N];
    for (int f = 0; f < DP_META_N; f++) best_rank[f] = 1 << 30;
    for (size_t k = 1; k + 1 < n; k++) {
        size_t kl = key_len(&lines[k]);
        if (!kl) continue;
        for (int f = 0; f < DP_META_N; f++) {
            int r = key_rank(lines[k].s, kl, field_keys[f]);
            if (r < 0 || r >= best_rank[f]) continue;
            ex->scratch.len = 0;
            if (key_value(lines, n - 1, k, kl, &ex->scratch)) return DOPPEL_ERR_NOMEM;
            if (!ex->scratch.len) continue;
            /* "published: true" is a flag, not a date. */
            if (f == DP_META_DATE && !(ex->scratch.data[0] >= '0' && ex->scratch.data[0] <= '9'))
                continue;
            best_rank[f] = r;
            best_line[f] = k;
        }
    }
    for (int f = 0; f < DP_META_N; f++) {
        if (best_rank[f] == 1 << 30) continue;
        size_t k = best_line[f];
        ex->scratch.len = 0;
        if (key_value(lines, n - 1, k, key_len(&lines[k]), &ex->scratch)) return DOPPEL_ERR_NOMEM;
        if (dp_set_meta(ex, f, ex->scratch.data, ex->scratch.len)) return DOPPEL_ERR_NOMEM;
    }
    /* The lines themselves are dropped, and shown as such by --explain. */
    size_t start = (size_t)(lines[0].s - raw);
    size_t span = (size_t)(lines[n - 1].s + lines[n - 1].len - lines[0].s);
    doppel_status st = dp_add_block(ex, raw + start, span, 1, DP_BK_DROPPED, 0,
                                    DOPPEL_DROP_METADATA);
    if (st) return st;
    /* Keep the block's text one line per input line for --explain. */
    dp_block *b = &ex->blocks[ex->nblocks - 1];
    for (size_t i = 0; i < b->len; i++)
        if (ex->btext.data[b->off + i] == '\r') ex->btext.data[b->off + i] = ' ';
    dp_new_para(ex);
    *consumed = end;
    *nlines_out = (uint32_t)n;
    return DOPPEL_OK;
}
