/* Story states: a feed clustered in batches keeps its story ids. A story of
 * a later batch about an earlier event takes the earlier story's id, a new
 * event gets a new id, stories age out of the state after the window, the
 * saved state does not depend on the order documents were added, and a bad
 * state is refused with its line named and the handle left as it was. */
#include "testutil.h"

#define DAY 86400
#define T0 1700000000

/* Three events, each told five ways; a batch takes some tellings of some. */
static const char *const lavrov[] = {
    "Russian foreign minister Sergei Lavrov arrives in Pyongyang for talks with Kim Jong Un.",
    "Lavrov meets North Korean leader Kim Jong Un in Pyongyang, praises military ties.",
    "In Pyongyang, Sergei Lavrov and Kim Jong Un discuss cooperation between Moscow and North Korea.",
    "Kim Jong Un receives Lavrov in Pyongyang as Russia and North Korea deepen their partnership.",
    "Sergei Lavrov ends his Pyongyang visit after talks with Kim Jong Un on Russia and North Korea.",
};
static const char *const quake[] = {
    "A magnitude 6.1 earthquake strikes southern Iran near Bushehr, damaging villages.",
    "Earthquake of magnitude 6.1 hits Bushehr province in southern Iran; villages damaged.",
    "Southern Iran shaken by a 6.1 magnitude earthquake near Bushehr, rescuers reach villages.",
    "Bushehr earthquake: rescuers search damaged villages in southern Iran after the 6.1 quake.",
    "Iran counts the damage in Bushehr villages after the magnitude 6.1 earthquake.",
};
static const char *const carplay[] = {
    "Apple releases iOS 7.1 with CarPlay and a faster iPhone interface.",
    "iOS 7.1 arrives: Apple brings CarPlay to the iPhone and fixes crashes.",
    "Apple's iOS 7.1 update adds CarPlay support and speeds up older iPhone models.",
    "CarPlay comes to the iPhone with Apple's iOS 7.1 release.",
    "Apple ships iOS 7.1; CarPlay and iPhone speed improvements lead the update.",
};

typedef struct batch_doc {
    const char *text;
    int64_t date;
} batch_doc;

/* A handle that keeps its stories for doppel_story_write_state. */
static doppel_story *stateful_story(void) {
    doppel_story_options opt;
    doppel_story_options_default(&opt);
    opt.keep_state = 1;
    doppel_error err;
    doppel_story *st = doppel_story_new(&opt, &err);
    assert_non_null(st);
    return st;
}

/* doppel_story_read_state on the text of a state file named state.tsv. */
static doppel_status read_text(doppel_story *st, const char *text, doppel_error *err) {
    FILE *fp = fmemopen((void *)text, strlen(text), "r");
    assert_non_null(fp);
    doppel_status s = doppel_story_read_state(st, fp, "state.tsv", err);
    fclose(fp);
    return s;
}

