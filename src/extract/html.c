/*
 * html.c — HTML to blocks, over the page's tree (htmltree.c: Debian's
 * libxml2 HTML parser, whose error recovery repairs broken markup and
 * never rejects it).
 *
 * Block elements (p, div, li, h1-h6, td, ...) become blocks, one paragraph
 * each; <br> splits a block into lines of one paragraph. Inline text keeps
 * its words with whitespace collapsed; text inside <a> counts as link text.
 * Elements that never hold the article are skipped: script, style, svg,
 * template and form controls silently; nav, aside, footer, header, form,
 * noscript, iframe and containers whose class/id names them as chrome
 * ("sidebar", "comments", "related", ...) with their text kept as one
 * dropped block so --explain can show it. A name is evidence, not a
 * verdict: a container that holds most of the page's prose, or the
 * article's container, is kept whatever it is called (htmldensity.c
 * measures where the prose is before the walk); blocks outside the
 * article's container are marked `outside` for the scorer. Hidden
 * elements (hidden, aria-hidden, display:none, visibility:hidden,
 * <template>) are skipped silently.
 *
 * Metadata: title from og:title, else the first <h1>, else <title>; date
 * from article:published_time and friends, else the first <time datetime>;
 * description from meta description / og:description; url from the
 * canonical link / og:url.
 *
 * The page's charset is settled in htmlbytes.c, whose tag stripper reads a
 * page nested too deep for the tree. The walk is iterative
 * (parent links), so deep pages cannot overflow the stack.
 */
#include "extract/extract_int.h"
#include "extract/htmldensity.h"

#include <string.h>
#include <strings.h>

/* ---- the walk ----------------------------------------------------------------- */

enum { SKIP_NO = 0, SKIP_SILENT, SKIP_EXPLAIN };

typedef struct walk {
    doppel_extractor *ex;
    const dp_htree *t;
    doppel_buf *text;      /* the block being built (ex->scratch) */
    uint32_t line;         /* first line of the block being built */
    uint32_t link_bytes;
    int kind;
    int in_link, in_pre;
    uint32_t skipping;     /* the element whose subtree is being dropped, or 0 */
    uint32_t skip_line;
    /* Metadata candidates, set at the end in order of preference. */
    const char *og_title, *meta_date, *time_date, *desc, *og_desc, *canonical, *og_url;
    doppel_buf *h1_text;   /* the first h1's text, collected while walking */
    int h1_state;          /* 0 none yet, 1 inside the first h1, 2 done */
    int title_done;        /* <title>: 0 not seen, 1 inside, 2 done */
    doppel_buf *title_text;
    dp_density dens;       /* where the prose is (htmldensity.c) */
    int in_main;           /* inside dens.main or a sibling of it that is article */
    uint32_t beside;       /* that sibling, while inside it */
    int after_br;          /* the last block ended at a <br> in the running paragraph */
} walk;

static int skip_kind(const dp_hnode *el) {
    switch (el->tag) {
    case DP_T_SCRIPT: case DP_T_STYLE: case DP_T_SVG: case DP_T_TEMPLATE: case DP_T_BUTTON:
    case DP_T_SELECT: case DP_T_TEXTAREA: case DP_T_OBJECT: case DP_T_EMBED: case DP_T_CANVAS:
    case DP_T_MATH: case DP_T_HEAD: case DP_T_AUDIO: case DP_T_VIDEO: case DP_T_MENU:
        return SKIP_SILENT;
    case DP_T_NAV: case DP_T_ASIDE: case DP_T_FOOTER: case DP_T_HEADER: case DP_T_FORM:
    case DP_T_NOSCRIPT: case DP_T_IFRAME: case DP_T_FIGCAPTION:
        return SKIP_EXPLAIN;
    default:
        break;
    }
    if (el->flags & DP_HF_HIDDEN) return SKIP_SILENT;
    if (el->tag == DP_T_BODY || el->tag == DP_T_HTML || el->tag == DP_T_ARTICLE ||
        el->tag == DP_T_MAIN)
        return SKIP_NO;
    return el->flags & DP_HF_CHROME ? SKIP_EXPLAIN : SKIP_NO;
}

