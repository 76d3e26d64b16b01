/* Reading: every kind of bad record is reported with file and line and the
 * reader goes on; compressed input is transparent; directory order is fixed. */
#include "testutil.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

static char dir[64];

static void write_file(const char *name, const char *data, size_t len) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(data, 1, len, f);
    fclose(f);
}

static int setup(void **state) {
    (void)state;
    strcpy(dir, "/tmp/doppel-test-read-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static const char JSONL[] =
    "{\"id\":\"a\",\"text\":\"first doc\",\"title\":\"T\",\"date\":\"2023-11-15T20:53:09Z\"}\n"
    "\n"
    "{\"id\":\"b\",\"text\":\"broken\"\n"
    "{\"id\":7,\"text\":\"numeric id\",\"date\":1394470370698}\n"
    "{\"text\":\"no id\"}\n"
    "{\"id\":\"c\"}\n"
    "[1,2]\n"
    "{\"id\":\"d\",\"text\":\"nul \\u0000 inside\"}\r\n"
    "{\"id\":\"e\",\"text\":\"last line without newline\"}";

typedef struct {
    int ok, errors[16];
    char ids[16][32];
    uint64_t err_lines[16];
} tally;

static tally read_all(const char *path, size_t max_doc) {
    tally t = {0};
    doppel_reader_options opt;
    doppel_reader_options_default(&opt);
    if (max_doc) opt.max_doc_bytes = max_doc;
    doppel_reader *r;
    doppel_error err;
    assert_int_equal(doppel_reader_open(path, &opt, &r, &err), DOPPEL_OK);
    doppel_record rec;
    doppel_status st;
    int n = 0;
    while ((st = doppel_reader_next(r, &rec, &err)) != DOPPEL_END && n < 16) {
        if (st == DOPPEL_OK) {
            snprintf(t.ids[t.ok++], 32, "%.*s", (int)rec.id_len, rec.id);
        } else {
            t.errors[-st]++;
            t.err_lines[n] = rec.line;
            /* every message names where it happened */
            assert_non_null(strstr(err.message, rec.source ? rec.source : "?"));
        }
        n++;
    }
    doppel_reader_free(r);
    return t;
}

static void test_jsonl_errors(void **state) {
    (void)state;
    write_file("in.jsonl", JSONL, sizeof JSONL - 1);
    char path[256];
    snprintf(path, sizeof path, "%s/in.jsonl", dir);
    tally t = read_all(path, 0);
    assert_int_equal(t.ok, 5);
    assert_string_equal(t.ids[0], "a");
    assert_string_equal(t.ids[1], "7");
    /* a record without an id is named by its position */
    char pos_id[300];
    snprintf(pos_id, sizeof pos_id, "%s:5", path);
    pos_id[31] = '\0';  /* the tally keeps 31 bytes of an id */
    assert_string_equal(t.ids[2], pos_id);
    assert_string_equal(t.ids[3], "d");
    assert_string_equal(t.ids[4], "e");
    assert_int_equal(t.errors[-DOPPEL_ERR_JSON], 2);   /* broken line, array */
    assert_int_equal(t.errors[-DOPPEL_ERR_FIELD], 1);  /* no text */
}

static void test_record_fields(void **state) {
    (void)state;
    write_file("one.jsonl", JSONL, 80);
    char path[256];
    snprintf(path, sizeof path, "%s/one.jsonl", dir);
    doppel_reader *r;
    doppel_error err;
    assert_int_equal(doppel_reader_open(path, NULL, &r, &err), DOPPEL_OK);
    doppel_record rec;
    assert_int_equal(doppel_reader_next(r, &rec, &err), DOPPEL_OK);
    assert_string_equal(rec.title, "T");
    assert_string_equal(rec.date, "2023-11-15T20:53:09Z");
    assert_int_equal(rec.line, 1);
    assert_non_null(rec.raw);
    doppel_reader_free(r);
    int64_t s;
    assert_int_equal(doppel_parse_date("2023-11-15T20:53:09Z", &s), 0);
    assert_int_equal(s, 1700081589);
    assert_int_equal(doppel_parse_date("1394470370698", &s), 0);
    assert_int_equal(s, 1394470370);
    assert_int_equal(doppel_parse_date("2024-01-02", &s), 0);
    assert_int_equal(s, 1704153600);
    assert_int_equal(doppel_parse_date("yesterday", &s), -1);
}

/* YYYY-MM-DD alone takes a path of its own: it must read as the same day at
 * midnight does through the general one, valid or not. */
static void test_plain_dates(void **state) {
    (void)state;
    const char *days[] = {"2024-01-02", "1970-01-01", "0000-03-01", "9999-12-31", "2024-02-30",
                          "2024-00-10", "2024-13-01", "2024-01-00", "2024-01-32", "2024-1-02",
                          "2024-01-2",  "202a-01-02", "2024/01/02", "2024-01-02x"};
    for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
        char midnight[32];
        snprintf(midnight, sizeof midnight, "%sT00:00", days[i]);
        int64_t a = 1, b = 2;
        int ra = doppel_parse_date(days[i], &a), rb = doppel_parse_date(midnight, &b);
        assert_int_equal(ra, rb);
        if (ra == 0) assert_int_equal(a, b);
    }
}

/* What the JSONL scanner changed: trailing garbage is refused, lone
 * surrogates and huge numbers no longer cost a document, numbers keep their
 * text, and every string is NUL-terminated whether decoded or not. */
static void test_record_values(void **state) {
    (void)state;
    static const char lines[] =
        "{\"id\":\"t1\",\"text\":\"x\"} trailing\n"
        "{\"id\":\"s1\",\"text\":\"lone \\uD800 surrogate\",\"title\":\"a\\tb\",\"date\":1.50}\n"
        "{\"id\":123456789012345678901234567890,\"text\":\"plain\",\"title\":7,\"date\":\"d\"}\n"
        "{\"id\":\"\",\"text\":\"empty id\"}\n"
        "{\"id\":null,\"text\":\"null id\"}\n"
        "{\"id\":\"caf\xC3\xA9\xFF\",\"text\":\"bad byte\"}\n";
    write_file("values.jsonl", lines, sizeof lines - 1);
    char path[256];
    snprintf(path, sizeof path, "%s/values.jsonl", dir);
    doppel_reader *r;
    doppel_error err;
    doppel_record rec;
    assert_int_equal(doppel_reader_open(path, NULL, &r, &err), DOPPEL_OK);
    assert_int_equal(doppel_reader_next(r, &rec, &err), DOPPEL_ERR_JSON);
    assert_non_null(strstr(err.message, "values.jsonl:1: malformed JSON: end of file expected"));
    assert_int_equal(doppel_reader_next(r, &rec, &err), DOPPEL_OK);
    assert_string_equal(rec.id, "s1");
    assert_int_equal(rec.id_len, 2);
    assert_string_equal(rec.text, "lone \xEF\xBF\xBD surrogate");
    assert_int_equal(rec.text_len, strlen(rec.text));
    assert_string_equal(rec.title, "a\tb");
    assert_string_equal(rec.date, "1.50");
    assert_int_equal(doppel_reader_next(r, &rec, &err), DOPPEL_OK);
    assert_string_equal(rec.id, "123456789012345678901234567890");
    assert_string_equal(rec.text, "plain");
    assert_null(rec.title);  /* a title must be a string */
    assert_string_equal(rec.date, "d");
    assert_int_equal(doppel_reader_next(r, &rec, &err), DOPPEL_ERR_FIELD);
    assert_non_null(strstr(err.message, "empty id"));
    assert_int_equal(doppel_reader_next(r, &rec, &err), DOPPEL_ERR_FIELD);
    assert_non_null(strstr(err.message, "no usable (string or number) field \"id\""));
    assert_int_equal(doppel_reader_next(r, &rec, &err), DOPPEL_OK);
    assert_string_equal(rec.id, "caf\xC3\xA9\xEF\xBF\xBD");
    assert_int_equal(rec.invalid_utf8, 1);
    assert_int_equal(doppel_reader_next(r, &rec, &err), DOPPEL_END);
    doppel_reader_free(r);
}

static void test_compressed(void **state) {
    (void)state;
    char path[256];
    snprintf(path, sizeof path, "%s/in.jsonl.gz", dir);
    gzFile gz = gzopen(path, "wb");
    gzwrite(gz, JSONL, sizeof JSONL - 1);
    gzclose(gz);
    assert_int_equal(read_all(path, 0).ok, 5);
    /* zstd, and a name that says nothing: detection is by content */
    size_t cap = ZSTD_compressBound(sizeof JSONL);
    char *z = malloc(cap);
    size_t zn = ZSTD_compress(z, cap, JSONL, sizeof JSONL - 1, 3);
    write_file("data.bin", z, zn);
    snprintf(path, sizeof path, "%s/data.bin", dir);
    assert_int_equal(read_all(path, 0).ok, 5);
    /* truncated zstd: the records before the cut, then one FORMAT error, then the end */
    write_file("cut.zst", z, zn / 2);
    snprintf(path, sizeof path, "%s/cut.zst", dir);
    tally t = read_all(path, 0);
    assert_int_equal(t.errors[-DOPPEL_ERR_FORMAT], 1);
    free(z);
    /* truncated gzip likewise */
    FILE *f = fopen(path, "wb");
    snprintf(path, sizeof path, "%s/in.jsonl.gz", dir);
    FILE *g = fopen(path, "rb");
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, g);
    fclose(g);
    fwrite(buf, 1, n - 12, f);
    fclose(f);
    snprintf(path, sizeof path, "%s/cut.zst", dir);
    t = read_all(path, 0);
    assert_int_equal(t.errors[-DOPPEL_ERR_FORMAT], 1);
}

