/* The index end to end on crafted documents whose relations are known. */
#include "testutil.h"

static uint64_t rng_state;
static uint64_t rnd(void) { return test_rnd(&rng_state); }

/* A text of `words` pseudo-words from a 5000-word vocabulary. */
static char *text_of(uint64_t seed, int words) {
    static const char *syl[] = {"ka", "lo", "mi", "ren", "tu", "sa", "vel", "dor", "pi", "nex"};
    char *t = malloc((size_t)words * 16 + 1), *p = t;
    rng_state = seed;
    for (int w = 0; w < words; w++) {
        uint64_t v = rnd() % 5000;
        for (int s = 0; s < 3; s++, v /= 10) p += sprintf(p, "%s", syl[v % 10]);
        *p++ = w % 12 == 11 ? '.' : ' ';
        if (w % 12 == 11) *p++ = ' ';
    }
    *p = '\0';
    return t;
}

/* Replace every k-th word with another word (uppercase it) — a light edit. */
static char *edit_every(const char *t, int k) {
    char *c = strdup(t), *p = c;
    int w = 0;
    while (*p) {
        if (w % k == k - 1 && *p != ' ' && *p != '.') {
            for (char *q = p; *q && *q != ' ' && *q != '.'; q++) *q = (char)(*q == 'a' ? 'o' : 'a');
        }
        while (*p && *p != ' ') p++;
        while (*p == ' ') p++;
        w++;
    }
    return c;
}

/* The first `words` words of t. */
static char *lead(const char *t, int words) {
    const char *p = t;
    for (int w = 0; w < words && *p; w++) {
        while (*p && *p != ' ') p++;
        while (*p == ' ') p++;
    }
    return strndup(t, (size_t)(p - t));
}

static doppel_index *build(doppel_config *cfg, char **texts, const char **ids, int n) {
    doppel_index *idx;
    doppel_error err;
    assert_int_equal(doppel_index_new(cfg, &idx, &err), DOPPEL_OK);
    for (int i = 0; i < n; i++) {
        doppel_add_info info;
        assert_int_equal(doppel_index_add(idx, ids[i], strlen(ids[i]), texts[i], strlen(texts[i]),
                                          (int64_t)(100 - i), &info, &err),
                         DOPPEL_OK);
        assert_int_equal(info.docnum, i);
    }
    assert_int_equal(doppel_index_finish(idx, NULL, NULL, &err), DOPPEL_OK);
    return idx;
}

static void test_relations(void **state) {
    (void)state;
    char *orig = text_of(1, 400);
    char *upper = strdup(orig);
    for (char *p = upper; *p; p++)
        if (*p >= 'a' && *p <= 'z' && (p - upper) % 7 == 0) *p = (char)(*p - 32);
    char *texts[] = {
        orig,
        upper,                    /* exact after normalization */
        edit_every(orig, 40),     /* 2.5% of words changed: near */
        lead(orig, 120),          /* a lead: contained */
        text_of(2, 400),          /* unrelated */
        text_of(3, 3),            /* short */
        text_of(3, 3),            /* its exact copy */
    };
    const char *ids[] = {"orig", "upper", "edited", "lead", "other", "short", "short2"};
    doppel_config cfg;
    doppel_config_default(&cfg);
    cfg.extract = 0; /* the crafted texts are not prose; extraction has its own tests */
    for (int mode = 0; mode < 2; mode++) {
        cfg.verify = mode ? DOPPEL_VERIFY_FAST : DOPPEL_VERIFY_EXACT;
        doppel_index *idx = build(&cfg, texts, ids, 7);
        doppel_doc_result r[7];
        for (uint32_t d = 0; d < 7; d++) assert_int_equal(doppel_index_result(idx, d, &r[d]), DOPPEL_OK);
        assert_int_equal(r[0].relation, DOPPEL_REL_CANONICAL);
        assert_int_equal(r[0].cluster_size, 4);
        for (int d = 1; d <= 3; d++) {
            assert_int_equal(r[d].cluster, r[0].cluster);
            assert_int_equal(r[d].canonical, 0);
        }
        assert_int_equal(r[1].relation, DOPPEL_REL_EXACT);
        assert_int_equal(r[2].relation, DOPPEL_REL_NEAR);
        assert_true(r[2].score > 0.6 && r[2].score < 0.95);
        assert_int_equal(r[3].relation, DOPPEL_REL_CONTAINED);
        assert_true(r[3].score >= 0.9);
        assert_int_equal(r[4].cluster_size, 1);
        assert_true(r[4].cluster != r[0].cluster);
        assert_int_equal(r[5].cluster, r[6].cluster);
        assert_int_equal(r[6].relation, DOPPEL_REL_EXACT);
        /* clusters are numbered by first member */
        assert_int_equal(r[0].cluster, 0);
        assert_int_equal(r[4].cluster, 1);
        assert_int_equal(r[5].cluster, 2);
        doppel_index_stats st;
        doppel_index_get_stats(idx, &st);
        assert_int_equal(st.docs, 7);
        assert_int_equal(st.short_docs, 2);
        doppel_index_free(idx);
    }
    /* Canonical policies: first and earliest (dates decrease with docnum). */
    cfg.verify = DOPPEL_VERIFY_EXACT;
    const char *ids2[] = {"lead", "orig", "upper"};
    char *texts2[] = {texts[3], texts[0], texts[1]};
    cfg.canonical = DOPPEL_CANON_LONGEST;
    doppel_index *idx = build(&cfg, texts2, ids2, 3);
    doppel_doc_result r;
    doppel_index_result(idx, 0, &r);
    assert_int_equal(r.canonical, 1); /* longest; ties (orig/upper) go to the first */
    doppel_index_free(idx);
    cfg.canonical = DOPPEL_CANON_FIRST;
    idx = build(&cfg, texts2, ids2, 3);
    doppel_index_result(idx, 2, &r);
    assert_int_equal(r.canonical, 0);
    doppel_index_free(idx);
    cfg.canonical = DOPPEL_CANON_EARLIEST;
    idx = build(&cfg, texts2, ids2, 3);
    doppel_index_result(idx, 0, &r);
    assert_int_equal(r.canonical, 2);
    doppel_index_free(idx);
    for (int i = 0; i < 7; i++) free(texts[i]);
}

