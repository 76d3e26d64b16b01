/*
 * synth_impl.h — the synthetic corpus generator's shared state (internal):
 * its random streams, the article and generator structs, and the calls
 * between its files. synth_text.c writes originals (vocabulary, sentences,
 * headlines), synth_copy.c turns an original into a copy of one kind,
 * synth_reuse.c writes reuse that is not a copy (derived, partial, quote,
 * shared), synth.c holds the options and the document loop; calls go only
 * from synth.c to the others and from them to synth_text.c.
 */
#ifndef DOPPEL_SYNTH_IMPL_H
#define DOPPEL_SYNTH_IMPL_H
#include "base/internal.h"

#include <stdio.h>
#include <string.h>

/* ======================================================================
 * Random numbers: splitmix64 for hashing (seed, document, purpose) into
 * independent streams, xoshiro256** within a stream.
 * ==================================================================== */

typedef struct rng {
    uint64_t s[4];
} rng;

static inline uint64_t splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Purposes keep the streams of one document independent of each other. */
enum { P_KIND = 1, P_ORIGINAL, P_COPY, P_SITE };

static inline uint64_t hash3(uint64_t seed, uint64_t a, uint64_t b) {
    uint64_t x = seed;
    uint64_t h = splitmix64(&x);
    x = h ^ a;
    h = splitmix64(&x);
    x = h ^ b;
    return splitmix64(&x);
}

static inline void rng_seed(rng *r, uint64_t seed, uint64_t a, uint64_t b) {
    uint64_t x = hash3(seed, a, b);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rng_next(rng *r) {
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

static inline double rng_unit(rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

/* Uniform in [0, n) by multiply-shift (bias below 2^-32, irrelevant here). */
static inline uint32_t rng_below(rng *r, uint32_t n) {
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static inline double rng_range(rng *r, double lo, double hi) { return lo + (hi - lo) * rng_unit(r); }

static inline int rng_chance(rng *r, double p) { return rng_unit(r) < p; }

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))


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
    article own;                              /* reuse kinds: the document's own text */
    doppel_buf out, title, word, line;
    token *tokens;
    size_t token_cap;
    size_t *order;                            /* paragraph permutation */
    uint64_t *zipf_cdf[ZIPF_MAX + 1];         /* by list size, built on first use */
    size_t order_cap;
    char id[32], cluster[32], related[32], date[32], source[64];
    rng r;                                    /* the stream in use */
    int cap_next;                             /* capitalize the next word */
    size_t words;                             /* words written by put_word */
    doppel_status st;                         /* first allocation failure */
} synth;

/* ---- synth_text.c: writing words, sentences and originals ---- */
void dp_synth_put_raw(synth *g, doppel_buf *b, const char *s, size_t len);
void dp_synth_put_str(synth *g, doppel_buf *b, const char *s);
void dp_synth_put_word(synth *g, doppel_buf *b, const char *w, size_t len);
void dp_synth_put_cstr(synth *g, doppel_buf *b, const char *w);
void dp_synth_put_punct(synth *g, doppel_buf *b, char c);
const char *dp_synth_pseudo_word(synth *g, uint64_t h, int min_syl, int max_syl, int capital);
const char *dp_synth_pick(rng *r, const char *const *list, size_t n);
uint32_t dp_synth_zipf(synth *g, uint32_t n);
size_t dp_synth_zipf_table_size(uint32_t n);
const char *dp_synth_pick_zipf(synth *g, const char *const *list, size_t n);
void dp_synth_put_topic_noun(synth *g, doppel_buf *b, uint32_t topic);
void dp_synth_put_noun(synth *g, doppel_buf *b, uint32_t topic);
void dp_synth_put_person(synth *g, doppel_buf *b, uint32_t topic, int full);
void dp_synth_put_place(synth *g, doppel_buf *b, uint32_t topic);
void dp_synth_put_np(synth *g, doppel_buf *b, uint32_t topic);
void dp_synth_put_sentence(synth *g, doppel_buf *b, uint32_t topic);
void dp_synth_put_headline(synth *g, doppel_buf *b, uint32_t topic);
size_t dp_synth_count_words(const char *s, size_t len);
int dp_synth_is_original(const synth *g, uint64_t i);
doppel_synth_kind dp_synth_doc_kind(const synth *g, uint64_t i);
void dp_synth_add_para(synth *g, article *a, size_t off, size_t len);
void dp_synth_article_free(article *a);
void dp_synth_gen_original(synth *g, uint64_t j, article *a);
void dp_synth_site_name(synth *g, uint32_t site, char *out, size_t cap);
/* A content word into g->line that differs from the two words given. */
void dp_synth_edit_word(synth *g, uint32_t topic, const char *avoid1, size_t len1,
                        const char *avoid2, size_t len2);

/* ---- synth_copy.c: copies ---- */
uint64_t dp_synth_pick_original(synth *g, uint64_t i);
void dp_synth_make_copy(synth *g, doppel_synth_kind kind, const article *a, uint32_t site,
                        double *amount);

/* ---- synth_reuse.c: reuse that is not a copy ---- */
/* Document of kind DERIVED, PARTIAL, QUOTE or SHARED into g->out and
 * g->title, from its own original text own and the source src (derived
 * rewrites src alone; shared uses own alone and sets *related to the pool
 * paragraph's number). */
void dp_synth_make_reuse(synth *g, doppel_synth_kind kind, const article *own,
                         const article *src, double *amount, uint64_t *related);
#endif