static void test_long_line_skipped(void **state) {
    (void)state;
    /* A line far over the limit is skipped without being held in memory. */
    size_t big = 3u << 20;
    char *data = malloc(big + 200);
    size_t k = (size_t)sprintf(data, "{\"id\":\"x\",\"text\":\"");
    memset(data + k, 'a', big);
    k += big;
    k += (size_t)sprintf(data + k, "\"}\n{\"id\":\"y\",\"text\":\"after\"}\n");
    write_file("big.jsonl", data, k);
    free(data);
    char path[256];
    snprintf(path, sizeof path, "%s/big.jsonl", dir);
    tally t = read_all(path, 1 << 20);
    assert_int_equal(t.errors[-DOPPEL_ERR_TOO_LARGE], 1);
    assert_int_equal(t.err_lines[0], 1);
    assert_int_equal(t.ok, 1);
    assert_string_equal(t.ids[0], "y");
}

/* Records of a few KB with escapes, read through the 1 MiB read buffer:
 * lines that cross its end (copied) and lines inside it (read in place),
 * LF and CRLF ends, no newline after the last; plain and gzip (whose reads
 * end elsewhere). Every text must come back exactly, in order. */
static void test_chunk_boundaries(void **state) {
    (void)state;
    enum { N = 900 };
    static const char *const esc[] = {"\\n", "\\\"", "\\u00e9", "\xC3\xA9", "\\\\", "\\t"};
    static const char *const dec[] = {"\n", "\"", "\xC3\xA9", "\xC3\xA9", "\\", "\t"};
    size_t cap = (size_t)N * 16000;
    char *data = malloc(cap), *want = malloc((size_t)N * 8000);
    size_t *woff = malloc(sizeof *woff * (N + 1));
    assert_true(data && want && woff);
    uint64_t rng = 7;
    size_t k = 0, w = 0;
    for (int i = 0; i < N; i++) {
        woff[i] = w;
        k += (size_t)sprintf(data + k, "{\"id\":\"r%d\",\"text\":\"", i);
        size_t len = 200 + test_rnd(&rng) % 6000;
        for (size_t j = 0; j < len; j++) {
            uint64_t r = test_rnd(&rng);
            if (r % 50 == 0) {
                size_t e = (r >> 8) % 6;
                k += (size_t)sprintf(data + k, "%s", esc[e]);
                w += (size_t)sprintf(want + w, "%s", dec[e]);
            } else {
                data[k++] = want[w++] = (char)('a' + (r >> 8) % 26);
            }
        }
        k += (size_t)sprintf(data + k, "\"}%s", i == N - 1 ? "" : i % 3 ? "\n" : "\r\n");
    }
    woff[N] = w;
    assert_true(k > (2u << 20));  /* crosses the read buffer at least twice */
    write_file("chunks.jsonl", data, k);
    uLongf zlen = compressBound((uLong)k) + 64;
    unsigned char *z = malloc(zlen);
    z_stream zs = {0};
    assert_int_equal(deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (uInt)k;
    zs.next_out = z;
    zs.avail_out = (uInt)zlen;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    write_file("chunks.jsonl.gz", (const char *)z, zs.total_out);
    deflateEnd(&zs);
    free(z);
    static const char *const names[] = {"chunks.jsonl", "chunks.jsonl.gz"};
    for (int f = 0; f < 2; f++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[f]);
        doppel_reader *r = NULL;
        doppel_error err = {0};
        assert_int_equal(doppel_reader_open(path, NULL, &r, &err), DOPPEL_OK);
        doppel_record rec;
        int n = 0;
        doppel_status st;
        while ((st = doppel_reader_next(r, &rec, &err)) != DOPPEL_END) {
            if (st != DOPPEL_OK) fail_msg("%s: record %d: %s", names[f], n, err.message);
            assert_true(n < N);
            char id[16];
            snprintf(id, sizeof id, "r%d", n);
            assert_string_equal(rec.id, id);
            size_t wl = woff[n + 1] - woff[n];
            if (rec.text_len != wl || memcmp(rec.text, want + woff[n], wl) || rec.text[wl])
                fail_msg("%s: record %d: text of %zu bytes differs (want %zu)", names[f], n,
                         rec.text_len, wl);
            assert_int_equal(rec.line, (uint64_t)n + 1);
            n++;
        }
        assert_int_equal(n, N);
        doppel_reader_free(r);
    }
    free(data);
    free(want);
    free(woff);
}

