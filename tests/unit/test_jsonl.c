/* The JSONL line scanner: every escape, number form, literal and structural
 * error by hand, then a differential run against jansson on generated and
 * mutated lines — accept/reject and every extracted value must agree. */
#include "testutil.h"

#include <ctype.h>
#include <jansson.h>
#include <sys/types.h>

#include "io/jsonl.h"

enum { F_ID, F_TEXT, F_TITLE, F_DATE, NF };

typedef struct scan_result {
    int code;
    size_t err_pos;
    dp_jsonl_field f[NF];
    char *copy;  /* the line, in a buffer of exactly its size (ASan sees overreads) */
} scan_result;

static doppel_buf scratch;

static void result_free(scan_result *r) {
    free(r->copy);
    r->copy = NULL;
}

static scan_result scan_n(const char *line, size_t len) {
    scan_result r = {0};
    r.copy = malloc(len ? len : 1);
    assert_non_null(r.copy);
    memcpy(r.copy, line, len);
    r.f[F_ID].name = "id";
    r.f[F_TEXT].name = "text";
    r.f[F_TITLE].name = "title";
    r.f[F_DATE].name = "date";
    r.code = dp_jsonl_scan(r.copy, len, r.f, NF, &scratch, &r.err_pos);
    return r;
}

static int scan_code(const char *line) {
    scan_result r = scan_n(line, strlen(line));
    result_free(&r);
    return r.code;
}

/* The text field of a line that must be accepted, as its own string. */
static void expect_text(const char *line, const char *want, size_t want_len) {
    scan_result r = scan_n(line, strlen(line));
    if (r.code) fail_msg("rejected (%s at %zu): %s", dp_jsonl_strerror(r.code), r.err_pos, line);
    assert_int_equal(r.f[F_TEXT].type, DP_JSONL_STRING);
    assert_int_equal(r.f[F_TEXT].len, want_len);
    assert_memory_equal(r.f[F_TEXT].value, want, want_len);
    result_free(&r);
}
#define EXPECT_TEXT(line, lit) expect_text(line, lit, sizeof lit - 1)

static void test_escapes(void **state) {
    (void)state;
    EXPECT_TEXT("{\"text\":\"plain\"}", "plain");
    EXPECT_TEXT("{\"text\":\"\"}", "");
    EXPECT_TEXT("{\"text\":\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"}",
                "a\"b\\c/d\be\ff\ng\rh\ti");
    EXPECT_TEXT("{\"text\":\"\\u0041\\u00e9\\u00E9\\u20ac\"}", "A\xC3\xA9\xC3\xA9\xE2\x82\xAC");
    EXPECT_TEXT("{\"text\":\"\\u007f\\u0080\\u07ff\\u0800\\uffff\"}",
                "\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF");
    /* surrogate pairs: U+1F600, U+10000, U+10FFFF */
    EXPECT_TEXT("{\"text\":\"\\uD83D\\uDE00|\\ud800\\udc00|\\uDBFF\\uDFFF\"}",
                "\xF0\x9F\x98\x80|\xF0\x90\x80\x80|\xF4\x8F\xBF\xBF");
    /* escapes in the middle of a long run, as in real text */
    EXPECT_TEXT("{\"text\":\"the quick brown fox\\njumps over the lazy dog\\n\"}",
                "the quick brown fox\njumps over the lazy dog\n");
    /* invalid escapes */
    assert_int_equal(scan_code("{\"text\":\"\\x41\"}"), DP_JSONL_BAD_STRING);
    assert_int_equal(scan_code("{\"text\":\"\\u12\"}"), DP_JSONL_BAD_STRING);
    assert_int_equal(scan_code("{\"text\":\"\\u12G4\"}"), DP_JSONL_BAD_STRING);
    assert_int_equal(scan_code("{\"text\":\"\\U0041\"}"), DP_JSONL_BAD_STRING);
    assert_int_equal(scan_code("{\"text\":\"\\'\"}"), DP_JSONL_BAD_STRING);
    assert_int_equal(scan_code("{\"text\":\"abc\\"), DP_JSONL_BAD_STRING);
    assert_int_equal(scan_code("{\"text\":\"abc\\u00"), DP_JSONL_BAD_STRING);
    assert_int_equal(scan_code("{\"text\":\"abc"), DP_JSONL_BAD_STRING);
}

