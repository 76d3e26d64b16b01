/*
 * htmltree.c — an HTML page into the compact tree of htmltree.h, from the
 * SAX events of Debian's libxml2 HTML parser.
 *
 * Why SAX and a tree of our own: libxml2's own tree (htmlReadMemory) costs
 * a malloc per node and per attribute and keeps every attribute; gumbo's
 * costs more. The extractor needs two passes over the page (where the prose
 * is, then the blocks), a few attributes (class, id, hidden, style, and the
 * metadata of <meta>, <link>, <time>) and the text. Here each element is
 * one 32-byte record in an array that is reused from page to page, its
 * class/id/visibility are decided while its attributes are at hand, and
 * text nodes are byte ranges of one buffer. Parse only: about 75 MB/s of
 * HTML per core against gumbo's 16 (docs/extraction.md).
 *
 * libxml2 is an HTML4 parser with error recovery, not an HTML5 one. What
 * the extractor sees differently, and how it is handled:
 * - the input is declared UTF-8 and <meta charset> is ignored
 *   (HTML_PARSE_IGNORE_ENC): htmlbytes.c has already converted latin-1
 *   pages, and invalid UTF-8 is replaced (U+FFFD) before the parse, since
 *   libxml2 would otherwise read the rest of the page as latin-1;
 * - unknown (HTML5) elements are kept as elements; they do not close an
 *   open <p> as HTML5 says, which changes no block: both the reader and
 *   the density pass break blocks at them;
 * - <script> and <style> bodies are raw text (cdataBlock, not kept here);
 *   <noscript>, <template>, <iframe> content is parsed as elements and
 *   the reader drops them by tag;
 * - NUL bytes are removed first: libxml2 ends the page at one;
 * - errors are neither printed nor collected: the SAX handler's structured
 *   error callback is a no-op on a handler owned by the parse (no global
 *   state is touched), and ctxt->wellFormed says whether anything was
 *   repaired.
 */
#include "extract/htmltree.h"

#include <libxml/HTMLparser.h>
#include <libxml/parserInternals.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

/* ---- tags ---------------------------------------------------------------- */

static const struct { const char *name; uint8_t tag; } tags[] = {
    {"a", DP_T_A}, {"address", DP_T_ADDRESS}, {"article", DP_T_ARTICLE},
    {"aside", DP_T_ASIDE}, {"audio", DP_T_AUDIO}, {"blockquote", DP_T_BLOCKQUOTE},
    {"body", DP_T_BODY}, {"br", DP_T_BR}, {"button", DP_T_BUTTON}, {"canvas", DP_T_CANVAS},
    {"caption", DP_T_CAPTION}, {"center", DP_T_CENTER}, {"dd", DP_T_DD},
    {"details", DP_T_DETAILS}, {"div", DP_T_DIV}, {"dl", DP_T_DL}, {"dt", DP_T_DT},
    {"embed", DP_T_EMBED}, {"fieldset", DP_T_FIELDSET}, {"figcaption", DP_T_FIGCAPTION},
    {"figure", DP_T_FIGURE}, {"footer", DP_T_FOOTER}, {"form", DP_T_FORM}, {"h1", DP_T_H1},
    {"h2", DP_T_H2}, {"h3", DP_T_H3}, {"h4", DP_T_H4}, {"h5", DP_T_H5}, {"h6", DP_T_H6},
    {"head", DP_T_HEAD}, {"header", DP_T_HEADER}, {"hgroup", DP_T_HGROUP}, {"hr", DP_T_HR},
    {"html", DP_T_HTML}, {"iframe", DP_T_IFRAME}, {"img", DP_T_IMG}, {"legend", DP_T_LEGEND},
    {"li", DP_T_LI}, {"link", DP_T_LINK}, {"main", DP_T_MAIN}, {"math", DP_T_MATH},
    {"menu", DP_T_MENU}, {"meta", DP_T_META}, {"nav", DP_T_NAV}, {"noscript", DP_T_NOSCRIPT},
    {"object", DP_T_OBJECT}, {"ol", DP_T_OL}, {"p", DP_T_P}, {"pre", DP_T_PRE},
    {"script", DP_T_SCRIPT}, {"section", DP_T_SECTION}, {"select", DP_T_SELECT},
    {"style", DP_T_STYLE}, {"summary", DP_T_SUMMARY}, {"svg", DP_T_SVG},
    {"table", DP_T_TABLE}, {"td", DP_T_TD}, {"template", DP_T_TEMPLATE},
    {"textarea", DP_T_TEXTAREA}, {"th", DP_T_TH}, {"time", DP_T_TIME}, {"title", DP_T_TITLE},
    {"tr", DP_T_TR}, {"ul", DP_T_UL}, {"video", DP_T_VIDEO}};

