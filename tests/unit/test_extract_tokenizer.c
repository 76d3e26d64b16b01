/*
 * test_extract_tokenizer.c — the rules of doppel's HTML tokenizer and tree
 * construction (src/extract/htmltok.c, htmltree.c), each asserted on the
 * text `doppel_extract` keeps: raw text and RCDATA elements (an unclosed
 * <title>, a script holding "</div>"), attribute syntax, case, '<' in text,
 * character references, implied end tags, stray end tags, self-closing
 * tags, deep nesting, NUL bytes and invalid UTF-8.
 */
#include "testutil.h"

#include <time.h>

#include "htmlharness.h"

#define PROSE3 "Fishermen who moor their boats at the quay have asked for a second slipway, " \
               "which the authority said it would consider once the breakwater was finished."

/* A <title> never closed ends at its line: the page is not swallowed, its
 * first paragraph is kept (it was lost with libxml2), and the page is
 * flagged as repaired. */
static void test_unclosed_title(void **state) {
    (void)state;
    doppel_extract_result r = run_str(
        "<html><head><title>Pier news\nvar junk = 1;</head><body><div>"
        "<p>" PROSE1 "</p><p>" PROSE2 "</p><p>" PROSE3 "</p></div></body></html>");
    assert_string_equal(r.title, "Pier news");
    assert_true(r.flags & DOPPEL_EXTRACT_HTML_REPAIRED);
    assert_has(r, PROSE1);
    assert_has(r, PROSE3);
    /* A closed title is RCDATA: a tag in it is text, a reference decoded. */
    r = run_str("<title>Tides &amp; <b>storms</b></title><p>" PROSE1 "</p>");
    assert_string_equal(r.title, "Tides & <b>storms</b>");
    assert_false(r.flags & DOPPEL_EXTRACT_HTML_REPAIRED);
    /* A <textarea> never closed does not swallow the page either. */
    r = run_str("<body><form><textarea>type here</form><p>" PROSE1 "</p><p>" PROSE2 "</p>");
    assert_has(r, PROSE1);
    assert_lacks(r, "type here");
}

/* Every unclosed <textarea> looks for its end tag; the page is searched
 * once, not once per tag (60,000 of them took 15 s of CPU before). */
static void test_many_unclosed_textareas(void **state) {
    (void)state;
    size_t n = 60000, len = 0;
    char *doc = malloc(n * 16 + 1024);
    assert_non_null(doc);
    len += (size_t)sprintf(doc, "<body><p>" PROSE1 "</p>");
    for (size_t i = 0; i < n; i++) len += (size_t)sprintf(doc + len, "<textarea>x ");
    clock_t t0 = clock();
    doppel_extract_result r = run(doc, len);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    assert_has(r, PROSE1);
    if (secs > 5) fail_msg("60,000 unclosed <textarea> took %.1f s", secs);
    free(doc);
}

/* <script> and <style> are raw text to their own end tag, whatever they
 * hold; their text is never shown. */
static void test_raw_text(void **state) {
    (void)state;
    doppel_extract_result r = run_str(
        "<div><p>" PROSE1 "</p><script>var s = \"</div><p>script words</p>\"; if (a<b) x();"
        "</script ><style>p:after { content: \"</p>style words\" }</STYLE><p>" PROSE2
        "</p></div><script>document.write('<!-- <script>');</script><p>" PROSE3 "</p>");
    assert_has(r, PROSE1 "\n\n" PROSE2);
    assert_has(r, PROSE3);
    assert_lacks(r, "script words");
    assert_lacks(r, "style words");
    assert_lacks(r, "document.write");
    /* A script never closed runs to the end of the page (as in HTML5). */
    r = run_str("<p>" PROSE1 "</p><script>var a = '<p>tail words</p>';");
    assert_has(r, PROSE1);
    assert_lacks(r, "tail words");
}

/* A <script> whose attribute quote is left open (a spliced crawl) ends at
 * its own </script>, not at a later one over the article; a script whose
 * quoted value merely holds a '>' keeps it. */
static void test_script_open_quote(void **state) {
    (void)state;
    doppel_extract_result r = run_str(
        "<html><head><script src=\"/te.color='yellow';\n}\n//-->\n</script>\n"
        "<script>var tabs = [\"tab1\"];</script></head><body><div><p>" PROSE1
        "</p><p>" PROSE2 "</p></div><script>var z = 1;</script><p>" PROSE3 "</p></body></html>");
    assert_has(r, PROSE1 "\n\n" PROSE2);
    assert_has(r, PROSE3);
    assert_lacks(r, "tab1");
    assert_lacks(r, "yellow");
    r = run_str("<div><script data-x=\"a > b\">var s = 1;</script><p>" PROSE1 "</p></div>");
    assert_has(r, PROSE1);
    assert_lacks(r, "var s");
}

/* Attribute values quoted, single-quoted (with '>' inside), unquoted or
 * missing; names in any case; the first of two equal names wins. */
