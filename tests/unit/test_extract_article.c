/*
 * test_extract_article.c — finding the article in real-page layouts:
 * containers named like chrome that hold the article, a <form> around the
 * page, invisible duplicates, the article's container against teasers and
 * comments around it, the headline as metadata, the fallback that keeps a
 * page with prose from coming out empty, and an unclosed <title>.
 */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "extractharness.h"


static const char p1[] =
    "The harbour authority said on Tuesday that the new pier would be finished before the "
    "summer season, and that fishing boats could moor there from the first week of June.";
static const char p2[] =
    "Engineers have been working on the foundations since the storm of last winter, which "
    "damaged the old wooden structure beyond repair and closed the harbour for a month.";
static const char p3[] =
    "The council expects the project to cost about four million pounds, most of it paid by "
    "a national fund for coastal towns that was set up three years ago for such repairs.";

static char page[16384];

/* A theme wraps the whole page in a container named "sidebar", a page
 * builder in "widget", ASP.NET in one <form>: the article inside is kept,
 * and the chrome beside it still goes. */
static void test_chrome_named_wrapper(void **state) {
    (void)state;
    const char *wrappers[][2] = {{"<div class=\"main_sidebar\">", "</div>"},
                                 {"<div class=\"elementor-widget-container\">", "</div>"},
                                 {"<div id=\"advertisement-off-canvas\">", "</div>"},
                                 {"<form id=\"aspnetForm\" method=\"post\">", "</form>"}};
    for (size_t i = 0; i < sizeof wrappers / sizeof *wrappers; i++) {
        snprintf(page, sizeof page,
                 "<html><body>%s<div class=\"menu\"><a href=\"/\">Home</a> <a href=\"/n\">News</a>"
                 "</div><div class=\"story\"><p>%s</p><p>%s</p><p>%s</p></div>"
                 "<div class=\"related\"><a href=\"/x\">Other harbour news from the coast</a></div>"
                 "%s</body></html>",
                 wrappers[i][0], p1, p2, p3, wrappers[i][1]);
        doppel_extract_result r = run_str(page);
        assert_false(r.flags & DOPPEL_EXTRACT_EMPTY);
        assert_has(r, "fishing boats could moor");
        assert_has(r, "national fund for coastal towns");
        assert_lacks(r, "Other harbour news");
    }
}

/* A container whose name ends in a comment word holds the story's
 * comments even beside a content word ("story-comments"), and a comment
 * written in full sentences goes with it; "comments-body", the body of one
 * comment, is left to the other rules (CleanEval's gold keeps such a
 * page's comments). */
static void test_comments_named_after_the_story(void **state) {
    (void)state;
    const char *names[] = {"story-comments", "entry_comments", "post-comment", "article disqus",
                           "storyReaderComments"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(page, sizeof page,
                 "<html><body><div class=\"story\"><p>%s</p><p>%s</p><p>%s</p></div>"
                 "<div class=\"%s\"><p>I walked along the old pier every summer as a child, "
                 "and it is sad to see it go, but the new one will serve the town well.</p>"
                 "</div></body></html>",
                 p1, p2, p3, names[i]);
        doppel_extract_result r = run_str(page);
        assert_has(r, "fishing boats could moor");
        assert_has(r, "national fund for coastal towns");
        assert_lacks(r, "every summer as a child");
    }
}

/* Program text left in the page (a crawl lost the script's start tag) is
 * not prose: it does not outweigh the article in ASP.NET's page-wide
 * <form>, which is then dropped by its tag. */