/* libxml2 gives tag names in lower case. */
static uint8_t tag_of(const char *name) {
    size_t lo = 0, hi = sizeof tags / sizeof tags[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(name, tags[mid].name);
        if (!c) return tags[mid].tag;
        if (c < 0) hi = mid;
        else lo = mid + 1;
    }
    return DP_T_OTHER;
}

int dp_tag_block(int t) {
    switch (t) {
    case DP_T_P: case DP_T_DIV: case DP_T_H1: case DP_T_H2: case DP_T_H3: case DP_T_H4:
    case DP_T_H5: case DP_T_H6: case DP_T_LI: case DP_T_DT: case DP_T_DD: case DP_T_BLOCKQUOTE:
    case DP_T_PRE: case DP_T_TD: case DP_T_TH: case DP_T_TR: case DP_T_TABLE: case DP_T_UL:
    case DP_T_OL: case DP_T_DL: case DP_T_SECTION: case DP_T_ARTICLE: case DP_T_MAIN:
    case DP_T_FIGURE: case DP_T_FIGCAPTION: case DP_T_ADDRESS: case DP_T_DETAILS:
    case DP_T_SUMMARY: case DP_T_CAPTION: case DP_T_HR: case DP_T_BODY: case DP_T_HTML:
    case DP_T_CENTER: case DP_T_FIELDSET: case DP_T_LEGEND: case DP_T_HGROUP:
        return 1;
    default:
        return 0;
    }
}

/* ---- attributes ------------------------------------------------------------ */

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

/* "display: none" / "visibility:hidden" in a style, any case and spacing. */
static int style_hides(const char *v) {
    for (const char *p = v; *p; p++) {
        const char *want = (*p | 32) == 'd' ? "display" : (*p | 32) == 'v' ? "visibility" : NULL;
        if (!want || strncasecmp(p, want, strlen(want))) continue;
        const char *q = p + strlen(want);
        while (*q == ' ') q++;
        if (*q != ':') continue;
        q++;
        while (*q == ' ') q++;
        if (!strncasecmp(q, want[0] == 'd' ? "none" : "hidden", want[0] == 'd' ? 4 : 6))
            return 1;
    }
    return 0;
}

/* ---- building ----------------------------------------------------------------- */

/* libxml2 interns tag names in the parse's dictionary, so a name's address
 * identifies it: the tag is looked up once per name and page. */
#define NAME_CACHE 64

typedef struct builder {
    dp_htree *t;
    htmlParserCtxtPtr ctxt;
    uint32_t open;   /* the element new nodes go into */
    int nomem;
    struct { const xmlChar *name; uint8_t tag; } cache[NAME_CACHE];
} builder;

static uint8_t cached_tag(builder *bd, const xmlChar *name) {
    size_t k = (size_t)(((uintptr_t)name >> 3) * 0x9E3779B97F4A7C15ull >> 58) % NAME_CACHE;
    if (bd->cache[k].name != name) {
        bd->cache[k].name = name;
        bd->cache[k].tag = tag_of((const char *)name);
    }
    return bd->cache[k].tag;
}

static uint32_t add_node(builder *bd, int type, uint32_t line) {
    dp_htree *t = bd->t;
    if (bd->nomem) return 0;
    if (t->count >= UINT32_MAX ||
        (t->count == t->cap &&
         dp_grow((void **)&t->n, &t->cap, t->count + 1, sizeof *t->n))) {
        bd->nomem = 1;  /* a start without its node would unbalance the ends */
        xmlStopParser(bd->ctxt);
        return 0;
    }
    uint32_t id = (uint32_t)t->count++;
    dp_hnode *p = &t->n[bd->open];
    t->n[id] = (dp_hnode){.parent = bd->open, .line = line, .type = (uint8_t)type};
    if (p->last) t->n[p->last].next = id;
    else p->first = id;
    p->last = id;
    return id;
}

/* Keep a NUL-terminated value; its offset + 1, or 0. */
static uint32_t keep_str(builder *bd, const char *v) {
    doppel_buf *b = &bd->t->text;
    size_t n = strlen(v);
    if (bd->nomem || b->len + n + 1 >= UINT32_MAX) return 0;
    uint32_t off = (uint32_t)b->len + 1;
    if (dp_buf_append(b, v, n + 1)) {
        bd->nomem = 1;
        xmlStopParser(bd->ctxt);
        return 0;
    }
    return off;
}

