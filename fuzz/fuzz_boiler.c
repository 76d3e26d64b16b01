/*
 * fuzz_boiler — the layer-2 corpus boilerplate counter.
 *
 * Input: one option byte (min_docs, min_contexts, seed), then documents
 * separated by 0xFF, each added to a small counter (64 KiB, so cells
 * collide); the first half also goes to a second counter that is merged
 * into a third with the rest. Then every line of every document is asked.
 *
 * Properties: adds and finish succeed; after finish adds and merges are
 * refused; is_line is 0 or 1 and the same when asked twice; before finish it
 * is 0; stats count the documents added; lines longer than 2000 bytes are
 * never boilerplate (they are not counted).
 */
#include "fuzz.h"

#define MAX_DOCS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    fuzz_in in = {data, size};
    unsigned o = fuzz_byte(&in);
    doppel_boiler_options bo;
    doppel_boiler_options_default(&bo);
    bo.memory_bytes = 64 << 10;
    bo.min_docs = 1 + (o & 7);
    bo.min_contexts = 1 + (o >> 3 & 7);
    bo.seed = o >> 6;
    doppel_boiler_counter *all = NULL, *half = NULL, *merged = NULL;
    if (doppel_boiler_counter_new(&bo, &all, NULL) || doppel_boiler_counter_new(&bo, &half, NULL) ||
        doppel_boiler_counter_new(&bo, &merged, NULL))
        goto out;
    const char *doc[MAX_DOCS];
    size_t dlen[MAX_DOCS], n = 0;
    const char *p = (const char *)in.p, *end = p + in.n;
    while (n < MAX_DOCS) {
        const char *sep = memchr(p, 0xFF, (size_t)(end - p));
        doc[n] = p;
        dlen[n++] = (size_t)((sep ? sep : end) - p);
        if (!sep) break;
        p = sep + 1;
    }
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(doppel_boiler_add(all, doc[i], dlen[i]) == DOPPEL_OK, "add failed");
        FUZZ_CHECK(doppel_boiler_add(i < n / 2 ? half : merged, doc[i], dlen[i]) == DOPPEL_OK,
                   "add failed");
    }
    FUZZ_CHECK(doppel_boiler_merge(merged, half) == DOPPEL_OK, "merge failed");
    FUZZ_CHECK(doppel_boiler_is_line(all, doc[0], dlen[0]) == 0, "boilerplate before finish");
    FUZZ_CHECK(doppel_boiler_finish(all) == DOPPEL_OK && doppel_boiler_finish(merged) == DOPPEL_OK,
               "finish failed");
    FUZZ_CHECK(doppel_boiler_add(all, "x", 1) == DOPPEL_ERR_STATE, "add after finish");
    FUZZ_CHECK(doppel_boiler_merge(all, half) == DOPPEL_ERR_STATE, "merge after finish");
    doppel_boiler_stats st, sm;
    doppel_boiler_get_stats(all, &st);
    doppel_boiler_get_stats(merged, &sm);
    FUZZ_CHECK(st.docs == n && sm.docs == n, "stats: %llu and %llu docs, %zu added",
               (unsigned long long)st.docs, (unsigned long long)sm.docs, n);
    FUZZ_CHECK(st.fill >= 0 && st.fill <= 1, "fill %g", st.fill);
    for (size_t i = 0; i < n; i++) {
        const char *l = doc[i], *dend = doc[i] + dlen[i];
        while (l <= dend) {
            const char *nl = memchr(l, '\n', (size_t)(dend - l));
            size_t ll = (size_t)((nl ? nl : dend) - l);
            int a = doppel_boiler_is_line(all, l, ll), b = doppel_boiler_is_line(all, l, ll);
            int m = doppel_boiler_is_line(merged, l, ll);
            FUZZ_CHECK((a == 0 || a == 1) && a == b && (m == 0 || m == 1), "is_line %d, %d, %d",
                       a, b, m);
            if (ll > 2000) FUZZ_CHECK(!a && !m, "a line of %zu bytes is boilerplate", ll);
            if (!nl) break;
            l = nl + 1;
        }
    }
out:
    doppel_boiler_counter_free(all);
    doppel_boiler_counter_free(half);
    doppel_boiler_counter_free(merged);
    return 0;
}
