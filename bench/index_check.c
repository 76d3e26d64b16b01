/*
 * index_check.c — single-document check latency against a store, in
 * process: each document of INPUT (JSONL, as doppel index reads it) checked
 * alone, timed; prints p50, p99, max and checks/s.
 * usage: build/bench/index_check DIR INPUT.jsonl [max_docs]
 */

#include "doppel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: index_check DIR INPUT.jsonl [max_docs]\n");
        return 2;
    }
    size_t max = argc > 3 ? strtoul(argv[3], NULL, 10) : 2000;
    doppel_error err;
    doppel_store *s;
    if (doppel_store_open(argv[1], DOPPEL_STORE_READONLY, &s, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    doppel_reader_options ro;
    doppel_reader_options_default(&ro);
    doppel_reader *r;
    if (doppel_reader_open(argv[2], &ro, &r, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    double *lat = malloc(max * sizeof *lat);
    size_t n = 0, related = 0;
    doppel_record rec;
    double t0 = now();
    while (n < max && doppel_reader_next(r, &rec, &err) == DOPPEL_OK) {
        doppel_store_doc d = {rec.id, rec.id_len, rec.text, rec.text_len, DOPPEL_NO_DATE, NULL, 0, NULL, 0};
        doppel_store_result res;
        double t = now();
        if (doppel_store_check(s, &d, 1, &res, &err)) {
            fprintf(stderr, "%s\n", err.message);
            return 1;
        }
        lat[n++] = now() - t;
        related += res.n_matches > 0;
        doppel_store_results_free(&res, 1);
    }
    double total = now() - t0;
    qsort(lat, n, sizeof *lat, cmp_d);
    if (n)
        printf("in-process check: %zu docs (%zu with relations), p50 %.2f ms, p99 %.2f ms, "
               "max %.2f ms, %.0f checks/s on one thread\n",
               n, related, lat[n / 2] * 1e3, lat[(size_t)(n * 0.99)] * 1e3, lat[n - 1] * 1e3,
               (double)n / total);
    free(lat);
    doppel_reader_free(r);
    doppel_store_free(s);
    return 0;
}
