/*
 * jsonl.c — the validating JSONL line scanner (see jsonl.h for the contract).
 *
 * Design. A typical line is a few short members and one long "text" string,
 * so nearly all the time goes to walking string bodies. Strings are scanned
 * sixteen bytes at a time (64 where the CPU has AVX-512 BW) for the only
 * bytes that need a decision — '"', '\\', a control character or a
 * non-ASCII byte — and everything in between is skipped without being
 * copied. A requested string is copied only from its first backslash on,
 * and then decoded in the same pass, whole runs between special bytes at a
 * time (with AVX-512, each block is stored as it is scanned: one pass).
 *
 * Structure is checked by an explicit state machine (value / after-value /
 * key) with the open arrays and objects kept as one bit each, so nesting
 * costs no recursion and the depth limit is a plain comparison.
 *
 * Scratch stability: every decoded string is no longer than its escaped
 * source plus quotes, so scratch is reserved once to len + 1 bytes before the
 * first decode and never moves while pointers into it are handed out.
 */
#include "io/jsonl.h"

#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define JSONL_AVX512 1
#define JSONL_AVX512_TARGET "avx512f,avx512bw,bmi,bmi2"
#endif

/* ---- byte classes ------------------------------------------------------------ */

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* High bit of each byte of w that is '"', '\\', < 0x20 or >= 0x80. Borrows
 * may set bits above a true hit but never below one, so the lowest set bit
 * is always exact. (For a byte x, x - c has its high bit set when x == c
 * wrapped to 0xFF, or when x >= 0x80 — which the final "| w" flags anyway.) */
static inline uint64_t special_mask(uint64_t w) {
    uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');
    return ((q - ONES) | (b - ONES) | (w - ONES * 0x20) | w) & HIGHS;
}

static inline int is_special(unsigned char c) {
    return c == '"' || c == '\\' || c < 0x20 || c >= 0x80;
}

/* First byte in [p, end) that is special, or end. */
static inline const unsigned char *find_special(const unsigned char *p,
                                                const unsigned char *end) {
#ifdef __SSE2__
    /* The same classes from byte compares: as signed bytes, those >= 0x80
     * are negative, so "< 0x20" catches them with the control characters. */
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
                  space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash));
        m = _mm_or_si128(m, _mm_cmplt_epi8(v, space));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits) return p + __builtin_ctz(bits);
        p += 16;
    }
#endif
    while (end - p >= 16) {
        uint64_t a, b;
        memcpy(&a, p, 8);  /* unaligned loads; compilers emit one mov each */
        memcpy(&b, p + 8, 8);
        uint64_t ma = special_mask(a), mb = special_mask(b);
        if (ma | mb) {
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return ma ? p + (__builtin_ctzll(ma) >> 3) : p + 8 + (__builtin_ctzll(mb) >> 3);
#else
            break;  /* the byte loop below finds it */
#endif
        }
        p += 16;
    }
    while (p < end && !is_special(*p)) p++;
    return p;
}

#ifdef JSONL_AVX512
/* The same classes 64 bytes a compare, where dp_cpu_avx512bw() says so: a
 * text's runs between escapes are a few hundred bytes. As signed bytes,
 * those >= 0x80 are negative, so "< 0x20" catches them too. */
__attribute__((target(JSONL_AVX512_TARGET))) static inline __mmask64 special64(__m512i v) {
    return _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"')) |
           _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\')) |
           _mm512_cmplt_epi8_mask(v, _mm512_set1_epi8(0x20));
}

/* find_special, 64 bytes at a time; the last block is a masked load, which
 * reads no byte at or past end. */
__attribute__((target(JSONL_AVX512_TARGET))) static const unsigned char *
find_special_avx512(const unsigned char *p, const unsigned char *end) {
    for (; end - p >= 64; p += 64) {
        __mmask64 m = special64(_mm512_loadu_si512((const void *)p));
        if (m) return p + _tzcnt_u64(m);
    }
    if (p == end) return end;
    __mmask64 in = _bzhi_u64(~0ull, (unsigned)(end - p));
    __mmask64 m = special64(_mm512_maskz_loadu_epi8(in, p)) & in;
    return m ? p + _tzcnt_u64(m) : end;
}

