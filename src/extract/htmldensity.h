/*
 * htmldensity.h — where a page's prose is: text, link text and prose per
 * element of a parsed HTML tree (htmldensity.c). Not installed.
 *
 * The HTML reader asks it before dropping a container for its name
 * (class/id words, <form>, <header>, hidden): a container that holds most
 * of the page's prose is the article, whatever its name says.
 */
#ifndef DOPPEL_EXTRACT_HTMLDENSITY_H
#define DOPPEL_EXTRACT_HTMLDENSITY_H

#include "extract/extract_int.h"

#include <gumbo.h>

/* Bytes (not counting whitespace) in one element's subtree. */
typedef struct dp_dstat {
    const GumboNode *node;
    uint32_t text;   /* all visible text */
    uint32_t link;   /* text inside <a> */
    uint32_t prose;  /* text outside links in runs long enough to be sentences */
} dp_dstat;

typedef struct dp_density {
    dp_dstat *tab;        /* open addressing by node address; cap a power of two */
    size_t cap, used;
    uint64_t total_prose; /* of the whole document */
    const GumboNode *main; /* the element most like the article's container, or NULL */
} dp_density;

/* Measure every element under root. Linear in the tree; the table is
 * reused across calls. DOPPEL_ERR_NOMEM when the table cannot grow. */
doppel_status dp_density_build(dp_density *d, GumboNode *root);
/* The figures of element n, or NULL when n was not measured (inside an
 * element that never shows text: script, style, head, template, ...). */
const dp_dstat *dp_density_of(const dp_density *d, const GumboNode *n);
/* Does n hold more than half of the page's prose, or the main element? */
int dp_density_holds_most(const dp_density *d, const GumboNode *n);
/* Is n a sibling of the main element that is mostly prose (two thirds of
 * its text) with few links (a fifth)? Then it belongs to the article. */
int dp_density_beside_main(const dp_density *d, const GumboNode *n);
void dp_density_free(dp_density *d);
/* Is el hidden from readers (hidden, aria-hidden="true", display:none or
 * visibility:hidden in its style)? Hidden subtrees are not measured. */
int dp_html_hidden(const GumboElement *el);

#endif
