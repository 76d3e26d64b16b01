/* Evaluation figures on hand-computed cases, and the JSONL file semantics
 * of score_pairs.py (missing, extra and repeated ids, kinds, flags). */
#include "testutil.h"

#include <math.h>
#include <unistd.h>

#define EPS 1e-12
#define N(a) (sizeof(a) / sizeof((a)[0]))

static doppel_eval_result score(const uint32_t *pred, const uint32_t *gold, size_t n) {
    doppel_eval_result r;
    assert_int_equal(doppel_eval_labels(pred, gold, n, &r, NULL), DOPPEL_OK);
    return r;
}

static void test_perfect(void **state) {
    (void)state;
    uint32_t gold[] = {0, 0, 1, 2, 2, 2};
    uint32_t pred[] = {9, 9, 4, 7, 7, 7};  /* the numbers themselves do not matter */
    doppel_eval_result r = score(pred, gold, N(gold));
    assert_int_equal(r.true_pairs, 4);
    assert_int_equal(r.gold_pairs, 4);
    assert_int_equal(r.gold_clusters, 3);
    assert_int_equal(r.pred_clusters, 3);
    assert_true(r.precision == 1 && r.recall == 1 && r.f1 == 1 && r.ari == 1);
    assert_true(r.bcubed_precision == 1 && r.bcubed_recall == 1 && r.bcubed_f1 == 1);
    assert_int_equal(r.gold_removed, 3);
    assert_true(r.removal_precision == 1 && r.removal_recall == 1);
}

static void test_all_singletons(void **state) {
    (void)state;
    uint32_t gold[] = {0, 0, 1, 1};
    uint32_t pred[] = {0, 1, 2, 3};
    doppel_eval_result r = score(pred, gold, 4);
    /* No predicted pairs: precision is vacuously 1, recall 0. */
    assert_int_equal(r.pred_pairs, 0);
    assert_true(r.precision == 1 && r.recall == 0 && r.f1 == 0);
    /* total 6, expected 0, max 1: ARI 0 */
    assert_true(fabs(r.ari) < EPS);
    assert_true(r.bcubed_precision == 1);
    assert_true(fabs(r.bcubed_recall - 0.5) < EPS);
    assert_true(fabs(r.bcubed_f1 - 2.0 / 3) < EPS);
    assert_int_equal(r.gold_removed, 2);
    assert_int_equal(r.pred_removed, 0);
    assert_true(r.removal_precision == 1 && r.removal_recall == 0 && r.removal_f1 == 0);
}

static void test_all_in_one(void **state) {
    (void)state;
    uint32_t gold[] = {0, 0, 1, 1};
    uint32_t pred[] = {5, 5, 5, 5};
    doppel_eval_result r = score(pred, gold, 4);
    assert_int_equal(r.true_pairs, 2);
    assert_int_equal(r.pred_pairs, 6);
    assert_true(fabs(r.precision - 1.0 / 3) < EPS);
    assert_true(r.recall == 1);
    assert_true(fabs(r.f1 - 0.5) < EPS);
    /* expected = 2 * 6 / 6 = 2 = tp: ARI 0 */
    assert_true(fabs(r.ari) < EPS);
    assert_true(fabs(r.bcubed_precision - 0.5) < EPS);
    assert_true(r.bcubed_recall == 1);
    assert_true(fabs(r.removal_precision - 2.0 / 3) < EPS);
    assert_true(fabs(r.removal_f1 - 0.8) < EPS);
}

/* gold {0,1,2} {3,4} {5}; pred {0,1} {2,3,4,5}.
 * cells (g0,p0)=2 (g0,p1)=1 (g1,p1)=2 (g2,p1)=1: tp = 1 + 1 = 2;
 * gold pairs 3 + 1 = 4; pred pairs 1 + 6 = 7; P = 2/7, R = 1/2, F1 = 4/11;
 * ARI = (2 - 28/15) / (11/2 - 28/15) = 4/109;
 * BCubed P = (2*1 + 1/4 + 2*2/4 + 1/4) / 6 = 7/12,
 *        R = (2*2/3 + 1/3 + 2*1 + 1) / 6 = 7/9, F1 = 2/3;
 * removal: gold {1,2,4}, pred {1,3,4,5}: P = 1/2, R = 2/3, F1 = 4/7. */
