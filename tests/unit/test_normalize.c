/* Normalization: what users rely on is that trivial differences vanish and
 * bad bytes never crash or leak into the output. */
#include "testutil.h"
#include "base/internal.h"

static char *norm(const char *s, size_t len, doppel_norm_stats *st) {
    static doppel_buf b;
    assert_int_equal(doppel_normalize(s, len, &b, st), DOPPEL_OK);
    return b.data;
}
#define N(s) norm((s), strlen(s), NULL)

static void test_case_and_space(void **state) {
    (void)state;
    assert_string_equal(N("  Hello,\tWORLD!\n\n New  line "), "hello world new line");
    assert_string_equal(N(""), "");
    assert_string_equal(N(" \t\n"), "");
}

static void test_punctuation_rules(void **state) {
    (void)state;
    assert_string_equal(N("U.S. officials don't say 1,234.5"), "us officials dont say 12345");
    assert_string_equal(N("long-term and/or (maybe)"), "long term and or maybe");
    /* typographic quotes and dashes fold like their ASCII forms */
    assert_string_equal(N("\xE2\x80\x9CIt\xE2\x80\x99s\xE2\x80\x9D \xE2\x80\x94 a test"),
                        N("\"It's\" - a test"));
}

static void test_unicode_forms(void **state) {
    (void)state;
    char a[64], b[64];
    /* composed e-acute vs e + combining acute */
    strcpy(a, N("caf\xC3\xA9"));
    strcpy(b, N("cafe\xCC\x81"));
    assert_string_equal(a, b);
    /* ligature fi and full-width letters fold under NFKC */
    assert_string_equal(N("\xEF\xAC\x81nd"), "find");
    assert_string_equal(N("\xEF\xBC\xA1\xEF\xBC\xA2\xEF\xBC\xA3"), "abc");
    /* case folding beyond ASCII: German sharp s folds to ss */
    assert_string_equal(N("STRASSE stra\xC3\x9F" "e"), "strasse strasse");
}

static void test_invalid_bytes(void **state) {
    (void)state;
    doppel_norm_stats st = {0};
    const char bad[] = "ok\xFF\xFEword \xC3 end \xED\xA0\x80 sur";
    assert_string_equal(norm(bad, sizeof bad - 1, &st), "ok word end sur");
    assert_true(st.invalid_utf8 >= 4);
    doppel_norm_stats st2 = {0};
    const char nul[] = "a\0b\0\0c";
    assert_string_equal(norm(nul, sizeof nul - 1, &st2), "a b c");
    assert_int_equal(st2.nul_bytes, 3);
}

static void test_output_is_valid_utf8(void **state) {
    (void)state;
    /* Every byte value in every position: output must stay valid UTF-8. */
    char buf[512];
    for (int i = 0; i < 512; i++) buf[i] = (char)((i * 131) & 0xFF);
    doppel_norm_stats st = {0};
    const char *out = norm(buf, sizeof buf, &st);
    const unsigned char *p = (const unsigned char *)out;
    while (*p) {
        int n = *p < 0x80 ? 1 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        for (int k = 1; k < n; k++) assert_int_equal(p[k] & 0xC0, 0x80);
        p += n;
    }
}

/* Found by fuzz_normalize: a symbol or an invalid byte before the first word
 * left a pending break that the ASCII loop wrote as a leading space (and a
 * second normalization then removed it: not idempotent). */
static void test_no_leading_space_after_symbol(void **state) {
    (void)state;
    assert_string_equal(N("\xF0\x9F\x98\x80 flag"), "flag");
    assert_string_equal(N("\xE2\x80\x94 dash first"), "dash first");
    assert_string_equal(N("\xFF word"), "word");
    assert_string_equal(N("\xC2\xA9\xC2\xA9 x \xC2\xA9"), "x");
    char once[64];
    strcpy(once, N("\xF0\x9F\x98\x80\xF0\x9F\x87\xA9 family \xE2\x80\x8D z"));
    assert_string_equal(N(once), once);
}

/* Found by fuzz_normalize: a dropped period between Hangul jamo (or an
 * apostrophe between a letter and its accent) joined characters NFKC had
 * seen apart, so a second normalization composed them: not idempotent. */