/* The line where the tag just read starts: the parser stands after its '>'. */
static uint32_t tag_line(htmlParserCtxtPtr c) {
    xmlParserInputPtr in = c->input;
    uint32_t line = (uint32_t)in->line;
    for (const xmlChar *p = in->cur; p > in->base && p[-1] != '<'; p--)
        if (p[-1] == '\n' && line > 1) line--;
    return line;
}

static void on_start(void *ud, const xmlChar *name, const xmlChar **atts) {
    builder *bd = ud;
    uint32_t id = add_node(bd, DP_HN_ELEMENT, tag_line(bd->ctxt));
    if (!id) return;
    uint8_t tag = cached_tag(bd, name), flags = 0;
    const char *key = NULL, *val = NULL, *pick[3] = {NULL, NULL, NULL};
    for (int i = 0; atts && atts[i]; i += 2) {
        const char *an = (const char *)atts[i], *av = (const char *)atts[i + 1];
        switch (an[0]) {
        case 'h':
            if (!strcmp(an, "hidden")) flags |= DP_HF_HIDDEN;
            else if (!strcmp(an, "href") && av && !val && tag == DP_T_LINK) val = av;
            break;
        case 'a':
            if (av && !strcmp(an, "aria-hidden") && !strcasecmp(av, "true")) flags |= DP_HF_HIDDEN;
            break;
        case 's':
            if (av && !strcmp(an, "style") && style_hides(av)) flags |= DP_HF_HIDDEN;
            break;
        case 'c':
        case 'i':
            if (av && (!strcmp(an, "class") || !strcmp(an, "id")) &&
                attr_has_word(av, chrome_words) && !attr_has_word(av, content_words))
                flags |= DP_HF_CHROME;
            if (av && tag == DP_T_META && !strcmp(an, "content") && !val) val = av;
            if (av && tag == DP_T_META && !strcmp(an, "itemprop")) pick[2] = av;
            break;
        default:
            break;
        }
        if (!av) continue;
        if (tag == DP_T_META) {
            if (!strcmp(an, "property")) pick[0] = av;
            else if (!strcmp(an, "name")) pick[1] = av;
        } else if (tag == DP_T_LINK && !strcmp(an, "rel")) {
            key = av;
        } else if (tag == DP_T_TIME && !strcmp(an, "datetime") && !val) {
            val = av;
        }
    }
    if (tag == DP_T_META) key = pick[0] ? pick[0] : pick[1] ? pick[1] : pick[2];
    dp_hnode *n = &bd->t->n[id];
    n->tag = tag;
    n->flags = flags;
    uint32_t a = key ? keep_str(bd, key) : 0, b = val ? keep_str(bd, val) : 0;
    n = &bd->t->n[id];
    n->a = a;
    n->b = b;
    bd->open = id;
}

static void on_end(void *ud, const xmlChar *name) {
    (void)name;  /* libxml2 pairs every start with an end, implied ones included */
    builder *bd = ud;
    if (bd->open) bd->open = bd->t->n[bd->open].parent;
}

/* Append text, with the C1 controls U+0080-U+009F read as windows-1252:
 * HTML5 maps "&#151;" to U+2014 as pages mean it, libxml2 gives U+0097,
 * which cost an l3s-gn1 page its first paragraph. */
static doppel_status append_text(doppel_buf *b, const xmlChar *s, size_t len) {
    const xmlChar *p = s, *end = s + len;
    for (const xmlChar *q; (q = memchr(p, 0xC2, (size_t)(end - p))) && q + 1 < end; p = q + 2) {
        if (q[1] < 0x80 || q[1] >= 0xA0) {
            if (dp_buf_append(b, p, (size_t)(q + 2 - p))) return DOPPEL_ERR_NOMEM;
            continue;
        }
        unsigned c = dp_cp1252(q[1]);
        char u[3] = {(char)(0xE0 | (c >> 12)), (char)(0x80 | ((c >> 6) & 0x3F)),
                     (char)(0x80 | (c & 0x3F))};
        if (c < 0x800) u[0] = (char)(0xC0 | (c >> 6)), u[1] = (char)(0x80 | (c & 0x3F));
        if (dp_buf_append(b, p, (size_t)(q - p)) || dp_buf_append(b, u, c < 0x800 ? 2 : 3))
            return DOPPEL_ERR_NOMEM;
    }
    return dp_buf_append(b, p, (size_t)(end - p));
}

