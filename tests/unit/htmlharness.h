/* htmlharness.h — one extractor, options set to read HTML, and run()/
 * run_str() that fail the test on an error: the harness of the tests that
 * assert what doppel_extract keeps of crafted pages (test_extract_parser.c,
 * test_extract_tokenizer.c). Include after testutil.h; pass setup and
 * teardown to cmocka_run_group_tests. */
#ifndef DOPPEL_HTMLHARNESS_H
#define DOPPEL_HTMLHARNESS_H

static doppel_extractor *ex;
static doppel_extract_options opt;

static int setup(void **state) {
    (void)state;
    doppel_extract_options_default(&opt);
    opt.format = DOPPEL_FORMAT_HTML;
    return doppel_extractor_new(&ex, NULL) == DOPPEL_OK ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    doppel_extractor_free(ex);
    return 0;
}

static doppel_extract_result run(const char *s, size_t len) {
    doppel_extract_result r;
    doppel_error err = {0};
    if (doppel_extract(ex, s, len, &opt, &r, &err) != DOPPEL_OK) fail_msg("extract: %s", err.message);
    return r;
}

static doppel_extract_result run_str(const char *s) { return run(s, strlen(s)); }

/* Paragraphs of prose the scorer keeps. */
#define PROSE1 "The harbour authority said on Thursday that the new breakwater would protect " \
               "the old town from winter storms, and that work on it would begin in the spring."
#define PROSE2 "The council voted to fund the repairs after a decade of planning and debate, " \
               "and residents of the quay said they were relieved that the work would start."
#endif
