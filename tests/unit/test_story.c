/* test_story.c — the story level: same event in other words, different
 * events of one kind, copy clusters, order independence, the seed documents. */
#include "testutil.h"

#include <dirent.h>

/* ---- a small crafted corpus ---------------------------------------------- */

/* Two celebrity rehab stays (the same kind of event: shared vocabulary,
 * different names, places and dates), each told twice in different words,
 * and background news so that document frequencies mean something. */
static const char *const corpus[][2] = {
    /* 0, 1: event A */
    {"Tara Reid checks into Promises rehab in Malibu",
     "Actress Tara Reid has entered the Promises Treatment Center in Malibu, her "
     "representative Jack Ketsoyan confirmed on Tuesday, March 4, 2008. Reid, 33, who "
     "starred in American Pie, is seeking treatment at the facility. Ketsoyan asked for "
     "privacy for Reid."},
    {"American Pie star Reid goes to rehab",
     "Tara Reid is being treated at Promises in Malibu, California. The American Pie "
     "actress checked in this week, publicist Jack Ketsoyan told People magazine on "
     "March 4, 2008. Reid has struggled with partying for years, friends of Reid said."},
    /* 2, 3: event B, the same kind of event */
    {"Lindsay Lohan enters Betty Ford Center",
     "Actress Lindsay Lohan has checked into the Betty Ford Center in Rancho Mirage to "
     "begin a 90-day court-ordered rehab stay, her attorney Shawn Holley said on May 3, "
     "2013. Lohan agreed to treatment in a plea deal after a car accident case."},
    {"Lohan begins court-mandated rehab at Betty Ford",
     "Lindsay Lohan arrived at the Betty Ford Center in Rancho Mirage on May 3, 2013, "
     "attorney Shawn Holley confirmed. The 90-day treatment is part of a plea deal in "
     "Lohan's car accident case, and the judge ordered the rehab stay."},
    /* 4..9: background */
    {"Earthquake shakes northern Peru",
     "A magnitude 6.1 earthquake struck northern Peru on Sunday, damaging homes in "
     "Trujillo. No deaths were reported, officials said."},
    {"Chargers lose playoff game in Pittsburgh",
     "The San Diego Chargers lost to the Pittsburgh Steelers on Sunday. Philip Rivers "
     "threw two touchdowns but the defense could not hold."},
    {"Central bank keeps rates unchanged",
     "The European Central Bank left interest rates unchanged on Thursday and said "
     "inflation remains low. Mario Draghi spoke to reporters in Frankfurt."},
    {"Microsoft patches Internet Explorer flaw",
     "Microsoft released an emergency security update for Internet Explorer on "
     "Wednesday to fix a flaw that attackers used to hijack computers."},
    {"Storm floods coastal towns",
     "Heavy rain and a storm surge flooded coastal towns in Brittany on Monday. "
     "Thousands of homes lost power and schools were closed."},
    {"Apple releases iOS update",
     "Apple released iOS 7.1 on Monday with CarPlay support and bug fixes for the "
     "iPhone. The update is available for download."},
};
#define NDOCS (sizeof corpus / sizeof corpus[0])

static doppel_story *run(const size_t *order, const uint32_t *copy, doppel_story_options *opt) {
    doppel_error err;
    doppel_story *st = doppel_story_new(opt, &err);
    assert_non_null(st);
    for (size_t k = 0; k < NDOCS; k++) {
        size_t i = order ? order[k] : k;
        assert_int_equal(doppel_story_learn(st, corpus[i][0], strlen(corpus[i][0]), corpus[i][1],
                                            strlen(corpus[i][1]), &err),
                         DOPPEL_OK);
    }
    for (size_t k = 0; k < NDOCS; k++) {
        size_t i = order ? order[k] : k;
        assert_int_equal(doppel_story_add(st, (uint32_t)i, corpus[i][0], strlen(corpus[i][0]),
                                          corpus[i][1], strlen(corpus[i][1]), DOPPEL_NO_DATE,
                                          copy ? copy[i] : DOPPEL_STORY_NO_COPY, &err),
                         DOPPEL_OK);
    }
    assert_int_equal(doppel_story_finish(st, &err), DOPPEL_OK);
    return st;
}