static void on_text(void *ud, const xmlChar *s, int len) {
    builder *bd = ud;
    dp_htree *t = bd->t;
    if (bd->nomem || len <= 0 || t->text.len + (size_t)len >= UINT32_MAX) return;
    dp_hnode *p = &t->n[bd->open];
    dp_hnode *last = p->last ? &t->n[p->last] : NULL;
    /* libxml2 hands text over in pieces (entities, 1000-byte chunks). */
    if (!(last && last->type == DP_HN_TEXT && last->a + last->b == t->text.len)) {
        uint32_t line = (uint32_t)bd->ctxt->input->line;
        for (int i = 0; i < len; i++)
            if (s[i] == '\n' && line > 1) line--;
        uint32_t id = add_node(bd, DP_HN_TEXT, line);
        if (!id) return;
        last = &t->n[id];
        last->a = (uint32_t)t->text.len;
    }
    size_t before = t->text.len;
    if (append_text(&t->text, s, (size_t)len)) {
        bd->nomem = 1;
        xmlStopParser(bd->ctxt);
        return;
    }
    last->b += (uint32_t)(t->text.len - before);
}

static void on_error(void *ud, xmlErrorPtr e) { (void)ud, (void)e; }

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static void init_libxml(void) { xmlInitParser(); }

doppel_status dp_htree_parse(dp_htree *t, const char *s, size_t len) {
    pthread_once(&init_once, init_libxml);
    t->count = 0;
    t->text.len = 0;
    t->errors = 0;
    if (dp_grow((void **)&t->n, &t->cap, 1, sizeof *t->n)) return DOPPEL_ERR_NOMEM;
    t->n[t->count++] = (dp_hnode){.type = DP_HN_DOC, .line = 1};
    if (dp_buf_reserve(&t->text, len + 1)) return DOPPEL_ERR_NOMEM;
    if (len > INT_MAX) len = INT_MAX;
    if (!len) return DOPPEL_OK;
    if (dp_utf8_first_invalid(s, len) < len) {
        t->utf8.len = 0;
        if (dp_utf8_repair(s, len, &t->utf8) == SIZE_MAX) return DOPPEL_ERR_NOMEM;
        s = t->utf8.data;
        len = DP_MIN(t->utf8.len, (size_t)INT_MAX);
    }
    /* libxml2 takes a NUL byte for the end of the page (a spliced crawl
     * left one in an l3s-gn1 page before its article); HTML5 ignores it. */
    if (memchr(s, '\0', len)) {
        if (s != t->utf8.data) {
            t->utf8.len = 0;
            if (dp_buf_append(&t->utf8, s, len)) return DOPPEL_ERR_NOMEM;
        }
        char *o = t->utf8.data;
        for (size_t i = 0; i < len; i++)
            if (t->utf8.data[i]) *o++ = t->utf8.data[i];
        s = t->utf8.data;
        len = (size_t)(o - t->utf8.data);
        if (!len) return DOPPEL_OK;
    }

    htmlParserCtxtPtr c = htmlCreateMemoryParserCtxt(s, (int)len);
    if (!c) return DOPPEL_ERR_NOMEM;
    htmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.startElement = on_start;
    sax.endElement = on_end;
    sax.characters = on_text;
    sax.ignorableWhitespace = on_text;
    sax.serror = on_error;
    sax.initialized = XML_SAX2_MAGIC;  /* so that serror is used */
    xmlSAXHandlerPtr own = c->sax;
    c->sax = (xmlSAXHandlerPtr)&sax;
    builder bd = {.t = t, .ctxt = c};
    c->userData = &bd;
    htmlCtxtUseOptions(c, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                              HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC);
    xmlSwitchEncoding(c, XML_CHAR_ENCODING_UTF8);
    htmlParseDocument(c);
    t->errors = !c->wellFormed;
    c->sax = own;
    if (c->myDoc) xmlFreeDoc(c->myDoc);
    c->myDoc = NULL;
    htmlFreeParserCtxt(c);
    return bd.nomem ? DOPPEL_ERR_NOMEM : DOPPEL_OK;
}

void dp_htree_free(dp_htree *t) {
    dp_free(t->n, t->cap * sizeof *t->n);
    doppel_buf_free(&t->text);
    doppel_buf_free(&t->utf8);
    *t = (dp_htree){0};
}
