/* stopwords.h — per-language stopword lists for the story tokenizer. */
#ifndef DOPPEL_STOPWORDS_H
#define DOPPEL_STOPWORDS_H

#include <stddef.h>

/* The stopwords of a Snowball language name, lower case, in no particular
 * order; NULL with *count = 0 when doppel has no list for the language. */
const char *const *dp_stopwords(const char *language, size_t *count);

#endif
