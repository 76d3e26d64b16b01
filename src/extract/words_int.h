/*
 * words_int.h — what words.c shares with its AVX-512 VBMI count
 * (words_vbmi.c): the stopword table's lookup and the tally of a count.
 * Private to those two files.
 */
#ifndef DOPPEL_EXTRACT_WORDS_INT_H
#define DOPPEL_EXTRACT_WORDS_INT_H

#include "extract/extract_int.h"
#include "extract/bits.h"

/* The stopword table (words.c) as the vector count reads it: a key is a
 * word of at most SW_MAXLEN bytes, lowered and zero-padded into a
 * uint64_t; its slot is (key * mult) >> SW_SHIFT of SW_SLOTS, and
 * slot_key[slot] holds the one stopword key that can be there (a key no
 * word has when none). Passed in, so the files call each other one way. */
#define SW_SLOTS 4096  /* power of two */
#define SW_SHIFT (64 - 12)
#define SW_MAXLEN 8
typedef struct dp_sw_table {
    uint64_t mult;
    const uint64_t *slot_key;
} dp_sw_table;

/* Counts of dp_count_words as it goes. */
typedef struct word_tally {
    uint32_t words, stop, caps, lower_stop, letters, digits;
} word_tally;

#ifdef HAVE_AVX512
/* The counts of s[0..len) added to t with AVX-512 F/BW/DQ/VBMI/VBMI2 (the
 * caller checked the CPU has them). */
void dp_count_stride_vbmi(const unsigned char *s, size_t len, const dp_sw_table *sw,
                          word_tally *t);
/* dp_count_stride_vbmi, and the number of word starts where a legal word
 * may begin by the filter legal (dp_count_words_legal). */
uint32_t dp_count_stride_legal_vbmi(const unsigned char *s, size_t len, const dp_sw_table *sw,
                                    const uint8_t (*legal)[64], word_tally *t);
#endif

#endif
