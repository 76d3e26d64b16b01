/*
 * htmldensity.c — text, link text and prose per element of a gumbo tree.
 *
 * Names lie: a theme wraps the whole page in "main_sidebar", a page builder
 * in "widget", ASP.NET in one <form>. Where the prose is does not lie. One
 * pass over the tree adds up, for every element, the visible text in its
 * subtree, the part of it inside links, and "prose": text outside links in
 * runs of at least PROSE_RUN bytes (a sentence; menus and link lists are
 * made of short runs). The reader then keeps any container that holds
 * most of the page's prose, whatever its class, id or tag say.
 *
 * The walk is iterative with parent pointers, like the reader's, so deep
 * trees cannot overflow the stack; figures live in a hash table keyed by
 * node address, which gumbo gives no room for in the node itself.
 */
#include "extract/htmldensity.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

/* A run of text between two block boundaries is prose when it is at least
 * PROSE_RUN bytes and at most half of it is link text: a paragraph with
 * inline links still is, a menu item or a list of links is not. */
#define PROSE_RUN 60
/* The article's container is the element that maximizes its prose minus
 * MAIN_ALPHA times its other text (menus, link lists, short labels): the
 * body holds all the prose but all the chrome too, a paragraph holds
 * little of either. 0.25 on l3s-gn1 and cleaneval-dev: 0.1 keeps too much
 * chrome, 0.5 and above starts to cut articles laid out in short runs. */
#define MAIN_ALPHA 0.25

static size_t slot_of(const GumboNode *n, size_t mask) {
    uint64_t h = (uint64_t)(uintptr_t)n * 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 32) & mask;
}

static dp_dstat *find(const dp_density *d, const GumboNode *n) {
    if (!d->cap) return NULL;
    size_t mask = d->cap - 1;
    for (size_t k = slot_of(n, mask);; k = (k + 1) & mask) {
        if (d->tab[k].node == n) return &d->tab[k];
        if (!d->tab[k].node) return NULL;
    }
}

static dp_dstat *insert(dp_density *d, const GumboNode *n) {
    size_t mask = d->cap - 1;
    size_t k = slot_of(n, mask);
    while (d->tab[k].node && d->tab[k].node != n) k = (k + 1) & mask;
    if (!d->tab[k].node) {
        d->tab[k] = (dp_dstat){.node = n};
        d->used++;
    }
    return &d->tab[k];
}

/* Elements whose text a reader never sees. */
static int unseen(GumboTag t) {
    switch (t) {
    case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_HEAD: case GUMBO_TAG_TEMPLATE:
    case GUMBO_TAG_SVG: case GUMBO_TAG_MATH: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TEXTAREA:
    case GUMBO_TAG_SELECT: case GUMBO_TAG_OBJECT: case GUMBO_TAG_IFRAME: case GUMBO_TAG_TITLE:
        return 1;
    default:
        return 0;
    }
}

/* Elements that start a new run of text (a new block for a reader). */
static int breaks_run(GumboTag t) {
    switch (t) {
    case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_H1: case GUMBO_TAG_H2:
    case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
    case GUMBO_TAG_LI: case GUMBO_TAG_DT: case GUMBO_TAG_DD: case GUMBO_TAG_BLOCKQUOTE:
    case GUMBO_TAG_PRE: case GUMBO_TAG_TD: case GUMBO_TAG_TH: case GUMBO_TAG_TR:
    case GUMBO_TAG_TABLE: case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_DL:
    case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_MAIN: case GUMBO_TAG_BODY:
    case GUMBO_TAG_FIGURE: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_ADDRESS:
    case GUMBO_TAG_HEADER: case GUMBO_TAG_FOOTER: case GUMBO_TAG_NAV: case GUMBO_TAG_ASIDE:
    case GUMBO_TAG_FORM: case GUMBO_TAG_CENTER: case GUMBO_TAG_HR: case GUMBO_TAG_BR:
        return 1;
    default:
        return 0;
    }
}

/* The run being measured, credited to an element still open when it ends. */
typedef struct run {
    uint32_t text, link;
} run;

static void end_run(run *r, dp_dstat *to) {
    if (to && r->text >= PROSE_RUN && r->link * 2 <= r->text) to->prose += r->text - r->link;
    r->text = r->link = 0;
}