static void test_lone_surrogates(void **state) {
    (void)state;
    EXPECT_TEXT("{\"text\":\"a\\uD800b\"}", "a\xEF\xBF\xBD" "b");
    EXPECT_TEXT("{\"text\":\"\\uDC00\"}", "\xEF\xBF\xBD");
    EXPECT_TEXT("{\"text\":\"\\uD83D\"}", "\xEF\xBF\xBD");  /* high at the end */
    EXPECT_TEXT("{\"text\":\"\\uD83D\\u0041\"}", "\xEF\xBF\xBD" "A");
    EXPECT_TEXT("{\"text\":\"\\uD83D\\n\"}", "\xEF\xBF\xBD\n");
    /* a would-be low surrogate without its backslash is plain text */
    EXPECT_TEXT("{\"text\":\"\\uD83D,uDE00\"}", "\xEF\xBF\xBD,uDE00");
    EXPECT_TEXT("{\"text\":\"\\uD83DuDE00\"}", "\xEF\xBF\xBDuDE00");
    /* a high surrogate followed by a broken escape: the line is refused */
    assert_int_equal(scan_code("{\"text\":\"\\uD83D\\uDE0\"}"), DP_JSONL_BAD_STRING);
    /* a high surrogate followed by a pair: the first is lone, the pair joins */
    EXPECT_TEXT("{\"text\":\"\\uD800\\uD800\\uDC00\"}", "\xEF\xBF\xBD\xF0\x90\x80\x80");
    /* low before high is two lone surrogates */
    EXPECT_TEXT("{\"text\":\"\\uDC00\\uD800\"}", "\xEF\xBF\xBD\xEF\xBF\xBD");
}

static void test_nul(void **state) {
    (void)state;
    EXPECT_TEXT("{\"text\":\"a\\u0000b\"}", "a\0b");
    assert_int_equal(scan_code("{\"a\\u0000\":1}"), DP_JSONL_NUL_KEY);
    /* a raw NUL byte is a control character inside a string, garbage outside */
    scan_result r = scan_n("{\"text\":\"a\0b\"}", 14);
    assert_int_equal(r.code, DP_JSONL_BAD_STRING);
    assert_int_equal(r.err_pos, 10);
    result_free(&r);
    r = scan_n("{\"text\":\"ab\"}\0", 14);
    assert_int_equal(r.code, DP_JSONL_TRAILING);
    result_free(&r);
    r = scan_n("{\"text\":\0\"ab\"}", 14);
    assert_int_equal(r.code, DP_JSONL_SYNTAX);
    result_free(&r);
}

static void test_control_chars(void **state) {
    (void)state;
    for (int c = 1; c < 0x20; c++) {
        char line[32];
        snprintf(line, sizeof line, "{\"text\":\"a%cb\"}", c);
        assert_int_equal(scan_code(line), DP_JSONL_BAD_STRING);
    }
    EXPECT_TEXT("{\"text\":\"a\x7F" "b\"}", "a\x7F" "b");  /* DEL is allowed */
}

static void test_zero_copy(void **state) {
    (void)state;
    const char *line = "{\"id\":\"x1\",\"text\":\"no escapes here\",\"title\":\"a\\tb\"}";
    scan_result r = scan_n(line, strlen(line));
    assert_int_equal(r.code, DP_JSONL_OK);
    /* unescaped: a view into the line itself */
    assert_ptr_equal(r.f[F_TEXT].value, r.copy + 19);
    assert_int_equal(r.f[F_TEXT].terminated, 0);
    assert_ptr_equal(r.f[F_ID].value, r.copy + 7);
    /* escaped: decoded into scratch, NUL-terminated */
    assert_int_equal(r.f[F_TITLE].terminated, 1);
    assert_string_equal(r.f[F_TITLE].value, "a\tb");
    assert_int_equal(r.f[F_DATE].type, DP_JSONL_ABSENT);
    result_free(&r);
}

static void test_numbers(void **state) {
    (void)state;
    const char *good[] = {"0",    "-0",   "7",     "1394470370698", "1.5",   "-1.5e10",
                          "1e+5", "1E-5", "0.0",   "0e0",           "-0.25", "123456789012345678901234567890",
                          "1e400", "10",  "-9.99E+99"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        char line[128];
        snprintf(line, sizeof line, "{\"id\":%s,\"date\": %s }", good[i], good[i]);
        scan_result r = scan_n(line, strlen(line));
        if (r.code) fail_msg("%s rejected", good[i]);
        assert_int_equal(r.f[F_ID].type, DP_JSONL_NUMBER);
        assert_int_equal(r.f[F_ID].len, strlen(good[i]));
        assert_memory_equal(r.f[F_ID].value, good[i], strlen(good[i]));
        assert_int_equal(r.f[F_DATE].len, strlen(good[i]));
        result_free(&r);
    }
    const char *bad[] = {"01", "1.", ".5", "-", "1e", "1e+", "+1", "-a", "0x1", "1.e5", "--1",
                         "NaN", "Infinity", "-Infinity", "1.5.", "00", "-01", "1ee5", "1e5.0"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char line[64];
        snprintf(line, sizeof line, "{\"id\":%s}", bad[i]);
        int code = scan_code(line);
        if (code != DP_JSONL_BAD_NUMBER && code != DP_JSONL_SYNTAX)
            fail_msg("%s: %s", bad[i], dp_jsonl_strerror(code));
        /* and in an array, where the next byte is checked by a different state */
        snprintf(line, sizeof line, "{\"a\":[%s]}", bad[i]);
        assert_int_not_equal(scan_code(line), DP_JSONL_OK);
    }
}

