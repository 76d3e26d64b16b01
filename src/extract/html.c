/*
 * html.c — HTML to blocks, with Debian's gumbo (a full HTML5 parser: broken
 * markup is repaired the way browsers repair it, never rejected).
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
 * The page's bytes are prepared in htmlbytes.c (charset, depth check, the
 * lean copy without script and style bodies). The walk is iterative
 * (parent pointers), so deep pages cannot overflow the stack.
 */
#include "extract/extract_int.h"
#include "extract/htmldensity.h"

#include <gumbo.h>
#include <string.h>
#include <strings.h>

/* ---- gumbo's memory through the counted allocator ---------------------------- */

/* gumbo's deallocator gets no size; keep it in a header before the block. */
typedef union alloc_hdr {
    size_t size;
    max_align_t align;
} alloc_hdr;

static void *gumbo_alloc(void *user, size_t size) {
    (void)user;
    alloc_hdr *h = dp_malloc(sizeof *h + size);
    if (!h) return NULL;
    h->size = size;
    return h + 1;
}

static void gumbo_dealloc(void *user, void *ptr) {
    (void)user;
    if (!ptr) return;
    alloc_hdr *h = (alloc_hdr *)ptr - 1;
    dp_free(h, sizeof *h + h->size);
}

/* ---- the walk ----------------------------------------------------------------- */

enum { SKIP_NO = 0, SKIP_SILENT, SKIP_EXPLAIN };

typedef struct walk {
    doppel_extractor *ex;
    doppel_buf *text;      /* the block being built (ex->scratch) */
    uint32_t line;         /* first line of the block being built */
    uint32_t link_bytes;
    int kind;
    int in_link, in_pre;
    GumboNode *skipping;   /* the element whose subtree is being dropped, or NULL */
    size_t skip_start;     /* where its text starts in text */
    uint32_t skip_line;
    /* Metadata candidates, set at the end in order of preference. */
    const char *og_title, *h1, *title, *meta_date, *time_date, *desc, *og_desc,
        *canonical, *og_url;
    doppel_buf *h1_text;   /* the first h1's text, collected while walking */
    int h1_state;          /* 0 none yet, 1 inside the first h1, 2 done */
    int title_done;        /* <title>: 0 not seen, 1 inside, 2 done */
    doppel_buf *title_text;
    dp_density dens;       /* where the prose is (htmldensity.c) */
    int in_main;           /* inside dens.main or a sibling of it that is article */
    GumboNode *beside;     /* that sibling, while inside it */
} walk;

static int block_tag(GumboTag t) {
    switch (t) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_H1: case GUMBO_TAG_H2:
    case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
    case GUMBO_TAG_LI: case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE: case GUMBO_TAG_TD: case GUMBO_TAG_TH: case GUMBO_TAG_TR:
    case GUMBO_TAG_TABLE: case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_DL:
    case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_MAIN:
    case GUMBO_TAG_FIGURE: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_DETAILS: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_CAPTION:
    case GUMBO_TAG_HR: case GUMBO_TAG_BODY: case GUMBO_TAG_HTML: case GUMBO_TAG_CENTER:
    case GUMBO_TAG_FIELDSET: case GUMBO_TAG_LEGEND: case GUMBO_TAG_HGROUP:
        return 1;
    default:
        return 0;
    }
}

/* Class/id words that name a container as chrome. Matched as whole words
 * of the attribute (split at space, '-' and '_'), and not when the same
 * attribute also names it as content ("post-comments" vs "post-body"). */
static const char *const chrome_words[] = {
    "sidebar", "comments", "comment", "share", "sharing", "social", "related", "breadcrumb",
    "breadcrumbs", "cookie", "cookies", "newsletter", "promo", "advert", "advertisement",
    "ads", "banner", "popup", "modal", "subscribe", "subscription", "navbar", "menu",
    "masthead", "recommended", "trending", "widget", "caption", "credit", "credits", NULL};
static const char *const content_words[] = {
    "article", "content", "post", "entry", "story", "body", "main", "text", NULL};

