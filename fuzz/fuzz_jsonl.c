/*
 * fuzz_jsonl — the JSONL line scanner, differentially against jansson.
 *
 * For any line, dp_jsonl_scan and json_loadb(JSON_ALLOW_NUL) must agree on
 * accept/reject and, when both accept, on every extracted field's type and
 * value. The documented differences (jsonl.h) are folded out before
 * comparing: lone surrogate escapes (doppel: U+FFFD, jansson: error),
 * numbers outside jansson's range (doppel keeps the text), and jansson's
 * tolerance of a raw NUL byte after a number or literal.
 *
 * The first input byte picks the field names asked for, so the scanner is
 * also run with absent, repeated and nested-looking names.
 */
#include <jansson.h>

#include "fuzz.h"
#include "io/jsonl.h"

static doppel_buf scratch;  /* kept across inputs: a warm scanner must not leak or misuse it */

/* Copy of line with every lone surrogate escape rewritten as \uFFFD, so that
 * jansson decodes what doppel does. Escapes are followed inside strings
 * only; outside strings a backslash is a syntax error for both parsers. */
static char *fold_lone_surrogates(const char *line, size_t len) {
    char *s = malloc(len + 1);
    if (!s) abort();
    memcpy(s, line, len);
    int in_str = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"') { in_str = !in_str; continue; }
        if (!in_str || s[i] != '\\') continue;
        if (i + 1 < len && s[i + 1] != 'u') { i++; continue; }
        unsigned hi = 0, lo = 0;
        int hex = i + 6 <= len;
        for (size_t k = 2; hex && k < 6; k++) {
            unsigned char c = (unsigned char)s[i + k];
            int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (v < 0) hex = 0;
            else hi = hi << 4 | (unsigned)v;
        }
        if (!hex) { i++; continue; }
        if (hi >= 0xD800 && hi <= 0xDBFF && i + 12 <= len && s[i + 6] == '\\' && s[i + 7] == 'u') {
            int ok = 1;
            for (size_t k = 8; ok && k < 12; k++) {
                unsigned char c = (unsigned char)s[i + k];
                int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
                if (v < 0) ok = 0;
                else lo = lo << 4 | (unsigned)v;
            }
            if (ok && lo >= 0xDC00 && lo <= 0xDFFF) { i += 11; continue; }
        }
        if (hi >= 0xD800 && hi <= 0xDFFF) memcpy(s + i + 2, "FFFD", 4);
        i += 5;
    }
    s[len] = 0;
    return s;
}

static const char *const names[] = {"id", "text", "title", "date", "a", "", "id", "x\\y"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_in in = {data, size};
    unsigned pick = fuzz_byte(&in);
    const char *line = (const char *)in.p;
    size_t len = in.n;

    dp_jsonl_field f[4];
    for (int i = 0; i < 4; i++) {
        /* usually the reader's four fields; sometimes others, a repeat or none */
        f[i].name = pick & 0x80 ? names[(pick >> (i * 2)) & 7] : names[i];
        if ((pick & 0xC0) == 0xC0 && i == 3) f[i].name = NULL;
    }
    size_t err_pos = (size_t)-1;
    int code = dp_jsonl_scan(line, len, f, 4, &scratch, &err_pos);
    FUZZ_CHECK(code >= DP_JSONL_OK && code <= DP_JSONL_TOO_MANY, "code %d", code);
    FUZZ_CHECK(dp_jsonl_strerror(code) != NULL, "no message for %d", code);
    if (code) FUZZ_CHECK(err_pos <= len, "error position %zu past the line (%zu)", err_pos, len);

    char *ref = fold_lone_surrogates(line, len);
    json_error_t jerr;
    json_t *j = json_loadb(ref, len, JSON_ALLOW_NUL, &jerr);
    free(ref);
    if (!j && (strstr(jerr.text, "too big") || strstr(jerr.text, "overflow"))) return 0;
    int jok = j && json_is_object(j) && !memchr(line, 0, len);
    FUZZ_CHECK(jok == (code == DP_JSONL_OK), "jansson %s (%s), scanner %s at %zu",
               jok ? "accepts" : "refuses", j ? "object" : jerr.text, dp_jsonl_strerror(code),
               err_pos);
    if (jok) {
        for (int i = 0; i < 4; i++) {
            if (!f[i].name) continue;
            json_t *v = json_object_get(j, f[i].name);
            dp_jsonl_type want = !v                  ? DP_JSONL_ABSENT
                                 : json_is_string(v) ? DP_JSONL_STRING
                                 : json_is_number(v) ? DP_JSONL_NUMBER
                                                     : DP_JSONL_OTHER;
            FUZZ_CHECK(f[i].type == want, "field '%s': type %d, jansson %d", f[i].name,
                       (int)f[i].type, (int)want);
            if (want == DP_JSONL_STRING) {
                FUZZ_CHECK(f[i].len == json_string_length(v) &&
                               !memcmp(f[i].value, json_string_value(v), f[i].len),
                           "field '%s': string differs from jansson's", f[i].name);
                if (f[i].terminated)
                    FUZZ_CHECK(f[i].value[f[i].len] == 0, "field '%s' not terminated", f[i].name);
            } else if (want == DP_JSONL_NUMBER) {
                FUZZ_CHECK(f[i].len > 0 && f[i].len <= len, "number length %zu", f[i].len);
                char *tmp = malloc(f[i].len + 1);
                if (!tmp) abort();
                memcpy(tmp, f[i].value, f[i].len);
                tmp[f[i].len] = 0;
                int same = json_is_integer(v) ? strtoll(tmp, NULL, 10) == json_integer_value(v)
                                              : strtod(tmp, NULL) == json_real_value(v);
                FUZZ_CHECK(same, "field '%s': number '%s' differs from jansson's", f[i].name, tmp);
                free(tmp);
            }
        }
    }
    json_decref(j);
    return 0;
}