static void test_literals(void **state) {
    (void)state;
    const char *ok = "{\"id\":true,\"text\":false,\"title\":null}";
    scan_result r = scan_n(ok, strlen(ok));
    assert_int_equal(r.code, DP_JSONL_OK);
    assert_int_equal(r.f[F_ID].type, DP_JSONL_OTHER);
    assert_int_equal(r.f[F_TEXT].type, DP_JSONL_OTHER);
    assert_int_equal(r.f[F_TITLE].type, DP_JSONL_OTHER);
    assert_null(r.f[F_ID].value);
    result_free(&r);
    const char *bad[] = {"tru", "nul", "True", "truex", "nulll", "f", "NULL", "t rue", "falsetrue"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char line[64];
        snprintf(line, sizeof line, "{\"a\":%s}", bad[i]);
        assert_int_equal(scan_code(line), DP_JSONL_SYNTAX);
    }
    assert_int_equal(scan_code("{\"a\":tru"), DP_JSONL_SYNTAX);  /* cut inside a literal */
}

static void test_nesting(void **state) {
    (void)state;
    /* only top-level members are extracted; nested ones with the same name are not */
    const char *line = "{\"meta\":{\"text\":\"inner\",\"id\":[1,{\"id\":2}]},\"text\":\"outer\","
                       "\"id\":{\"a\":[]},\"title\":[[],[{}],{\"x\":[true,null,-1.5e3]}]}";
    scan_result r = scan_n(line, strlen(line));
    assert_int_equal(r.code, DP_JSONL_OK);
    assert_int_equal(r.f[F_TEXT].len, 5);
    assert_memory_equal(r.f[F_TEXT].value, "outer", 5);
    assert_int_equal(r.f[F_ID].type, DP_JSONL_OTHER);
    assert_int_equal(r.f[F_TITLE].type, DP_JSONL_OTHER);
    result_free(&r);
    assert_int_equal(scan_code("{}"), DP_JSONL_OK);
    assert_int_equal(scan_code("{\"a\":{}}"), DP_JSONL_OK);
    assert_int_equal(scan_code("{\"a\":[[[]]]}"), DP_JSONL_OK);
    const char *bad[] = {"{\"a\":[}",      "{\"a\":{]}",      "{\"a\":[1,]}", "{\"a\":1,}",
                         "{\"a\":[1 2]}",  "{\"a\":{\"b\"}}", "{\"a\" 1}",    "{\"a\":}",
                         "{a:1}",          "{\"a\":1 \"b\":2}", "{,}",        "{\"a\":[,1]}",
                         "{\"a\":1",       "{\"a\":[1",       "{\"a\":{",     "{",
                         "{\"a\":{1:2}}",  "{\"a\":[1]]}",    "{\"a\":'x'}",  "{\"a\":1}}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int code = scan_code(bad[i]);
        if (code == DP_JSONL_OK) fail_msg("accepted: %s", bad[i]);
    }
}

/* n arrays nested as the value of "a" in the top-level object, with inner inside. */
static char *nested(size_t n, const char *inner, size_t *len) {
    size_t il = strlen(inner);
    char *b = malloc(2 * n + il + 16);
    size_t k = 0;
    memcpy(b, "{\"a\":", 5);
    k = 5;
    memset(b + k, '[', n);
    k += n;
    memcpy(b + k, inner, il);
    k += il;
    memset(b + k, ']', n);
    k += n;
    b[k++] = '}';
    *len = k;
    return b;
}

