/*
 * test_boiler.c — layer 2: the corpus-level boilerplate counter.
 */
#include "testutil.h"

/* A synthetic corpus: 40 sites x 30 pages. Every page of a site carries the
 * site's footer line and a shared "cookie" line (a template many sites
 * use); its article lines are unique, except for one wire story reprinted
 * on 60 pages whose paragraphs must never be called boilerplate. */
static void make_doc(char *buf, size_t cap, int site, int page, int wire) {
    size_t n = 0;
    n += (size_t)snprintf(buf + n, cap - n, "Copyright %d Site Number %d. All rights reserved.\n",
                          2000 + page % 5, site);
    if (wire) {
        n += (size_t)snprintf(buf + n, cap - n,
                              "The wire story opens with a long paragraph about the harbour "
                              "that every outlet reprinted without changing a single word.\n"
                              "Its second paragraph is shorter but just as widely copied.\n");
    } else {
        for (int p = 0; p < 4; p++)
            n += (size_t)snprintf(buf + n, cap - n,
                                  "Article %d of site %d, paragraph %d, says something of its "
                                  "own that no other page says %d.\n",
                                  page, site, p, page * 7919 + site);
    }
    snprintf(buf + n, cap - n, "We use cookies to improve your experience.\n");
}

static void test_counter(void **state) {
    (void)state;
    doppel_boiler_options o;
    doppel_boiler_options_default(&o);
    o.memory_bytes = 1 << 20;
    doppel_boiler_counter *bc;
    assert_int_equal(doppel_boiler_counter_new(&o, &bc, NULL), DOPPEL_OK);
    char doc[2048];
    int wire_pages = 0;
    for (int site = 0; site < 40; site++)
        for (int page = 0; page < 30; page++) {
            int wire = (site * 30 + page) % 20 == 0;
            wire_pages += wire;
            make_doc(doc, sizeof doc, site, page, wire);
            assert_int_equal(doppel_boiler_add(bc, doc, strlen(doc)), DOPPEL_OK);
        }
    assert_int_equal(wire_pages, 60);
    /* Not before finish. */
    const char *cookie = "We use cookies to improve your experience.";
    assert_false(doppel_boiler_is_line(bc, cookie, strlen(cookie)));
    assert_int_equal(doppel_boiler_finish(bc), DOPPEL_OK);
    assert_int_equal(doppel_boiler_add(bc, "x", 1), DOPPEL_ERR_STATE);

    assert_true(doppel_boiler_is_line(bc, cookie, strlen(cookie)));
    /* Case, digits and spacing vary in chrome; they are folded. */
    const char *footer = "copyright 1999 site number 7.  all rights reserved.";
    assert_true(doppel_boiler_is_line(bc, footer, strlen(footer)));
    /* The reprinted wire story recurs on 60 pages, but always around the
     * same longest line: one context, not chrome. */
    const char *wire = "Its second paragraph is shorter but just as widely copied.";
    assert_false(doppel_boiler_is_line(bc, wire, strlen(wire)));
    /* Unique lines are not boilerplate. */
    int unique_hits = 0;
    for (int site = 0; site < 40; site++) {
        char line[256];
        snprintf(line, sizeof line,
                 "Article 3 of site %d, paragraph 1, says something of its own that no other "
                 "page says %d.", site, 3 * 7919 + site);
        unique_hits += doppel_boiler_is_line(bc, line, strlen(line));
    }
    assert_int_equal(unique_hits, 0);

    doppel_boiler_stats st;
    doppel_boiler_get_stats(bc, &st);
    assert_int_equal(st.docs, 1200);
    assert_true(st.memory_bytes <= (1u << 20) + 4096);
    assert_true(st.threshold >= 20);
    doppel_boiler_counter_free(bc);
}