/* Duplicate ids are found through the id table's growth (it starts at 2,048
 * slots), among thousands of ids whose 8-bit tags collide, and ids that
 * share a prefix are told apart. */
static void test_duplicate_ids_many(void **state) {
    (void)state;
    doppel_index *idx = raw_index(0);
    doppel_error err;
    enum { N = 10000 };
    char id[32], text[64];
    doppel_add_info info;
    for (int i = 0; i < N; i++) {
        int len = snprintf(id, sizeof id, "doc-%d", i);
        int tl = snprintf(text, sizeof text, "words of document %d here", i);
        assert_int_equal(doppel_index_add(idx, id, (size_t)len, text, (size_t)tl, DOPPEL_NO_DATE,
                                          &info, &err),
                         DOPPEL_OK);
        assert_int_equal(info.duplicate_id, 0);
    }
    for (int i = 0; i < N; i += 97) {
        int len = snprintf(id, sizeof id, "doc-%d", i);
        assert_int_equal(doppel_index_add(idx, id, (size_t)len, "again", 5, DOPPEL_NO_DATE, &info,
                                          &err),
                         DOPPEL_OK);
        assert_int_equal(info.duplicate_id, 1);
        assert_int_equal(info.first_docnum, (uint32_t)i);
        /* "doc-123" cut to "doc-12" is document 12's id; extended to
         * "doc-123x" it is new */
        assert_int_equal(doppel_index_add(idx, id, (size_t)len - 1, "x y", 3, DOPPEL_NO_DATE,
                                          &info, &err),
                         DOPPEL_OK);
        assert_int_equal(info.duplicate_id, i >= 10);
        if (i >= 10) assert_int_equal(info.first_docnum, (uint32_t)(i / 10));
        snprintf(id + len, sizeof id - (size_t)len, "x");
        assert_int_equal(doppel_index_add(idx, id, (size_t)len + 1, "x y", 3, DOPPEL_NO_DATE,
                                          &info, &err),
                         DOPPEL_OK);
        assert_int_equal(info.duplicate_id, 0);
    }
    doppel_index_free(idx);
}

