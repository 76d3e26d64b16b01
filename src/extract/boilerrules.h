/*
 * boilerrules.h — the scorer's per-block features (boilerplate.c) and the
 * structural rules of boilerrules.c that read them. Not installed.
 */
#ifndef DOPPEL_EXTRACT_BOILERRULES_H
#define DOPPEL_EXTRACT_BOILERRULES_H

#include "extract/extract_int.h"

typedef struct dp_feat {
    dp_words w;
    float link_density;
    uint8_t visible;   /* takes part in scoring and is a neighbour */
    uint8_t heading;   /* marked up as one, or headline-like and short */
    uint8_t title;     /* dp_title_like */
    uint8_t ends;      /* ends a sentence */
    uint8_t truncated; /* ends with "..." or an ellipsis: a teaser blurb */
    uint8_t marker;    /* opens a teaser/related section */
    uint8_t init;      /* class from the block's own text, before context */
    uint8_t hashed;    /* repeat_hash is set */
    uint8_t no_legal;  /* dp_is_legal_text is 0: dp_count_words_legal found < 3 starts */
    uint64_t repeat_hash; /* of the lower_words form, for mark_repeats */
} dp_feat;

/* Teaser lists in sentences: drop runs of linked headline + blurb (hard,
 * DOPPEL_DROP_TEASER). Reads feat (visible, words, link density). */
void dp_drop_teaser_lists(doppel_extractor *ex);
/* Keep rows of a list or table in the article next to kept article text
 * (after the neighbour steps, before the fallback). */
void dp_keep_article_lists(doppel_extractor *ex);

#endif
