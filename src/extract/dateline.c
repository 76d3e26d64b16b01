/*
 * dateline.c — a block that is only a date or time stamp ("Posted at
 * 6:47am on 14 Jan 2008", "Last updated: Monday, January 14, 2008 | 2:21
 * PM ET"). A page's date is metadata, not article text (the scorer drops
 * the first such block before the article's prose).
 *
 * Judged on the dp_lower_words form: every word must be a number (with an
 * ordinal or am/pm suffix), a month or weekday name, am/pm, a time zone,
 * or one of a few labels ("posted", "updated", "on", "at"); and there must
 * be a month or weekday name, or three numbers (07.01.08, 2008-01-09).
 */
#include "extract/phrases.h"

#include <string.h>

/* w[0..n), n >= 1, is in list. The first byte first: the first word of
 * most short blocks is tested against every entry, and a strlen each cost
 * more than the rest of the test. */
static int in_list(const char *w, size_t n, const char *const *list) {
    for (int i = 0; list[i]; i++)
        if (list[i][0] == w[0] && strlen(list[i]) == n && !memcmp(w, list[i], n)) return 1;
    return 0;
}

static const char *const calendar[] = {
    "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "jun", "june",
    "jul", "july", "aug", "august", "sep", "sept", "september", "oct", "october", "nov",
    "november", "dec", "december", "mon", "monday", "tue", "tues", "tuesday", "wed",
    "wednesday", "thu", "thur", "thurs", "thursday", "fri", "friday", "sat", "saturday", "sun",
    "sunday", NULL};
static const char *const stamp_words[] = {
    "am", "pm", "a", "m", "p", "et", "pt", "ct", "mt", "est", "edt", "pst", "pdt", "cst", "cdt",
    "mst", "mdt", "gmt", "utc", "bst", "cet", "cest", "ist", "aest", "aedt", "hrs", "h",
    "posted", "published", "updated", "last", "modified", "created", "date", "on", "at",
    "time", "first", "uhr", "le", "am", "um", NULL};
static const char *const suffixes[] = {"st", "nd", "rd", "th", "am", "pm", "h", NULL};

int dp_is_dateline(const char *words, size_t n) {
    int named = 0, numbers = 0, tokens = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && words[i] == ' ') i++;
        size_t s = i;
        while (i < n && words[i] != ' ') i++;
        if (i == s) break;
        const char *w = words + s;
        size_t len = i - s, d = 0;
        if (++tokens > 14) return 0;
        while (d < len && w[d] >= '0' && w[d] <= '9') d++;
        if (d && (d == len || in_list(w + d, len - d, suffixes))) {
            numbers++;
            continue;
        }
        if (d) return 0;
        if (in_list(w, len, calendar)) {
            named++;
            continue;
        }
        if (!in_list(w, len, stamp_words)) return 0;
    }
    return numbers && (named || numbers >= 3);
}
