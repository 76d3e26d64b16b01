/* extractharness.h — one extractor with default options (the format as
 * EXTRACT_HARNESS_FORMAT when the includer defines it), and run()/run_str()
 * that fail the test on an error: the harness of the tests that assert what
 * doppel_extract keeps of crafted input. Include after testutil.h; pass
 * setup and teardown to cmocka_run_group_tests. */
#ifndef DOPPEL_EXTRACTHARNESS_H
#define DOPPEL_EXTRACTHARNESS_H

#include <string.h>

static doppel_extractor *ex;
static doppel_extract_options opt;

static int setup(void **state) {
    (void)state;
    doppel_extract_options_default(&opt);
#ifdef EXTRACT_HARNESS_FORMAT
    opt.format = EXTRACT_HARNESS_FORMAT;
#endif
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

static inline doppel_extract_result run_str(const char *s) { return run(s, strlen(s)); }
#endif