/* The extractor consults a finished counter in pass 2. */
static void test_counter_in_extract(void **state) {
    (void)state;
    doppel_boiler_counter *bc;
    assert_int_equal(doppel_boiler_counter_new(NULL, &bc, NULL), DOPPEL_OK);
    const char *chrome =
        "Our reporters are independent and every story is checked by two editors before it is "
        "published on this website.";
    char doc[1024];
    for (int i = 0; i < 100; i++) {
        /* Letters, not digits, make the stories differ: digits are folded. */
        snprintf(doc, sizeof doc, "Story %c%c is about a different topic each time, with "
                 "details that only this story has.\n%s\n", 'a' + i % 26, 'a' + i / 26, chrome);
        doppel_boiler_add(bc, doc, strlen(doc));
    }
    doppel_boiler_finish(bc);
    doppel_extractor *ex;
    doppel_extractor_new(&ex, NULL);
    doppel_extract_options opt;
    doppel_extract_options_default(&opt);
    opt.corpus = bc;
    opt.explain = 1;
    snprintf(doc, sizeof doc,
             "A new story about the river flood that reached the town centre on Sunday night, "
             "and about the volunteers who filled sandbags until the morning.\n\n%s\n", chrome);
    doppel_extract_result r;
    assert_int_equal(doppel_extract(ex, doc, strlen(doc), &opt, &r, NULL), DOPPEL_OK);
    assert_non_null(strstr(r.text, "river flood"));
    assert_null(strstr(r.text, "independent"));
    int corpus = 0;
    for (size_t i = 0; i < r.num_dropped; i++) corpus += r.dropped[i].reason == DOPPEL_DROP_CORPUS;
    assert_int_equal(corpus, 1);
    doppel_extractor_free(ex);
    doppel_boiler_counter_free(bc);
}

/* A tiny sketch swamped by unique lines: the noise floor rises and unique
 * lines are still not called boilerplate; merge adds counters up. */
static void test_counter_saturated(void **state) {
    (void)state;
    doppel_boiler_options o;
    doppel_boiler_options_default(&o);
    o.memory_bytes = 64 << 10;  /* 2048 cells per row */
    doppel_boiler_counter *a, *b;
    assert_int_equal(doppel_boiler_counter_new(&o, &a, NULL), DOPPEL_OK);
    assert_int_equal(doppel_boiler_counter_new(&o, &b, NULL), DOPPEL_OK);
    char doc[4096];
    for (int d = 0; d < 4000; d++) {
        size_t n = 0;
        for (int l = 0; l < 20; l++)
            n += (size_t)snprintf(doc + n, sizeof doc - n, "unique line %c%c%c%c\n", 'a' + l,
                                  'a' + d % 26, 'a' + d / 26 % 26, 'a' + d / 676);
        n += (size_t)snprintf(doc + n, sizeof doc - n, "Share this article\n");
        doppel_boiler_add(d % 2 ? a : b, doc, n);
    }
    assert_int_equal(doppel_boiler_merge(a, b), DOPPEL_OK);
    assert_int_equal(doppel_boiler_finish(a), DOPPEL_OK);
    doppel_boiler_stats st;
    doppel_boiler_get_stats(a, &st);
    print_message("saturated sketch: fill %.2f, noise floor %u, threshold %u\n", st.fill,
                  st.noise_floor, st.threshold);
    assert_true(st.noise_floor > 0);
    assert_true(doppel_boiler_is_line(a, "Share this article", 18));
    int hits = 0;
    for (int d = 0; d < 1000; d++) {
        char line[64];
        int n = snprintf(line, sizeof line, "unique line %c%c%c%c", 'a' + d % 20, 'a' + d % 26,
                         'a' + d / 26 % 26, 'a' + d / 676);
        hits += doppel_boiler_is_line(a, line, (size_t)n);
    }
    print_message("saturated sketch: %d of 1000 unique lines called boilerplate\n", hits);
    assert_true(hits <= 10);
    /* Shapes must agree to merge. */
    doppel_boiler_counter *c;
    o.memory_bytes = 128 << 10;
    assert_int_equal(doppel_boiler_counter_new(&o, &c, NULL), DOPPEL_OK);
    assert_int_equal(doppel_boiler_merge(c, b), DOPPEL_ERR_ARG);
    doppel_boiler_counter_free(c);
    o.memory_bytes = 1000;
    doppel_error err;
    assert_int_equal(doppel_boiler_counter_new(&o, &c, &err), DOPPEL_ERR_ARG);
    doppel_boiler_counter_free(a);
    doppel_boiler_counter_free(b);
    doppel_boiler_counter_free(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counter),
        cmocka_unit_test(test_counter_in_extract),
        cmocka_unit_test(test_counter_saturated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
