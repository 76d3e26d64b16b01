/*
 * test_extract_parser.c — what the HTML reader must get right whatever
 * parser reads the page (doppel's own tokenizer since issue 17, libxml2
 * and gumbo before; its rules one by one in test_extract_tokenizer.c):
 * entities, charsets, raw text and invisible elements, unclosed paragraphs
 * and list items, tables, NUL bytes, broken tags, the attributes read and
 * skipped, and silence on stderr.
 */
#include "testutil.h"

#include "base/internal.h"

#include <fcntl.h>
#include <unistd.h>

#include "htmlharness.h"


static void test_entities(void **state) {
    (void)state;
    doppel_extract_result r = run_str(
        "<html><body><p>" PROSE1 " Fish &amp; chips &lt;b&gt; caf&eacute; &#233;t&#xE9; "
        "&rsquo;quoted&ldquo; &hellip; 5&nbsp;km &copy; &mdash; end. (AP) &#151; &#131;x &#129;.</p><p>" PROSE2
        "</p></body></html>");
    assert_has(r, "Fish & chips <b> caf\xC3\xA9 \xC3\xA9t\xC3\xA9 \xE2\x80\x99quoted\xE2\x80\x9C "
                  "\xE2\x80\xA6 5 km \xC2\xA9 \xE2\x80\x94 end.");
    /* References to 0x80-0x9F mean windows-1252, as HTML5 reads them. */
    assert_has(r, "(AP) \xE2\x80\x94 \xC6\x92x \xC2\x81.");
}

/* The input is UTF-8 whatever a meta tag says (latin-1 pages are
 * converted first); invalid bytes become U+FFFD, not a latin-1 reading of
 * the rest of the page. */
static void test_utf8_and_charset(void **state) {
    (void)state;
    doppel_extract_result r = run_str(
        "<html><head><meta charset=\"shift_jis\"></head><body><p>" PROSE1
        " Caf\xC3\xA9 na\xC3\xAFve \xE6\x97\xA5\xE6\x9C\xAC.</p><p>bad \xFF byte then " PROSE2
        " \xC3\xBC.</p></body></html>");
    assert_has(r, "Caf\xC3\xA9 na\xC3\xAFve \xE6\x97\xA5\xE6\x9C\xAC.");
    assert_has(r, "\xEF\xBF\xBD byte then");
    assert_has(r, "start. \xC3\xBC.");
    assert_int_equal(dp_utf8_first_invalid(r.text, r.text_len), r.text_len);
}

static void test_raw_and_invisible(void **state) {
    (void)state;
    doppel_extract_result r = run_str(
        "<html><head><style>p { color: red } </p> SHOWNSTYLE</style>"
        "<script>var a = '<p>SHOWNSCRIPT</p>'; if (a < b) {}</script></head><body>"
        "<script><!-- document.write('<div>SHOWNESCAPED</div>'); //--></script>"
        "<p>" PROSE1 "</p><!-- <p>SHOWNCOMMENT " PROSE2 "</p> -->"
        "<noscript><p>SHOWNNOSCRIPT please enable javascript to read this page properly.</p></noscript>"
        "<template><p>SHOWNTEMPLATE " PROSE2 "</p></template>"
        "<div style=\"display: none\"><p>SHOWNNONE " PROSE2 "</p></div>"
        "<div hidden><p>SHOWNHIDDEN " PROSE2 "</p></div>"
        "<div aria-hidden=\"true\"><p>SHOWNARIA " PROSE2 "</p></div>"
        "<p>" PROSE2 "</p></body></html>");
    assert_has(r, PROSE1);
    assert_has(r, PROSE2);
    const char *never[] = {"SHOWNSTYLE", "SHOWNSCRIPT", "SHOWNESCAPED", "SHOWNCOMMENT",
                           "SHOWNNOSCRIPT", "SHOWNTEMPLATE", "SHOWNNONE", "SHOWNHIDDEN",
                           "SHOWNARIA"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) assert_lacks(r, never[i]);
}

/* Unclosed <p> and <li> end where the next one starts: each is a
 * paragraph of its own. Table cells are blocks. */
