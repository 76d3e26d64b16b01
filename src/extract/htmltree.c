/*
 * htmltree.c — an HTML page into the compact tree of htmltree.h, from the
 * tokens of doppel's own tokenizer (htmltok.c).
 *
 * Why a tree of our own: a DOM costs a malloc per node and per attribute
 * and keeps every attribute. The extractor needs two passes over the page
 * (where the prose is, then the blocks), a few attributes (class, id,
 * hidden, style, and the metadata of <meta>, <link>, <time>) and the text.
 * Here each element is one 32-byte record in an array that is reused from
 * page to page, its class/id/visibility are decided while its attributes
 * are at hand (only those are decoded), and text nodes are byte ranges of
 * one buffer.
 *
 * Tree construction is not HTML5's (no active formatting elements, no
 * foster parenting, no insertion modes beyond the head/body split); its
 * repairs are those libxml2's HTML parser made, which the reader and its
 * figures were tuned on (docs/extraction.md lists the differences):
 * - <html>, <head> and <body> are implied where missing: head-ish tags
 *   (meta, link, title, script, style, base, noscript, template) before the
 *   body go into <head>, anything else or text opens <body>; a second
 *   <html>/<head>/<body> tag, and the end tags of <html> and <body>, are
 *   ignored (HTML5 keeps both open too);
 * - a start tag closes the element it cannot be inside when that is the
 *   current element: <p> by a block start (div, p, ul, table, h1, ...),
 *   <option> by <option>/<optgroup>; <a> closes an open <a> up to the
 *   nearest block; an h1-h6 start does not close an open heading (HTML5
 *   does; libxml2 did not, and an empty <h1> left open around the real
 *   one then gives the page's title); <li>
 *   closes the nearest open <li> and <dd>/<dt> the nearest <dd>/<dt> (as
 *   HTML5: through inline elements, <div>, <p> and <address>, not through
 *   other block elements); <td>/<th> close an open cell and <tr> an open
 *   row of the same table, <tbody>/<thead>/<tfoot> an open section;
 * - an end tag closes the nearest open element of its name and everything
 *   opened inside it, unless one of those ranks higher (div < td, th < tr
 *   < tbody, thead, tfoot < table < head, body < html): then, or when no
 *   such element is open, it is ignored. </p> with no <p> open is an empty
 *   paragraph and </br> a <br>, as in HTML5;
 * - "<x/>" closes x at once for any element (libxml2 did so; HTML5 only
 *   for void elements, which would leave "<div/>" open around the page),
 *   except the raw-text and RCDATA ones;
 * - elements nest MAX_DEPTH deep at most: a page nested deeper is left to
 *   the tag stripper (t->too_deep; htmlbytes.c);
 * - NUL bytes are removed and invalid UTF-8 replaced (U+FFFD) first.
 * The tree's `errors` counts these repairs for the html-repaired flag.
 */
#include "extract/htmltree.h"
#include "extract/htmltok.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

/* ---- tags ---------------------------------------------------------------- */

/* What tree construction needs to know of a name (K_*: the names its rules
 * mention; C_*: classes; prio: rank for end tags). */
enum {
    K_NONE = 0, K_HTML, K_HEAD, K_BODY, K_P, K_LI, K_DDT, K_CELL, K_TR, K_TSECT, K_TABLE,
    K_OPTION, K_OPTGROUP, K_A, K_H, K_BR, K_RAW
};
enum {
    C_VOID = 1,      /* never has content */
    C_HEADISH = 2,   /* belongs in <head> before the body starts */
    C_CLOSES_P = 4,  /* its start tag closes a current <p> */
    C_OPTEND = 8,    /* its end tag may be left out */
    C_SPECIAL = 16,  /* an open <li>/<dd>/<dt> is not closed through it */
};

typedef struct tagdef {
    const char *name;
    uint8_t tag, k, cls, prio;
} tagdef;

