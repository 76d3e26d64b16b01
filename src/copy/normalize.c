/*
 * normalize.c — turn raw UTF-8 into the canonical word stream doppel compares.
 *
 * Output: lower-case (Unicode case-folded) NFKC words separated by single
 * spaces. Two texts that differ only in case, Unicode presentation (ligatures,
 * full-width forms, composed vs decomposed accents), typographic quotes and
 * dashes, spacing or punctuation normalize to the same bytes.
 *
 * Punctuation rules (why: copies re-punctuate, and "U.S."/"US" or "don't"/
 * "dont" must not break shingles):
 *  - apostrophes, periods and commas are removed in place: "U.S." -> "us",
 *    "don't" -> "dont", "1,234.5" -> "12345";
 *  - every other punctuation, symbol, control or separator character ends
 *    the word: "long-term" -> "long term", "and/or" -> "and or";
 *  - letters, digits and combining marks are kept.
 *
 * Speed: most input is ASCII, so ASCII bytes take a table-driven path, and
 * with SSE2 16 bytes at a time wherever the output is the input lower-cased
 * with breaks as spaces (ascii_block); where the CPU has AVX-512 VBMI2,
 * whole 64-byte ASCII blocks at a time (ascii_blocks64); a chunk that holds
 * any non-ASCII byte goes through utf8proc (decompose into a reused UTF-32
 * buffer, then compose), never through a per-call allocation.
 * Invalid UTF-8 sequences are counted and act as word breaks (the U+FFFD
 * they stand for is a symbol, and symbols break words).
 */
#include "base/internal.h"

#include <pthread.h>
#include <string.h>
#include <utf8proc.h>
/* Decided here, before <immintrin.h>: its target pragmas leave __SSE2__
 * defined after it even in a build that turned SSE2 off (-U__SSE2__, the
 * check of the portable path), and the 16-byte blocks must not come back. */
#ifdef __SSE2__
#define BLOCK16 1
#include <emmintrin.h>
#endif

enum { C_BREAK = 0, C_KEEP = 1, C_DROP = 2 };

/* Class of each ASCII byte; built once, read-only afterwards. */
static unsigned char ascii_class[128];
static char ascii_lower[128];
/* 0 = breaks the word, 1 = dropped in place, else the byte to write. */
static unsigned char ascii_map[128];
/* Built once per process, whichever thread normalizes first. */
static pthread_once_t ascii_once = PTHREAD_ONCE_INIT;

static void init_ascii(void) {
    for (int c = 0; c < 128; c++) {
        ascii_lower[c] = (char)c;
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            ascii_class[c] = C_KEEP;
        else if (c >= 'A' && c <= 'Z') {
            ascii_class[c] = C_KEEP;
            ascii_lower[c] = (char)(c - 'A' + 'a');
        } else if (c == '\'' || c == '.' || c == ',')
            ascii_class[c] = C_DROP;
        else
            ascii_class[c] = C_BREAK;
    }
    for (int c = 0; c < 128; c++)
        ascii_map[c] = ascii_class[c] == C_KEEP ? (unsigned char)ascii_lower[c]
                                                : ascii_class[c] == C_DROP ? 1 : 0;
}

/* Reused scratch space for the UTF-32 form of one non-ASCII chunk. */
typedef struct {
    utf8proc_int32_t *cp;
    size_t cap;
} u32buf;

static int classify_cp(utf8proc_int32_t c) {
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return C_KEEP;
    default:
        break;
    }
    /* Typographic apostrophes and the modifier-letter apostrophe fold to the
     * ASCII apostrophe, which is dropped in place. */
    if (c == 0x2018 || c == 0x2019 || c == 0x201B || c == 0x02BC || c == 0xFF07 || c == 0x2032)
        return C_DROP;
    if (c < 128) return ascii_class[c];
    return C_BREAK;
}

typedef struct {
    doppel_buf *out;
    int pending;   /* a break was seen since the last word byte */
} emitter;

static inline doppel_status emit_byte(emitter *e, char c) {
    if (e->pending && e->out->len) {
        doppel_status st = dp_buf_putc(e->out, ' ');
        if (st) return st;
    }
    e->pending = 0;
    return dp_buf_putc(e->out, c);
}