static void head_meta(walk *w, const dp_hnode *n) {
    const char *key = dp_htree_str(w->t, n->a), *val = dp_htree_str(w->t, n->b);
    if (n->tag == DP_T_META) {
        if (!key || !val) return;
        if (!strcasecmp(key, "og:title")) { if (!w->og_title) w->og_title = val; }
        else if (!strcasecmp(key, "description")) { if (!w->desc) w->desc = val; }
        else if (!strcasecmp(key, "og:description")) { if (!w->og_desc) w->og_desc = val; }
        else if (!strcasecmp(key, "og:url")) { if (!w->og_url) w->og_url = val; }
        else if (!strcasecmp(key, "article:published_time") || !strcasecmp(key, "datePublished") ||
                 !strcasecmp(key, "og:published_time") || !strcasecmp(key, "pubdate") ||
                 !strcasecmp(key, "publishdate") || !strcasecmp(key, "date") ||
                 !strcasecmp(key, "dc.date") || !strcasecmp(key, "dcterms.created") ||
                 !strcasecmp(key, "parsely-pub-date")) {
            if (!w->meta_date) w->meta_date = val;
        }
    } else if (n->tag == DP_T_LINK) {
        if (key && !strcasecmp(key, "canonical") && !w->canonical) w->canonical = val;
    } else if (n->tag == DP_T_TIME) {
        if (val && !w->time_date) w->time_date = val;
    }
}

/* Append text with whitespace collapsed (verbatim inside <pre>). */
static doppel_status put_text(walk *w, const char *s, size_t len) {
    doppel_buf *b = w->text;
    size_t before = b->len;
    if (w->in_pre && !w->skipping) {
        if (dp_buf_append(b, s, len)) return DOPPEL_ERR_NOMEM;
    } else {
        if (dp_buf_reserve(b, b->len + len + 1)) return DOPPEL_ERR_NOMEM;
        char *o = b->data + b->len;
        char prev = b->len ? b->data[b->len - 1] : '\n';
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                if (prev != ' ' && prev != '\n') *o++ = prev = ' ';
                continue;
            }
            /* U+00A0 no-break space is a space for a reader. */
            if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0) {
                i++;
                if (o > b->data && prev != ' ') *o++ = prev = ' ';
                continue;
            }
            *o++ = prev = (char)c;
        }
        b->len = (size_t)(o - b->data);
    }
    if (w->in_link && !w->skipping) w->link_bytes += (uint32_t)(b->len - before);
    if (w->h1_state == 1 && dp_buf_append(w->h1_text, s, len)) return DOPPEL_ERR_NOMEM;
    return DOPPEL_OK;
}

/* Is the line being built the rest of the sentence the last block broke
 * off at a <br>? Text hard-wrapped with <br> (a transcript, a mail, a
 * poem-like layout of prose) would otherwise be scored line by line, each
 * too short to count as prose. It is when the last line ends without a
 * sentence stop and this one goes on in lower case, and neither is
 * mostly link text. */
static int continues_line(const walk *w) {
    const doppel_extractor *ex = w->ex;
    if (!w->after_br || !ex->nblocks || w->in_pre) return 0;
    const dp_block *b = &ex->blocks[ex->nblocks - 1];
    if (b->para != ex->para || b->kind != w->kind || b->kind == DP_BK_DROPPED) return 0;
    /* Prose, not a list of links: neither line is mostly link text. */
    if ((uint64_t)w->link_bytes * 2 > w->text->len || (uint64_t)b->link_bytes * 2 > b->len) return 0;
    const char *s = w->text->data;
    size_t i = 0;
    while (i < w->text->len && (s[i] == ' ' || s[i] == '"' || s[i] == '(')) i++;
    if (i == w->text->len || s[i] < 'a' || s[i] > 'z') return 0;
    return !dp_ends_sentence(ex->btext.data + b->off, b->len);
}