static void test_directory(void **state) {
    (void)state;
    char sub[256], path[256];
    snprintf(sub, sizeof sub, "%s/tree", dir);
    mkdir(sub, 0755);
    snprintf(path, sizeof path, "%s/tree/b", dir);
    mkdir(path, 0755);
    write_file("tree/b/z.txt", "zed", 3);
    write_file("tree/a.txt", "alpha", 5);
    write_file("tree/c.txt", "gamma", 5);
    write_file("tree/.hidden", "no", 2);
    write_file("tree/bin.dat", "\0\0\0\0\0\0\0\0\0\1\2", 11);
    snprintf(path, sizeof path, "%s/tree/b/loop", dir);
    assert_int_equal(symlink("..", path), 0);
    tally t = read_all(sub, 0);
    assert_int_equal(t.ok, 3);
    assert_string_equal(t.ids[0], "a.txt");
    assert_string_equal(t.ids[1], "b/z.txt");
    assert_string_equal(t.ids[2], "c.txt");
    assert_int_equal(t.errors[-DOPPEL_ERR_FORMAT], 1); /* binary */
    assert_int_equal(t.errors[-DOPPEL_ERR_IO], 1);     /* symlink loop */
}

/* Read one record of path; its status. */
static doppel_status next_of(doppel_reader *r, doppel_record *rec) {
    doppel_error err;
    return doppel_reader_next(r, rec, &err);
}