static void test_bad_documents(void **state) {
    (void)state;
    doppel_config cfg;
    doppel_config_default(&cfg);
    cfg.extract = 0; /* the crafted texts are not prose; extraction has its own tests */
    doppel_index *idx;
    doppel_error err;
    assert_int_equal(doppel_index_new(&cfg, &idx, &err), DOPPEL_OK);
    doppel_add_info info;
    assert_int_equal(doppel_index_add(idx, "e", 1, "  ... !! ", 9, DOPPEL_NO_DATE, &info, &err),
                     DOPPEL_ERR_EMPTY);
    assert_non_null(strstr(err.message, "'e'"));
    assert_int_equal(doppel_index_add(idx, "a", 1, "one two", 7, DOPPEL_NO_DATE, &info, &err), DOPPEL_OK);
    assert_int_equal(info.duplicate_id, 0);
    assert_int_equal(doppel_index_add(idx, "a", 1, "three", 5, DOPPEL_NO_DATE, &info, &err), DOPPEL_OK);
    assert_int_equal(info.duplicate_id, 1);
    assert_int_equal(info.first_docnum, 0);
    const char nul_text[] = "x\0y z";
    assert_int_equal(doppel_index_add(idx, "n", 1, nul_text, 5, DOPPEL_NO_DATE, &info, &err), DOPPEL_OK);
    assert_int_equal(info.norm.nul_bytes, 1);
    assert_int_equal(doppel_index_count(idx), 3);
    assert_int_equal(doppel_index_finish(idx, NULL, NULL, &err), DOPPEL_OK);
    assert_int_equal(doppel_index_add(idx, "late", 4, "text", 4, DOPPEL_NO_DATE, &info, &err),
                     DOPPEL_ERR_STATE);
    doppel_index_free(idx);
    /* invalid configuration is refused with the field named */
    cfg.threshold = 1.5;
    assert_int_equal(doppel_index_new(&cfg, &idx, &err), DOPPEL_ERR_ARG);
    assert_non_null(strstr(err.message, "threshold"));
    doppel_config_default(&cfg);
    cfg.extract = 0; /* the crafted texts are not prose; extraction has its own tests */
    cfg.bands = 100;
    cfg.rows = 2;
    assert_int_equal(doppel_index_new(&cfg, &idx, &err), DOPPEL_ERR_ARG);
}

/* 10^4 identical documents and a bucket of 10^3 near-identical ones finish
 * with a linear number of candidates (exact groups bypass the LSH; oversize
 * buckets become chains). */
static void test_adversarial_buckets(void **state) {
    (void)state;
    doppel_index *idx = raw_index(0);
    doppel_error err;
    char *base = text_of(9, 300);
    char id[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(id, sizeof id, "same%d", i);
        assert_int_equal(doppel_index_add(idx, id, strlen(id), base, strlen(base), DOPPEL_NO_DATE, NULL, &err), DOPPEL_OK);
    }
    for (int i = 0; i < 1000; i++) {
        char *t = malloc(strlen(base) + 32);
        sprintf(t, "%s variant%d", base, i);
        snprintf(id, sizeof id, "near%d", i);
        assert_int_equal(doppel_index_add(idx, id, strlen(id), t, strlen(t), DOPPEL_NO_DATE, NULL, &err), DOPPEL_OK);
        free(t);
    }
    assert_int_equal(doppel_index_finish(idx, NULL, NULL, &err), DOPPEL_OK);
    doppel_index_stats st;
    doppel_index_get_stats(idx, &st);
    assert_int_equal(st.exact_groups, 9999);
    assert_true(st.candidates < 1001 * 10);
    doppel_doc_result r;
    doppel_index_result(idx, 10999, &r);
    assert_int_equal(r.cluster, 0);
    assert_int_equal(r.cluster_size, 11000);
    doppel_index_free(idx);
    free(base);
}

/* A memory limit that leaves the LSH almost nothing makes it work in hash
 * slices and keep its candidates on disk; the clusters must not change. */