/* End the block being built. */
static doppel_status flush(walk *w, int new_para) {
    doppel_extractor *ex = w->ex;
    doppel_status st = DOPPEL_OK;
    if (w->text->len && continues_line(w)) {
        st = dp_extend_block(ex, w->text->data, w->text->len, w->link_bytes);
    } else if (w->text->len) {
        int kind = w->in_pre ? DP_BK_CODE : w->kind;
        size_t before = ex->nblocks;
        st = dp_add_block(ex, w->text->data, w->text->len, w->line, kind, w->link_bytes, 0);
        if (ex->nblocks > before && w->dens.main && !w->in_main)
            ex->blocks[ex->nblocks - 1].outside = 1;
    }
    w->after_br = 0;
    w->text->len = 0;
    w->link_bytes = 0;
    if (new_para) dp_new_para(ex);
    return st;
}

static doppel_status enter(walk *w, uint32_t id, int *descend) {
    const dp_hnode *n = &w->t->n[id];
    *descend = 0;
    if (n->type == DP_HN_TEXT) {
        const char *s = w->t->text.data + n->a;
        if (w->title_done == 1) return dp_buf_append(w->title_text, s, n->b);
        if (!w->skipping && !w->text->len) w->line = n->line;
        return put_text(w, s, n->b);
    }
    *descend = 1;
    if (n->type != DP_HN_ELEMENT) return DOPPEL_OK;
    if (n->a || n->b) head_meta(w, n);
    if (n->tag == DP_T_TITLE && !w->title_done) {
        w->title_done = 1;  /* collect its text, then 2 */
        return DOPPEL_OK;
    }
    if (n->tag == DP_T_H1 && w->h1_state == 0) {
        w->h1_state = 1;  /* the headline often sits in a <header> that is skipped */
        w->h1_text->len = 0;
    }
    if (id == w->dens.main && !w->skipping) {
        doppel_status st = flush(w, 1);
        if (st) return st;
        w->in_main = 1;
    }
    int sk = skip_kind(n);
    /* A name is evidence, not a verdict: the container of most of the
     * page's prose is the article whatever it is called. */
    if (sk != SKIP_NO && !w->skipping && dp_density_holds_most(&w->dens, id)) sk = SKIP_NO;
    if (w->skipping) {
        *descend = sk != SKIP_SILENT;
        return DOPPEL_OK;
    }
    if (sk == SKIP_SILENT && n->tag == DP_T_HEAD) {
        return DOPPEL_OK;  /* walk it for title and meta; its text is not shown */
    }
    if (sk == SKIP_NO && !w->in_main && dp_density_beside_main(&w->dens, id)) {
        doppel_status st = flush(w, 1);
        if (st) return st;
        w->in_main = 1;
        w->beside = id;
    }
    if (sk != SKIP_NO) {
        doppel_status st = flush(w, 1);
        if (st) return st;
        if (sk == SKIP_SILENT) {
            *descend = 0;
            return DOPPEL_OK;
        }
        w->skipping = id;
        w->skip_line = n->line;
        return DOPPEL_OK;
    }
    if (n->tag == DP_T_BR) {
        if (w->in_pre) return dp_buf_putc(w->text, '\n');
        int line = w->text->len > 0;
        doppel_status st = flush(w, 0);
        w->after_br = line;  /* <br><br> is a paragraph break: nothing joins over it */
        return st;
    }
    if (n->tag == DP_T_IMG) {
        *descend = 0;
        return DOPPEL_OK;
    }
    if (dp_tag_block(n->tag)) {
        doppel_status st = flush(w, 1);
        if (st) return st;
        w->line = n->line;
        w->kind = DP_BK_TEXT;
        if (n->tag >= DP_T_H1 && n->tag <= DP_T_H6) w->kind = DP_BK_HEADING;
        else if (n->tag == DP_T_LI || n->tag == DP_T_DT || n->tag == DP_T_DD)
            w->kind = DP_BK_ITEM;
        if (n->tag == DP_T_PRE) w->in_pre++;
    }
    if (n->tag == DP_T_A) w->in_link++;
    return DOPPEL_OK;
}