#define BLK (C_CLOSES_P | C_SPECIAL)
static const tagdef defs[] = {
    {"a", DP_T_A, K_A, 0, 0}, {"address", DP_T_ADDRESS, 0, C_CLOSES_P, 0},
    {"area", DP_T_OTHER, 0, C_VOID, 0}, {"article", DP_T_ARTICLE, 0, BLK, 0},
    {"aside", DP_T_ASIDE, 0, BLK, 0}, {"audio", DP_T_AUDIO, 0, 0, 0},
    {"base", DP_T_OTHER, 0, C_VOID | C_HEADISH, 0}, {"basefont", DP_T_OTHER, 0, C_VOID, 0},
    {"bgsound", DP_T_OTHER, 0, C_VOID, 0}, {"blockquote", DP_T_BLOCKQUOTE, 0, BLK, 0},
    {"body", DP_T_BODY, K_BODY, C_SPECIAL | C_OPTEND, 6}, {"br", DP_T_BR, K_BR, C_VOID, 0},
    {"button", DP_T_BUTTON, 0, C_SPECIAL, 0}, {"canvas", DP_T_CANVAS, 0, 0, 0},
    {"caption", DP_T_CAPTION, 0, C_SPECIAL | C_OPTEND, 0}, {"center", DP_T_CENTER, 0, BLK, 0},
    {"col", DP_T_OTHER, 0, C_VOID, 0}, {"colgroup", DP_T_OTHER, 0, C_SPECIAL | C_OPTEND, 0},
    {"dd", DP_T_DD, K_DDT, BLK | C_OPTEND, 0}, {"details", DP_T_DETAILS, 0, BLK, 0},
    {"dialog", DP_T_OTHER, 0, BLK, 0}, {"dir", DP_T_OTHER, 0, BLK, 0},
    {"div", DP_T_DIV, 0, C_CLOSES_P, 1}, {"dl", DP_T_DL, 0, BLK, 0},
    {"dt", DP_T_DT, K_DDT, BLK | C_OPTEND, 0}, {"embed", DP_T_EMBED, 0, C_VOID, 0},
    {"fieldset", DP_T_FIELDSET, 0, BLK, 0}, {"figcaption", DP_T_FIGCAPTION, 0, BLK, 0},
    {"figure", DP_T_FIGURE, 0, BLK, 0}, {"footer", DP_T_FOOTER, 0, BLK, 0},
    {"form", DP_T_FORM, 0, BLK, 0}, {"frame", DP_T_OTHER, 0, C_VOID, 0},
    {"h1", DP_T_H1, K_H, BLK, 0}, {"h2", DP_T_H2, K_H, BLK, 0}, {"h3", DP_T_H3, K_H, BLK, 0},
    {"h4", DP_T_H4, K_H, BLK, 0}, {"h5", DP_T_H5, K_H, BLK, 0}, {"h6", DP_T_H6, K_H, BLK, 0},
    {"head", DP_T_HEAD, K_HEAD, C_SPECIAL | C_OPTEND, 6}, {"header", DP_T_HEADER, 0, BLK, 0},
    {"hgroup", DP_T_HGROUP, 0, BLK, 0}, {"hr", DP_T_HR, 0, C_VOID | BLK, 0},
    {"html", DP_T_HTML, K_HTML, C_SPECIAL | C_OPTEND, 7}, {"iframe", DP_T_IFRAME, 0, C_SPECIAL, 0},
    {"img", DP_T_IMG, 0, C_VOID, 0}, {"input", DP_T_OTHER, 0, C_VOID, 0},
    {"keygen", DP_T_OTHER, 0, C_VOID, 0}, {"legend", DP_T_LEGEND, 0, C_SPECIAL, 0},
    {"li", DP_T_LI, K_LI, BLK | C_OPTEND, 0}, {"link", DP_T_LINK, 0, C_VOID | C_HEADISH, 0},
    {"listing", DP_T_OTHER, 0, BLK, 0}, {"main", DP_T_MAIN, 0, BLK, 0},
    {"math", DP_T_MATH, 0, 0, 0}, {"menu", DP_T_MENU, 0, BLK, 0},
    {"meta", DP_T_META, 0, C_VOID | C_HEADISH, 0}, {"nav", DP_T_NAV, 0, BLK, 0},
    {"noscript", DP_T_NOSCRIPT, 0, C_HEADISH | C_SPECIAL, 0},
    {"object", DP_T_OBJECT, 0, C_SPECIAL, 0}, {"ol", DP_T_OL, 0, BLK, 0},
    {"optgroup", DP_T_OTHER, K_OPTGROUP, C_OPTEND, 0}, {"option", DP_T_OTHER, K_OPTION, C_OPTEND, 0},
    {"p", DP_T_P, K_P, C_CLOSES_P | C_OPTEND, 0}, {"param", DP_T_OTHER, 0, C_VOID, 0},
    {"plaintext", DP_T_OTHER, 0, BLK, 0}, {"pre", DP_T_PRE, 0, BLK, 0},
    {"script", DP_T_SCRIPT, K_RAW, C_HEADISH | C_SPECIAL, 0}, {"section", DP_T_SECTION, 0, BLK, 0},
    {"select", DP_T_SELECT, 0, C_SPECIAL, 0}, {"source", DP_T_OTHER, 0, C_VOID, 0},
    {"style", DP_T_STYLE, K_RAW, C_HEADISH | C_SPECIAL, 0}, {"summary", DP_T_SUMMARY, 0, BLK, 0},
    {"svg", DP_T_SVG, 0, 0, 0}, {"table", DP_T_TABLE, K_TABLE, BLK, 5},
    {"tbody", DP_T_OTHER, K_TSECT, C_SPECIAL | C_OPTEND, 4}, {"td", DP_T_TD, K_CELL, C_SPECIAL | C_OPTEND, 2},
    {"template", DP_T_TEMPLATE, 0, C_HEADISH | C_SPECIAL, 0},
    {"textarea", DP_T_TEXTAREA, K_RAW, C_SPECIAL, 0}, {"tfoot", DP_T_OTHER, K_TSECT, C_SPECIAL | C_OPTEND, 4},
    {"th", DP_T_TH, K_CELL, C_SPECIAL | C_OPTEND, 2}, {"thead", DP_T_OTHER, K_TSECT, C_SPECIAL | C_OPTEND, 4},
    {"time", DP_T_TIME, 0, 0, 0}, {"title", DP_T_TITLE, K_RAW, C_HEADISH | C_SPECIAL, 0},
    {"tr", DP_T_TR, K_TR, C_SPECIAL | C_OPTEND, 3}, {"track", DP_T_OTHER, 0, C_VOID, 0},
    {"ul", DP_T_UL, 0, BLK, 0}, {"video", DP_T_VIDEO, 0, 0, 0}, {"wbr", DP_T_OTHER, 0, C_VOID, 0},
    {"xmp", DP_T_OTHER, 0, BLK, 0}};
