/*
 * test_extract.c — extraction: the seed documents of ../shared/seeds (issue
 * 3's acceptance test), the formats, and bad input.
 */
#include "testutil.h"

#include <glob.h>
#include <time.h>

#include "extract/extract_int.h"
#include "extract/phrases.h"

#include "extractharness.h"

/* ---- the seeds ----------------------------------------------------------- */

/* One phrase from every article paragraph of the five seeds (seed, line of
 * the paragraph in the file, phrase). Each must survive extraction. */
static const struct { const char *seed; int line; const char *phrase; } article[] = {
    {"000", 20, "for Russia’s invasion of Ukraine and its"},
    {"000", 22, "North Korean bilateral relationship had reached a"},
    {"000", 24, "select few, such as the DPRK, explicitly"},
    {"000", 26, "army reportedly fires over 20,000 artillery shells"},
    {"000", 28, "engaged in strategic bartering, trading conventional munitions"},
    {"000", 30, "Iranian Khoramshahr missiles and Shahid drones per"},
    {"000", 34, "for nuclear missiles. During a visit to"},
    {"000", 36, "following two earlier failed attempts this year,"},
    {"000", 38, "support for Ukraine. North Korea test-fired the"},
    {"000", 40, "Iranian missile ranges have so far been"},
    {"000", 42, "This follows Russian withdrawal on February 21"},
    {"000", 44, "that Iran may have or soon will"},
    {"001", 18, "for Russia’s invasion of Ukraine and its"},
    {"001", 20, "North Korean bilateral relationship had reached a"},
    {"001", 22, "select few, such as the DPRK, explicitly"},
    {"001", 24, "army reportedly fires over 20,000 artillery shells"},
    {"001", 26, "engaged in strategic bartering, trading conventional munitions"},
    {"002", 6, "counterpart, Choe Son Hui, for supporting the"},
    {"002", 8, "bolstering ties amid reports of an arms"},
    {"002", 10, "Pyongyang’s support of what Russia terms its"},
    {"002", 12, "implementing agreements made during a September summit"},
    {"002", 14, "Korean counterpart Choe Son Hui, right, after"},
    {"002", 17, "accuses Russia of using North Korean-supplied ballistic"},
    {"002", 19, "described the situation as a “significant and"},
    {"002", 21, "to bring the issue before the U.N."},
    {"002", 23, "on Russia since it invaded Ukraine in"},
    {"002", 25, "of North Korea’s missile launch vehicle production"},
    {"002", 27, "U.S. intelligence reports detailing the use of"},
    {"002", 29, "have been used in attacks against Ukraine,"},
    {"002", 31, "Iskander-M ballistic missiles and North Korea’s KN-23"},
    {"002", 33, "Financial Times that North Korea could possess"},
    {"002", 35, "than it needs war, and it can"},
    {"002", 37, "decry North Korea’s purported arms transfers, Russian"},
    {"003", 7, "Russian Foreign Minister Sergey Lavrov and his"},
    {"003", 11, "milestone in the bilateral relationship. Lavrov stated"},
    {"003", 15, "the agreements reached between Putin and Kim"},
    {"003", 21, "the world share similar viewpoints and assessments,"},
    {"003", 25, "tour the Vostochny Cosmodrome, Russia’s primary space"},
    {"003", 29, "international embargos. Images released by the White"},
    {"003", 35, "was negotiated. This visit would be a"},
    {"003", 38, "implement the agreements reached between Putin and"},
    {"004", 1, "\"qualitatively new, strategic\" level, Russian Foreign Minister"},
    {"004", 3, "two-day visit after accompanying President Vladimir Putin"},
    {"004", 5, "for a future visit by Putin, who"},
    {"004", 7, "relations have reached a qualitatively new, strategic"},
    {"004", 10, "Korea's support for Russia's ongoing war in"},
    {"004", 12, "actions in connection with the special military"},
    {"004", 14, "built bullet-proof train for a face-to-face meeting"},
    {"004", 16, "from Moscow, a location seen as symbolic"},
    {"004", 25, "military reconnaissance satellite into orbit, most recently"},
    {"004", 27, "Pyongyang might provide Moscow with weapons for"},
    {"004", 29, "under way, with North Korea delivering more"},
    {"004", 31, "a load of containers was shipped by"},
    {"004", 34, "to an ammunition depot about 290 kilometers"},
    {"004", 36, "assistance in return, including advanced technologies, White"},
    {"004", 38, "allegations, insisting Washington has no proof that"},
    {"004", 40, "and Pyongyang comes with relations between the"},
    {"004", 42, "weapons tests this year and recently enshrined"},
    {"004", 44, "security relationship with traditional ally the United"},
};

/* Chrome that must be gone, per seed. */
static const struct { const char *seed; const char *phrase; } chrome[] = {
    {"000", "]("}, {"000", "[["}, {"000", "https://"}, {"000", "templateKey"},
    {"001", "]("}, {"001", "Read More"}, {"001", "pageTitle"},
    /* 003: navigation, subscription, advertisement, comment prompts, teasers */
    {"003", "HomeWorld"}, {"003", "Subscribtion"}, {"003", "Advertisement"},
    {"003", "Please enter your comment"}, {"003", "Please enter your name"},
    {"003", "Most Popular"}, {"003", "Popular News"}, {"003", "Triple-Demic"},
    {"003", "health experts are raising concerns"}, {"003", "Godzilla"}, {"003", "kaiju"},
    {"003", "Read Now"}, {"003", "Meat Become Dangerous"}, {"003", "Humane AI Pin"},
    {"003", "Half as Much Exercise"}, {"003", "Generative AI"}, {"003", "Kevin Costner"},
    {"003", "Microsoft Accused"}, {"003", "iPhones"}, {"003", "Impending Risk"},
    {"003", "The Marvels"}, {"003", "Instagram"}, {"003", "Gangs in Haiti"},
    {"003", "Port-au-Prince"}, {"003", "Gigi Hadid"}, {"003", "Global News"},
    /* 004: the related block in the middle and the correction footer */
    {"004", "SBU Drones"}, {"004", "Other Topics of Interest"}, {"004", "Kyiv Post"},
    {"004", "gasoline and diesel"}, {"004", "suggest a correction"}, {"004", "Ctrl + Enter"},
};