static void test_deep_nesting(void **state) {
    (void)state;
    /* far too deep: an error, no stack overflow */
    size_t len;
    char *b = nested(100000, "", &len);
    scan_result r = scan_n(b, len);
    assert_int_equal(r.code, DP_JSONL_DEPTH);
    result_free(&r);
    free(b);
    b = malloc(100000);
    memset(b, '[', 100000);
    b[0] = '{';
    r = scan_n(b, 100000);
    assert_int_not_equal(r.code, DP_JSONL_OK);
    result_free(&r);
    free(b);
    /* at the limit, both sides agree with jansson exactly */
    const char *inners[] = {"", "1", "{}", "{\"b\":1}", "[]"};
    for (size_t n = DP_JSONL_MAX_DEPTH - 4; n <= DP_JSONL_MAX_DEPTH + 1; n++)
        for (size_t i = 0; i < sizeof inners / sizeof *inners; i++) {
            b = nested(n, inners[i], &len);
            json_error_t jerr;
            json_t *j = json_loadb(b, len, JSON_ALLOW_NUL, &jerr);
            r = scan_n(b, len);
            if ((r.code == DP_JSONL_OK) != (j != NULL))
                fail_msg("depth %zu inner '%s': scanner %s, jansson %s", n, inners[i],
                         dp_jsonl_strerror(r.code), j ? "ok" : jerr.text);
            assert_true(r.code == DP_JSONL_OK || r.code == DP_JSONL_DEPTH);
            json_decref(j);
            result_free(&r);
            free(b);
        }
}

static void test_whitespace(void **state) {
    (void)state;
    EXPECT_TEXT(" \t\r\n{ \t\r\n\"text\" \t\r\n: \t\r\n\"x\" \t\r\n, \"a\" : [ 1 , { } ] } \t\r\n",
                "x");
    assert_int_equal(scan_code("{\"a\":\f1}"), DP_JSONL_SYNTAX);  /* form feed is not JSON space */
    assert_int_equal(scan_code("{\"a\":1}\v"), DP_JSONL_TRAILING);
    assert_int_equal(scan_code("\xC2\xA0{}"), DP_JSONL_NOT_OBJECT);  /* nor is U+00A0 */
    assert_int_equal(scan_code("\xEF\xBB\xBF{}"), DP_JSONL_NOT_OBJECT);  /* a BOM is not skipped */
}

static void test_trailing_empty_nonobject(void **state) {
    (void)state;
    assert_int_equal(scan_code("{} x"), DP_JSONL_TRAILING);
    assert_int_equal(scan_code("{}{}"), DP_JSONL_TRAILING);
    assert_int_equal(scan_code("{\"text\":\"a\"},"), DP_JSONL_TRAILING);
    assert_int_equal(scan_code("{}  "), DP_JSONL_OK);
    assert_int_equal(scan_code(""), DP_JSONL_EMPTY);
    assert_int_equal(scan_code(" \t "), DP_JSONL_EMPTY);
    const char *nonobj[] = {"[1,2]", "\"s\"", "1", "null", "true", "]", "}", "x{}"};
    for (size_t i = 0; i < sizeof nonobj / sizeof *nonobj; i++)
        assert_int_equal(scan_code(nonobj[i]), DP_JSONL_NOT_OBJECT);
    scan_result r = scan_n("{\"a\":1}  x", 10);
    assert_int_equal(r.err_pos, 9);
    result_free(&r);
}

static void test_utf8(void **state) {
    (void)state;
    EXPECT_TEXT("{\"text\":\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF\"}",
                "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF");
    /* long enough that the word-at-a-time loop meets the multi-byte characters */
    EXPECT_TEXT("{\"text\":\"abcdefghijklmnop\xC3\xA9qrstuvwxyzabcdefghij\xE2\x82\xAC\"}",
                "abcdefghijklmnop\xC3\xA9qrstuvwxyzabcdefghij\xE2\x82\xAC");
    const char *bad[] = {
        "\xC0\x80",         /* overlong NUL */
        "\xC1\xBF",         /* overlong */
        "\xE0\x80\x80",     /* overlong */
        "\xED\xA0\x80",     /* encoded surrogate */
        "\xF0\x80\x80\x80", /* overlong */
        "\xF4\x90\x80\x80", /* above U+10FFFF */
        "\xF5\x80\x80\x80", "\xFF", "\x80", "\xC3", "\xC3(", "\xE2\x82", "\xE2\x82(",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char line[64];
        snprintf(line, sizeof line, "{\"text\":\"a%sb\"}", bad[i]);
        assert_int_equal(scan_code(line), DP_JSONL_BAD_UTF8);
        /* cut at the end of the line */
        snprintf(line, sizeof line, "{\"text\":\"a%s", bad[i]);
        assert_int_not_equal(scan_code(line), DP_JSONL_OK);
    }
    assert_int_equal(scan_code("{\"a\":\xC3\xA9}"), DP_JSONL_SYNTAX);
    assert_int_equal(scan_code("{\"a\xC3\xA9\":1}"), DP_JSONL_OK);  /* in a key it is fine */
}