static void test_drop_then_compose(void **state) {
    (void)state;
    const char *in[] = {"\xE1\x84\x80\xE1\x85\xA1.\xE1\x86\xA8",  /* jamo . jamo */
                        "e'\xCC\x81", "e'\xCC\x81\xCC\xA7", "l'\xC3\xA9t\xC3\xA9 a,\xCC\x8A"};
    for (size_t i = 0; i < sizeof in / sizeof *in; i++) {
        char once[64];
        strcpy(once, N(in[i]));
        assert_string_equal(N(once), once);
    }
    assert_string_equal(N("\xE1\x84\x80\xE1\x85\xA1.\xE1\x86\xA8"), "\xEA\xB0\x81");
    assert_string_equal(N("e'\xCC\x81"), "\xC3\xA9");
    assert_string_equal(N("l'\xC3\xA9t\xC3\xA9"), "l\xC3\xA9t\xC3\xA9");
}

/* The 16- and 64-byte ASCII block paths must write exactly what the byte
 * loop writes, and count the same NULs and invalid bytes: random texts drawn
 * from pieces chosen to meet at block edges (runs of breaks, dropped bytes,
 * NUL, a non-ASCII word after ASCII ones, invalid bytes). */
static const char *const pieces[] = {
    "a", "Z", "q", "7", "word", "Longer", "THE", " ", " ", "  ", "\n\n", "\t", ".", ",", "'",
    "U.S.", "don't", "1,234.5", "-", "/", "(", "\"", "!", "?", "\0", "\x7F", "e\xCC\x81",
    "caf\xC3\xA9", "\xE2\x80\x99", "\xE2\x80\x94", "\xEF\xAC\x81", "\xFF", "\xC3",
    "\xF0\x9F\x98\x80",
    "\xE1\x84\x80\xE1\x85\xA1", ".\xE1\x86\xA8", "stra\xC3\x9F" "e"};

/* A piece that is not all ASCII is taken one time in non_ascii_odds (never
 * when 0). */
static size_t random_text(char *buf, size_t cap, unsigned *seed, unsigned non_ascii_odds) {
    size_t n = 0, want = (size_t)(rand_r(seed) % (cap / 4));
    size_t npieces = sizeof pieces / sizeof *pieces;
    while (n < want) {
        const char *p = pieces[(size_t)rand_r(seed) % npieces];
        size_t k = *p ? strlen(p) : 1;  /* "\0" is one NUL byte */
        int ascii = 1;
        for (size_t j = 0; j < k; j++) ascii &= (unsigned char)p[j] < 0x80;
        if (!ascii && (!non_ascii_odds || rand_r(seed) % non_ascii_odds)) continue;
        memcpy(buf + n, p, k);
        n += k;
    }
    return n;
}

static void check_same_as_bytewise(unsigned rounds, unsigned non_ascii_odds) {
    static char text[1024];
    doppel_buf fast = {0}, slow = {0};
    unsigned seed = 12345u + non_ascii_odds;
    for (unsigned r = 0; r < rounds; r++) {
        size_t len = random_text(text, sizeof text, &seed, non_ascii_odds);
        doppel_norm_stats sf = {0}, ss = {0};
        assert_int_equal(doppel_normalize(text, len, &fast, &sf), DOPPEL_OK);
        assert_int_equal(dp_normalize_bytewise(text, len, &slow, &ss), DOPPEL_OK);
        assert_int_equal(fast.len, slow.len);
        assert_memory_equal(fast.data, slow.data, fast.len + 1);
        assert_int_equal(sf.nul_bytes, ss.nul_bytes);
        assert_int_equal(sf.invalid_utf8, ss.invalid_utf8);
    }
    doppel_buf_free(&fast);
    doppel_buf_free(&slow);
}

static void test_blocks_match_bytewise_ascii(void **state) {
    (void)state;
    check_same_as_bytewise(20000, 0);
}

static void test_blocks_match_bytewise_mixed(void **state) {
    (void)state;
    check_same_as_bytewise(20000, 1);
}

/* Whole ASCII blocks, now and then a word that is not: a word that a
 * 64-byte block began and utf8proc must redo from its start. */
static void test_blocks_match_bytewise_mostly_ascii(void **state) {
    (void)state;
    check_same_as_bytewise(20000, 30);
}

/* doppel_normalize (the block path where the CPU has one) gives the byte
 * loop's text for text[0..len). */
