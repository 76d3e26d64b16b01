/*
 * terms.h — the story level's tokenizer: turns raw or cleaned UTF-8 text into
 * the terms a news event is recognised by. Internal to the library.
 *
 * Every term is a short UTF-8 string whose first byte says what kind it is,
 * so the kinds never collide in one dictionary:
 *   'w' + Snowball stem        an ordinary word (stopwords dropped)
 *   'n' + folded words         a capitalized sequence ("n" "tara reid")
 *   'u' + number + ' ' + stem  a number with its unit ("u" "90 day")
 *   'd' + date part            a year ("d" "2013"), month-day ("d" "06-13")
 *                              or year-month ("d" "2013-06")
 *   'q' + stems                a quoted phrase, or a stem bigram inside a
 *                              long quotation
 * Flags tell the weighting how an occurrence was seen (in the title, written
 * as a name). The tokenizer only finds terms; weights are story.c's business.
 */
#ifndef DOPPEL_TERMS_H
#define DOPPEL_TERMS_H

#include "base/internal.h"

#define DP_TERM_WORD 'w'
#define DP_TERM_NAME 'n'
#define DP_TERM_UNIT 'u'
#define DP_TERM_DATE 'd'
#define DP_TERM_QUOTE 'q'

#define DP_TF_TITLE 1u /* the occurrence is in the title */
#define DP_TF_NAME 2u  /* a word written capitalized mid-sentence or as an acronym */
#define DP_TF_CASED 4u /* a word whose case is evidence here: not the first of a
                          sentence, not in a Title Case or all-capitals line */

/* Longest term the tokenizer emits, in bytes; longer ones are cut at a
 * character boundary (a 60-byte prefix identifies a phrase well enough). */
#define DP_TERM_MAX 64

typedef struct dp_terms dp_terms;

/* Receives one term occurrence; term is not NUL-terminated and is only valid
 * during the call. For a DP_TERM_WORD term made by the stemmer, form is the
 * word it was made from, folded to lower case as written (possessive 's and
 * apostrophes dropped, cut like a term at DP_TERM_MAX bytes), so that a stem
 * can be shown as a word ("explor" as "exploration"); NULL (form_len 0) for
 * every other term. Returning non-OK stops the scan with that status. */
typedef doppel_status (*dp_term_fn)(const char *term, size_t len, const char *form,
                                    size_t form_len, unsigned flags, void *user);

/* A tokenizer for one language: a Snowball algorithm name as libstemmer
 * knows it ("english", "german", ...). Stopword lists exist for English,
 * German, French and Spanish; other languages get stemming only and rely on
 * IDF to silence their function words. Not thread safe: one per thread. */
doppel_status dp_terms_new(const char *language, dp_terms **out);
void dp_terms_free(dp_terms *t);

/* Scan text (need not be NUL-terminated; invalid UTF-8 bytes act as spaces)
 * and call fn for every term occurrence. in_title adds DP_TF_TITLE to every
 * occurrence. */
doppel_status dp_terms_scan(dp_terms *t, const char *text, size_t len, int in_title,
                            dp_term_fn fn, void *user);

/* Is the folded (lower-case) word a stopword of the tokenizer's language? */
int dp_terms_is_stopword(const dp_terms *t, const char *word, size_t len);

#endif