static int attr_has_word(const char *v, const char *const *list) {
    while (*v) {
        while (*v == ' ' || *v == '-' || *v == '_') v++;
        const char *e = v;
        while (*e && *e != ' ' && *e != '-' && *e != '_') e++;
        for (int i = 0; list[i]; i++)
            if ((size_t)(e - v) == strlen(list[i]) && !strncasecmp(v, list[i], (size_t)(e - v)))
                return 1;
        v = e;
    }
    return 0;
}

static int skip_kind(GumboElement *el) {
    switch (el->tag) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_SVG: case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_BUTTON: case GUMBO_TAG_SELECT: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_OBJECT:
    case GUMBO_TAG_EMBED: case GUMBO_TAG_CANVAS: case GUMBO_TAG_MATH: case GUMBO_TAG_HEAD:
    case GUMBO_TAG_AUDIO: case GUMBO_TAG_VIDEO: case GUMBO_TAG_MENU:
        return SKIP_SILENT;
    case GUMBO_TAG_NAV: case GUMBO_TAG_ASIDE: case GUMBO_TAG_FOOTER: case GUMBO_TAG_HEADER:
    case GUMBO_TAG_FORM: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_IFRAME:
    case GUMBO_TAG_FIGCAPTION:
        return SKIP_EXPLAIN;
    default:
        break;
    }
    if (dp_html_hidden(el)) return SKIP_SILENT;
    GumboAttribute *a;
    if (el->tag == GUMBO_TAG_BODY || el->tag == GUMBO_TAG_HTML || el->tag == GUMBO_TAG_ARTICLE ||
        el->tag == GUMBO_TAG_MAIN)
        return SKIP_NO;
    const char *attrs[2] = {"class", "id"};
    for (int i = 0; i < 2; i++) {
        a = gumbo_get_attribute(&el->attributes, attrs[i]);
        if (a && attr_has_word(a->value, chrome_words) && !attr_has_word(a->value, content_words))
            return SKIP_EXPLAIN;
    }
    return SKIP_NO;
}

static const char *attr(GumboNode *n, const char *name) {
    GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
    return a ? a->value : NULL;
}

static void head_meta(walk *w, GumboNode *n) {
    GumboTag t = n->v.element.tag;
    if (t == GUMBO_TAG_META) {
        const char *key = attr(n, "property");
        if (!key) key = attr(n, "name");
        if (!key) key = attr(n, "itemprop");
        const char *content = attr(n, "content");
        if (!key || !content) return;
        if (!strcasecmp(key, "og:title")) { if (!w->og_title) w->og_title = content; }
        else if (!strcasecmp(key, "description")) { if (!w->desc) w->desc = content; }
        else if (!strcasecmp(key, "og:description")) { if (!w->og_desc) w->og_desc = content; }
        else if (!strcasecmp(key, "og:url")) { if (!w->og_url) w->og_url = content; }
        else if (!strcasecmp(key, "article:published_time") || !strcasecmp(key, "datePublished") ||
                 !strcasecmp(key, "og:published_time") || !strcasecmp(key, "pubdate") ||
                 !strcasecmp(key, "publishdate") || !strcasecmp(key, "date") ||
                 !strcasecmp(key, "dc.date") || !strcasecmp(key, "dcterms.created") ||
                 !strcasecmp(key, "parsely-pub-date")) {
            if (!w->meta_date) w->meta_date = content;
        }
    } else if (t == GUMBO_TAG_LINK) {
        const char *rel = attr(n, "rel");
        if (rel && !strcasecmp(rel, "canonical") && !w->canonical) w->canonical = attr(n, "href");
    } else if (t == GUMBO_TAG_TIME) {
        const char *dt = attr(n, "datetime");
        if (dt && !w->time_date) w->time_date = dt;
    }
}

