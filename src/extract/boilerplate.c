/*
 * boilerplate.c — layer 1: which blocks of one page are the article.
 *
 * The core is jusText's (Pomikálek 2011) two-step classification. Each block
 * first gets a class from its own text:
 *
 *   link density > max_link_density                    bad   (links)
 *   length < length_low, any link text                  bad   (links)
 *   length < length_low                                 short
 *   stopword share >= stopwords_high, length >= high    good
 *   stopword share >= stopwords_low                     neargood
 *   otherwise                                           bad   (not-prose)
 *
 * then short and neargood blocks take their class from their neighbours, so
 * a short line between two article paragraphs survives and a borderline
 * line in a run of chrome does not:
 *
 *   short:    nearest non-short, non-neargood neighbours both good -> good;
 *             both bad (the page edges count as bad) -> bad; mixed -> good
 *             only when a neargood block sits on the bad side, else bad
 *   neargood: nearest good/bad neighbours both bad -> bad, else good
 *   heading:  a short heading within max_heading_distance bytes before a
 *             good block is kept
 *
 * The thresholds (all in doppel_extract_options):
 *
 *   option                default  meaning
 *   length_low             70      bytes; shorter blocks are "short"
 *   length_high           200      bytes; a good block is at least this long
 *   stopwords_low         0.22     share of function words below which a block
 *                                  is not running text
 *   stopwords_high        0.26     share at which a long block is good
 *   max_link_density      0.2      share of link text above which a block is links
 *   max_heading_distance  200      bytes between a heading and the good text it heads
 *
 * The stopword shares are lower than jusText's (0.30/0.32) because the list
 * below is short (about 200 words) and shared by several languages rather
 * than one long per-language list; on the labeled set in tests/data/extract
 * these values separate prose from chrome best. When a page's words hardly
 * ever hit the list (a language it does not cover), the stopword test is
 * replaced by sentence punctuation, so such pages are not emptied.
 *
 * Before that, rules that context cannot overrule ("hard"), because they
 * recognise chrome by what it says or how it is laid out rather than by its
 * length: prompts (subscribe, share, comment, login, legal, correction
 * requests), advertisement markers, breadcrumbs and menus, lines with no
 * letters (share counters), photo credits, short lines repeated within the
 * page, and teaser blocks: after a section marker ("Most Popular",
 * "Related", "Other Topics of Interest", ...) every headline and the blurb
 * under each headline is dropped until two prose paragraphs follow each
 * other again; and runs of headline + truncated blurb ("...") are dropped
 * wherever they are. The phrase tables (phrases.c) are English first with the most
 * common equivalents in a few other languages; they only act on short
 * blocks, so an article that discusses subscriptions is not touched.
 */
#include "extract/extract_int.h"
#include "extract/boilerrules.h"
#include "extract/phrases.h"

#include <string.h>
#include <xxhash.h>

/* ---- features -------------------------------------------------------------- */


typedef struct dp_seen {
    uint64_t h;
    uint32_t n;
} dp_seen;

void dp_classify_free(doppel_extractor *ex) {
    dp_free(ex->seen, ex->seen_cap * sizeof *ex->seen);
    dp_free(ex->feat, ex->feat_cap * sizeof *ex->feat);
}

/* Lower-case the block into ex->scratch in the dp_lower_words form, so
 * phrases match at word starts; PHRASE_PAD NUL bytes follow. */
static doppel_status lower_words(doppel_extractor *ex, const char *s, size_t len) {
    doppel_buf *b = &ex->scratch;
    b->len = 0;
    if (dp_buf_reserve(b, len + 2 + PHRASE_PAD)) return DOPPEL_ERR_NOMEM;
    b->len = dp_lower_words(s, len, b->data);
    memset(b->data + b->len, 0, PHRASE_PAD);
    return DOPPEL_OK;
}