#undef BLK
#define NDEFS (sizeof defs / sizeof defs[0])

/* Names by hash, open addressing; built once. */
#define SLOTS 512
static uint8_t slot[SLOTS];  /* index into defs + 1, 0 = empty */

static uint32_t name_hash(const char *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z') c += 32;
        h = (h ^ c) * 16777619u;
    }
    return h;
}

static void build_slots(void) {
    for (size_t i = 0; i < NDEFS; i++) {
        uint32_t h = name_hash(defs[i].name, strlen(defs[i].name)) % SLOTS;
        while (slot[h]) h = (h + 1) % SLOTS;
        slot[h] = (uint8_t)(i + 1);
    }
}

/* The definition of name[0..n) in any case, or NULL; *key identifies the
 * name for matching end tags (its index for a known name, a hash with the
 * top bit set for any other). */
static const tagdef *lookup(const char *name, size_t n, uint32_t *key) {
    if (n > 10) {  /* no known name is longer */
        *key = name_hash(name, n) | 0x80000000u;
        return NULL;
    }
    char low[10];
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c >= 'A' && c <= 'Z') c += 32;
        low[i] = (char)c;
        h = (h ^ c) * 16777619u;
    }
    for (uint32_t i = h % SLOTS; slot[i]; i = (i + 1) % SLOTS) {
        const tagdef *d = &defs[slot[i] - 1];
        if (!strncmp(d->name, low, n) && !d->name[n]) {
            *key = slot[i];
            return d;
        }
    }
    *key = h | 0x80000000u;
    return NULL;
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
 * attribute also names it as content ("sidebar-content"), except a name
 * ending in a comment word (thread_words: "post-comments"). */