static void test_leaked_script_is_not_prose(void **state) {
    (void)state;
    char js[2048] = "";
    for (int i = 0; i < 10; i++)
        strcat(js, "function showTip(text, width) { if (ns6 || ie) { tipobj.style.width = width + "
                   "\"px\"; enabletip = true; return false; } }\n");
    snprintf(page, sizeof page,
             "<html><body>%s<div class=\"menu\"><a href=\"/\">Home</a> <a href=\"/n\">News</a>"
             "</div><form id=\"aspnetForm\" method=\"post\"><div class=\"text\"><p>%s</p><p>%s</p>"
             "<p>%s</p></div></form></body></html>",
             js, p1, p2, p3);
    doppel_extract_result r = run_str(page);
    assert_has(r, "fishing boats could moor");
    assert_has(r, "national fund for coastal towns");
}

/* Copies a reader never sees are not text: display:none, visibility:hidden,
 * the hidden attribute, aria-hidden, <template>, <noscript>. */
static void test_invisible_copies(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><body><article><p>%s</p><p>%s</p>"
             "<div style=\"display: none\"><p>Hidden copy one: the council met again.</p></div>"
             "<div style=\"visibility:hidden\"><p>Hidden copy two: the council met again.</p></div>"
             "<div hidden><p>Hidden copy three: the council met again and again.</p></div>"
             "<div aria-hidden=\"true\"><p>Hidden copy four: the council met again.</p></div>"
             "<template><p>Hidden copy five: the council met again.</p></template>"
             "<noscript><p>Hidden copy six: the council met again.</p></noscript>"
             "<p>%s</p></article></body></html>",
             p1, p2, p3);
    doppel_extract_result r = run_str(page);
    assert_has(r, "fishing boats could moor");
    assert_lacks(r, "Hidden copy");
}

/* The article's container wins against prose-like blurbs beside it: a
 * column of teaser paragraphs outside the container is not article. */
static void test_blurbs_outside_the_article(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><body><div id=\"main\"><div class=\"body\"><p>%s</p><p>%s</p><p>%s</p>"
             "<p>%s</p></div></div>"
             "<div id=\"col\"><p>In other news, a school in the valley opened a new library "
             "this week for its pupils and the village.</p></div></body></html>",
             p1, p2, p3, p2);
    doppel_extract_result r = run_str(page);
    assert_has(r, "fishing boats could moor");
    assert_lacks(r, "In other news");
}

/* The headline is the result's title, not the first line of the body. */
static void test_headline_is_metadata(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><head><title>New pier to open in June - Coast News</title></head><body>"
             "<div class=\"story\"><h1>New pier to open in June</h1><p>%s</p><p>%s</p></div>"
             "</body></html>",
             p1, p2);
    doppel_extract_result r = run_str(page);
    assert_string_equal(r.title, "New pier to open in June");
    assert_true(!strncmp(r.text, "The harbour authority", 21));
}

/* A page the rules would empty (a listing of linked teasers) but that has
 * prose keeps its container's text, and says so. */
static void test_fallback_instead_of_empty(void **state) {
    (void)state;
    char items[8192] = "";
    for (int i = 0; i < 4; i++) {
        char one[1024];
        snprintf(one, sizeof one,
                 "<div class=\"row\"><h3><a href=\"/b%d\">Book review number %d</a></h3><p>"
                 "<a href=\"/b%d\">A winter book: stories of the sea and of the people who "
                 "live by it, told by a writer who knows them well...</a></p></div>",
                 i, i, i);
        strcat(items, one);
    }
    snprintf(page, sizeof page, "<html><body><div id=\"list\">%s</div></body></html>", items);
    doppel_extract_result r = run_str(page);
    assert_false(r.flags & DOPPEL_EXTRACT_EMPTY);
    assert_true(r.flags & DOPPEL_EXTRACT_FALLBACK);
    assert_has(r, "stories of the sea");
    /* A page of menus only stays empty: there was no prose to keep. */
    r = run_str("<html><body><div><a href=\"/\">Home</a> | <a href=\"/n\">News</a></div>"
                "</body></html>");
    assert_true(r.flags & DOPPEL_EXTRACT_EMPTY);
    assert_false(r.flags & DOPPEL_EXTRACT_FALLBACK);
    /* And a page without any text says so. */
    r = run_str("<html><body><div> </div><img src=\"x.png\"></body></html>");
    assert_true(r.flags & DOPPEL_EXTRACT_EMPTY);
    assert_true(r.flags & DOPPEL_EXTRACT_NO_TEXT);
}