/* The seeds live in ../shared; DOPPEL_SHARED_DIR points elsewhere (a git
 * worktree one level deeper than the main checkout). */
static char *seed_path(const char *seed) {
    static char path[512];
    char pattern[256];
    const char *dir = getenv("DOPPEL_SHARED_DIR");
    snprintf(pattern, sizeof pattern, "%s/seeds/%s_*.txt", dir ? dir : SHARED_DIR, seed);
    glob_t g;
    if (glob(pattern, 0, NULL, &g) || g.gl_pathc != 1) {
        globfree(&g);
        return NULL;
    }
    snprintf(path, sizeof path, "%s", g.gl_pathv[0]);
    globfree(&g);
    return path;
}

static void test_seeds(void **state) {
    (void)state;
    if (!seed_path("000")) {
        print_message("skipped: " SHARED_DIR "/seeds not found (run from the repository root)\n");
        skip();
    }
    static const char *const seeds[] = {"000", "001", "002", "003", "004"};
    size_t checked = 0;
    for (int s = 0; s < 5; s++) {
        size_t len;
        char *raw = read_file(seed_path(seeds[s]), &len);
        assert_non_null(raw);
        doppel_extract_result r = run(raw, len);
        for (size_t i = 0; i < sizeof article / sizeof *article; i++) {
            if (strcmp(article[i].seed, seeds[s])) continue;
            if (!strstr(r.text, article[i].phrase))
                fail_msg("seed %s: article paragraph at line %d lost (\"%s\")", seeds[s],
                         article[i].line, article[i].phrase);
            checked++;
        }
        for (size_t i = 0; i < sizeof chrome / sizeof *chrome; i++) {
            if (strcmp(chrome[i].seed, seeds[s])) continue;
            if (strstr(r.text, chrome[i].phrase))
                fail_msg("seed %s: chrome kept (\"%s\")", seeds[s], chrome[i].phrase);
        }
        if (s <= 1) {
            /* Front matter became metadata; title from pageTitle, the date. */
            assert_non_null(r.title);
            assert_string_equal(r.title, "Russian foreign minister praises ties with North Korea");
            assert_non_null(r.date);
            assert_string_equal(r.date, s == 0 ? "2023-11-15T20:53:09.844Z"
                                               : "2024-12-23T20:53:09.844Z");
            assert_non_null(r.description);
            assert_non_null(strstr(r.description, "week-long diplomatic mission to Pyongyang."));
            assert_int_equal(r.format, DOPPEL_FORMAT_MARKDOWN);
            /* Link syntax became its text. */
            assert_has(r, "qualitatively new strategic level.” NBC Washington Times");
        }
        assert_int_equal(r.flags & DOPPEL_EXTRACT_EMPTY, 0);
        free(raw);
    }
    assert_int_equal(checked, sizeof article / sizeof *article);
}

/* --explain names each dropped line of 003 with a reason. */
static void test_seed_explain(void **state) {
    (void)state;
    const char *p = seed_path("003");
    if (!p) skip();
    size_t len;
    char *raw = read_file(p, &len);
    opt.explain = 1;
    doppel_extract_result r = run(raw, len);
    opt.explain = 0;
    int nav = 0, prompt = 0, advert = 0, teaser = 0;
    for (size_t i = 0; i < r.num_dropped; i++) {
        const doppel_dropped_line *d = &r.dropped[i];
        assert_non_null(d->text);
        nav += d->reason == DOPPEL_DROP_NAVIGATION && d->line == 1;
        prompt += d->reason == DOPPEL_DROP_PROMPT;
        advert += d->reason == DOPPEL_DROP_ADVERT && d->line == 31;
        teaser += d->reason == DOPPEL_DROP_TEASER;
    }
    assert_int_equal(nav, 1);
    assert_int_equal(advert, 1);
    assert_true(prompt >= 3);
    assert_true(teaser >= 30);
    assert_int_equal(r.lines_dropped, r.num_dropped);
    free(raw);
}

/* ---- Markdown ------------------------------------------------------------- */

static const char *const prose =
    "The committee met on Tuesday to discuss the budget for the coming year, and its members "
    "agreed that the school would need more teachers before the autumn term begins.";
static const char *const prose2 =
    "Parents who spoke at the meeting asked why the library had been closed for most of the "
    "winter, and the head teacher promised an answer by the end of the month.";
static const char *const prose3 =
    "In the end the vote was unanimous, although two members said they would have preferred "
    "to wait for the final figures from the county before making any decision at all.";

/* dp_lower_words, byte by byte as its contract states it. */
static size_t lower_words_ref(const unsigned char *s, size_t len, char *o) {
    size_t n = 0;
    o[n++] = ' ';
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (c >= 'A' && c <= 'Z') c = (unsigned char)(c + 32);
        else if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) c = ' ';
        if (c != ' ' || o[n - 1] != ' ') o[n++] = (char)c;
    }
    if (o[n - 1] != ' ') o[n++] = ' ';
    return n;
}

/* The vector paths of dp_lower_words (64 bytes at a time with AVX-512
 * where the CPU has it; 16 at a time where no two spaces meet) and its
 * byte loop agree with the contract: random text of every length around
 * the chunks, rich in punctuation, spaces, capitals and UTF-8 bytes. */
static void test_lower_words(void **state) {
    (void)state;
    static const char alphabet[] = "aZ9 ,.'-\n\t\x01\x7f\xc3\xa9\xe2\x80\x99Mm";
    unsigned char in[200];
    char got[sizeof in + 2], want[sizeof in + 2];
    uint64_t x = 88172645463325252ull;
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)round % sizeof in;
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;  /* xorshift64 */
            /* Mostly letters, so that some chunks hold no double space. */
            in[i] = x % 4 ? (unsigned char)('a' + (x >> 8) % 26)
                          : (unsigned char)alphabet[(x >> 8) % (sizeof alphabet - 1)];
        }
        size_t m = lower_words_ref(in, len, want);
        for (int k = 0; k < 2; k++) {
            size_t n = k ? dp_lower_words_portable((const char *)in, len, got)
                         : dp_lower_words((const char *)in, len, got);
            if (n != m || memcmp(got, want, n))
                fail_msg("round %d (length %zu, %s): \"%.*s\" != \"%.*s\"", round, len,
                         k ? "portable" : "chosen", (int)n, got, (int)m, want);
        }
    }
}