static void test_keys_and_duplicates(void **state) {
    (void)state;
    /* last one wins, as in jansson */
    const char *line = "{\"text\":\"first\",\"id\":\"a\",\"text\":\"sec\\u006fnd\",\"id\":5}";
    scan_result r = scan_n(line, strlen(line));
    assert_int_equal(r.code, DP_JSONL_OK);
    assert_string_equal(r.f[F_TEXT].value, "second");
    assert_int_equal(r.f[F_ID].type, DP_JSONL_NUMBER);
    result_free(&r);
    /* a key is compared decoded; a key is not a prefix match */
    EXPECT_TEXT("{\"t\\u0065xt\":\"escaped key\",\"texts\":\"no\",\"tex\":\"no\"}", "escaped key");
    /* two slots for one name both get it; a NULL name is skipped */
    dp_jsonl_field f[3] = {{.name = "text"}, {.name = NULL}, {.name = "text"}};
    assert_int_equal(dp_jsonl_scan("{\"text\":\"x\"}", 12, f, 3, &scratch, NULL), DP_JSONL_OK);
    assert_int_equal(f[0].type, DP_JSONL_STRING);
    assert_int_equal(f[1].type, DP_JSONL_ABSENT);
    assert_int_equal(f[2].type, DP_JSONL_STRING);
    assert_int_equal(dp_jsonl_scan("{}", 2, f, DP_JSONL_MAX_FIELDS + 1, &scratch, NULL),
                     DP_JSONL_TOO_MANY);
    /* no fields at all: validation only */
    assert_int_equal(dp_jsonl_scan("{\"a\":[1]}", 9, NULL, 0, &scratch, NULL), DP_JSONL_OK);
}

static void test_scratch_bounded(void **state) {
    (void)state;
    /* Everything escaped, keys included: scratch never needs more than len + 1,
     * so it is reserved once and reused without reallocation. */
    const char *line = "{\"\\u0069d\":\"\\u0041\\n\",\"text\":\"\\\"\\\"\\\"\",\"title\":\"\\uD83D\\uDE00\","
                       "\"date\":\"\\uD800\",\"text\":\"\\t\\t\"}";
    doppel_buf own = {0};
    dp_jsonl_field f[NF] = {{.name = "id"}, {.name = "text"}, {.name = "title"}, {.name = "date"}};
    size_t len = strlen(line);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(dp_jsonl_scan(line, len, f, NF, &own, NULL), DP_JSONL_OK);
        assert_true(own.len <= len + 1);
        assert_string_equal(f[F_ID].value, "A\n");
        assert_string_equal(f[F_TEXT].value, "\t\t");
        assert_string_equal(f[F_TITLE].value, "\xF0\x9F\x98\x80");
        assert_string_equal(f[F_DATE].value, "\xEF\xBF\xBD");
    }
    size_t cap = own.cap;
    assert_int_equal(dp_jsonl_scan(line, len, f, NF, &own, NULL), DP_JSONL_OK);
    assert_int_equal(own.cap, cap);
    doppel_buf_free(&own);
}

/* Strings are scanned (and copied while decoding) in blocks of 16 or 64
 * bytes: an escape, a non-ASCII character, a raw control byte or the
 * closing quote at every offset of a string of every length up to three
 * blocks, the string itself starting at every offset of a block, must be
 * read as one byte at a time would: the expectation is built byte by byte
 * (DOPPEL_SIMD=off runs the same cases on the 16-byte path). The text is
 * decoded (copy path); "x" holds the same mark and is only skipped. */