/* A <title> never closed swallows the page in an HTML5 parse; the page is
 * read again with it as an ordinary element. */
static void test_unclosed_title(void **state) {
    (void)state;
    char pad[3000];
    memset(pad, 'x', sizeof pad - 1);
    pad[sizeof pad - 1] = 0;
    snprintf(page, sizeof page,
             "<html><head><title>Pier news\n<script>var s = '%s';</script></head><body>"
             "<div><p>%s</p><p>%s</p></div></body></html>",
             pad, p1, p2);
    doppel_extract_result r = run_str(page);
    assert_false(r.flags & DOPPEL_EXTRACT_EMPTY);
    assert_true(r.flags & DOPPEL_EXTRACT_HTML_REPAIRED);
    assert_has(r, "fishing boats could moor");
    assert_string_equal(r.title, "Pier news");
}

/* Japanese is written without spaces: a sentence is one "word" to the
 * word counter and no stopword list covers it; its characters and its
 * sentence stops make it prose. */
static void test_japanese(void **state) {
    (void)state;
    doppel_extract_result r = run_str(
        "<html><head><title>\xE6\x96\xB0\xE3\x81\x97\xE3\x81\x84\xE6\xA9\x8B</title></head><body>"
        "<div class=\"menu\"><a href=\"/\">\xE3\x83\x9B\xE3\x83\xBC\xE3\x83\xA0</a></div>"
        "<div class=\"article\">"
        "<p>\xE5\xB8\x82\xE3\x81\xAF\xE7\x81\xAB\xE6\x9B\x9C\xE6\x97\xA5\xE3\x80\x81"
        "\xE5\xB7\x9D\xE3\x81\xAB\xE6\x9E\xB6\xE3\x81\x8B\xE3\x82\x8B\xE6\x96\xB0\xE3\x81\x97"
        "\xE3\x81\x84\xE6\xA9\x8B\xE3\x81\x8C\xE6\x98\xA5\xE3\x81\xAB\xE9\x96\x8B\xE9\x80\x9A"
        "\xE3\x81\x99\xE3\x82\x8B\xE3\x81\xA8\xE7\x99\xBA\xE8\xA1\xA8\xE3\x81\x97\xE3\x81\x9F"
        "\xE3\x80\x82\xE5\xB7\xA5\xE4\xBA\x8B\xE3\x81\xAF\xE4\xBA\x8C\xE5\xB9\xB4\xE5\x89\x8D"
        "\xE3\x81\xAB\xE5\xA7\x8B\xE3\x81\xBE\xE3\x82\x8A\xE3\x80\x81\xE4\xBD\x8F\xE6\xB0\x91"
        "\xE3\x81\xAF\xE5\xAE\x8C\xE6\x88\x90\xE3\x82\x92\xE5\xBE\x85\xE3\x81\xA1\xE6\x9C\x9B"
        "\xE3\x82\x93\xE3\x81\xA7\xE3\x81\x84\xE3\x81\x9F\xE3\x80\x82</p>"
        "<p>\xE9\x96\x8B\xE9\x80\x9A\xE5\xBC\x8F\xE3\x81\xAF\xE5\x9B\x9B\xE6\x9C\x88\xE3\x81\xAE"
        "\xE7\xAC\xAC\xE4\xB8\x80\xE9\x80\xB1\xE3\x81\xAB\xE4\xBA\x88\xE5\xAE\x9A\xE3\x81\x95"
        "\xE3\x82\x8C\xE3\x81\xA6\xE3\x81\x8A\xE3\x82\x8A\xE3\x80\x81\xE5\x9C\xB0\xE5\x85\x83"
        "\xE3\x81\xAE\xE5\xAD\xA6\xE6\xA0\xA1\xE3\x81\xAE\xE5\xAD\x90\xE3\x81\xA9\xE3\x82\x82"
        "\xE3\x81\x9F\xE3\x81\xA1\xE3\x82\x82\xE5\x8F\x82\xE5\x8A\xA0\xE3\x81\x99\xE3\x82\x8B"
        "\xE4\xBA\x88\xE5\xAE\x9A\xE3\x81\xA0\xE3\x80\x82</p></div></body></html>");
    assert_false(r.flags & DOPPEL_EXTRACT_EMPTY);
    assert_false(r.flags & DOPPEL_EXTRACT_FALLBACK);
    assert_has(r, "\xE5\xB8\x82\xE3\x81\xAF\xE7\x81\xAB\xE6\x9B\x9C\xE6\x97\xA5"); /* first sentence */
    assert_has(r, "\xE9\x96\x8B\xE9\x80\x9A\xE5\xBC\x8F");                          /* second paragraph */
    assert_lacks(r, "\xE3\x83\x9B\xE3\x83\xBC\xE3\x83\xA0");                        /* the menu */
}

