/* The spill: a stream whose start stays in memory up to a cap and whose
 * rest goes to the file reads back the same wherever a value lies, and
 * its memory part never holds more than the cap. */
#include "testutil.h"

#include "base/spill.h"

static uint64_t state = 11;
static uint32_t rnd(void) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(state >> 32);
}

enum { RECORDS = 3000 };

/* Append RECORDS records of 0-2,999 values (value k of the stream is k *
 * 2654435761), then read every record back with dp_spill_read and
 * dp_spill_get, and spans across record (and chunk) boundaries. */
static void check_stream(uint64_t cap) {
    dp_spill *s;
    doppel_error err;
    assert_int_equal(dp_spill_new_capped(NULL, cap, &s, &err), DOPPEL_OK);
    static uint64_t at[RECORDS + 1];
    static uint32_t len[RECORDS];
    static uint32_t rec[3000];
    uint64_t total = 0;
    for (int r = 0; r < RECORDS; r++) {
        len[r] = r % 50 == 7 ? 0 : rnd() % 3000;
        for (uint32_t k = 0; k < len[r]; k++) rec[k] = (uint32_t)((total + k) * 2654435761u);
        assert_int_equal(dp_spill_append(s, rec, len[r], &at[r], &err), DOPPEL_OK);
        assert_true(at[r] == total);  /* contiguous, wherever it went */
        total += len[r];
        /* the memory part stays inside its cap (plus its table of chunks, a
         * pointer per 4 KiB at most, and the 1 MiB write buffer) */
        assert_true(dp_spill_memory_bytes(s) <= cap + cap / 512 + (1u << 20));
    }
    at[RECORDS] = total;
    assert_true(dp_spill_bytes(s) == total * sizeof(uint32_t));
    assert_int_equal(dp_spill_flush(s, &err), DOPPEL_OK);
    uint32_t *buf = NULL;
    size_t buf_cap = 0;
    for (int r = 0; r < RECORDS; r++) {
        const uint32_t *view;
        assert_int_equal(dp_spill_get(s, at[r], len[r], &view, &buf, &buf_cap, &err), DOPPEL_OK);
        for (uint32_t k = 0; k < len[r]; k++)
            assert_int_equal(view[k], (uint32_t)((at[r] + k) * 2654435761u));
    }
    /* spans of several records, at random places */
    uint32_t *out = NULL;
    size_t out_cap = 0;
    for (int t = 0; t < 500; t++) {
        uint64_t from = ((uint64_t)rnd() << 20 | rnd()) % total;
        uint32_t n = (uint32_t)DP_MIN((uint64_t)(rnd() % 20000), total - from);
        assert_int_equal(dp_spill_read(s, from, n, &out, &out_cap, &err), DOPPEL_OK);
        for (uint32_t k = 0; k < n; k++)
            assert_int_equal(out[k], (uint32_t)((from + k) * 2654435761u));
    }
    dp_free(out, out_cap * sizeof *out);
    dp_free(buf, buf_cap * sizeof *buf);
    dp_spill_free(s);
}

/* All on disk, all in memory, and split between them at several caps
 * (chunks from 4 KiB to 4 MiB). */
static void test_spill_memory_and_file(void **st) {
    (void)st;
    check_stream(0);
    check_stream(1000);          /* below one chunk: all on disk */
    check_stream(64 << 10);
    check_stream(3u << 20);
    check_stream(100u << 20);    /* about 18 MB of values: all in memory */
}

/* Nothing is held in memory without a cap: the index's spill with no
 * memory limit grows the file, not the heap. */
static void test_spill_uncapped_on_disk(void **st) {
    (void)st;
    dp_spill *s;
    doppel_error err;
    assert_int_equal(dp_spill_new(NULL, &s, &err), DOPPEL_OK);
    uint64_t before = dp_mem_in_use(), at;
    static uint32_t v[1 << 16];
    for (int r = 0; r < 64; r++) assert_int_equal(dp_spill_append(s, v, 1 << 16, &at, &err), DOPPEL_OK);
    assert_true(dp_mem_in_use() - before <= (1u << 20));  /* the write buffer */
    assert_true(dp_spill_memory_bytes(s) <= (1u << 20));
    dp_spill_free(s);
}

/* Fixed-size records (the pre-filter's prints, 72 values at 128
 * permutations): a chunk holds whole records, so every run of records
 * inside one chunk, and each record alone, is a view into the memory part
 * and not a copy; the cap still bounds the memory part, and past it the
 * records read back from the file. */
static void test_spill_records(void **st) {
    (void)st;
    static const uint32_t sizes[] = {1, 72, 100, 1000, 5000};
    static const uint64_t caps[] = {0, 64 << 10, 1u << 20, 40u << 20};
    static uint32_t rec[5000];
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
        for (size_t ci = 0; ci < sizeof caps / sizeof *caps; ci++) {
            uint32_t size = sizes[si];
            uint64_t cap = caps[ci];
            dp_spill *s;
            doppel_error err;
            assert_int_equal(dp_spill_new_records(NULL, cap, size, &s, &err), DOPPEL_OK);
            uint32_t n = (uint32_t)(1000000 / size);
            for (uint32_t r = 0; r < n; r++) {
                uint64_t at;
                for (uint32_t k = 0; k < size; k++) rec[k] = r * 7919u + k;
                assert_int_equal(dp_spill_append(s, rec, size, &at, &err), DOPPEL_OK);
                assert_true(at == (uint64_t)r * size);
            }
            assert_true(dp_spill_memory_bytes(s) <= cap + cap / 512 + (1u << 20));
            assert_int_equal(dp_spill_flush(s, &err), DOPPEL_OK);
            size_t cv = dp_spill_chunk_values(s);
            uint64_t in_memory = dp_spill_memory_values(s);
            assert_true(cv % size == 0 || size > cv);
            if (cap >= (1u << 20) && size <= 1000) assert_true(in_memory > 0);
            if (cap == 0) assert_true(in_memory == 0);
            uint32_t *buf = NULL;
            size_t buf_cap = 0;
            for (uint32_t r = 0; r < n; r += 1 + r % 7) {
                const uint32_t *view;
                uint64_t at = (uint64_t)r * size;
                assert_int_equal(dp_spill_get(s, at, size, &view, &buf, &buf_cap, &err), DOPPEL_OK);
                if (at + size <= in_memory) assert_true(view != buf);  /* in place */
                for (uint32_t k = 0; k < size; k++) assert_int_equal(view[k], r * 7919u + k);
            }
            /* whole chunks of records at once, in place while in memory */
            for (uint64_t c = 0; cv >= size && (c + 1) * cv <= (uint64_t)n * size; c++) {
                const uint32_t *view;
                assert_int_equal(dp_spill_get(s, c * cv, (uint32_t)cv, &view, &buf, &buf_cap, &err),
                                 DOPPEL_OK);
                if ((c + 1) * cv <= in_memory) assert_true(view != buf);
                uint32_t r = (uint32_t)(c * cv / size);
                assert_int_equal(view[0], r * 7919u);
                assert_int_equal(view[cv - 1], (r + (uint32_t)(cv / size) - 1) * 7919u + size - 1);
            }
            dp_free(buf, buf_cap * sizeof *buf);
            dp_spill_free(s);
        }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spill_memory_and_file),
        cmocka_unit_test(test_spill_uncapped_on_disk),
        cmocka_unit_test(test_spill_records),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
