/*
 * jsonl.h — a validating single-pass scanner for one JSONL line; internal.
 *
 * The reader needs four top-level fields of each line (id, text, title,
 * date) and nothing else, but must still refuse lines that are not JSON.
 * A DOM parser spends most of its time building values nobody reads; this
 * scanner validates the whole line per RFC 8259 and hands back only the
 * requested members, decoding a string only when it is requested and
 * escaped.
 *
 * Acceptance is the same as jansson's json_loadb(JSON_ALLOW_NUL) on an object
 * (tests/unit/test_jsonl.c checks it differentially), depth limit included,
 * with two deliberate differences, both in the direction of keeping a
 * document (and a jansson 2.14 quirk not copied: it ignores a raw NUL byte
 * right after a number or literal, which is not JSON):
 *   - a lone surrogate escape (\uD800 without its pair) decodes to U+FFFD
 *     where jansson refuses the line;
 *   - numbers are checked against the grammar only, so 1e400 or a 30-digit
 *     integer are accepted (their text is returned as written) where jansson
 *     reports an overflow.
 */
#ifndef DOPPEL_JSONL_H
#define DOPPEL_JSONL_H

#include "base/internal.h"

/* Most nested values accepted: a value inside N open arrays/objects is at
 * depth N + 1. Equal to jansson's JSON_PARSER_MAX_DEPTH so that both accept
 * the same lines; the scanner keeps its stack as bits, so the limit costs
 * 256 bytes and no recursion. */
#define DP_JSONL_MAX_DEPTH 2048
/* Most fields one call can extract (they are tracked in a 64-bit mask). */
#define DP_JSONL_MAX_FIELDS 64

typedef enum dp_jsonl_type {
    DP_JSONL_ABSENT = 0,  /* no such top-level key */
    DP_JSONL_STRING,      /* value: the decoded string */
    DP_JSONL_NUMBER,      /* value: the number's text as written in the line */
    DP_JSONL_OTHER        /* true/false/null, an array or an object; value NULL */
} dp_jsonl_type;

typedef struct dp_jsonl_field {
    const char *name;    /* in: top-level key to extract; NULL = skip this slot */
    dp_jsonl_type type;  /* out: what was found (the last occurrence wins) */
    const char *value;   /* out: points into the line or into scratch */
    size_t len;          /* out: bytes in value (a string may hold NUL bytes) */
    /* out: value is NUL-terminated (it was decoded into scratch). Otherwise it
     * points into the line and is followed by the line's next byte. */
    int terminated;
} dp_jsonl_field;

enum {
    DP_JSONL_OK = 0,
    DP_JSONL_EMPTY,       /* the line holds only whitespace */
    DP_JSONL_NOT_OBJECT,  /* the top-level value does not start with '{' */
    DP_JSONL_SYNTAX,      /* a byte that cannot come next, or the line ends early */
    DP_JSONL_BAD_STRING,  /* unterminated string, control character, bad escape */
    DP_JSONL_BAD_UTF8,    /* a byte sequence that is not UTF-8 */
    DP_JSONL_BAD_NUMBER,  /* -, 1., .5, 1e and the like */
    DP_JSONL_NUL_KEY,     /* \u0000 in an object key (jansson refuses it too) */
    DP_JSONL_DEPTH,       /* nested deeper than DP_JSONL_MAX_DEPTH */
    DP_JSONL_TRAILING,    /* something other than whitespace after the object */
    DP_JSONL_NOMEM,       /* scratch could not grow */
    DP_JSONL_TOO_MANY     /* nfields > DP_JSONL_MAX_FIELDS */
};

/* Validate line[0..len) as one JSON object and extract the top-level members
 * named in fields[0..nfields). The line need not be NUL-terminated and may
 * hold NUL bytes (which are errors). Escaped strings that are requested are
 * decoded into scratch (reset by the call; it grows to at most len + 1 bytes
 * and is reused, so a warm scanner does not allocate); unescaped ones point
 * into line. Every value is valid until scratch is next used or freed, or the
 * line changes. Returns DP_JSONL_OK or an error code; then *err_pos (when not
 * NULL) is the byte offset where the error was found, and the fields' outputs
 * are unspecified. */
int dp_jsonl_scan(const char *line, size_t len, dp_jsonl_field *fields, size_t nfields,
                  doppel_buf *scratch, size_t *err_pos);

/* A short English description of a dp_jsonl_scan result. */
const char *dp_jsonl_strerror(int code);

#endif