/* A break before the first word must not become a leading space: the ASCII
 * loop writes a pending space before its next word byte without looking at
 * the output's length, so pending is only ever set once there is output
 * (the ASCII loop keeps the same rule with its o != o_start). */
static inline void emit_break(emitter *e) { e->pending = e->out->len != 0; }

static doppel_status emit_unicode(emitter *e, const char *s, size_t len, u32buf *scratch,
                                  int redo);

/* Dropping a character joins its neighbours, which NFKC had seen apart:
 * "\u1100\u1161.\u11A8" or "e'\u0301" become a sequence that composes
 * differently (or needs its marks reordered), so the output would change
 * when normalized again. Such a chunk is rewritten without its dropped
 * characters (breaks as spaces) and normalized once more. Rare: only
 * apostrophes, periods and commas inside non-ASCII words take this path. */
static doppel_status redo_without_drops(emitter *e, const utf8proc_int32_t *cp,
                                        utf8proc_ssize_t n, u32buf *scratch) {
    size_t cap = (size_t)n * 4 + 1;
    char *tmp = dp_malloc(cap);
    if (!tmp) return DOPPEL_ERR_NOMEM;
    size_t len = 0;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        int cls = classify_cp(cp[i]);
        if (cls == C_BREAK) tmp[len++] = ' ';
        else if (cls == C_KEEP) len += (size_t)utf8proc_encode_char(cp[i], (utf8proc_uint8_t *)tmp + len);
    }
    /* cp lives in scratch, which the second pass reuses: tmp holds the text */
    doppel_status st = emit_unicode(e, tmp, len, scratch, 0);
    dp_free(tmp, cap);
    return st;
}

/* Normalize one chunk containing non-ASCII bytes; the chunk is valid UTF-8.
 * redo: a chunk whose dropped characters join neighbours may be normalized
 * once more (redo_without_drops); the second pass does not recurse. */
static doppel_status emit_unicode(emitter *e, const char *s, size_t len, u32buf *scratch,
                                  int redo) {
    const int opts = UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE |
                     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;
    utf8proc_ssize_t n;
    for (;;) {
        n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                               scratch->cp, (utf8proc_ssize_t)scratch->cap, opts);
        if (n < 0) return DOPPEL_ERR_FORMAT;  /* caller validated; defensive */
        if ((size_t)n <= scratch->cap) break;
        size_t cap = scratch->cap;
        void *p = scratch->cp;
        if (dp_grow(&p, &cap, (size_t)n, sizeof(utf8proc_int32_t))) return DOPPEL_ERR_NOMEM;
        scratch->cp = p;
        scratch->cap = cap;
    }
    n = utf8proc_normalize_utf32(scratch->cp, n, opts);
    if (n < 0) return DOPPEL_ERR_FORMAT;
    if (redo) {
        /* a dropped character with a kept one on each side joins them */
        int prev_keep = 0, dropped = 0;
        for (utf8proc_ssize_t i = 0; i < n; i++) {
            int cls = classify_cp(scratch->cp[i]);
            if (cls == C_KEEP) {
                if (prev_keep && dropped) return redo_without_drops(e, scratch->cp, n, scratch);
                prev_keep = 1;
                dropped = 0;
            } else if (cls == C_DROP) {
                dropped = 1;
            } else {
                prev_keep = dropped = 0;
            }
        }
    }
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        utf8proc_int32_t c = scratch->cp[i];
        int cls = classify_cp(c);
        if (cls == C_BREAK) {
            emit_break(e);
        } else if (cls == C_KEEP) {
            utf8proc_uint8_t enc[4];
            utf8proc_ssize_t k = utf8proc_encode_char(c, enc);
            for (utf8proc_ssize_t j = 0; j < k; j++) {
                doppel_status st = emit_byte(e, (char)enc[j]);
                if (st) return st;
            }
        }
    }
    return DOPPEL_OK;
}

#ifdef BLOCK16
/* Bit j of brk: s[j] is an ASCII break; of bad: s[j] is a byte the block
 * path leaves to the byte loop (dropped, NUL, non-ASCII). */