static doppel_reader *open_with(const char *name, const char *data, const char *text_field) {
    write_file(name, data, strlen(data));
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    doppel_reader_options opt;
    doppel_reader_options_default(&opt);
    if (text_field) opt.text_field = text_field;
    doppel_reader *r = NULL;
    doppel_error err;
    assert_int_equal(doppel_reader_open(path, &opt, &r, &err), DOPPEL_OK);
    return r;
}

static void test_csv(void **state) {
    (void)state;
    /* RFC 4180: quoted delimiters, newlines and doubled quotes; CRLF; a BOM;
     * a blank line; no newline at the end; a row without an id cell. */
    doppel_reader *r = open_with("t.csv",
                                 "\xEF\xBB\xBFid,body\r\n"
                                 "a,\"one, two\"\r\n"
                                 "b,\"line\nbreak and \"\"quote\"\"\"\r\n"
                                 "\r\n"
                                 ",no id\n"
                                 "c,last",
                                 "body");
    doppel_record rec;
    assert_int_equal(next_of(r, &rec), DOPPEL_OK);
    assert_string_equal(rec.id, "a");
    assert_string_equal(rec.text, "one, two");
    assert_int_equal(rec.line, 2);
    assert_string_equal(rec.raw, "{\"id\":\"a\",\"body\":\"one, two\"}");
    assert_int_equal(next_of(r, &rec), DOPPEL_OK);
    assert_string_equal(rec.text, "line\nbreak and \"quote\"");
    assert_int_equal(next_of(r, &rec), DOPPEL_OK);
    assert_int_equal(rec.id_from_position, 1);
    assert_non_null(strstr(rec.id, "t.csv:6"));
    assert_int_equal(next_of(r, &rec), DOPPEL_OK);
    assert_string_equal(rec.text, "last");
    assert_int_equal(next_of(r, &rec), DOPPEL_END);
    doppel_reader_free(r);
    /* the text column missing: every row says which columns there are */
    r = open_with("u.csv", "id,content\nx,some text\n", NULL);
    assert_int_equal(next_of(r, &rec), DOPPEL_ERR_FIELD);
    assert_string_equal(rec.fields_present, "id, content");
    assert_string_equal(rec.text_field_guess, "content");
    doppel_reader_free(r);
}

