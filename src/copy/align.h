/*
 * align.h — shared passages of two documents, from their word hashes in
 * text order (internal). See align.c.
 */
#ifndef DOPPEL_ALIGN_H
#define DOPPEL_ALIGN_H
#include "base/internal.h"

/* Words of a document kept for alignment: a longer document is aligned on
 * its first DP_ALIGN_MAX_WORDS words (bounded memory and disk per document). */
#define DP_ALIGN_MAX_WORDS 65536u
/* Passages kept per pair (the longest). */
#define DP_ALIGN_KEEP 5

/* One shared passage: words [a, a + a_len) of A and [b, b + b_len) of B,
 * joined from fragments of identical words across small gaps; matched is
 * the words inside those fragments. */
typedef struct dp_span {
    uint32_t a, b, a_len, b_len, matched;
} dp_span;

typedef struct dp_alignment {
    uint32_t na, nb;           /* words aligned of each side */
    uint32_t cover_a, cover_b; /* matched words of passages of at least
                                  DP_ALIGN_MIN_PASSAGE matched words (the gaps
                                  inside a passage do not count) */
    uint32_t frag_a, frag_b;   /* words inside any fragment (anchor length or more) */
    uint32_t ordered;          /* fragment words in A that follow the previous kept
                                  fragment in B too: the rewrite's skeleton */
    uint32_t cover_spread;     /* tenths of the smaller document covered on at least
                                  DP_ALIGN_SPREAD_SHARE of their words */
    uint32_t frag_spread;      /* tenths of the smaller document with at least
                                  DP_ALIGN_FRAG_SPREAD_SHARE of their words in
                                  fragments */
    uint32_t passages;         /* passages of at least DP_ALIGN_MIN_PASSAGE words */
    uint32_t num_spans;        /* longest passages kept, longest first */
    dp_span spans[DP_ALIGN_KEEP];
} dp_alignment;

/* Joining and counting: fragments of at least ANCHOR words are found; a gap
 * of at most GAP words on both sides joins two of them into one passage; a
 * passage counts toward cover when it holds MIN_PASSAGE matched words. */
#define DP_ALIGN_ANCHOR 3
#define DP_ALIGN_GAP 6
#define DP_ALIGN_MIN_PASSAGE 12
/* Positions of one anchor examined in B (bounds the work on repeated text). */
#define DP_ALIGN_MAX_TRIES 8
/* A tenth of a document counts toward cover_spread when this share of it is
 * covered. */
#define DP_ALIGN_SPREAD_SHARE 0.3
/* ... and toward frag_spread when this share of it is in fragments. */
#define DP_ALIGN_FRAG_SPREAD_SHARE 0.15

/* B's anchors: a hash table of each anchor's first position in B and
 * chains to the next ones, in text order. */
typedef struct dp_anchor_table {
    uint32_t *head, *next;      /* head: slots entries, NIL when empty */
    size_t head_cap, next_cap;
    size_t dirty;               /* head[0, dirty) may hold entries of the last
                                   build: what emptying it clears */
    uint64_t key;               /* the key the table was built for; 0 = none */
    size_t slots;
    uint32_t *filter;           /* 2^filter_bits bits, indexed by a second hash of
                                   the anchor: set when some anchor of B has it */
    size_t filter_cap;          /* in words */
    uint32_t filter_bits;
} dp_anchor_table;

/* Scratch reused across pairs by one thread; zero-initialise. Two tables:
 * the keyed one stays built across a run of pairs with the same B, and a
 * second walk the other way (dp_align_pair) builds the other without
 * destroying it. */
typedef struct dp_aligner {
    dp_anchor_table keyed, scratch;
    uint64_t *bits;             /* words in a fragment and covered: bit sets of
                                   each side (align.c) */
    size_t bits_cap;
    uint32_t *frag;             /* fragments as (a, b, len) triples */
    size_t frag_cap;
    uint64_t *pass;             /* a bit per position of A: its anchor passed
                                   B's filter */
    size_t pass_cap;
    int portable;               /* set: the portable paths only, whatever the CPU
                                   has (the tests hold the vector ones to them) */
    int no_avx512;              /* set: no AVX-512 path (the tests reach the AVX2
                                   filter pass on a CPU that has both) */
} dp_aligner;

void dp_aligner_free(dp_aligner *al);

/* Align word hashes a[na] and b[nb] into *out. Work is O(na * MAX_TRIES + nb);
 * DOPPEL_ERR_NOMEM only. */
doppel_status dp_align(dp_aligner *al, const uint32_t *a, uint32_t na, const uint32_t *b,
                       uint32_t nb, dp_alignment *out);

/* dp_align, reusing B's anchor table when key_b (non-zero, naming B's
 * words: the caller promises equal keys mean equal words) is the key of
 * the previous call: a run of pairs with one side in common builds it once. */
doppel_status dp_align_keyed(dp_aligner *al, const uint32_t *a, uint32_t na, const uint32_t *b,
                             uint32_t nb, uint64_t key_b, dp_alignment *out);

/* The same alignment seen from the other side (A and B exchanged). */
void dp_alignment_swap(dp_alignment *al);

/* 32-bit hashes of the words of normalized text (single spaces between
 * words), at most max words, into out (grown; *cap in values); returns the
 * count, or -1 when out of memory. */
long dp_word_hashes(const char *norm, size_t len, uint64_t seed, uint32_t max, uint32_t **out,
                    size_t *cap);
#endif