static void drop_hard(dp_block *b, int reason) {
    if (b->hard) return;
    b->hard = 1;
    b->cls = DP_CLS_BAD;
    b->reason = (uint8_t)reason;
}

/* Mark short blocks that occur more than once in the page. */
static doppel_status mark_repeats(doppel_extractor *ex, unsigned max_len) {
    size_t need = 16;
    while (need < ex->nblocks * 2) need *= 2;
    if (need > ex->seen_cap) {
        dp_free(ex->seen, ex->seen_cap * sizeof *ex->seen);
        ex->seen_cap = 0;
        ex->seen = dp_malloc(need * sizeof *ex->seen);
        if (!ex->seen) return DOPPEL_ERR_NOMEM;
        ex->seen_cap = need;
    }
    memset(ex->seen, 0, need * sizeof *ex->seen);
    size_t mask = need - 1;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < ex->nblocks; i++) {
            dp_block *b = &ex->blocks[i];
            if (!ex->feat[i].visible || b->len >= max_len || !ex->feat[i].w.letters) continue;
            if (!ex->feat[i].hashed) {
                if (lower_words(ex, ex->btext.data + b->off, b->len)) return DOPPEL_ERR_NOMEM;
                ex->feat[i].repeat_hash = XXH3_64bits(ex->scratch.data, ex->scratch.len) | 1;
                ex->feat[i].hashed = 1;
            }
            uint64_t h = ex->feat[i].repeat_hash;
            size_t k = h & mask;
            while (ex->seen[k].h && ex->seen[k].h != h) k = (k + 1) & mask;
            if (pass == 0) {
                ex->seen[k].h = h;
                ex->seen[k].n++;
            } else if (ex->seen[k].n > 1) {
                /* Repeated headlines, menu items and buttons go everywhere;
                 * a repeated sentence (a pull quote) keeps its first place. */
                if (!ex->feat[i].ends || ex->seen[k].n == UINT32_MAX)
                    drop_hard(b, DOPPEL_DROP_REPEATED);
                else
                    ex->seen[k].n = UINT32_MAX;
            }
        }
    }
    return DOPPEL_OK;
}

/* ---- context ------------------------------------------------------------------ */

/* Is there a good block within max_distance bytes after block i? */
static int good_follows(const doppel_extractor *ex, size_t i, unsigned max_distance,
                        int use_final) {
    size_t distance = 0;
    for (size_t k = i + 1; k < ex->nblocks && distance <= max_distance; k++) {
        if (!ex->feat[k].visible) continue;
        int c = use_final ? ex->blocks[k].cls : ex->feat[k].init;
        if (c == DP_CLS_GOOD) return 1;
        distance += ex->blocks[k].len;
    }
    return 0;
}

/* ---- the classifier -------------------------------------------------------------- */

/* A headline: title case, or (sentence-case headlines are common) a short
 * line of a few words with no sentence stop. */
static int headline(const dp_block *b, const dp_feat *f, const doppel_extract_options *opt) {
    return f->title || (b->len < opt->length_low && !f->ends && f->w.words >= 3 &&
                        f->w.words <= 15);
}

/* Characters of the scripts written without spaces: UTF-8 lead bytes
 * 0xE3-0xE9 (U+3000-U+9FFF: CJK punctuation, kana, ideographs) and
 * 0xEA-0xED (Hangul syllables, which do use spaces but are dense). */
static uint32_t cjk_chars(const char *s, size_t len) {
    uint32_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        n += c >= 0xE3 && c <= 0xED;
    }
    return n;
}

/* A page with prose never comes out empty. When the rules leave nothing
 * of an HTML page (a listing of teasers, a page of short notices), the
 * blocks of its article container (the element that holds the most prose,
 * htmldensity.c) that were dropped for their length, wording or context
 * are kept, provided one of them is a sentence; prompts, adverts, menus
 * and repeats stay dropped. Counted by DOPPEL_EXTRACT_FALLBACK. */
