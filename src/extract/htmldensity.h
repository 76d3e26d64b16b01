/*
 * htmldensity.h — where a page's prose is: text, link text and prose per
 * element of a page's tree (htmltree.h), and the element most like the
 * article's container (htmldensity.c). Not installed.
 *
 * The HTML reader asks it before dropping a container for its name
 * (class/id words, <form>, <header>): a container that holds most of the
 * page's prose is the article, whatever its name says.
 */
#ifndef DOPPEL_EXTRACT_HTMLDENSITY_H
#define DOPPEL_EXTRACT_HTMLDENSITY_H

#include "extract/htmltree.h"

/* Bytes (not counting whitespace) in one element's subtree. */
typedef struct dp_dstat {
    uint32_t text;   /* all visible text */
    uint32_t link;   /* text inside <a> */
    uint32_t prose;  /* text outside links in runs long enough to be sentences */
    uint32_t seen;   /* nonzero when measured (a visible element); bits 2 and 4 mark the
                      * way from the article's container up (htmldensity.c) */
} dp_dstat;

typedef struct dp_density {
    const dp_htree *t;
    dp_dstat *tab;        /* by node number */
    size_t cap;
    uint64_t total_prose; /* of the whole document */
    uint32_t main;        /* the element most like the article's container, or 0 */
    uint32_t top;         /* the element that scored best, main or an ancestor of it */
} dp_density;

/* Measure every element of t. Linear in the tree; the table is reused
 * across calls. DOPPEL_ERR_NOMEM when the table cannot grow. */
doppel_status dp_density_build(dp_density *d, const dp_htree *t);
/* The figures of element n, or NULL when n was not measured (inside an
 * element that never shows text: script, style, head, template, ...). */
const dp_dstat *dp_density_of(const dp_density *d, uint32_t n);
/* Does n hold more than half of the page's prose, or the main element? */
int dp_density_holds_most(const dp_density *d, uint32_t n);
/* Is n a sibling of the main element, or of an element between it and
 * the best-scoring one, that is mostly prose (two thirds of its text) with
 * few links (a fifth)? Then it belongs to the article. */
int dp_density_beside_main(const dp_density *d, uint32_t n);
void dp_density_free(dp_density *d);

#endif