/* lines_kept and lines_dropped count the source lines of the kept and
 * dropped blocks (text and Markdown readers note them as they join lines;
 * other blocks are counted): every kept line is a non-empty line of the
 * text, every dropped one an entry of the explain list. Random documents
 * of prose, headlines, wrapped lines, list items, fences, CRLF and blank
 * lines, in every format. */
static void test_line_counts(void **state) {
    (void)state;
    static const char *const pieces[] = {
        "The council said on Tuesday that the new bridge would open in the spring.",
        "and residents of the valley were asked to comment before the work began",
        "Subscribe to our newsletter", "Market Report After Storm", "", "   ", "\r",
        "- an item of a list", "# A Heading", "```", "<p>a paragraph of html</p>",
        "it is not clear how much the project will cost, but officials expect it to rise",
        "Copyright 2024 Acme. All rights reserved.", "---", "title: x", NULL};
    size_t np = 0;
    while (pieces[np]) np++;
    doppel_extractor *lx;
    doppel_error err;
    assert_int_equal(doppel_extractor_new(&lx, &err), DOPPEL_OK);
    uint64_t x = 0x2545F4914F6CDD1Dull;
    char doc[2048];
    size_t joined = 0;
    for (int round = 0; round < 3000; round++) {
        size_t len = 0, lines = 1 + (size_t)round % 24;
        for (size_t i = 0; i < lines; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            const char *t = pieces[x % np];
            size_t n = strlen(t);
            memcpy(doc + len, t, n);
            len += n;
            if (x >> 32 & 1) doc[len++] = '\r';
            doc[len++] = '\n';
        }
        doppel_extract_options o;
        doppel_extract_options_default(&o);
        o.explain = 1;
        o.format = (doppel_extract_format)(round % 4);
        o.front_matter = round % 8 < 4;
        doppel_extract_result r;
        if (doppel_extract(lx, doc, len, &o, &r, &err) != DOPPEL_OK) continue;
        size_t kept = 0;
        for (size_t i = 0; i < r.text_len; i++)
            kept += r.text[i] != '\n' && (i == 0 || r.text[i - 1] == '\n');
        if (r.lines_kept != kept || r.lines_dropped != r.num_dropped)
            fail_msg("round %d: lines kept %zu (text %zu), dropped %zu (listed %zu) in \"%.*s\"",
                     round, r.lines_kept, kept, r.lines_dropped, r.num_dropped, (int)len, doc);
        for (size_t i = 0; i + 1 < r.text_len; i++) joined += r.text[i] != '\n' && r.text[i + 1] == '\n';
    }
    if (!joined) fail_msg("no kept text: the counts were not tested");
    doppel_extractor_free(lx);
}

/* dp_is_legal_text, on a block's own bytes (64 at a time with AVX-512
 * where the CPU has it), answers as dp_is_legal does on the block's
 * lower_words form: random texts of legal words in any case, their
 * prefixes and extensions, glued to digits, UTF-8 and punctuation, at
 * every length around the 64-byte chunks. */
static void test_legal_text(void **state) {
    (void)state;
    static const char *const legal_tokens[] = {
        "copyright", "Copyright", "COPYRIGHTED", "rights", "Reserved", "prohibited",
        "redistribution", "republication", "rewritten", "broadcast", "terms", "Privacy",
        "policy", "warranty", "warranties", "liability", "trademark", "trademarks", NULL};
    static const char *const other_tokens[] = {
        "copyrigh", "rightsx", "terms2", "reserve", "polic", "the", "of", "report", "a", "co",
        "re", "\xc3\xa9", "\xc2\xa9", "\xe2\x80\x99", "2024", NULL};
    static const char *const separators[] = {" ", " ", " ", ", ", ". ", "'", "-", "\n", "", NULL};
    size_t nlegal = 0, nother = 0, nsep = 0;
    while (legal_tokens[nlegal]) nlegal++;
    while (other_tokens[nother]) nother++;
    while (separators[nsep]) nsep++;
    char in[400], words[sizeof in + 2 + PHRASE_PAD];
    uint64_t x = 0x9E3779B97F4A7C15ull;
    int legal = 0;
    for (int round = 0; round < 30000; round++) {
        size_t want_len = (size_t)round % 300, len = 0;
        uint32_t written = 0;  /* legal words after a separator that ends a word */
        int at_start = 1;
        while (len < want_len) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;  /* xorshift64 */
            /* A legal word one time in eight, then a separator. */
            const char *t = x % 8 ? other_tokens[(x >> 8) % nother]
                                  : legal_tokens[(x >> 8) % nlegal];
            const char *sep = separators[(x >> 24) % nsep];
            size_t n = strlen(t), m = strlen(sep);
            if (len + n + m > sizeof in) break;
            memcpy(in + len, t, n);
            memcpy(in + len + n, sep, m);
            len += n + m;
            /* A legal token is a word of its own after a separator but
             * "" (and the token before it then ends at it: t has no
             * letters after the separators " ,.'-\n" either way). */
            written += at_start && !(x % 8);
            at_start = m > 0;
        }
        size_t n = dp_lower_words(in, len, words);
        memset(words + n, 0, PHRASE_PAD);  /* the NUL bytes phrases.h asks for */
        int want = dp_is_legal(words, n);
        legal += want;
        /* The count's pass rules out legal text only where it is none,
         * and counts every legal word this round wrote at a word start. */
        dp_words wl, wp;
        uint32_t starts = dp_count_words_legal(in, len, dp_legal_filter(), &wl);
        dp_count_words_portable(in, len, &wp);
        if (memcmp(&wl, &wp, sizeof wl)) fail_msg("round %d: word counts differ", round);
        if (starts < 3 && want) fail_msg("round %d: %u starts, legal \"%.*s\"", round, starts, (int)len, in);
        if (starts != UINT32_MAX && starts < written)
            fail_msg("round %d: %u starts < %u legal words in \"%.*s\"", round, starts, written,
                     (int)len, in);
        for (int k = 0; k < 2; k++) {
            int got = k ? dp_is_legal_text_portable(in, len) : dp_is_legal_text(in, len);
            if (got != want)
                fail_msg("round %d (%s): %d != %d for \"%.*s\"", round,
                         k ? "portable" : "chosen", got, want, (int)len, in);
        }
    }
    if (legal < 1000 || legal > 29000) fail_msg("%d of 30000 legal: both answers tested?", legal);
    static const struct { const char *text; int legal; } cases[] = {
        {"Redistribution, republication or broadcast is prohibited.", 1},
        {"REDISTRIBUTION (republication) and\nbroadcast", 1},
        {"The rights and terms of the agreement were in dispute.", 1},
        {"The rights and terms of the deal were in dispute.", 0},
        {"rights rights terms terms", 0},
        {"Copyrights, rightsholders and broadcasters", 0},
        {"copyright2024 rights reserved", 0},
        {"rights reserved \xc2\xa9" "copyright", 0},
        {"rights reserved copyright\xc2\xa9", 0},
        {"rights reserved copyright", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        for (int k = 0; k < 2; k++) {
            const char *t = cases[i].text;
            int got = k ? dp_is_legal_text_portable(t, strlen(t)) : dp_is_legal_text(t, strlen(t));
            if (got != cases[i].legal) fail_msg("\"%s\": %d", t, got);
        }
}

/* A word as dp_count_words defines it: a run of ASCII letters and digits
 * and non-ASCII bytes but 0xE2, which starts UTF-8 general punctuation
 * (0xE2 0x80/0x81 ..., the quotes and dashes) and is a word byte before
 * anything else. An apostrophe, ' or ’, after the start of a word and
 * before an ASCII letter or digit is inside it. */
static int ref_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}
static int ref_punct(const unsigned char *s, size_t len, size_t i) {
    return s[i] == 0xE2 && i + 1 < len && (s[i + 1] == 0x80 || s[i + 1] == 0x81);
}
static size_t ref_word_end(const unsigned char *s, size_t len, size_t start) {
    size_t i = start;
    while (i < len) {
        if (ref_alnum(s[i]) || (s[i] >= 0x80 && !ref_punct(s, len, i))) i++;
        else if (s[i] == '\'' && i > start && i + 1 < len && ref_alnum(s[i + 1])) i++;
        else if (ref_punct(s, len, i) && s[i + 1] == 0x80 && i + 3 < len && s[i + 2] == 0x99 &&
                 i > start && ref_alnum(s[i + 3]))
            i += 3;
        else break;
    }
    return i;
}

