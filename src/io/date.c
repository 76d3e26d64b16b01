/*
 * date.c — doppel_parse_date: ISO 8601 dates and epoch numbers, without a
 * time-zone database.
 */
#include "base/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- dates ------------------------------------------------------------------- */

/* text is exactly YYYY-MM-DD: the common form, read without sscanf (which
 * costs a few thousand instructions a record on the reading thread). Gives
 * what the sscanf below gives for it. */
static int plain_day(const char *t, int *y, int *mo, int *d) {
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? t[i] != '-' : (t[i] < '0' || t[i] > '9')) return 0;
    if (t[10]) return 0;
    *y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
    *mo = (t[5] - '0') * 10 + (t[6] - '0');
    *d = (t[8] - '0') * 10 + (t[9] - '0');
    return 1;
}

int doppel_parse_date(const char *text, int64_t *seconds) {
    if (!text) return -1;
    while (*text == ' ') text++;
    char *end;
    int all_digits = *text != '\0';
    for (const char *p = text; *p; p++)
        if (*p < '0' || *p > '9') all_digits = 0;
    if (all_digits && strlen(text) >= 9) {
        long long v = strtoll(text, &end, 10);
        /* Past 1e11 seconds is the year 5138: such numbers are milliseconds. */
        *seconds = v > 100000000000LL ? v / 1000 : v;
        return 0;
    }
    int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
    if (plain_day(text, &y, &mo, &d)) n = 10;
    else if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return -1;
    const char *p = text + n;
    int tz = 0;
    if (*p == 'T' || *p == ' ') {
        int k = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) == 2) {
            p += 1 + k;
            if (*p == ':' && sscanf(p + 1, "%2d%n", &s, &k) == 1) p += 1 + k;
            if (*p == '.') {
                p++;
                while (*p >= '0' && *p <= '9') p++;
            }
            int th, tm;
            if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &th, &tm) == 2)
                tz = (*p == '-' ? -1 : 1) * (th * 3600 + tm * 60);
        }
    }
    /* Days from civil (proleptic Gregorian), no time-zone database needed. */
    int yy = y - (mo <= 2);
    int era = (yy >= 0 ? yy : yy - 399) / 400;
    int yoe = yy - era * 400;
    int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = (int64_t)era * 146097 + doe - 719468;
    *seconds = days * 86400 + h * 3600 + mi * 60 + s - tz;
    return 0;
}
