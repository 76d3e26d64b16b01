/*
 * blocks.c — the block list every format reader writes into: cleaned text
 * blocks in document order, and the metadata fields found on the way.
 *
 * The readers (frontmatter.c, markdown.c, html.c) call only this and the
 * word counts (words.c); extract.c runs them, then scores the list
 * (boilerplate*.c) and prints what is kept. So data flows one way and no
 * reader calls back into the extractor.
 */
#include "extract/extract_int.h"

#include <string.h>

doppel_status dp_add_block(doppel_extractor *ex, const char *s, size_t len, uint32_t line,
                           int kind, uint32_t link_bytes, int reason) {
    while (len && dp_is_space((unsigned char)*s)) s++, len--;
    while (len && dp_is_space((unsigned char)s[len - 1])) len--;
    if (!len && kind != DP_BK_DROPPED) return DOPPEL_OK;
    if (dp_grow((void **)&ex->blocks, &ex->blocks_cap, ex->nblocks + 1, sizeof *ex->blocks))
        return DOPPEL_ERR_NOMEM;
    size_t off = ex->btext.len;
    if (dp_buf_append(&ex->btext, s, len)) return DOPPEL_ERR_NOMEM;
    dp_block *b = &ex->blocks[ex->nblocks++];
    *b = (dp_block){.off = off, .len = len, .line = line, .para = ex->para,
                    .link_bytes = link_bytes, .kind = (uint8_t)kind, .reason = (uint8_t)reason,
                    .newlines = ex->one_line ? 0 : DP_NEWLINES_UNKNOWN};
    if (kind == DP_BK_DROPPED) b->hard = 1;
    return DOPPEL_OK;
}

doppel_status dp_extend_block(doppel_extractor *ex, const char *s, size_t len,
                              uint32_t link_bytes) {
    dp_block *b = &ex->blocks[ex->nblocks - 1];
    while (len && dp_is_space((unsigned char)*s)) s++, len--;
    while (len && dp_is_space((unsigned char)s[len - 1])) len--;
    if (!len) return DOPPEL_OK;
    /* The block must end where btext ends for its text to stay contiguous. */
    if (b->off + b->len != ex->btext.len) {
        if (dp_buf_reserve(&ex->btext, ex->btext.len + b->len + 1)) return DOPPEL_ERR_NOMEM;
        memcpy(ex->btext.data + ex->btext.len, ex->btext.data + b->off, b->len);
        b->off = ex->btext.len;
        ex->btext.len += b->len;
    }
    if (dp_buf_putc(&ex->btext, '\n') || dp_buf_append(&ex->btext, s, len))
        return DOPPEL_ERR_NOMEM;
    b->len += 1 + len;
    b->link_bytes += link_bytes;
    b->newlines = ex->one_line && b->newlines != DP_NEWLINES_UNKNOWN ? b->newlines + 1
                                                                      : DP_NEWLINES_UNKNOWN;
    return DOPPEL_OK;
}

/* Valid input can still come out of an HTML parser as invalid UTF-8:
 * libgumbo 0.10 (doppel's parser until issue 17) turned a numeric character
 * reference too large for 32 bits ("&#x1F600CCCCCCCC;") into whatever the
 * overflow left, a stray byte included; libxml2 drops it, but the check
 * stays as a guarantee that does not depend on the parser. What doppel outputs from valid input is valid UTF-8, so
 * b[from..] is checked and, from its first bad byte on, repaired (each bad
 * byte becomes U+FFFD) through scratch. -1: no memory. The other formats
 * copy their input's bytes, so only HTML text and metadata need it. */
int dp_utf8_checked(doppel_buf *b, size_t from, doppel_buf *scratch) {
    if (b->len <= from) return 0; /* an empty buffer may have no data at all */
    size_t good = from + dp_utf8_first_invalid(b->data + from, b->len - from);
    if (good == b->len) return 0;
    if (dp_utf8_repair(b->data + good, b->len - good, scratch) == SIZE_MAX) return -1;
    b->len = good;
    return dp_buf_append(b, scratch->data, scratch->len) ? -1 : 0;
}

doppel_status dp_set_meta(doppel_extractor *ex, int field, const char *s, size_t len) {
    if (ex->meta_set[field]) return DOPPEL_OK;
    size_t start = ex->meta.len;
    /* The value is at most len bytes and a NUL: room once, then bytes. */
    if (dp_buf_reserve(&ex->meta, start + len + 1)) return DOPPEL_ERR_NOMEM;
    char *o = ex->meta.data;
    size_t n = start;
    /* Most values (a text's title is a trimmed block) are already in the
     * form: words between single spaces. A loop without branches finds
     * that, and the value is copied whole. */
    size_t odd = 0;
    for (size_t i = 0; i + 1 < len; i++)
        odd += ((unsigned)((unsigned char)s[i] - '\t') < 5u) | (s[i] == ' ' && s[i + 1] == ' ');
    if (!odd && len && !dp_is_space((unsigned char)s[0]) && !dp_is_space((unsigned char)s[len - 1])) {
        memcpy(o + n, s, len);
        n += len;
        len = 0;  /* nothing left for the loop below */
    }
    int pending_space = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (dp_is_space(c)) {
            pending_space = n > start;
            continue;
        }
        if (pending_space) o[n++] = ' ';
        pending_space = 0;
        o[n++] = (char)c;
    }
    ex->meta.len = n;
    if (ex->meta.len == start) return DOPPEL_OK;
    if (ex->html && dp_utf8_checked(&ex->meta, start, &ex->scratch)) return DOPPEL_ERR_NOMEM;
    if (dp_buf_putc(&ex->meta, '\0')) return DOPPEL_ERR_NOMEM;
    ex->meta_off[field] = start;
    ex->meta_set[field] = 1;
    return DOPPEL_OK;
}