/* find_special that also copies the bytes before the special one to *o
 * (and advances it): a string being decoded is read once, not scanned and
 * then copied. Writes only the bytes it copies (whole blocks of 64 where
 * no special byte is, masked stores else), so *o never runs past what the
 * copy needs. */
__attribute__((target(JSONL_AVX512_TARGET))) static const unsigned char *
copy_to_special_avx512(const unsigned char *p, const unsigned char *end, char **o) {
    char *out = *o;
    __mmask64 m = 0;
    __m512i v;
    for (; end - p >= 64; p += 64, out += 64) {
        v = _mm512_loadu_si512((const void *)p);
        if ((m = special64(v))) goto found;
        _mm512_storeu_si512((void *)out, v);
    }
    if (p < end) {
        __mmask64 in = _bzhi_u64(~0ull, (unsigned)(end - p));
        v = _mm512_maskz_loadu_epi8(in, p);
        m = special64(v) & in;
        if (!m) {
            _mm512_mask_storeu_epi8(out, in, v);
            *o = out + (end - p);
            return end;
        }
        goto found;
    }
    *o = out;
    return p;
found: {
        unsigned k = (unsigned)_tzcnt_u64(m);
        _mm512_mask_storeu_epi8(out, _bzhi_u64(~0ull, k), v);
        *o = out + k;
        return p + k;
    }
}
#endif

