/*
 * fuzz_reader — doppel_reader_open + doppel_reader_next on a whole file.
 *
 * Input: one option byte, then the file's bytes. The option byte chooses
 *   bits 0-1  0/3: the bytes as they are (the reader detects gzip/zstd by
 *             magic, so raw inputs reach the decoders too); 1: gzip them;
 *             2: zstd them — so the fuzzer explores the JSONL behind a
 *             valid compressed stream, not only the decoder's header checks
 *   bit 2     cut the compressed stream short (a truncated download)
 *   bits 3-4  format: auto, jsonl, text, csv
 *   bit 5     max_doc_bytes 64 instead of the default (the too-large path)
 *   bit 6     unusual field names ("" for the id, "id" for the text)
 *
 * Properties: the reader terminates (at most one record or error per line
 * plus a few); every record has a NUL-terminated id and text of the stated
 * lengths, a non-empty id, line numbers that increase (an error after the
 * last line read may repeat its number); a record-level error
 * carries a message; after DOPPEL_END the reader stays at END.
 */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "fuzz.h"

static char path[64];

static void remove_tmp(void) {
    if (path[0]) unlink(path);
}

static int write_file(const void *p, size_t n) {
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0) return -1;
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w <= 0) { close(fd); return -1; }
        c += w;
        n -= (size_t)w;
    }
    return close(fd);
}

static size_t gzip(const uint8_t *in, size_t n, uint8_t *out, size_t cap) {
    z_stream z = {0};
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    size_t len = rc == Z_STREAM_END ? cap - z.avail_out : 0;
    deflateEnd(&z);
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 20) return 0;
    if (!path[0]) {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof path, "%.40s/doppel-fuzz-XXXXXX", dir && *dir ? dir : "/tmp");
        int fd = mkstemp(path);
        if (fd < 0) abort();
        close(fd);
        atexit(remove_tmp);
    }
    fuzz_in in = {data, size};
    unsigned opt = fuzz_byte(&in);
    unsigned wrap = opt & 3;
    uint8_t *packed = NULL;
    const uint8_t *file = in.p;
    size_t flen = in.n;
    if (wrap == 1 || wrap == 2) {
        size_t cap = flen + flen / 8 + 1024;
        packed = malloc(cap);
        if (!packed) return 0;
        size_t n = wrap == 1 ? gzip(in.p, in.n, packed, cap)
                             : ZSTD_compress(packed, cap, in.p, in.n, 1);
        if (wrap == 2 && ZSTD_isError(n)) n = 0;
        if (n) {
            /* a cut keeps a data-dependent prefix, often mid-block */
            if (opt & 4) n -= 1 + (flen ? in.p[0] % n : 0) % n;
            file = packed;
            flen = n;
        }
    }
    if (write_file(file, flen)) abort();
    free(packed);

    doppel_reader_options ro;
    doppel_reader_options_default(&ro);
    static const doppel_input_format formats[4] = {DOPPEL_INPUT_AUTO, DOPPEL_INPUT_JSONL,
                                                   DOPPEL_INPUT_TEXT, DOPPEL_INPUT_CSV};
    ro.format = formats[opt >> 3 & 3];
    if (opt & 0x20) ro.max_doc_bytes = 64;
    if (opt & 0x40) ro.id_field = "", ro.text_field = "id";

    doppel_reader *r = NULL;
    doppel_error err;
    doppel_status st = doppel_reader_open(path, &ro, &r, &err);
    if (st) {
        FUZZ_CHECK(st < 0 && err.message[0], "open: status %d without a message", st);
        return 0;
    }
    /* The lines of the data bound the number of results. Data that is
     * compressed by its own magic (not by us) can expand without a useful
     * bound; there libFuzzer's -timeout is the termination check. */
    size_t newlines = 0;
    for (size_t i = 0; i < in.n; i++) newlines += in.p[i] == '\n';
    int self_packed = file == in.p && flen >= 2 &&
                      ((in.p[0] == 0x1F && in.p[1] == 0x8B) || (in.p[0] == 0x28 && in.p[1] == 0xB5));
    size_t limit = self_packed ? SIZE_MAX : newlines + in.n + 8, calls = 0;
    uint64_t last_line = 0;
    for (;;) {
        doppel_record rec = {0};
        st = doppel_reader_next(r, &rec, &err);
        FUZZ_CHECK(++calls <= limit, "reader does not terminate (%zu calls)", calls);
        if (st == DOPPEL_END) break;
        if (st == DOPPEL_ERR_NOMEM) break;
        if (st == DOPPEL_OK) {
            FUZZ_CHECK(rec.id && rec.id[rec.id_len] == 0 && rec.id_len > 0,
                       "bad id (len %zu)", rec.id_len);
            FUZZ_CHECK(rec.text && rec.text[rec.text_len] == 0, "text not NUL-terminated");
            /* max_doc_bytes bounds the raw line; replacing each invalid byte
             * by U+FFFD (3 bytes) can make the text up to 3 times longer */
            FUZZ_CHECK(rec.text_len <= 3 * ro.max_doc_bytes, "text of %zu bytes over the limit",
                       rec.text_len);
            if (rec.date) {
                int64_t secs;
                (void)doppel_parse_date(rec.date, &secs);
            }
        } else {
            FUZZ_CHECK(st < 0 && err.message[0], "status %d without a message", st);
        }
        if (rec.line) {
            /* a stream error (truncated gzip) is reported at the last line read */
            FUZZ_CHECK(st == DOPPEL_OK ? rec.line > last_line : rec.line >= last_line,
                       "line %llu after %llu", (unsigned long long)rec.line,
                       (unsigned long long)last_line);
            last_line = rec.line;
        }
    }
    if (st == DOPPEL_END) {
        doppel_record rec = {0};
        FUZZ_CHECK(doppel_reader_next(r, &rec, &err) == DOPPEL_END, "END is not final");
    }
    FUZZ_CHECK(doppel_reader_bytes(r) <= flen, "read %llu bytes of a %zu-byte file",
               (unsigned long long)doppel_reader_bytes(r), flen);
    doppel_reader_free(r);
    return 0;
}