static void test_block_edges(void **state) {
    (void)state;
    static const struct { const char *in, *out; int code; } marks[] = {
        {"\\n", "\n", DP_JSONL_OK},       {"\\\"", "\"", DP_JSONL_OK},
        {"\\u00e9", "\xC3\xA9", DP_JSONL_OK}, {"\xC3\xA9", "\xC3\xA9", DP_JSONL_OK},
        {"\x01", "", DP_JSONL_BAD_STRING}, {"\xC3", "", DP_JSONL_BAD_UTF8},
    };
    char line[1024], want[512];
    for (size_t pad = 0; pad < 64; pad += 7) {
        for (size_t blen = 0; blen <= 192; blen++) {
            for (size_t m = 0; m < sizeof marks / sizeof *marks; m++) {
                for (size_t at = 0; at <= blen; at += (blen > 80 && at + 3 < blen - 66 ? 5 : 1)) {
                    /* {"id":"xxx…","text":"aaa<mark>aaa","date":"aa…<mark>aa"} */
                    size_t n = 0, w = 0;
                    n += (size_t)sprintf(line + n, "{\"id\":\"%.*s\",\"text\":\"", (int)pad,
                                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
                    for (size_t i = 0; i <= blen; i++) {
                        if (i == at) {
                            n += (size_t)sprintf(line + n, "%s", marks[m].in);
                            w += (size_t)sprintf(want + w, "%s", marks[m].out);
                        }
                        if (i < blen) line[n++] = want[w++] = (char)('a' + i % 26);
                    }
                    char tail[256];
                    memcpy(tail, line + n - (blen - at), blen - at);
                    n += (size_t)sprintf(line + n, "\",\"x\":\"%.*s%s%.*s\"}", (int)(blen - at),
                                         tail, marks[m].in, (int)at, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
                    scan_result r = scan_n(line, n);
                    if (r.code != marks[m].code)
                        fail_msg("pad %zu len %zu mark %zu at %zu: %s, want %s: %.*s", pad, blen, m,
                                 at, dp_jsonl_strerror(r.code), dp_jsonl_strerror(marks[m].code),
                                 (int)n, line);
                    if (!r.code && (r.f[F_TEXT].len != w || memcmp(r.f[F_TEXT].value, want, w)))
                        fail_msg("pad %zu len %zu mark %zu at %zu: text '%.*s', want '%.*s'", pad,
                                 blen, m, at, (int)r.f[F_TEXT].len, r.f[F_TEXT].value, (int)w, want);
                    result_free(&r);
                }
            }
        }
    }
    /* A string that ends the line unterminated, at every length. */
    for (size_t blen = 0; blen <= 130; blen++) {
        size_t n = (size_t)sprintf(line, "{\"text\":\"");
        for (size_t i = 0; i < blen; i++) line[n++] = 'a';
        scan_result r = scan_n(line, n);
        assert_int_equal(r.code, DP_JSONL_BAD_STRING);
        result_free(&r);
        line[n++] = '\\';
        r = scan_n(line, n);
        assert_int_equal(r.code, DP_JSONL_BAD_STRING);
        result_free(&r);
    }
}

/* ---- differential test against jansson -------------------------------------------- */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(uint32_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)((rng >> 11) % n);
}

typedef struct gen {
    char *b;
    size_t len, cap;
} gen;

static void put(gen *g, const char *s, size_t n) {
    if (g->len + n + 1 > g->cap) {
        g->cap = (g->len + n + 1) * 2;
        g->b = realloc(g->b, g->cap);
        assert_non_null(g->b);
    }
    memcpy(g->b + g->len, s, n);
    g->len += n;
}
static void puts_(gen *g, const char *s) { put(g, s, strlen(s)); }

static void gen_ws(gen *g) {
    static const char *ws[] = {"", "", "", " ", "  ", "\t", "\r\n", " \n "};
    puts_(g, ws[rnd(8)]);
}

static void gen_string(gen *g) {
    static const char *pieces[] = {
        "a", "word ", "The quick brown fox ", "\\n", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\r",
        "\\t", "\\u0041", "\\u00e9", "\\u20AC", "\\u0000", "\\uD83D\\uDE00", "\\ud800\\udc00",
        "\\uD800", "\\uDC00", "\\uDBFF", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\x7F",
        "{[:,]}", "0123456789abcdef", "'", "tr\\u0075e"};
    puts_(g, "\"");
    int n = (int)rnd(12);
    if (rnd(10) == 0) n += 60;  /* long strings exercise the word loop */
    for (int i = 0; i < n; i++) puts_(g, pieces[rnd(sizeof pieces / sizeof *pieces)]);
    puts_(g, "\"");
}

static void gen_number(gen *g) {
    char tmp[64];
    size_t k = 0;
    if (rnd(3) == 0) tmp[k++] = '-';
    if (rnd(4) == 0) {
        tmp[k++] = '0';
    } else {
        int digits = 1 + (int)rnd(14);
        tmp[k++] = (char)('1' + rnd(9));
        for (int i = 1; i < digits; i++) tmp[k++] = (char)('0' + rnd(10));
    }
    if (rnd(3) == 0) {
        tmp[k++] = '.';
        for (int i = 0, n = 1 + (int)rnd(6); i < n; i++) tmp[k++] = (char)('0' + rnd(10));
    }
    if (rnd(4) == 0) {
        tmp[k++] = rnd(2) ? 'e' : 'E';
        if (rnd(2)) tmp[k++] = rnd(2) ? '+' : '-';
        for (int i = 0, n = 1 + (int)rnd(2); i < n; i++) tmp[k++] = (char)('0' + rnd(10));
    }
    put(g, tmp, k);
}

static void gen_value(gen *g, int depth);

static void gen_object(gen *g, int depth, int top) {
    static const char *keys[] = {"\"id\"", "\"text\"", "\"title\"", "\"date\"", "\"other\"",
                                 "\"t\\u0065xt\"", "\"\"", "\"x\\u00e9\"", "\"texts\"", "\"i\\u0064\""};
    puts_(g, "{");
    int n = (int)rnd(top ? 7 : 4);
    for (int i = 0; i < n; i++) {
        if (i) puts_(g, ",");
        gen_ws(g);
        puts_(g, keys[rnd(sizeof keys / sizeof *keys)]);
        gen_ws(g);
        puts_(g, ":");
        gen_ws(g);
        gen_value(g, depth + 1);
        gen_ws(g);
    }
    puts_(g, "}");
}

static void gen_value(gen *g, int depth) {
    uint32_t k = rnd(depth < 4 ? 10 : 7);
    switch (k) {
    case 0: case 1: case 2: gen_string(g); break;
    case 3: case 4: gen_number(g); break;
    case 5: puts_(g, rnd(2) ? "true" : "false"); break;
    case 6: puts_(g, "null"); break;
    case 7: case 8: gen_object(g, depth, 0); break;
    default: {
        puts_(g, "[");
        int n = (int)rnd(4);
        for (int i = 0; i < n; i++) {
            if (i) puts_(g, ",");
            gen_ws(g);
            gen_value(g, depth + 1);
            gen_ws(g);
        }
        puts_(g, "]");
    }
    }
}

static void mutate(gen *g) {
    static const unsigned char interesting[] = {'"', '\\', '{', '}', '[', ']', ':', ',', '0', '1',
                                                '-', '+', 'e', '.', ' ', 'u', 'D', 'n', 't', 0x00,
                                                0x1F, 0x0C, 0x80, 0xC3, 0xED, 0xF4, 0xFF, 'x'};
    int n = 1 + (int)rnd(3);
    for (int i = 0; i < n && g->len; i++) {
        size_t at = rnd((uint32_t)g->len);
        unsigned char c = rnd(4) ? interesting[rnd(sizeof interesting)] : (unsigned char)rnd(256);
        switch (rnd(5)) {
        case 0: /* replace */
            g->b[at] = (char)c;
            break;
        case 1: /* insert */
            put(g, "", 1);  /* grow by one */
            memmove(g->b + at + 1, g->b + at, g->len - 1 - at);
            g->b[at] = (char)c;
            break;
        case 2: /* delete */
            memmove(g->b + at, g->b + at + 1, g->len - at - 1);
            g->len--;
            break;
        case 3: /* truncate */
            g->len = at;
            break;
        default: { /* append a copy of a short span */
            size_t span = DP_MIN(g->len - at, (size_t)1 + rnd(8));
            char tmp[8];
            memcpy(tmp, g->b + at, span);
            put(g, tmp, span);
            break;
        }
        }
    }
}

/* jansson refuses lone surrogate escapes, which doppel decodes to U+FFFD:
 * rewrite them as \uFFFD (same length) so jansson decodes what doppel does.
 * Escapes are followed from the start of the line; a backslash outside a
 * string makes the line invalid for both parsers whatever is rewritten. */
static void fold_lone_surrogates(char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\\') continue;
        if (i + 1 >= len) break;
        if (s[i + 1] != 'u' || i + 6 > len || !isxdigit((unsigned char)s[i + 2]) ||
            !isxdigit((unsigned char)s[i + 3]) || !isxdigit((unsigned char)s[i + 4]) ||
            !isxdigit((unsigned char)s[i + 5])) {
            i++;  /* a two-byte escape (or an invalid one) */
            continue;
        }
        char hex[5] = {s[i + 2], s[i + 3], s[i + 4], s[i + 5], 0};
        unsigned cp = (unsigned)strtoul(hex, NULL, 16);
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 12 <= len && s[i + 6] == '\\' && s[i + 7] == 'u') {
            char lo[5] = {s[i + 8], s[i + 9], s[i + 10], s[i + 11], 0};
            char *e;
            unsigned v = (unsigned)strtoul(lo, &e, 16);
            if (e == lo + 4 && v >= 0xDC00 && v <= 0xDFFF) {
                i += 11;
                continue;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) memcpy(s + i + 2, "FFFD", 4);
        i += 5;
    }
}

