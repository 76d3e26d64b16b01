/*
 * extract.c — what doppel compares: the order of the extraction steps (the
 * first look at a document, binary data and format, is detect.c's), and
 * printing the kept text.
 *
 * The extractor owns every buffer a call needs and keeps them between calls
 * (lengths reset, capacity kept), so a warm extractor allocates nothing; the
 * result points into those buffers and lives until the next call.
 */
#include "extract/extract_int.h"

#include <stdlib.h>
#include <string.h>

const char *doppel_extract_format_name(doppel_extract_format f) {
    switch (f) {
    case DOPPEL_FORMAT_AUTO: return "auto";
    case DOPPEL_FORMAT_TEXT: return "text";
    case DOPPEL_FORMAT_MARKDOWN: return "markdown";
    case DOPPEL_FORMAT_HTML: return "html";
    }
    return "unknown";
}

const char *doppel_drop_reason_name(doppel_drop_reason r) {
    switch (r) {
    case DOPPEL_DROP_NONE: return "none";
    case DOPPEL_DROP_METADATA: return "metadata";
    case DOPPEL_DROP_MARKUP: return "markup";
    case DOPPEL_DROP_ELEMENT: return "element";
    case DOPPEL_DROP_LINKS: return "links";
    case DOPPEL_DROP_SHORT: return "short";
    case DOPPEL_DROP_NOT_PROSE: return "not-prose";
    case DOPPEL_DROP_CONTEXT: return "context";
    case DOPPEL_DROP_PROMPT: return "prompt";
    case DOPPEL_DROP_ADVERT: return "advert";
    case DOPPEL_DROP_NAVIGATION: return "navigation";
    case DOPPEL_DROP_TEASER: return "teaser";
    case DOPPEL_DROP_REPEATED: return "repeated";
    case DOPPEL_DROP_CORPUS: return "corpus";
    }
    return "unknown";
}

void doppel_extract_options_default(doppel_extract_options *opt) {
    *opt = (doppel_extract_options){0};
    opt->format = DOPPEL_FORMAT_AUTO;
    opt->front_matter = 1;
    opt->boilerplate = 1;
    opt->length_low = 70;
    opt->length_high = 200;
    opt->stopwords_low = 0.15;
    opt->stopwords_high = 0.25;
    opt->max_link_density = 0.2;
    opt->max_heading_distance = 200;
}

doppel_status doppel_extractor_new(doppel_extractor **out, doppel_error *err) {
    *out = dp_calloc(1, sizeof **out);
    if (!*out) return dp_fail(err, DOPPEL_ERR_NOMEM, "extractor: out of memory");
    return DOPPEL_OK;
}

void doppel_extractor_free(doppel_extractor *ex) {
    if (!ex) return;
    doppel_buf_free(&ex->conv);
    doppel_buf_free(&ex->btext);
    doppel_buf_free(&ex->out);
    doppel_buf_free(&ex->meta);
    doppel_buf_free(&ex->droptext);
    doppel_buf_free(&ex->scratch);
    doppel_buf_free(&ex->hbuf[0]);
    doppel_buf_free(&ex->hbuf[1]);
    dp_free(ex->blocks, ex->blocks_cap * sizeof *ex->blocks);
    dp_free(ex->dropped, ex->dropped_cap * sizeof *ex->dropped);
    dp_classify_free(ex);
    dp_html_free(ex);
    dp_free(ex, sizeof *ex);
}

/* ---- output ------------------------------------------------------------------ */

static doppel_status add_dropped(doppel_extractor *ex, uint32_t line, int reason,
                                 const char *s, size_t len) {
    if (dp_grow((void **)&ex->dropped, &ex->dropped_cap, ex->ndropped + 1, sizeof *ex->dropped))
        return DOPPEL_ERR_NOMEM;
    size_t off = ex->droptext.len;
    if (dp_buf_append(&ex->droptext, s, len) || dp_buf_putc(&ex->droptext, '\0'))
        return DOPPEL_ERR_NOMEM;
    /* Offsets for now; made pointers once droptext stops moving. */
    ex->dropped[ex->ndropped++] = (doppel_dropped_line){
        .line = line, .reason = (doppel_drop_reason)reason, .text = (const char *)(uintptr_t)off,
        .len = len};
    return DOPPEL_OK;
}

