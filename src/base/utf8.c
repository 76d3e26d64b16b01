/*
 * utf8.c — checking and repairing UTF-8: the reader, extraction and the
 * normalizer all promise valid UTF-8 onwards, and this is where they test it.
 */
#include "base/internal.h"

#include <string.h>
#include <utf8proc.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. */
size_t dp_utf8_seq_len(const unsigned char *s, size_t avail) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(s, (utf8proc_ssize_t)DP_MIN(avail, 4), &cp);
    return k > 0 ? (size_t)k : 0;
}

size_t dp_utf8_first_invalid(const char *in, size_t len) {
    const unsigned char *s = (const unsigned char *)in;
    size_t i = 0;
    while (i < len) {
        if (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        if (s[i] < 128) {
            i++;
            continue;
        }
        size_t k = dp_utf8_seq_len(s + i, len - i);
        if (!k) return i;
        i += k;
    }
    return len;
}

size_t dp_utf8_repair(const char *in, size_t len, doppel_buf *out) {
    const unsigned char *s = (const unsigned char *)in;
    size_t bad = 0, i = 0;
    out->len = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && s[i] < 128) i++;
        while (i < len && s[i] >= 128) {
            size_t k = dp_utf8_seq_len(s + i, len - i);
            if (!k) break;
            i += k;
        }
        if (i > start && dp_buf_append(out, in + start, i - start)) return SIZE_MAX;
        if (i < len && s[i] >= 128) {
            if (dp_buf_append(out, "\xEF\xBF\xBD", 3)) return SIZE_MAX;
            bad++;
            i++;
        }
    }
    return dp_buf_terminate(out) ? SIZE_MAX : bad;
}