typedef struct diff_stats {
    long lines, accepted, rejected, skipped_overflow;
} diff_stats;

/* Keep a failing line where it can be replayed. */
static void dump_line(const char *line, size_t len) {
    FILE *dump = fopen("/tmp/jsonl-diff-fail.bin", "wb");
    if (dump) {
        fwrite(line, 1, len, dump);
        fclose(dump);
    }
}

static void compare_field(const char *line, size_t len, const dp_jsonl_field *f, json_t *v) {
    dp_jsonl_type want = !v                  ? DP_JSONL_ABSENT
                         : json_is_string(v) ? DP_JSONL_STRING
                         : json_is_number(v) ? DP_JSONL_NUMBER
                                             : DP_JSONL_OTHER;
    int same = f->type == want;
    if (same && want == DP_JSONL_STRING)
        same = f->len == json_string_length(v) && !memcmp(f->value, json_string_value(v), f->len);
    if (same && want == DP_JSONL_NUMBER) {
        char tmp[64];
        assert_true(f->len < sizeof tmp);
        memcpy(tmp, f->value, f->len);
        tmp[f->len] = 0;
        same = json_is_integer(v) ? strtoll(tmp, NULL, 10) == json_integer_value(v)
                                  : strtod(tmp, NULL) == json_real_value(v);
    }
    if (!same) {
        dump_line(line, len);
        fail_msg("field %s differs from jansson (line in /tmp/jsonl-diff-fail.bin)", f->name);
    }
}

