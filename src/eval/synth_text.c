/*
 * synth_text.c — the synthetic generator's writing: vocabulary written for
 * doppel, words and pseudo-words, Zipf draws, topic vocabularies,
 * sentences from templates, headlines, and whole original articles (see
 * synth.c for what the corpus is and why).
 */
#include "eval/synth_impl.h"

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

/* ---- low-level writing --------------------------------------------------- */

void  dp_synth_put_raw(synth *g, doppel_buf *b, const char *s, size_t len) {
    if (g->st == DOPPEL_OK) g->st = dp_buf_append(b, s, len);
}

void  dp_synth_put_str(synth *g, doppel_buf *b, const char *s) { dp_synth_put_raw(g, b, s, strlen(s)); }

/* Append one word (or several, space separated), with a space before it
 * unless at the start of a line; capitalizes a sentence's first letter. */
void  dp_synth_put_word(synth *g, doppel_buf *b, const char *w, size_t len) {
    if (b->len && b->data[b->len - 1] != '\n') dp_synth_put_raw(g, b, " ", 1);
    size_t at = b->len;
    dp_synth_put_raw(g, b, w, len);
    if (g->cap_next && g->st == DOPPEL_OK && b->data[at] >= 'a' && b->data[at] <= 'z')
        b->data[at] = (char)(b->data[at] - 'a' + 'A');
    g->cap_next = 0;
    for (size_t i = 0; i < len; i++) g->words += (i == 0 || w[i - 1] == ' ') && w[i] != ' ';
}

void  dp_synth_put_cstr(synth *g, doppel_buf *b, const char *w) { dp_synth_put_word(g, b, w, strlen(w)); }

/* Punctuation attaches to the previous word. */
void  dp_synth_put_punct(synth *g, doppel_buf *b, char c) { dp_synth_put_raw(g, b, &c, 1); }

/* A pseudo-word from hash h into g->word: syllables, optionally capitalized. */
const char * dp_synth_pseudo_word(synth *g, uint64_t h, int min_syl, int max_syl, int capital) {
    uint64_t x = h;
    int n = min_syl + (int)(splitmix64(&x) % (uint64_t)(max_syl - min_syl + 1));
    g->word.len = 0;
    for (int i = 0; i < n; i++) {
        uint64_t v = splitmix64(&x);
        dp_synth_put_str(g, &g->word, ONSETS[v % COUNT(ONSETS)]);
        dp_synth_put_str(g, &g->word, VOWELS[(v >> 16) % COUNT(VOWELS)]);
        if (i == n - 1 || (v >> 32) % 3 == 0) dp_synth_put_str(g, &g->word, CODAS[(v >> 40) % COUNT(CODAS)]);
    }
    if (g->st != DOPPEL_OK || g->word.len == 0) return "";
    if (capital && g->word.data[0] >= 'a' && g->word.data[0] <= 'z') g->word.data[0] -= 'a' - 'A';
    return g->word.data;
}

const char * dp_synth_pick(rng *r, const char *const *list, size_t n) { return list[rng_below(r, (uint32_t)n)]; }

/* Index in [0, n) with P(k) proportional to 1/(k+1): Zipf's law. Tables of
 * cumulative weights are built once per size with plain IEEE arithmetic (no
 * libm), so a seed gives the same corpus on every conforming platform. A
 * guide table indexed by the draw's top bits points at the first candidate,
 * so a draw costs a lookup and a step or two instead of a binary search. */
#define ZIPF_GUIDE_BITS 11

size_t  dp_synth_zipf_table_size(uint32_t n) {
    return n * sizeof(uint64_t) + ((size_t)1 << ZIPF_GUIDE_BITS) * sizeof(uint16_t);
}