/* The stopwords among the words test_count_words builds its texts of. */
static int ref_stopword(const unsigned char *w, size_t n) {
    static const char *const stop[] = {"the", "a", "of", "and", "although", "f\xc3\xbcr",
                                       "\xc3\xa9t\xc3\xa9", "n\xc3\xa3o", "it", NULL};
    char low[64];
    if (n >= sizeof low) return 0;
    for (size_t i = 0; i < n; i++) low[i] = (char)(w[i] >= 'A' && w[i] <= 'Z' ? w[i] + 32 : w[i]);
    for (int k = 0; stop[k]; k++)
        if (strlen(stop[k]) == n && !memcmp(low, stop[k], n)) return 1;
    return 0;
}

static dp_words count_words_ref(const unsigned char *s, size_t len) {
    dp_words w = {0};
    uint32_t digits = 0;
    for (size_t i = 0; i < len;) {
        if (s[i] < 0x80 && !ref_alnum(s[i])) { i++; continue; }
        if (ref_punct(s, len, i)) { i++; continue; }  /* the continuation bytes are a word */
        size_t e = ref_word_end(s, len, i);
        int upper = s[i] >= 'A' && s[i] <= 'Z', stop = ref_stopword(s + i, e - i);
        w.words++;
        w.capitalized += (uint32_t)upper;
        w.stopwords += (uint32_t)stop;
        w.lower_stop += (uint32_t)(stop && !upper);
        w.letters += (uint32_t)(e - i);
        for (; i < e; i++) digits += s[i] >= '0' && s[i] <= '9';
    }
    w.letters = digits >= w.letters ? 0 : w.letters - digits;
    return w;
}

/* dp_count_words (64-byte windows of bit masks where it can, a byte scan
 * where it must), with and without the AVX-512 path it picks at run time,
 * agrees with the definition on random texts of words, stopwords in
 * several cases, apostrophes, UTF-8 punctuation and stray bytes, of every
 * length up to several windows. */
static void test_count_words(void **state) {
    (void)state;
    static const char *const words[] = {
        "the", "The", "THE", "a", "A", "of", "and", "although", "Although", "althoughs",
        "f\xc3\xbcr", "F\xc3\x9cR", "\xc3\xa9t\xc3\xa9", "n\xc3\xa3o", "it", "It", "report",
        "Minister", "na\xc3\xafve", "2024", "3.5", "\xe2\x82\xac" "5", "don't",
        "Russia\xe2\x80\x99s", "data-driven", "extraordinarily",
        "Abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz", NULL};
    static const char *const seps[] = {" ", " ", " ", "  ", ", ", ". ", "'", "\xe2\x80\x99",
                                       "\xe2\x80\x9c", "\xe2\x80\x94", "\n", "\t", "-", "\xff",
                                       "\xc3\xa9", "\xe2", "\xe2\x82", NULL};
    size_t nwords = 0, nseps = 0;
    while (words[nwords]) nwords++;
    while (seps[nseps]) nseps++;
    unsigned char in[400];
    uint64_t x = 88172645463325252ull;
    for (int round = 0; round < 20000; round++) {
        size_t len = 0, want_len = (size_t)round % 300;
        while (len < want_len) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;  /* xorshift64 */
            const char *t = x % 3 ? words[(x >> 8) % nwords] : seps[(x >> 8) % nseps];
            size_t n = strlen(t);
            if (len + n > sizeof in) break;
            memcpy(in + len, t, n);
            len += n;
        }
        dp_words got[2], want = count_words_ref(in, len);
        dp_count_words((const char *)in, len, &got[0]);
        dp_count_words_portable((const char *)in, len, &got[1]);
        for (int k = 0; k < 2; k++)
            if (memcmp(&got[k], &want, sizeof want))
                fail_msg("round %d, %s: \"%.*s\": words %u/%u stop %u/%u caps %u/%u "
                         "lower_stop %u/%u letters %u/%u", round, k ? "portable" : "chosen",
                         (int)len, (const char *)in, got[k].words, want.words,
                         got[k].stopwords, want.stopwords, got[k].capitalized,
                         want.capitalized, got[k].lower_stop, want.lower_stop, got[k].letters,
                         want.letters);
    }
}

