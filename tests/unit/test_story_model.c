/* Story models: document frequencies saved by one handle and read by
 * another add up exactly as if all documents had been learned in one (the
 * saved files are byte-identical and the stories the same), and a bad model
 * is refused with a message naming the line, leaving the counts unchanged. */
#include "testutil.h"

#define HEADLINES SHARED_DIR "/data/uci-news-headlines-6k/docs.jsonl"
#define SPLIT 3000

typedef struct doc {
    char *title, *text;
} doc;

static doc *docs;
static size_t ndocs;

static int load(void **state) {
    (void)state;
    doppel_reader_options ro;
    doppel_reader_options_default(&ro);
    doppel_reader *r = NULL;
    doppel_error err;
    if (doppel_reader_open(HEADLINES, &ro, &r, &err)) return -1;
    doppel_record rec;
    size_t cap = 0;
    while (doppel_reader_next(r, &rec, &err) == DOPPEL_OK) {
        if (ndocs == cap) {
            cap = cap ? cap * 2 : 1024;
            docs = realloc(docs, cap * sizeof *docs);
        }
        docs[ndocs].title = strdup(rec.title ? rec.title : "");
        docs[ndocs].text = strdup(rec.text);
        ndocs++;
    }
    doppel_reader_free(r);
    return ndocs > SPLIT ? 0 : -1;
}

static int unload(void **state) {
    (void)state;
    for (size_t i = 0; i < ndocs; i++) free(docs[i].title), free(docs[i].text);
    free(docs);
    return 0;
}

static void learn(doppel_story *st, size_t from, size_t to) {
    doppel_error err;
    for (size_t i = from; i < to; i++)
        assert_int_equal(doppel_story_learn(st, docs[i].title, strlen(docs[i].title), docs[i].text,
                                            strlen(docs[i].text), &err),
                         DOPPEL_OK);
}

static void add(doppel_story *st, size_t from, size_t to) {
    doppel_error err;
    for (size_t i = from; i < to; i++)
        assert_int_equal(doppel_story_add(st, (uint32_t)i, docs[i].title, strlen(docs[i].title),
                                          docs[i].text, strlen(docs[i].text), DOPPEL_NO_DATE,
                                          DOPPEL_STORY_NO_COPY, &err),
                         DOPPEL_OK);
}

/* The model of st as a malloc'ed string (*len bytes). */
static char *model_of(const doppel_story *st, size_t *len) {
    char *buf = NULL;
    FILE *fp = open_memstream(&buf, len);
    assert_non_null(fp);
    doppel_error err;
    assert_int_equal(doppel_story_write_model(st, fp, &err), DOPPEL_OK);
    fclose(fp);
    return buf;
}

static doppel_status read_model(doppel_story *st, const char *text, size_t len,
                                doppel_error *err) {
    FILE *fp = fmemopen((void *)text, len, "r");
    assert_non_null(fp);
    doppel_status s = doppel_story_read_model(st, fp, "model.tsv", err);
    fclose(fp);
    return s;
}

static void counts_add_up(void **state) {
    (void)state;
    doppel_error err;
    /* One handle learns everything; another starts from the first part's
     * model and learns the rest. */
    doppel_story *whole = doppel_story_new(NULL, &err), *first = doppel_story_new(NULL, &err),
                 *grown = doppel_story_new(NULL, &err);
    assert_non_null(whole);
    assert_non_null(first);
    assert_non_null(grown);
    learn(whole, 0, ndocs);
    learn(first, 0, SPLIT);
    size_t len_first, len_whole, len_grown;
    char *m_first = model_of(first, &len_first);
    assert_int_equal(read_model(grown, m_first, len_first, &err), DOPPEL_OK);
    learn(grown, SPLIT, ndocs);
    char *m_whole = model_of(whole, &len_whole), *m_grown = model_of(grown, &len_grown);
    assert_true(len_whole > len_first);
    assert_int_equal(len_grown, len_whole);
    assert_memory_equal(m_grown, m_whole, len_whole);
    assert_true(strstr(m_whole, "doppel-story-model\t1\nlanguage\tenglish\n") == m_whole);

    /* The same counts give the same stories for what is added. */
    add(whole, SPLIT, ndocs);
    add(grown, SPLIT, ndocs);
    assert_int_equal(doppel_story_finish(whole, &err), DOPPEL_OK);
    assert_int_equal(doppel_story_finish(grown, &err), DOPPEL_OK);
    assert_int_equal(doppel_story_count(grown), doppel_story_count(whole));
    for (size_t i = SPLIT; i < ndocs; i++)
        assert_int_equal(doppel_story_of(grown, (uint32_t)i), doppel_story_of(whole, (uint32_t)i));

    /* A model can be written after finish too, and is unchanged by it. */
    size_t len_after;
    char *m_after = model_of(whole, &len_after);
    assert_int_equal(len_after, len_whole);
    assert_memory_equal(m_after, m_whole, len_whole);
    free(m_first), free(m_whole), free(m_grown), free(m_after);
    doppel_story_free(whole);
    doppel_story_free(first);
    doppel_story_free(grown);
}