/* In the article, a paragraph of sentences may be half links. */
static void test_linked_paragraph(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><body><div class=\"menu\"><a href=\"/\">Home</a></div><div class=\"post\">"
             "<p>%s</p><p>Yesterday <a href=\"/a\">the mayor of the town</a> met <a href=\"/b\">the "
             "harbour master and the engineers</a> at the pier, and they agreed "
             "on the date of the opening.</p><p>%s</p></div></body></html>",
             p1, p2);
    doppel_extract_result r = run_str(page);
    assert_has(r, "Yesterday the mayor of the town met");
}

/* A list of linked headlines, each with a blurb sentence under it, inside
 * the article's container is a teaser list: the blurbs read as prose, the
 * links above them give it away. When such a list is most of the page (a
 * directory), it is the page and stays. */
#define TEASER_ITEM(h, b) "<dt><a href=\"/" h "\">" h "</a></dt><dd>" b "</dd>"
static const char teasers[] =
    "<h3>More headlines</h3><dl>"
    TEASER_ITEM("Bridge reopens after repairs", "The old stone bridge over the river reopened "
                "to traffic on Monday after a year of work by the county.")
    TEASER_ITEM("School wins science prize", "Pupils from the village school won a national "
                "prize for their study of the birds that nest on the cliffs.")
    TEASER_ITEM("Ferry fares to rise", "The ferry company said that fares to the islands will "
                "rise by a tenth from the first of April this year.")
    "</dl>";

static void test_teaser_list_in_sentences(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><body><div class=\"story\"><p>%s</p><p>%s</p><p>%s</p><p>%s</p>%s"
             "</div></body></html>",
             p1, p2, p3, p1, teasers);
    doppel_extract_result r = run_str(page);
    assert_has(r, "fishing boats could moor");
    assert_has(r, "a national fund for coastal towns");
    assert_lacks(r, "old stone bridge");
    assert_lacks(r, "ferry company said");
    /* The same list as the page's content is kept. */
    snprintf(page, sizeof page,
             "<html><body><div class=\"story\"><p>Our guide to the coast, by topic.</p>%s"
             "</div></body></html>",
             teasers);
    r = run_str(page);
    assert_has(r, "old stone bridge");
    assert_has(r, "ferry company said");
}

/* A lede in an element of its own beside the article's body (which holds
 * nearly all the prose) is the article's, and a link list beside it is not. */
