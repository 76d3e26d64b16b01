/*
 * cmd_compare.c — `doppel compare A B`: explain one pair.
 */
#include "run.h"

#include <stdlib.h>
#include <string.h>

static const char compare_usage[] =
    "usage: doppel compare [options] A B\n\n"
    "Explain one pair of documents (files; gzip/zstd read transparently): Jaccard\n"
    "similarity and containment both ways of their shingle sets, the MinHash estimate,\n"
    "the longest passages they share, and the verdict (exact, near, contained or none)\n"
    "under the same thresholds as cluster. --json prints one JSON object.\n"
    "Takes the matching options of `doppel cluster --help`.\n";

/* Whole file as one document; text is malloc'ed. */
static int read_doc(const char *path, cli_common *c, char **text, size_t *len) {
    doppel_reader_options ro = c->ropt;
    ro.format = DOPPEL_INPUT_TEXT;
    doppel_reader *r = NULL;
    doppel_error err = {0};
    doppel_record rec;
    if (doppel_reader_open(path, &ro, &r, &err) || doppel_reader_next(r, &rec, &err) != DOPPEL_OK) {
        cli_error("%s", err.message[0] ? err.message : "cannot read input");
        doppel_reader_free(r);
        return -1;
    }
    *text = malloc(rec.text_len + 1);
    if (*text) {
        memcpy(*text, rec.text, rec.text_len);
        *len = rec.text_len;
    }
    doppel_reader_free(r);
    return *text ? 0 : -1;
}

int cmd_compare(int argc, char **argv) {
    cli_common c;
    int first = cli_parse_common(argc, argv, &c, compare_usage);
    if (first == -1) return 0;
    if (first == -2) return EXIT_USAGE;
    if (argc - first != 2) {
        cli_error("compare needs two inputs A and B (see --help)");
        return EXIT_USAGE;
    }
    char *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    if (read_doc(argv[first], &c, &a, &alen) || read_doc(argv[first + 1], &c, &b, &blen)) {
        free(a);
        return 1;
    }
    doppel_comparison cmp;
    doppel_error err = {0};
    int rc = 0;
    if (doppel_compare(&c.cfg, a, alen, b, blen, &cmp, &err)) {
        cli_error("%s", err.message);
        rc = 1;
    } else if (c.json) {
        printf("{\"a\":");
        cli_json_string(stdout, argv[first], strlen(argv[first]));
        printf(",\"b\":");
        cli_json_string(stdout, argv[first + 1], strlen(argv[first + 1]));
        printf(",\"shingles_a\":%zu,\"shingles_b\":%zu,\"shared\":%u,\"jaccard\":%.4f,"
               "\"a_in_b\":%.4f,\"b_in_a\":%.4f,\"estimate\":%.4f,\"relation\":\"%s\",\"passages\":[",
               cmp.shingles_a, cmp.shingles_b, cmp.sim.shared, cmp.sim.jaccard, cmp.sim.a_in_b,
               cmp.sim.b_in_a, cmp.estimate, doppel_relation_name(cmp.relation));
        for (size_t i = 0; i < cmp.num_passages; i++) {
            printf("%s{\"words\":%zu,\"a_word\":%zu,\"b_word\":%zu,\"text\":", i ? "," : "",
                   cmp.passages[i].words, cmp.passages[i].a_word, cmp.passages[i].b_word);
            cli_json_string(stdout, cmp.passages[i].text, strlen(cmp.passages[i].text));
            putchar('}');
        }
        printf("]}\n");
    } else {
        printf("A: %s (%zu shingles)\nB: %s (%zu shingles)\n", argv[first], cmp.shingles_a,
               argv[first + 1], cmp.shingles_b);
        printf("shared shingles:  %u\n", cmp.sim.shared);
        printf("jaccard:          %.4f (MinHash estimate %.4f)\n", cmp.sim.jaccard, cmp.estimate);
        printf("A inside B:       %.4f\nB inside A:       %.4f\n", cmp.sim.a_in_b, cmp.sim.b_in_a);
        printf("verdict:          %s\n", cmp.relation == DOPPEL_REL_NONE
                                             ? "not a copy"
                                             : doppel_relation_name(cmp.relation));
        if (cmp.relation == DOPPEL_REL_CONTAINED)
            printf("                  (%s is contained in %s)\n",
                   cmp.shingles_a <= cmp.shingles_b ? "A" : "B",
                   cmp.shingles_a <= cmp.shingles_b ? "B" : "A");
        printf("longest shared passages (normalized words):\n");
        if (!cmp.num_passages) printf("  (none)\n");
        for (size_t i = 0; i < cmp.num_passages; i++) {
            const doppel_passage *p = &cmp.passages[i];
            int show = p->words > 40 ? 300 : (int)strlen(p->text);
            printf("  %zu words at A word %zu / B word %zu: \"%.*s%s\"\n", p->words, p->a_word,
                   p->b_word, show, p->text, (size_t)show < strlen(p->text) ? "..." : "");
        }
    }
    doppel_comparison_free(&cmp);
    free(a);
    free(b);
    return rc;
}