uint32_t dp_synth_zipf(synth *g, uint32_t n) {
    if (n <= 1) return 0;
    if (n > ZIPF_MAX) n = ZIPF_MAX;
    uint64_t *cdf = g->zipf_cdf[n];
    uint16_t *guide;
    if (!cdf) {
        cdf = dp_malloc(dp_synth_zipf_table_size(n));
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

const char * dp_synth_pick_zipf(synth *g, const char *const *list, size_t n) {
    return list[dp_synth_zipf(g, (uint32_t)n)];
}

size_t  dp_synth_count_words(const char *s, size_t len) {
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] != ' ' && s[i] != '\n' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\n');
    return n;
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
void  dp_synth_put_topic_noun(synth *g, doppel_buf *b, uint32_t topic) {
    if (rng_chance(&g->r, 0.45)) {
        uint32_t k = dp_synth_zipf(g, TOPIC_TERMS);
        dp_synth_put_cstr(g, b, dp_synth_pseudo_word(g, topic_hash(g, topic, V_TERM, k), 2, 3, 0));
    } else {
        uint32_t k = dp_synth_zipf(g, TOPIC_NOUNS);
        dp_synth_put_cstr(g, b, NOUNS[topic_hash(g, topic, V_NOUN, k) % COUNT(NOUNS)]);
    }
}

void  dp_synth_put_noun(synth *g, doppel_buf *b, uint32_t topic) {
    if (rng_chance(&g->r, 0.4)) dp_synth_put_topic_noun(g, b, topic);
    else dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, NOUNS, COUNT(NOUNS)));
}

/* A person: topic people mostly, sometimes globally known ones. */
void  dp_synth_put_person(synth *g, doppel_buf *b, uint32_t topic, int full) {
    uint64_t space = rng_chance(&g->r, 0.8) ? topic : UINT32_MAX;
    uint32_t k = dp_synth_zipf(g, space == topic ? TOPIC_PEOPLE : GLOBAL_PEOPLE);
    if (full) {
        if (rng_chance(&g->r, 0.3)) dp_synth_put_cstr(g, b, dp_synth_pick(&g->r, TITLES, COUNT(TITLES)));
        dp_synth_put_cstr(g, b, dp_synth_pseudo_word(g, topic_hash(g, (uint32_t)space, V_FIRST, k), 2, 2, 1));
    }
    dp_synth_put_cstr(g, b, dp_synth_pseudo_word(g, topic_hash(g, (uint32_t)space, V_LAST, k), 2, 3, 1));
}

void  dp_synth_put_place(synth *g, doppel_buf *b, uint32_t topic) {
    if (rng_chance(&g->r, 0.7)) {
        uint32_t k = dp_synth_zipf(g, TOPIC_PLACES);
        dp_synth_put_cstr(g, b, dp_synth_pseudo_word(g, topic_hash(g, topic, V_PLACE, k), 2, 3, 1));
    } else {
        uint32_t k = dp_synth_zipf(g, GLOBAL_PLACES);
        dp_synth_put_cstr(g, b, dp_synth_pseudo_word(g, topic_hash(g, UINT32_MAX, V_PLACE, k), 2, 3, 1));
    }
}

static void put_org(synth *g, doppel_buf *b, uint32_t topic) {
    uint32_t k = dp_synth_zipf(g, TOPIC_ORGS);
    dp_synth_put_cstr(g, b, "the");
    dp_synth_put_cstr(g, b, dp_synth_pseudo_word(g, topic_hash(g, topic, V_ORG, k), 2, 3, 1));
    dp_synth_put_cstr(g, b, ORG_KINDS[topic_hash(g, topic, V_ORGKIND, k) % COUNT(ORG_KINDS)]);
}

/* A noun phrase: determiner, optional adjective, noun, sometimes "of ...". */
void  dp_synth_put_np(synth *g, doppel_buf *b, uint32_t topic) {
    uint32_t c = rng_below(&g->r, 100);
    if (c < 14) {
        dp_synth_put_person(g, b, topic, rng_chance(&g->r, 0.4));
    } else if (c < 22) {
        put_org(g, b, topic);
    } else {
        dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, DETERMINERS, COUNT(DETERMINERS)));
        if (rng_chance(&g->r, 0.4)) dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, ADJECTIVES, COUNT(ADJECTIVES)));
        dp_synth_put_noun(g, b, topic);
        if (rng_chance(&g->r, 0.2)) {
            dp_synth_put_cstr(g, b, "of");
            dp_synth_put_cstr(g, b, rng_chance(&g->r, 0.6) ? "the" : dp_synth_pick(&g->r, DETERMINERS, COUNT(DETERMINERS)));
            dp_synth_put_noun(g, b, topic);
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
    dp_synth_put_cstr(g, b, num);
}