/* Append text with whitespace collapsed (verbatim inside <pre>). */
static doppel_status put_text(walk *w, const char *s, size_t len) {
    doppel_buf *b = w->text;
    size_t before = b->len;
    if (w->in_pre && !w->skipping) {
        if (dp_buf_append(b, s, len)) return DOPPEL_ERR_NOMEM;
    } else {
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)s[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                if (b->len && b->data[b->len - 1] != ' ' && b->data[b->len - 1] != '\n' &&
                    dp_buf_putc(b, ' '))
                    return DOPPEL_ERR_NOMEM;
                continue;
            }
            /* U+00A0 no-break space is a space for a reader. */
            if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xA0) {
                i++;
                if (b->len && b->data[b->len - 1] != ' ' && dp_buf_putc(b, ' '))
                    return DOPPEL_ERR_NOMEM;
                continue;
            }
            if (dp_buf_putc(b, (char)c)) return DOPPEL_ERR_NOMEM;
        }
    }
    if (w->in_link && !w->skipping) w->link_bytes += (uint32_t)(b->len - before);
    if (w->h1_state == 1 && dp_buf_append(w->h1_text, s, len)) return DOPPEL_ERR_NOMEM;
    return DOPPEL_OK;
}

/* End the block being built. */
static doppel_status flush(walk *w, int new_para) {
    doppel_extractor *ex = w->ex;
    doppel_status st = DOPPEL_OK;
    if (w->text->len) {
        int kind = w->in_pre ? DP_BK_CODE : w->kind;
        size_t before = ex->nblocks;
        st = dp_add_block(ex, w->text->data, w->text->len, w->line, kind, w->link_bytes, 0);
        if (ex->nblocks > before && w->dens.main && !w->in_main)
            ex->blocks[ex->nblocks - 1].outside = 1;
    }
    w->text->len = 0;
    w->link_bytes = 0;
    if (new_para) dp_new_para(ex);
    return st;
}

static uint32_t node_line(GumboNode *n) {
    if (n->type == GUMBO_NODE_ELEMENT) return n->v.element.start_pos.line;
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
        n->type == GUMBO_NODE_CDATA)
        return n->v.text.start_pos.line;
    return 0;
}

static doppel_status enter(walk *w, GumboNode *n, int *descend) {
    *descend = 0;
    if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
        n->type == GUMBO_NODE_CDATA) {
        if (w->title_done == 1)
            return dp_buf_append(w->title_text, n->v.text.text, strlen(n->v.text.text));
        if (!w->skipping && !w->text->len) w->line = node_line(n);
        return put_text(w, n->v.text.text, strlen(n->v.text.text));
    }
    /* A <template>'s content is never shown (gumbo gives it a node type of
     * its own, so skip_kind does not see it). */
    if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT) return DOPPEL_OK;
    *descend = 1;
    if (n->type != GUMBO_NODE_ELEMENT) return DOPPEL_OK;
    GumboElement *el = &n->v.element;
    head_meta(w, n);
    if (el->tag == GUMBO_TAG_TITLE && !w->title_done) {
        w->title_done = 1;  /* collect its text, then 2 */
        return DOPPEL_OK;
    }
    if (el->tag == GUMBO_TAG_H1 && w->h1_state == 0) {
        w->h1_state = 1;  /* the headline often sits in a <header> that is skipped */
        w->h1_text->len = 0;
    }
    if (n == w->dens.main && !w->skipping) {
        doppel_status st = flush(w, 1);
        if (st) return st;
        w->in_main = 1;
    }
    int sk = skip_kind(el);
    /* A name is evidence, not a verdict: the container of most of the
     * page's prose is the article whatever it is called. */
    if (sk != SKIP_NO && !w->skipping && dp_density_holds_most(&w->dens, n)) sk = SKIP_NO;
    if (w->skipping) {
        *descend = sk != SKIP_SILENT;
        return DOPPEL_OK;
    }
    if (sk == SKIP_SILENT && el->tag == GUMBO_TAG_HEAD) {
        return DOPPEL_OK;  /* walk it for title and meta; its text is not shown */
    }
    if (sk == SKIP_NO && !w->in_main && dp_density_beside_main(&w->dens, n)) {
        doppel_status st = flush(w, 1);
        if (st) return st;
        w->in_main = 1;
        w->beside = n;
    }
    if (sk != SKIP_NO) {
        doppel_status st = flush(w, 1);
        if (st) return st;
        if (sk == SKIP_SILENT) {
            *descend = 0;
            return DOPPEL_OK;
        }
        w->skipping = n;
        w->skip_line = el->start_pos.line;
        return DOPPEL_OK;
    }
    if (el->tag == GUMBO_TAG_BR) {
        if (w->in_pre) return dp_buf_putc(w->text, '\n');
        return flush(w, 0);
    }
    if (el->tag == GUMBO_TAG_IMG) {
        *descend = 0;
        return DOPPEL_OK;
    }
    if (block_tag(el->tag)) {
        doppel_status st = flush(w, 1);
        if (st) return st;
        w->line = el->start_pos.line;
        w->kind = DP_BK_TEXT;
        if (el->tag >= GUMBO_TAG_H1 && el->tag <= GUMBO_TAG_H6) w->kind = DP_BK_HEADING;
        else if (el->tag == GUMBO_TAG_LI || el->tag == GUMBO_TAG_DT || el->tag == GUMBO_TAG_DD)
            w->kind = DP_BK_ITEM;
        if (el->tag == GUMBO_TAG_PRE) w->in_pre++;
    }
    if (el->tag == GUMBO_TAG_A) w->in_link++;
    return DOPPEL_OK;
}

