/*
 * fuzz_normalize — doppel_normalize on arbitrary bytes.
 *
 * Properties (the header's contract): the output is valid UTF-8, NUL-
 * terminated, words separated by single spaces with none leading or
 * trailing; normalizing the output again changes nothing (idempotence: a
 * copy that went through doppel once must match its original); and the
 * output of valid input needs no repairs.
 */
#include "fuzz.h"

static doppel_buf once, twice;  /* reused across inputs, as callers are told to */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    doppel_norm_stats st = {0};
    doppel_status rc = doppel_normalize((const char *)data, size, &once, &st);
    if (rc == DOPPEL_ERR_NOMEM) return 0;
    FUZZ_CHECK(rc == DOPPEL_OK, "status %d", rc);
    const char *o = once.data;
    size_t n = once.len;
    FUZZ_CHECK(o && o[n] == 0, "output not NUL-terminated");
    FUZZ_CHECK(memchr(o, 0, n) == NULL, "NUL byte inside the output");
    size_t bad = fuzz_utf8_invalid_at(o, n);
    FUZZ_CHECK(bad == n, "output invalid UTF-8 at byte %zu of %zu", bad, n);
    if (n) FUZZ_CHECK(o[0] != ' ' && o[n - 1] != ' ', "leading or trailing space");
    FUZZ_CHECK(strstr(o, "  ") == NULL, "two spaces in a row");
    if (fuzz_utf8_invalid_at((const char *)data, size) == size && !memchr(data, 0, size))
        FUZZ_CHECK(st.invalid_utf8 == 0 && st.nul_bytes == 0, "repairs counted on valid input");

    doppel_norm_stats st2 = {0};
    rc = doppel_normalize(o, n, &twice, &st2);
    if (rc == DOPPEL_ERR_NOMEM) return 0;
    FUZZ_CHECK(rc == DOPPEL_OK, "status %d on second pass", rc);
    FUZZ_CHECK(st2.invalid_utf8 == 0 && st2.nul_bytes == 0, "the output needed repairs");
    if (twice.len != n || memcmp(twice.data, o, n)) {
        size_t i = 0;
        while (i < n && i < twice.len && o[i] == twice.data[i]) i++;
        size_t from = i > 16 ? i - 16 : 0;
        FUZZ_CHECK(0, "not idempotent: %zu bytes, then %zu; first difference at %zu: '%.*s' vs '%.*s'",
                   n, twice.len, i, (int)(n - from > 40 ? 40 : n - from), o + from,
                   (int)(twice.len - from > 40 ? 40 : twice.len - from), twice.data + from);
    }
    return 0;
}