static void test_attributes(void **state) {
    (void)state;
    doppel_extract_result r = run_str(
        "<div data-x=\"a > b\" class=sidebar><p>Chrome words in an unquoted class</p></div>"
        "<div title='x > y' STYLE=display:none><p>Hidden by an unquoted style</p></div>"
        "<div hidden><p>Hidden by a bare attribute</p></div>"
        "<div aria-hidden = \"true\" ><p>Hidden with spaces around the equals sign</p></div>"
        "<div class=\"story\" class=\"sidebar\"><p>" PROSE1 "</p></div>"
        "<p><a href=/news/quay/>the quay</a> " PROSE2 "</p>");
    assert_lacks(r, "unquoted style");
    assert_lacks(r, "bare attribute");
    assert_lacks(r, "spaces around");
    assert_has(r, PROSE1);
    /* "href=/news/quay/>" is an unquoted value, not a self-closing tag. */
    assert_has(r, "the quay " PROSE2);
    r = run_str("<html><head><META PROPERTY=og:title CONTENT='Fish &amp; chips &copy=1 &copy 2024'>"
                "</head><body><p>" PROSE1 "</p></body></html>");
    assert_string_equal(r.title, "Fish & chips &copy=1 \xC2\xA9 2024");
}

/* Tag names in any case; '<' that starts no tag is text. */
static void test_case_and_lt(void **state) {
    (void)state;
    doppel_extract_result r = run_str(
        "<HTML><BODY><DIV><P>" PROSE1 " If a < b and 3<4, then <3 is a heart and a <= b; "
        "</ x> and <> stay.</P><SCRIPT>hidden()</SCRIPT><P>" PROSE2 "</p></DiV></BODY></HTML>");
    assert_has(r, "If a < b and 3<4, then <3 is a heart and a <= b; and <> stay.");
    assert_has(r, PROSE2);
    assert_lacks(r, "hidden()");
}

/* Character references: numeric (decimal, hex, without ';', invalid ones
 * as U+FFFD, 0x80-0x9F as windows-1252), named (with ';', the legacy ones
 * without), unknown ones left as written. The scorer is off: the symbols
 * would make the paragraph a prompt. */
static void test_references(void **state) {
    (void)state;
    opt.boilerplate = 0;
    doppel_extract_result r = run_str(
        "<p>" PROSE1 " [&#65;&#x42;&#67 &#0; &#xD800; &#x110000; &#99999999999; &#128; &#x97;]"
        " [&amp;&lt;&gt;&quot;&hellip;&rsquo;] [&copy2024 &ampx &bogus; &notit; &#; &#x; & ;]</p>");
    assert_has(r, "[ABC \xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD \xE2\x82\xAC "
                  "\xE2\x80\x94]");
    assert_has(r, "[&<>\"\xE2\x80\xA6\xE2\x80\x99]");
    /* As HTML5: the longest legacy name that starts the word ("&notit;" is
     * "\xC2\xAC" "it;"). */
    assert_has(r, "[\xC2\xA9" "2024 &x &bogus; \xC2\xAC" "it; &#; &#x; & ;]");
    /* &nbsp; and &nbsp without ';' are spaces to a reader. */
    r = run_str("<p>" PROSE1 " five&nbsp;km and six&nbspkm.</p>");
    opt.boilerplate = 1;
    assert_has(r, "five km and six km.");
}

/* End tags left out: <p> by a block start, <li> by <li>, <dt>/<dd> by
 * each other, cells by cells and rows, <option> by <option>. */
static void test_implied_ends(void **state) {
    (void)state;
    opt.boilerplate = 0;
    doppel_extract_result r = run_str(
        "<body><p>" PROSE1 "<div>" PROSE2 "</div><p>" PROSE3
        "<ul><li>First item of the list<li>Second item of the list</ul>"
        "<dl><dt>Term one<dd>Meaning one<dt>Term two</dl>"
        "<table><tr><td>Cell one<td>Cell two<tr><td>Cell three</table>"
        "<select><option>Option one<option>Option two</select><p>Last</body>");
    opt.boilerplate = 1;
    assert_has(r, PROSE1 "\n\n" PROSE2 "\n\n" PROSE3 "\n\nFirst item of the list\n\n"
                  "Second item of the list\n\nTerm one\n\nMeaning one\n\nTerm two\n\n"
                  "Cell one\n\nCell two\n\nCell three\n\nLast");
}

/* An end tag with no open element of its name is ignored, one with an
 * open element closes it and what was opened inside it; a stray </p> is an
 * empty paragraph (HTML5), </br> a <br>. */
static void test_stray_end_tags(void **state) {
    (void)state;
    opt.boilerplate = 0;
    doppel_extract_result r = run_str(
        "<body><div><p>" PROSE1 "</span></table></li> continues here.</p>"
        "<p><b>bold <i>both</b> italic</i> end.</p>"
        "<div><span>Inner text</div> after the div</div>"
        "Before a stray end tag.</p>After it.</br>Next line.</body>");
    opt.boilerplate = 1;
    assert_has(r, PROSE1 " continues here.");
    assert_has(r, "bold both italic end.");
    assert_has(r, "Inner text\n\nafter the div");
    assert_has(r, "Before a stray end tag.\n\nAfter it.\nNext line.");
    assert_true(r.flags & DOPPEL_EXTRACT_HTML_REPAIRED);
}