static doppel_status leave(walk *w, GumboNode *n) {
    if (n->type != GUMBO_NODE_ELEMENT) return DOPPEL_OK;
    GumboElement *el = &n->v.element;
    if (el->tag == GUMBO_TAG_TITLE && w->title_done == 1) {
        w->title_done = 2;
        return DOPPEL_OK;
    }
    if (el->tag == GUMBO_TAG_H1 && w->h1_state == 1) w->h1_state = 2;
    if (w->skipping == n) {
        /* The skipped subtree's text, shown by --explain as one dropped block. */
        doppel_status st = DOPPEL_OK;
        if (w->text->len)
            st = dp_add_block(w->ex, w->text->data, w->text->len, w->skip_line, DP_BK_DROPPED, 0,
                              DOPPEL_DROP_ELEMENT);
        w->text->len = 0;
        w->link_bytes = 0;
        w->skipping = NULL;
        dp_new_para(w->ex);
        return st;
    }
    if (w->skipping) return DOPPEL_OK;
    if (el->tag == GUMBO_TAG_A && w->in_link) w->in_link--;
    if (n == w->dens.main || n == w->beside) {
        doppel_status st = flush(w, 1);
        w->in_main = 0;
        w->beside = NULL;
        if (st) return st;
    }
    if (block_tag(el->tag)) {
        doppel_status st = flush(w, 1);
        if (el->tag == GUMBO_TAG_PRE && w->in_pre) w->in_pre--;
        w->kind = DP_BK_TEXT;
        return st;
    }
    return DOPPEL_OK;
}

static doppel_status walk_tree(walk *w, GumboNode *root) {
    GumboNode *n = root;
    for (;;) {
        int descend;
        doppel_status st = enter(w, n, &descend);
        if (st) return st;
        GumboVector *kids = n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE
                                ? &n->v.element.children
                            : n->type == GUMBO_NODE_DOCUMENT ? &n->v.document.children
                                                             : NULL;
        if (descend && kids && kids->length) {
            n = kids->data[0];
            continue;
        }
        /* Leave n and every ancestor that has no next sibling. */
        for (;;) {
            if ((st = leave(w, n))) return st;
            if (n == root) return DOPPEL_OK;
            GumboNode *p = n->parent;
            GumboVector *sib = p->type == GUMBO_NODE_DOCUMENT ? &p->v.document.children
                                                              : &p->v.element.children;
            size_t next = n->index_within_parent + 1;
            if (next < sib->length) {
                n = sib->data[next];
                break;
            }
            n = p;
        }
    }
}

/* A <title> that is never closed swallows the rest of the page as its text
 * (HTML5 reads it as raw text to the end), and a truncated crawl leaves
 * many such pages. A title is never this long, nor holds an end tag: */
#define MAX_TITLE 2048

/* Find "<title" (any case) in s; NULL when there is none. */
static char *find_title_tag(char *s, size_t len) {
    for (char *p = s; (p = memchr(p, '<', len - (size_t)(p - s))) && len - (size_t)(p - s) > 6;
         p++)
        if (!strncasecmp(p + 1, "title", 5)) return p;
    return NULL;
}

