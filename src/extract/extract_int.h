/*
 * extract_int.h — what the extraction modules share; not installed.
 *
 * Every format is reduced to the same thing: an ordered list of blocks of
 * cleaned text. A block is the unit boilerplate removal decides on: one
 * line of text or Markdown (hard-wrapped lines of one sentence are joined
 * into one block so that wrapping does not make prose look "short"), or one
 * block element of HTML. Blocks with the same paragraph number are printed
 * on consecutive lines; a new paragraph number starts a blank-line break.
 *
 * The format readers (frontmatter.c, markdown.c, html.c) append blocks;
 * boilerplate.c classifies them (with words.c, lowerwords.c, phrases.c); extract.c prints the kept ones. Data flows
 * one way: no reader looks at a classification.
 */
#ifndef DOPPEL_EXTRACT_INT_H
#define DOPPEL_EXTRACT_INT_H

#include "base/internal.h"

/* What kind of text a block holds; steers scoring (headings may be short). */
enum {
    DP_BK_TEXT = 0,
    DP_BK_HEADING,   /* Markdown #, HTML h1-h6 */
    DP_BK_ITEM,      /* list item */
    DP_BK_CODE,      /* inside a code fence or <pre>: kept verbatim, never scored as chrome */
    DP_BK_DROPPED    /* decided by the reader (front matter, markup, HTML element) */
};

/* Layer-1 classes, as in jusText. */
enum { DP_CLS_BAD = 0, DP_CLS_SHORT, DP_CLS_NEARGOOD, DP_CLS_GOOD };

typedef struct dp_block {
    size_t off, len;        /* cleaned text in ex->btext ('\n' between joined source lines) */
    uint32_t line;          /* first input line, 1-based */
    uint32_t para;          /* paragraph number */
    uint32_t link_bytes;    /* bytes of the text that were link text */
    uint8_t kind;           /* DP_BK_* */
    uint8_t cls;            /* DP_CLS_*, final */
    uint8_t reason;         /* doppel_drop_reason when dropped (set by reader or scorer) */
    uint8_t hard;           /* dropped by a rule context cannot overrule */
    uint8_t outside;        /* HTML: outside the element that holds the article's prose */
    uint32_t newlines;      /* '\n' bytes in the text, or DP_NEWLINES_UNKNOWN */
} dp_block;
/* A block whose '\n' bytes were not counted when it was built (extract.c
 * counts them). dp_read_lines knows them: it adds one line a block, and a
 * line it joins comes after one more. */
#define DP_NEWLINES_UNKNOWN UINT32_MAX

/* Metadata fields, in the order of the result struct. */
enum { DP_META_TITLE = 0, DP_META_DATE, DP_META_DESCRIPTION, DP_META_URL, DP_META_N };

struct doppel_extractor {
    doppel_buf conv;        /* the input converted to UTF-8, when it was not */
    doppel_buf btext;       /* the text of all blocks */
    dp_block *blocks;
    size_t nblocks, blocks_cap;
    uint32_t para;          /* paragraph number for the next block */
    int one_line;           /* the text dp_add_block is given is one line (dp_read_lines) */
    doppel_buf out;         /* the kept text */
    doppel_buf meta;        /* metadata values, NUL-separated */
    int html;               /* this document is read as HTML (utf8_checked) */
    size_t meta_off[DP_META_N];
    int meta_set[DP_META_N];
    doppel_buf scratch;     /* one line being cleaned by a reader */
    doppel_buf hbuf[2];     /* HTML: first <h1>, <title> text */
    struct dp_htree *htree; /* HTML: the page's tree, reused (htmltree.c) */
    doppel_buf droptext;    /* text of dropped lines (explain) */
    doppel_dropped_line *dropped;
    size_t ndropped, dropped_cap;
    struct dp_seen *seen;   /* open-addressing table of block hashes (repeated lines) */
    size_t seen_cap;
    struct dp_feat *feat;   /* per-block features (boilerplate.c) */
    size_t feat_cap;
    unsigned flags;         /* DOPPEL_EXTRACT_* */
    const doppel_extract_options *opt;
};

/* ---- block building (blocks.c) ------------------------------------------- */

/* Append a block whose cleaned text is s[0..len) (trimmed of surrounding
 * whitespace; empty text is ignored unless kind is DP_BK_DROPPED). */
doppel_status dp_add_block(doppel_extractor *ex, const char *s, size_t len, uint32_t line,
                           int kind, uint32_t link_bytes, int reason);
/* Append "\n" + s to the last block (a hard-wrapped continuation line). */
doppel_status dp_extend_block(doppel_extractor *ex, const char *s, size_t len,
                              uint32_t link_bytes);
/* ASCII white space as C's isspace in the C locale, without the locale. */
static inline int dp_is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
/* Start a new paragraph: the next block is preceded by a blank line. */
static inline void dp_new_para(doppel_extractor *ex) {
    if (ex->nblocks && ex->blocks[ex->nblocks - 1].para == ex->para) ex->para++;
}
/* Record a metadata field unless already set (the first source wins). The
 * value is trimmed and inner whitespace collapsed; empty values are ignored. */
doppel_status dp_set_meta(doppel_extractor *ex, int field, const char *s, size_t len);
/* Check b[from..] is valid UTF-8 and repair it from its first bad byte on
 * (each bad byte becomes U+FFFD), through scratch. 0, or -1: no memory. */
int dp_utf8_checked(doppel_buf *b, size_t from, doppel_buf *scratch);

/* ---- the first look (detect.c) ------------------------------------------- */

