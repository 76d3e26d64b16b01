/*
 * synth_copy.c — the synthetic generator's copies: site chrome around an
 * article, word edits, OCR noise, and make_copy, which turns an original
 * into a copy of one kind (see synth.c for the kinds and their rates).
 */
#include "eval/synth_impl.h"

#include <math.h>

/* ---- site chrome: each site takes one variant of each kind of line ---- */

static const char *const NAV_SECTIONS[] = {
    "Home", "World", "Politics", "Business", "Technology", "Science", "Health", "Sport",
    "Culture", "Opinion", "Travel", "Climate", "Local", "Video", "Podcasts", "Weather",
};
static const char *const NAV_SEPARATORS[] = {" | ", " / ", " - ", " > "};
static const char *const SKIP_LINES[] = {
    "Skip to main content", "Skip to content", "Menu Search Sign in",
    "Jump to navigation", "Subscribe Log in", "Search this site",
};
static const char *const SHARE_LINES[] = {
    "Share this article", "Share on Facebook Share on X Share by email Copy link",
    "Share this story with your friends", "Share Tweet Email Print",
    "Like this article? Share it", "Send this page to a friend",
};
static const char *const SUBSCRIBE_LINES[] = {
    "Subscribe to our newsletter for the latest news from %s.",
    "Get the %s morning briefing delivered to your inbox.",
    "Sign up for free to keep reading %s.",
    "Support independent journalism: subscribe to %s today.",
    "Never miss a story. Follow %s on social media.",
};
static const char *const COOKIE_LINES[] = {
    "We use cookies to improve your experience. By continuing you accept our cookie policy.",
    "This site uses cookies. Read our privacy notice to find out more.",
    "Cookies help us deliver our services. Manage your preferences at any time.",
    "By using this website you agree to the use of cookies.",
};
static const char *const COPYRIGHT_LINES[] = {
    "Copyright %s. All rights reserved.", "(c) %s. All rights reserved.",
    "All content copyright %s unless otherwise stated.", "%s. Terms of use. Privacy policy.",
};
static const char *const RELATED_HEADERS[] = {
    "Related articles", "More from %s", "Most read", "You may also like", "Read next",
    "Trending now",
};
static const char *const READ_MORE[] = {
    "Read more at %s.", "Continue reading on %s.", "Read the full story.",
    "Click here to read more.", "Read more.", "The full article is available to subscribers.",
};

/* ---- site chrome ------------------------------------------------------- */



/* Append line (a format with one %s for the site name) and a newline. */
static void put_line(synth *g, doppel_buf *b, const char *fmt, const char *site) {
    char tmp[256];
    snprintf(tmp, sizeof tmp, fmt, site);
    dp_synth_put_str(g, b, tmp);
    dp_synth_put_raw(g, b, "\n", 1);
}

/* The site's navigation menu: its own choice and order of sections. */
static void put_nav(synth *g, doppel_buf *b, uint32_t site) {
    uint64_t x = hash3(g->opt.seed, P_SITE, site ^ 0xA5A5u);
    const char *sep = NAV_SEPARATORS[splitmix64(&x) % COUNT(NAV_SEPARATORS)];
    size_t n = 5 + splitmix64(&x) % 6;
    uint32_t used = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = (uint32_t)(splitmix64(&x) % COUNT(NAV_SECTIONS));
        if (used & (1u << k)) continue;
        used |= 1u << k;
        if (i) dp_synth_put_str(g, b, sep);
        dp_synth_put_str(g, b, NAV_SECTIONS[k]);
    }
    dp_synth_put_raw(g, b, "\n", 1);
}

/* Chrome around an article: the site's fixed lines in order of priority,
 * then per-page related headlines, until the chrome reaches target words. */