static void put_when(synth *g, doppel_buf *b) {
    uint32_t c = rng_below(&g->r, 10);
    if (c < 5) {
        dp_synth_put_cstr(g, b, "on");
        dp_synth_put_cstr(g, b, dp_synth_pick(&g->r, WEEKDAYS, COUNT(WEEKDAYS)));
    } else if (c < 7) {
        dp_synth_put_cstr(g, b, "in");
        dp_synth_put_cstr(g, b, dp_synth_pick(&g->r, MONTHS, COUNT(MONTHS)));
    } else {
        dp_synth_put_cstr(g, b, dp_synth_pick(&g->r, WHEN, COUNT(WHEN)));
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

void  dp_synth_put_sentence(synth *g, doppel_buf *b, uint32_t topic) {
    const char *t = TEMPLATES[rng_below(&g->r, COUNT(TEMPLATES))];
    g->cap_next = 1;
    for (; *t; t++) {
        switch (*t) {
        case 'S': case 'O': dp_synth_put_np(g, b, topic); break;
        case 'V': dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, VERBS_PAST, COUNT(VERBS_PAST))); break;
        case 'B': dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, VERBS_BASE, COUNT(VERBS_BASE))); break;
        case 'P': dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, PREPOSITIONS, COUNT(PREPOSITIONS))); break;
        case 'L': dp_synth_put_place(g, b, topic); break;
        case 'N': dp_synth_put_person(g, b, topic, rng_chance(&g->r, 0.5)); break;
        case 'W': put_when(g, b); break;
        case 'Y': dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, SAY, COUNT(SAY))); break;
        case '#': put_number(g, b); break;
        case 'C': dp_synth_put_cstr(g, b, dp_synth_pick(&g->r, CONJUNCTIONS, COUNT(CONJUNCTIONS))); break;
        case 'n': dp_synth_put_noun(g, b, topic); break;
        case 'a': dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, ADJECTIVES, COUNT(ADJECTIVES))); break;
        case 'M': dp_synth_put_cstr(g, b, dp_synth_pick(&g->r, MONTHS, COUNT(MONTHS))); break;
        case 'U': dp_synth_put_cstr(g, b, dp_synth_pick(&g->r, DOUBTS, COUNT(DOUBTS))); break;
        case 'R':
            dp_synth_put_cstr(g, b, "according to the");
            dp_synth_put_noun(g, b, topic);
            break;
        case ',': dp_synth_put_punct(g, b, ','); break;
        case '{': {
            const char *end = strchr(t, '}');
            dp_synth_put_word(g, b, t + 1, (size_t)(end - t - 1));
            t = end;
            break;
        }
        default: break;
        }
    }
    dp_synth_put_punct(g, b, '.');
}

/* A headline: capitalized words, no final period. */
void  dp_synth_put_headline(synth *g, doppel_buf *b, uint32_t topic) {
    size_t start = b->len;
    g->cap_next = 1;
    switch (rng_below(&g->r, 5)) {
    case 0:
        dp_synth_put_person(g, b, topic, 0);
        dp_synth_put_cstr(g, b, "to");
        dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, VERBS_BASE, COUNT(VERBS_BASE)));
        dp_synth_put_np(g, b, topic);
        dp_synth_put_cstr(g, b, "in");
        dp_synth_put_place(g, b, topic);
        break;
    case 1:
        dp_synth_put_place(g, b, topic);
        dp_synth_put_topic_noun(g, b, topic);
        dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, NOUNS, COUNT(NOUNS)));
        dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, VERBS_PAST, COUNT(VERBS_PAST)));
        dp_synth_put_cstr(g, b, dp_synth_pick(&g->r, PREPOSITIONS, COUNT(PREPOSITIONS)));
        put_number(g, b);
        break;
    case 2:
        dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, ADJECTIVES, COUNT(ADJECTIVES)));
        dp_synth_put_topic_noun(g, b, topic);
        dp_synth_put_cstr(g, b, "plan");
        dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, VERBS_PAST, COUNT(VERBS_PAST)));
        dp_synth_put_cstr(g, b, "as");
        dp_synth_put_np(g, b, topic);
        dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, VERBS_PAST, COUNT(VERBS_PAST)));
        break;
    case 3:
        put_org(g, b, topic);
        dp_synth_put_cstr(g, b, "to");
        dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, VERBS_BASE, COUNT(VERBS_BASE)));
        dp_synth_put_topic_noun(g, b, topic);
        dp_synth_put_noun(g, b, topic);
        dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, WHEN, COUNT(WHEN)));
        break;
    default:
        dp_synth_put_person(g, b, topic, 1);
        dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, VERBS_PAST, COUNT(VERBS_PAST)));
        dp_synth_put_cstr(g, b, dp_synth_pick_zipf(g, ADJECTIVES, COUNT(ADJECTIVES)));
        dp_synth_put_topic_noun(g, b, topic);
        dp_synth_put_cstr(g, b, dp_synth_pick(&g->r, PREPOSITIONS, COUNT(PREPOSITIONS)));
        dp_synth_put_place(g, b, topic);
        break;
    }
    /* Headline style: every word starts with a capital. */
    if (g->st != DOPPEL_OK) return;
    for (size_t i = start; i < b->len; i++)
        if ((i == start || b->data[i - 1] == ' ') && b->data[i] >= 'a' && b->data[i] <= 'z')
            b->data[i] = (char)(b->data[i] - 'a' + 'A');
}