/* The vector path of dp_count_words reads the apostrophe and ’ rules from
 * the bytes around each one, in windows of 52 bytes that read ahead into
 * the next; the portable path scans those words byte by byte. Random soups
 * of the bytes the rules look at (', 0xE2 0x80 0x99 and its parts, other
 * UTF-8, letters that make stopwords, digits, spaces), at every length over
 * several windows, count the same on both. */
static void test_count_words_soup(void **state) {
    (void)state;
    static const char *const bits[] = {
        "'", "\xe2", "\x80", "\x81", "\x99", "\xe2\x80\x99", "\xe2\x80\x9c", "\xe2\x82\xac",
        "\xc3\xa9", "a", "A", "t", "T", "h", "e", "i", "s", "o", "f", "n", "d", "0", "7", " ",
        " ", " ", ".", "-", "the", "The", "of", "and", "it", "\xc3\xa9t\xc3\xa9",
        "extraordinarily", NULL};
    size_t nbits = 0;
    while (bits[nbits]) nbits++;
    unsigned char in[800];
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (int round = 0; round < 20000; round++) {
        size_t len = 0, want_len = (size_t)round * 7 % 700;
        while (len < want_len) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;  /* xorshift64 */
            const char *t = bits[(x >> 8) % nbits];
            size_t n = strlen(t);
            if (len + n > sizeof in) break;
            memcpy(in + len, t, n);
            len += n;
        }
        dp_words got, want;
        dp_count_words((const char *)in, len, &got);
        dp_count_words_portable((const char *)in, len, &want);
        if (memcmp(&got, &want, sizeof want))
            fail_msg("round %d (length %zu): words %u/%u stop %u/%u caps %u/%u lower_stop "
                     "%u/%u letters %u/%u", round, len, got.words, want.words, got.stopwords,
                     want.stopwords, got.capitalized, want.capitalized, got.lower_stop,
                     want.lower_stop, got.letters, want.letters);
    }
}

/* Markdown is recognised by a heading or a code fence at the start of a
 * line; the same marks elsewhere in a line, or on the last byte, are text. */
static void test_detect_markdown_lines(void **state) {
    (void)state;
    static const struct { const char *doc; int md; } cases[] = {
        {"# Title\nsome text", 1},     {"text\n## Heading\nmore", 1},
        {"text\r\n### Heading", 1},    {"text\n###### six", 1},
        {"text\n####### seven", 0},     {"a #hashtag\nand ## this", 0},
        {"text\n#nospace", 0},          {"text\n#", 0},
        {"text\n# ", 1},                {"text\n##", 0},
        {"text\n```\ncode\n```", 1},  {"text\n``", 0},
        {"text\n```", 1},               {"x ``` y", 0},
        {"```", 1},                      {"#", 0},
        {"plain text\nwith lines\n", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        doppel_extract_result r = run_str(cases[i].doc);
        if ((r.format == DOPPEL_FORMAT_MARKDOWN) != cases[i].md)
            fail_msg("\"%s\": detected as %s", cases[i].doc, doppel_extract_format_name(r.format));
    }
}

/* The phrase tables match whole phrases at word starts: a marker with at
 * most two more words opens a teaser section, an advert or prompt phrase
 * makes its line chrome; a word that only shares their first letters, or
 * a line shorter than any phrase, is neither. */
static void test_phrase_tables(void **state) {
    (void)state;
    static const struct { const char *line; int reason; } cases[] = {
        {"Most Popular", DOPPEL_DROP_TEASER},
        {"Popular news today", DOPPEL_DROP_TEASER},
        {"Popular news from today", -DOPPEL_DROP_TEASER},
        {"Related", DOPPEL_DROP_TEASER},
        {"Relatedness", -DOPPEL_DROP_TEASER},
        {"You may also like", DOPPEL_DROP_TEASER},
        {"Advertisement", DOPPEL_DROP_ADVERT},
        {"Adver", -DOPPEL_DROP_ADVERT},
        {"Ad", -DOPPEL_DROP_ADVERT},
        {"Sign in", DOPPEL_DROP_PROMPT},
        {"Sig", -DOPPEL_DROP_PROMPT},
    };
    char doc[4096];
    opt.explain = 1;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        snprintf(doc, sizeof doc, "%s\n\n%s\n\n%s\n\n%s\n", prose, cases[i].line, prose2,
                 prose3);
        doppel_extract_result r = run_str(doc);
        int reason = DOPPEL_DROP_NONE;
        for (size_t k = 0; k < r.num_dropped; k++)
            if (!strcmp(r.dropped[k].text, cases[i].line)) reason = r.dropped[k].reason;
        if (cases[i].reason >= 0 ? reason != cases[i].reason : reason == -cases[i].reason)
            fail_msg("\"%s\": reason %s", cases[i].line, doppel_drop_reason_name(reason));
    }
    opt.explain = 0;
}

/* The HTML parser moves text misplaced inside a table before the table
 * ("foster parenting"), so blocks can come out of source order; the dropped
 * lines are still listed in input order (a fuzzer found them reversed). */
