/*
 * synth.c — a labeled synthetic news corpus, generated on the fly.
 *
 * Why synthetic: real labeled near-duplicate data is small and its labels are
 * partial. Here every copy is planted, so the gold is exact, and the corpus
 * can be as large as a benchmark needs (10M documents) in constant memory.
 *
 * Everything about document i is a pure function of (seed, i): whether it is
 * an original or a copy, and for an original its topic, site, date and text.
 * A copy regenerates its original from (seed, j) instead of remembering it,
 * which is what keeps memory bounded by one document.
 *
 * Text. Originals are news-like: a headline line, a blank line, paragraphs of
 * sentences built from templates. Words come from hand-written English lists
 * and from pseudo-words built from syllables (names of people, places,
 * organisations, technical terms). Each topic owns its terms and names and a
 * slice of the common nouns, so two articles of one topic share many words
 * (hard negatives) but, every slot being an independent Zipf-like draw, they
 * share no long passages; the only fixed multi-word pieces are short stock
 * phrases ("said in a statement", "according to the"), at most four words.
 *
 * Copy kinds and their rates (defaults; all are doppel_synth_options fields):
 *
 *   share of documents that are copies ........ copy_fraction     0.35
 *   share of each kind among copies ............ kind_weight       equal: 1/7 each
 *                                                                  (5% of documents)
 *   exact        identical text, another site .. -
 *   boilerplate  site chrome top and bottom .... chrome_min/max    10-40% of the words
 *   truncated    headline + leading paragraphs . truncate_min/max  20-60% of paragraphs,
 *                                                truncate_min_words >= 60 body words,
 *                                                read_more_rate    half end "Read more"
 *   edited       word edits at distinct, non-adjacent positions:
 *                                                edit_min/max      5-20% of words,
 *                                                                  uniform per copy;
 *                50% substitution, 25% insertion, 25% deletion
 *   ocr          character errors (rn/m, l/1, O/0, e/c, dropped or doubled
 *                letters, split or merged words) ocr_min/max       1-3% of characters
 *   reordered    body paragraphs shuffled, headline first
 *   headline     a new headline, same body
 *
 * A copy copies an original: half the time one of the last recent_window
 * documents (news is syndicated quickly), otherwise any earlier one; copies
 * are never copied, so every label is an original's id. Originals' dates
 * rise with their number over date_span_days; a copy is dated 0-30 days
 * after its original (0 days 40% of the time).
 */
#include "eval/synth_impl.h"

#include <math.h>

/* ======================================================================
 * Dates and public entry points
 * ==================================================================== */

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* "YYYY-MM-DD" of a day counted from 1970-01-01 (proleptic Gregorian). Walks
 * whole years, then months: a few dozen steps for any realistic date. */
static void format_day(int64_t days, char *out, size_t cap) {
    static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t y = 1970;
    while (days < 0) {
        y--;
        days += 365 + is_leap(y);
    }
    while (days >= 365 + is_leap(y)) {
        days -= 365 + is_leap(y);
        y++;
    }
    int m = 0;
    while (days >= month_days[m] + (m == 1 && is_leap(y))) {
        days -= month_days[m] + (m == 1 && is_leap(y));
        m++;
    }
    snprintf(out, cap, "%04lld-%02d-%02d", (long long)y, m + 1, (int)days + 1);
}

const char *doppel_synth_kind_name(doppel_synth_kind kind) {
    static const char *const names[DOPPEL_SYNTH_NUM_KINDS] = {
        "original", "exact",  "boilerplate", "truncated", "edited", "ocr",
        "reordered", "headline", "derived",  "partial",   "quote",  "shared",
    };
    return (unsigned)kind < DOPPEL_SYNTH_NUM_KINDS ? names[kind] : NULL;
}

void doppel_synth_options_default(doppel_synth_options *opt) {
    memset(opt, 0, sizeof *opt);
    opt->count = 1000;
    opt->seed = 1;
    opt->mean_words = 500;
    opt->copy_fraction = 0.35;
    for (int k = 1; k <= DOPPEL_SYNTH_HEADLINE; k++) opt->kind_weight[k] = 1.0;
    opt->topics = 0;
    opt->sites = 40;
    opt->date_span_days = 56;
    opt->start_day = 19723;  /* 2024-01-01 */
    opt->recent_window = 1000;
    opt->edit_min = 0.05;
    opt->edit_max = 0.20;
    opt->ocr_min = 0.01;
    opt->ocr_max = 0.03;
    opt->truncate_min = 0.20;
    opt->truncate_max = 0.60;
    opt->truncate_min_words = 60;
    opt->read_more_rate = 0.5;
    opt->chrome_min = 0.10;
    opt->chrome_max = 0.40;
    opt->rewrite_min = 0.08;
    opt->rewrite_max = 0.28;
    opt->quote_min_words = 80;
    opt->quote_max_words = 200;
    opt->shared_paragraphs = 8;
}

