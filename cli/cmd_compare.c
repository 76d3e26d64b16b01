/*
 * cmd_compare.c — `doppel compare A B` and `doppel compare CORPUS ID1 ID2`:
 * explain one pair with the extraction and rules of `doppel pairs`.
 */
#include "run.h"

#include <stdlib.h>
#include <string.h>

static const char compare_usage[] =
    "usage: doppel compare [options] A B\n"
    "       doppel compare [options] CORPUS ID1 ID2\n\n"
    "Explain one pair of documents: two files (gzip/zstd read transparently), or two\n"
    "ids of a JSONL corpus. Each goes through the same extraction and rules as in\n"
    "`doppel pairs`: the verdict (exact, near, contained, derived, partial or none),\n"
    "which one is the source, the share of each one's words inside shared passages\n"
    "(cover), Jaccard and containment of their shingle sets, the MinHash estimate,\n"
    "and the longest shared passages side by side (normalized words; word offsets in\n"
    "each extracted text). --json prints one JSON object.\n"
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

/* The texts of ids[0] and ids[1] from a corpus (first record of each id). */
static int read_ids(const char *path, cli_common *c, const char *const ids[2], char *text[2],
                    size_t len[2]) {
    doppel_reader *r = NULL;
    doppel_error err = {0};
    if (doppel_reader_open(path, &c->ropt, &r, &err)) {
        cli_error("%s", err.message);
        return -1;
    }
    int found = 0, rc = 0;
    doppel_record rec;
    doppel_status st;
    while (found < 2 && (st = doppel_reader_next(r, &rec, &err)) != DOPPEL_END) {
        if (st != DOPPEL_OK) continue;  /* a bad record: not one of ours */
        for (int k = 0; k < 2; k++) {
            if (text[k] || strlen(ids[k]) != rec.id_len || memcmp(ids[k], rec.id, rec.id_len))
                continue;
            text[k] = malloc(rec.text_len + 1);
            if (!text[k]) {
                rc = -1;
                break;
            }
            memcpy(text[k], rec.text, rec.text_len);
            len[k] = rec.text_len;
            found++;
        }
        if (rc) break;
    }
    doppel_reader_free(r);
    for (int k = 0; !rc && k < 2; k++)
        if (!text[k]) {
            cli_error("%s: no document with id '%s'", path, ids[k]);
            rc = -1;
        }
    return rc;
}

static void print_json(const char *na, const char *nb, const doppel_comparison *cmp) {
    printf("{\"a\":");
    cli_json_string(stdout, na, strlen(na));
    printf(",\"b\":");
    cli_json_string(stdout, nb, strlen(nb));
    printf(",\"words_a\":%zu,\"words_b\":%zu,\"cover_a\":%.4f,\"cover_b\":%.4f,"
           "\"shingles_a\":%zu,\"shingles_b\":%zu,\"shared\":%u,\"jaccard\":%.4f,"
           "\"a_in_b\":%.4f,\"b_in_a\":%.4f,\"estimate\":%.4f,\"relation\":\"%s\"",
           cmp->words_a, cmp->words_b, cmp->cover_a, cmp->cover_b, cmp->shingles_a,
           cmp->shingles_b, cmp->sim.shared, cmp->sim.jaccard, cmp->sim.a_in_b, cmp->sim.b_in_a,
           cmp->estimate, doppel_relation_name(cmp->relation));
    if (cmp->relation == DOPPEL_REL_CONTAINED || cmp->relation == DOPPEL_REL_DERIVED ||
        cmp->relation == DOPPEL_REL_PARTIAL) {
        printf(",\"source\":");
        const char *s = cmp->a_is_source ? na : nb;
        cli_json_string(stdout, s, strlen(s));
    }
    printf(",\"passages\":[");
    for (size_t i = 0; i < cmp->num_passages; i++) {
        const doppel_passage *p = &cmp->passages[i];
        printf("%s{\"a_word\":%zu,\"a_words\":%zu,\"b_word\":%zu,\"b_words\":%zu,\"matched\":%zu,"
               "\"a_text\":",
               i ? "," : "", p->a_word, p->words, p->b_word, p->b_words, p->matched);
        cli_json_string(stdout, p->text, strlen(p->text));
        printf(",\"b_text\":");
        cli_json_string(stdout, p->b_text, strlen(p->b_text));
        putchar('}');
    }
    printf("]}\n");
}