static void same_event_other_words(void **state) {
    (void)state;
    doppel_story *st = run(NULL, NULL, NULL);
    assert_int_equal(doppel_story_of(st, 0), doppel_story_of(st, 1));
    assert_int_equal(doppel_story_of(st, 2), doppel_story_of(st, 3));
    doppel_story_free(st);
}

static void different_events_of_one_kind(void **state) {
    (void)state;
    doppel_story *st = run(NULL, NULL, NULL);
    assert_int_not_equal(doppel_story_of(st, 0), doppel_story_of(st, 2));
    /* and the background joins neither (in a corpus of ten, one shared
     * weekday is enough to pair two background items, so they are not
     * checked against each other) */
    for (uint32_t a = 4; a < NDOCS; a++) {
        assert_int_not_equal(doppel_story_of(st, a), doppel_story_of(st, 0));
        assert_int_not_equal(doppel_story_of(st, a), doppel_story_of(st, 2));
    }
    doppel_story_free(st);
}

/* The crafted cases hold with and without neighbour expansion: expansion
 * adds what a document's nearest neighbours say, it must not pull the other
 * rehab stay or the background into an event. */
static void expansion_keeps_events_apart(void **state) {
    (void)state;
    doppel_story_options opt;
    for (int on = 0; on < 2; on++) {
        doppel_story_options_default(&opt);
        if (!on) {
            opt.expansion = 0;
            opt.threshold = 0.22; /* the threshold for unexpanded vectors */
        }
        doppel_story *st = run(NULL, NULL, &opt);
        assert_int_equal(doppel_story_of(st, 0), doppel_story_of(st, 1));
        assert_int_equal(doppel_story_of(st, 2), doppel_story_of(st, 3));
        assert_int_not_equal(doppel_story_of(st, 0), doppel_story_of(st, 2));
        for (uint32_t a = 4; a < NDOCS; a++)
            assert_int_not_equal(doppel_story_of(st, a), doppel_story_of(st, 0));
        doppel_story_free(st);
    }
}

static void copy_clusters_never_split(void **state) {
    (void)state;
    /* Put an unrelated document in the same copy cluster as 0 and another in
     * the same as 2: each copy cluster must land in one story. */
    uint32_t copy[NDOCS];
    for (size_t i = 0; i < NDOCS; i++) copy[i] = (uint32_t)(100 + i);
    copy[4] = copy[0];
    copy[7] = copy[2];
    doppel_story *st = run(NULL, copy, NULL);
    assert_int_equal(doppel_story_of(st, 4), doppel_story_of(st, 0));
    assert_int_equal(doppel_story_of(st, 7), doppel_story_of(st, 2));
    doppel_story_info info;
    assert_int_equal(doppel_story_get_info(st, doppel_story_of(st, 0), &info), DOPPEL_OK);
    assert_true(info.size >= 2);
    assert_true(info.copies < info.size);
    doppel_story_free(st);
}

/* One run per shuffled order must give the same story numbers, with and
 * without copy clusters that span two events (the copy join's majority and
 * its tie-break must not depend on the order either). */
static void check_order_independent(const uint32_t *copy) {
    doppel_story *ref = run(NULL, copy, NULL);
    size_t order[NDOCS];
    uint64_t x = 12345;
    for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < NDOCS; i++) order[i] = i;
        for (size_t i = NDOCS; i > 1; i--) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            size_t j = (size_t)(x >> 33) % i, t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        doppel_story *st = run(order, copy, NULL);
        assert_int_equal(doppel_story_count(st), doppel_story_count(ref));
        /* story numbers follow (date, hash) order, so they match exactly */
        for (uint32_t d = 0; d < NDOCS; d++)
            assert_int_equal(doppel_story_of(st, d), doppel_story_of(ref, d));
        doppel_story_free(st);
    }
    if (copy) /* and each copy cluster is whole */
        for (uint32_t d = 0; d < NDOCS; d++)
            for (uint32_t e = 0; e < NDOCS; e++)
                if (copy[d] == copy[e])
                    assert_int_equal(doppel_story_of(ref, d), doppel_story_of(ref, e));
    doppel_story_free(ref);
}

