/*
 * bits.h — what the word scanners (words.c, lowerwords.c) share: which
 * vector paths this build can have, and a popcount. Not installed.
 */
#ifndef DOPPEL_EXTRACT_BITS_H
#define DOPPEL_EXTRACT_BITS_H

#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
/* dp_count_words reads 64-byte windows as bit masks (it needs ctz/clz and
 * little-endian keys); it and dp_lower_words use AVX-512 where the CPU has
 * it. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WORD_WINDOWS 1
#ifdef __x86_64__
#include <immintrin.h>
#define HAVE_AVX512 1
#endif
#endif


/* The bits set in x. Written out because __builtin_popcountll is a call
 * into libgcc without -mpopcnt; GCC turns this into one popcnt instruction
 * where the target has it (the AVX-512 paths). */
static inline uint32_t bit_count(uint64_t x) {
    x -= (x >> 1) & 0x5555555555555555ull;
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (uint32_t)((x * 0x0101010101010101ull) >> 56);
}

#endif