static void put_chrome(synth *g, doppel_buf *top, doppel_buf *bottom, uint32_t site,
                       const char *name, size_t target) {
    uint64_t x = hash3(g->opt.seed, P_SITE, site);
    uint64_t v = splitmix64(&x);
    top->len = bottom->len = 0;
    for (int step = 0; dp_synth_count_words(top->data, top->len) + dp_synth_count_words(bottom->data, bottom->len) <
                       target; step++) {
        switch (step) {
        case 0: put_nav(g, top, site); break;
        case 1: put_line(g, bottom, COPYRIGHT_LINES[(v >> 8) % COUNT(COPYRIGHT_LINES)], name); break;
        case 2: put_line(g, bottom, SHARE_LINES[(v >> 16) % COUNT(SHARE_LINES)], name); break;
        case 3: put_line(g, top, SKIP_LINES[(v >> 24) % COUNT(SKIP_LINES)], name); break;
        case 4: put_line(g, bottom, SUBSCRIBE_LINES[(v >> 32) % COUNT(SUBSCRIBE_LINES)], name); break;
        case 5: put_line(g, bottom, COOKIE_LINES[(v >> 40) % COUNT(COOKIE_LINES)], name); break;
        case 6: put_line(g, bottom, RELATED_HEADERS[(v >> 48) % COUNT(RELATED_HEADERS)], name); break;
        default: {
            /* A related link: a headline from another topic. */
            uint32_t topic = rng_below(&g->r, g->topics);
            dp_synth_put_headline(g, bottom, topic);
            dp_synth_put_raw(g, bottom, "\n", 1);
            break;
        }
        }
        if (g->st != DOPPEL_OK) return;
    }
    /* Lines end with "\n"; the caller joins blocks with blank lines. */
    if (top->len) top->len--;
    if (bottom->len) bottom->len--;
}

/* ---- copies -------------------------------------------------------------- */

uint64_t dp_synth_pick_original(synth *g, uint64_t i) {
    uint64_t j;
    if (rng_chance(&g->r, 0.5) && g->opt.recent_window > 0) {
        uint64_t w = i < g->opt.recent_window ? i : g->opt.recent_window;
        j = i - 1 - (uint64_t)(rng_unit(&g->r) * (double)w);
    } else {
        j = (uint64_t)(rng_unit(&g->r) * (double)i);
    }
    if (j >= i) j = i - 1;
    while (!dp_synth_is_original(g, j)) j--;  /* document 0 is always an original */
    return j;
}

/* Tokenize text into words and the separators after them. */
static size_t tokenize(synth *g, const char *s, size_t len) {
    size_t n = 0, i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && s[i] != ' ' && s[i] != '\n') i++;
        size_t sep = i;
        while (i < len && (s[i] == ' ' || s[i] == '\n')) i++;
        if (n == g->token_cap &&
            dp_grow((void **)&g->tokens, &g->token_cap, n + 1, sizeof *g->tokens)) {
            g->st = DOPPEL_ERR_NOMEM;
            return 0;
        }
        g->tokens[n++] = (token){(uint32_t)start, (uint32_t)(sep - start), (uint32_t)sep,
                                 (uint32_t)(i - sep)};
    }
    return n;
}


static void make_edited(synth *g, const article *a, double rate) {
    const char *s = a->text.data;
    size_t n = tokenize(g, s, a->text.len);
    if (g->st != DOPPEL_OK || n == 0) return;
    size_t edits = (size_t)ceil(rate * (double)n);
    if (edits > n / 2) edits = n / 2;
    /* Selection sampling of `edits` slots among n - edits, the k-th shifted
     * by k: distinct positions, never adjacent, so edits do not interact. */
    size_t slots = n - edits, need = edits, k = 0;
    const char *pending = NULL;  /* separator owed before the next word */
    size_t pending_len = 0;
    size_t next_edit = SIZE_MAX;
    size_t slot = 0;
    doppel_buf *o = &g->out;
    o->len = 0;
    for (size_t t = 0; t < n; t++) {
        if (next_edit == SIZE_MAX && need > 0) {
            while (slot < slots) {
                uint64_t left = slots - slot;
                if (rng_unit(&g->r) * (double)left < (double)need) break;
                slot++;
            }
            next_edit = slot + k;
            slot++;
        }
        const token *tk = &g->tokens[t];
        int op = -1;  /* -1 keep, 0 substitute, 1 insert, 2 delete */
        if (t == next_edit) {
            uint32_t c = rng_below(&g->r, 4);
            op = c < 2 ? 0 : c == 2 ? 1 : 2;
            need--;
            k++;
            next_edit = SIZE_MAX;
        }
        if (op == 2) {
            /* A deleted paragraph end still ends the paragraph. */
            if (memchr(s + tk->sep_off, '\n', tk->sep_len)) {
                pending = s + tk->sep_off;
                pending_len = tk->sep_len;
            }
            continue;
        }
        const char *prev = t ? s + g->tokens[t - 1].off : "";
        size_t prev_len = t ? g->tokens[t - 1].len : 0;
        if (pending && o->len) dp_synth_put_raw(g, o, pending, pending_len);
        if (op == 1) {
            dp_synth_edit_word(g, a->topic, prev, prev_len, s + tk->off, tk->len);
            dp_synth_put_raw(g, o, g->line.data, g->line.len);
            dp_synth_put_raw(g, o, " ", 1);
        }
        if (op == 0) {
            /* Replace the word but keep its trailing punctuation. */
            size_t core = tk->len;
            while (core > 1 && (s[tk->off + core - 1] == '.' || s[tk->off + core - 1] == ','))
                core--;
            dp_synth_edit_word(g, a->topic, s + tk->off, core, prev, prev_len);
            dp_synth_put_raw(g, o, g->line.data, g->line.len);
            dp_synth_put_raw(g, o, s + tk->off + core, tk->len - core);
        } else {
            dp_synth_put_raw(g, o, s + tk->off, tk->len);
        }
        pending = s + tk->sep_off;
        pending_len = tk->sep_len;
    }
}