static int fallback_candidate(const dp_block *b, const dp_feat *f, int anywhere) {
    int r = b->reason;
    return f->visible && (anywhere || !b->outside) && f->w.letters &&
           (f->link_density <= 0.5f || f->w.words >= 8) &&
           r != DOPPEL_DROP_PROMPT && r != DOPPEL_DROP_ADVERT && r != DOPPEL_DROP_NAVIGATION &&
           r != DOPPEL_DROP_REPEATED;
}

static void keep_article_if_nothing_left(doppel_extractor *ex) {
    size_t n = ex->nblocks;
    for (size_t i = 0; i < n; i++)
        if (ex->feat[i].visible && ex->blocks[i].cls == DP_CLS_GOOD) return;
    /* The article container first; the whole page when it holds no sentence. */
    for (int anywhere = 0; anywhere < 2; anywhere++) {
        int prose = 0;
        for (size_t i = 0; i < n && !prose; i++)
            prose = fallback_candidate(&ex->blocks[i], &ex->feat[i], anywhere) &&
                    ex->feat[i].ends && ex->feat[i].w.words >= 6;
        if (!prose) continue;
        for (size_t i = 0; i < n; i++) {
            if (!fallback_candidate(&ex->blocks[i], &ex->feat[i], anywhere)) continue;
            ex->blocks[i].cls = DP_CLS_GOOD;
            ex->flags |= DOPPEL_EXTRACT_FALLBACK;
        }
        return;
    }
}

/* s[0..len) reduced to its ASCII letters and digits, lowered, and its
 * other bytes >= 0x80 kept, into out (room for len bytes); the length. */
static size_t letters_only(const char *s, size_t len, char *out) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c >= 0x80) out[n++] = (char)c;
        else if (c >= 'A' && c <= 'Z') out[n++] = (char)(c + 32);
    }
    return n;
}

/* The headline is metadata (the result's title), not body: the first kept
 * block of an HTML page is dropped when it is the title, or a part of the
 * <title> ("Headline - Site name"), or the title plus a little. */
static doppel_status drop_leading_title(doppel_extractor *ex) {
    if (!ex->meta_set[DP_META_TITLE]) return DOPPEL_OK;
    size_t i = 0;
    while (i < ex->nblocks && ex->blocks[i].cls != DP_CLS_GOOD) i++;
    if (i == ex->nblocks) return DOPPEL_OK;
    size_t next = i + 1;  /* the page must keep a body */
    while (next < ex->nblocks && ex->blocks[next].cls != DP_CLS_GOOD) next++;
    dp_block *b = &ex->blocks[i];
    if (next == ex->nblocks || b->len > 400 || ex->feat[i].ends) return DOPPEL_OK;
    const char *title = ex->meta.data + ex->meta_off[DP_META_TITLE];
    size_t tlen = strlen(title);
    doppel_buf *sb = &ex->scratch;
    sb->len = 0;
    if (dp_buf_reserve(sb, tlen + b->len + 2)) return DOPPEL_ERR_NOMEM;
    size_t tn = letters_only(title, tlen, sb->data);
    size_t bn = letters_only(ex->btext.data + b->off, b->len, sb->data + tn);
    const char *tt = sb->data, *bt = sb->data + tn;
    if (bn < 10 || tn < 10) return DOPPEL_OK;
    if ((bn <= tn && memmem(tt, tn, bt, bn)) || (tn < bn && bn <= tn + tn / 2 && memmem(bt, bn, tt, tn))) {
        b->cls = DP_CLS_BAD;
        b->reason = DOPPEL_DROP_METADATA;
    }
    return DOPPEL_OK;
}

