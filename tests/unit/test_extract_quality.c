/*
 * test_extract_quality.c — line-level precision and recall of extraction on
 * the labeled pages in tests/data/extract/.
 *
 * Each page NAME.txt / NAME.md / NAME.html has NAME.article beside it: the
 * lines of the page that are the article, as extraction should print them.
 * A kept line counts as right when it equals an article line (whitespace
 * collapsed). Precision = right / kept lines, recall = right / article lines,
 * over all pages together. Run: make build/tests/test_extract_quality &&
 * build/tests/test_extract_quality (verbose: EXTRACT_QUALITY_VERBOSE=1).
 */
#include "testutil.h"

#include <glob.h>

#define DATA_DIR "tests/data/extract"

/* Split s into lines in place, whitespace collapsed, empty lines dropped. */
static size_t split_lines(char *s, char **lines, size_t max) {
    size_t n = 0;
    for (char *p = strtok(s, "\n"); p && n < max; p = strtok(NULL, "\n")) {
        char *w = p, *r = p;
        int space = 0;
        while (*r == ' ' || *r == '\t') r++;
        for (; *r; r++) {
            if (*r == ' ' || *r == '\t' || *r == '\r') { space = 1; continue; }
            if (space && w > p) *w++ = ' ';
            space = 0;
            *w++ = *r;
        }
        *w = '\0';
        if (*p) lines[n++] = p;
    }
    return n;
}

static void test_quality(void **state) {
    (void)state;
    glob_t g;
    if (glob(DATA_DIR "/*.article", 0, NULL, &g)) {
        print_message("skipped: " DATA_DIR " not found (run from the repository root)\n");
        skip();
    }
    doppel_extractor *ex;
    assert_int_equal(doppel_extractor_new(&ex, NULL), DOPPEL_OK);
    int verbose = getenv("EXTRACT_QUALITY_VERBOSE") != NULL;
    size_t kept_total = 0, gold_total = 0, right_total = 0, pages = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char page[512];
        const char *exts[] = {".txt", ".md", ".html"};
        size_t stem = strlen(g.gl_pathv[i]) - strlen(".article");
        size_t len = 0;
        char *raw = NULL;
        for (int e = 0; e < 3 && !raw; e++) {
            snprintf(page, sizeof page, "%.*s%s", (int)stem, g.gl_pathv[i], exts[e]);
            raw = read_file(page, &len);
        }
        assert_non_null(raw);
        size_t glen;
        char *gold_text = read_file(g.gl_pathv[i], &glen);
        char *gold[512], *kept[512];
        size_t ng = split_lines(gold_text, gold, 512);

        doppel_extract_result r;
        doppel_error err;
        assert_int_equal(doppel_extract(ex, raw, len, NULL, &r, &err), DOPPEL_OK);
        char *out = strdup(r.text);
        size_t nk = split_lines(out, kept, 512);
        size_t right = 0;
        for (size_t k = 0; k < nk; k++) {
            int hit = 0;
            for (size_t j = 0; j < ng && !hit; j++) hit = !strcmp(kept[k], gold[j]);
            right += hit;
            if (!hit && verbose) print_message("  %s: kept boilerplate: %s\n", page, kept[k]);
        }
        if (verbose)
            for (size_t j = 0; j < ng; j++) {
                int hit = 0;
                for (size_t k = 0; k < nk && !hit; k++) hit = !strcmp(kept[k], gold[j]);
                if (!hit) print_message("  %s: lost article line: %s\n", page, gold[j]);
            }
        kept_total += nk;
        gold_total += ng;
        right_total += right;
        pages++;
        free(out);
        free(gold_text);
        free(raw);
    }
    globfree(&g);
    doppel_extractor_free(ex);
    double p = kept_total ? (double)right_total / kept_total : 0;
    double rc = gold_total ? (double)right_total / gold_total : 0;
    print_message("extraction on %zu labeled pages: %zu article lines, %zu kept, %zu right: "
                  "precision %.3f, recall %.3f\n", pages, gold_total, kept_total, right_total, p, rc);
    assert_true(pages >= 20);
    assert_true(p >= 0.90);
    assert_true(rc >= 0.90);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_quality)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
