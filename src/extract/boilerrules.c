/*
 * boilerrules.c — rules of the scorer that read the layout of several
 * blocks together: teaser lists in sentences (dropped) and the rows of a
 * list or table in the article (kept). boilerplate.c calls them.
 */
#include "extract/boilerrules.h"

/* A headline that is one link: a teaser's title. */
static int linked_headline(const dp_block *b, const dp_feat *f) {
    return b->kind != DP_BK_CODE && f->link_density >= 0.8f && f->w.words >= 2 &&
           f->w.words <= 20;
}

/* The blurb under a teaser's title: no link of its own, a sentence or two. */
static int blurb(const dp_block *b, const dp_feat *f, const doppel_extract_options *opt) {
    return b->kind != DP_BK_CODE && b->kind != DP_BK_HEADING && !b->link_bytes &&
           f->w.words >= 4 && f->w.words <= 60 && b->len < 2 * opt->length_high;
}

/* Could block i be one row of a list or table in the article: inside its
 * container, without links, dropped only for its length or wording? A row
 * that is a sentence may link a few words (a step of a how-to linking its
 * handout), as a paragraph in the article may. A short line repeated in
 * the page is a row too: in a table the same value recurs from row to row
 * ("Open water", a name); a repeated menu item is a link or sits outside
 * the container, and a row is kept only in a run next to article text. */
static int list_row(const doppel_extractor *ex, size_t i) {
    const dp_block *b = &ex->blocks[i];
    const dp_feat *f = &ex->feat[i];
    int r = b->reason;
    int links_ok = !b->link_bytes ||
                   (f->ends && f->w.words >= 4 && (uint64_t)b->link_bytes * 2 <= b->len);
    int settled = b->hard && !(r == DOPPEL_DROP_REPEATED && !b->link_bytes);
    return f->visible && !b->outside && !settled && b->cls != DP_CLS_GOOD && links_ok &&
           f->w.letters && (b->kind == DP_BK_ITEM || b->kind == DP_BK_TEXT) &&
           (r == DOPPEL_DROP_SHORT || r == DOPPEL_DROP_NOT_PROSE || r == DOPPEL_DROP_CONTEXT ||
            r == DOPPEL_DROP_LINKS || r == DOPPEL_DROP_REPEATED);
}

/* A cell of a bare number (a score, a count, a date) between the rows of
 * a kept table is the table's, not a share counter. */
static int has_digit(const doppel_extractor *ex, size_t i) {
    const dp_block *b = &ex->blocks[i];
    const char *s = ex->btext.data + b->off;
    for (size_t k = 0; k < b->len; k++)
        if (s[k] >= '0' && s[k] <= '9') return 1;
    return 0;
}

/* A bullet, a number or a rule in a block of its own (a list laid out as
 * a table: the bullet in one cell, the row in the next) does not end the
 * list: at most 8 bytes and no ASCII letter. */
static int row_gap(const doppel_extractor *ex, size_t i) {
    if (!ex->feat[i].visible) return 1;
    const dp_block *b = &ex->blocks[i];
    if (b->len > 8) return 0;
    const char *s = ex->btext.data + b->off;
    for (size_t k = 0; k < b->len; k++)
        if (((unsigned char)s[k] | 32) >= 'a' && ((unsigned char)s[k] | 32) <= 'z') return 0;
    return 1;
}

/* Lists and tables in the article (line-ups, results, schedules, a
 * recipe's ingredients) are rows that are short or not sentences, so each
 * loses on its own; two or more such rows in a row, without links,
 * right after or before kept article text, are part of it. */
void dp_keep_article_lists(doppel_extractor *ex) {
    size_t n = ex->nblocks;
    for (size_t i = 0; i < n;) {
        if (!list_row(ex, i)) {
            i++;
            continue;
        }
        size_t j = i, rows = 0;
        uint32_t words = 0;
        while (j < n && (list_row(ex, j) || row_gap(ex, j))) {
            if (list_row(ex, j)) rows++, words += ex->feat[j].w.words;
            j++;
        }
        while (j > i && !list_row(ex, j - 1)) j--;  /* end on a row */
        size_t p = i;
        while (p > 0 && row_gap(ex, p - 1)) p--;
        int before = p > 0 && ex->blocks[p - 1].cls == DP_CLS_GOOD;
        size_t q = j;
        while (q < n && row_gap(ex, q)) q++;
        int after = q < n && ex->blocks[q].cls == DP_CLS_GOOD;
        if (rows >= 2 && words >= 10 && (before || after))
            for (size_t k = i; k < j; k++)
                if (list_row(ex, k) || (ex->feat[k].visible && !ex->blocks[k].link_bytes &&
                                        has_digit(ex, k)))
                    ex->blocks[k].cls = DP_CLS_GOOD;
        i = j;
    }
}

/* As boilerplate.c's: a block another hard rule settled stays settled. */
static void drop_hard(dp_block *b, int reason) {
    if (b->hard) return;
    b->hard = 1;
    b->cls = DP_CLS_BAD;
    b->reason = (uint8_t)reason;
}

void dp_drop_teaser_lists(doppel_extractor *ex) {
    const doppel_extract_options *opt = ex->opt;
    size_t n = ex->nblocks;
    /* Teaser lists in sentences: three or more linked headlines in a row,
     * each followed by a blurb of a sentence or two with no link of its
     * own (a "more headlines" column, a related-stories box). Each blurb
     * reads as prose; the linked headline above each is what gives the
     * structure away. An article's paragraphs are not headed by links.
     * A list that holds more text than the page's prose outside such
     * lists is the page (a directory, a section front) and stays. */
    size_t lists = 0, rest_bytes = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n;) {
            size_t k = i, pairs = 0, last = i;
            while (k < n) {
                size_t t = k;
                while (t < n && !ex->feat[t].visible) t++;
                size_t u = t + 1;
                while (u < n && !ex->feat[u].visible) u++;
                if (u >= n || !linked_headline(&ex->blocks[t], &ex->feat[t]) ||
                    !blurb(&ex->blocks[u], &ex->feat[u], opt))
                    break;
                pairs++;
                last = u;
                k = u + 1;
            }
            if (pairs < 3) {
                const dp_block *b = &ex->blocks[i];
                if (pass == 0 && ex->feat[i].visible && !b->hard && b->len >= opt->length_low)
                    rest_bytes += b->len;
                i++;
                continue;
            }
            size_t run_bytes = 0;
            for (size_t j = i; j <= last; j++)
                if (ex->feat[j].visible) run_bytes += ex->blocks[j].len;
            lists += pass == 0;
            if (pass == 1 && run_bytes < rest_bytes)
                for (size_t j = i; j <= last; j++)
                    if (ex->feat[j].visible) drop_hard(&ex->blocks[j], DOPPEL_DROP_TEASER);
            i = last + 1;
        }
        if (!lists) break;
    }
}
