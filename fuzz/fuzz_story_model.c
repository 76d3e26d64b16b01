/*
 * fuzz_story_model — doppel_story_read_model on arbitrary bytes.
 *
 * Properties: the result is OK or a refusal (FORMAT, ARG, LIMIT); a refused
 * model leaves the handle's counts exactly as they were (its written model
 * unchanged); an accepted one adds its documents to the count, and writing
 * the handle that read it, reading that into a fresh handle and writing
 * again gives the same bytes (the written form is canonical).
 */
#include "fuzz.h"

static char *model_of(const doppel_story *st, size_t *len) {
    char *buf = NULL;
    FILE *fp = open_memstream(&buf, len);
    doppel_error err;
    FUZZ_CHECK(fp && doppel_story_write_model(st, fp, &err) == DOPPEL_OK, "write failed");
    fclose(fp);
    return buf;
}

static doppel_status read_bytes(doppel_story *st, const uint8_t *data, size_t size) {
    return fuzz_read_story_file(doppel_story_read_model, st, data, size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    doppel_error err;
    doppel_story *st = doppel_story_new(NULL, &err);
    FUZZ_CHECK(st != NULL, "%s", err.message);
    static const char text[] = "Tara Reid checks into Promises rehab in Malibu on March 4, 2008.";
    doppel_story_learn(st, NULL, 0, text, sizeof text - 1, &err);
    size_t before_len, after_len;
    char *before = model_of(st, &before_len);
    doppel_story_stats s0, s1;
    doppel_story_get_stats(st, &s0);
    doppel_status s = read_bytes(st, data, size);
    FUZZ_CHECK(s == DOPPEL_OK || s == DOPPEL_ERR_FORMAT || s == DOPPEL_ERR_ARG ||
                   s == DOPPEL_ERR_LIMIT,
               "status %d", (int)s);
    doppel_story_get_stats(st, &s1);
    char *after = model_of(st, &after_len);
    if (s != DOPPEL_OK) {
        FUZZ_CHECK(after_len == before_len && !memcmp(after, before, before_len),
                   "a refused model changed the counts");
        FUZZ_CHECK(s1.learned_docs == s0.learned_docs, "a refused model changed N");
    } else {
        FUZZ_CHECK(s1.learned_docs >= s0.learned_docs, "N went down");
        doppel_story *again = doppel_story_new(NULL, &err);
        FUZZ_CHECK(read_bytes(again, (const uint8_t *)after, after_len) == DOPPEL_OK,
                   "a written model was refused");
        size_t len2;
        char *twice = model_of(again, &len2);
        FUZZ_CHECK(len2 == after_len && !memcmp(twice, after, after_len),
                   "writing, reading and writing changed the model");
        free(twice);
        doppel_story_free(again);
    }
    free(before);
    free(after);
    doppel_story_free(st);
    return 0;
}