static inline const unsigned char *skip_ws(const unsigned char *p, const unsigned char *end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or 0. *p is >= 0x80. */
static inline size_t utf8_len(const unsigned char *p, const unsigned char *end) {
    unsigned c = p[0];
    size_t avail = (size_t)(end - p);
    if (c < 0xC2) return 0;
    if (c < 0xE0) return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    unsigned lo = 0x80, hi = 0xBF;
    if (c < 0xF0) {
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;  /* U+D800..DFFF are not characters */
        return avail >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c > 0xF4) return 0;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
    return avail >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 &&
                   (p[3] & 0xC0) == 0x80
               ? 4
               : 0;
}

static inline int hexval(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    c |= 0x20;  /* fold case */
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* The four hex digits at p (already validated). */
static inline unsigned hex4(const unsigned char *p) {
    return (unsigned)(hexval(p[0]) << 12 | hexval(p[1]) << 8 | hexval(p[2]) << 4 | hexval(p[3]));
}

static inline int is_hex4(const unsigned char *p) {
    return (hexval(p[0]) | hexval(p[1]) | hexval(p[2]) | hexval(p[3])) >= 0;
}

/* ---- strings ----------------------------------------------------------------- */

typedef struct scanner {
    const unsigned char *start, *end;
    const unsigned char *err_at;
    doppel_buf *scratch;
    int reserved;  /* scratch holds len + 1 bytes */
    int wide;      /* the AVX-512 string scans (dp_cpu_avx512bw) */
} scanner;

/* The first special byte in [p, end), or end, by the widest path. */
static inline const unsigned char *next_special(const scanner *sc, const unsigned char *p,
                                                const unsigned char *end) {
#ifdef JSONL_AVX512
    if (sc->wide) return find_special_avx512(p, end);
#endif
    return find_special(p, end);
}

/* The escape at p (a backslash): its length, 2 or 6, with the byte or UTF-16
 * code unit it stands for in *cp; 0 when it is not a JSON escape. */
static inline size_t escape_at(const unsigned char *p, const unsigned char *end, unsigned *cp) {
    if (end - p < 2) return 0;
    switch (p[1]) {
    case '"': *cp = '"'; return 2;
    case '\\': *cp = '\\'; return 2;
    case '/': *cp = '/'; return 2;
    case 'b': *cp = '\b'; return 2;
    case 'f': *cp = '\f'; return 2;
    case 'n': *cp = '\n'; return 2;
    case 'r': *cp = '\r'; return 2;
    case 't': *cp = '\t'; return 2;
    case 'u':
        if (end - p < 6 || !is_hex4(p + 2)) return 0;
        *cp = hex4(p + 2);
        return 6;
    default: return 0;
    }
}

static inline char *put_utf8(char *o, unsigned cp) {
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | cp >> 6);
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | cp >> 12);
        *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | cp >> 18);
        *o++ = (char)(0x80 | (cp >> 12 & 0x3F));
        *o++ = (char)(0x80 | (cp >> 6 & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

/* Validate the UTF-8 run starting at p (*p >= 0x80) up to the next ASCII
 * byte. Non-Latin text is non-ASCII for long stretches: staying here avoids
 * restarting the word loop for every character. NULL when invalid. */
static inline const unsigned char *utf8_run(scanner *sc, const unsigned char *p) {
    do {
        size_t k = utf8_len(p, sc->end);
        if (!k) {
            sc->err_at = p;
            return NULL;
        }
        p += k;
    } while (p < sc->end && *p >= 0x80);
    return p;
}

/* The rest of a string that is being decoded: p is at its first backslash
 * and o is where the body before it was copied to. Writes the decoded text,
 * NUL-terminated, and sets *pp past the closing quote. Never writes more
 * than the source holds: every escape is at least as long as its UTF-8. */
static int scan_decode(scanner *sc, const unsigned char **pp, const unsigned char *p, char *o,
                       char **dec, size_t *dec_len) {
    const unsigned char *end = sc->end;
    char *o0 = *dec;
    for (;;) {
#ifdef JSONL_AVX512
        if (sc->wide) {
            p = copy_to_special_avx512(p, end, &o);
        } else
#endif
        {
            const unsigned char *q = find_special(p, end);
            memcpy(o, p, (size_t)(q - p));
            o += q - p;
            p = q;
        }
        if (p == end) break;
        unsigned c = *p;
        if (c == '"') {
            *o = '\0';
            *dec_len = (size_t)(o - o0);
            *pp = p + 1;
            return DP_JSONL_OK;
        }
        if (c == '\\') {
            unsigned cp, lo;
            size_t k = escape_at(p, end, &cp);
            if (!k) break;
            p += k;
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                /* A high surrogate joins the low one that follows; anything
                 * else is a lone surrogate, which has no UTF-8 form: U+FFFD,
                 * and what follows is read on its own. */
                if (cp <= 0xDBFF && p < end && *p == '\\' && escape_at(p, end, &lo) == 6 &&
                    lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                } else {
                    cp = 0xFFFD;
                }
            }
            o = put_utf8(o, cp);
            continue;
        }
        if (c < 0x20) break;
        const unsigned char *run = p;
        if (!(p = utf8_run(sc, p))) return DP_JSONL_BAD_UTF8;
        memcpy(o, run, (size_t)(p - run));
        o += p - run;
    }
    sc->err_at = p;
    return DP_JSONL_BAD_STRING;  /* unterminated, bad escape, control character */
}

/* Scan the string whose body starts at *pp (just after the opening quote)
 * and set *pp past the closing quote. When decode is set and the string
 * holds an escape, it is decoded into scratch after scratch->len (not
 * committed: the caller adds *dec_len + 1 to keep it) and *dec points to it;
 * otherwise *dec is NULL and the body in the line is the value. */
static int scan_string(scanner *sc, const unsigned char **pp, int decode, char **dec,
                       size_t *dec_len) {
    const unsigned char *s = *pp, *p = s, *end = sc->end;
    *dec = NULL;
    for (;;) {
        p = next_special(sc, p, end);
        if (p == end) break;  /* unterminated */
        unsigned c = *p;
        if (c == '"') {
            *pp = p + 1;
            return DP_JSONL_OK;
        }
        if (c == '\\') {
            if (decode) {
                if (!sc->reserved) {
                    if (dp_buf_reserve(sc->scratch, (size_t)(end - sc->start) + 1)) {
                        sc->err_at = p;
                        return DP_JSONL_NOMEM;
                    }
                    sc->reserved = 1;
                }
                char *o = sc->scratch->data + sc->scratch->len;
                memcpy(o, s, (size_t)(p - s));
                *dec = o;
                return scan_decode(sc, pp, p, o + (p - s), dec, dec_len);
            }
            unsigned cp;
            size_t k = escape_at(p, end, &cp);
            if (!k) break;
            p += k;
            continue;
        }
        if (c < 0x20) break;  /* RFC 8259 wants control characters escaped */
        if (!(p = utf8_run(sc, p))) return DP_JSONL_BAD_UTF8;
    }
    sc->err_at = p;
    return DP_JSONL_BAD_STRING;
}

/* ---- numbers ----------------------------------------------------------------- */

/* The end of the number starting at p (RFC 8259 grammar), or NULL with
 * sc->err_at set. What follows the number is checked by the caller. */
static const unsigned char *scan_number(scanner *sc, const unsigned char *p) {
    const unsigned char *end = sc->end;
    if (*p == '-') p++;
    if (p < end && *p == '0') {
        p++;  /* no leading zeros: "01" ends after the 0 and fails as syntax */
    } else if (p < end && *p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') p++;
    } else {
        sc->err_at = p;
        return NULL;
    }
    if (p < end && *p == '.') {
        p++;
        if (p == end || *p < '0' || *p > '9') {
            sc->err_at = p;
            return NULL;
        }
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        if (p == end || *p < '0' || *p > '9') {
            sc->err_at = p;
            return NULL;
        }
        while (p < end && *p >= '0' && *p <= '9') p++;
    }
    return p;
}

/* ---- the scanner ------------------------------------------------------------- */

static void set_fields(dp_jsonl_field *fields, uint64_t want, dp_jsonl_type type,
                       const void *value, size_t len, int terminated) {
    for (size_t i = 0; want; i++, want >>= 1)
        if (want & 1) {
            fields[i].type = type;
            fields[i].value = value;
            fields[i].len = len;
            fields[i].terminated = terminated;
        }
}

int dp_jsonl_scan(const char *line, size_t len, dp_jsonl_field *fields, size_t nfields,
                  doppel_buf *scratch, size_t *err_pos) {
    scanner sc = {(const unsigned char *)line, (const unsigned char *)line + len, NULL,
                  scratch, 0, dp_cpu_avx512bw()};
    const unsigned char *p = sc.start, *end = sc.end;
    size_t name_len[DP_JSONL_MAX_FIELDS];
    /* Bit d of stack: the container at depth d + 1 is an array. Bits are
     * written on entry before they are read, so it needs no clearing. */
    uint64_t stack[DP_JSONL_MAX_DEPTH / 64];
    size_t depth = 0;   /* open arrays and objects */
    uint64_t want = 0;  /* fields the next value belongs to (top level only) */
    const unsigned char *s;
    char *dec;
    size_t dec_len;
    int code = DP_JSONL_OK;
    if (nfields > DP_JSONL_MAX_FIELDS) {
        code = DP_JSONL_TOO_MANY;
        goto fail;
    }
    for (size_t i = 0; i < nfields; i++) {
        fields[i].type = DP_JSONL_ABSENT;
        fields[i].value = NULL;
        fields[i].len = 0;
        fields[i].terminated = 0;
        name_len[i] = fields[i].name ? strlen(fields[i].name) : 0;
    }
    scratch->len = 0;

    p = skip_ws(p, end);
    if (p == end) {
        code = DP_JSONL_EMPTY;
        goto fail;
    }
    if (*p != '{') {
        code = DP_JSONL_NOT_OBJECT;
        goto fail;
    }

value:
    if (p == end) goto syntax;
    if (depth >= DP_JSONL_MAX_DEPTH) {  /* this value would be at depth + 1 */
        code = DP_JSONL_DEPTH;
        goto fail;
    }
    switch (*p) {
    case '{':
    case '[': {
        int is_array = *p == '[';
        if (want) set_fields(fields, want, DP_JSONL_OTHER, NULL, 0, 0);
        want = 0;
        uint64_t bit = 1ull << (depth & 63);
        if (is_array) stack[depth >> 6] |= bit;
        else stack[depth >> 6] &= ~bit;
        depth++;
        p = skip_ws(p + 1, end);
        if (p < end && *p == (is_array ? ']' : '}')) {
            depth--;
            p++;
            goto after;
        }
        if (is_array) goto value;
        goto key;
    }
    case '"':
        s = ++p;
        if ((code = scan_string(&sc, &p, want != 0, &dec, &dec_len))) goto fail;
        if (want) {
            if (!dec) {
                set_fields(fields, want, DP_JSONL_STRING, s, (size_t)(p - 1 - s), 0);
            } else {
                scratch->len += dec_len + 1;  /* commit, NUL included */
                set_fields(fields, want, DP_JSONL_STRING, dec, dec_len, 1);
            }
            want = 0;
        }
        goto after;
    case 't':
    case 'f':
    case 'n': {
        const char *lit = *p == 't' ? "true" : *p == 'f' ? "false" : "null";
        size_t n = strlen(lit);
        if ((size_t)(end - p) < n || memcmp(p, lit, n) != 0) goto syntax;
        if (want) set_fields(fields, want, DP_JSONL_OTHER, NULL, 0, 0);
        want = 0;
        p += n;
        goto after;
    }
    default:
        if (*p == '-' || (*p >= '0' && *p <= '9')) {
            s = p;
            if (!(p = scan_number(&sc, p))) {
                code = DP_JSONL_BAD_NUMBER;
                goto fail;
            }
            if (want) set_fields(fields, want, DP_JSONL_NUMBER, s, (size_t)(p - s), 0);
            want = 0;
            goto after;
        }
        goto syntax;
    }

after:
    p = skip_ws(p, end);
    if (depth == 0) goto done;
    if (p == end) goto syntax;
    if (stack[(depth - 1) >> 6] >> ((depth - 1) & 63) & 1) {
        if (*p == ',') {
            p = skip_ws(p + 1, end);
            goto value;
        }
        if (*p != ']') goto syntax;
    } else {
        if (*p == ',') {
            p = skip_ws(p + 1, end);
            goto key;
        }
        if (*p != '}') goto syntax;
    }
    depth--;
    p++;
    goto after;

key:
    if (p == end || *p != '"') goto syntax;
    s = ++p;
    /* Keys are compared decoded ("t\u0065xt" is "text"); a decoded key is
     * left uncommitted in scratch, to be overwritten. */
    if ((code = scan_string(&sc, &p, 1, &dec, &dec_len))) goto fail;
    {
        const char *k = (const char *)s;
        size_t klen = (size_t)(p - 1 - s);
        if (dec) {
            if (memchr(dec, '\0', dec_len)) {
                sc.err_at = s - 1;
                code = DP_JSONL_NUL_KEY;
                goto fail;
            }
            k = dec;
            klen = dec_len;
        }
        if (depth == 1)
            for (size_t i = 0; i < nfields; i++)
                if (fields[i].name && name_len[i] == klen && memcmp(fields[i].name, k, klen) == 0)
                    want |= 1ull << i;
    }
    p = skip_ws(p, end);
    if (p == end || *p != ':') goto syntax;
    p = skip_ws(p + 1, end);
    goto value;

done:
    if (p != end) {
        code = DP_JSONL_TRAILING;
        goto fail;
    }
    return DP_JSONL_OK;

syntax:
    code = DP_JSONL_SYNTAX;
fail:
    if (err_pos) *err_pos = (size_t)((sc.err_at ? sc.err_at : p) - sc.start);
    return code;
}

const char *dp_jsonl_strerror(int code) {
    switch (code) {
    case DP_JSONL_OK: return "ok";
    case DP_JSONL_EMPTY: return "empty line";
    case DP_JSONL_NOT_OBJECT: return "not a JSON object";
    case DP_JSONL_SYNTAX: return "unexpected character or end of line";
    case DP_JSONL_BAD_STRING: return "unterminated string, control character or invalid escape";
    case DP_JSONL_BAD_UTF8: return "invalid UTF-8";
    case DP_JSONL_BAD_NUMBER: return "invalid number";
    case DP_JSONL_NUL_KEY: return "NUL byte in object key";
    case DP_JSONL_DEPTH: return "nested too deeply";
    case DP_JSONL_TRAILING: return "data after the object";
    case DP_JSONL_NOMEM: return "out of memory";
    case DP_JSONL_TOO_MANY: return "too many fields requested";
    default: return "unknown error";
    }
}