doppel_status dp_classify(doppel_extractor *ex) {
    const doppel_extract_options *opt = ex->opt;
    size_t n = ex->nblocks;
    const uint8_t(*legal)[64] = dp_legal_filter();  /* builds the phrase tables too */
    if (dp_grow((void **)&ex->feat, &ex->feat_cap, n + 1, sizeof *ex->feat)) return DOPPEL_ERR_NOMEM;

    /* Features, and whether the stopword list covers the page's language. */
    uint64_t page_words = 0, page_stop = 0;
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        dp_feat *f = &ex->feat[i];
        *f = (dp_feat){0};
        if (b->kind == DP_BK_DROPPED) {
            b->cls = DP_CLS_BAD;
            continue;
        }
        const char *s = ex->btext.data + b->off;
        f->visible = 1;
        /* The count's pass also rules out legal text for most blocks. */
        f->no_legal = dp_count_words_legal(s, b->len, legal, &f->w) < 3;
        f->link_density = b->len ? (float)b->link_bytes / (float)b->len : 0;
        f->ends = (uint8_t)dp_ends_sentence(s, b->len);
        f->title = (uint8_t)(dp_title_case(&f->w) && !f->ends);
        f->heading = b->kind == DP_BK_HEADING || (f->title && b->len < opt->length_low * 2) ||
                     (b->len < opt->length_low && !f->ends && f->w.words >= 3 &&
                      f->w.words <= 15);
        f->truncated = (uint8_t)dp_truncated(s, b->len);
        page_words += f->w.words;
        page_stop += f->w.stopwords;
        b->hard = 0;
        b->reason = 0;
        if (b->kind == DP_BK_CODE) {
            b->cls = DP_CLS_GOOD;
            b->hard = 1;  /* code is kept verbatim: never judged as chrome */
        }
    }
    /* Under 8% function words over a page of some size: the list does not
     * know this language; judge prose by sentence punctuation instead. */
    /* Scripts written without spaces (Chinese, Japanese) make a sentence
     * one "word": their characters count instead, two to a word, and such
     * a page is not one the stopword list covers. */
    uint64_t page_cjk = 0;
    for (size_t i = 0; i < n; i++) {
        dp_feat *f = &ex->feat[i];
        if (!f->visible || ex->blocks[i].len <= 12 * (size_t)f->w.words) continue;
        uint32_t cjk = cjk_chars(ex->btext.data + ex->blocks[i].off, ex->blocks[i].len);
        page_cjk += cjk;
        if (cjk / 2 > f->w.words) f->w.words = cjk / 2;
    }
    int spaceless = page_cjk / 2 > page_words;
    page_words += page_cjk / 2;
    int covered = !spaceless && (page_words < 50 || page_stop * 100 >= page_words * 8);

    /* Hard rules: what a block says or how it is laid out. */
    int datelines = 0;
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        dp_feat *f = &ex->feat[i];
        if (!f->visible || b->hard) continue;
        const char *s = ex->btext.data + b->off;
        if (!f->w.letters) {
            drop_hard(b, DOPPEL_DROP_SHORT);  /* share counters, page numbers, rules */
            continue;
        }
        if (b->outside) {  /* outside the article's container (htmldensity.c) */
            drop_hard(b, DOPPEL_DROP_CONTEXT);
            continue;
        }
        if (b->len >= opt->length_high) datelines = 1;  /* the article has begun */
        if (b->len >= 2 * opt->length_high || f->w.words > 25) {
            /* Long prose may mention anything; only its layout is judged. */
            if (dp_is_credit(s, b->len, &f->w)) {
                drop_hard(b, DOPPEL_DROP_SHORT);
            } else if (f->w.words <= 70 && !f->no_legal && dp_is_legal_text(s, b->len)) {
                drop_hard(b, DOPPEL_DROP_PROMPT);  /* a paragraph of legal boilerplate */
            }
            continue;
        }
        if (!f->no_legal && dp_is_legal_text(s, b->len)) {
            drop_hard(b, DOPPEL_DROP_PROMPT);
            continue;
        }
        if (lower_words(ex, s, b->len)) return DOPPEL_ERR_NOMEM;
        const char *words = ex->scratch.data;
        if (b->len < opt->length_high) {  /* mark_repeats needs the same form: hash it now */
            f->repeat_hash = XXH3_64bits(words, ex->scratch.len) | 1;
            f->hashed = 1;
        }
        f->marker = (uint8_t)(f->w.words <= 8 && !f->ends &&
                              dp_starts_with_marker(words, ex->scratch.len, f->w.words));
        /* The page's date stamp: the first one, before the article's
         * prose. Later stamps are a thread's or a schedule's, which
         * CleanEval's annotators keep (and a schedule is article). */
        if (!datelines && f->w.words <= 14 && dp_is_dateline(words, ex->scratch.len)) {
            datelines++;
            drop_hard(b, DOPPEL_DROP_METADATA);
            continue;
        }
        if (f->w.words <= 4 && dp_is_advert(words, ex->scratch.len)) {
            drop_hard(b, DOPPEL_DROP_ADVERT);
            continue;
        }
        int prompt = dp_prompt_reason(&f->w, f->ends, s, b->len, words, ex->scratch.len);
        if (prompt) {
            drop_hard(b, prompt);
            continue;
        }
        if (b->len < opt->length_high && dp_has_copyright_sign(s, b->len)) {
            drop_hard(b, DOPPEL_DROP_PROMPT);
            continue;
        }
        if (dp_is_breadcrumb(s, b->len, &f->w) || dp_is_control(words, f->w.words))
            drop_hard(b, DOPPEL_DROP_NAVIGATION);
        else if (dp_is_credit(s, b->len, &f->w) || dp_is_byline(s, b->len, &f->w))
            drop_hard(b, DOPPEL_DROP_SHORT);
    }
    if (mark_repeats(ex, opt->length_high)) return DOPPEL_ERR_NOMEM;

    /* Teaser sections: from a marker, headlines and the blurb under each,
     * until a paragraph follows a paragraph (the article resumed). */
    int in_section = 0, after_title = 0;
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        dp_feat *f = &ex->feat[i];
        if (!f->visible || b->kind == DP_BK_CODE) continue;
        if (f->marker) {
            drop_hard(b, DOPPEL_DROP_TEASER);
            /* Only a headline licenses the blurb under it: a marker that
             * closes a related box ("More from ...") must not eat the
             * paragraph after it. */
            in_section = 1;
            after_title = 0;
            continue;
        }
        if (!in_section) continue;
        int body = b->len >= opt->length_low && !f->title;
        /* A teaser's headline links to its story and licenses any blurb; an
         * unlinked headline-like line (a byline, an agency's name, a
         * commenter's "Posted by") licenses only a blurb of a sentence or
         * two (under 2 * length_low bytes): a lede after the article's
         * own byline ends the section. */
        if (after_title == 2 && body && b->len >= 2 * (size_t)opt->length_low) after_title = 0;
        if (!body || after_title) {
            drop_hard(b, DOPPEL_DROP_TEASER);
            after_title = !headline(b, f, opt) ? 0 : f->link_density >= 0.5f ? 1 : 2;
        } else {
            in_section = 0;
        }
    }
    /* Teaser runs without a marker: two or more headline + "..." blurbs in
     * a row. */
    for (size_t i = 0; i < n;) {
        size_t k = i, pairs = 0, last = i;
        while (k < n) {
            size_t t = k;
            while (t < n && !ex->feat[t].visible) t++;
            size_t u = t + 1;
            while (u < n && !ex->feat[u].visible) u++;
            if (u >= n || !headline(&ex->blocks[t], &ex->feat[t], opt) || !ex->feat[u].truncated)
                break;
            pairs++;
            last = u;
            k = u + 1;
        }
        if (pairs >= 2) {
            for (size_t j = i; j <= last; j++)
                if (ex->feat[j].visible) drop_hard(&ex->blocks[j], DOPPEL_DROP_TEASER);
            i = last + 1;
        } else {
            i++;
        }
    }

    dp_drop_teaser_lists(ex);

    /* jusText, step 1: each remaining block on its own. */
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        dp_feat *f = &ex->feat[i];
        if (!f->visible) continue;
        if (b->hard) {
            f->init = b->cls;
            continue;
        }
        double sd = f->w.words ? (double)f->w.stopwords / f->w.words : 0;
        if (!covered) sd = f->ends ? opt->stopwords_high : opt->stopwords_low;
        int cls, reason = 0;
        /* Inside the article's container a paragraph of sentences may link
         * much of its text (a blog post, a wire story's names); a block
         * made of links is still not prose. */
        double max_links = opt->max_link_density;
        if (ex->html && !b->outside && f->ends && f->w.words >= 12 && max_links < 0.5)
            max_links = 0.5;
        if (f->link_density > max_links) {
            cls = DP_CLS_BAD, reason = DOPPEL_DROP_LINKS;
        } else if (b->len < opt->length_low) {
            if (b->link_bytes) cls = DP_CLS_BAD, reason = DOPPEL_DROP_LINKS;
            else cls = DP_CLS_SHORT, reason = DOPPEL_DROP_SHORT;
        } else if (f->title && b->len < 2 * opt->length_low) {
            /* A long headline: no function words to speak of, but it heads
             * text; judge it as a short heading. */
            cls = DP_CLS_SHORT, reason = DOPPEL_DROP_SHORT;
        } else if (sd >= opt->stopwords_high) {
            /* Wire copy runs in paragraphs of one or two sentences, shorter
             * than length_high: a complete sentence of some length is as
             * good a sign of prose as length. */
            int sentence = f->ends && f->w.words >= 12;
            cls = b->len >= opt->length_high || sentence ? DP_CLS_GOOD : DP_CLS_NEARGOOD;
            reason = DOPPEL_DROP_CONTEXT;
        } else if (sd >= opt->stopwords_low || (f->ends && b->len >= opt->length_high)) {
            /* Long punctuated prose dense with names still reads as text. */
            cls = DP_CLS_NEARGOOD, reason = DOPPEL_DROP_CONTEXT;
        } else {
            cls = DP_CLS_BAD, reason = DOPPEL_DROP_NOT_PROSE;
        }
        f->init = (uint8_t)cls;
        b->cls = (uint8_t)cls;
        b->reason = (uint8_t)reason;
    }
    /* Step 2: headings shortly before good text count as neargood. */
    for (size_t i = 0; i < n; i++) {
        dp_feat *f = &ex->feat[i];
        if (f->visible && f->heading && f->init == DP_CLS_SHORT && !ex->blocks[i].hard &&
            good_follows(ex, i, opt->max_heading_distance, 0))
            f->init = ex->blocks[i].cls = DP_CLS_NEARGOOD;
    }
    /* Step 3: short blocks from their neighbours (as they were before this
     * step: the rules read f->init, write b->cls). */
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        if (!ex->feat[i].visible || b->hard || ex->feat[i].init != DP_CLS_SHORT) continue;
        int prev = 0, next = 0, prev_any = 0, next_any = 0;
        for (size_t k = i; k-- > 0;) {
            if (!ex->feat[k].visible) continue;
            int c = ex->feat[k].init;
            if (!prev_any && c != DP_CLS_SHORT) prev_any = c;
            if (c == DP_CLS_SHORT || c == DP_CLS_NEARGOOD) continue;
            prev = c;
            break;
        }
        for (size_t k = i + 1; k < n; k++) {
            if (!ex->feat[k].visible) continue;
            int c = ex->feat[k].init;
            if (!next_any && c != DP_CLS_SHORT) next_any = c;
            if (c == DP_CLS_SHORT || c == DP_CLS_NEARGOOD) continue;
            next = c;
            break;
        }
        if (!prev) prev = DP_CLS_BAD;
        if (!next) next = DP_CLS_BAD;
        if (!prev_any) prev_any = DP_CLS_BAD;
        if (!next_any) next_any = DP_CLS_BAD;
        const dp_feat *f = &ex->feat[i];
        /* A short complete sentence right after article text is usually its
         * last line ("No one was hurt, police said."); chrome sentences
         * are caught by the prompt rules above. */
        int closing = prev == DP_CLS_GOOD && prev_any == DP_CLS_GOOD && f->ends &&
                      f->w.words >= 4 &&
                      (!covered || (double)f->w.stopwords >= opt->stopwords_low * f->w.words);
        if ((prev == DP_CLS_GOOD && next == DP_CLS_GOOD) || closing) b->cls = DP_CLS_GOOD;
        else if (prev == DP_CLS_BAD && next == DP_CLS_BAD) b->cls = DP_CLS_BAD;
        else if ((prev == DP_CLS_BAD && prev_any == DP_CLS_NEARGOOD) ||
                 (next == DP_CLS_BAD && next_any == DP_CLS_NEARGOOD))
            b->cls = DP_CLS_GOOD;
        else
            b->cls = DP_CLS_BAD;
    }
    /* Step 3b: a short line printed in one paragraph with good text (a
     * <br> continuation, a dateline above a lead) belongs to it. */
    for (int dir = 0; dir < 2; dir++) {
        for (size_t j = 0; j < n; j++) {
            size_t i = dir == 0 ? j : n - 1 - j;
            dp_block *b = &ex->blocks[i];
            if (!ex->feat[i].visible || b->hard || ex->feat[i].init != DP_CLS_SHORT ||
                b->cls == DP_CLS_GOOD)
                continue;
            size_t k = i;
            if (dir == 0 ? k == 0 : k + 1 >= n) continue;
            k = dir == 0 ? k - 1 : k + 1;
            if (ex->feat[k].visible && ex->blocks[k].para == b->para &&
                ex->blocks[k].cls == DP_CLS_GOOD && ex->feat[k].init != DP_CLS_SHORT)
                b->cls = DP_CLS_GOOD;
        }
    }
    /* Step 4: neargood blocks from their good/bad neighbours. */
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        if (!ex->feat[i].visible || b->hard || ex->feat[i].init != DP_CLS_NEARGOOD) continue;
        int prev = DP_CLS_BAD, next = DP_CLS_BAD;
        for (size_t k = i; k-- > 0;) {
            int c = ex->feat[k].init;
            if (!ex->feat[k].visible || c == DP_CLS_SHORT || c == DP_CLS_NEARGOOD) continue;
            prev = c;
            break;
        }
        for (size_t k = i + 1; k < n; k++) {
            int c = ex->feat[k].init;
            if (!ex->feat[k].visible || c == DP_CLS_SHORT || c == DP_CLS_NEARGOOD) continue;
            next = c;
            break;
        }
        b->cls = prev == DP_CLS_BAD && next == DP_CLS_BAD ? DP_CLS_BAD : DP_CLS_GOOD;
    }
    /* Step 5: a heading that lost to its neighbours but heads good text. */
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        dp_feat *f = &ex->feat[i];
        if (!f->visible || b->hard || !f->heading || b->cls != DP_CLS_BAD ||
            f->init == DP_CLS_BAD)
            continue;
        if (good_follows(ex, i, opt->max_heading_distance, 1)) b->cls = DP_CLS_GOOD;
    }
    if (ex->html) dp_keep_article_lists(ex);
    if (ex->html) {
        keep_article_if_nothing_left(ex);
        if (drop_leading_title(ex)) return DOPPEL_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        dp_block *b = &ex->blocks[i];
        if (b->cls == DP_CLS_GOOD) b->reason = DOPPEL_DROP_NONE;
        else if (!b->reason) b->reason = DOPPEL_DROP_CONTEXT;
    }
    return DOPPEL_OK;
}