static void test_memory_limit_slices(void **state) {
    (void)state;
    enum { N = 2000 };
    char *texts[N];
    char id[32];
    for (int i = 0; i < N; i++) {
        texts[i] = text_of((uint64_t)(i % 200) + 100, 60);  /* 200 groups of 10 */
        if (i % 3) texts[i][3 * (i / 200) + 2] = 'q';        /* exact and near copies */
    }
    doppel_index_stats st[2];
    uint32_t clusters[2][N];
    for (int run = 0; run < 2; run++) {
        doppel_config cfg;
        doppel_config_default(&cfg);
        cfg.extract = 0;
        cfg.memory_limit = run ? 160000 : 0;
        doppel_index *idx;
        doppel_error err;
        assert_int_equal(doppel_index_new(&cfg, &idx, &err), DOPPEL_OK);
        for (int i = 0; i < N; i++) {
            snprintf(id, sizeof id, "d%d", i);
            assert_int_equal(doppel_index_add(idx, id, strlen(id), texts[i], strlen(texts[i]),
                                              DOPPEL_NO_DATE, NULL, &err),
                             DOPPEL_OK);
        }
        assert_int_equal(doppel_index_finish(idx, NULL, NULL, &err), DOPPEL_OK);
        doppel_index_get_stats(idx, &st[run]);
        for (uint32_t d = 0; d < N; d++) {
            doppel_doc_result r;
            doppel_index_result(idx, d, &r);
            clusters[run][d] = r.cluster;
        }
        doppel_index_free(idx);
    }
    assert_int_equal(st[0].lsh_slices, 1);
    assert_true(st[1].lsh_slices > 1);
    /* ... and writes its candidates to sorted runs, merged back: the same
     * candidates, filtered and verified alike */
    assert_int_equal(st[0].candidate_runs, 0);
    assert_true(st[1].candidate_runs > 1);
    assert_int_equal(st[0].candidates, st[1].candidates);
    assert_int_equal(st[0].prefiltered, st[1].prefiltered);
    assert_int_equal(st[0].verified_pairs, st[1].verified_pairs);
    assert_memory_equal(clusters[0], clusters[1], sizeof clusters[0]);
    /* a limit the per-document arrays cannot fit in is refused, clearly */
    doppel_config cfg;
    doppel_config_default(&cfg);
    cfg.extract = 0;
    cfg.memory_limit = 20000;
    doppel_index *idx;
    doppel_error err;
    assert_int_equal(doppel_index_new(&cfg, &idx, &err), DOPPEL_OK);
    doppel_status last = DOPPEL_OK;
    for (int i = 0; i < N && last == DOPPEL_OK; i++) {
        snprintf(id, sizeof id, "d%d", i);
        last = doppel_index_add(idx, id, strlen(id), texts[i], strlen(texts[i]), DOPPEL_NO_DATE,
                                NULL, &err);
    }
    assert_int_equal(last, DOPPEL_ERR_LIMIT);
    assert_non_null(strstr(err.message, "memory limit"));
    doppel_index_free(idx);
    for (int i = 0; i < N; i++) free(texts[i]);
}

/* A write to the temporary files that fails (here: a file-size limit, as a
 * full disk would) leaves files that no longer line up with the documents.
 * The index then refuses everything rather than give wrong clusters. */
static void test_failed_write_poisons_index(void **state) {
    (void)state;
    file_size_limit limit;
    file_size_limit_set(&limit, 3u << 20);
    doppel_index *idx = raw_index(0);
    doppel_error err;
    doppel_status st = DOPPEL_OK;
    int added = 0;
    for (; added < 20000 && st == DOPPEL_OK; added++) {
        char *t = text_of((uint64_t)added + 1, 400), id[16];
        snprintf(id, sizeof id, "d%d", added);
        st = doppel_index_add(idx, id, strlen(id), t, strlen(t), DOPPEL_NO_DATE, NULL, &err);
        free(t);
    }
    file_size_limit_restore(&limit);
    assert_int_equal(st, DOPPEL_ERR_IO);
    assert_non_null(strstr(err.message, "writing"));
    char *t = text_of(99, 400);
    assert_int_equal(doppel_index_add(idx, "late", 4, t, strlen(t), DOPPEL_NO_DATE, NULL, &err),
                     DOPPEL_ERR_STATE);
    free(t);
    doppel_doc_input one = {"late2", 5, "a b c d e f", 11, DOPPEL_NO_DATE};
    assert_int_equal(doppel_index_add_batch(idx, &one, 1, NULL, NULL, &err), DOPPEL_ERR_STATE);
    assert_int_equal(doppel_index_finish(idx, NULL, NULL, &err), DOPPEL_ERR_STATE);
    assert_non_null(strstr(err.message, "cannot be used"));
    doppel_index_free(idx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relations),
        cmocka_unit_test(test_bad_documents),
        cmocka_unit_test(test_duplicate_ids_many),
        cmocka_unit_test(test_adversarial_buckets),
        cmocka_unit_test(test_memory_limit_slices),
        cmocka_unit_test(test_failed_write_poisons_index),
    };
    return cmocka_run_group_tests_name("index", tests, NULL, NULL);
}