static const char *const chrome_words[] = {
    "sidebar", "comments", "comment", "share", "sharing", "social", "related", "breadcrumb",
    "breadcrumbs", "cookie", "cookies", "newsletter", "promo", "advert", "advertisement",
    "ads", "banner", "popup", "modal", "subscribe", "subscription", "navbar", "menu",
    "masthead", "recommended", "trending", "widget", "caption", "credit", "credits", NULL};
static const char *const content_words[] = {
    "article", "content", "post", "entry", "story", "body", "main", "text", NULL};
/* Words of a comment thread. A class or id whose last word is one of
 * them names comments whatever precedes it ("story-comments",
 * "entry-comments", camel case "readerComments": the comments of the
 * story), while one where a word follows is a part of a comment
 * ("comments-body", "comment-text") and goes by the lists above. A word
 * run together in lower case ("newscomments") is not split: CleanEval's
 * gold keeps such a thread (cleaneval-dev 27). */
static const char *const thread_words[] = {
    "comment", "comments", "disqus", "respond", "reply", "replies", NULL};

/* Word lengths of the lists above, set once (init_tables). */
static uint8_t chrome_len[sizeof chrome_words / sizeof chrome_words[0]];
static uint8_t content_len[sizeof content_words / sizeof content_words[0]];
static uint8_t thread_len[sizeof thread_words / sizeof thread_words[0]];

static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static void init_tables(void) {
    build_slots();
    for (size_t i = 0; chrome_words[i]; i++) chrome_len[i] = (uint8_t)strlen(chrome_words[i]);
    for (size_t i = 0; content_words[i]; i++) content_len[i] = (uint8_t)strlen(content_words[i]);
    for (size_t i = 0; thread_words[i]; i++) thread_len[i] = (uint8_t)strlen(thread_words[i]);
}

static int attr_has_word(const char *v, const char *const *list) {
    const uint8_t *lens = list == chrome_words ? chrome_len : content_len;
    while (*v) {
        while (*v == ' ' || *v == '-' || *v == '_') v++;
        const char *e = v;
        while (*e && *e != ' ' && *e != '-' && *e != '_') e++;
        size_t n = (size_t)(e - v);
        if (n >= 3 && n <= 13)  /* the lists' shortest and longest words */
            for (int i = 0; list[i]; i++)
                if (lens[i] == n && !strncasecmp(v, list[i], n)) return 1;
        v = e;
    }
    return 0;
}

/* Whether a space-separated name of v ends with a word of thread_words,
 * after '-', '_' or a lower-to-upper case step. */