static void assert_as_bytewise(const char *text, size_t len, doppel_buf *fast, doppel_buf *slow) {
    assert_int_equal(doppel_normalize(text, len, fast, NULL), DOPPEL_OK);
    assert_int_equal(dp_normalize_bytewise(text, len, slow, NULL), DOPPEL_OK);
    assert_int_equal(fast->len, slow->len);
    assert_memory_equal(fast->data, slow->data, fast->len);
}

/* Every ASCII byte at every position of a 16- and a 64-byte block (and
 * across the first edge of each), after every kind of preceding byte: the
 * block classes must be the byte loop's. */
static void test_blocks_every_ascii_byte(void **state) {
    (void)state;
    doppel_buf fast = {0}, slow = {0};
    char text[140];
    const char before[] = {'a', ' ', '.', 'A', '\0', '-'};
    for (unsigned b = 0; b < sizeof before; b++)
        for (unsigned c = 0; c < 128; c++)
            for (unsigned pos = 0; pos < 70; pos++) {
                memset(text, 'x', sizeof text);
                text[5] = ' ';
                text[pos] = before[b];
                text[pos + 1] = (char)c;
                assert_as_bytewise(text, sizeof text, &fast, &slow);
            }
    doppel_buf_free(&fast);
    doppel_buf_free(&slow);
}

/* A 64-byte block without a word byte (a long run of breaks and dropped
 * bytes) after a word, or after a run that began before it, then an ASCII or
 * a non-ASCII word: the space owed after the first word must survive. */
static void test_blocks_without_words(void **state) {
    (void)state;
    doppel_buf fast = {0}, slow = {0};
    char text[300];
    const char *const after[] = {"next", "caf\xC3\xA9", "x\xE2\x80\x94y", ""};
    for (unsigned lead = 0; lead < 70; lead++)
        for (unsigned run = 60; run < 140; run += 4)
            for (unsigned a = 0; a < sizeof after / sizeof *after; a++) {
                size_t len = 0;
                for (unsigned k = 0; k < lead; k++) text[len++] = k % 5 == 4 ? ' ' : 'w';
                for (unsigned k = 0; k < run; k++) text[len++] = " .-\n,"[(k + lead) % 5];
                memcpy(text + len, after[a], strlen(after[a]));
                len += strlen(after[a]);
                assert_as_bytewise(text, len, &fast, &slow);
            }
    doppel_buf_free(&fast);
    doppel_buf_free(&slow);
}

/* A word longer than a block (whole 64-byte blocks without a break, and
 * dropped bytes inside) that ends in a non-ASCII letter: utf8proc must redo
 * it from the last break, which an earlier block held; ascii_blocks64 works
 * out where that word began only once, after its loop. */
static void test_blocks_long_word_then_unicode(void **state) {
    (void)state;
    doppel_buf fast = {0}, slow = {0};
    char text[400];
    for (unsigned lead = 0; lead < 80; lead++)
        for (unsigned word = 1; word < 200; word += 3) {
            size_t len = 0;
            for (unsigned k = 0; k < lead; k++) text[len++] = k % 6 == 5 ? ' ' : "Ab.9"[k % 4];
            for (unsigned k = 0; k < word; k++) text[len++] = k % 17 == 16 ? '.' : 'w';
            memcpy(text + len, "\xC3\xA9 end", 6);
            len += 6;
            assert_as_bytewise(text, len, &fast, &slow);
        }
    doppel_buf_free(&fast);
    doppel_buf_free(&slow);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_and_space),
        cmocka_unit_test(test_punctuation_rules),
        cmocka_unit_test(test_unicode_forms),
        cmocka_unit_test(test_invalid_bytes),
        cmocka_unit_test(test_output_is_valid_utf8),
        cmocka_unit_test(test_no_leading_space_after_symbol),
        cmocka_unit_test(test_drop_then_compose),
        cmocka_unit_test(test_blocks_match_bytewise_ascii),
        cmocka_unit_test(test_blocks_match_bytewise_mixed),
        cmocka_unit_test(test_blocks_match_bytewise_mostly_ascii),
        cmocka_unit_test(test_blocks_without_words),
        cmocka_unit_test(test_blocks_every_ascii_byte),
        cmocka_unit_test(test_blocks_long_word_then_unicode),
    };
    return cmocka_run_group_tests_name("normalize", tests, NULL, NULL);
}