void doppel_synth_options_realistic(doppel_synth_options *opt) {
    doppel_synth_options_default(opt);
    opt->copy_fraction = 0.5;
    opt->mean_words = 580;
    for (int k = 1; k < DOPPEL_SYNTH_NUM_KINDS; k++) opt->kind_weight[k] = 1.0;
    opt->kind_weight[DOPPEL_SYNTH_QUOTE] = 2.0;
    opt->kind_weight[DOPPEL_SYNTH_SHARED] = 2.0;
}

static int bad_range(double lo, double hi, double min, double max) {
    return !(lo >= min && hi <= max && lo <= hi);
}

doppel_status doppel_synth_options_validate(const doppel_synth_options *o, doppel_error *err) {
    if (o->mean_words < 20 || o->mean_words > 1000000)
        return dp_fail(err, DOPPEL_ERR_ARG, "synth: mean_words must be in [20, 1000000]");
    if (!(o->copy_fraction >= 0 && o->copy_fraction <= 0.95))
        return dp_fail(err, DOPPEL_ERR_ARG, "synth: copy_fraction must be in [0, 0.95]");
    double sum = 0;
    for (int k = 1; k < DOPPEL_SYNTH_NUM_KINDS; k++) {
        if (!(o->kind_weight[k] >= 0 && o->kind_weight[k] < 1e12))
            return dp_fail(err, DOPPEL_ERR_ARG, "synth: kind_weight[%s] must be >= 0",
                           doppel_synth_kind_name((doppel_synth_kind)k));
        sum += o->kind_weight[k];
    }
    if (o->copy_fraction > 0 && !(sum > 0))
        return dp_fail(err, DOPPEL_ERR_ARG, "synth: copies requested but every kind_weight is 0");
    if (o->sites == 0 || o->sites > 1000000)
        return dp_fail(err, DOPPEL_ERR_ARG, "synth: sites must be in [1, 1000000]");
    if (o->date_span_days > 36500)
        return dp_fail(err, DOPPEL_ERR_ARG, "synth: date_span_days must be at most 36500");
    if (o->start_day < -700000 || o->start_day > 2900000)
        return dp_fail(err, DOPPEL_ERR_ARG, "synth: start_day out of range");
    if (bad_range(o->edit_min, o->edit_max, 0, 0.5))
        return dp_fail(err, DOPPEL_ERR_ARG, "synth: need 0 <= edit_min <= edit_max <= 0.5");
    if (bad_range(o->ocr_min, o->ocr_max, 0, 0.5))
        return dp_fail(err, DOPPEL_ERR_ARG, "synth: need 0 <= ocr_min <= ocr_max <= 0.5");
    if (bad_range(o->truncate_min, o->truncate_max, 0, 1))
        return dp_fail(err, DOPPEL_ERR_ARG, "synth: need 0 <= truncate_min <= truncate_max <= 1");
    if (bad_range(o->chrome_min, o->chrome_max, 0, 10))
        return dp_fail(err, DOPPEL_ERR_ARG, "synth: need 0 <= chrome_min <= chrome_max <= 10");
    if (bad_range(o->rewrite_min, o->rewrite_max, 0, 0.9))
        return dp_fail(err, DOPPEL_ERR_ARG, "synth: need 0 <= rewrite_min <= rewrite_max <= 0.9");
    if (o->quote_min_words < 1 || o->quote_min_words > o->quote_max_words ||
        o->quote_max_words > 100000)
        return dp_fail(err, DOPPEL_ERR_ARG,
                       "synth: need 1 <= quote_min_words <= quote_max_words <= 100000");
    if (o->shared_paragraphs < 1 || o->shared_paragraphs > 1000000)
        return dp_fail(err, DOPPEL_ERR_ARG, "synth: shared_paragraphs must be in [1, 1000000]");
    if (!(o->read_more_rate >= 0 && o->read_more_rate <= 1))
        return dp_fail(err, DOPPEL_ERR_ARG, "synth: read_more_rate must be in [0, 1]");
    return DOPPEL_OK;
}

static void synth_free(synth *g) {
    dp_synth_article_free(&g->orig);
    dp_synth_article_free(&g->alt);
    dp_synth_article_free(&g->own);
    doppel_buf_free(&g->out);
    doppel_buf_free(&g->title);
    doppel_buf_free(&g->word);
    doppel_buf_free(&g->line);
    dp_free(g->tokens, g->token_cap * sizeof *g->tokens);
    dp_free(g->order, g->order_cap * sizeof *g->order);
    for (uint32_t n = 0; n <= ZIPF_MAX; n++)
        if (g->zipf_cdf[n]) dp_free(g->zipf_cdf[n], dp_synth_zipf_table_size(n));
}