static void test_unclosed_and_tables(void **state) {
    (void)state;
    doppel_extract_result r = run_str(
        "<html><body><div class=\"story\"><p>" PROSE1 "<p>" PROSE2
        "<ul><li>First item of the list of works planned for the quay this year"
        "<li>Second item of the list of works planned for the quay this year</ul>"
        "<table><tr><td>The first cell of the table holds a sentence, as the report on the "
        "harbour said.<td>Second cell of the table holds a sentence too, as "
        "the report on the harbour said.</table></div></body></html>");
    assert_has(r, PROSE1 "\n\n" PROSE2);
    assert_has(r, "this year\n\nSecond item");
    assert_has(r, "harbour said.\n\nSecond cell");
}

/* A NUL byte ends the page for libxml2; HTML5 ignores it. */
static void test_nul_byte(void **state) {
    (void)state;
    static const char doc[] = "<html><body><table><tr><td>x</td></tr></table>\0<p>" PROSE1
                              "</p><p>" PROSE2 "</p></body></html>";
    doppel_extract_result r = run(doc, sizeof doc - 1);
    assert_has(r, PROSE1);
    assert_has(r, PROSE2);
}

/* Attributes read and skipped: a quoted '>' in a skipped attribute,
 * newlines in one (line numbers), and the attributes metadata and chrome
 * names are read from. */
static void test_attributes(void **state) {
    (void)state;
    opt.explain = 1;
    doppel_extract_result r = run_str(
        "<html><head><meta property=\"og:title\" data-x=\"a>b\" content=\"The Breakwater\">"
        "<link rel=\"canonical\" href=\"https://example.org/a\">"
        "<meta name=\"description\" content=\"About the harbour\"></head><body>\n"
        "<div class=\"sidebar\" onclick=\"if (a > b) go('<p>')\">Sidebar links and more links</div>\n"
        "<p data-long=\"one\ntwo\nthree\" title='x > y'>" PROSE1 "</p>\n"
        "<p>" PROSE2 "</p><time datetime=\"2008-01-15\">Jan 15</time></body></html>");
    assert_string_equal(r.title, "The Breakwater");
    assert_string_equal(r.url, "https://example.org/a");
    assert_string_equal(r.description, "About the harbour");
    assert_lacks(r, "Sidebar links");
    assert_lacks(r, "go(");
    int found = 0;
    for (size_t i = 0; i < r.num_dropped; i++)
        if (strstr(r.dropped[i].text, "Sidebar links")) {
            assert_int_equal(r.dropped[i].line, 2);
            found = 1;
        }
    assert_true(found);
    assert_has(r, PROSE1);
    opt.explain = 0;
}

/* A page cut in the middle of a tag or a quoted value is read up to there. */
static void test_truncated(void **state) {
    (void)state;
    const char *cuts[] = {"<p class=\"x", "<p class=\"x\" ", "<!-- never closed", "<scr",
                          "<script>var x = 1;", "<a href='", "<"};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        char doc[1024];
        snprintf(doc, sizeof doc, "<html><body><p>%s</p><p>%s</p>%s", PROSE1, PROSE2, cuts[i]);
        doppel_extract_result r = run_str(doc);
        assert_has(r, PROSE1);
        assert_has(r, PROSE2);
    }
}

/* The parser prints nothing, however broken the page. */
static void test_silent(void **state) {
    (void)state;
    fflush(stderr);
    int saved = dup(2);
    char path[] = "/tmp/doppel_parser_stderr_XXXXXX";
    int fd = mkstemp(path);
    assert_true(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    run_str("<html><head><meta charset=\"iso-8859-1\"><title>x</title></head><body>"
            "<p>caf\xE9 \xFF\xFE <b><i>x</b></i> &bogus; &#xFFFFFFFFFF; </tabl <tr>"
            "<p \"weird\"=1 a=b=c>" PROSE1 "</p></table></td></html></body><p>after</p>");
    run_str("\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-16\"?><!DOCTYPE html><html "
            "xmlns:foo=\"x\"><foo:bar>t</foo:bar><p>" PROSE2 "</p>");
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    off_t size = lseek(fd, 0, SEEK_END);
    close(fd);
    unlink(path);
    assert_int_equal(size, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entities),       cmocka_unit_test(test_utf8_and_charset),
        cmocka_unit_test(test_raw_and_invisible), cmocka_unit_test(test_unclosed_and_tables),
        cmocka_unit_test(test_nul_byte),       cmocka_unit_test(test_attributes),
        cmocka_unit_test(test_truncated),      cmocka_unit_test(test_silent),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