/* Layer 2: a kept block is corpus boilerplate when every line of it is. */
static int corpus_block(const doppel_boiler_counter *bc, const char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && s[j] != '\n') j++;
        if (!doppel_boiler_is_line(bc, s + i, j - i)) return 0;
        i = j + 1;
    }
    return 1;
}

/* The '\n' bytes of block b (text s): counted when the reader did not. */
static size_t block_newlines(const dp_block *b, const char *s) {
    if (b->newlines != DP_NEWLINES_UNKNOWN) return b->newlines;
    size_t n = 0;
    for (const char *q = s, *end = s + b->len; (q = memchr(q, '\n', (size_t)(end - q))); q++) n++;
    return n;
}

/* Text documents carry no title field; the first heading-like block before
 * the article text is the best guess, and later stages (story clustering,
 * reports) are better with a guess than without. */
static doppel_status guess_title(doppel_extractor *ex) {
    for (size_t i = 0; i < ex->nblocks; i++) {
        const dp_block *b = &ex->blocks[i];
        if (b->kind == DP_BK_DROPPED || b->cls != DP_CLS_GOOD) continue;
        const char *s = ex->btext.data + b->off;
        if (b->len >= 200 || block_newlines(b, s)) return DOPPEL_OK;
        dp_words w;
        dp_count_words(s, b->len, &w);
        char last = s[b->len - 1];
        int titled = b->kind == DP_BK_HEADING ||
                     (w.words >= 3 && dp_title_like(s, b->len, &w) && last != ',');
        if (titled) return dp_set_meta(ex, DP_META_TITLE, s, b->len);
        if (b->len >= ex->opt->length_low) return DOPPEL_OK;
    }
    return DOPPEL_OK;
}

/* By line, then as added: text pointers rise in the order lines were added
 * (one buffer, appended to), which makes the sort stable. */
static int cmp_dropped(const void *a, const void *b) {
    const doppel_dropped_line *x = a, *y = b;
    if (x->line != y->line) return x->line < y->line ? -1 : 1;
    return (x->text > y->text) - (x->text < y->text);
}

static int has_letter(const char *s, size_t len);

static doppel_status assemble(doppel_extractor *ex, doppel_extract_result *res) {
    const doppel_extract_options *opt = ex->opt;
    size_t kept_lines = 0, dropped_lines = 0;
    uint32_t last_para = UINT32_MAX;
    for (size_t i = 0; i < ex->nblocks; i++) {
        dp_block *b = &ex->blocks[i];
        const char *s = ex->btext.data + b->off;
        int keep = b->kind != DP_BK_DROPPED && b->cls == DP_CLS_GOOD;
        if (keep && opt->corpus && b->kind != DP_BK_CODE && corpus_block(opt->corpus, s, b->len)) {
            keep = 0;
            b->reason = DOPPEL_DROP_CORPUS;
        }
        size_t lines = 1 + block_newlines(b, s);
        if (keep) {
            kept_lines += lines;
            if (ex->out.len) {
                if (dp_buf_append(&ex->out, b->para == last_para ? "\n" : "\n\n",
                                  b->para == last_para ? 1 : 2))
                    return DOPPEL_ERR_NOMEM;
            }
            if (dp_buf_append(&ex->out, s, b->len)) return DOPPEL_ERR_NOMEM;
            last_para = b->para;
            continue;
        }
        dropped_lines += lines;
        if (!opt->explain) continue;
        size_t k = 0;
        uint32_t line = b->line;
        while (k <= b->len) {
            size_t j = k;
            while (j < b->len && s[j] != '\n') j++;
            doppel_status st = add_dropped(ex, line++, b->reason, s + k, j - k);
            if (st) return st;
            k = j + 1;
        }
    }
    if ((ex->html && dp_utf8_checked(&ex->out, 0, &ex->scratch)) || dp_buf_terminate(&ex->out))
        return DOPPEL_ERR_NOMEM;
    int ordered = 1;
    for (size_t i = 0; i < ex->ndropped; i++) {
        ex->dropped[i].text = ex->droptext.data + (uintptr_t)ex->dropped[i].text;
        if (i && ex->dropped[i].line < ex->dropped[i - 1].line) ordered = 0;
    }
    /* Blocks come in document order, which an HTML parser can make differ
     * from the source's: text misplaced in a table is moved before it. The
     * list promises input order. */
    if (!ordered) qsort(ex->dropped, ex->ndropped, sizeof *ex->dropped, cmp_dropped);
    res->text = ex->out.data;
    res->text_len = ex->out.len;
    res->lines_kept = kept_lines;
    res->lines_dropped = dropped_lines;
    res->dropped = opt->explain ? ex->dropped : NULL;
    res->num_dropped = opt->explain ? ex->ndropped : 0;
    if (!ex->out.len) {
        ex->flags |= DOPPEL_EXTRACT_EMPTY;
        int text = 0;
        for (size_t i = 0; i < ex->nblocks && !text; i++)
            text = ex->blocks[i].kind != DP_BK_DROPPED &&
                   has_letter(ex->btext.data + ex->blocks[i].off, ex->blocks[i].len);
        if (!text) ex->flags |= DOPPEL_EXTRACT_NO_TEXT;
    }
    return DOPPEL_OK;
}