static void order_independent(void **state) {
    (void)state;
    check_order_independent(NULL);
    uint32_t copy[NDOCS];
    for (size_t i = 0; i < NDOCS; i++) copy[i] = (uint32_t)(100 + i);
    copy[4] = copy[0];
    copy[7] = copy[2];
    copy[9] = copy[2];
    check_order_independent(copy);
}

static void info_and_terms(void **state) {
    (void)state;
    doppel_story *st = run(NULL, NULL, NULL);
    uint32_t s = doppel_story_of(st, 2);
    doppel_story_info info;
    assert_int_equal(doppel_story_get_info(st, s, &info), DOPPEL_OK);
    assert_int_equal(info.size, 2);
    assert_int_equal(info.first_date, DOPPEL_NO_DATE);
    assert_true(info.num_terms > 0);
    int lohan = 0;
    for (unsigned i = 0; i < info.num_terms; i++) lohan |= strstr(info.terms[i], "lohan") != NULL;
    assert_true(lohan);
    assert_int_equal(doppel_story_get_info(st, doppel_story_count(st), &info), DOPPEL_ERR_ARG);
    assert_int_equal(doppel_story_of(st, 999), DOPPEL_STORY_NONE);
    doppel_story_free(st);
}

/* Every term of every story of a tiny corpus, as "|t1|t2|...|", the
 * documents learned and added in the order given. */
static void shown_terms(const char *const *docs, size_t n, int reverse, char *out, size_t cap) {
    doppel_error err;
    doppel_story *st = doppel_story_new(NULL, &err);
    assert_non_null(st);
    for (size_t k = 0; k < n; k++) {
        const char *d = docs[reverse ? n - 1 - k : k];
        assert_int_equal(doppel_story_learn(st, NULL, 0, d, strlen(d), &err), DOPPEL_OK);
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = reverse ? n - 1 - k : k;
        assert_int_equal(doppel_story_add(st, (uint32_t)i, NULL, 0, docs[i], strlen(docs[i]),
                                          DOPPEL_NO_DATE, DOPPEL_STORY_NO_COPY, &err),
                         DOPPEL_OK);
    }
    assert_int_equal(doppel_story_finish(st, &err), DOPPEL_OK);
    snprintf(out, cap, "|");
    for (uint32_t s = 0; s < doppel_story_count(st); s++) {
        doppel_story_info info;
        assert_int_equal(doppel_story_get_info(st, s, &info), DOPPEL_OK);
        for (unsigned i = 0; i < info.num_terms; i++) {
            size_t len = strlen(out);
            snprintf(out + len, cap - len, "%s|", info.terms[i]);
        }
    }
    doppel_story_free(st);
}

/* Stems are shown as the word most often written (ties: the shorter, then
 * the bytewise smaller), in words, quantities and quotations alike, and
 * the choice does not depend on the order of the documents. */
static void terms_shown_as_words(void **state) {
    (void)state;
    static const char *const words[] = {
        "Explorers found the rover.",
        "The exploration found rovers.",
        "Exploration, exploration!",
    };
    char a[2048], b[2048];
    shown_terms(words, 3, 0, a, sizeof a);
    shown_terms(words, 3, 1, b, sizeof b);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "|exploration|")); /* 3 of 4 */
    assert_null(strstr(a, "|explor|"));
    assert_non_null(strstr(a, "|rover|"));       /* 1 each: the shorter */
    assert_null(strstr(a, "|rovers|"));
    assert_non_null(strstr(a, "|found|"));       /* a stem that is its word */

    static const char *const phrases[] = {
        "A 6.1 magnitude reading.",
        "6.1 magnitude it was.",
        "He called it a \u201cspecial military operation\u201d.",
        "It was a \u201cspecial military operation\u201d again.",
    };
    shown_terms(phrases, 4, 0, a, sizeof a);
    shown_terms(phrases, 4, 1, b, sizeof b);
    assert_string_equal(a, b);
    assert_non_null(strstr(a, "|6.1 magnitude|"));
    assert_non_null(strstr(a, "|magnitude|"));
    assert_non_null(strstr(a, "|special military operation|"));
    assert_null(strstr(a, "magnitud|"));
    assert_null(strstr(a, "militari"));
}