/* Bytes of a document's head looked at for binary data. */
#define DP_HEAD_BYTES 8192

/* What one pass over a document's head tells. */
typedef struct dp_text_head {
    size_t n;        /* bytes looked at: min(len, DP_HEAD_BYTES) */
    size_t nul, ctl; /* NUL bytes, other control bytes but white space and ESC, among them */
    int marks;       /* 0 only when the whole document was looked at and holds no
                        '<', ']', '#' or '`': no tag, link, heading or fence */
} dp_text_head;

/* Look at s[0..len) once. vector: 1 for the fastest path this CPU has, 0 for
 * the portable one (the reference for tests); both give the same answer. */
void dp_text_head_scan(const char *s, size_t len, int vector, dp_text_head *h);
/* Binary data: over 10% of the head is NUL or control bytes. */
int dp_text_head_binary(const dp_text_head *h);
/* The format of s[0..len), len > 0: HTML by its first bytes or its tags,
 * Markdown by front matter, links, headings or fences, else text. h is
 * dp_text_head_scan's of s, which lets plain text skip the scans; NULL makes
 * them all. */
doppel_extract_format dp_detect_format(const char *s, size_t len, const dp_text_head *h);

/* ---- readers ---------------------------------------------------------------- */

/* If raw opens with YAML front matter, take its fields as metadata, add its
 * lines as dropped blocks and set *consumed to the bytes it spans (and
 * *lines to the lines). Otherwise *consumed = 0, and a flag says why. */
doppel_status dp_front_matter(doppel_extractor *ex, const char *raw, size_t len,
                              size_t *consumed, uint32_t *lines);

/* Text and Markdown: split into lines and blocks. markdown = reduce syntax. */
doppel_status dp_read_lines(doppel_extractor *ex, const char *s, size_t len,
                            uint32_t first_line, int markdown);

/* Reduce one line of Markdown inline syntax to text, appending to out;
 * *link_bytes receives the bytes of link text. Linear in len. */
doppel_status dp_md_inline(const char *s, size_t len, doppel_buf *out, uint32_t *link_bytes);

/* HTML: charset conversion is done by the caller (dp_html_charset). */
doppel_status dp_read_html(doppel_extractor *ex, const char *s, size_t len, doppel_error *err);
/* Release the HTML reader's tree held by the extractor. */
void dp_html_free(doppel_extractor *ex);

/* A page nested too deep for the tree (htmltree.c) read as text without
 * its tags (htmlbytes.c). */
doppel_status dp_html_strip(doppel_extractor *ex, const char *s, size_t len);

/* Look for a declared charset in the first bytes of an HTML document. If it
 * is latin-1/windows-1252, convert s into ex->conv and return 1; if it is
 * some other non-UTF-8 charset, set DOPPEL_EXTRACT_CHARSET_UNKNOWN; 0 when
 * nothing was converted. Negative: a doppel_status error. */
int dp_html_charset(doppel_extractor *ex, const char *s, size_t len);
/* The code point of windows-1252 byte c (c itself outside 0x80-0x9F). */
unsigned dp_cp1252(unsigned char c);

/* ---- layer 1 (boilerplate.c; words.c, lowerwords.c, phrases.c) ------------------------------------------- */

/* Classify ex->blocks: sets cls, reason and hard for every block. */
doppel_status dp_classify(doppel_extractor *ex);
/* Release the scorer's scratch tables held by the extractor. */
void dp_classify_free(doppel_extractor *ex);

/* Word statistics shared by the scorer and layer 2. */
typedef struct dp_words {
    uint32_t words, stopwords, capitalized, letters;
    uint32_t lower_stop;   /* stopwords written in lower case */
} dp_words;
void dp_count_words(const char *s, size_t len, dp_words *w);
/* dp_count_words, and on the same pass over the bytes (AVX-512 VBMI) the
 * number of word starts where a legal word of dp_is_legal_text may begin
 * by the filter legal (dp_legal_filter(), four rows). dp_is_legal_text
 * needs three different legal words, so a result below 3 means it is 0
 * for s[0..len); without that path the result is UINT32_MAX (not counted). */
uint32_t dp_count_words_legal(const char *s, size_t len, const uint8_t (*legal)[64],
                              dp_words *w);
/* dp_count_words without the AVX-512 path it picks at run time (the
 * reference for tests). */
void dp_count_words_portable(const char *s, size_t len, dp_words *w);
/* Write s[0..len) to out as " word word ... ": ASCII letters lowered, any
 * other ASCII byte but a digit a space, non-ASCII bytes kept, no two spaces
 * in a row, a space at both ends. out has room for len + 2 bytes; returns
 * the bytes written (no NUL). The form phrases and repeats are matched in. */
size_t dp_lower_words(const char *s, size_t len, char *out);
/* dp_lower_words without the AVX-512 path it picks at run time (the
 * reference for tests). */
size_t dp_lower_words_portable(const char *s, size_t len, char *out);
/* Ends with a sentence stop (. ! ? : ; or CJK 。！？), closing quotes aside. */
int dp_ends_sentence(const char *s, size_t len);
/* Looks like a heading or headline: at most 20 words, most capitalized,
 * no sentence stop at the end. w: dp_count_words of s, which callers
 * usually need as well. */
int dp_title_like(const char *s, size_t len, const dp_words *w);
/* Headline case: most words that carry meaning are capitalized (at most 20
 * words); dp_title_like without the sentence-stop test. */
int dp_title_case(const dp_words *w);

#endif