typedef struct {
    unsigned brk, bad;
} block_masks;

/* Classify the 16 bytes at s and store them at o as the byte loop writes
 * them when nothing is dropped: letters lower-cased, digits as they are,
 * every other byte a space. The same classes as init_ascii. */
static inline block_masks ascii_block(const unsigned char *s, char *o) {
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    /* Signed compares: non-ASCII bytes are negative and fail the ranges. */
    const __m128i y = _mm_or_si128(v, _mm_set1_epi8(0x20));  /* A-Z to a-z; digits keep */
    __m128i alpha = _mm_and_si128(_mm_cmpgt_epi8(y, _mm_set1_epi8('a' - 1)),
                                  _mm_cmplt_epi8(y, _mm_set1_epi8('z' + 1)));
    __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                  _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
    __m128i keep = _mm_or_si128(alpha, digit);
    __m128i odd = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\'')),
                                            _mm_cmpeq_epi8(v, _mm_set1_epi8('.'))),
                               _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')),
                                            _mm_cmpeq_epi8(v, _mm_setzero_si128())));
    __m128i space = _mm_andnot_si128(keep, _mm_set1_epi8(' '));
    _mm_storeu_si128((__m128i *)(void *)o, _mm_or_si128(_mm_and_si128(keep, y), space));
    unsigned k = (unsigned)_mm_movemask_epi8(keep);
    unsigned bad = (unsigned)_mm_movemask_epi8(odd) | (unsigned)_mm_movemask_epi8(v);
    return (block_masks){~(k | bad) & 0xFFFFu, bad};
}
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_BLOCK64 1

/* The ASCII loop's state, for ascii_blocks64. */
typedef struct {
    char *o;                /* the next output byte */
    int pending;            /* a space is owed before the next word byte */
    size_t word_in, word_out;
    int word_pending;       /* where the current word began (see normalize) */
    uint64_t nul;
} ascii_state;

static inline uint64_t upto(unsigned bit) {  /* bits 0..bit */
    return bit == 63 ? ~(uint64_t)0 : ((uint64_t)2 << bit) - 1;
}

/* Normalize whole 64-byte blocks of ASCII from s (input position at, avail
 * bytes to the end) as the byte loop would, stopping before a block that
 * holds a non-ASCII byte or at the last whole block; returns the bytes
 * taken.
 * Unlike the 16-byte blocks, dropped bytes and runs of breaks stay in the
 * block: AVX-512 VBMI2 compresses the bytes that are written, so the text
 * around every period and comma no longer leaves the block path.
 *
 * The bytes written: the word bytes, and every break whose nearest byte
 * before it, not counting dropped ones, is a word byte (the first space
 * after a word). That space is written lazily by the byte loop, once a word
 * byte follows; so the block's last such break is not written but left
 * pending, and a space pending from before is written before the block's
 * first word byte. pext and pdep find the nearest bytes with the dropped
 * ones squeezed out. */
