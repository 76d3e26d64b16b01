/*
 * phrases.h — the phrase tables and one-block layout tests of phrases.c,
 * used by the scorer (boilerplate.c), and the date-stamp test of
 * dateline.c. Not installed.
 *
 * "words" below is always the dp_lower_words form of a block (n bytes)
 * followed by PHRASE_PAD NUL bytes.
 */
#ifndef DOPPEL_EXTRACT_PHRASES_H
#define DOPPEL_EXTRACT_PHRASES_H

#include "extract/extract_int.h"

/* Phrases are found by their first PHRASE_PREFIX bytes, loaded as one
 * number; the lower_words form is followed by that many NUL bytes, so the
 * load is safe at any word start. */
#define PHRASE_PREFIX 4
/* The NUL bytes after the lower_words form: room for that load and for the
 * 64 bytes at a time the word starts are found in. */
#define PHRASE_PAD 64

/* Build the phrase indexes (once per process; thread-safe). */
void dp_phrases_init(void);
/* An advertisement marker ("Advertisement", "Anzeige") occurs in words. */
int dp_is_advert(const char *words, size_t n);
/* The drop reason when the block s[0..len) is a prompt (subscribe, share,
 * login, legal, ...), not prose that mentions one; 0 otherwise. w: its
 * word counts; ends: it ends a sentence. */
int dp_prompt_reason(const dp_words *w, int ends, const char *s, size_t len, const char *words,
                     size_t n);
/* Opens a teaser section: a marker ("most popular") and at most two words more. */
int dp_starts_with_marker(const char *words, size_t n, uint32_t nwords);
/* A breadcrumb ("Home > World") or a menu of short items between separators. */
int dp_is_breadcrumb(const char *s, size_t len, const dp_words *w);
/* A photo credit ("Photo: AP", "KIM WON JIN/AFP/WireImage"). */
int dp_is_credit(const char *s, size_t len, const dp_words *w);
/* A byline ("By Jo Marsh"). */
int dp_is_byline(const char *s, size_t len, const dp_words *w);
/* A one-word control of the page ("Menu", "Share", "Next"). */
int dp_is_control(const char *words, uint32_t nwords);
/* Ends with "..." or an ellipsis: a teaser blurb. */
int dp_truncated(const char *s, size_t len);
/* Only a date or time stamp, perhaps labelled ("Posted at 6:47am on 14
 * Jan 2008"); words: the dp_lower_words form (dateline.c). */
int dp_is_dateline(const char *words, size_t n);
/* Legal boilerplate in sentences: three different words of copyright
 * law ("copyright", "prohibited", "redistribution", "consent", ...), in the
 * lower_words form (a space at both ends). */
int dp_is_legal(const char *words, size_t n);
/* dp_is_legal of the lower_words form of s[0..len), from s itself (no
 * form to write first): the scorer's test for long prose. */
int dp_is_legal_text(const char *s, size_t len);
/* dp_is_legal_text without the AVX-512 path it picks at run time (the
 * reference for tests). */
int dp_is_legal_text_portable(const char *s, size_t len);
/* The filter of dp_is_legal_text's AVX-512 path, PHRASE_PREFIX rows
 * (static; built on the first call): byte j of a word start passes for
 * the buckets row[j][byte & 63] of legal words whose letter j (in either
 * case) has those low 6 bits; a legal word starts only where all of
 * j = 0..PHRASE_PREFIX-1 share a bucket. For dp_count_words_legal, which
 * applies it on its own pass over a block. */
const uint8_t (*dp_legal_filter(void))[64];
/* Contains the copyright sign. */
int dp_has_copyright_sign(const char *s, size_t len);

#endif