static int attr_ends_thread(const char *v) {
    while (*v) {
        while (*v == ' ') v++;
        const char *e = v, *last = v;
        for (; *e && *e != ' '; e++)
            if (*e == '-' || *e == '_') last = e + 1;
        size_t n = (size_t)(e - last);
        if (n >= 5)
            for (int i = 0; thread_words[i]; i++) {
                size_t m = thread_len[i];
                const char *w = e - m;
                if (m > n || strncasecmp(w, thread_words[i], m)) continue;
                if (m == n || (w[0] >= 'A' && w[0] <= 'Z' && w[-1] >= 'a' && w[-1] <= 'z')) return 1;
            }
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

/* Elements open at once, at most (with the document's entry). A page
 * nested deeper is not read as a tree (t->too_deep): its structure means
 * nothing, and an end tag's search for its element would grow with the
 * depth. */
#define MAX_DEPTH 1000
#define MAX_OPEN (MAX_DEPTH + 1)

typedef struct dp_hopen {
    uint32_t id, key;
    uint8_t k, cls, prio;
} dp_hopen;

typedef struct builder {
    dp_htree *t;
    const char *s;     /* the input */
    size_t lpos;       /* s[0..lpos) has been counted into line */
    uint32_t line;
    dp_hopen *open;    /* open elements, the document's at 0 */
    size_t depth;
    int head_seen, body_seen;
    long errors;
    int nomem, too_deep;
} builder;

static uint32_t line_at(builder *bd, size_t pos) {
    const char *p = bd->s + bd->lpos, *end = bd->s + pos;
    while ((p = memchr(p, '\n', (size_t)(end - p)))) p++, bd->line++;
    bd->lpos = pos;
    return bd->line;
}

static uint32_t add_node(builder *bd, int type, uint32_t line) {
    dp_htree *t = bd->t;
    if (bd->nomem) return 0;
    if (t->count >= UINT32_MAX ||
        (t->count == t->cap &&
         dp_grow((void **)&t->n, &t->cap, t->count + 1, sizeof *t->n))) {
        bd->nomem = 1;
        return 0;
    }
    uint32_t id = (uint32_t)t->count++, parent = bd->open[bd->depth - 1].id;
    dp_hnode *p = &t->n[parent];
    t->n[id] = (dp_hnode){.parent = parent, .line = line, .type = (uint8_t)type};
    if (p->last) t->n[p->last].next = id;
    else p->first = id;
    p->last = id;
    return id;
}

/* Add an element (tag d, or DP_T_OTHER) and open it unless it is void. */
static uint32_t open_el(builder *bd, const tagdef *d, uint32_t key, uint32_t line, int open) {
    uint32_t id = add_node(bd, DP_HN_ELEMENT, line);
    if (!id) return 0;
    bd->t->n[id].tag = d ? d->tag : DP_T_OTHER;
    if (!open || (d && (d->cls & C_VOID))) return id;
    if (bd->depth == MAX_OPEN) {
        bd->too_deep = 1;
        return 0;
    }
    bd->open[bd->depth++] = (dp_hopen){.id = id, .key = key, .k = d ? d->k : 0,
                                           .cls = d ? d->cls : 0, .prio = d ? d->prio : 0};
    return id;
}

static const tagdef *def_of(const char *name, uint32_t *key) { return lookup(name, strlen(name), key); }

static void open_implied(builder *bd, const char *name, size_t pos) {
    uint32_t key;
    const tagdef *d = def_of(name, &key);
    open_el(bd, d, key, line_at(bd, pos), 1);
    if (d->k == K_HEAD) bd->head_seen = 1;
    if (d->k == K_BODY) bd->body_seen = 1;
}

static int top_k(const builder *bd) { return bd->open[bd->depth - 1].k; }

/* Where <head> is in the stack of open elements; 0 when it is not open. */
static size_t head_open(const builder *bd) {
    for (size_t i = 1; i < bd->depth && i < 3; i++)
        if (bd->open[i].k == K_HEAD) return i;
    return 0;
}

/* Close the element at open[i] and all opened inside it. */
static void close_to(builder *bd, size_t i) {
    for (size_t j = i + 1; j < bd->depth; j++)
        if (!(bd->open[j].cls & C_OPTEND)) bd->errors++;
    bd->depth = i;
}

/* Close the nearest open element with k in {k1, k2}, searching down from the
 * current one and stopping at an element of `stop` class or with k in stops. */
static void close_nearest(builder *bd, int k1, int k2, int stop_cls, const int *stops) {
    for (size_t i = bd->depth - 1; i > 0; i--) {
        int k = bd->open[i].k;
        if (k == k1 || k == k2) {
            close_to(bd, i);
            return;
        }
        if (bd->open[i].cls & stop_cls) return;
        for (const int *s = stops; s && *s; s++)
            if (k == *s) return;
    }
}

/* The attributes the reader looks at; the others are never decoded. */
static const char *const wanted[] = {"class", "id", "style", "hidden", "aria-hidden", "property",
                                     "name", "itemprop", "content", "rel", "datetime", "href"};
enum { NWANT = sizeof wanted / sizeof wanted[0], W_HREF = NWANT - 1 };

static const uint8_t wanted_len[NWANT] = {5, 2, 5, 6, 11, 8, 4, 8, 7, 3, 8, 4};

static int wanted_attr(const char *a, size_t n) {
    for (int i = 0; i < NWANT; i++)
        if (wanted_len[i] == n && wanted[i][0] == (a[0] | 32) && !strncasecmp(wanted[i], a, n))
            return i;
    return -1;
}

/* Keep a NUL-terminated value; its offset + 1, or 0. */
static uint32_t keep_str(builder *bd, const char *v) {
    doppel_buf *b = &bd->t->text;
    size_t n = strlen(v);
    if (bd->nomem || b->len + n + 1 >= UINT32_MAX) return 0;
    uint32_t off = (uint32_t)b->len + 1;
    if (dp_buf_append(b, v, n + 1)) {
        bd->nomem = 1;
        return 0;
    }
    return off;
}

/* Visibility, chrome name and metadata of element id from its attributes
 * (names lower case, values decoded; a bare attribute's value is NULL). */
static void apply_attrs(builder *bd, uint32_t id, const char *const *names,
                        const char *const *vals, size_t na) {
    uint8_t tag = bd->t->n[id].tag, flags = 0;
    const char *key = NULL, *val = NULL, *pick[3] = {NULL, NULL, NULL};
    for (size_t i = 0; i < na; i++) {
        const char *an = names[i], *av = vals[i];
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
                ((attr_has_word(av, chrome_words) && !attr_has_word(av, content_words)) ||
                 attr_ends_thread(av)))
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
    uint32_t a = key ? keep_str(bd, key) : 0, b = val ? keep_str(bd, val) : 0;
    dp_hnode *n = &bd->t->n[id];
    n->flags = flags;
    n->a = a;
    n->b = b;
}

/* Decode the wanted attributes of at[] (the first of a name wins, as in
 * libxml2 and HTML5) and apply them to element id. */
static int read_attrs(builder *bd, uint32_t id, const dp_htok_attr *at, size_t nat) {
    const char *names[NWANT], *vals[NWANT];
    size_t off[NWANT], na = 0;
    unsigned seen = 0;
    doppel_buf *ab = &bd->t->abuf;
    ab->len = 0;
    for (size_t i = 0; i < nat; i++) {
        int w = wanted_attr(at[i].name, at[i].nlen);
        if (w < 0 || (seen >> w & 1u) || (w == W_HREF && bd->t->n[id].tag != DP_T_LINK)) continue;
        seen |= 1u << w;
        names[na] = wanted[w];
        off[na] = at[i].has_val ? ab->len : SIZE_MAX;
        if (at[i].has_val &&
            (dp_htok_decode(ab, at[i].val, at[i].vlen, 1) || dp_buf_putc(ab, '\0')))
            return -1;
        na++;
    }
    if (!na) return 0;
    for (size_t i = 0; i < na; i++) vals[i] = off[i] == SIZE_MAX ? NULL : ab->data + off[i];
    apply_attrs(bd, id, names, vals, na);
    return bd->nomem ? -1 : 0;
}

/* Open the implied <html>, <head> or <body> a tag of class cls and K k (or
 * text: k = -1) needs, and leave <head> when it starts the body. Returns 0
 * when the tag is to be ignored (a second <html>, <head> or <body>). */
static int place(builder *bd, int k, int cls, size_t pos) {
    if (k == K_HTML) return bd->depth == 1;
    if (bd->depth == 1) open_implied(bd, "html", pos);
    if (k == K_HEAD) return !bd->head_seen && !bd->body_seen && top_k(bd) == K_HTML;
    if (k >= 0 && (cls & C_HEADISH) && k != K_BODY) {
        if (top_k(bd) == K_HTML && !bd->head_seen && !bd->body_seen) open_implied(bd, "head", pos);
        return 1;
    }
    /* The body starts: <head> closes with whatever is open in it (a
     * <noscript> there holding "<body>", as a page writing its <body> tag
     * from a script does). */
    size_t h = head_open(bd);
    if (h) bd->depth = h;
    if (k == K_BODY) {
        if (bd->body_seen) return 0;
        while (bd->depth > 2 && top_k(bd) != K_HTML) bd->depth--;  /* <noscript><body> */
        return 1;
    }
    if (top_k(bd) == K_HTML && !bd->body_seen) open_implied(bd, "body", pos);
    return 1;
}

static const int cell_stops[] = {K_TR, K_TSECT, K_TABLE, K_HTML, 0};
static const int row_stops[] = {K_TSECT, K_TABLE, K_HTML, 0};
static const int sect_stops[] = {K_TABLE, K_HTML, 0};

static int on_start(void *ud, const char *name, size_t n, const dp_htok_attr *at, size_t nat,
                    int self_closing, size_t pos) {
    builder *bd = ud;
    uint32_t key;
    const tagdef *d = lookup(name, n, &key);
    int k = d ? d->k : K_NONE, cls = d ? d->cls : 0;
    if (!place(bd, k, cls, pos)) {
        bd->errors++;
        return bd->nomem ? -1 : 0;
    }
    for (int tk; bd->depth > 1; bd->depth--) {
        tk = top_k(bd);
        if (!((tk == K_P && (cls & C_CLOSES_P)) ||
              (tk == K_OPTION && (k == K_OPTION || k == K_OPTGROUP)) ||
              (tk == K_OPTGROUP && k == K_OPTGROUP)))
            break;
    }
    switch (k) {
    case K_LI: close_nearest(bd, K_LI, K_LI, C_SPECIAL, NULL); break;
    case K_DDT: close_nearest(bd, K_DDT, K_DDT, C_SPECIAL, NULL); break;
    case K_CELL: close_nearest(bd, K_CELL, K_CELL, 0, cell_stops); break;
    case K_TR: close_nearest(bd, K_TR, K_TR, 0, row_stops); break;
    case K_TSECT: close_nearest(bd, K_TSECT, K_TSECT, 0, sect_stops); break;
    case K_A: close_nearest(bd, K_A, K_A, C_SPECIAL | C_CLOSES_P, NULL); break;
    default: break;
    }
    uint32_t id = open_el(bd, d, key, line_at(bd, pos), !self_closing || k == K_RAW);
    if (!id) return -1;
    if (k == K_HEAD) bd->head_seen = 1;
    if (k == K_BODY) bd->body_seen = 1;
    return nat ? read_attrs(bd, id, at, nat) : 0;
}

static int on_end(void *ud, const char *name, size_t n, size_t pos, int implied) {
    builder *bd = ud;
    uint32_t key;
    const tagdef *d = lookup(name, n, &key);
    int k = d ? d->k : K_NONE;
    (void)implied;  /* counted by the tokenizer */
    if (k == K_HTML || k == K_BODY) return 0;  /* both stay open, as in HTML5 */
    if (k == K_HEAD) {
        if (top_k(bd) == K_HEAD) bd->depth--;
        return 0;
    }
    if (k == K_BR) return on_start(ud, name, n, NULL, 0, 1, pos);
    uint8_t prio = d ? d->prio : 0;
    for (size_t i = bd->depth - 1; i > 0; i--) {
        if (bd->open[i].key == key) {
            close_to(bd, i);
            return 0;
        }
        if (bd->open[i].prio > prio) break;
    }
    bd->errors++;
    if (k == K_P) return on_start(ud, name, n, NULL, 0, 1, pos);  /* an empty paragraph */
    return 0;
}

static int is_blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!(s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r' || s[i] == '\f')) return 0;
    return 1;
}

static int on_text(void *ud, const char *s, size_t n, size_t pos) {
    builder *bd = ud;
    dp_htree *t = bd->t;
    if (top_k(bd) != K_RAW && (bd->depth == 1 || top_k(bd) == K_HTML || head_open(bd))) {
        if (is_blank(s, n)) return 0;  /* between <html>, <head> and <body> */
        place(bd, -1, 0, pos);
        if (bd->nomem) return -1;
    }
    if (t->text.len + n >= UINT32_MAX) return 0;
    dp_hnode *p = &t->n[bd->open[bd->depth - 1].id];
    dp_hnode *last = p->last ? &t->n[p->last] : NULL;
    /* Text around a comment or an ignored tag continues the same node. */
    if (!(last && last->type == DP_HN_TEXT && last->a + last->b == t->text.len)) {
        uint32_t id = add_node(bd, DP_HN_TEXT, line_at(bd, pos));
        if (!id) return -1;
        last = &t->n[id];
        last->a = (uint32_t)t->text.len;
    }
    size_t before = t->text.len;
    if (dp_htok_decode(&t->text, s, n, 0)) {
        bd->nomem = 1;
        return -1;
    }
    last->b += (uint32_t)(t->text.len - before);
    return 0;
}

doppel_status dp_htree_parse(dp_htree *t, const char *s, size_t len) {
    pthread_once(&tables_once, init_tables);
    t->count = 0;
    t->text.len = 0;
    t->errors = t->too_deep = 0;
    if (dp_grow((void **)&t->n, &t->cap, 1, sizeof *t->n)) return DOPPEL_ERR_NOMEM;
    t->n[t->count++] = (dp_hnode){.type = DP_HN_DOC, .line = 1};
    if (dp_buf_reserve(&t->text, len + 1)) return DOPPEL_ERR_NOMEM;
    if (!t->open && !(t->open = dp_malloc(MAX_OPEN * sizeof *t->open))) return DOPPEL_ERR_NOMEM;
    if (len > INT_MAX) len = INT_MAX;
    if (!len) return DOPPEL_OK;
    if (dp_utf8_first_invalid(s, len) < len) {
        t->utf8.len = 0;
        if (dp_utf8_repair(s, len, &t->utf8) == SIZE_MAX) return DOPPEL_ERR_NOMEM;
        s = t->utf8.data;
        len = DP_MIN(t->utf8.len, (size_t)INT_MAX);
    }
    /* NUL bytes are dropped, as HTML5 does in text (a spliced crawl left
     * one in an l3s-gn1 page before its article). */
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
    builder bd = {.t = t, .s = s, .line = 1, .open = t->open, .depth = 1};
    bd.open[0] = (dp_hopen){0};
    dp_htok_sink sink = {.ud = &bd, .start = on_start, .end = on_end, .text = on_text};
    long repairs = dp_htok_run(s, len, &sink);
    if (bd.too_deep) {
        t->too_deep = 1;
        return DOPPEL_OK;
    }
    if (repairs < 0 || bd.nomem) return DOPPEL_ERR_NOMEM;
    for (size_t i = 1; i < bd.depth; i++)
        if (!(bd.open[i].cls & C_OPTEND)) bd.errors++;
    t->errors = repairs + bd.errors > 0;
    return DOPPEL_OK;
}

void dp_htree_free(dp_htree *t) {
    dp_free(t->n, t->cap * sizeof *t->n);
    if (t->open) dp_free(t->open, MAX_OPEN * sizeof *t->open);
    doppel_buf_free(&t->text);
    doppel_buf_free(&t->utf8);
    doppel_buf_free(&t->abuf);
    *t = (dp_htree){0};
}