static void dates_age_stories_out(void **state) {
    (void)state;
    /* The same two reports of event A a year apart are two stories with a
     * window of 5 days, one story without dates. */
    doppel_error err;
    doppel_story *st = doppel_story_new(NULL, &err);
    assert_non_null(st);
    for (size_t i = 0; i < NDOCS; i++)
        assert_int_equal(doppel_story_learn(st, corpus[i][0], strlen(corpus[i][0]), corpus[i][1],
                                            strlen(corpus[i][1]), &err),
                         DOPPEL_OK);
    for (size_t i = 0; i < NDOCS; i++) {
        int64_t date = 1204600000 + (i == 1 ? 365 * 86400 : 0);
        assert_int_equal(doppel_story_add(st, (uint32_t)i, corpus[i][0], strlen(corpus[i][0]),
                                          corpus[i][1], strlen(corpus[i][1]), date,
                                          DOPPEL_STORY_NO_COPY, &err),
                         DOPPEL_OK);
    }
    assert_int_equal(doppel_story_finish(st, &err), DOPPEL_OK);
    assert_int_not_equal(doppel_story_of(st, 0), doppel_story_of(st, 1));
    assert_int_equal(doppel_story_of(st, 2), doppel_story_of(st, 3));
    doppel_story_info info;
    assert_int_equal(doppel_story_get_info(st, doppel_story_of(st, 0), &info), DOPPEL_OK);
    assert_int_equal(info.first_date, 1204600000);
    doppel_story_free(st);
}

static void api_errors(void **state) {
    (void)state;
    doppel_error err;
    doppel_story_options opt;
    doppel_story_options_default(&opt);
    opt.threshold = 0;
    assert_null(doppel_story_new(&opt, &err));
    assert_int_equal(err.code, DOPPEL_ERR_ARG);
    doppel_story_options_default(&opt);
    opt.expansion = -1;
    assert_null(doppel_story_new(&opt, &err));
    assert_int_equal(err.code, DOPPEL_ERR_ARG);
    doppel_story_options_default(&opt);
    opt.language = "klingon";
    assert_null(doppel_story_new(&opt, &err));
    doppel_story_free(NULL);

    doppel_story *st = doppel_story_new(NULL, &err);
    assert_non_null(st);
    assert_int_equal(doppel_story_add(st, 0, NULL, 0, "x", 1, DOPPEL_NO_DATE,
                                      DOPPEL_STORY_NO_COPY, &err),
                     DOPPEL_ERR_STATE);
    assert_int_equal(doppel_story_learn(st, NULL, 0, "some words here", 15, &err), DOPPEL_OK);
    assert_int_equal(doppel_story_add(st, 3, NULL, 0, "some words", 10, DOPPEL_NO_DATE,
                                      DOPPEL_STORY_NO_COPY, &err),
                     DOPPEL_OK);
    assert_int_equal(doppel_story_add(st, 3, NULL, 0, "again", 5, DOPPEL_NO_DATE,
                                      DOPPEL_STORY_NO_COPY, &err),
                     DOPPEL_ERR_ARG);
    assert_int_equal(doppel_story_learn(st, NULL, 0, "late", 4, &err), DOPPEL_ERR_STATE);
    assert_int_equal(doppel_story_of(st, 3), DOPPEL_STORY_NONE); /* not finished */
    assert_int_equal(doppel_story_finish(st, &err), DOPPEL_OK);
    assert_int_equal(doppel_story_count(st), 1);
    assert_int_equal(doppel_story_of(st, 3), 0);
    assert_int_equal(doppel_story_finish(st, &err), DOPPEL_ERR_STATE);
    doppel_story_free(st);
}

/* ---- the seed documents ------------------------------------------------- */

/* Read a seed file and drop its YAML front matter (a leading "---" block):
 * extraction is another module's job, this is the least the test needs. */
static char *read_seed(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    char *body = buf;
    if (strncmp(buf, "---\n", 4) == 0) {
        char *end = strstr(buf + 4, "\n---\n");
        if (end) body = end + 5;
    }
    *len = strlen(body);
    memmove(buf, body, *len + 1);
    return buf;
}

/* Cluster the five seeds; the crafted corpus is learned and added too as
 * background: five documents alone make poor document frequencies (a word in
 * all of them has IDF 0), and a real run has the rest of its collection. The
 * background must never join the seeds' story; 002 (a later meeting) may. */