/* A text or Markdown document in which the scorer finds no good block — a
 * headline, a one-paragraph answer, a short note — has no page around it:
 * it is all content. Its weakly scored blocks (short, not prose, context)
 * are kept; blocks dropped as explicit chrome (prompts, adverts,
 * navigation, teasers, repeats) stay dropped, and so do blocks without a
 * letter. HTML pages do not get this
 * second chance: a page that is all chrome is empty. One exception: a text
 * of a single block has no page around it to be the chrome of, so a prompt
 * or navigation phrase in it ("... Xbox Live sign-in issues", "... now
 * available to Comcast subscribers": headlines of a news feed) does not
 * empty it. */
/* Counters, dates and prices are no content on their own. */
static int has_letter(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80 || (unsigned)((c | 0x20) - 'a') < 26u) return 1;
    }
    return 0;
}

static void keep_weak_if_nothing_left(doppel_extractor *ex) {
    size_t visible = 0;
    for (size_t i = 0; i < ex->nblocks; i++) {
        if (ex->blocks[i].kind == DP_BK_DROPPED) continue;
        if (ex->blocks[i].cls == DP_CLS_GOOD) return;
        visible++;
    }
    for (size_t i = 0; i < ex->nblocks; i++) {
        dp_block *b = &ex->blocks[i];
        if (b->kind == DP_BK_DROPPED) continue;
        int lone_phrase = visible == 1 && (b->reason == DOPPEL_DROP_PROMPT ||
                                           b->reason == DOPPEL_DROP_NAVIGATION);
        if ((lone_phrase || b->reason == DOPPEL_DROP_SHORT ||
             b->reason == DOPPEL_DROP_NOT_PROSE || b->reason == DOPPEL_DROP_CONTEXT) &&
            has_letter(ex->btext.data + b->off, b->len)) {
            b->cls = DP_CLS_GOOD;
            b->reason = DOPPEL_DROP_NONE;
        }
    }
}

