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
#include "base/internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* ======================================================================
 * Random numbers: splitmix64 for hashing (seed, document, purpose) into
 * independent streams, xoshiro256** within a stream.
 * ==================================================================== */

typedef struct rng {
    uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Purposes keep the streams of one document independent of each other. */
enum { P_KIND = 1, P_ORIGINAL, P_COPY, P_SITE };

static uint64_t hash3(uint64_t seed, uint64_t a, uint64_t b) {
    uint64_t x = seed;
    uint64_t h = splitmix64(&x);
    x = h ^ a;
    h = splitmix64(&x);
    x = h ^ b;
    return splitmix64(&x);
}

static void rng_seed(rng *r, uint64_t seed, uint64_t a, uint64_t b) {
    uint64_t x = hash3(seed, a, b);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(rng *r) {
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

static double rng_unit(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* Uniform in [0, n) by multiply-shift (bias below 2^-32, irrelevant here). */
static uint32_t rng_below(rng *r, uint32_t n) {
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static double rng_range(rng *r, double lo, double hi) { return lo + (hi - lo) * rng_unit(r); }

static int rng_chance(rng *r, double p) { return rng_unit(r) < p; }

/* ======================================================================
 * Vocabulary written for doppel
 * ==================================================================== */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const NOUNS[] = {
    "government", "minister", "report", "plan", "year", "week", "people", "city", "country",
    "company", "market", "price", "deal", "talks", "officials", "court", "police", "case",
    "council", "budget", "policy", "election", "vote", "law", "bill", "party", "leader",
    "agency", "group", "industry", "workers", "union", "strike", "project", "program",
    "system", "service", "network", "school", "students", "teachers", "hospital", "doctors",
    "patients", "health", "energy", "oil", "gas", "power", "water", "river", "port", "road",
    "bridge", "railway", "airport", "flights", "border", "troops", "army", "security",
    "attack", "investigation", "trial", "judge", "ruling", "appeal", "record", "team",
    "season", "match", "coach", "players", "fans", "stadium", "festival", "film", "album",
    "museum", "exhibition", "book", "author", "study", "researchers", "scientists", "data",
    "survey", "results", "growth", "economy", "inflation", "rates", "bank", "investors",
    "shares", "profits", "losses", "jobs", "wages", "taxes", "costs", "funding", "support",
    "crisis", "storm", "flooding", "fire", "drought", "heat", "weather", "climate",
    "emissions", "farmers", "crops", "food", "supply", "demand", "exports", "imports",
    "trade", "tariffs", "agreement", "summit", "meeting", "statement", "spokesperson",
    "residents", "community", "neighbourhood", "housing", "rent", "homes", "families",
    "children", "parents", "women", "men", "victims", "survivors", "witnesses", "lawyers",
    "committee", "board", "director", "chief", "mayor", "governor", "president", "region",
    "province", "district", "village", "coast", "island", "valley", "mountains", "forest",
    "software", "platform", "users", "devices", "phones", "batteries", "factory", "plant",
    "vehicles", "cars", "trains", "ships", "cargo", "fuel", "electricity", "grid", "wind",
    "solar", "nuclear", "vaccine", "virus", "cases", "treatment", "drug", "trial", "license",
    "permit", "contract", "tender", "auction", "lottery", "museum", "library", "church",
    "temple", "festival", "parade", "protest", "crowd", "rally", "campaign", "candidate",
    "poll", "survey", "figures", "quarter", "month", "decade", "history", "future", "risk",
    "warning", "decision", "changes", "reforms", "rules", "standards", "measures", "steps",
    "effort", "pressure", "concerns", "questions", "answers", "evidence", "documents",
    "letter", "interview", "speech", "visit", "tour", "delegation", "partners", "allies",
};

static const char *const ADJECTIVES[] = {
    "new", "old", "local", "national", "regional", "public", "private", "former", "major",
    "small", "large", "long", "short", "high", "low", "early", "late", "recent", "final",
    "first", "second", "third", "last", "next", "main", "key", "senior", "junior", "young",
    "strong", "weak", "rising", "falling", "higher", "lower", "wider", "broader", "open",
    "closed", "foreign", "domestic", "economic", "political", "social", "financial", "legal",
    "military", "medical", "technical", "digital", "rural", "urban", "coastal", "northern",
    "southern", "eastern", "western", "central", "annual", "monthly", "weekly", "daily",
    "official", "independent", "interim", "temporary", "permanent", "serious", "severe",
    "minor", "sharp", "steady", "slow", "rapid", "sudden", "unexpected", "controversial",
    "popular", "critical", "growing", "ongoing", "planned", "proposed", "delayed", "record",
    "historic", "modest", "massive", "costly", "cheap", "safe", "dangerous", "clean",
};

static const char *const VERBS_PAST[] = {
    "said", "announced", "reported", "confirmed", "denied", "approved", "rejected", "signed",
    "launched", "opened", "closed", "raised", "cut", "lowered", "increased", "reduced",
    "warned", "urged", "called", "asked", "agreed", "refused", "planned", "expected",
    "promised", "proposed", "backed", "criticised", "welcomed", "praised", "blamed",
    "accused", "charged", "arrested", "released", "found", "showed", "revealed", "suggested",
    "estimated", "predicted", "recorded", "reached", "passed", "missed", "won", "lost",
    "beat", "joined", "left", "visited", "met", "hosted", "held", "delayed", "postponed",
    "cancelled", "suspended", "resumed", "extended", "completed", "started", "began",
    "ended", "built", "bought", "sold", "paid", "spent", "invested", "borrowed", "hired",
    "fired", "replaced", "appointed", "elected", "chose", "named", "described", "explained",
    "argued", "insisted", "added", "noted", "stressed", "admitted", "claimed", "questioned",
    "reviewed", "examined", "tested", "checked", "blocked", "allowed", "required", "ordered",
};

static const char *const VERBS_BASE[] = {
    "build", "cut", "raise", "lower", "open", "close", "review", "change", "support",
    "replace", "reduce", "increase", "delay", "extend", "protect", "improve", "expand",
    "limit", "restore", "release", "approve", "block", "fund", "finish", "start", "end",
    "sell", "buy", "hire", "move", "return", "repair", "ban", "allow", "require", "test",
    "cover", "meet", "visit", "join", "leave", "sign", "launch", "host", "reach", "keep",
};

static const char *const PREPOSITIONS[] = {
    "in", "on", "at", "for", "with", "from", "to", "over", "after", "before", "near",
    "against", "across", "during", "without", "under", "between", "around", "behind", "into",
};

static const char *const DETERMINERS[] = {
    "the", "the", "the", "a", "its", "their", "this", "that", "another", "every",
};

static const char *const CONJUNCTIONS[] = {
    "and", "but", "while", "because", "after", "as", "although", "since", "when", "before",
};

static const char *const WEEKDAYS[] = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

static const char *const MONTHS[] = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
};

/* Time expressions that are not "on <weekday>"; short and common. */
static const char *const WHEN[] = {
    "last week", "this week", "last month", "earlier this year", "late last year",
    "for the first time", "in recent years", "at the same time", "this morning",
    "overnight", "so far", "next year",
};

static const char *const SAY[] = {
    "said", "said in a statement", "told reporters", "said on social media", "wrote",
    "told local media", "said at a briefing", "added",
};

/* Openers of a sentence about what may happen; kept varied and short so
 * unrelated articles do not share long runs through them. */
static const char *const DOUBTS[] = {
    "it is unclear whether", "some fear that", "critics doubt that", "few expect that",
    "analysts believe", "many hope that", "it is possible that", "observers expect",
    "residents worry that", "nobody knows whether", "insiders say", "some argue that",
};

static const char *const TITLES[] = {
    "Minister", "Mayor", "Governor", "Dr.", "Professor", "Judge", "Senator", "General",
    "chief executive", "spokesperson", "analyst", "economist", "coach", "director",
};

static const char *const ORG_KINDS[] = {
    "Institute", "Group", "Party", "Council", "Authority", "Bank", "Corporation", "Union",
    "Foundation", "Ministry", "Agency", "University", "Holdings", "Energy", "Airlines",
};

static const char *const SITE_SUFFIXES[] = {
    "News", "Times", "Daily", "Post", "Herald", "Gazette", "Tribune", "Chronicle",
    "Observer", "Wire", "Today", "Journal", "Courier", "Express", "Review", "Record",
};

/* Syllables for pseudo-words: onset + vowel + optional coda. */
static const char *const ONSETS[] = {
    "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z",
    "br", "dr", "gr", "kr", "tr", "st", "sl", "pl", "fl", "ch", "sh", "th", "", "",
};
static const char *const VOWELS[] = {
    "a", "e", "i", "o", "u", "a", "e", "o", "ai", "ou", "ei", "ia", "y",
};
static const char *const CODAS[] = {
    "", "", "", "", "n", "r", "l", "s", "m", "t", "k", "nd", "rt", "st", "v",
};

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

/* ======================================================================
 * The generator
 * ==================================================================== */

/* One generated article: text is "headline\n\nparagraph\n\nparagraph...". */
typedef struct article {
    doppel_buf text;
    size_t title_len;                 /* the headline is text[0, title_len) */
    size_t *para_off, *para_len;      /* body paragraphs */
    size_t num_paras, para_cap;
    size_t body_words;
    uint32_t topic, site;
    int64_t day;
} article;

/* A word of a text with the separator that follows it (for edits). */
typedef struct token {
    uint32_t off, len;
    uint32_t sep_off, sep_len;
} token;

/* Zipf draws over more items use the first ZIPF_MAX: among many topics, the
 * big ones are the first thousand. */
#define ZIPF_MAX 1024

typedef struct synth {
    doppel_synth_options opt;
    uint32_t topics;
    int id_digits;
    double kind_cum[DOPPEL_SYNTH_NUM_KINDS];  /* cumulative weights of copy kinds, 0..1 */
    article orig, alt;                        /* alt: an extra headline, related links */
    doppel_buf out, title, word, line;
    token *tokens;
    size_t token_cap;
    size_t *order;                            /* paragraph permutation */
    uint64_t *zipf_cdf[ZIPF_MAX + 1];         /* by list size, built on first use */
    size_t order_cap;
    char id[32], cluster[32], date[32], source[64];
    rng r;                                    /* the stream in use */
    int cap_next;                             /* capitalize the next word */
    size_t words;                             /* words written by put_word */
    doppel_status st;                         /* first allocation failure */
} synth;

/* ---- low-level writing --------------------------------------------------- */

static void put_raw(synth *g, doppel_buf *b, const char *s, size_t len) {
    if (g->st == DOPPEL_OK) g->st = dp_buf_append(b, s, len);
}

static void put_str(synth *g, doppel_buf *b, const char *s) { put_raw(g, b, s, strlen(s)); }

/* Append one word (or several, space separated), with a space before it
 * unless at the start of a line; capitalizes a sentence's first letter. */
static void put_word(synth *g, doppel_buf *b, const char *w, size_t len) {
    if (b->len && b->data[b->len - 1] != '\n') put_raw(g, b, " ", 1);
    size_t at = b->len;
    put_raw(g, b, w, len);
    if (g->cap_next && g->st == DOPPEL_OK && b->data[at] >= 'a' && b->data[at] <= 'z')
        b->data[at] = (char)(b->data[at] - 'a' + 'A');
    g->cap_next = 0;
    for (size_t i = 0; i < len; i++) g->words += (i == 0 || w[i - 1] == ' ') && w[i] != ' ';
}

static void put_cstr(synth *g, doppel_buf *b, const char *w) { put_word(g, b, w, strlen(w)); }

/* Punctuation attaches to the previous word. */
static void put_punct(synth *g, doppel_buf *b, char c) { put_raw(g, b, &c, 1); }

/* A pseudo-word from hash h into g->word: syllables, optionally capitalized. */
static const char *pseudo_word(synth *g, uint64_t h, int min_syl, int max_syl, int capital) {
    uint64_t x = h;
    int n = min_syl + (int)(splitmix64(&x) % (uint64_t)(max_syl - min_syl + 1));
    g->word.len = 0;
    for (int i = 0; i < n; i++) {
        uint64_t v = splitmix64(&x);
        put_str(g, &g->word, ONSETS[v % COUNT(ONSETS)]);
        put_str(g, &g->word, VOWELS[(v >> 16) % COUNT(VOWELS)]);
        if (i == n - 1 || (v >> 32) % 3 == 0) put_str(g, &g->word, CODAS[(v >> 40) % COUNT(CODAS)]);
    }
    if (g->st != DOPPEL_OK || g->word.len == 0) return "";
    if (capital && g->word.data[0] >= 'a' && g->word.data[0] <= 'z') g->word.data[0] -= 'a' - 'A';
    return g->word.data;
}

static const char *pick(rng *r, const char *const *list, size_t n) { return list[rng_below(r, (uint32_t)n)]; }

/* Index in [0, n) with P(k) proportional to 1/(k+1): Zipf's law. Tables of
 * cumulative weights are built once per size with plain IEEE arithmetic (no
 * libm), so a seed gives the same corpus on every conforming platform. A
 * guide table indexed by the draw's top bits points at the first candidate,
 * so a draw costs a lookup and a step or two instead of a binary search. */
#define ZIPF_GUIDE_BITS 11

static size_t zipf_table_size(uint32_t n) {
    return n * sizeof(uint64_t) + ((size_t)1 << ZIPF_GUIDE_BITS) * sizeof(uint16_t);
}

static uint32_t zipf(synth *g, uint32_t n) {
    if (n <= 1) return 0;
    if (n > ZIPF_MAX) n = ZIPF_MAX;
    uint64_t *cdf = g->zipf_cdf[n];
    uint16_t *guide;
    if (!cdf) {
        cdf = dp_malloc(zipf_table_size(n));
        if (!cdf) {
            g->st = DOPPEL_ERR_NOMEM;
            return 0;
        }
        double total = 0, acc = 0;
        for (uint32_t k = 0; k < n; k++) total += 1.0 / (k + 1);
        for (uint32_t k = 0; k + 1 < n; k++) {
            acc += 1.0 / (k + 1);
            cdf[k] = (uint64_t)(acc / total * 0x1.0p63) << 1;
        }
        cdf[n - 1] = UINT64_MAX;
        guide = (uint16_t *)(cdf + n);
        uint32_t k = 0;
        for (uint32_t b = 0; b < (1u << ZIPF_GUIDE_BITS); b++) {
            uint64_t lowest = (uint64_t)b << (64 - ZIPF_GUIDE_BITS);
            while (cdf[k] <= lowest) k++;
            guide[b] = (uint16_t)k;
        }
        g->zipf_cdf[n] = cdf;
    }
    guide = (uint16_t *)(cdf + n);
    uint64_t x = rng_next(&g->r);
    uint32_t k = guide[x >> (64 - ZIPF_GUIDE_BITS)];
    while (k + 1 < n && x >= cdf[k]) k++;
    return k;
}

static const char *pick_zipf(synth *g, const char *const *list, size_t n) {
    return list[zipf(g, (uint32_t)n)];
}

/* ---- topic vocabulary: a pure function of (seed, topic, slot) ------------ */

#define TOPIC_TERMS 40     /* pseudo-word technical terms */
#define TOPIC_NOUNS 30     /* common nouns the topic favours */
#define TOPIC_PEOPLE 14
#define TOPIC_PLACES 6
#define TOPIC_ORGS 6
#define GLOBAL_PEOPLE 400  /* names that appear across topics */
#define GLOBAL_PLACES 300

enum { V_TERM = 1, V_NOUN, V_FIRST, V_LAST, V_PLACE, V_ORG, V_ORGKIND };

static uint64_t topic_hash(const synth *g, uint32_t topic, int what, uint32_t k) {
    return hash3(g->opt.seed ^ 0x5EEDF00DULL, ((uint64_t)topic << 8) | (uint64_t)what, k);
}

/* A topic noun: one of the topic's favoured common nouns or its terms. */
static void put_topic_noun(synth *g, doppel_buf *b, uint32_t topic) {
    if (rng_chance(&g->r, 0.45)) {
        uint32_t k = zipf(g, TOPIC_TERMS);
        put_cstr(g, b, pseudo_word(g, topic_hash(g, topic, V_TERM, k), 2, 3, 0));
    } else {
        uint32_t k = zipf(g, TOPIC_NOUNS);
        put_cstr(g, b, NOUNS[topic_hash(g, topic, V_NOUN, k) % COUNT(NOUNS)]);
    }
}

static void put_noun(synth *g, doppel_buf *b, uint32_t topic) {
    if (rng_chance(&g->r, 0.4)) put_topic_noun(g, b, topic);
    else put_cstr(g, b, pick_zipf(g, NOUNS, COUNT(NOUNS)));
}

/* A person: topic people mostly, sometimes globally known ones. */
static void put_person(synth *g, doppel_buf *b, uint32_t topic, int full) {
    uint64_t space = rng_chance(&g->r, 0.8) ? topic : UINT32_MAX;
    uint32_t k = zipf(g, space == topic ? TOPIC_PEOPLE : GLOBAL_PEOPLE);
    if (full) {
        if (rng_chance(&g->r, 0.3)) put_cstr(g, b, pick(&g->r, TITLES, COUNT(TITLES)));
        put_cstr(g, b, pseudo_word(g, topic_hash(g, (uint32_t)space, V_FIRST, k), 2, 2, 1));
    }
    put_cstr(g, b, pseudo_word(g, topic_hash(g, (uint32_t)space, V_LAST, k), 2, 3, 1));
}

static void put_place(synth *g, doppel_buf *b, uint32_t topic) {
    if (rng_chance(&g->r, 0.7)) {
        uint32_t k = zipf(g, TOPIC_PLACES);
        put_cstr(g, b, pseudo_word(g, topic_hash(g, topic, V_PLACE, k), 2, 3, 1));
    } else {
        uint32_t k = zipf(g, GLOBAL_PLACES);
        put_cstr(g, b, pseudo_word(g, topic_hash(g, UINT32_MAX, V_PLACE, k), 2, 3, 1));
    }
}

static void put_org(synth *g, doppel_buf *b, uint32_t topic) {
    uint32_t k = zipf(g, TOPIC_ORGS);
    put_cstr(g, b, "the");
    put_cstr(g, b, pseudo_word(g, topic_hash(g, topic, V_ORG, k), 2, 3, 1));
    put_cstr(g, b, ORG_KINDS[topic_hash(g, topic, V_ORGKIND, k) % COUNT(ORG_KINDS)]);
}

/* A noun phrase: determiner, optional adjective, noun, sometimes "of ...". */
static void put_np(synth *g, doppel_buf *b, uint32_t topic) {
    uint32_t c = rng_below(&g->r, 100);
    if (c < 14) {
        put_person(g, b, topic, rng_chance(&g->r, 0.4));
    } else if (c < 22) {
        put_org(g, b, topic);
    } else {
        put_cstr(g, b, pick_zipf(g, DETERMINERS, COUNT(DETERMINERS)));
        if (rng_chance(&g->r, 0.4)) put_cstr(g, b, pick_zipf(g, ADJECTIVES, COUNT(ADJECTIVES)));
        put_noun(g, b, topic);
        if (rng_chance(&g->r, 0.2)) {
            put_cstr(g, b, "of");
            put_cstr(g, b, rng_chance(&g->r, 0.6) ? "the" : pick(&g->r, DETERMINERS, COUNT(DETERMINERS)));
            put_noun(g, b, topic);
        }
    }
}

static void put_number(synth *g, doppel_buf *b) {
    char num[32];
    uint32_t c = rng_below(&g->r, 4);
    if (c == 0) snprintf(num, sizeof num, "%u percent", 1 + rng_below(&g->r, 99));
    else if (c == 1) snprintf(num, sizeof num, "%u.%u million", 1 + rng_below(&g->r, 99), rng_below(&g->r, 10));
    else if (c == 2) snprintf(num, sizeof num, "%u", 2 + rng_below(&g->r, 5000));
    else snprintf(num, sizeof num, "about %u", 10 * (1 + rng_below(&g->r, 90)));
    put_cstr(g, b, num);
}

static void put_when(synth *g, doppel_buf *b) {
    uint32_t c = rng_below(&g->r, 10);
    if (c < 5) {
        put_cstr(g, b, "on");
        put_cstr(g, b, pick(&g->r, WEEKDAYS, COUNT(WEEKDAYS)));
    } else if (c < 7) {
        put_cstr(g, b, "in");
        put_cstr(g, b, pick(&g->r, MONTHS, COUNT(MONTHS)));
    } else {
        put_cstr(g, b, pick(&g->r, WHEN, COUNT(WHEN)));
    }
}

/* Sentence templates, one character per slot:
 *   S/O noun phrase   V past verb   B base verb   P preposition   L place
 *   N person (surname)   W time   M month   Y saying verb   # number   C conjunction
 *   n noun   a adjective   R "according to the" + noun   U an opener of doubt
 *   , and ' ' literal
 *   words in braces are literal. */
static const char *const TEMPLATES[] = {
    "S V O P O",
    "S V O W",
    "N Y that S V O P L",
    "O V P L W , S Y",
    "R , S V # O P L",
    "S V O , C S V O",
    "P L , S V O W",
    "S V {plans to} B O P O",
    "S V # n P O W",
    "{The} a n {of} O V P # W",
    "N , {the} a n {of} O , V {that} S {would} B O",
    "C S V O , S V {to} B O",
    "U S {would} B O",
    "S {has} V O P L {since} M",
    "{Officials in} L V {that} # n {had been} V",
};

static void put_sentence(synth *g, doppel_buf *b, uint32_t topic) {
    const char *t = TEMPLATES[rng_below(&g->r, COUNT(TEMPLATES))];
    g->cap_next = 1;
    for (; *t; t++) {
        switch (*t) {
        case 'S': case 'O': put_np(g, b, topic); break;
        case 'V': put_cstr(g, b, pick_zipf(g, VERBS_PAST, COUNT(VERBS_PAST))); break;
        case 'B': put_cstr(g, b, pick_zipf(g, VERBS_BASE, COUNT(VERBS_BASE))); break;
        case 'P': put_cstr(g, b, pick_zipf(g, PREPOSITIONS, COUNT(PREPOSITIONS))); break;
        case 'L': put_place(g, b, topic); break;
        case 'N': put_person(g, b, topic, rng_chance(&g->r, 0.5)); break;
        case 'W': put_when(g, b); break;
        case 'Y': put_cstr(g, b, pick_zipf(g, SAY, COUNT(SAY))); break;
        case '#': put_number(g, b); break;
        case 'C': put_cstr(g, b, pick(&g->r, CONJUNCTIONS, COUNT(CONJUNCTIONS))); break;
        case 'n': put_noun(g, b, topic); break;
        case 'a': put_cstr(g, b, pick_zipf(g, ADJECTIVES, COUNT(ADJECTIVES))); break;
        case 'M': put_cstr(g, b, pick(&g->r, MONTHS, COUNT(MONTHS))); break;
        case 'U': put_cstr(g, b, pick(&g->r, DOUBTS, COUNT(DOUBTS))); break;
        case 'R':
            put_cstr(g, b, "according to the");
            put_noun(g, b, topic);
            break;
        case ',': put_punct(g, b, ','); break;
        case '{': {
            const char *end = strchr(t, '}');
            put_word(g, b, t + 1, (size_t)(end - t - 1));
            t = end;
            break;
        }
        default: break;
        }
    }
    put_punct(g, b, '.');
}

/* A headline: capitalized words, no final period. */
static void put_headline(synth *g, doppel_buf *b, uint32_t topic) {
    size_t start = b->len;
    g->cap_next = 1;
    switch (rng_below(&g->r, 5)) {
    case 0:
        put_person(g, b, topic, 0);
        put_cstr(g, b, "to");
        put_cstr(g, b, pick_zipf(g, VERBS_BASE, COUNT(VERBS_BASE)));
        put_np(g, b, topic);
        put_cstr(g, b, "in");
        put_place(g, b, topic);
        break;
    case 1:
        put_place(g, b, topic);
        put_topic_noun(g, b, topic);
        put_cstr(g, b, pick_zipf(g, NOUNS, COUNT(NOUNS)));
        put_cstr(g, b, pick_zipf(g, VERBS_PAST, COUNT(VERBS_PAST)));
        put_cstr(g, b, pick(&g->r, PREPOSITIONS, COUNT(PREPOSITIONS)));
        put_number(g, b);
        break;
    case 2:
        put_cstr(g, b, pick_zipf(g, ADJECTIVES, COUNT(ADJECTIVES)));
        put_topic_noun(g, b, topic);
        put_cstr(g, b, "plan");
        put_cstr(g, b, pick_zipf(g, VERBS_PAST, COUNT(VERBS_PAST)));
        put_cstr(g, b, "as");
        put_np(g, b, topic);
        put_cstr(g, b, pick_zipf(g, VERBS_PAST, COUNT(VERBS_PAST)));
        break;
    case 3:
        put_org(g, b, topic);
        put_cstr(g, b, "to");
        put_cstr(g, b, pick_zipf(g, VERBS_BASE, COUNT(VERBS_BASE)));
        put_topic_noun(g, b, topic);
        put_noun(g, b, topic);
        put_cstr(g, b, pick_zipf(g, WHEN, COUNT(WHEN)));
        break;
    default:
        put_person(g, b, topic, 1);
        put_cstr(g, b, pick_zipf(g, VERBS_PAST, COUNT(VERBS_PAST)));
        put_cstr(g, b, pick_zipf(g, ADJECTIVES, COUNT(ADJECTIVES)));
        put_topic_noun(g, b, topic);
        put_cstr(g, b, pick(&g->r, PREPOSITIONS, COUNT(PREPOSITIONS)));
        put_place(g, b, topic);
        break;
    }
    /* Headline style: every word starts with a capital. */
    if (g->st != DOPPEL_OK) return;
    for (size_t i = start; i < b->len; i++)
        if ((i == start || b->data[i - 1] == ' ') && b->data[i] >= 'a' && b->data[i] <= 'z')
            b->data[i] = (char)(b->data[i] - 'a' + 'A');
}

/* ---- originals ----------------------------------------------------------- */

static int is_original(const synth *g, uint64_t i) {
    if (i == 0) return 1;
    uint64_t x = hash3(g->opt.seed, P_KIND, i);
    return (double)(splitmix64(&x) >> 11) * 0x1.0p-53 >= g->opt.copy_fraction;
}

/* The kind of document i (ORIGINAL or a copy kind). */
static doppel_synth_kind doc_kind(const synth *g, uint64_t i) {
    if (i == 0) return DOPPEL_SYNTH_ORIGINAL;
    uint64_t x = hash3(g->opt.seed, P_KIND, i);
    double u = (double)(splitmix64(&x) >> 11) * 0x1.0p-53;
    if (u >= g->opt.copy_fraction) return DOPPEL_SYNTH_ORIGINAL;
    /* u / copy_fraction is again uniform: reuse it to pick the kind. */
    double v = u / g->opt.copy_fraction;
    for (int k = 1; k < DOPPEL_SYNTH_NUM_KINDS; k++)
        if (v < g->kind_cum[k]) return (doppel_synth_kind)k;
    for (int k = DOPPEL_SYNTH_NUM_KINDS - 1; k > 0; k--)
        if (g->opt.kind_weight[k] > 0) return (doppel_synth_kind)k;
    return DOPPEL_SYNTH_ORIGINAL;
}

static void add_para(synth *g, article *a, size_t off, size_t len) {
    if (g->st != DOPPEL_OK) return;
    if (a->num_paras == a->para_cap) {
        size_t cap = a->para_cap;
        if (dp_grow((void **)&a->para_off, &cap, a->num_paras + 1, sizeof(size_t)) ||
            dp_grow((void **)&a->para_len, &a->para_cap, a->num_paras + 1, sizeof(size_t))) {
            g->st = DOPPEL_ERR_NOMEM;
            return;
        }
    }
    a->para_off[a->num_paras] = off;
    a->para_len[a->num_paras] = len;
    a->num_paras++;
}

static void article_free(article *a) {
    doppel_buf_free(&a->text);
    dp_free(a->para_off, a->para_cap * sizeof(size_t));
    dp_free(a->para_len, a->para_cap * sizeof(size_t));
}

static int64_t original_day(const synth *g, uint64_t j) {
    uint64_t x = hash3(g->opt.seed, P_ORIGINAL, j);
    double frac = g->opt.count > 1 ? (double)j / (double)g->opt.count : 0.0;
    int64_t day = g->opt.start_day + (int64_t)(frac * g->opt.date_span_days);
    return day + (int64_t)(splitmix64(&x) % 3);
}

/* Write original j into a (overwriting it). */
static void gen_original(synth *g, uint64_t j, article *a) {
    rng_seed(&g->r, g->opt.seed, P_ORIGINAL, j);
    a->text.len = 0;
    a->num_paras = 0;
    /* A few topics are much bigger than the rest, as in the news. */
    a->topic = rng_chance(&g->r, 0.3) ? zipf(g, g->topics) : rng_below(&g->r, g->topics);
    a->site = rng_below(&g->r, g->opt.sites);
    a->day = original_day(g, j);
    put_headline(g, &a->text, a->topic);
    a->title_len = a->text.len;
    /* Length: mean_words times a factor in [0.35, 1.65] with mean 1, peaked at 1. */
    double f = 0.35 + 1.3 * (rng_unit(&g->r) + rng_unit(&g->r)) / 2.0;
    size_t target = (size_t)(g->opt.mean_words * f + 0.5);
    g->words = 0;
    /* At least three paragraphs, so reordered and truncated copies differ
     * from their original. */
    while (a->num_paras < 3 || g->words < target) {
        put_raw(g, &a->text, "\n\n", 2);
        size_t off = a->text.len;
        size_t sentences = a->num_paras == 0 ? 1 + rng_below(&g->r, 2) : 2 + rng_below(&g->r, 4);
        for (size_t s = 0; s < sentences; s++) {
            put_sentence(g, &a->text, a->topic);
            if (g->words >= target && a->num_paras >= 2) break;
        }
        add_para(g, a, off, a->text.len - off);
        if (g->st != DOPPEL_OK) return;
    }
    a->body_words = g->words;
}

/* ---- site chrome ------------------------------------------------------- */

static void site_name(synth *g, uint32_t site, char *out, size_t cap) {
    uint64_t h = hash3(g->opt.seed, P_SITE, site);
    const char *w = pseudo_word(g, h, 2, 3, 1);
    snprintf(out, cap, "%s %s", w, SITE_SUFFIXES[(h >> 20) % COUNT(SITE_SUFFIXES)]);
}

static size_t count_words(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] != ' ' && s[i] != '\n' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\n');
    return n;
}

/* Append line (a format with one %s for the site name) and a newline. */
static void put_line(synth *g, doppel_buf *b, const char *fmt, const char *site) {
    char tmp[256];
    snprintf(tmp, sizeof tmp, fmt, site);
    put_str(g, b, tmp);
    put_raw(g, b, "\n", 1);
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
        if (i) put_str(g, b, sep);
        put_str(g, b, NAV_SECTIONS[k]);
    }
    put_raw(g, b, "\n", 1);
}

/* Chrome around an article: the site's fixed lines in order of priority,
 * then per-page related headlines, until the chrome reaches target words. */
static void put_chrome(synth *g, doppel_buf *top, doppel_buf *bottom, uint32_t site,
                       const char *name, size_t target) {
    uint64_t x = hash3(g->opt.seed, P_SITE, site);
    uint64_t v = splitmix64(&x);
    top->len = bottom->len = 0;
    for (int step = 0; count_words(top->data, top->len) + count_words(bottom->data, bottom->len) <
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
            put_headline(g, bottom, topic);
            put_raw(g, bottom, "\n", 1);
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

static uint64_t pick_original(synth *g, uint64_t i) {
    uint64_t j;
    if (rng_chance(&g->r, 0.5) && g->opt.recent_window > 0) {
        uint64_t w = i < g->opt.recent_window ? i : g->opt.recent_window;
        j = i - 1 - (uint64_t)(rng_unit(&g->r) * (double)w);
    } else {
        j = (uint64_t)(rng_unit(&g->r) * (double)i);
    }
    if (j >= i) j = i - 1;
    while (!is_original(g, j)) j--;  /* document 0 is always an original */
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

/* A content word for an edit that differs from the words around it, so
 * each edit costs one in a word-level edit distance. */
static void edit_word(synth *g, uint32_t topic, const char *avoid1, size_t len1,
                      const char *avoid2, size_t len2) {
    for (int tries = 0; tries < 8; tries++) {
        g->line.len = 0;
        uint32_t c = rng_below(&g->r, 4);
        if (c == 0) put_cstr(g, &g->line, pick_zipf(g, ADJECTIVES, COUNT(ADJECTIVES)));
        else if (c == 1) put_cstr(g, &g->line, pick_zipf(g, VERBS_PAST, COUNT(VERBS_PAST)));
        else put_noun(g, &g->line, topic);
        if (g->st != DOPPEL_OK) return;
        const char *w = g->line.data;
        size_t n = g->line.len;
        if ((n != len1 || memcmp(w, avoid1, n)) && (n != len2 || memcmp(w, avoid2, n))) return;
    }
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
        if (pending && o->len) put_raw(g, o, pending, pending_len);
        if (op == 1) {
            edit_word(g, a->topic, prev, prev_len, s + tk->off, tk->len);
            put_raw(g, o, g->line.data, g->line.len);
            put_raw(g, o, " ", 1);
        }
        if (op == 0) {
            /* Replace the word but keep its trailing punctuation. */
            size_t core = tk->len;
            while (core > 1 && (s[tk->off + core - 1] == '.' || s[tk->off + core - 1] == ','))
                core--;
            edit_word(g, a->topic, s + tk->off, core, prev, prev_len);
            put_raw(g, o, g->line.data, g->line.len);
            put_raw(g, o, s + tk->off + core, tk->len - core);
        } else {
            put_raw(g, o, s + tk->off, tk->len);
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
            put_raw(g, o, &c, 1);
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
                put_str(g, o, sub);
                continue;
            }
        }
        switch (rng_below(&g->r, 3)) {
        case 0: break;                                       /* dropped */
        case 1: put_raw(g, o, &c, 1); put_raw(g, o, &c, 1); break; /* doubled */
        default: put_raw(g, o, &c, 1); if (is_letter(next)) put_raw(g, o, " ", 1); break; /* split */
        }
    }
}

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
        "original", "exact", "boilerplate", "truncated", "edited", "ocr", "reordered", "headline",
    };
    return (unsigned)kind < DOPPEL_SYNTH_NUM_KINDS ? names[kind] : NULL;
}

void doppel_synth_options_default(doppel_synth_options *opt) {
    memset(opt, 0, sizeof *opt);
    opt->count = 1000;
    opt->seed = 1;
    opt->mean_words = 500;
    opt->copy_fraction = 0.35;
    for (int k = 1; k < DOPPEL_SYNTH_NUM_KINDS; k++) opt->kind_weight[k] = 1.0;
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
    if (!(o->read_more_rate >= 0 && o->read_more_rate <= 1))
        return dp_fail(err, DOPPEL_ERR_ARG, "synth: read_more_rate must be in [0, 1]");
    return DOPPEL_OK;
}

static void synth_free(synth *g) {
    article_free(&g->orig);
    article_free(&g->alt);
    doppel_buf_free(&g->out);
    doppel_buf_free(&g->title);
    doppel_buf_free(&g->word);
    doppel_buf_free(&g->line);
    dp_free(g->tokens, g->token_cap * sizeof *g->tokens);
    dp_free(g->order, g->order_cap * sizeof *g->order);
    for (uint32_t n = 0; n <= ZIPF_MAX; n++)
        if (g->zipf_cdf[n]) dp_free(g->zipf_cdf[n], zipf_table_size(n));
}

/* Body paragraphs [0, k) of a joined by blank lines, after the headline. */
static void put_paras(synth *g, doppel_buf *o, const article *a, const size_t *order, size_t k) {
    for (size_t p = 0; p < k; p++) {
        size_t q = order ? order[p] : p;
        put_raw(g, o, "\n\n", 2);
        put_raw(g, o, a->text.data + a->para_off[q], a->para_len[q]);
    }
}

/* Build copy i of kind `kind` from original a into g->out / g->title. */
static void make_copy(synth *g, doppel_synth_kind kind, const article *a, uint32_t site,
                      double *amount) {
    doppel_buf *o = &g->out;
    const char *text = a->text.data;
    o->len = 0;
    *amount = 0;
    switch (kind) {
    case DOPPEL_SYNTH_BOILERPLATE: {
        *amount = rng_range(&g->r, g->opt.chrome_min, g->opt.chrome_max);
        size_t target =
            (size_t)ceil(*amount * (double)(a->body_words + count_words(text, a->title_len)));
        put_chrome(g, &g->alt.text, &g->line, site, g->source, target);
        if (g->alt.text.len) {
            put_raw(g, o, g->alt.text.data, g->alt.text.len);
            put_raw(g, o, "\n\n", 2);
        }
        put_raw(g, o, text, a->text.len);
        if (g->line.len) {
            put_raw(g, o, "\n\n", 2);
            put_raw(g, o, g->line.data, g->line.len);
        }
        break;
    }
    case DOPPEL_SYNTH_TRUNCATED: {
        *amount = rng_range(&g->r, g->opt.truncate_min, g->opt.truncate_max);
        size_t k = (size_t)ceil(*amount * (double)a->num_paras);
        if (k < 1) k = 1;
        size_t words = 0;
        for (size_t p = 0; p < k; p++) words += count_words(text + a->para_off[p], a->para_len[p]);
        while (k < a->num_paras && words < g->opt.truncate_min_words) {
            words += count_words(text + a->para_off[k], a->para_len[k]);
            k++;
        }
        /* Keep it a proper lead: never the whole article. */
        if (k >= a->num_paras) k = a->num_paras - 1;
        *amount = (double)k / (double)a->num_paras;
        put_raw(g, o, text, a->title_len);
        put_paras(g, o, a, NULL, k);
        if (rng_chance(&g->r, g->opt.read_more_rate)) {
            char line[160];
            snprintf(line, sizeof line, READ_MORE[rng_below(&g->r, COUNT(READ_MORE))], g->source);
            put_raw(g, o, "\n\n", 2);
            put_str(g, o, line);
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
        put_raw(g, o, text, a->title_len);
        put_paras(g, o, a, g->order, n);
        break;
    }
    case DOPPEL_SYNTH_HEADLINE:
        for (int tries = 0; tries < 8; tries++) {
            o->len = 0;
            put_headline(g, o, a->topic);
            if (g->st != DOPPEL_OK) return;
            if (o->len != a->title_len || memcmp(o->data, text, o->len)) break;
        }
        put_raw(g, o, text + a->title_len, a->text.len - a->title_len);
        break;
    default:  /* exact */
        put_raw(g, o, text, a->text.len);
        break;
    }
    /* The title is the copy's first line, except behind chrome. */
    g->title.len = 0;
    if (kind == DOPPEL_SYNTH_BOILERPLATE) {
        put_raw(g, &g->title, text, a->title_len);
    } else if (g->st == DOPPEL_OK) {
        const char *nl = memchr(o->data, '\n', o->len);
        put_raw(g, &g->title, o->data, nl ? (size_t)(nl - o->data) : o->len);
    }
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
        doppel_synth_kind kind = doc_kind(&g, i);
        doppel_synth_doc doc = {.number = i, .id = g.id, .cluster = g.cluster, .date = g.date,
                                .source = g.source, .kind = kind};
        snprintf(g.id, sizeof g.id, "s%0*llu", g.id_digits, (unsigned long long)i);
        if (kind == DOPPEL_SYNTH_ORIGINAL) {
            gen_original(&g, i, &g.orig);
            site_name(&g, g.orig.site, g.source, sizeof g.source);
            g.title.len = 0;
            put_raw(&g, &g.title, g.orig.text.data, g.orig.title_len);
            doc.original = i;
            doc.text = g.orig.text.data;
            doc.text_len = g.orig.text.len;
            format_day(g.orig.day, g.date, sizeof g.date);
        } else {
            rng_seed(&g.r, g.opt.seed, P_COPY, i);
            uint64_t j = pick_original(&g, i);
            uint64_t copy_stream[4];
            memcpy(copy_stream, g.r.s, sizeof copy_stream);
            gen_original(&g, j, &g.orig);
            memcpy(g.r.s, copy_stream, sizeof copy_stream);
            /* Syndicated copies appear elsewhere; pick another site when there is one. */
            uint32_t site = rng_below(&g.r, g.opt.sites);
            if (site == g.orig.site && g.opt.sites > 1) site = (site + 1) % g.opt.sites;
            site_name(&g, site, g.source, sizeof g.source);
            /* 0 days 40% of the time, else 1 + geometric (mean 4), at most 30. */
            int64_t delay = 0;
            if (!rng_chance(&g.r, 0.4))
                for (delay = 1; delay < 30 && rng_chance(&g.r, 0.75); delay++) {
                }
            format_day(g.orig.day + delay, g.date, sizeof g.date);
            make_copy(&g, kind, &g.orig, site, &doc.amount);
            doc.original = j;
            doc.text = g.out.data;
            doc.text_len = g.out.len;
        }
        snprintf(g.cluster, sizeof g.cluster, "s%0*llu", g.id_digits,
                 (unsigned long long)doc.original);
        doc.topic = g.orig.topic;
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