static void test_lede_beside_the_body(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><body><div id=\"page\"><div class=\"intro\">Coastal towns are rebuilding "
             "their harbours after the storms of the winter, and the work in this one, "
             "paid for by the county, is nearly done.</div>"
             "<div class=\"body\"><p>%s</p><p>%s</p><p>%s</p><p>%s</p><p>%s</p><p>%s</p></div>"
             "<div class=\"more\"><a href=\"/a\">Harbours</a> <a href=\"/b\">Storms</a></div>"
             "</div></body></html>",
             p1, p2, p3, p1, p2, p3);
    doppel_extract_result r = run_str(page);
    assert_has(r, "Coastal towns are rebuilding");
    assert_has(r, "fishing boats could moor");
    assert_lacks(r, "Storms");
}

/* A list that ends the article (a line-up, results, ingredients) is kept:
 * its rows are short and not sentences, and no article text follows them
 * to vouch for them, but they sit right after the article's text. */
static void test_list_in_the_article(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><body><div class=\"story\"><p>%s</p><p>%s</p><ul>"
             "<li>Harbour Rowing Club, 4 boats, 12 points</li>"
             "<li>Cliff Top Sailors, 3 boats, 9 points</li>"
             "<li>Old Pier Anglers, 2 boats, 5 points</li>"
             "<li>Lighthouse Swimmers, 1 boat, 2 points</li></ul></div>"
             "<ul class=\"links\"><li><a href=\"/a\">Home page</a></li><li><a href=\"/b\">Sport "
             "news</a></li><li><a href=\"/c\">Weather today</a></li></ul></body></html>",
             p1, p2);
    doppel_extract_result r = run_str(page);
    assert_has(r, "Cliff Top Sailors, 3 boats, 9 points");
    assert_has(r, "Lighthouse Swimmers");
    assert_lacks(r, "Weather today");
}

/* Captions and photo credits between the article's paragraphs are not its
 * text: a <figcaption>, an element whose class says caption or credit. */
static void test_captions(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><body><div class=\"story\"><p>%s</p><figure><img src=\"a.jpg\">"
             "<figcaption>The new pier seen from the harbour wall</figcaption></figure>"
             "<p>%s</p><div class=\"photo-caption\">Boats moored by the old pier</div>"
             "<p class=\"credit\">Photo: J. Smith</p><p>%s</p></div></body></html>",
             p1, p2, p3);
    doppel_extract_result r = run_str(page);
    assert_has(r, "fishing boats could moor");
    assert_has(r, "a national fund for coastal towns");
    assert_lacks(r, "seen from the harbour wall");
    assert_lacks(r, "Boats moored by");
    assert_lacks(r, "J. Smith");
}

/* The page's date stamp above the article is metadata, not text; a date
 * inside the article (a schedule's row) is the article's. */
static void test_date_stamp(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><body><div class=\"story\"><div class=\"stamp\">Last updated at 11:25am on "
             "Tuesday, January 15, 2008</div><p>%s</p><p>%s</p><p>The pier opens on</p>"
             "<p>Saturday, June 7, 2008</p><p>%s</p></div></body></html>",
             p1, p2, p3);
    doppel_extract_result r = run_str(page);
    assert_has(r, "fishing boats could moor");
    assert_lacks(r, "Last updated");
    assert_lacks(r, "January 15");
    assert_has(r, "Saturday, June 7, 2008");
}

/* A paragraph of legal boilerplate under the article goes, though it is
 * written in sentences. */
static void test_legal_paragraph(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><body><div class=\"story\"><p>%s</p><p>%s</p><p>%s</p>"
             "<p>Copyright 2008 The Coast News. Redistribution, republication or broadcast of "
             "this material is expressly prohibited without the prior written consent of the "
             "publisher, and the names of its columns are its trademarks, which no other site "
             "may use for its own pages.</p></div></body></html>",
             p1, p2, p3);
    doppel_extract_result r = run_str(page);
    assert_has(r, "a national fund for coastal towns");
    assert_lacks(r, "expressly prohibited");
    /* A disclaimer of warranties is legal boilerplate too. */
    snprintf(page, sizeof page,
             "<html><body><div class=\"story\"><p>%s</p><p>%s</p><p>%s</p>"
             "<p>All information on this site is provided as is, without warranties of any "
             "kind. The publisher disclaims all implied warranties and any liability for the "
             "use of the information, which is entirely at the reader's own risk.</p></div>"
             "</body></html>",
             p1, p2, p3);
    r = run_str(page);
    assert_has(r, "a national fund for coastal towns");
    assert_lacks(r, "disclaims all implied warranties");
}