static void test_dropped_in_input_order(void **state) {
    (void)state;
    const char *doc =
        "<html><body>\n<table>\n<tr><td>Home</td></tr>\n<tr><td>News</td></tr>\n\n"
        "Share this\n</table>\n<p>The harbour authority said on Thursday that the new "
        "breakwater would protect the old town from winter storms, and that work on it would "
        "begin in the spring after a decade of planning and debate.</p>\n</body></html>\n";
    opt.explain = 1;
    opt.format = DOPPEL_FORMAT_HTML;
    doppel_extract_result r = run_str(doc);
    assert_true(r.num_dropped >= 2);
    int home = -1, share = -1;
    for (size_t k = 0; k < r.num_dropped; k++) {
        if (k) assert_true(r.dropped[k].line >= r.dropped[k - 1].line);
        if (!strcmp(r.dropped[k].text, "Home")) home = (int)k;
        if (!strcmp(r.dropped[k].text, "Share this")) share = (int)k;
    }
    assert_true(home >= 0 && share > home);
    assert_true(r.dropped[share].line > r.dropped[home].line);
    opt.explain = 0;
    opt.format = DOPPEL_FORMAT_AUTO;
}

/* A numeric character reference beyond 32 bits: libgumbo turned it into a
 * stray byte, libxml2 drops it. Either way the text and the title must be
 * valid UTF-8 and the words around the reference kept (U+FFFD, or nothing,
 * where it was). */
static void test_overflowing_char_ref(void **state) {
    (void)state;
    const char *doc =
        "<html><head><title>Storm &#x1F600CCCCCCCCCCCCCCCCCCCCC; warning</title></head><body>"
        "<p>The harbour authority said on Thursday &#x1F600CCCCCCCCCCCCCCCCCCCCCCCCC; that the "
        "new breakwater would protect the old town from winter storms, and that work on it "
        "would begin in the spring after a decade of planning and debate.</p></body></html>";
    opt.format = DOPPEL_FORMAT_HTML;
    doppel_extract_result r = run_str(doc);
    assert_true(strstr(r.text, "Thursday \xEF\xBF\xBD that") || strstr(r.text, "Thursday that"));
    assert_int_equal(dp_utf8_first_invalid(r.text, r.text_len), r.text_len);
    assert_non_null(r.title);
    assert_int_equal(dp_utf8_first_invalid(r.title, strlen(r.title)), strlen(r.title));
    assert_true(!strncmp(r.title, "Storm ", 6) && strstr(r.title, " warning"));
    opt.format = DOPPEL_FORMAT_AUTO;
}

static void test_markdown_inline(void **state) {
    (void)state;
    char doc[4096];
    snprintf(doc, sizeof doc,
             "# The *budget* meeting\n\n"
             "%s See [the minutes](http://example.org/m \"title\") and [[PDF](http://x.org/a.pdf)] "
             "for **all** the _details_, with `code` and snake_case intact.\n\n"
             "![a photo](http://example.org/p.jpg)\n\n"
             "```\nint main(void) { return 0; }\n```\n\n"
             "%s Also <span class=\"x\">inline html</span> and a reference [link][1].\n\n"
             "[1]: http://example.org/ref\n",
             prose, prose2);
    opt.explain = 1;
    doppel_extract_result r = run_str(doc);
    opt.explain = 0;
    assert_int_equal(r.format, DOPPEL_FORMAT_MARKDOWN);
    assert_has(r, "See the minutes and PDF for all the details, with code and snake_case intact.");
    assert_has(r, "int main(void) { return 0; }");
    assert_has(r, "Also inline html and a reference link.");
    assert_lacks(r, "photo");
    assert_lacks(r, "http");
    assert_lacks(r, "```");
    assert_string_equal(r.title, "The budget meeting");
    int markup = 0;
    for (size_t i = 0; i < r.num_dropped; i++) markup += r.dropped[i].reason == DOPPEL_DROP_MARKUP;
    assert_true(markup >= 4);  /* image line, two fences, the reference definition */
}

/* Hard-wrapped paragraphs are joined for scoring but keep their lines. */
static void test_wrapped_text(void **state) {
    (void)state;
    const char *doc =
        "Menu | News | Sport | Weather\n\n"
        "The committee met on Tuesday to discuss the budget for the\n"
        "coming year, and its members agreed that the school would need\n"
        "more teachers before the autumn term begins next September.\n";
    doppel_extract_result r = run_str(doc);
    assert_has(r, "budget for the\ncoming year");
    assert_lacks(r, "Menu");
    assert_int_equal(r.lines_kept, 3);
}

/* A first line that is empty once trimmed (a form feed, a lone tag in
 * Markdown) adds no block; the reader must not look at "the last block". */
static void test_empty_first_line(void **state) {
    (void)state;
    static const char *const docs[] = {"\f\nThe committee met on Tuesday.\n",
                                       "\r\r\nThe committee met on Tuesday.\n",
                                       "<b> \nThe committee met on Tuesday.\n"};
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        for (int md = 0; md < 2; md++) {
            doppel_extract_options o = opt;
            o.format = md ? DOPPEL_FORMAT_MARKDOWN : DOPPEL_FORMAT_TEXT;
            doppel_extract_result r;
            assert_int_equal(doppel_extract(ex, docs[i], strlen(docs[i]), &o, &r, NULL), DOPPEL_OK);
            assert_non_null(strstr(r.text, "The committee met on Tuesday."));
        }
    }
}

/* ---- HTML ----------------------------------------------------------------- */

static void test_html(void **state) {
    (void)state;
    char doc[8192];
    snprintf(doc, sizeof doc,
             "<!DOCTYPE html><html><head><title>Budget meeting - The Town Paper</title>"
             "<meta property=\"og:title\" content=\"Budget meeting ends in agreement\">"
             "<meta property=\"article:published_time\" content=\"2024-03-05T10:00:00Z\">"
             "<meta name=\"description\" content=\"The committee agreed.\">"
             "<link rel=\"canonical\" href=\"https://paper.example/budget\">"
             "<script>var x = '<p>not text</p>';</script><style>p{color:red}</style></head>"
             "<body><nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>"
             "<header><h1>Budget meeting ends in agreement</h1></header>"
             "<article><p>%s</p><p>It was the <b>first</b> meeting&nbsp;of the year &amp; "
             "the longest, and %s</p>"
             "<div class=\"share-buttons\">Share on Facebook Share on X</div>"
             "<p>%s<br>A second line of the same paragraph follows the break here.</p></article>"
             "<aside><p>Related: other budget stories from our archive and elsewhere</p></aside>"
             "<footer>Copyright 2024 The Town Paper. All rights reserved.</footer>"
             "</body></html>",
             prose, prose2, prose3);
    opt.explain = 1;
    doppel_extract_result r = run_str(doc);
    opt.explain = 0;
    assert_int_equal(r.format, DOPPEL_FORMAT_HTML);
    assert_string_equal(r.title, "Budget meeting ends in agreement");
    assert_string_equal(r.date, "2024-03-05T10:00:00Z");
    assert_string_equal(r.description, "The committee agreed.");
    assert_string_equal(r.url, "https://paper.example/budget");
    assert_has(r, "It was the first meeting of the year & the longest");
    assert_has(r, "at all.\nA second line");
    assert_lacks(r, "not text");
    assert_lacks(r, "color");
    assert_lacks(r, "Home");
    assert_lacks(r, "Share on");
    assert_lacks(r, "Related");
    assert_lacks(r, "Copyright");
    int element = 0;
    for (size_t i = 0; i < r.num_dropped; i++) element += r.dropped[i].reason == DOPPEL_DROP_ELEMENT;
    assert_true(element >= 4);  /* nav, header, share div, aside, footer */
}

