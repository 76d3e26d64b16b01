/*
 * fuzz_eval — doppel_eval_files on a prediction and a gold file.
 *
 * Input: the prediction file's bytes, a 0xFF byte, the gold file's bytes
 * (no 0xFF: the same bytes are both files). Both are written to temporary
 * files and scored.
 *
 * Properties: either a status with a message, or figures that make sense:
 * every precision, recall and F1 in [0, 1], ARI at most 1, true pairs no
 * more than predicted or gold pairs, per-kind counts found <= total.
 */
#include <fcntl.h>
#include <unistd.h>

#include "fuzz.h"

static char pred_path[64], gold_path[64];

static void remove_tmp(void) {
    if (pred_path[0]) unlink(pred_path);
    if (gold_path[0]) unlink(gold_path);
}

static void make_tmp(char *path) {
    const char *dir = getenv("TMPDIR");
    snprintf(path, 64, "%.40s/doppel-fuzz-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) abort();
    close(fd);
}

static void write_file(const char *path, const uint8_t *p, size_t n) {
    FILE *fp = fopen(path, "wb");
    if (!fp) abort();
    if (n && fwrite(p, 1, n, fp) != n) abort();
    if (fclose(fp)) abort();
}

static int in01(double x) { return x >= 0.0 && x <= 1.0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    if (!pred_path[0]) {
        make_tmp(pred_path);
        make_tmp(gold_path);
        atexit(remove_tmp);
    }
    const uint8_t *sep = memchr(data, 0xFF, size);
    size_t plen = sep ? (size_t)(sep - data) : size;
    write_file(pred_path, data, plen);
    if (sep) write_file(gold_path, sep + 1, size - plen - 1);
    else write_file(gold_path, data, size);

    doppel_eval_result res;
    doppel_error err;
    doppel_status st = doppel_eval_files(pred_path, gold_path, NULL, &res, &err);
    if (st) {
        FUZZ_CHECK(st < 0 && err.message[0], "status %d without a message", st);
        return 0;
    }
    FUZZ_CHECK(in01(res.removal_precision) && in01(res.removal_recall) && in01(res.removal_f1),
               "removal figures out of range: %g %g %g", res.removal_precision,
               res.removal_recall, res.removal_f1);
    FUZZ_CHECK(res.true_removed <= res.pred_removed && res.true_removed <= res.gold_removed,
               "true removed %llu > predicted %llu or gold %llu",
               (unsigned long long)res.true_removed, (unsigned long long)res.pred_removed,
               (unsigned long long)res.gold_removed);
    if (!res.flags_only) {
        FUZZ_CHECK(in01(res.precision) && in01(res.recall) && in01(res.f1),
                   "pairwise out of range: %g %g %g", res.precision, res.recall, res.f1);
        FUZZ_CHECK(in01(res.bcubed_precision) && in01(res.bcubed_recall) && in01(res.bcubed_f1),
                   "BCubed out of range: %g %g %g", res.bcubed_precision, res.bcubed_recall,
                   res.bcubed_f1);
        FUZZ_CHECK(res.ari <= 1.0 + 1e-9 && res.ari == res.ari, "ARI %g", res.ari);
        FUZZ_CHECK(res.true_pairs <= res.pred_pairs && res.true_pairs <= res.gold_pairs,
                   "true pairs %llu > predicted %llu or gold %llu",
                   (unsigned long long)res.true_pairs, (unsigned long long)res.pred_pairs,
                   (unsigned long long)res.gold_pairs);
        FUZZ_CHECK(res.gold_clusters <= res.docs, "%llu gold clusters for %llu docs",
                   (unsigned long long)res.gold_clusters, (unsigned long long)res.docs);
    }
    for (size_t i = 0; i < res.num_kinds; i++) {
        FUZZ_CHECK(res.kinds[i].name, "kind %zu has no name", i);
        FUZZ_CHECK(res.kinds[i].found <= res.kinds[i].total &&
                       res.kinds[i].removal_found <= res.kinds[i].removal_total,
                   "kind %s: found more than there are", res.kinds[i].name);
        if (i) FUZZ_CHECK(strcmp(res.kinds[i - 1].name, res.kinds[i].name) < 0, "kinds not in order");
    }
    doppel_eval_result_free(&res);
    return 0;
}
