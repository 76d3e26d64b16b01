/*
 * fuzz_date — doppel_parse_date on arbitrary text.
 *
 * Beyond "no crash, no undefined behaviour" (the parser does arithmetic on
 * whatever sscanf read): a plain calendar date YYYY-MM-DD that exists must
 * give the same seconds as timegm, and a failed parse must not write.
 */
#include <time.h>

#include "fuzz.h"

static int days_in_month(int y, int m) {
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 256) return 0;  /* dates are short; long inputs only slow the search */
    char text[257];
    memcpy(text, data, size);
    text[size] = 0;
    int64_t secs = 12345;
    int rc = doppel_parse_date(text, &secs);
    FUZZ_CHECK(rc == 0 || rc == -1, "return %d", rc);
    if (rc) {
        FUZZ_CHECK(secs == 12345, "failed parse wrote %lld", (long long)secs);
        return 0;
    }
    /* exactly YYYY-MM-DD with a real day: compare with the C library */
    int y, m, d;
    char tail;
    if (size == 10 && text[4] == '-' && text[7] == '-' &&
        sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && y >= 1970 && y <= 9999 &&
        text[0] != '-' && text[0] != '+' && text[5] >= '0' && text[8] >= '0' && m >= 1 &&
        m <= 12 && d >= 1 && d <= days_in_month(y, m)) {
        struct tm tm = {0};
        tm.tm_year = y - 1900;
        tm.tm_mon = m - 1;
        tm.tm_mday = d;
        int64_t want = (int64_t)timegm(&tm);
        FUZZ_CHECK(secs == want, "%s: %lld seconds, timegm says %lld", text, (long long)secs,
                   (long long)want);
    }
    return 0;
}