static void test_broken_html(void **state) {
    (void)state;
    char doc[4096];
    snprintf(doc, sizeof doc,
             "<html><body><div><p>%s<b>bold <i>both</b> italic</i></span></table>"
             "<p>%s</td></tr><li>stray item<div><p>unclosed to the end %s",
             prose, prose2, prose3);
    doppel_extract_result r = run_str(doc);
    assert_true(r.flags & DOPPEL_EXTRACT_HTML_REPAIRED);
    assert_has(r, "bold both italic");
    assert_has(r, "unclosed to the end In the end");
    /* Garbage that is not HTML at all, forced through the HTML reader. */
    opt.format = DOPPEL_FORMAT_HTML;
    r = run_str("<<<>>></<//a <!-- never closed <script> x < y");
    opt.format = DOPPEL_FORMAT_AUTO;
    assert_int_equal(r.format, DOPPEL_FORMAT_HTML);
}

static void test_charset_windows1252(void **state) {
    (void)state;
    /* “Café” in windows-1252: 0x93 Caf 0xE9 0x94, and a euro sign 0x80. */
    char doc[2048];
    snprintf(doc, sizeof doc,
             "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
             "charset=windows-1252\"></head><body><p>The \x93" "Caf\xe9\x94 on the corner "
             "raised its prices to 3\x80 a cup this week, and the owner said that the rent had "
             "gone up again for the third time in two years.</p></body></html>");
    doppel_extract_result r = run_str(doc);
    assert_true(r.flags & DOPPEL_EXTRACT_CHARSET_CONVERTED);
    assert_has(r, "The \xe2\x80\x9c" "Caf\xc3\xa9\xe2\x80\x9d on the corner");
    assert_has(r, "3\xe2\x82\xac a cup");

    /* latin-1 declared but UTF-8 served: left alone. */
    r = run_str("<html><head><meta charset=\"iso-8859-1\"></head><body><p>The Caf\xc3\xa9 on the "
                "corner raised its prices again this week, and the owner said that the rent had "
                "gone up for the third time.</p></body></html>");
    assert_int_equal(r.flags & DOPPEL_EXTRACT_CHARSET_CONVERTED, 0);
    assert_has(r, "Caf\xc3\xa9 on");

    /* Another charset: passed through, flagged. */
    r = run_str("<html><head><meta charset=\"shift_jis\"></head><body><p>text</p></body></html>");
    assert_true(r.flags & DOPPEL_EXTRACT_CHARSET_UNKNOWN);
}

/* ---- bad input ---------------------------------------------------------------- */

static void test_unclosed_front_matter(void **state) {
    (void)state;
    char doc[2048];
    snprintf(doc, sizeof doc, "---\ntitle: Never closed\ndate: 2024-01-01\n\n%s\n\n%s\n", prose,
             prose2);
    doppel_extract_result r = run_str(doc);
    assert_true(r.flags & DOPPEL_EXTRACT_FM_UNCLOSED);
    assert_null(r.date);
    assert_has(r, "The committee met on Tuesday");
}

static void test_non_yaml_front_matter(void **state) {
    (void)state;
    char doc[2048];
    snprintf(doc, sizeof doc,
             "---\nThis opening rule is followed by an ordinary sentence, not YAML.\n"
             "And another ordinary line of text here.\n---\n\n%s\n", prose);
    doppel_extract_result r = run_str(doc);
    assert_true(r.flags & DOPPEL_EXTRACT_FM_NOT_YAML);
    assert_null(r.date);
    assert_has(r, "The committee met on Tuesday");
    /* Quoted values, folded lines, nested maps and a block scalar. */
    r = run_str("---\ntitle: \"A \\\"quoted\\\" title\" # comment\nauthor:\n  name: x\n"
                "  title: nested, ignored\ndescription: >-\n  folded over\n  two lines\n"
                "url: 'https://example.org/it''s'\n---\nBody.\n");
    assert_string_equal(r.title, "A \"quoted\" title");
    assert_string_equal(r.description, "folded over two lines");
    assert_string_equal(r.url, "https://example.org/it's");
}

static void test_binary(void **state) {
    (void)state;
    char buf[4096];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (char)(i % 7 ? i * 31 : 0);
    doppel_extract_result r;
    doppel_error err = {0};
    assert_int_equal(doppel_extract(ex, buf, sizeof buf, &opt, &r, &err), DOPPEL_ERR_FORMAT);
    assert_non_null(strstr(err.message, "binary"));
    /* One stray NUL in a text is not binary. */
    char doc[1024];
    snprintf(doc, sizeof doc, "%s %s %s", prose, prose, prose);
    doc[50] = '\0';
    assert_int_equal(doppel_extract(ex, doc, strlen(prose) * 3 + 2, &opt, &r, &err), DOPPEL_OK);
}

