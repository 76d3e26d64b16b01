/*
 * fuzz_story — story clustering on documents of arbitrary bytes (its term
 * extraction reads names, numbers with units, dates and quoted phrases out
 * of raw text, and stems words with Snowball).
 *
 * Input: two option bytes (thresholds, window, top terms), then documents
 * separated by '\n': "TITLE\tTEXT" (or only TEXT); a first byte '@' gives a
 * date from the next byte; a first byte '=' puts the document in the copy
 * cluster of the previous document. Every document is learned, then added.
 *
 * Properties: every document gets a story below doppel_story_count; story
 * numbers are all used; documents of one copy cluster share a story; each
 * story's size is the number of documents in it; its terms are non-empty
 * strings; the stats count what was learned and added.
 */
#include "fuzz.h"

#define MAX_DOCS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    fuzz_in in = {data, size};
    unsigned o1 = fuzz_byte(&in), o2 = fuzz_byte(&in);
    doppel_story_options so;
    doppel_story_options_default(&so);
    so.threshold = 0.05 + (o1 & 7) / 10.0;
    so.short_threshold = so.threshold / 2;
    so.merge_threshold = o1 & 8 ? 1.0 : 0.3;
    so.window_seconds = o1 & 16 ? 0 : 86400;
    so.top_terms = 4 + (o2 & 31);
    so.index_terms = 1 + (o2 >> 5);
    if (so.index_terms > so.top_terms) so.index_terms = so.top_terms;
    so.max_postings = 2 + (o1 >> 5) * 4;
    doppel_error err;
    doppel_story *st = doppel_story_new(&so, &err);
    if (!st) return 0;

    const char *title[MAX_DOCS], *text[MAX_DOCS];
    size_t tlen[MAX_DOCS], xlen[MAX_DOCS];
    int64_t date[MAX_DOCS];
    uint32_t copy[MAX_DOCS], n = 0;
    const char *p = (const char *)in.p, *end = p + in.n;
    while (n < MAX_DOCS) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *dend = nl ? nl : end;
        date[n] = DOPPEL_NO_DATE;
        copy[n] = n;
        if (dend - p >= 2 && p[0] == '@') date[n] = (int64_t)(unsigned char)p[1] * 43200, p += 2;
        else if (dend - p >= 1 && p[0] == '=' && n) copy[n] = copy[n - 1], p++;
        const char *tab = memchr(p, '\t', (size_t)(dend - p));
        title[n] = tab ? p : NULL;
        tlen[n] = tab ? (size_t)(tab - p) : 0;
        text[n] = tab ? tab + 1 : p;
        xlen[n] = (size_t)(dend - text[n]);
        n++;
        if (!nl) break;
        p = nl + 1;
    }
    for (uint32_t i = 0; i < n; i++)
        if (doppel_story_learn(st, title[i], tlen[i], text[i], xlen[i], &err)) goto out;
    for (uint32_t i = 0; i < n; i++) {
        doppel_status s = doppel_story_add(st, i, title[i], tlen[i], text[i], xlen[i], date[i],
                                           copy[i], &err);
        if (s == DOPPEL_ERR_NOMEM) goto out;
        FUZZ_CHECK(s == DOPPEL_OK, "add %u: %s", i, err.message);
    }
    if (doppel_story_finish(st, &err)) goto out;
    uint32_t stories = doppel_story_count(st);
    FUZZ_CHECK(stories >= 1 && stories <= n, "%u stories for %u documents", stories, n);
    static uint32_t members[MAX_DOCS], story[MAX_DOCS];
    memset(members, 0, sizeof members);
    for (uint32_t i = 0; i < n; i++) {
        story[i] = doppel_story_of(st, i);
        FUZZ_CHECK(story[i] < stories, "doc %u: story %u of %u", i, story[i], stories);
        members[story[i]]++;
        if (i && copy[i] == copy[i - 1])
            FUZZ_CHECK(story[i] == story[i - 1], "copies %u and %u in stories %u and %u", i - 1,
                       i, story[i - 1], story[i]);
    }
    for (uint32_t s = 0; s < stories; s++) {
        doppel_story_info info;
        FUZZ_CHECK(doppel_story_get_info(st, s, &info) == DOPPEL_OK, "no info for story %u", s);
        FUZZ_CHECK(info.size == members[s] && info.size > 0, "story %u: size %u, %u members", s,
                   info.size, members[s]);
        FUZZ_CHECK(info.copies >= 1 && info.copies <= info.size, "story %u: %u copies of %u", s,
                   info.copies, info.size);
        FUZZ_CHECK(info.num_terms <= DOPPEL_STORY_TOP_TERMS, "%u terms", info.num_terms);
        for (unsigned t = 0; t < info.num_terms; t++)
            FUZZ_CHECK(info.terms[t] && info.terms[t][0], "story %u: empty term %u", s, t);
    }
    doppel_story_info info;
    FUZZ_CHECK(doppel_story_get_info(st, stories, &info) == DOPPEL_ERR_ARG, "info past the end");
    doppel_story_stats ss;
    doppel_story_get_stats(st, &ss);
    FUZZ_CHECK(ss.learned_docs == n && ss.docs == n && ss.stories == stories,
               "stats: learned %llu, added %llu, stories %llu", (unsigned long long)ss.learned_docs,
               (unsigned long long)ss.docs, (unsigned long long)ss.stories);
out:
    doppel_story_free(st);
    return 0;
}