__attribute__((target("avx512f,avx512bw,avx512vbmi2,bmi2"))) static size_t ascii_blocks64(
    const unsigned char *s, size_t avail, size_t at, const char *o_start, ascii_state *st) {
    const __m512i space = _mm512_set1_epi8(' ');
    char *o = st->o;
    int pending = st->pending;
    size_t taken = 0;
    /* The last block that held a break, as it was met: where the current
     * word began is worked out from it once, after the loop, not for every
     * block (only a word that turns out to hold a non-ASCII byte needs it). */
    int seen = 0, b_pending = 0;
    char *b_o = o;
    size_t b_taken = 0;
    uint64_t b_keep = 0, b_brk = 0, b_first = 0, nul = 0;
    for (; avail - taken >= 64; taken += 64) {
        __m512i v = _mm512_loadu_si512(s + taken);
        if (_mm512_movepi8_mask(v)) break;  /* a non-ASCII byte */
        /* The same classes as init_ascii. */
        __m512i y = _mm512_or_si512(v, _mm512_set1_epi8(0x20));  /* A-Z to a-z; digits keep */
        uint64_t keep = (_mm512_cmpge_epu8_mask(y, _mm512_set1_epi8('a')) &
                         _mm512_cmple_epu8_mask(y, _mm512_set1_epi8('z'))) |
                        (_mm512_cmpge_epu8_mask(v, _mm512_set1_epi8('0')) &
                         _mm512_cmple_epu8_mask(v, _mm512_set1_epi8('9')));
        uint64_t drop = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('.')) |
                        _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(',')) |
                        _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\''));
        uint64_t brk = ~(keep | drop);
        uint64_t zero = _mm512_cmpeq_epi8_mask(v, _mm512_setzero_si512());
        if (zero) nul += (uint64_t)__builtin_popcountll(zero);
        /* A word byte came last before the block: a first break is a space. */
        uint64_t keep_before = !pending && o != o_start;
        uint64_t kept = ~drop;
        uint64_t first_space = _pdep_u64(
            _pext_u64(brk, kept) & (_pext_u64(keep, kept) << 1 | keep_before), kept);
        if (brk) {
            seen = 1;
            b_taken = taken;
            b_o = o;
            b_pending = pending;
            b_keep = keep;
            b_brk = brk;
            b_first = first_space;
        }
        if (!keep) {
            if (brk) pending = o != o_start;
            continue;
        }
        uint64_t through_last_word = upto(63 - (unsigned)__builtin_clzll(keep));
        uint64_t write = keep | (first_space & through_last_word);
        *o = ' ';  /* the pending space, or overwritten by the block */
        o += pending;
        /* Capacity: o + 64 stays within the input still unread (see the
         * 16-byte blocks). */
        __m512i bytes = _mm512_mask_blend_epi8(keep, space, y);
        _mm512_storeu_si512(o, _mm512_maskz_compress_epi8(write, bytes));
        o += __builtin_popcountll(write);
        pending = (brk & ~through_last_word) != 0;
    }
    st->nul += nul;
    if (seen) {
        /* After the last break: the current word begins there. */
        unsigned b = 63 - (unsigned)__builtin_clzll(b_brk);
        uint64_t keep_b = b_keep & upto(b);
        st->word_in = at + b_taken + b + 1;
        if (keep_b) {
            unsigned k = 63 - (unsigned)__builtin_clzll(keep_b);
            st->word_out = (size_t)(b_o - o_start) + (unsigned)b_pending +
                           (unsigned)__builtin_popcountll(keep_b) +
                           (unsigned)__builtin_popcountll(b_first & upto(k));
            st->word_pending = 1;
        } else {
            st->word_out = (size_t)(b_o - o_start);
            st->word_pending = b_o != o_start;
        }
    }
    _mm256_zeroupper();
    st->o = o;
    st->pending = pending;
    return taken;
}
#endif

/* blocks: take 64 (with AVX-512 VBMI2) or 16 ASCII bytes at a time where
 * it can (0 for the tests, which check that all ways give the same bytes). */