/* A list laid out as a table, the bullet in a cell of its own and the step
 * in the next, is still one list: the bullets do not break it into rows
 * that each lose alone. A step that links a few of its words (a handout)
 * is a row of it too. */
static void test_list_with_bullet_cells(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><body><div class=\"story\"><p>%s</p><p>%s</p><table>"
             "<tr><td>&bull;</td><td>Measure the depth of the water at the old pier.</td></tr>"
             "<tr><td>&bull;</td><td>Use the <a href=\"/h.pdf\">tide table</a> to plan visits.</td></tr>"
             "<tr><td>&bull;</td><td>Count the boats that moor there every week.</td></tr>"
             "<tr><td>&bull;</td><td>Write to the council about the new lights.</td></tr>"
             "</table></div><ul class=\"links\"><li><a href=\"/a\">Home page</a></li>"
             "<li><a href=\"/b\">Sport news</a></li><li><a href=\"/c\">Weather today</a></li>"
             "</ul></body></html>",
             p1, p2);
    doppel_extract_result r = run_str(page);
    assert_has(r, "fishing boats could moor");
    assert_has(r, "Measure the depth of the water");
    assert_has(r, "Count the boats that moor there");
    assert_has(r, "to plan visits");
    assert_lacks(r, "Weather today");
}

/* Prose hard-wrapped with <br> (a transcript, a mail) is read as the
 * sentences it is: a line that ends without a sentence stop and the next
 * that goes on in lower case are one block, not lines too short to count. */
static void test_hard_wrapped_lines(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><body><div class=\"story\"><p>%s</p>"
             "<p><a href=\"/c\">Pier photos</a> | <a href=\"/d\">Storm video</a></p>"
             "<p>QUESTION: Can you tell us when<br>"
             "the boats will be allowed back into the<br>harbour after the storm damage?<br>"
             "ANSWER: Well, the harbour master said<br>that the divers will look at the<br>"
             "foundations of the old pier first, and<br>then we will decide on a date.</p>"
             "<p><a href=\"/a\">Harbour news</a> | <a href=\"/b\">Ferry times</a></p>"
             "<p>%s</p><p>%s</p></div></body></html>",
             p1, p2, p3);
    doppel_extract_result r = run_str(page);
    assert_has(r, "fishing boats could moor");
    assert_has(r, "Can you tell us when");
    assert_has(r, "after the storm damage?");
    assert_has(r, "then we will decide on a date.");
    assert_has(r, "a national fund for coastal towns");
    assert_lacks(r, "Ferry times");
    assert_lacks(r, "Storm video");
}

/* A page laid out in nested tables: the lede in a row of the outer table,
 * the story in a cell of an inner one. The lede is a sibling not of the
 * story's cell but of an element between it and the table that holds the
 * page's prose: it is the article's all the same. */
static void test_lede_in_outer_table(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><body><ul class=\"links\"><li><a href=\"/a\">Home page</a></li>"
             "<li><a href=\"/b\">Sport news</a></li></ul><table><tr><td><font>The town "
             "gets its harbour back this summer, three years after the storm that broke the "
             "old pier in two, the authority says.</font></td></tr><tr><td><table><tr><td>"
             "<p>%s</p><p>%s</p><p>%s</p>"
             "<p>Fishermen who moved their boats to the next bay after the storm say they will "
             "come back as soon as the new moorings are ready, though some have sold up.</p>"
             "<p>The old wooden pier was built in 1890 and had been repaired many times, but "
             "engineers said that this time the damage went too deep into its piles to mend.</p>"
             "<p>A small exhibition about the pier and the people who worked on it will open in "
             "the town library next month, with photographs lent by families in the town.</p>"
             "<p>The authority will hold a meeting in the town hall on Friday evening to answer "
             "questions from residents about the works and the closures of the harbour road.</p>"
             "</td></tr></table></td></tr></table></body></html>",
             p1, p2, p3);
    doppel_extract_result r = run_str(page);
    assert_has(r, "fishing boats could moor");
    assert_has(r, "gets its harbour back this summer");
    assert_lacks(r, "Sport news");
}

