/*
 * htmltok.h — doppel's HTML tokenizer (htmltok.c): a page's bytes into
 * start tags with their attributes, end tags and text, following the HTML5
 * tokenizer where it matters for a page's text. Tree construction (which
 * element a tag closes) is htmltree.c's. Not installed.
 */
#ifndef DOPPEL_EXTRACT_HTMLTOK_H
#define DOPPEL_EXTRACT_HTMLTOK_H

#include "extract/extract_int.h"

/* An attribute as written: name and value are byte ranges of the input
 * (the name in any case, the value with its character references not yet
 * decoded: dp_htok_decode). has_val is 0 for a bare name ("hidden"). */
typedef struct dp_htok_attr {
    const char *name, *val;
    uint32_t nlen, vlen;
    int has_val;
} dp_htok_attr;

/* What the tokenizer reports, in document order. pos is the byte offset of
 * the token's first byte in the input (for line numbers). Names are byte
 * ranges in any case. A callback returns nonzero to stop the tokenizer
 * (out of memory). text is raw: character references are decoded by the
 * sink with dp_htok_decode. end with implied = 1 is an end the tokenizer
 * supplied itself (a <title> or <textarea> never closed ends at the next
 * tag). */
typedef struct dp_htok_sink {
    void *ud;
    int (*start)(void *ud, const char *name, size_t n, const dp_htok_attr *at, size_t nat,
                 int self_closing, size_t pos);
    int (*end)(void *ud, const char *name, size_t n, size_t pos, int implied);
    int (*text)(void *ud, const char *s, size_t n, size_t pos);
} dp_htok_sink;

/* Tokenize s[0..len) (UTF-8 without NUL bytes) into sink. Comments,
 * doctypes, processing instructions, CDATA sections and the bodies of
 * <script> and <style> produce no event. Returns the number of repairs
 * (a tag or comment cut by the end of the page, an RCDATA element never
 * closed), or -1 when a callback stopped it. */
long dp_htok_run(const char *s, size_t len, const dp_htok_sink *sink);

/* Append s[0..n) to out with its character references decoded (numeric,
 * and the named ones of libxml2's HTML entity table; the legacy ones
 * without ';' as HTML5 does, not in an attribute value when a letter,
 * digit or '=' follows) and the C1 controls U+0080-U+009F read as
 * windows-1252, as HTML5 does for "&#151;". attr: s is an attribute value.
 * DOPPEL_ERR_NOMEM when out of memory. */
doppel_status dp_htok_decode(doppel_buf *out, const char *s, size_t n, int attr);

#endif