static doppel_status check_options(const doppel_extract_options *opt, doppel_error *err) {
    if ((unsigned)opt->format > DOPPEL_FORMAT_HTML)
        return dp_fail(err, DOPPEL_ERR_ARG, "extract: unknown format %d", (int)opt->format);
    if (opt->length_low > opt->length_high)
        return dp_fail(err, DOPPEL_ERR_ARG, "extract: length_low %u exceeds length_high %u",
                       opt->length_low, opt->length_high);
    if (!(opt->stopwords_low >= 0 && opt->stopwords_low <= opt->stopwords_high &&
          opt->stopwords_high <= 1))
        return dp_fail(err, DOPPEL_ERR_ARG,
                       "extract: stopword thresholds %g..%g must satisfy 0 <= low <= high <= 1",
                       opt->stopwords_low, opt->stopwords_high);
    if (!(opt->max_link_density >= 0 && opt->max_link_density <= 1))
        return dp_fail(err, DOPPEL_ERR_ARG, "extract: max_link_density %g must be in [0, 1]",
                       opt->max_link_density);
    return DOPPEL_OK;
}

doppel_status doppel_extract(doppel_extractor *ex, const char *raw, size_t len,
                             const doppel_extract_options *opt,
                             doppel_extract_result *out, doppel_error *err) {
    doppel_extract_options defaults;
    if (!opt) {
        doppel_extract_options_default(&defaults);
        opt = &defaults;
    }
    *out = (doppel_extract_result){0};
    if (!ex || (!raw && len)) return dp_fail(err, DOPPEL_ERR_ARG, "extract: NULL argument");
    doppel_status st = check_options(opt, err);
    if (st) return st;

    ex->opt = opt;
    ex->btext.len = ex->out.len = ex->meta.len = ex->droptext.len = 0;
    ex->nblocks = ex->ndropped = 0;
    ex->para = 0;
    ex->flags = 0;
    memset(ex->meta_set, 0, sizeof ex->meta_set);

    dp_text_head head;
    dp_text_head_scan(raw, len, 1, &head);
    if (dp_text_head_binary(&head))
        return dp_fail(err, DOPPEL_ERR_FORMAT,
                       "binary data, not text (%zu NUL bytes in the first %zu bytes)", head.nul,
                       head.n);

    doppel_extract_format fmt = opt->format;
    if (fmt == DOPPEL_FORMAT_AUTO) fmt = len ? dp_detect_format(raw, len, &head) : DOPPEL_FORMAT_TEXT;
    ex->html = fmt == DOPPEL_FORMAT_HTML;

    if (fmt == DOPPEL_FORMAT_HTML) {
        int conv = dp_html_charset(ex, raw, len);
        if (conv < 0) return dp_fail(err, (doppel_status)conv, "extract: out of memory");
        if (conv) raw = ex->conv.data, len = ex->conv.len;
        st = dp_read_html(ex, raw, len, err);
    } else {
        size_t skip = 0;
        uint32_t lines = 0;
        if (opt->front_matter) st = dp_front_matter(ex, raw, len, &skip, &lines);
        if (!st) st = dp_read_lines(ex, raw + skip, len - skip, lines + 1,
                                    fmt == DOPPEL_FORMAT_MARKDOWN);
    }
    if (st) return st == DOPPEL_ERR_NOMEM ? dp_fail(err, st, "extract: out of memory") : st;

    if (opt->boilerplate) {
        if ((st = dp_classify(ex))) return dp_fail(err, st, "extract: out of memory");
    } else {
        for (size_t i = 0; i < ex->nblocks; i++)
            if (ex->blocks[i].kind != DP_BK_DROPPED) ex->blocks[i].cls = DP_CLS_GOOD;
    }
    if (fmt != DOPPEL_FORMAT_HTML && opt->boilerplate) keep_weak_if_nothing_left(ex);
    if (fmt != DOPPEL_FORMAT_HTML && !ex->meta_set[DP_META_TITLE] && (st = guess_title(ex)))
        return dp_fail(err, st, "extract: out of memory");
    if ((st = assemble(ex, out))) return dp_fail(err, st, "extract: out of memory");

    const char **fields[DP_META_N] = {&out->title, &out->date, &out->description, &out->url};
    for (int f = 0; f < DP_META_N; f++)
        *fields[f] = ex->meta_set[f] ? ex->meta.data + ex->meta_off[f] : NULL;
    out->format = fmt;
    out->flags = ex->flags;
    return DOPPEL_OK;
}