/* A handle clustering the batch, after reading `state` (NULL: none). */
static doppel_story *run_batch(const batch_doc *b, size_t n, const char *state, int reverse) {
    doppel_error err;
    doppel_story *st = stateful_story();
    if (state) assert_int_equal(read_text(st, state, &err), DOPPEL_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(doppel_story_learn(st, NULL, 0, b[i].text, strlen(b[i].text), &err),
                         DOPPEL_OK);
    for (size_t k = 0; k < n; k++) {
        size_t i = reverse ? n - 1 - k : k;
        assert_int_equal(doppel_story_add(st, (uint32_t)i, NULL, 0, b[i].text, strlen(b[i].text),
                                          b[i].date, DOPPEL_STORY_NO_COPY, &err),
                         DOPPEL_OK);
    }
    assert_int_equal(doppel_story_finish(st, &err), DOPPEL_OK);
    return st;
}

static uint64_t id_of(const doppel_story *st, uint32_t docnum, uint64_t *earlier) {
    doppel_story_info inf;
    assert_int_equal(doppel_story_get_info(st, doppel_story_of(st, docnum), &inf), DOPPEL_OK);
    if (earlier) *earlier = inf.earlier_docs;
    return inf.id;
}

static char *state_of(const doppel_story *st) {
    FILE *fp = tmpfile();
    assert_non_null(fp);
    doppel_error err;
    assert_int_equal(doppel_story_write_state(st, fp, &err), DOPPEL_OK);
    long len = ftell(fp);
    char *text = malloc((size_t)len + 1);
    rewind(fp);
    assert_int_equal(fread(text, 1, (size_t)len, fp), (size_t)len);
    text[len] = '\0';
    fclose(fp);
    return text;
}

/* The "story" lines of a state, joined (ids, dates, sizes, term counts). */
static void story_lines(const char *state, char *out, size_t cap) {
    out[0] = '\0';
    for (const char *p = state; (p = strstr(p, "\nstory\t")); p++) {
        const char *end = strchr(p + 1, '\n');
        size_t len = strlen(out), n = (size_t)(end - p - 1);
        assert_true(len + n + 2 < cap);
        memcpy(out + len, p + 1, n);
        out[len + n] = '|';
        out[len + n + 1] = '\0';
    }
}

static const batch_doc day0[] = {
    {NULL, T0}, {NULL, T0 + 600}, {NULL, T0 + 1200}, {NULL, T0 + 3600},
    {NULL, T0 + 4000}, {NULL, T0 + 5000}, {NULL, T0 + 6000}, {NULL, T0 + 7000},
};

static void fill_day0(batch_doc *b) {
    memcpy(b, day0, sizeof day0);
    for (int i = 0; i < 4; i++) b[i].text = lavrov[i];
    for (int i = 0; i < 4; i++) b[4 + i].text = quake[i];
}

/* Day 2: one more telling of the Lavrov visit, and a new event. */
static void fill_day2(batch_doc *b) {
    b[0] = (batch_doc){lavrov[4], T0 + 2 * DAY};
    b[1] = (batch_doc){lavrov[1], T0 + 2 * DAY + 60};
    for (int i = 0; i < 4; i++) b[2 + i] = (batch_doc){carplay[i], T0 + 2 * DAY + 100 * (i + 1)};
}

static void test_ids_carry_over(void **state) {
    (void)state;
    batch_doc b0[8], b2[6];
    fill_day0(b0);
    fill_day2(b2);
    doppel_story *first = run_batch(b0, 8, NULL, 0);
    assert_int_equal(doppel_story_count(first), 2);
    assert_int_equal(id_of(first, 0, NULL), 0); /* ids are story numbers */
    assert_int_equal(id_of(first, 4, NULL), 1);
    for (uint32_t d = 1; d < 4; d++) assert_int_equal(id_of(first, d, NULL), 0);
    char *s0 = state_of(first);
    assert_non_null(strstr(s0, "doppel-story-state\t1\ndoppel-story-model\t1\n"));
    assert_non_null(strstr(s0, "\nnext-id\t2\nstories\t2\n"));

    doppel_story *second = run_batch(b2, 6, s0, 0);
    uint64_t earlier;
    assert_int_equal(id_of(second, 0, &earlier), 0); /* the Lavrov visit goes on */
    assert_int_equal(earlier, 4);
    assert_int_equal(id_of(second, 1, NULL), 0);
    assert_int_equal(id_of(second, 2, &earlier), 2); /* CarPlay: a new story */
    assert_int_equal(earlier, 0);
    char *s2 = state_of(second);
    char lines[512];
    story_lines(s2, lines, sizeof lines);
    /* the visit with all 6 documents and its dates; the quake kept (within
     * the window); CarPlay */
    char want[512];
    snprintf(want, sizeof want, "story\t0\t%d\t%d\t6\t", T0, T0 + 2 * DAY + 60);
    assert_non_null(strstr(lines, want));
    snprintf(want, sizeof want, "|story\t1\t%d\t%d\t4\t", T0 + 4000, T0 + 7000);
    assert_non_null(strstr(lines, want));
    assert_non_null(strstr(lines, "|story\t2\t"));
    assert_non_null(strstr(s2, "\nnext-id\t3\nstories\t3\n"));

    /* the same batch added in the other order saves the same bytes */
    doppel_story *reversed = run_batch(b2, 6, s0, 1);
    char *s2r = state_of(reversed);
    assert_string_equal(s2, s2r);

    /* day 9: CarPlay again, more than the 5-day window after its last
     * report: a new story; and everything of days 0-2 ages out */
    batch_doc b9[4];
    for (int i = 0; i < 4; i++) b9[i] = (batch_doc){carplay[4 - i], T0 + 9 * DAY + 100 * i};
    doppel_story *third = run_batch(b9, 4, s2, 0);
    assert_int_equal(id_of(third, 0, &earlier), 3);
    assert_int_equal(earlier, 0);
    char *s9 = state_of(third);
    story_lines(s9, lines, sizeof lines);
    assert_int_equal(strncmp(lines, "story\t3\t", 8), 0);
    assert_ptr_equal(strchr(lines, '|'), lines + strlen(lines) - 1); /* the only story */
    assert_non_null(strstr(s9, "\nnext-id\t4\nstories\t1\n"));

    free(s0), free(s2), free(s2r), free(s9);
    doppel_story_free(first);
    doppel_story_free(second);
    doppel_story_free(reversed);
    doppel_story_free(third);
}

/* Replace the first occurrence of `from` in `text` (malloc'ed result). */
static char *replaced(const char *text, const char *from, const char *to) {
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t a = (size_t)(at - text), f = strlen(from), t = strlen(to), n = strlen(text);
    char *out = malloc(n - f + t + 1);
    memcpy(out, text, a);
    memcpy(out + a, to, t);
    memcpy(out + a + t, at + f, n - a - f + 1);
    return out;
}

static void test_bad_states_refused(void **state) {
    (void)state;
    batch_doc b0[8];
    fill_day0(b0);
    doppel_story *first = run_batch(b0, 8, NULL, 0);
    char *good = state_of(first);
    char *cut = strdup(good); /* without its last line */
    cut[strlen(cut) - 1] = '\0';
    strrchr(cut, '\n')[1] = '\0';
    /* the first term of story 1 renamed to a term the model lacks */
    const char *term_line = strchr(strstr(good, "\nstory\t1\t") + 1, '\n') + 1;
    size_t at = (size_t)(strchr(term_line, '\t') + 1 - good);
    char *unknown = malloc(strlen(good) + 32);
    memcpy(unknown, good, at);
    strcpy(unknown + at, "wnosuchterm");
    strcat(unknown, strchr(good + at, '\n'));
    struct {
        char *text;
        const char *message;
    } bad[] = {
        {strdup("doppel-story-model\t1\n"), "not a doppel story state"},
        {replaced(good, "doppel-story-state\t1", "doppel-story-state\t2"), "version 2"},
        {replaced(good, "\nnext-id\t2\n", "\nnext-id\t1\n"), "below next-id"},
        {replaced(good, "\nstory\t1\t", "\nstory\t0\t"), "ids must increase"},
        {unknown, "a story term the model lacks"},
        {cut, "cut short"},
        {replaced(good, "\nstories\t2\n", "\nstories\t1\n"), "more lines than"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        doppel_error err;
        doppel_story *st = stateful_story();
        doppel_status s = read_text(st, bad[k].text, &err);
        if (s != DOPPEL_ERR_FORMAT || !strstr(err.message, bad[k].message))
            fail_msg("case %zu: status %d, message \"%s\"", k, (int)s, err.message);
        assert_non_null(strstr(err.message, "state.tsv"));
        doppel_story_stats stats;
        doppel_story_get_stats(st, &stats);
        assert_int_equal(stats.learned_docs, 0); /* the handle is as it was */
        assert_int_equal(read_text(st, good, &err), DOPPEL_OK);
        doppel_story_free(st);
        free(bad[k].text);
    }
    free(good);
    doppel_story_free(first);
}

static void test_state_calls_in_order(void **state) {
    (void)state;
    batch_doc b0[8];
    fill_day0(b0);
    doppel_story *first = run_batch(b0, 8, NULL, 0);
    char *good = state_of(first);
    doppel_error err;
    /* without keep_state there is no centroid to save */
    doppel_story *plain = doppel_story_new(NULL, &err);
    assert_int_equal(doppel_story_learn(plain, NULL, 0, lavrov[0], strlen(lavrov[0]), &err),
                     DOPPEL_OK);
    assert_int_equal(read_text(plain, good, &err), DOPPEL_OK);
    assert_int_equal(read_text(plain, good, &err), DOPPEL_ERR_STATE); /* once only */
    assert_int_equal(doppel_story_add(plain, 0, NULL, 0, lavrov[0], strlen(lavrov[0]), T0,
                                      DOPPEL_STORY_NO_COPY, &err),
                     DOPPEL_OK);
    assert_int_equal(read_text(plain, good, &err), DOPPEL_ERR_STATE); /* not after add */
    assert_int_equal(doppel_story_finish(plain, &err), DOPPEL_OK);
    assert_int_equal(id_of(plain, 0, NULL), 0); /* linked to the Lavrov story */
    char *buf = NULL;
    size_t len;
    FILE *fp = open_memstream(&buf, &len);
    assert_int_equal(doppel_story_write_state(plain, fp, &err), DOPPEL_ERR_STATE);
    fclose(fp);
    free(buf);
    free(good);
    doppel_story_free(plain);
    doppel_story_free(first);
}

/* doppel_story_copy: a handle that read a state, copied (twice, the copy
 * of a copy too), runs a batch exactly as the handle itself would: same
 * ids, same state written; the original is unchanged by the copies' runs;
 * a handle that has added a document cannot be copied. (The index keeps
 * one parsed state per committed add and copies it for every check.) */
static void test_copy_runs_as_original(void **state) {
    (void)state;
    batch_doc b0[8], b2[6];
    fill_day0(b0);
    fill_day2(b2);
    doppel_story *first = run_batch(b0, 8, NULL, 0);
    char *s0 = state_of(first);
    doppel_story *want = run_batch(b2, 6, s0, 0);
    char *want_state = state_of(want);
    doppel_error err;
    doppel_story *parsed = stateful_story();
    assert_int_equal(read_text(parsed, s0, &err), DOPPEL_OK);
    for (int round = 0; round < 2; round++) {
        doppel_story *c = doppel_story_copy(parsed, &err);
        assert_non_null(c);
        doppel_story *cc = round ? doppel_story_copy(c, &err) : NULL;
        doppel_story *st = round ? cc : c;
        assert_non_null(st);
        for (size_t i = 0; i < 6; i++)
            assert_int_equal(doppel_story_learn(st, NULL, 0, b2[i].text, strlen(b2[i].text), &err),
                             DOPPEL_OK);
        for (size_t i = 0; i < 6; i++)
            assert_int_equal(doppel_story_add(st, (uint32_t)i, NULL, 0, b2[i].text,
                                              strlen(b2[i].text), b2[i].date,
                                              DOPPEL_STORY_NO_COPY, &err),
                             DOPPEL_OK);
        assert_null(doppel_story_copy(st, &err));  /* after an add */
        assert_int_equal(err.code, DOPPEL_ERR_STATE);
        assert_int_equal(doppel_story_finish(st, &err), DOPPEL_OK);
        for (uint32_t d = 0; d < 6; d++) assert_int_equal(id_of(st, d, NULL), id_of(want, d, NULL));
        char *got = state_of(st);
        assert_string_equal(got, want_state);
        free(got);
        doppel_story_free(c);
        doppel_story_free(cc);
    }
    doppel_story_free(parsed);
    doppel_story_free(want);
    doppel_story_free(first);
    free(want_state);
    free(s0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids_carry_over),
        cmocka_unit_test(test_copy_runs_as_original),
        cmocka_unit_test(test_bad_states_refused),
        cmocka_unit_test(test_state_calls_in_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