static doppel_status normalize(const char *text, size_t len, doppel_buf *out,
                               doppel_norm_stats *stats, int blocks) {
    pthread_once(&ascii_once, init_ascii);
    out->len = 0;
    doppel_status st = dp_buf_reserve(out, len + 1);
    if (st) return st;
    emitter e = {out, 0};
    u32buf scratch = {NULL, 0};
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    /* Where the current word began, in input and output, so that a word
     * found to hold a non-ASCII byte can be redone whole by utf8proc. */
    int word_pending = 0;
    size_t word_in = 0, word_out = 0;
    uint64_t nul = 0;
#ifdef HAVE_BLOCK64
    int wide = blocks && dp_cpu_avx512_vbmi2();
    size_t wide_from = 0;  /* no 64-byte block before this input position */
#endif
    while (i < len) {
        /* The hot path, one table lookup per ASCII byte, on locals: a store
         * through a char pointer may alias anything, so writing through
         * out->data would reload out->len after every byte. Capacity holds:
         * ASCII input never produces more output bytes than it consumes. */
        char *o = out->data + out->len;
        const char *o_start = out->data;
        int pending = e.pending;
        while (i < len && s[i] < 128) {
#ifdef HAVE_BLOCK64
            if (wide && i >= wide_from && len - i >= 64) {
                ascii_state as = {o, pending, word_in, word_out, word_pending, nul};
                i += ascii_blocks64(s + i, len - i, i, o_start, &as);
                o = as.o;
                pending = as.pending;
                word_in = as.word_in;
                word_out = as.word_out;
                word_pending = as.word_pending;
                nul = as.nul;
                /* What follows is shorter than a block or not ASCII: the
                 * paths below take it. */
                wide_from = i + 64;
                continue;
            }
#endif
#ifdef BLOCK16
            if (blocks && len - i >= 16) {
                /* The block's bytes up to the first one that is not a
                 * word byte or a lone break map one to one (after the
                 * pending space): take them at once, and leave that byte
                 * to the loop below. Capacity: o + pending + 16 bytes
                 * stay within the len - i the input still bounds. */
                *o = ' ';  /* the pending space, or overwritten by the block */
                block_masks bm = ascii_block(s + i, o + pending);
                unsigned bad = bm.bad | (bm.brk & bm.brk << 1) |
                               (bm.brk & (unsigned)(pending | (o == o_start)));
                unsigned k = bad ? (unsigned)__builtin_ctz(bad) : 16;
                if (k) {
                    unsigned brk = bm.brk & ((1u << k) - 1);
                    if (brk) {
                        unsigned j = 31 - (unsigned)__builtin_clz(brk);  /* the last break */
                        word_in = i + j + 1;
                        word_out = (size_t)(o - o_start) + (unsigned)pending + j;
                        word_pending = 1;
                    }
                    unsigned last = brk >> (k - 1) & 1;  /* a trailing break stays pending */
                    o += (unsigned)pending + k - last;
                    pending = (int)last;
                    i += k;
                    if (k == 16) continue;
                }
                if (s[i] >= 128) break;
            }
#endif
            /* Branch-free: word bytes and breaks alternate unpredictably in
             * text, so every decision is arithmetic on 0/1 flags. */
            unsigned char c = s[i];
            unsigned m = ascii_map[c];
            int keep = m > 1, brk = m == 0;
            *o = ' ';
            o += pending & keep;
            *o = (char)m;
            o += keep;
            pending = (pending & !keep) | (brk & (o != o_start));
            nul += c == 0;
            /* After a break, the next word starts here: remember where, so
             * a word holding a non-ASCII byte can be redone by utf8proc. */
            if (brk) {
                word_in = i + 1;
                word_out = (size_t)(o - o_start);
                word_pending = pending;
            }
            i++;
        }
        out->len = (size_t)(o - o_start);
        e.pending = pending;
        if (i == len) break;
        i = word_in;
        out->len = word_out;
        e.pending = word_pending;
        size_t start = i;
        while (i < len) {
            if (s[i] < 128) {
                if (ascii_class[s[i]] == C_BREAK) break;
                i++;
                continue;
            }
            size_t k = dp_utf8_seq_len(s + i, len - i);
            if (!k) break;
            i += k;
        }
        if (i > start && (st = emit_unicode(&e, text + start, i - start, &scratch, 1))) break;
        if (i < len && s[i] >= 128) {
            /* dp_utf8_seq_len rejected this byte: an invalid sequence. */
            if (stats) stats->invalid_utf8++;
            emit_break(&e);
            i++;
        }
        word_in = i;
        word_out = out->len;
        word_pending = e.pending;
        /* NFKC may have expanded the output: restore the ASCII bound. */
        if ((st = dp_buf_reserve(out, out->len + (len - i) + 2))) break;
    }
    dp_free(scratch.cp, scratch.cap * sizeof(utf8proc_int32_t));
    if (stats) stats->nul_bytes += nul;
    if (st) return st;
    return dp_buf_terminate(out);
}

doppel_status doppel_normalize(const char *text, size_t len, doppel_buf *out,
                               doppel_norm_stats *stats) {
    return normalize(text, len, out, stats, 1);
}

doppel_status dp_normalize_bytewise(const char *text, size_t len, doppel_buf *out,
                                    doppel_norm_stats *stats) {
    return normalize(text, len, out, stats, 0);
}