/* In a teaser section ("Most Popular"), a linked headline licenses the
 * blurb under it; an unlinked headline-like line (the article's byline,
 * an agency's name) does not license the long paragraph after it: that is
 * the article's lede. */
static void test_lede_after_teaser_section(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><body><div class=\"story\"><h3>Most Popular</h3>"
             "<p><a href=\"/f\">Ferry Company Buys Two New Boats</a></p>"
             "<p>The boats will arrive in May, the company said.</p>"
             "<p><a href=\"/g\">Lifeboat Crew Wins National Award</a></p>"
             "<p>The crew was honoured for a rescue in the winter gales.</p>"
             "<p>The Coast Press Agency</p><p>%s</p><p>%s</p><p>%s</p></div></body></html>",
             p1, p2, p3);
    doppel_extract_result r = run_str(page);
    assert_has(r, "fishing boats could moor");
    assert_has(r, "a national fund for coastal towns");
    assert_lacks(r, "The boats will arrive in May");
    assert_lacks(r, "honoured for a rescue");
}

/* A table in the article keeps the values that repeat from row to row
 * (short repeated lines are otherwise menu items) and its cells of bare
 * numbers (otherwise share counters or page numbers). */
static void test_table_values(void **state) {
    (void)state;
    snprintf(page, sizeof page,
             "<html><body><div class=\"story\"><p>%s</p><p>%s</p><table>"
             "<tr><td>Harbour Rowing Club</td><td>Open water</td><td>17</td></tr>"
             "<tr><td>Cliff Top Sailors</td><td>Open water</td><td>12</td></tr>"
             "<tr><td>Old Pier Anglers</td><td>Sheltered bay</td><td>9</td></tr>"
             "</table></div><ul class=\"links\"><li><a href=\"/a\">Home page</a></li>"
             "<li><a href=\"/b\">Sport news</a></li><li><a href=\"/c\">Weather today</a></li>"
             "</ul></body></html>",
             p1, p2);
    doppel_extract_result r = run_str(page);
    assert_has(r, "Cliff Top Sailors");
    assert_has(r, "Open water");
    assert_has(r, "17");
    assert_lacks(r, "Weather today");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chrome_named_wrapper),
        cmocka_unit_test(test_comments_named_after_the_story),
        cmocka_unit_test(test_leaked_script_is_not_prose),
        cmocka_unit_test(test_invisible_copies),
        cmocka_unit_test(test_blurbs_outside_the_article),
        cmocka_unit_test(test_headline_is_metadata),
        cmocka_unit_test(test_fallback_instead_of_empty),
        cmocka_unit_test(test_unclosed_title),
        cmocka_unit_test(test_japanese),
        cmocka_unit_test(test_linked_paragraph),
        cmocka_unit_test(test_teaser_list_in_sentences),
        cmocka_unit_test(test_lede_beside_the_body),
        cmocka_unit_test(test_list_in_the_article),
        cmocka_unit_test(test_captions),
        cmocka_unit_test(test_date_stamp),
        cmocka_unit_test(test_legal_paragraph),
        cmocka_unit_test(test_list_with_bullet_cells),
        cmocka_unit_test(test_hard_wrapped_lines),
        cmocka_unit_test(test_lede_in_outer_table),
        cmocka_unit_test(test_lede_after_teaser_section),
        cmocka_unit_test(test_table_values),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