int dp_html_hidden(const GumboElement *el) {
    if (gumbo_get_attribute(&el->attributes, "hidden")) return 1;
    const GumboAttribute *a = gumbo_get_attribute(&el->attributes, "aria-hidden");
    if (a && !strcasecmp(a->value, "true")) return 1;
    a = gumbo_get_attribute(&el->attributes, "style");
    if (!a) return 0;
    /* "display: none" / "visibility:hidden", any case and spacing. */
    for (const char *p = a->value; *p; p++) {
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

static uint32_t visible_bytes(const char *s) {
    uint32_t n = 0;
    for (; *s; s++) n += !(*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f');
    return n;
}

static GumboVector *children(GumboNode *n) {
    if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE)
        return &n->v.element.children;  /* a template's are never walked (descend = 0) */
    if (n->type == GUMBO_NODE_DOCUMENT) return &n->v.document.children;
    return NULL;
}

/* Count the elements under root, to size the table once. */
static size_t count_elements(GumboNode *root) {
    size_t count = 0;
    GumboNode *n = root;
    for (;;) {
        GumboVector *kids = children(n);
        if (n->type == GUMBO_NODE_ELEMENT) count++;
        if (kids && kids->length) {
            n = kids->data[0];
            continue;
        }
        for (;;) {
            if (n == root) return count;
            GumboNode *p = n->parent;
            GumboVector *sib = children(p);
            size_t next = n->index_within_parent + 1;
            if (next < sib->length) {
                n = sib->data[next];
                break;
            }
            n = p;
        }
    }
}

/* Beside the article's container, an element that is mostly prose and
 * barely linked is the article's too: a lede or standfirst in an element
 * of its own, a second column of the story (readability looks at the top
 * candidate's siblings the same way). SIBLING_PROSE bytes: one sentence. */
#define SIBLING_PROSE 100
#define SIBLING_AFTER 400

/* Prose in the main element's subtree can still sit around the article: a
 * column of blurbs beside it. While one child of the main element holds
 * TIGHTEN of its prose, the child is the article's container. */
#define TIGHTEN 0.85  /* l3s-gn1 F1 +0.005 against 0.99, cleaneval-dev -0.002; 0.75 cuts ledes */
static void tighten_main(dp_density *d) {
    const GumboNode *m = d->main;
    for (;;) {
        const dp_dstat *s = m ? find(d, m) : NULL;
        if (!s || !s->prose || m->type != GUMBO_NODE_ELEMENT) break;
        const GumboVector *kids = &m->v.element.children;
        const GumboNode *next = NULL;
        for (unsigned i = 0; i < kids->length && !next; i++) {
            const dp_dstat *c = find(d, kids->data[i]);
            if (c && c->prose >= TIGHTEN * s->prose) next = kids->data[i];
        }
        if (!next) break;
        m = next;
    }
    d->main = m;
}

doppel_status dp_density_build(dp_density *d, GumboNode *root) {
    size_t need = 16;
    size_t elements = count_elements(root);
    while (need < elements * 2) need *= 2;
    if (need > d->cap) {
        dp_free(d->tab, d->cap * sizeof *d->tab);
        d->cap = 0;
        d->tab = dp_malloc(need * sizeof *d->tab);
        if (!d->tab) return DOPPEL_ERR_NOMEM;
        d->cap = need;
    }
    memset(d->tab, 0, d->cap * sizeof *d->tab);
    d->used = 0;
    d->total_prose = 0;

    int in_link = 0;
    run r = {0};
    double best = 0;
    d->main = NULL;
    GumboNode *n = root;
    for (;;) {
        int descend = 0;
        if (n->type == GUMBO_NODE_ELEMENT) {
            if (!unseen(n->v.element.tag) && !dp_html_hidden(&n->v.element)) {
                /* The run so far ends inside n's parent, which is open. */
                if (breaks_run(n->v.element.tag) && n->parent) end_run(&r, find(d, n->parent));
                insert(d, n);
                descend = 1;
                in_link += n->v.element.tag == GUMBO_TAG_A;
            }
        } else if (n->type == GUMBO_NODE_DOCUMENT) {
            descend = 1;
        } else if ((n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA) && n->parent) {
            dp_dstat *p = find(d, n->parent);
            if (p) {
                uint32_t v = visible_bytes(n->v.text.text);
                p->text += v;
                r.text += v;
                if (in_link) {
                    p->link += v;
                    r.link += v;
                }
            }
        }
        GumboVector *kids = children(n);
        if (descend && kids && kids->length) {
            n = kids->data[0];
            continue;
        }
        /* Leave n and every ancestor without a next sibling, adding each
         * element's figures into its parent's. */
        for (;;) {
            if (n->type == GUMBO_NODE_ELEMENT && !unseen(n->v.element.tag) &&
                !dp_html_hidden(&n->v.element)) {
                in_link -= n->v.element.tag == GUMBO_TAG_A;
                dp_dstat *s = find(d, n);
                if (breaks_run(n->v.element.tag)) end_run(&r, s);
                if (s) {
                    double score = s->prose - MAIN_ALPHA * (double)(s->text - s->prose);
                    if (score > best) best = score, d->main = n;
                }
                dp_dstat *p = n->parent ? find(d, n->parent) : NULL;
                if (s && p) {
                    p->text += s->text;
                    p->link += s->link;
                    p->prose += s->prose;
                } else if (s) {
                    d->total_prose += s->prose;
                }
            }
            if (n == root) goto done;
            GumboNode *p = n->parent;
            GumboVector *sib = children(p);
            size_t next = n->index_within_parent + 1;
            if (next < sib->length) {
                n = sib->data[next];
                break;
            }
            n = p;
        }
    }
done:
    tighten_main(d);
    return DOPPEL_OK;
}

const dp_dstat *dp_density_of(const dp_density *d, const GumboNode *n) { return find(d, n); }

int dp_density_holds_most(const dp_density *d, const GumboNode *n) {
    const dp_dstat *s = find(d, n);
    if (s && d->total_prose && (uint64_t)s->prose * 2 > d->total_prose) return 1;
    for (const GumboNode *m = d->main; m; m = m->parent)
        if (m == n) return 1;
    return 0;
}

int dp_density_beside_main(const dp_density *d, const GumboNode *n) {
    const GumboNode *m = d->main;
    if (!m || n == m || n->parent != m->parent || n->type != GUMBO_NODE_ELEMENT) return 0;
    const dp_dstat *s = find(d, n);
    size_t need = n->index_within_parent < m->index_within_parent ? SIBLING_PROSE : SIBLING_AFTER;
    return s && s->prose >= need && (uint64_t)s->prose * 3 >= (uint64_t)s->text * 2 &&
           (uint64_t)s->link * 5 <= s->text;
}

void dp_density_free(dp_density *d) {
    dp_free(d->tab, d->cap * sizeof *d->tab);
    *d = (dp_density){0};
}
