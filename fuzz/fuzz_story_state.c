/*
 * fuzz_story_state — doppel_story_read_state on arbitrary bytes.
 *
 * Properties: the result is OK or a refusal (FORMAT, ARG, LIMIT); a refused
 * state leaves the handle as it was (no learned documents, no earlier
 * stories: the next document opens story 0); an accepted one lets the run
 * go on, and the state it writes is read back without complaint.
 */
#include "fuzz.h"

static const char text[] = "Tara Reid checks into Promises rehab in Malibu on March 4, 2008.";

static doppel_status read_bytes(doppel_story *st, const uint8_t *data, size_t size) {
    return fuzz_read_story_file(doppel_story_read_state, st, data, size);
}

/* Learn and add one dated document, finish; the story's id in *id. */
static void run_one(doppel_story *st, uint64_t *id) {
    doppel_error err;
    FUZZ_CHECK(doppel_story_learn(st, NULL, 0, text, sizeof text - 1, &err) == DOPPEL_OK, "%s",
               err.message);
    FUZZ_CHECK(doppel_story_add(st, 0, NULL, 0, text, sizeof text - 1, 1204588800,
                                DOPPEL_STORY_NO_COPY, &err) == DOPPEL_OK,
               "%s", err.message);
    FUZZ_CHECK(doppel_story_finish(st, &err) == DOPPEL_OK, "%s", err.message);
    doppel_story_info inf;
    FUZZ_CHECK(doppel_story_get_info(st, 0, &inf) == DOPPEL_OK, "no story");
    *id = inf.id;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    doppel_story_options opt;
    doppel_story_options_default(&opt);
    opt.keep_state = 1;
    doppel_error err;
    doppel_story *st = doppel_story_new(&opt, &err);
    FUZZ_CHECK(st != NULL, "%s", err.message);
    doppel_status s = read_bytes(st, data, size);
    FUZZ_CHECK(s == DOPPEL_OK || s == DOPPEL_ERR_FORMAT || s == DOPPEL_ERR_ARG ||
                   s == DOPPEL_ERR_LIMIT,
               "status %d", (int)s);
    doppel_story_stats stats;
    doppel_story_get_stats(st, &stats);
    if (s != DOPPEL_OK)
        FUZZ_CHECK(stats.learned_docs == 0, "a refused state changed the counts");
    uint64_t id;
    run_one(st, &id);
    if (s != DOPPEL_OK) FUZZ_CHECK(id == 0, "a refused state left stories behind (id %llu)",
                                   (unsigned long long)id);
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    FUZZ_CHECK(fp && doppel_story_write_state(st, fp, &err) == DOPPEL_OK, "write failed");
    fclose(fp);
    doppel_story *again = doppel_story_new(&opt, &err);
    FUZZ_CHECK(read_bytes(again, (const uint8_t *)buf, len) == DOPPEL_OK,
               "a written state was refused");
    free(buf);
    doppel_story_free(again);
    doppel_story_free(st);
    return 0;
}