static void test_known_contingency(void **state) {
    (void)state;
    uint32_t gold[] = {0, 0, 0, 1, 1, 2};
    uint32_t pred[] = {0, 0, 1, 1, 1, 1};
    uint32_t gold_big[] = {UINT32_MAX, UINT32_MAX, UINT32_MAX, 7, 7, 0};
    uint32_t pred_big[] = {123456789, 123456789, 0, 0, 0, 0};
    for (int pass = 0; pass < 2; pass++) {
        doppel_eval_result r = pass ? score(pred_big, gold_big, 6) : score(pred, gold, 6);
        assert_int_equal(r.true_pairs, 2);
        assert_int_equal(r.gold_pairs, 4);
        assert_int_equal(r.pred_pairs, 7);
        assert_true(fabs(r.precision - 2.0 / 7) < EPS);
        assert_true(fabs(r.recall - 0.5) < EPS);
        assert_true(fabs(r.f1 - 4.0 / 11) < EPS);
        assert_true(fabs(r.ari - 4.0 / 109) < EPS);
        assert_true(fabs(r.bcubed_precision - 7.0 / 12) < EPS);
        assert_true(fabs(r.bcubed_recall - 7.0 / 9) < EPS);
        assert_true(fabs(r.bcubed_f1 - 2.0 / 3) < EPS);
        assert_int_equal(r.gold_removed, 3);
        assert_int_equal(r.pred_removed, 4);
        assert_int_equal(r.true_removed, 2);
        assert_true(fabs(r.removal_precision - 0.5) < EPS);
        assert_true(fabs(r.removal_recall - 2.0 / 3) < EPS);
        assert_true(fabs(r.removal_f1 - 4.0 / 7) < EPS);
        assert_int_equal(r.gold_clusters, 3);
        assert_int_equal(r.pred_clusters, 2);
    }
}

static void test_empty_and_args(void **state) {
    (void)state;
    doppel_eval_result r;
    assert_int_equal(doppel_eval_labels(NULL, NULL, 0, &r, NULL), DOPPEL_OK);
    assert_int_equal(r.docs, 0);
    assert_true(r.precision == 1 && r.ari == 1 && r.bcubed_f1 == 1);
    doppel_error err;
    assert_int_equal(doppel_eval_labels(NULL, NULL, 3, &r, &err), DOPPEL_ERR_ARG);
}

/* A big random case: the sort-based counts agree with a direct count. */
static void test_large_random(void **state) {
    (void)state;
    size_t n = 200000;
    uint32_t *gold = malloc(n * sizeof *gold), *pred = malloc(n * sizeof *pred);
    uint64_t x = 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        gold[i] = (uint32_t)(x >> 40) % 50000;
        pred[i] = gold[i] / 2 + ((x >> 20) % 10 == 0 ? 100000 : 0);
    }
    doppel_eval_result r = score(pred, gold, n);
    /* Direct count with dense arrays. */
    uint32_t *gs = calloc(50000, sizeof *gs), *ps = calloc(200000, sizeof *ps);
    for (size_t i = 0; i < n; i++) gs[gold[i]]++, ps[pred[i]]++;
    uint64_t gp = 0, pp = 0;
    for (size_t i = 0; i < 50000; i++) gp += (uint64_t)gs[i] * (gs[i] - (gs[i] > 0)) / 2;
    for (size_t i = 0; i < 200000; i++) pp += (uint64_t)ps[i] * (ps[i] - (ps[i] > 0)) / 2;
    assert_int_equal(r.gold_pairs, gp);
    assert_int_equal(r.pred_pairs, pp);
    assert_true(r.true_pairs <= gp && r.true_pairs <= pp);
    assert_true(r.precision > 0 && r.precision < 1 && r.recall > 0.5);
    free(gs), free(ps), free(gold), free(pred);
}