static void test_array_and_paths(void **state) {
    (void)state;
    /* a pretty-printed array, two elements on one line, a nested text */
    doppel_reader *r = open_with("a.json",
                                 "[\n  {\"id\": \"p\",\n   \"text\": \"x y\"},\n"
                                 "  {\"meta\": {\"body\": \"nested\"}}, {\"id\": 3, \"text\": \"z\"}\n]\n",
                                 "meta.body");
    doppel_record rec;
    doppel_error err;
    assert_int_equal(doppel_reader_next(r, &rec, &err), DOPPEL_ERR_FIELD);  /* p has no meta.body */
    assert_non_null(strstr(err.message, "a.json#1"));
    assert_string_equal(rec.text_field_guess, "text");
    assert_int_equal(next_of(r, &rec), DOPPEL_OK);
    assert_string_equal(rec.text, "nested");
    assert_non_null(strstr(rec.id, "a.json#2"));
    assert_string_equal(rec.raw, "{\"meta\":{\"body\":\"nested\"}}");
    assert_int_equal(next_of(r, &rec), DOPPEL_ERR_FIELD);
    assert_int_equal(next_of(r, &rec), DOPPEL_END);
    doppel_reader_free(r);
    /* a nested field missing: the guess is a dotted path */
    r = open_with("n.jsonl", "{\"id\":\"q\",\"meta\":{\"body\":\"long enough text\",\"u\":\"x\"}}\n", NULL);
    assert_int_equal(next_of(r, &rec), DOPPEL_ERR_FIELD);
    assert_string_equal(rec.fields_present, "id, meta");
    assert_string_equal(rec.text_field_guess, "meta.body");
    doppel_reader_free(r);
}

static void test_inputs(void **state) {
    (void)state;
    /* two inputs in order; a Parquet file refused between them */
    write_file("i1.jsonl", "{\"id\":\"1\",\"text\":\"a\"}\n", 22);
    write_file("i2.parquet", "PAR1....PAR1", 12);
    write_file("i3.txt", "{ not json, a text }", 20);
    char p1[256], p2[256], p3[256];
    snprintf(p1, sizeof p1, "%s/i1.jsonl", dir);
    snprintf(p2, sizeof p2, "%s/i2.parquet", dir);
    snprintf(p3, sizeof p3, "%s/i3.txt", dir);
    doppel_input in[3] = {{p1, NULL}, {p2, NULL}, {p3, "third"}};
    doppel_reader *r = NULL;
    doppel_error err;
    assert_int_equal(doppel_reader_open_inputs(in, 3, NULL, &r, &err), DOPPEL_OK);
    doppel_record rec;
    assert_int_equal(next_of(r, &rec), DOPPEL_OK);
    assert_string_equal(rec.id, "1");
    assert_int_equal(doppel_reader_next(r, &rec, &err), DOPPEL_ERR_FORMAT);
    assert_non_null(strstr(err.message, "Parquet is not read"));
    assert_int_equal(next_of(r, &rec), DOPPEL_OK);  /* .txt: one document, whatever it holds */
    assert_string_equal(rec.id, "third");
    assert_int_equal(next_of(r, &rec), DOPPEL_END);
    doppel_reader_free(r);
    /* a missing input is refused at open */
    in[1].path = "/nonexistent/x.jsonl";
    assert_int_equal(doppel_reader_open_inputs(in, 2, NULL, &r, &err), DOPPEL_ERR_IO);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonl_errors),
        cmocka_unit_test(test_chunk_boundaries),
        cmocka_unit_test(test_record_fields),
        cmocka_unit_test(test_record_values),
        cmocka_unit_test(test_plain_dates),
        cmocka_unit_test(test_compressed),
        cmocka_unit_test(test_long_line_skipped),
        cmocka_unit_test(test_directory),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_array_and_paths),
        cmocka_unit_test(test_inputs),
    };
    return cmocka_run_group_tests_name("read", tests, setup, teardown);
}