static void seed_stories(char *const *text, const size_t *len, int dated, uint32_t *out) {
    doppel_error err;
    doppel_story *st = doppel_story_new(NULL, &err);
    assert_non_null(st);
    for (int i = 0; i < 5; i++)
        assert_int_equal(doppel_story_learn(st, NULL, 0, text[i], len[i], &err), DOPPEL_OK);
    for (size_t i = 0; i < NDOCS; i++)
        assert_int_equal(doppel_story_learn(st, corpus[i][0], strlen(corpus[i][0]), corpus[i][1],
                                            strlen(corpus[i][1]), &err),
                         DOPPEL_OK);
    for (int i = 0; i < 5; i++) {
        int64_t date = DOPPEL_NO_DATE;
        uint32_t copy = DOPPEL_STORY_NO_COPY;
        if (dated && i == 0) date = 1700081589; /* 2023-11-15T20:53:09Z */
        if (dated && i == 1) date = 1734987189; /* 2024-12-23T20:53:09Z */
        if (dated && i <= 1) copy = 7;
        assert_int_equal(doppel_story_add(st, (uint32_t)i, NULL, 0, text[i], len[i], date, copy,
                                          &err),
                         DOPPEL_OK);
    }
    for (size_t i = 0; i < NDOCS; i++)
        assert_int_equal(doppel_story_add(st, (uint32_t)(10 + i), corpus[i][0],
                                          strlen(corpus[i][0]), corpus[i][1],
                                          strlen(corpus[i][1]), DOPPEL_NO_DATE,
                                          DOPPEL_STORY_NO_COPY, &err),
                         DOPPEL_OK);
    assert_int_equal(doppel_story_finish(st, &err), DOPPEL_OK);
    for (int i = 0; i < 5; i++) out[i] = doppel_story_of(st, (uint32_t)i);
    for (uint32_t i = 0; i < NDOCS; i++)
        assert_int_not_equal(doppel_story_of(st, 10 + i), out[0]);
    doppel_story_free(st);
}

static void seeds(void **state) {
    (void)state;
    char path[512];
    DIR *dir = opendir(SHARED_DIR "/seeds");
    if (!dir) skip();
    const char *names[5] = {0};
    char found[5][256];
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (de->d_name[0] >= '0' && de->d_name[0] <= '4' && strlen(de->d_name) < 200) {
            int i = de->d_name[2] - '0';
            if (i >= 0 && i < 5) {
                snprintf(found[i], sizeof found[i], "%s", de->d_name);
                names[i] = found[i];
            }
        }
    }
    closedir(dir);
    for (int i = 0; i < 5; i++)
        if (!names[i]) skip();
    char *text[5];
    size_t len[5];
    for (int i = 0; i < 5; i++) {
        snprintf(path, sizeof path, SHARED_DIR "/seeds/%s", names[i]);
        text[i] = read_seed(path, &len[i]);
        assert_non_null(text[i]);
    }
    /* Undated, no copy clusters; then with the front matter's dates (000 on
     * 2023-11-15, 001 republished on 2024-12-23) and 000+001 in one copy
     * cluster, as the copy stage finds (94% of 001 is inside 000): the year
     * between them would age the story out, the copy cluster keeps them. */
    for (int dated = 0; dated < 2; dated++) {
        uint32_t s[5];
        seed_stories(text, len, dated, s);
        print_message("seeds (%s): stories 000=%u 001=%u 002=%u 003=%u 004=%u\n",
                      dated ? "dated, 000+001 copies" : "undated", s[0], s[1], s[2], s[3], s[4]);
        assert_int_equal(s[1], s[0]);
        assert_int_equal(s[3], s[0]);
        assert_int_equal(s[4], s[0]);
    }
    for (int i = 0; i < 5; i++) free(text[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_event_other_words),
        cmocka_unit_test(different_events_of_one_kind),
        cmocka_unit_test(expansion_keeps_events_apart),
        cmocka_unit_test(copy_clusters_never_split),
        cmocka_unit_test(order_independent),
        cmocka_unit_test(info_and_terms),
        cmocka_unit_test(terms_shown_as_words),
        cmocka_unit_test(dates_age_stories_out),
        cmocka_unit_test(api_errors),
        cmocka_unit_test(seeds),
    };
    return cmocka_run_group_tests_name("story", tests, NULL, NULL);
}