static doppel_status leave(walk *w, uint32_t id) {
    const dp_hnode *n = &w->t->n[id];
    if (n->type != DP_HN_ELEMENT) return DOPPEL_OK;
    if (n->tag == DP_T_TITLE && w->title_done == 1) {
        w->title_done = 2;
        return DOPPEL_OK;
    }
    if (n->tag == DP_T_H1 && w->h1_state == 1) w->h1_state = 2;
    if (w->skipping == id) {
        /* The skipped subtree's text, shown by --explain as one dropped block. */
        doppel_status st = DOPPEL_OK;
        if (w->text->len)
            st = dp_add_block(w->ex, w->text->data, w->text->len, w->skip_line, DP_BK_DROPPED, 0,
                              DOPPEL_DROP_ELEMENT);
        w->text->len = 0;
        w->link_bytes = 0;
        w->skipping = 0;
        dp_new_para(w->ex);
        return st;
    }
    if (w->skipping) return DOPPEL_OK;
    if (n->tag == DP_T_A && w->in_link) w->in_link--;
    if (id == w->dens.main || id == w->beside) {
        doppel_status st = flush(w, 1);
        w->in_main = 0;
        w->beside = 0;
        if (st) return st;
    }
    if (dp_tag_block(n->tag)) {
        doppel_status st = flush(w, 1);
        if (n->tag == DP_T_PRE && w->in_pre) w->in_pre--;
        w->kind = DP_BK_TEXT;
        return st;
    }
    return DOPPEL_OK;
}

static doppel_status walk_tree(walk *w) {
    const dp_hnode *N = w->t->n;
    uint32_t n = 0;
    for (;;) {
        int descend;
        doppel_status st = enter(w, n, &descend);
        if (st) return st;
        if (descend && N[n].first) {
            n = N[n].first;
            continue;
        }
        /* Leave n and every ancestor that has no next sibling. */
        for (;;) {
            if ((st = leave(w, n))) return st;
            if (n == 0) return DOPPEL_OK;
            if (N[n].next) {
                n = N[n].next;
                break;
            }
            n = N[n].parent;
        }
    }
}

void dp_html_free(doppel_extractor *ex) {
    if (!ex->htree) return;
    dp_htree_free(ex->htree);
    dp_free(ex->htree, sizeof *ex->htree);
    ex->htree = NULL;
}

doppel_status dp_read_html(doppel_extractor *ex, const char *s, size_t len, doppel_error *err) {
    if (!ex->htree && !(ex->htree = dp_calloc(1, sizeof *ex->htree)))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "extract: out of memory");
    doppel_status st = dp_htree_parse(ex->htree, s, len);
    if (st) return dp_fail(err, st, "extract: out of memory parsing HTML");
    if (ex->htree->too_deep) {  /* nested too deep for a tree: its text, as lines */
        ex->flags |= DOPPEL_EXTRACT_HTML_REPAIRED;
        return dp_html_strip(ex, s, len);
    }
    if (ex->htree->errors) ex->flags |= DOPPEL_EXTRACT_HTML_REPAIRED;

    walk w = {.ex = ex, .t = ex->htree, .text = &ex->scratch, .line = 1, .kind = DP_BK_TEXT,
              .h1_text = &ex->hbuf[0], .title_text = &ex->hbuf[1]};
    ex->scratch.len = ex->hbuf[0].len = ex->hbuf[1].len = 0;
    st = dp_density_build(&w.dens, ex->htree);
    if (!st) st = walk_tree(&w);
    if (!st) st = flush(&w, 1);

    const char *title = w.og_title;
    if (!title && w.h1_text->len && !dp_buf_terminate(w.h1_text)) title = w.h1_text->data;
    if (!title && w.title_text->len && !dp_buf_terminate(w.title_text)) title = w.title_text->data;
    const char *date = w.meta_date ? w.meta_date : w.time_date;
    const char *desc = w.desc ? w.desc : w.og_desc;
    const char *url = w.canonical ? w.canonical : w.og_url;
    const char *vals[DP_META_N] = {title, date, desc, url};
    for (int f = 0; f < DP_META_N && !st; f++)
        if (vals[f]) st = dp_set_meta(ex, f, vals[f], strlen(vals[f]));

    dp_density_free(&w.dens);
    if (st) return dp_fail(err, st, "extract: out of memory");
    return DOPPEL_OK;
}