static int is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

static void make_ocr(synth *g, const article *a, double rate) {
    const char *s = a->text.data;
    size_t len = a->text.len;
    doppel_buf *o = &g->out;
    o->len = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int word_char = is_letter(c) || (c >= '0' && c <= '9');
        if (!(word_char || c == ' ') || !rng_chance(&g->r, rate)) {
            dp_synth_put_raw(g, o, &c, 1);
            continue;
        }
        if (c == ' ') {
            /* Merged words: the space is lost. */
            continue;
        }
        char next = i + 1 < len ? s[i + 1] : '\0';
        if (rng_chance(&g->r, 0.6)) {
            const char *sub = NULL;
            switch (c) {
            case 'r': if (next == 'n') { sub = "m"; i++; } break;
            case 'm': sub = "rn"; break;
            case 'l': sub = "1"; break;
            case '1': sub = "l"; break;
            case 'I': sub = "l"; break;
            case 'O': sub = "0"; break;
            case '0': sub = "O"; break;
            case 'o': sub = "0"; break;
            case 'e': sub = "c"; break;
            case 'c': sub = "e"; break;
            case 'h': sub = "b"; break;
            case 'i': sub = "l"; break;
            default: break;
            }
            if (sub) {
                dp_synth_put_str(g, o, sub);
                continue;
            }
        }
        switch (rng_below(&g->r, 3)) {
        case 0: break;                                       /* dropped */
        case 1: dp_synth_put_raw(g, o, &c, 1); dp_synth_put_raw(g, o, &c, 1); break; /* doubled */
        default: dp_synth_put_raw(g, o, &c, 1); if (is_letter(next)) dp_synth_put_raw(g, o, " ", 1); break; /* split */
        }
    }
}

/* Body paragraphs [0, k) of a joined by blank lines, after the headline. */
static void put_paras(synth *g, doppel_buf *o, const article *a, const size_t *order, size_t k) {
    for (size_t p = 0; p < k; p++) {
        size_t q = order ? order[p] : p;
        dp_synth_put_raw(g, o, "\n\n", 2);
        dp_synth_put_raw(g, o, a->text.data + a->para_off[q], a->para_len[q]);
    }
}

