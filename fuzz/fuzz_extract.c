/*
 * fuzz_extract — doppel_extract on one raw document: HTML, Markdown with
 * front matter, or text, with layer-1 boilerplate scoring.
 *
 * Input: two option bytes, then the document.
 *   byte 0 bits 0-1: format auto/text/markdown/html; bit 2: no front
 *          matter; bit 3: no boilerplate; bit 4: explain; bits 5-7 vary the
 *          layer-1 thresholds
 *   byte 1: length thresholds
 * Properties: OK, FORMAT (binary) or ARG; the text is NUL-terminated and
 * valid UTF-8 when the input was (and no unknown charset
 * passed bytes through); EMPTY is set exactly when nothing is kept; explain
 * lists lines_dropped lines, in input order, each with a reason and a
 * terminated text; a second extraction with the warm extractor gives the
 * same text (no state leaks from one document to the next); the word
 * counts of the document's bytes are the same on the vector path the CPU
 * picks and on the portable one (words.c).
 */
#include "fuzz.h"
#include "extract/extract_int.h"
#include "extract/phrases.h"

static doppel_extractor *ex;
static char *first;
static size_t first_cap;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 17) return 0;
    if (!ex && doppel_extractor_new(&ex, NULL)) abort();
    fuzz_in in = {data, size};
    unsigned o1 = fuzz_byte(&in), o2 = fuzz_byte(&in);
    doppel_extract_options opt;
    doppel_extract_options_default(&opt);
    opt.format = (doppel_extract_format)(o1 & 3);
    opt.front_matter = !(o1 & 4);
    opt.boilerplate = !(o1 & 8);
    opt.explain = !!(o1 & 16);
    if (o1 & 32) opt.stopwords_low = 0.05, opt.stopwords_high = 0.5;
    if (o1 & 64) opt.max_link_density = 0.9;
    if (o1 & 128) opt.max_heading_distance = 0;
    opt.length_low = o2 & 0x7F;
    opt.length_high = opt.length_low + (o2 >> 7) * 300;
    const char *doc = (const char *)in.p;
    size_t len = in.n;

    dp_words wv, wp;
    dp_count_words(doc, len, &wv);
    dp_count_words_portable(doc, len, &wp);
    FUZZ_CHECK(!memcmp(&wv, &wp, sizeof wv), "word counts differ: words %u/%u stop %u/%u",
               wv.words, wp.words, wv.stopwords, wp.stopwords);

    /* Legal text is ruled out on the count's pass only where it is none. */
    dp_words wl;
    uint32_t starts = dp_count_words_legal(doc, len, dp_legal_filter(), &wl);
    FUZZ_CHECK(!memcmp(&wl, &wp, sizeof wl), "word counts of the legal pass differ");
    FUZZ_CHECK(starts >= 3 || !dp_is_legal_text_portable(doc, len),
               "legal text with %u legal starts", starts);

    doppel_extract_result r;
    doppel_error err;
    doppel_status st = doppel_extract(ex, doc, len, &opt, &r, &err);
    if (st == DOPPEL_ERR_NOMEM) return 0;
    if (st) {
        FUZZ_CHECK(st == DOPPEL_ERR_FORMAT || st == DOPPEL_ERR_ARG, "status %d: %s", st,
                   err.message);
        return 0;
    }
    FUZZ_CHECK(r.text && r.text[r.text_len] == 0, "text not NUL-terminated");
    /* A stray NUL byte may stay in the text by design (extract.c: repaired by
     * normalization, not a reason to drop a document), so it is not checked. */
    FUZZ_CHECK(!!(r.flags & DOPPEL_EXTRACT_EMPTY) == (r.text_len == 0),
               "EMPTY flag %u with %zu bytes of text", r.flags & DOPPEL_EXTRACT_EMPTY, r.text_len);
    FUZZ_CHECK(r.format >= DOPPEL_FORMAT_TEXT && r.format <= DOPPEL_FORMAT_HTML,
               "format %d", (int)r.format);
    if (opt.format != DOPPEL_FORMAT_AUTO)
        FUZZ_CHECK(r.format == opt.format, "forced %d, used %d", (int)opt.format, (int)r.format);
    if (!(r.flags & DOPPEL_EXTRACT_CHARSET_UNKNOWN) && fuzz_utf8_invalid_at(doc, len) == len) {
        size_t bad = fuzz_utf8_invalid_at(r.text, r.text_len);
        FUZZ_CHECK(bad == r.text_len, "valid input, invalid UTF-8 in the text at %zu", bad);
    }
    const char *meta[] = {r.title, r.date, r.description, r.url};
    int valid_in = fuzz_utf8_invalid_at(doc, len) == len;
    for (int i = 0; i < 4; i++) {
        if (!meta[i]) continue;
        size_t n = strlen(meta[i]);  /* ASan: terminated inside its buffer */
        if (valid_in && !(r.flags & DOPPEL_EXTRACT_CHARSET_UNKNOWN))
            FUZZ_CHECK(fuzz_utf8_invalid_at(meta[i], n) == n,
                       "valid input, invalid UTF-8 in metadata field %d", i);
    }
    if (opt.explain) {
        FUZZ_CHECK(r.num_dropped == r.lines_dropped, "%zu dropped lines listed, %zu counted",
                   r.num_dropped, r.lines_dropped);
        for (size_t i = 0; i < r.num_dropped; i++) {
            const doppel_dropped_line *d = &r.dropped[i];
            FUZZ_CHECK(d->reason > DOPPEL_DROP_NONE && d->reason <= DOPPEL_DROP_CORPUS,
                       "reason %d", (int)d->reason);
            FUZZ_CHECK(d->text && d->text[d->len] == 0, "dropped text not terminated");
            FUZZ_CHECK(d->line >= 1, "dropped line number 0");
            if (i) FUZZ_CHECK(d->line >= r.dropped[i - 1].line, "dropped lines out of order");
            (void)doppel_drop_reason_name(d->reason);
        }
    }
    if (r.text_len + 1 > first_cap) {
        free(first);
        first_cap = r.text_len + 1;
        if (!(first = malloc(first_cap))) abort();
    }
    memcpy(first, r.text, r.text_len);
    size_t first_len = r.text_len;
    st = doppel_extract(ex, doc, len, &opt, &r, &err);
    FUZZ_CHECK(st == DOPPEL_OK || st == DOPPEL_ERR_NOMEM, "second extraction: status %d", st);
    if (st == DOPPEL_OK)
        FUZZ_CHECK(r.text_len == first_len && !memcmp(r.text, first, first_len),
                   "second extraction differs (%zu vs %zu bytes)", r.text_len, first_len);
    return 0;
}
