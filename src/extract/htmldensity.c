/*
 * htmldensity.c — text, link text and prose per element of a page's tree.
 *
 * Names lie: a theme wraps the whole page in "main_sidebar", a page builder
 * in "widget", ASP.NET in one <form>. Where the prose is does not lie. One
 * pass over the tree adds up, for every element, the visible text in its
 * subtree, the part of it inside links, and "prose": text outside links in
 * runs of at least PROSE_RUN bytes (a sentence; menus and link lists are
 * made of short runs). The reader then keeps any container that holds
 * most of the page's prose, whatever its class, id or tag say.
 *
 * The walk is iterative (parent links), like the reader's, so deep trees
 * cannot overflow the stack; figures live in an array by node number.
 */
#include "extract/htmldensity.h"

#include <stdint.h>
#include <string.h>

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
/* A run with more than one byte in CODE_SHARE of '{', '}', ';', '=' is
 * program text left in the page (a script whose start tag a crawl lost),
 * not prose, however long: JavaScript has 2-3%, prose a ';' now and then. */
#define CODE_SHARE 64

/* Elements whose text a reader never sees. */
static int unseen(const dp_hnode *n) {
    if (n->flags & DP_HF_HIDDEN) return 1;
    switch (n->tag) {
    case DP_T_SCRIPT: case DP_T_STYLE: case DP_T_HEAD: case DP_T_TEMPLATE: case DP_T_SVG:
    case DP_T_MATH: case DP_T_NOSCRIPT: case DP_T_TEXTAREA: case DP_T_SELECT: case DP_T_OBJECT:
    case DP_T_IFRAME: case DP_T_TITLE:
        return 1;
    default:
        return 0;
    }
}

/* Elements that start a new run of text (a new block for a reader). */
static int breaks_run(int t) {
    switch (t) {
    case DP_T_P: case DP_T_DIV: case DP_T_H1: case DP_T_H2: case DP_T_H3: case DP_T_H4:
    case DP_T_H5: case DP_T_H6: case DP_T_LI: case DP_T_DT: case DP_T_DD: case DP_T_BLOCKQUOTE:
    case DP_T_PRE: case DP_T_TD: case DP_T_TH: case DP_T_TR: case DP_T_TABLE: case DP_T_UL:
    case DP_T_OL: case DP_T_DL: case DP_T_SECTION: case DP_T_ARTICLE: case DP_T_MAIN:
    case DP_T_BODY: case DP_T_FIGURE: case DP_T_FIGCAPTION: case DP_T_ADDRESS: case DP_T_HEADER:
    case DP_T_FOOTER: case DP_T_NAV: case DP_T_ASIDE: case DP_T_FORM: case DP_T_CENTER:
    case DP_T_HR: case DP_T_BR:
        return 1;
    default:
        return 0;
    }
}

/* The run being measured, credited to an element still open when it ends. */
typedef struct run {
    uint32_t text, link, code;
} run;

static void end_run(run *r, dp_dstat *to) {
    if (to && r->text >= PROSE_RUN && r->link * 2 <= r->text && (uint64_t)r->code * CODE_SHARE <= r->text)
        to->prose += r->text - r->link;
    r->text = r->link = r->code = 0;
}



static dp_dstat *find(const dp_density *d, uint32_t n) {
    return n && n < d->t->count && d->tab[n].seen ? &d->tab[n] : NULL;
}

/* The bytes of a text node that are not blank; *code: those that are
 * program syntax ('{', '}', ';', '='). */
static uint32_t visible_bytes(const char *s, uint32_t len, uint32_t *code) {
    uint32_t blank = 0, k = 0;
    for (uint32_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        /* ' ', '\t', '\n', '\f', '\r': one test for the bytes above ' ' */
        blank += c <= ' ' && ((1ull << c) & (1ull << ' ' | 1ull << '\t' | 1ull << '\n' |
                                             1ull << '\f' | 1ull << '\r'));
        k += c == '{' || c == '}' || c == ';' || c == '=';
    }
    *code = k;
    return len - blank;
}

/* Beside the article's container, an element that is mostly prose and
 * barely linked is the article's too: a lede or standfirst in an element
 * of its own, a second column of the story (readability looks at the top
 * candidate's siblings the same way). SIBLING_PROSE bytes: one sentence.
 * "Beside" is beside the container or any element between it and the one
 * that won the score before tighten_main narrowed it: in a layout of
 * nested tables the lede sits in a row of an outer table, the story in a
 * cell of an inner one. */
#define ON_PATH 2
#define PATH_PARENT 4
#define SIBLING_PROSE 100
#define SIBLING_AFTER 400

/* Prose in the main element's subtree can still sit around the article: a
 * column of blurbs beside it. While one child of the main element holds
 * TIGHTEN of its prose, the child is the article's container. */
