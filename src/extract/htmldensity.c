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

#define PROSE_RUN 40

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

static uint32_t visible_bytes(const char *s) {
    uint32_t n = 0;
    for (; *s; s++) n += !(*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f');
    return n;
}

static GumboVector *children(GumboNode *n) {
    if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE)
        return &n->v.element.children;
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
    GumboNode *n = root;
    for (;;) {
        int descend = 0;
        if (n->type == GUMBO_NODE_ELEMENT) {
            if (!unseen(n->v.element.tag)) {
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
                if (in_link) p->link += v;
                else if (v >= PROSE_RUN) p->prose += v;
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
            if (n->type == GUMBO_NODE_ELEMENT && !unseen(n->v.element.tag)) {
                in_link -= n->v.element.tag == GUMBO_TAG_A;
                dp_dstat *s = find(d, n);
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
    return DOPPEL_OK;
}

const dp_dstat *dp_density_of(const dp_density *d, const GumboNode *n) { return find(d, n); }

int dp_density_holds_most(const dp_density *d, const GumboNode *n) {
    const dp_dstat *s = find(d, n);
    return s && d->total_prose && (uint64_t)s->prose * 2 > d->total_prose;
}

void dp_density_free(dp_density *d) {
    dp_free(d->tab, d->cap * sizeof *d->tab);
    *d = (dp_density){0};
}