doppel_status dp_read_html(doppel_extractor *ex, const char *s, size_t len, doppel_error *err) {
    GumboOptions gopt = kGumboDefaultOptions;
    gopt.allocator = gumbo_alloc;
    gopt.deallocator = gumbo_dealloc;
    gopt.max_errors = 1;  /* one is enough to know the page was repaired */
    size_t nblocks0 = ex->nblocks, btext0 = ex->btext.len;
    uint32_t para0 = ex->para;
    doppel_buf retitled = {0};  /* the page with its unclosed <title> renamed */
    doppel_buf swallowed = {0}; /* and what that title's text started with */
    GumboOutput *g;
    walk w;
    doppel_status st;
    int lean = dp_html_lean(s, len, &ex->lean);
    if (lean < 0) return dp_fail(err, DOPPEL_ERR_NOMEM, "extract: out of memory");
    if (lean) s = ex->lean.data, len = ex->lean.len;
    for (int attempt = 0;; attempt++) {
        g = gumbo_parse_with_options(&gopt, s, len);
        if (!g) {
            doppel_buf_free(&retitled);
            doppel_buf_free(&swallowed);
            return dp_fail(err, DOPPEL_ERR_NOMEM, "extract: out of memory parsing HTML");
        }
        if (g->errors.length) ex->flags |= DOPPEL_EXTRACT_HTML_REPAIRED;
        w = (walk){.ex = ex, .text = &ex->scratch, .line = 1, .kind = DP_BK_TEXT,
                   .h1_text = &ex->hbuf[0], .title_text = &ex->hbuf[1]};
        ex->scratch.len = ex->hbuf[0].len = ex->hbuf[1].len = 0;
        st = dp_density_build(&w.dens, g->document);
        if (!st) st = walk_tree(&w, g->document);
        if (!st) st = flush(&w, 1);
        if (st || attempt ||
            (w.title_text->len <= MAX_TITLE &&
             (!w.title_text->len || !memmem(w.title_text->data, w.title_text->len, "</", 2))))
            break;
        /* Read the page again with that <title> as an unknown element, so
         * its text is markup again; keep the title's first line. */
        char *tag;
        const char *t = w.title_text->data;
        size_t tl = strcspn(t, "<\n");
        if (dp_buf_append(&retitled, s, len) || dp_buf_append(&swallowed, t, DP_MIN(tl, 300))) {
            st = DOPPEL_ERR_NOMEM;
            break;
        }
        if (!(tag = find_title_tag(retitled.data, retitled.len))) break;
        tag[1] = 'x';  /* <xitle>: an unknown inline element */
        dp_density_free(&w.dens);
        gumbo_destroy_output(&gopt, g);
        ex->nblocks = nblocks0;
        ex->btext.len = btext0;
        ex->para = para0;
        s = retitled.data;
        len = retitled.len;
        ex->flags |= DOPPEL_EXTRACT_HTML_REPAIRED;
    }

    const char *title = w.og_title;
    if (!title && w.h1_text->len && !dp_buf_terminate(w.h1_text)) title = w.h1_text->data;
    if (!title && swallowed.len && !dp_buf_terminate(&swallowed)) title = swallowed.data;
    if (!title && w.title_text->len && !dp_buf_terminate(w.title_text)) title = w.title_text->data;
    const char *date = w.meta_date ? w.meta_date : w.time_date;
    const char *desc = w.desc ? w.desc : w.og_desc;
    const char *url = w.canonical ? w.canonical : w.og_url;
    const char *vals[DP_META_N] = {title, date, desc, url};
    for (int f = 0; f < DP_META_N && !st; f++)
        if (vals[f]) st = dp_set_meta(ex, f, vals[f], strlen(vals[f]));

    dp_density_free(&w.dens);
    gumbo_destroy_output(&gopt, g);
    doppel_buf_free(&retitled);
    doppel_buf_free(&swallowed);
    if (st) return dp_fail(err, st, "extract: out of memory");
    return DOPPEL_OK;
}