/* Build copy i of kind `kind` from original a into g->out / g->title. */
void  dp_synth_make_copy(synth *g, doppel_synth_kind kind, const article *a, uint32_t site,
                      double *amount) {
    doppel_buf *o = &g->out;
    const char *text = a->text.data;
    o->len = 0;
    *amount = 0;
    switch (kind) {
    case DOPPEL_SYNTH_BOILERPLATE: {
        *amount = rng_range(&g->r, g->opt.chrome_min, g->opt.chrome_max);
        size_t target =
            (size_t)ceil(*amount * (double)(a->body_words + dp_synth_count_words(text, a->title_len)));
        put_chrome(g, &g->alt.text, &g->line, site, g->source, target);
        if (g->alt.text.len) {
            dp_synth_put_raw(g, o, g->alt.text.data, g->alt.text.len);
            dp_synth_put_raw(g, o, "\n\n", 2);
        }
        dp_synth_put_raw(g, o, text, a->text.len);
        if (g->line.len) {
            dp_synth_put_raw(g, o, "\n\n", 2);
            dp_synth_put_raw(g, o, g->line.data, g->line.len);
        }
        break;
    }
    case DOPPEL_SYNTH_TRUNCATED: {
        *amount = rng_range(&g->r, g->opt.truncate_min, g->opt.truncate_max);
        size_t k = (size_t)ceil(*amount * (double)a->num_paras);
        if (k < 1) k = 1;
        size_t words = 0;
        for (size_t p = 0; p < k; p++) words += dp_synth_count_words(text + a->para_off[p], a->para_len[p]);
        while (k < a->num_paras && words < g->opt.truncate_min_words) {
            words += dp_synth_count_words(text + a->para_off[k], a->para_len[k]);
            k++;
        }
        /* Keep it a proper lead: never the whole article. */
        if (k >= a->num_paras) k = a->num_paras - 1;
        *amount = (double)k / (double)a->num_paras;
        dp_synth_put_raw(g, o, text, a->title_len);
        put_paras(g, o, a, NULL, k);
        if (rng_chance(&g->r, g->opt.read_more_rate)) {
            char line[160];
            snprintf(line, sizeof line, READ_MORE[rng_below(&g->r, COUNT(READ_MORE))], g->source);
            dp_synth_put_raw(g, o, "\n\n", 2);
            dp_synth_put_str(g, o, line);
        }
        break;
    }
    case DOPPEL_SYNTH_EDITED:
        *amount = rng_range(&g->r, g->opt.edit_min, g->opt.edit_max);
        make_edited(g, a, *amount);
        break;
    case DOPPEL_SYNTH_OCR:
        *amount = rng_range(&g->r, g->opt.ocr_min, g->opt.ocr_max);
        make_ocr(g, a, *amount);
        break;
    case DOPPEL_SYNTH_REORDERED: {
        size_t n = a->num_paras;
        if (dp_grow((void **)&g->order, &g->order_cap, n, sizeof *g->order)) {
            g->st = DOPPEL_ERR_NOMEM;
            return;
        }
        int same = 1;
        for (int tries = 0; same && tries < 16; tries++) {
            for (size_t p = 0; p < n; p++) g->order[p] = p;
            for (size_t p = n - 1; p > 0; p--) {
                size_t q = rng_below(&g->r, (uint32_t)(p + 1));
                size_t t = g->order[p];
                g->order[p] = g->order[q];
                g->order[q] = t;
            }
            same = 0;
            for (size_t p = 0; p < n; p++) same |= g->order[p] != p;
            same = !same;
        }
        if (same) {  /* vanishingly rare; swap the first two */
            g->order[0] = 1;
            g->order[1] = 0;
        }
        dp_synth_put_raw(g, o, text, a->title_len);
        put_paras(g, o, a, g->order, n);
        break;
    }
    case DOPPEL_SYNTH_HEADLINE:
        for (int tries = 0; tries < 8; tries++) {
            o->len = 0;
            dp_synth_put_headline(g, o, a->topic);
            if (g->st != DOPPEL_OK) return;
            if (o->len != a->title_len || memcmp(o->data, text, o->len)) break;
        }
        dp_synth_put_raw(g, o, text + a->title_len, a->text.len - a->title_len);
        break;
    default:  /* exact */
        dp_synth_put_raw(g, o, text, a->text.len);
        break;
    }
    /* The title is the copy's first line, except behind chrome. */
    g->title.len = 0;
    if (kind == DOPPEL_SYNTH_BOILERPLATE) {
        dp_synth_put_raw(g, &g->title, text, a->title_len);
    } else if (g->st == DOPPEL_OK) {
        const char *nl = memchr(o->data, '\n', o->len);
        dp_synth_put_raw(g, &g->title, o->data, nl ? (size_t)(nl - o->data) : o->len);
    }
}
