/*
 * bench_jsonl — throughput of the JSONL line scanner against jansson on the
 * lines of a real file, extracting the reader's four fields either way.
 *
 *   make build/bench_jsonl && build/bench_jsonl FILE.jsonl [rounds] [nofields]
 *
 * "nofields" makes the scanner validate only (nothing decoded), which shows
 * what decoding the escaped strings costs.
 *
 * Times are CPU time of this thread, so other load on a shared machine
 * inflates them less than wall time would; compare the two ratios of one run.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/jsonl.h"

static double cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct span {
    size_t off, len;
} span;

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.jsonl [rounds]\n", argv[0]);
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    size_t nfields = argc > 3 && strcmp(argv[3], "nofields") == 0 ? 0 : 4;
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    size_t size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc(size + 1);
    if (!data || fread(data, 1, size, f) != size) return 1;
    fclose(f);
    size_t nlines = 0, cap = 1024;
    span *lines = malloc(cap * sizeof *lines);
    for (size_t i = 0; i < size;) {
        char *nl = memchr(data + i, '\n', size - i);
        size_t end = nl ? (size_t)(nl - data) : size;
        if (nlines == cap) lines = realloc(lines, (cap *= 2) * sizeof *lines);
        lines[nlines++] = (span){i, end - i};
        i = end + 1;
    }

    const char *names[] = {"id", "text", "title", "date"};
    dp_jsonl_field fields[4];
    for (int i = 0; i < 4; i++) fields[i] = (dp_jsonl_field){.name = names[i]};
    doppel_buf scratch = {0};
    size_t sink = 0, bad = 0;

    double t0 = cpu_seconds();
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < nlines; i++) {
            if (dp_jsonl_scan(data + lines[i].off, lines[i].len, fields, nfields, &scratch, NULL))
                bad++;
            sink += fields[1].len;
        }
    double scan_s = cpu_seconds() - t0;

    t0 = cpu_seconds();
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < nlines; i++) {
            json_error_t err;
            json_t *j = json_loadb(data + lines[i].off, lines[i].len, JSON_ALLOW_NUL, &err);
            if (!j) {
                bad++;
                continue;
            }
            for (int k = 0; k < 4; k++) {
                json_t *v = json_object_get(j, names[k]);
                if (json_is_string(v)) sink += json_string_length(v);
            }
            json_decref(j);
        }
    double jansson_s = cpu_seconds() - t0;

    double mb = (double)size * rounds / 1e6;
    printf("%s: %zu lines, %.0f bytes/line, %d rounds\n", argv[1], nlines,
           (double)size / (double)(nlines ? nlines : 1), rounds);
    printf("  dp_jsonl_scan  %8.1f MB/s\n", mb / scan_s);
    printf("  json_loadb     %8.1f MB/s\n", mb / jansson_s);
    printf("  speed-up       %8.1fx   (refused lines: %zu, checksum %zu)\n", jansson_s / scan_s,
           bad, sink);
    doppel_buf_free(&scratch);
    free(lines);
    free(data);
    return 0;
}