/* "<x/>" closes x at once: an anchor written "<a name=x/>" does not make
 * the paragraph after it link text, "<div/>" does not wrap the page. */
static void test_self_closing(void **state) {
    (void)state;
    doppel_extract_result r = run_str(
        "<body><div class=\"clear\"/><p><a name=\"top\"/>" PROSE1 "</p><p>" PROSE2 "</p>"
        "<br/>text<br /></body>");
    assert_has(r, PROSE1 "\n\n" PROSE2);
}

/* Comments, doctypes, processing instructions, CDATA sections and "<!...>"
 * give no text. */
static void test_markup_skipped(void **state) {
    (void)state;
    doppel_extract_result r = run_str(
        "<?xml version=\"1.0\"?><!DOCTYPE html><html><body><p>" PROSE1
        "<!-- <p>comment words</p> --><!--><!--->"
        "<![CDATA[ cdata words ]]><!PARA2!> still the paragraph.</p>"
        "<p>" PROSE2 "</p><!-- never closed <p>tail words</p>");
    assert_has(r, PROSE1 " still the paragraph.");
    assert_has(r, PROSE2);
    assert_lacks(r, "comment words");
    assert_lacks(r, "cdata words");
    assert_lacks(r, "PARA2");
    assert_lacks(r, "tail words");
}

/* A page that writes its <body> from a script and in <noscript> in the
 * head still has a body; text in <head> starts the body. */
static void test_head_and_body(void **state) {
    (void)state;
    doppel_extract_result r = run_str(
        "<html><head><title>Quay</title><script>document.write('<body>')</script>"
        "<noscript><body id=\"story\"></noscript><div><p>" PROSE1 "</p><p>" PROSE2
        "</p></div></body></html>");
    assert_has(r, PROSE1);
    assert_string_equal(r.title, "Quay");
    r = run_str("<html><head><meta name=description content=x>Loose " PROSE1 "<p>" PROSE2);
    assert_has(r, "Loose " PROSE1);
}

/* Deep nesting: pages deeper than the tree allows are read by the tag
 * stripper, others by the tree; nothing overflows. */
static void test_deep_nesting(void **state) {
    (void)state;
    size_t n = 5000, len = 0;
    char *doc = malloc(n * 24 + 1024);
    assert_non_null(doc);
    for (size_t i = 0; i < n; i++) len += (size_t)sprintf(doc + len, "<div><span>");
    len += (size_t)sprintf(doc + len, "<p>" PROSE1 "</p>");
    doppel_extract_result r = run(doc, len);
    assert_has(r, "harbour authority");
    len = 0;
    for (size_t i = 0; i < 900; i++) len += (size_t)sprintf(doc + len, "<div>");
    len += (size_t)sprintf(doc + len, "<p>" PROSE1 "</p><p>" PROSE2 "</p>");
    for (size_t i = 0; i < 900; i++) len += (size_t)sprintf(doc + len, "</div>");
    r = run(doc, len);
    assert_has(r, PROSE1 "\n\n" PROSE2);
    free(doc);
}

/* NUL bytes are dropped (in text and in tags), invalid UTF-8 is U+FFFD. */
static void test_nul_and_utf8(void **state) {
    (void)state;
    static const char doc[] = "<d\0iv><p>The harbour\0 authority said on Thursday that the new "
                              "breakwater would protect the old town from winter storms, and "
                              "that work on it would begin in the spring \xFF\xC3.</p></div>";
    doppel_extract_result r = run(doc, sizeof doc - 1);
    assert_has(r, "The harbour authority said");
    assert_has(r, "spring \xEF\xBF\xBD\xEF\xBF\xBD.");
}

/* A tag cut by the end of the page is dropped; the text before it stays. */
static void test_truncated(void **state) {
    (void)state;
    doppel_extract_result r = run_str("<p>" PROSE1 "</p><p>" PROSE2 " <a href='http://x");
    assert_has(r, PROSE1);
    assert_has(r, PROSE2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unclosed_title), cmocka_unit_test(test_raw_text),
        cmocka_unit_test(test_script_open_quote),
        cmocka_unit_test(test_attributes),     cmocka_unit_test(test_case_and_lt),
        cmocka_unit_test(test_references),     cmocka_unit_test(test_implied_ends),
        cmocka_unit_test(test_stray_end_tags), cmocka_unit_test(test_self_closing),
        cmocka_unit_test(test_markup_skipped), cmocka_unit_test(test_head_and_body),
        cmocka_unit_test(test_deep_nesting),   cmocka_unit_test(test_nul_and_utf8),
        cmocka_unit_test(test_truncated),      cmocka_unit_test(test_many_unclosed_textareas),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
