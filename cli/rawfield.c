/*
 * rawfield.c — one string field of a JSONL record read from its raw line:
 * the fields doppel's reader does not keep (`index add`'s outlet/source).
 */
#include "run.h"

#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The first occurrence of key (which starts with a quote) in [p, end):
 * memmem's answer, found from quote to quote (a text has few; memmem
 * examined every byte, 15-20% of reading an add's input). */
static const char *find_quoted(const char *p, const char *end, const char *key, size_t klen) {
    while ((size_t)(end - p) >= klen && (p = memchr(p, '"', (size_t)(end - p - (ptrdiff_t)klen + 1)))) {
        if (!memcmp(p, key, klen)) return p;
        p++;
    }
    return NULL;
}

/* The JSONL record's string field key (quoted), when it has one. Found by
 * a scan, not a parse of the whole line (which cost a third of an add): an
 * unescaped key followed by a colon is a key, inside a string a quote is
 * escaped; the value's literal alone goes to jansson for its escapes. */
char *cli_record_field(const doppel_record *rec, const char *key, size_t *len) {
    if (!rec->raw) return NULL;
    const char *p = rec->raw, *end = rec->raw + rec->raw_len;
    size_t klen = strlen(key);
    while ((p = find_quoted(p, end, key, klen))) {
        const char *q = p + klen;
        p = q;
        while (q < end && (*q == ' ' || *q == '\t')) q++;
        if (q == end || *q != ':') continue;
        q++;
        while (q < end && (*q == ' ' || *q == '\t')) q++;
        if (q == end || *q != '"') return NULL;  /* not a string */
        const char *v = q++;
        int plain = 1;  /* printable ASCII, no escape: the value is its bytes */
        while (q < end && *q != '"') {
            plain &= *q >= 0x20 && *q < 0x7f && *q != '\\';
            q += *q == '\\' ? 2 : 1;
        }
        if (q >= end) return NULL;
        if (plain) {  /* what jansson gives, without a parse (~1 us a document) */
            *len = (size_t)(q - v - 1);
            char *s = malloc(*len + 1);
            if (s) {
                memcpy(s, v + 1, *len);
                s[*len] = 0;
            }
            return s;
        }
        json_t *j = json_loadb(v, (size_t)(q + 1 - v), JSON_DECODE_ANY, NULL);
        char *s = NULL;
        if (json_is_string(j)) {
            *len = json_string_length(j);
            s = malloc(*len + 1);
            if (s) memcpy(s, json_string_value(j), *len + 1);
        }
        json_decref(j);
        return s;
    }
    return NULL;
}