static void test_all_boilerplate(void **state) {
    (void)state;
    doppel_extract_result r = run_str("Home | News | Sport | Weather\n\nSubscribe now\n\n"
                                      "- Advertisement -\n\nShare on Facebook\n\n12\n");
    assert_int_equal(r.text_len, 0);
    assert_string_equal(r.text, "");
    assert_true(r.flags & DOPPEL_EXTRACT_EMPTY);
    r = run_str("");
    assert_true(r.flags & DOPPEL_EXTRACT_EMPTY);
    /* A lone line has no page around it: a headline that mentions sign-in
     * or subscribers is the document, not a prompt. */
    r = run_str("Titanfall launch hindered by Xbox Live sign-in issues\n");
    assert_string_equal(r.text, "Titanfall launch hindered by Xbox Live sign-in issues");
    r = run_str("Comcast/Sony deal lets Comcast subscribers watch Netflix shows");
    assert_true(r.text_len > 0);
}

/* A prompt phrase in reported prose is news ("steals login credentials",
 * "cts per share on revenues"); the same phrase in a label, an address to
 * the reader, an imperative or a legal footer is chrome. */
static void test_prompt_phrases_in_prose(void **state) {
    (void)state;
    char doc[8192];
    snprintf(doc, sizeof doc,
             "%s\n\nOnce installed, the software steals login credentials for online games.\n\n"
             "Cenergy Corp reported net income of 790,000 dlrs or seven cts per share on "
             "revenues of 7.7 mln dlrs.\n\n"
             "Hansbrough would be the first to agree, even as he bangs his way to history.\n\n"
             "Subscriptions to 300 mln guilders were met in full, amounts above 300 mln at 50 "
             "pct.\n\nThe court barred copyright infringement by the resellers.\n\n%s\n\n"
             "Sign up for the Morning Brief newsletter.\n\n"
             "By clicking Sign In, you agree to our Terms of Use and Privacy Policy.\n\n"
             "Be the first to comment.\n\n"
             "Copyright 2014 The Associated Press. All rights reserved.\n\n"
             "The full article is available to subscribers.\n\n"
             "All content copyright Acme News unless otherwise stated.\n\n"
             "Acme News. Terms of use. Privacy policy.\n\n"
             "Share on Facebook Share on X\n",
             prose, prose2);
    doppel_extract_result r = run_str(doc);
    assert_has(r, "steals login credentials");
    assert_has(r, "cts per share on revenues");
    assert_has(r, "would be the first to agree");
    assert_has(r, "Subscriptions to 300 mln guilders");
    assert_lacks(r, "Morning Brief");
    assert_lacks(r, "By clicking");
    assert_lacks(r, "Be the first to comment");
    assert_lacks(r, "All rights reserved");
    assert_lacks(r, "Share on");
    assert_lacks(r, "available to subscribers");
    assert_lacks(r, "All content copyright");
    assert_lacks(r, "Terms of use");
    assert_has(r, "copyright infringement by the resellers");
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_huge(void **state) {
    (void)state;
    size_t plen = strlen(prose);
    size_t n = (8u << 20) / (plen + 16);
    char *big = malloc(n * (plen + 16) + 64);
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        len += (size_t)sprintf(big + len, "%zu: %s\n\n", i, prose);
    }
    double t0 = now();
    doppel_extract_result r = run(big, len);
    assert_true(r.text_len > len / 2);
    /* One 8 MiB line of brackets and ticks: the inline scans must stay linear. */
    for (size_t i = 0; i < len; i++) big[i] = "[`<!]"[i % 5 == 0 ? 0 : i % 9 == 0 ? 1 : 2 + i % 3];
    memcpy(big, "# ", 2);
    opt.format = DOPPEL_FORMAT_MARKDOWN;
    run(big, len);
    /* A deep HTML nest. */
    len = 0;
    for (size_t i = 0; i < 200000; i++) memcpy(big + len, "<div>", 5), len += 5;
    memcpy(big + len, prose, plen), len += plen;
    opt.format = DOPPEL_FORMAT_HTML;
    r = run(big, len);
    opt.format = DOPPEL_FORMAT_AUTO;
    double dt = now() - t0;
    print_message("huge inputs: %.2f s\n", dt);
    assert_true(dt < 30.0);  /* generous for sanitizer builds; ~0.5 s optimized */
    free(big);
}

static void test_options(void **state) {
    (void)state;
    doppel_extract_options bad = opt;
    bad.stopwords_low = 0.9;
    doppel_extract_result r;
    doppel_error err = {0};
    assert_int_equal(doppel_extract(ex, "x", 1, &bad, &r, &err), DOPPEL_ERR_ARG);
    /* boilerplate off keeps everything; front matter off keeps it as text. */
    opt.boilerplate = 0;
    r = run_str("Subscribe now\n\nShort.\n");
    assert_has(r, "Subscribe now\n\nShort.");
    opt.boilerplate = 1;
    opt.front_matter = 0;
    opt.boilerplate = 0;
    r = run_str("---\ntitle: x\n---\nBody\n");
    assert_has(r, "title: x");
    assert_null(r.title == NULL ? NULL : strstr(r.title, "title"));
    opt.front_matter = 1;
    opt.boilerplate = 1;
    assert_string_equal(doppel_drop_reason_name(DOPPEL_DROP_TEASER), "teaser");
    assert_string_equal(doppel_extract_format_name(DOPPEL_FORMAT_HTML), "html");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeds),
        cmocka_unit_test(test_seed_explain),
        cmocka_unit_test(test_lower_words),
        cmocka_unit_test(test_legal_text),
        cmocka_unit_test(test_line_counts),
        cmocka_unit_test(test_count_words),
        cmocka_unit_test(test_count_words_soup),
        cmocka_unit_test(test_detect_markdown_lines),
        cmocka_unit_test(test_phrase_tables),
        cmocka_unit_test(test_markdown_inline),
        cmocka_unit_test(test_wrapped_text),
        cmocka_unit_test(test_empty_first_line),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_broken_html),
        cmocka_unit_test(test_charset_windows1252),
        cmocka_unit_test(test_unclosed_front_matter),
        cmocka_unit_test(test_non_yaml_front_matter),
        cmocka_unit_test(test_binary),
        cmocka_unit_test(test_all_boilerplate),
        cmocka_unit_test(test_prompt_phrases_in_prose),
        cmocka_unit_test(test_huge),
        cmocka_unit_test(test_options),
        cmocka_unit_test(test_dropped_in_input_order),
        cmocka_unit_test(test_overflowing_char_ref),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
