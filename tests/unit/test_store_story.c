/* Checks against an index with stories keep the parsed story state in the
 * handle: a check answers the same whether the state was just parsed or
 * copied from the handle's, and an add through the same handle (a new
 * committed state) is seen by the next check exactly as a freshly opened
 * handle sees it. */
#include "testutil.h"

#include <pthread.h>
#include <unistd.h>

static const char *const texts[] = {
    "Russian foreign minister Sergei Lavrov arrives in Pyongyang for talks with Kim Jong Un.",
    "Lavrov meets North Korean leader Kim Jong Un in Pyongyang, praises military ties.",
    "A magnitude 6.1 earthquake strikes southern Iran near Bushehr, damaging villages.",
    "Earthquake of magnitude 6.1 hits Bushehr province in southern Iran; villages damaged.",
    "Apple releases iOS 7.1 with CarPlay and a faster iPhone interface.",
    "iOS 7.1 arrives: Apple brings CarPlay to the iPhone and fixes crashes.",
};
static const char *const probes[] = {
    "In Pyongyang, Sergei Lavrov and Kim Jong Un discuss cooperation between Moscow and North Korea.",
    "Apple's iOS 7.1 update adds CarPlay support and speeds up older iPhone models.",
    "Bushehr earthquake: rescuers search damaged villages in southern Iran after the 6.1 quake.",
};

static doppel_store_doc doc(const char *id, const char *text, int64_t date) {
    return (doppel_store_doc){id, strlen(id), text, strlen(text), date, NULL, 0, NULL, 0};
}

/* The story each probe would join. */
static void probe(doppel_store *s, uint64_t out[3]) {
    doppel_store_doc d[3];
    for (int i = 0; i < 3; i++) d[i] = doc("p", probes[i], 1700000000 + 86400);
    doppel_store_result r[3];
    doppel_error err;
    assert_int_equal(doppel_store_check(s, d, 3, r, &err), DOPPEL_OK);
    for (int i = 0; i < 3; i++) out[i] = r[i].story;
    doppel_store_results_free(r, 3);
}

/* A new index with stories in a new directory dir (mkdtemp template). */
static doppel_store *new_store(char *dir, char *ix, size_t cap) {
    assert_non_null(mkdtemp(dir));
    snprintf(ix, cap, "%s/ix", dir);
    doppel_config cfg;
    doppel_config_default(&cfg);
    doppel_story_options so;
    doppel_story_options_default(&so);
    doppel_error err;
    assert_int_equal(doppel_store_create_stories(ix, &cfg, &so, &err), DOPPEL_OK);
    doppel_store *s;
    assert_int_equal(doppel_store_open(ix, 0, &s, &err), DOPPEL_OK);
    return s;
}

static void remove_dir(const char *dir) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_cached_state(void **state) {
    (void)state;
    char dir[] = "/tmp/doppel-store-story-XXXXXX", ix[64];
    doppel_store *s = new_store(dir, ix, sizeof ix);
    doppel_error err;
    /* an empty index: every probe opens a new story */
    uint64_t a[3], b[3], c[3];
    probe(s, a);
    for (int i = 0; i < 3; i++) assert_true(a[i] == DOPPEL_STORE_NO_STORY);
    /* add the Lavrov and earthquake tellings */
    doppel_store_doc d[4];
    for (int i = 0; i < 4; i++) d[i] = doc(i & 1 ? "x" : "y", texts[i], 1700000000 + 60 * i);
    assert_int_equal(doppel_store_add(s, d, 4, NULL, &err), DOPPEL_OK);
    probe(s, a);  /* parsed */
    probe(s, b);  /* copied from the handle */
    assert_true(a[0] != DOPPEL_STORE_NO_STORY && a[2] != DOPPEL_STORE_NO_STORY && a[0] != a[2]);
    assert_true(a[1] == DOPPEL_STORE_NO_STORY);
    for (int i = 0; i < 3; i++) assert_true(a[i] == b[i]);
    /* a second add through the same handle: CarPlay now has a story */
    for (int i = 0; i < 2; i++) d[i] = doc("z", texts[4 + i], 1700000000 + 3600 + 60 * i);
    assert_int_equal(doppel_store_add(s, d, 2, NULL, &err), DOPPEL_OK);
    probe(s, b);
    assert_true(b[1] != DOPPEL_STORE_NO_STORY);
    doppel_store *fresh;
    assert_int_equal(doppel_store_open(ix, DOPPEL_STORE_READONLY, &fresh, &err), DOPPEL_OK);
    probe(fresh, c);
    for (int i = 0; i < 3; i++) assert_true(b[i] == c[i]);
    doppel_store_free(fresh);
    doppel_store_free(s);
    remove_dir(dir);
}

/* Threads checking on one handle (as doppel serve's pool does) while
 * another adds through it: each check answers as the state it read (the
 * one before the add or the one after), never anything else; run under
 * ThreadSanitizer by `make tsan-test`. */
typedef struct checker {
    doppel_store *s;
    const uint64_t *before, *after;
    int bad;
} checker;

static void *check_loop(void *p) {
    checker *c = p;
    for (int k = 0; k < 20; k++) {
        uint64_t got[3];
        probe(c->s, got);
        int is_before = 1, is_after = 1;
        for (int i = 0; i < 3; i++) {
            is_before &= got[i] == c->before[i];
            is_after &= got[i] == c->after[i];
        }
        c->bad |= !is_before && !is_after;
    }
    return NULL;
}

static void test_concurrent_checks(void **state) {
    (void)state;
    char dir[] = "/tmp/doppel-store-story-XXXXXX", ix[64];
    doppel_store *s = new_store(dir, ix, sizeof ix);
    doppel_error err;
    doppel_store_doc d[4];
    for (int i = 0; i < 4; i++) d[i] = doc("x", texts[i], 1700000000 + 60 * i);
    assert_int_equal(doppel_store_add(s, d, 4, NULL, &err), DOPPEL_OK);
    uint64_t before[3], after[3];
    probe(s, before);
    /* the answers after the second add, from another index */
    char dir2[] = "/tmp/doppel-store-story-XXXXXX", ix2[64];
    doppel_store *s2 = new_store(dir2, ix2, sizeof ix2);
    assert_int_equal(doppel_store_add(s2, d, 4, NULL, &err), DOPPEL_OK);
    doppel_store_doc d2[2];
    for (int i = 0; i < 2; i++) d2[i] = doc("z", texts[4 + i], 1700000000 + 3600 + 60 * i);
    assert_int_equal(doppel_store_add(s2, d2, 2, NULL, &err), DOPPEL_OK);
    probe(s2, after);
    doppel_store_free(s2);
    remove_dir(dir2);
    assert_true(before[1] != after[1]);
    checker c[3];
    pthread_t t[3];
    for (int i = 0; i < 3; i++) {
        c[i] = (checker){s, before, after, 0};
        assert_int_equal(pthread_create(&t[i], NULL, check_loop, &c[i]), 0);
    }
    assert_int_equal(doppel_store_add(s, d2, 2, NULL, &err), DOPPEL_OK);
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        assert_false(c[i].bad);
    }
    uint64_t now[3];
    probe(s, now);
    for (int i = 0; i < 3; i++) assert_true(now[i] == after[i]);
    doppel_store_free(s);
    remove_dir(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cached_state),
        cmocka_unit_test(test_concurrent_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