/* Up to 300 bytes of a passage, with "..." when cut. */
static void print_clip(const char *label, const char *t) {
    int show = strlen(t) > 300 ? 300 : (int)strlen(t);
    printf("    %s \"%.*s%s\"\n", label, show, t, (size_t)show < strlen(t) ? "..." : "");
}

static void print_text(const char *na, const char *nb, const doppel_comparison *cmp) {
    printf("A: %s (%zu words, %zu shingles)\nB: %s (%zu words, %zu shingles)\n", na, cmp->words_a,
           cmp->shingles_a, nb, cmp->words_b, cmp->shingles_b);
    printf("verdict:          %s\n", cmp->relation == DOPPEL_REL_NONE
                                         ? "not a copy"
                                         : doppel_relation_name(cmp->relation));
    if (cmp->relation == DOPPEL_REL_CONTAINED || cmp->relation == DOPPEL_REL_DERIVED ||
        cmp->relation == DOPPEL_REL_PARTIAL)
        printf("source:           %s\n", cmp->a_is_source ? "A" : "B");
    printf("A covered:        %.4f (share of A's words in passages shared with B)\n", cmp->cover_a);
    printf("B covered:        %.4f\n", cmp->cover_b);
    printf("shared shingles:  %u\n", cmp->sim.shared);
    printf("jaccard:          %.4f (MinHash estimate %.4f)\n", cmp->sim.jaccard, cmp->estimate);
    printf("A inside B:       %.4f\nB inside A:       %.4f\n", cmp->sim.a_in_b, cmp->sim.b_in_a);
    printf("longest shared passages (normalized words):\n");
    if (!cmp->num_passages) printf("  (none)\n");
    for (size_t i = 0; i < cmp->num_passages; i++) {
        const doppel_passage *p = &cmp->passages[i];
        printf("  %zu words matched: A words %zu-%zu, B words %zu-%zu\n", p->matched, p->a_word,
               p->a_word + p->words, p->b_word, p->b_word + p->b_words);
        print_clip("A:", p->text);
        print_clip("B:", p->b_text);
    }
}

int cmd_compare(int argc, char **argv) {
    cli_common c;
    int first = cli_parse_common(argc, argv, &c, compare_usage);
    if (first == -1) return 0;
    if (first == -2) return EXIT_USAGE;
    int operands = argc - first;
    if (operands != 2 && operands != 3) {
        cli_error("compare needs two files A B, or a corpus and two ids (see --help)");
        return EXIT_USAGE;
    }
    char *text[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    const char *name[2];
    int bad;
    if (operands == 2) {
        name[0] = argv[first];
        name[1] = argv[first + 1];
        bad = read_doc(name[0], &c, &text[0], &len[0]) || read_doc(name[1], &c, &text[1], &len[1]);
    } else {
        name[0] = argv[first + 1];
        name[1] = argv[first + 2];
        bad = read_ids(argv[first], &c, name, text, len);
    }
    if (bad) {
        free(text[0]);
        free(text[1]);
        return 1;
    }
    doppel_comparison cmp;
    doppel_error err = {0};
    int rc = 0;
    if (doppel_compare(&c.cfg, text[0], len[0], text[1], len[1], &cmp, &err)) {
        cli_error("%s", err.message);
        rc = 1;
    } else {
        if (c.json) print_json(name[0], name[1], &cmp);
        else print_text(name[0], name[1], &cmp);
        doppel_comparison_free(&cmp);
    }
    free(text[0]);
    free(text[1]);
    return rc;
}