/* ---- originals ----------------------------------------------------------- */

int  dp_synth_is_original(const synth *g, uint64_t i) {
    if (i == 0) return 1;
    uint64_t x = hash3(g->opt.seed, P_KIND, i);
    return (double)(splitmix64(&x) >> 11) * 0x1.0p-53 >= g->opt.copy_fraction;
}

/* The kind of document i (ORIGINAL or a copy kind). */
doppel_synth_kind  dp_synth_doc_kind(const synth *g, uint64_t i) {
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

void  dp_synth_add_para(synth *g, article *a, size_t off, size_t len) {
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

void  dp_synth_article_free(article *a) {
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
void  dp_synth_gen_original(synth *g, uint64_t j, article *a) {
    rng_seed(&g->r, g->opt.seed, P_ORIGINAL, j);
    a->text.len = 0;
    a->num_paras = 0;
    /* A few topics are much bigger than the rest, as in the news. */
    a->topic = rng_chance(&g->r, 0.3) ? dp_synth_zipf(g, g->topics) : rng_below(&g->r, g->topics);
    a->site = rng_below(&g->r, g->opt.sites);
    a->day = original_day(g, j);
    dp_synth_put_headline(g, &a->text, a->topic);
    a->title_len = a->text.len;
    /* Length: mean_words times a factor in [0.35, 1.65] with mean 1, peaked at 1. */
    double f = 0.35 + 1.3 * (rng_unit(&g->r) + rng_unit(&g->r)) / 2.0;
    size_t target = (size_t)(g->opt.mean_words * f + 0.5);
    g->words = 0;
    /* At least three paragraphs, so reordered and truncated copies differ
     * from their original. */
    while (a->num_paras < 3 || g->words < target) {
        dp_synth_put_raw(g, &a->text, "\n\n", 2);
        size_t off = a->text.len;
        size_t sentences = a->num_paras == 0 ? 1 + rng_below(&g->r, 2) : 2 + rng_below(&g->r, 4);
        for (size_t s = 0; s < sentences; s++) {
            dp_synth_put_sentence(g, &a->text, a->topic);
            if (g->words >= target && a->num_paras >= 2) break;
        }
        dp_synth_add_para(g, a, off, a->text.len - off);
        if (g->st != DOPPEL_OK) return;
    }
    a->body_words = g->words;
}

void  dp_synth_site_name(synth *g, uint32_t site, char *out, size_t cap) {
    uint64_t h = hash3(g->opt.seed, P_SITE, site);
    const char *w = dp_synth_pseudo_word(g, h, 2, 3, 1);
    snprintf(out, cap, "%s %s", w, SITE_SUFFIXES[(h >> 20) % COUNT(SITE_SUFFIXES)]);
}

/* A content word for an edit that differs from the words around it, so
 * each edit costs one in a word-level edit distance. */
void dp_synth_edit_word(synth *g, uint32_t topic, const char *avoid1, size_t len1,
                      const char *avoid2, size_t len2) {
    for (int tries = 0; tries < 8; tries++) {
        g->line.len = 0;
        uint32_t c = rng_below(&g->r, 4);
        if (c == 0) dp_synth_put_cstr(g, &g->line, dp_synth_pick_zipf(g, ADJECTIVES, COUNT(ADJECTIVES)));
        else if (c == 1) dp_synth_put_cstr(g, &g->line, dp_synth_pick_zipf(g, VERBS_PAST, COUNT(VERBS_PAST)));
        else dp_synth_put_noun(g, &g->line, topic);
        if (g->st != DOPPEL_OK) return;
        const char *w = g->line.data;
        size_t n = g->line.len;
        if ((n != len1 || memcmp(w, avoid1, n)) && (n != len2 || memcmp(w, avoid2, n))) return;
    }
}