doppel_status doppel_synth_generate(const doppel_synth_options *opt, doppel_synth_emit_fn emit,
                                    void *user, doppel_error *err) {
    synth g;
    memset(&g, 0, sizeof g);
    if (opt) g.opt = *opt;
    else doppel_synth_options_default(&g.opt);
    if (!emit) return dp_fail(err, DOPPEL_ERR_ARG, "synth: emit callback is NULL");
    doppel_status st = doppel_synth_options_validate(&g.opt, err);
    if (st != DOPPEL_OK) return st;

    g.topics = g.opt.topics ? g.opt.topics
               : g.opt.count / 64 > UINT32_MAX ? UINT32_MAX
               : (uint32_t)DP_MAX(g.opt.count / 64, (uint64_t)4);
    double sum = 0;
    for (int k = 1; k < DOPPEL_SYNTH_NUM_KINDS; k++) sum += g.opt.kind_weight[k];
    double acc = 0;
    for (int k = 1; k < DOPPEL_SYNTH_NUM_KINDS; k++) {
        acc += sum > 0 ? g.opt.kind_weight[k] / sum : 0;
        g.kind_cum[k] = g.opt.kind_weight[k] > 0 ? acc : -1;
    }
    g.id_digits = 6;
    for (uint64_t c = g.opt.count > 0 ? g.opt.count - 1 : 0; c >= 1000000; c /= 10) g.id_digits++;

    for (uint64_t i = 0; i < g.opt.count && st == DOPPEL_OK; i++) {
        doppel_synth_kind kind = dp_synth_doc_kind(&g, i);
        doppel_synth_doc doc = {.number = i, .id = g.id, .cluster = g.cluster, .date = g.date,
                                .source = g.source, .kind = kind};
        snprintf(g.id, sizeof g.id, "s%0*llu", g.id_digits, (unsigned long long)i);
        if (kind == DOPPEL_SYNTH_ORIGINAL) {
            dp_synth_gen_original(&g, i, &g.orig);
            dp_synth_site_name(&g, g.orig.site, g.source, sizeof g.source);
            g.title.len = 0;
            dp_synth_put_raw(&g, &g.title, g.orig.text.data, g.orig.title_len);
            doc.original = i;
            doc.related = i;
            doc.text = g.orig.text.data;
            doc.text_len = g.orig.text.len;
            format_day(g.orig.day, g.date, sizeof g.date);
        } else {
            rng_seed(&g.r, g.opt.seed, P_COPY, i);
            uint64_t j = dp_synth_pick_original(&g, i);
            uint64_t copy_stream[4];
            memcpy(copy_stream, g.r.s, sizeof copy_stream);
            dp_synth_gen_original(&g, j, &g.orig);
            memcpy(g.r.s, copy_stream, sizeof copy_stream);
            /* Syndicated copies appear elsewhere; pick another site when there is one. */
            uint32_t site = rng_below(&g.r, g.opt.sites);
            if (site == g.orig.site && g.opt.sites > 1) site = (site + 1) % g.opt.sites;
            dp_synth_site_name(&g, site, g.source, sizeof g.source);
            /* 0 days 40% of the time, else 1 + geometric (mean 4), at most 30. */
            int64_t delay = 0;
            if (!rng_chance(&g.r, 0.4))
                for (delay = 1; delay < 30 && rng_chance(&g.r, 0.75); delay++) {
                }
            format_day(g.orig.day + delay, g.date, sizeof g.date);
            if (kind >= DOPPEL_SYNTH_DERIVED) {
                /* Reuse: its own text (as if an original), dated as that
                 * one when it only quotes or shares, else after its source. */
                uint64_t rel_stream[4];
                memcpy(rel_stream, g.r.s, sizeof rel_stream);
                if (kind != DOPPEL_SYNTH_DERIVED) dp_synth_gen_original(&g, i, &g.own);
                memcpy(g.r.s, rel_stream, sizeof rel_stream);
                if (kind >= DOPPEL_SYNTH_QUOTE) {
                    dp_synth_site_name(&g, g.own.site, g.source, sizeof g.source);
                    format_day(g.own.day, g.date, sizeof g.date);
                }
                doc.related = j;
                dp_synth_make_reuse(&g, kind, &g.own, &g.orig, &doc.amount, &doc.related);
                doc.original = i;
                if (kind != DOPPEL_SYNTH_SHARED) {
                    snprintf(g.related, sizeof g.related, "s%0*llu", g.id_digits,
                             (unsigned long long)j);
                    doc.related_id = g.related;
                }
            } else {
                dp_synth_make_copy(&g, kind, &g.orig, site, &doc.amount);
                doc.original = j;
                doc.related = j;
            }
            doc.text = g.out.data;
            doc.text_len = g.out.len;
        }
        snprintf(g.cluster, sizeof g.cluster, "s%0*llu", g.id_digits,
                 (unsigned long long)doc.original);
        doc.topic = kind >= DOPPEL_SYNTH_PARTIAL ? g.own.topic : g.orig.topic;
        if (g.st == DOPPEL_OK) g.st = dp_buf_terminate(&g.title);
        if (g.st == DOPPEL_OK && doc.text == g.out.data) g.st = dp_buf_terminate(&g.out);
        if (g.st != DOPPEL_OK) {
            st = dp_fail(err, g.st, "synth: out of memory at document %s", g.id);
            break;
        }
        doc.title = g.title.data;
        if (emit(&doc, user) != 0) st = DOPPEL_END;
    }
    synth_free(&g);
    return st;
}