/* A copy of model with its line k (1-based) replaced by line (NULL: cut
 * the file there). */
static char *edit_line(const char *model, int k, const char *line, size_t *len) {
    char *out = malloc(strlen(model) + 256);
    const char *p = model;
    size_t o = 0;
    for (int n = 1; *p; n++) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) + 1 : strlen(p);
        if (n == k) {
            if (!line) break;
            o += (size_t)sprintf(out + o, "%s\n", line);
        } else {
            memcpy(out + o, p, l);
            o += l;
        }
        p += l;
    }
    out[o] = '\0';
    *len = o;
    return out;
}

static void expect_refused(const char *model, size_t len, doppel_status code, const char *says) {
    doppel_error err;
    doppel_story *st = doppel_story_new(NULL, &err);
    assert_non_null(st);
    learn(st, 0, 20);
    size_t before_len, after_len;
    char *before = model_of(st, &before_len);
    assert_int_equal(read_model(st, model, len, &err), code);
    if (!strstr(err.message, says)) fail_msg("message \"%s\" lacks \"%s\"", err.message, says);
    char *after = model_of(st, &after_len);  /* the counts are as they were */
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
    free(before), free(after);
    doppel_story_free(st);
}

static void bad_models_refused(void **state) {
    (void)state;
    doppel_error err;
    doppel_story *small = doppel_story_new(NULL, &err);
    learn(small, 0, 200);
    size_t len, n;
    char *model = model_of(small, &len), *bad;
    doppel_story_free(small);

    expect_refused("hello\n", 6, DOPPEL_ERR_FORMAT, "not a doppel story model");
    int lines = 0;
    for (const char *p = model; *p; p++) lines += *p == '\n';
    char line5[128];
    const char *p5 = model;
    for (int k = 1; k < 5; k++) p5 = strchr(p5, '\n') + 1;
    snprintf(line5, sizeof line5, "%.*s", (int)(strchr(p5, '\n') - p5), p5);
    /* One line replaced (NULL: the file cut short there). */
    const struct {
        int line;
        const char *text;
        doppel_status code;
        const char *says;
    } edits[] = {
        {1, "doppel-story-model\t2", DOPPEL_ERR_FORMAT, "version 2"},
        {2, "language\tgerman", DOPPEL_ERR_ARG, "stemmed for german"},
        {3, "documents\tmany", DOPPEL_ERR_FORMAT, "model.tsv:3:"},
        {lines, NULL, DOPPEL_ERR_FORMAT, "cut short"},
        /* a term in more documents than the model has */
        {6, "1000\t0\t0\twfoo", DOPPEL_ERR_FORMAT, "model.tsv:6: counts out of range"},
        {7, "3\t1\t2\twfoo", DOPPEL_ERR_FORMAT, "model.tsv:7: counts out of range"},
        {8, "3\t1\t1", DOPPEL_ERR_FORMAT, "model.tsv:8: expected DF"},
        {9, "3\t1\t1\t", DOPPEL_ERR_FORMAT, "model.tsv:9: expected a term"},
        /* the first term (line 5) listed again on line 10 */
        {10, line5, DOPPEL_ERR_FORMAT, "model.tsv:10: the term on line 5 is listed again"},
    };
    for (size_t k = 0; k < sizeof edits / sizeof edits[0]; k++) {
        bad = edit_line(model, edits[k].line, edits[k].text, &n);
        expect_refused(bad, n, edits[k].code, edits[k].says);
        free(bad);
    }
    expect_refused("", 0, DOPPEL_ERR_FORMAT, "not a doppel story model");

    /* Only before the first add; the handle's language must match. */
    doppel_story *st = doppel_story_new(NULL, &err);
    learn(st, 0, 20);
    add(st, 0, 1);
    assert_int_equal(read_model(st, model, len, &err), DOPPEL_ERR_STATE);
    doppel_story_free(st);
    doppel_story_options opt;
    doppel_story_options_default(&opt);
    opt.language = "german";
    st = doppel_story_new(&opt, &err);
    assert_non_null(st);
    assert_int_equal(read_model(st, model, len, &err), DOPPEL_ERR_ARG);
    doppel_story_free(st);
    free(model);
}

static void empty_model(void **state) {
    (void)state;
    doppel_error err;
    doppel_story *st = doppel_story_new(NULL, &err);
    size_t len;
    char *model = model_of(st, &len);
    assert_string_equal(model, "doppel-story-model\t1\nlanguage\tenglish\ndocuments\t0\nterms\t0\n");
    assert_int_equal(read_model(st, model, len, &err), DOPPEL_OK);
    doppel_story_stats s;
    doppel_story_get_stats(st, &s);
    assert_int_equal(s.learned_docs, 0);
    free(model);
    doppel_story_free(st);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_add_up),
        cmocka_unit_test(bad_models_refused),
        cmocka_unit_test(empty_model),
    };
    return cmocka_run_group_tests(tests, load, unload);
}