static void differential_one(const char *line, size_t len, diff_stats *st) {
    char *ref = malloc(len + 1);
    memcpy(ref, line, len);
    fold_lone_surrogates(ref, len);
    json_error_t jerr;
    json_t *j = json_loadb(ref, len, JSON_ALLOW_NUL, &jerr);
    free(ref);
    st->lines++;
    if (!j && (strstr(jerr.text, "too big") || strstr(jerr.text, "overflow"))) {
        /* a number out of jansson's range: doppel takes its text as written */
        st->skipped_overflow++;
        return;
    }
    scan_result r = scan_n(line, len);
    /* A raw NUL byte is never JSON (a control character in a string, not
     * whitespace outside), but jansson 2.14 drops one that follows a number
     * or a literal: there doppel is right to refuse. */
    int jok = j && json_is_object(j) && !memchr(line, 0, len);
    if (jok != (r.code == DP_JSONL_OK)) {
        dump_line(line, len);
        fprintf(stderr, "line (%zu bytes): ", len);
        fwrite(line, 1, len, stderr);
        fprintf(stderr, "\njansson: %s (col %d)\ndoppel: %s at %zu\n", j ? "ok" : jerr.text,
                j ? 0 : jerr.column, dp_jsonl_strerror(r.code), r.err_pos);
        fail_msg("accept/reject differs from jansson");
    }
    if (jok) {
        st->accepted++;
        for (int i = 0; i < NF; i++) compare_field(line, len, &r.f[i], json_object_get(j, r.f[i].name));
    } else {
        st->rejected++;
    }
    json_decref(j);
    result_free(&r);
}

static void test_differential(void **state) {
    (void)state;
    diff_stats st = {0};
    gen g = {0};
    for (int i = 0; i < 100000; i++) {
        g.len = 0;
        gen_ws(&g);
        gen_object(&g, 0, 1);
        gen_ws(&g);
        if (rnd(10) < 6) mutate(&g);
        differential_one(g.b, g.len, &st);
    }
    free(g.b);
    print_message("differential: %ld lines, %ld accepted, %ld rejected, %ld number overflows "
                  "skipped\n",
                  st.lines, st.accepted, st.rejected, st.skipped_overflow);
    /* both sides of the boundary are exercised */
    assert_true(st.accepted > 30000 && st.rejected > 30000);
    assert_true(st.skipped_overflow < st.lines / 100);
}

/* The real corpus, when it is there: every line is accepted with the same values. */
static void test_corpus_lines(void **state) {
    (void)state;
    FILE *f = fopen(SHARED_DIR "/data/reuters21578/docs.jsonl", "rb");
    if (!f) skip();
    diff_stats st = {0};
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0 && st.lines < 5000) {
        if (line[n - 1] == '\n') n--;
        differential_one(line, (size_t)n, &st);
    }
    free(line);
    fclose(f);
    assert_int_equal(st.rejected, 0);
}

static int teardown(void **state) {
    (void)state;
    doppel_buf_free(&scratch);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_block_edges),
        cmocka_unit_test(test_lone_surrogates),
        cmocka_unit_test(test_nul),
        cmocka_unit_test(test_control_chars),
        cmocka_unit_test(test_zero_copy),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_literals),
        cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_whitespace),
        cmocka_unit_test(test_trailing_empty_nonobject),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_keys_and_duplicates),
        cmocka_unit_test(test_scratch_bounded),
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_corpus_lines),
    };
    return cmocka_run_group_tests(tests, NULL, teardown);
}
