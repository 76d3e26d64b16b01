/*
 * lowerwords.c — the form phrases and repeated lines are matched in:
 * " word word ... ", ASCII letters lowered, other ASCII punctuation a
 * space, non-ASCII bytes kept (dp_lower_words). 16 bytes at a time with
 * SSE2, 64 with AVX-512 VBMI2 where the CPU has it.
 */
#include "extract/extract_int.h"
#include "extract/bits.h"

#include <pthread.h>
#include <string.h>

/* A-Z lowered, other ASCII punctuation a space, the rest kept. */
static uint8_t lw_map[256];
#ifdef HAVE_AVX512
static int lower_avx512;  /* the CPU has what lower_words_avx512 uses */
#endif
static pthread_once_t lw_once = PTHREAD_ONCE_INIT;

static void lw_init(void) {
#ifdef HAVE_AVX512
    lower_avx512 = dp_cpu_avx512_vbmi2();
#endif
    for (int c = 0; c < 256; c++) {
        uint8_t l = (uint8_t)c;
        if (c >= 'A' && c <= 'Z') l = (uint8_t)(c + 32);
        else if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) l = ' ';
        lw_map[c] = l;
    }
}

/* lower_words of s[i..end) appended at o[n], after a space when
 * *last_space; returns the new n. Branch-free: every byte is written, and
 * n advances unless it is a second space; the flag keeps o[n - 1] in a
 * register, so that no iteration waits for the previous store. */
static size_t lower_bytes(const unsigned char *s, size_t i, size_t end, char *o, size_t n,
                          int *last_space) {
    int sp = *last_space;
    for (; i < end; i++) {
        char c = (char)lw_map[s[i]];
        o[n] = c;
        n += !(c == ' ' && sp);
        sp = c == ' ';
    }
    *last_space = sp;
    return n;
}

#ifdef HAVE_AVX512
/* dp_lower_words of s[0..len) appended at o[n] (as lower_bytes; returns the
 * new n): 64 bytes at a time mapped with compares, the second space of
 * each pair squeezed out with VBMI2's compress, so ", " costs nothing
 * extra. The last chunk is read and written with masks, which do not
 * fault past the ends. */
__attribute__((target("avx512f,avx512bw,avx512vbmi2"))) static size_t lower_words_avx512(
    const unsigned char *s, size_t len, char *o, size_t n, int *last_space) {
    const __m512i bit5 = _mm512_set1_epi8(0x20), space = _mm512_set1_epi8(' ');
    for (size_t i = 0; i < len; i += 64) {
        size_t avail = DP_MIN(len - i, (size_t)64);
        uint64_t in = avail == 64 ? ~0ull : (1ull << avail) - 1;
        __m512i v = _mm512_maskz_loadu_epi8(in, s + i);
        __m512i y = _mm512_or_si512(v, bit5);  /* A-Z to a-z */
        __mmask64 alpha = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(y, _mm512_set1_epi8('a')),
                                                 _mm512_set1_epi8(26));
        __mmask64 digit = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('0')),
                                                 _mm512_set1_epi8(10));
        __mmask64 keep = alpha | digit | _mm512_movepi8_mask(v);
        __m512i out = _mm512_mask_mov_epi8(space, keep, _mm512_mask_mov_epi8(v, alpha, y));
        uint64_t sp = ~(uint64_t)keep & in;  /* bytes that become ' ' */
        uint64_t write = in & ~(sp & ((sp << 1) | (uint64_t)*last_space));
        uint32_t k = bit_count(write);
        _mm512_mask_storeu_epi8(o + n, k == 64 ? ~0ull : (1ull << k) - 1,
                                _mm512_maskz_compress_epi8(write, out));
        n += k;
        *last_space = (int)(sp >> (avail - 1) & 1);
    }
    return n;
}
#endif

/* dp_lower_words, the tables set up; wide: with lower_words_avx512. */
static size_t lower_words_to(const char *str, size_t len, char *o, int wide) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, n = 0;
    int last_space = 1;
    o[n++] = ' ';
#ifdef HAVE_AVX512
    if (wide) {
        n = lower_words_avx512(s, len, o, n, &last_space);
        i = len;
    }
#endif
    (void)wide;
#ifdef __SSE2__
    /* 16 bytes at a time, mapped with compares; a chunk that would put two
     * spaces in a row (", " and ". " do, some 30-40 bytes apart in prose)
     * goes through lower_bytes, the others are stored whole. */
    const __m128i space = _mm_set1_epi8(' '), bit5 = _mm_set1_epi8(0x20);
    const __m128i a_lo = _mm_set1_epi8('a' - 1), a_hi = _mm_set1_epi8('z' + 1);
    const __m128i d_lo = _mm_set1_epi8('0' - 1), d_hi = _mm_set1_epi8('9' + 1);
    for (; i + 16 <= len; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i y = _mm_or_si128(v, bit5);  /* A-Z to a-z; other letters unchanged */
        /* Signed compares: non-ASCII bytes are negative and fail the ranges. */
        __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(y, a_lo), _mm_cmplt_epi8(y, a_hi));
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, d_lo), _mm_cmplt_epi8(v, d_hi));
        __m128i high = _mm_cmplt_epi8(v, _mm_setzero_si128());
        __m128i keep = _mm_or_si128(_mm_or_si128(alpha, digit), high);
        unsigned sp = ~(unsigned)_mm_movemask_epi8(keep) & 0xFFFFu;  /* bytes that become ' ' */
        if (sp & ((sp << 1) | (unsigned)last_space)) {
            n = lower_bytes(s, i, i + 16, o, n, &last_space);
            continue;
        }
        __m128i out = _mm_or_si128(_mm_and_si128(alpha, y), _mm_andnot_si128(alpha, v));
        out = _mm_or_si128(_mm_and_si128(keep, out), _mm_andnot_si128(keep, space));
        _mm_storeu_si128((__m128i *)(void *)(o + n), out);  /* n + 16 <= i + 17 <= len + 1 */
        n += 16;
        last_space = (int)(sp >> 15);
    }
#endif
    n = lower_bytes(s, i, len, o, n, &last_space);
    if (!last_space) o[n++] = ' ';
    return n;
}

size_t dp_lower_words(const char *s, size_t len, char *o) {
    pthread_once(&lw_once, lw_init);
#ifdef HAVE_AVX512
    return lower_words_to(s, len, o, lower_avx512);
#else
    return lower_words_to(s, len, o, 0);
#endif
}

size_t dp_lower_words_portable(const char *s, size_t len, char *o) {
    pthread_once(&lw_once, lw_init);
    return lower_words_to(s, len, o, 0);
}

