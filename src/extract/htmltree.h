/*
 * htmltree.h — an HTML page as a compact tree of the few things the
 * extractor reads (htmltree.c): elements by tag with their visibility and
 * chrome name decided at parse time, text nodes, and the handful of
 * attribute values metadata comes from. Not installed.
 *
 * Nodes are numbered in document order (node 0 is the document), so an
 * earlier sibling has a smaller number, and per-node figures live in
 * arrays indexed by it.
 */
#ifndef DOPPEL_EXTRACT_HTMLTREE_H
#define DOPPEL_EXTRACT_HTMLTREE_H

#include "extract/extract_int.h"

/* The tags the extractor tells apart; every other element is DP_T_OTHER. */
enum {
    DP_T_OTHER = 0, DP_T_A, DP_T_ADDRESS, DP_T_ARTICLE, DP_T_ASIDE, DP_T_AUDIO,
    DP_T_BLOCKQUOTE, DP_T_BODY, DP_T_BR, DP_T_BUTTON, DP_T_CANVAS, DP_T_CAPTION,
    DP_T_CENTER, DP_T_DD, DP_T_DETAILS, DP_T_DIV, DP_T_DL, DP_T_DT, DP_T_EMBED,
    DP_T_FIELDSET, DP_T_FIGCAPTION, DP_T_FIGURE, DP_T_FOOTER, DP_T_FORM, DP_T_H1,
    DP_T_H2, DP_T_H3, DP_T_H4, DP_T_H5, DP_T_H6, DP_T_HEAD, DP_T_HEADER, DP_T_HGROUP,
    DP_T_HR, DP_T_HTML, DP_T_IFRAME, DP_T_IMG, DP_T_LEGEND, DP_T_LI, DP_T_LINK,
    DP_T_MAIN, DP_T_MATH, DP_T_MENU, DP_T_META, DP_T_NAV, DP_T_NOSCRIPT, DP_T_OBJECT,
    DP_T_OL, DP_T_P, DP_T_PRE, DP_T_SCRIPT, DP_T_SECTION, DP_T_SELECT, DP_T_STYLE,
    DP_T_SUMMARY, DP_T_SVG, DP_T_TABLE, DP_T_TD, DP_T_TEMPLATE, DP_T_TEXTAREA, DP_T_TH,
    DP_T_TIME, DP_T_TITLE, DP_T_TR, DP_T_UL, DP_T_VIDEO,
    DP_T_COUNT
};

enum { DP_HN_DOC = 0, DP_HN_ELEMENT, DP_HN_TEXT };

/* Element flags, from its attributes. */
enum {
    DP_HF_HIDDEN = 1, /* hidden, aria-hidden="true", display:none, visibility:hidden */
    DP_HF_CHROME = 2, /* class or id names chrome ("sidebar", ...) and not content */
};

typedef struct dp_hnode {
    uint32_t parent;  /* node number; the document's is 0 too */
    uint32_t first;   /* first child, 0 when none */
    uint32_t last;    /* last child, 0 when none */
    uint32_t next;    /* next sibling, 0 when none */
    uint32_t line;    /* input line where the node starts */
    /* Text: its bytes are text[a .. a+b). Element: a and b are offsets + 1
     * in text of NUL-terminated attribute values (0 = absent): <meta> key
     * (property, name or itemprop) and content, <link> rel and href,
     * <time> datetime. */
    uint32_t a, b;
    uint8_t type;     /* DP_HN_* */
    uint8_t tag;      /* DP_T_* */
    uint8_t flags;    /* DP_HF_* */
} dp_hnode;

typedef struct dp_htree {
    dp_hnode *n;
    size_t count, cap;
    doppel_buf text;  /* text node bytes and attribute values */
    doppel_buf utf8;  /* the input with invalid UTF-8 replaced, when it had some */
    doppel_buf abuf;  /* the attribute values of the tag being read, decoded */
    struct dp_hopen *open; /* the open elements while parsing (htmltree.c) */
    int errors;       /* tree construction repaired something */
    int too_deep;     /* elements nest deeper than the tree allows: no tree */
} dp_htree;

/* Parse s[0..len) (UTF-8; invalid bytes are read as U+FFFD, NUL bytes
 * dropped) into t, which is reused across pages. Nothing is printed. The tree holds
 * at most UINT32_MAX nodes and bytes: longer input is cut there (the caller
 * bounds a document's size far below). DOPPEL_ERR_NOMEM when out of
 * memory. A page whose elements nest more than 1000 deep gives no tree
 * and t->too_deep. Thread-safe with one tree per thread. */
doppel_status dp_htree_parse(dp_htree *t, const char *s, size_t len);
void dp_htree_free(dp_htree *t);

static inline const char *dp_htree_str(const dp_htree *t, uint32_t off) {
    return off ? t->text.data + off - 1 : NULL;
}

/* Tag classes shared by the density pass and the reader. */
int dp_tag_block(int tag);  /* starts a block of its own (p, div, li, td, h1, ...) */

#endif