/* ---- files ------------------------------------------------------------------- */

static char *write_temp(const char *content) {
    char *path = strdup("/tmp/doppel-test-eval-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs(content, fp);
    fclose(fp);
    return path;
}

static void drop(char *path) {
    unlink(path);
    free(path);
}

static void test_files(void **state) {
    (void)state;
    /* a is the original of b (edited) and c (exact); d's label is not an
     * id; e is alone; numeric labels compare by value. */
    char *gold = write_temp("{\"id\":\"a\",\"cluster\":\"a\",\"kind\":\"original\"}\n"
                            "{\"id\":\"b\",\"cluster\":\"a\",\"kind\":\"edited\"}\n"
                            "\n"
                            "{\"id\":\"c\",\"cluster\":\"a\",\"kind\":\"exact\"}\n"
                            "{\"id\":\"d\",\"cluster\":\"zz\",\"kind\":\"exact\"}\n"
                            "{\"id\":\"f\",\"cluster\":\"zz\",\"kind\":\"exact\"}\n"
                            "{\"id\":\"e\",\"cluster\":5}\n");
    /* c missing (a singleton); x extra, twice; b repeated: last label wins. */
    char *pred = write_temp("{\"id\":\"a\",\"cluster\":1}\n"
                            "{\"id\":\"b\",\"cluster\":2}\n"
                            "{\"id\":\"x\",\"cluster\":1}\n"
                            "{\"id\":\"x\",\"cluster\":1}\n"
                            "{\"id\":\"d\",\"cluster\":\"q\"}\n"
                            "{\"id\":\"f\",\"cluster\":\"q\"}\n"
                            "{\"id\":\"e\",\"cluster\":1.0}\n"
                            "{\"id\":\"b\",\"cluster\":1}\n");
    doppel_eval_result r;
    doppel_error err;
    assert_int_equal(doppel_eval_files(pred, gold, NULL, &r, &err), DOPPEL_OK);
    /* pred clusters: {a, b, e} {d, f} {c}; gold: {a, b, c} {d, f} {e} */
    assert_int_equal(r.docs, 6);
    assert_int_equal(r.missing_in_pred, 1);
    assert_int_equal(r.extra_in_pred, 1);
    assert_int_equal(r.gold_pairs, 4);
    assert_int_equal(r.pred_pairs, 4);
    assert_int_equal(r.true_pairs, 2);
    assert_int_equal(r.pred_clusters, 3);
    /* recall by kind: b found, c not (missing); d and f are not counted
     * because their label is not a gold id. */
    assert_int_equal(r.num_kinds, 3);
    assert_string_equal(r.kinds[0].name, "edited");
    assert_int_equal(r.kinds[0].found, 1);
    assert_int_equal(r.kinds[0].total, 1);
    assert_string_equal(r.kinds[1].name, "exact");
    assert_int_equal(r.kinds[1].found, 0);
    assert_int_equal(r.kinds[1].total, 1);
    /* removal: gold removes b, c, f; pred removes b, e, f (in gold order) */
    assert_int_equal(r.gold_removed, 3);
    assert_int_equal(r.pred_removed, 3);
    assert_int_equal(r.true_removed, 2);
    assert_int_equal(r.kinds[1].removal_total, 2);
    assert_int_equal(r.kinds[1].removal_found, 1);
    assert_string_equal(r.kinds[2].name, "original");
    assert_int_equal(r.kinds[2].total, 0);
    doppel_eval_result_free(&r);
    assert_int_equal(r.num_kinds, 0);

    /* Another field. */
    char *story = write_temp("{\"id\":\"a\",\"story\":1}\n{\"id\":\"b\",\"story\":1}\n"
                             "{\"id\":\"c\",\"story\":1}\n{\"id\":\"d\",\"story\":2}\n"
                             "{\"id\":\"f\",\"story\":2}\n{\"id\":\"e\",\"story\":3}\n");
    doppel_eval_options opt;
    doppel_eval_options_default(&opt);
    opt.pred_field = "story";
    assert_int_equal(doppel_eval_files(story, gold, &opt, &r, &err), DOPPEL_OK);
    assert_true(r.precision == 1 && r.recall == 1 && r.ari == 1);
    assert_int_equal(r.kinds[1].found, 1);
    doppel_eval_result_free(&r);
    /* Without the option the field is missing. */
    assert_int_equal(doppel_eval_files(story, gold, NULL, &r, &err), DOPPEL_ERR_FIELD);
    assert_non_null(strstr(err.message, ":1: "));

    /* Duplicate flags give removal scores only. */
    char *flags = write_temp("{\"id\":\"a\",\"duplicate\":false}\n{\"id\":\"b\",\"duplicate\":true}\n"
                             "{\"id\":\"c\",\"duplicate\":1}\n{\"id\":\"d\",\"duplicate\":true}\n");
    assert_int_equal(doppel_eval_files(flags, gold, NULL, &r, &err), DOPPEL_OK);
    assert_true(r.flags_only);
    assert_int_equal(r.missing_in_pred, 2);
    assert_int_equal(r.pred_removed, 3);
    assert_int_equal(r.true_removed, 2);
    doppel_eval_result_free(&r);

    drop(gold), drop(pred), drop(story), drop(flags);
}

static void test_file_errors(void **state) {
    (void)state;
    char *gold = write_temp("{\"id\":\"a\",\"cluster\":\"a\"}\n{\"id\":\"b\",\"cluster\":\"a\"}\n");
    doppel_eval_result r;
    doppel_error err;
    struct {
        const char *pred;
        doppel_status want;
        const char *msg;
    } cases[] = {
        {"{\"id\":\"a\",\"cluster\":1}\n{\"id\":\"b\",\n", DOPPEL_ERR_JSON, ":2: "},
        {"[1,2]\n", DOPPEL_ERR_JSON, ":1: "},
        {"{\"cluster\":1}\n", DOPPEL_ERR_FIELD, "no \"id\""},
        {"{\"id\":\"a\"}\n", DOPPEL_ERR_FIELD, "no \"cluster\""},
        {"{\"id\":\"a\",\"cluster\":[1]}\n", DOPPEL_ERR_FIELD, "strings or numbers"},
        {"{\"id\":\"a\",\"cluster\":1}\n{\"id\":\"b\",\"duplicate\":true}\n", DOPPEL_ERR_FIELD,
         "mixes"},
    };
    for (size_t i = 0; i < N(cases); i++) {
        char *pred = write_temp(cases[i].pred);
        assert_int_equal(doppel_eval_files(pred, gold, NULL, &r, &err), cases[i].want);
        assert_non_null(strstr(err.message, cases[i].msg));
        assert_non_null(strstr(err.message, pred));
        drop(pred);
    }
    assert_int_equal(doppel_eval_files("/nonexistent/pred.jsonl", gold, NULL, &r, &err),
                     DOPPEL_ERR_IO);
    /* A last line without a newline still counts. */
    char *pred = write_temp("{\"id\":\"a\",\"cluster\":1}\n{\"id\":\"b\",\"cluster\":1}");
    assert_int_equal(doppel_eval_files(pred, gold, NULL, &r, &err), DOPPEL_OK);
    assert_int_equal(r.true_pairs, 1);
    assert_int_equal(r.missing_in_pred, 0);
    doppel_eval_result_free(&r);
    drop(pred);
    drop(gold);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_perfect),
        cmocka_unit_test(test_all_singletons),
        cmocka_unit_test(test_all_in_one),
        cmocka_unit_test(test_known_contingency),
        cmocka_unit_test(test_empty_and_args),
        cmocka_unit_test(test_large_random),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_file_errors),
    };
    return cmocka_run_group_tests_name("eval", tests, NULL, NULL);
}
