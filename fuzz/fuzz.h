/*
 * fuzz.h — what every doppel fuzz target shares.
 *
 * Each target is one file defining LLVMFuzzerTestOneInput. Built with
 * -fsanitize=fuzzer it is a libFuzzer binary; linked with driver.c instead
 * it is a plain program that runs the target on files (or stdin), which is
 * what AFL++ (afl-clang-fast, or any other compiler) and the regression
 * replay in `make test` use. The targets never print on success.
 *
 * A target checks properties, not only "does not crash": a violated
 * property aborts with FUZZ_CHECK's message, so the fuzzer saves the input
 * like any crash.
 */
#ifndef DOPPEL_FUZZ_H
#define DOPPEL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doppel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond, ...)                                                          \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "\nfuzz check failed at %s:%d: %s\n  ", __FILE__, __LINE__, \
                    #cond);                                                            \
            fprintf(stderr, __VA_ARGS__);                                              \
            fputc('\n', stderr);                                                       \
            abort();                                                                   \
        }                                                                              \
    } while (0)

/* A cursor over the input: the first bytes of an input often choose options,
 * the rest is the payload. Reading past the end gives zeros, so every input
 * is valid and short inputs still reach the payload code. */
typedef struct fuzz_in {
    const uint8_t *p;
    size_t n;
} fuzz_in;

static inline unsigned fuzz_byte(fuzz_in *in) {
    if (!in->n) return 0;
    in->n--;
    return *in->p++;
}

/* Length of a well-formed UTF-8 sequence at s (RFC 3629), or 0. Written
 * independently of the library's decoder so the check does not share its
 * mistakes. */
/* The bytes as a file for a reader (story models and states): what
 * doppel_story_read_model or _read_state(st, fp, name, err) gives on them;
 * DOPPEL_ERR_NOMEM when no file could be made. fmemopen wants a buffer even
 * for no bytes. */
typedef doppel_status (*fuzz_story_reader)(doppel_story *, FILE *, const char *, doppel_error *);
static inline doppel_status fuzz_read_story_file(fuzz_story_reader read, doppel_story *st,
                                                 const uint8_t *data, size_t size) {
    static const uint8_t none[1];
    FILE *fp = fmemopen((void *)(size ? data : none), size, "r");
    if (!fp) return DOPPEL_ERR_NOMEM;
    doppel_error err;
    doppel_status s = read(st, fp, "fuzz", &err);
    fclose(fp);
    return s;
}

static inline size_t fuzz_utf8_seq(const unsigned char *s, size_t avail) {
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t need;
    unsigned cp, min;
    if ((c & 0xE0) == 0xC0) need = 2, cp = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0) need = 3, cp = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0) need = 4, cp = c & 0x07, min = 0x10000;
    else return 0;
    if (avail < need) return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return need;
}

/* Offset of the first invalid byte of s, or len when s is valid UTF-8. */
static inline size_t fuzz_utf8_invalid_at(const char *s, size_t len) {
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        size_t k = fuzz_utf8_seq(u + i, len - i);
        if (!k) return i;
        i += k;
    }
    return len;
}

#endif