#define TIGHTEN 0.85  /* l3s-gn1 F1 +0.005 against 0.99, cleaneval-dev -0.002; 0.75 cuts ledes */
static void tighten_main(dp_density *d) {
    uint32_t m = d->main;
    d->top = m;
    for (;;) {
        const dp_dstat *s = find(d, m);
        if (!s || !s->prose) break;
        uint32_t next = 0;
        for (uint32_t k = d->t->n[m].first; k && !next; k = d->t->n[k].next) {
            const dp_dstat *c = find(d, k);
            if (c && c->prose >= TIGHTEN * s->prose) next = k;
        }
        if (!next) break;
        m = next;
    }
    d->main = m;
    /* Mark the way down: the elements from the main element up to the one
     * that won the score (ON_PATH), and their parents (PATH_PARENT), for
     * dp_density_beside_main. */
    for (uint32_t a = m; a && d->tab[a].seen; a = d->t->n[a].parent) {
        d->tab[a].seen |= ON_PATH;
        uint32_t p = d->t->n[a].parent;
        if (p && p < d->t->count && d->tab[p].seen) d->tab[p].seen |= PATH_PARENT;
        if (a == d->top) break;
    }
}

doppel_status dp_density_build(dp_density *d, const dp_htree *t) {
    d->t = t;
    if (t->count > d->cap) {
        dp_free(d->tab, d->cap * sizeof *d->tab);
        d->cap = 0;
        d->tab = dp_malloc(t->count * sizeof *d->tab);
        if (!d->tab) return DOPPEL_ERR_NOMEM;
        d->cap = t->count;
    }
    memset(d->tab, 0, t->count * sizeof *d->tab);
    d->total_prose = 0;
    d->main = 0;

    const dp_hnode *N = t->n;
    int in_link = 0;
    run r = {0};
    double best = 0;
    uint32_t n = 0;
    for (;;) {
        int descend = 0;
        const dp_hnode *e = &N[n];
        if (e->type == DP_HN_ELEMENT) {
            if (!unseen(e)) {
                /* The run so far ends inside n's parent, which is open. */
                if (breaks_run(e->tag)) end_run(&r, find(d, e->parent));
                d->tab[n].seen = 1;
                descend = 1;
                in_link += e->tag == DP_T_A;
            }
        } else if (e->type == DP_HN_DOC) {
            descend = 1;
        } else {
            dp_dstat *p = find(d, e->parent);
            if (p) {
                uint32_t code, v = visible_bytes(t->text.data + e->a, e->b, &code);
                p->text += v;
                r.text += v;
                r.code += code;
                if (in_link) {
                    p->link += v;
                    r.link += v;
                }
            }
        }
        if (descend && e->first) {
            n = e->first;
            continue;
        }
        /* Leave n and every ancestor without a next sibling, adding each
         * element's figures into its parent's. */
        for (;;) {
            e = &N[n];
            if (e->type == DP_HN_ELEMENT && !unseen(e)) {
                in_link -= e->tag == DP_T_A;
                dp_dstat *s = find(d, n);
                if (breaks_run(e->tag)) end_run(&r, s);
                if (s) {
                    double score = s->prose - MAIN_ALPHA * (double)(s->text - s->prose);
                    if (score > best) best = score, d->main = n;
                }
                dp_dstat *p = find(d, e->parent);
                if (s && p) {
                    p->text += s->text;
                    p->link += s->link;
                    p->prose += s->prose;
                } else if (s) {
                    d->total_prose += s->prose;
                }
            }
            if (n == 0) goto done;
            if (e->next) {
                n = e->next;
                break;
            }
            n = e->parent;
        }
    }
done:
    tighten_main(d);
    return DOPPEL_OK;
}

const dp_dstat *dp_density_of(const dp_density *d, uint32_t n) { return find(d, n); }

int dp_density_holds_most(const dp_density *d, uint32_t n) {
    const dp_dstat *s = find(d, n);
    if (s && d->total_prose && (uint64_t)s->prose * 2 > d->total_prose) return 1;
    for (uint32_t m = d->main; m; m = d->t->n[m].parent)
        if (m == n) return 1;
    return 0;
}

int dp_density_beside_main(const dp_density *d, uint32_t n) {
    uint32_t m = d->main;
    const dp_hnode *N = d->t->n;
    if (!m || N[n].type != DP_HN_ELEMENT) return 0;
    const dp_dstat *s = find(d, n), *p = find(d, N[n].parent);
    if (!s || !p || (s->seen & ON_PATH) || !(p->seen & PATH_PARENT)) return 0;
    /* Nodes are numbered in document order: a smaller number comes first. */
    size_t need = n < m ? SIBLING_PROSE : SIBLING_AFTER;
    return s && s->prose >= need && (uint64_t)s->prose * 3 >= (uint64_t)s->text * 2 &&
           (uint64_t)s->link * 5 <= s->text;
}

void dp_density_free(dp_density *d) {
    dp_free(d->tab, d->cap * sizeof *d->tab);
    *d = (dp_density){0};
}
