/*
 * cmd_eval.c — `doppel eval PRED GOLD`: score a clustering against gold with
 * the figures (and the text layout) of shared/tools/score_pairs.py, plus
 * BCubed as bcubed.py prints it.
 */
#include "cli.h"

#include <getopt.h>
#include <inttypes.h>
#include <string.h>

static const char eval_usage[] =
    "usage: doppel eval [options] PRED.jsonl GOLD.jsonl\n\n"
    "Score a predicted clustering against gold, both {\"id\", \"cluster\"} per line:\n"
    "pairwise precision/recall/F1 and adjusted Rand index (from the contingency table),\n"
    "BCubed precision/recall/F1, and removal scores (keep the first document of each\n"
    "cluster in gold order, remove the rest). Gold documents missing from the\n"
    "prediction are singletons; prediction ids not in the gold are ignored. When gold\n"
    "lines carry \"kind\", recall is also given per kind. A prediction of\n"
    "{\"id\", \"duplicate\": true|false} lines gives removal scores only.\n\n"
    "options:\n"
    "  -f, --field NAME       the prediction's label field (default cluster)\n"
    "      --gold-field NAME  the gold's label field (default cluster)\n"
    "      --id-field NAME    the id field of both files (default id)\n"
    "  -j, --json             print one JSON object\n"
    "      --pairs PRED_PAIRS --gold-pairs GOLD_PAIRS\n"
    "                         also score `doppel pairs` output against gold pairs\n"
    "                         (`synth --gold-pairs`): per gold kind, the pairs reported\n"
    "                         as a copy, as derived and as partial\n"
    "  -h, --help             this help\n";

static void print_removal_text(const doppel_eval_result *r) {
    printf("removal: gold=%" PRIu64 " pred=%" PRIu64 " true=%" PRIu64
           " precision=%.4f recall=%.4f f1=%.4f\n",
           r->gold_removed, r->pred_removed, r->true_removed, r->removal_precision,
           r->removal_recall, r->removal_f1);
    for (size_t k = 0; k < r->num_kinds; k++) {
        const doppel_eval_kind *e = &r->kinds[k];
        if (!e->removal_total) continue;
        printf("  removal_recall[%s] = %.4f (%" PRIu64 "/%" PRIu64 ")\n", e->name,
               (double)e->removal_found / (double)e->removal_total, e->removal_found,
               e->removal_total);
    }
}

/* Kinds that are no copies (their own gold cluster): how clean they stay.
 * Printed with --pairs only: the plain text form is score_pairs.py's. */
static void print_kind_precision(const doppel_eval_result *r) {
    for (size_t k = 0; k < r->num_kinds; k++) {
        const doppel_eval_kind *e = &r->kinds[k];
        if (e->total || !e->pred_pairs) continue;
        printf("  precision[%s] = %.4f (%" PRIu64 "/%" PRIu64 " pairs)\n", e->name,
               (double)e->true_pairs / (double)e->pred_pairs, e->true_pairs, e->pred_pairs);
    }
}

static void print_text(const doppel_eval_result *r) {
    if (r->flags_only) {
        printf("docs=%" PRIu64 " missing_in_pred=%" PRIu64
               " (duplicate flags: no clusters, removal scores only)\n",
               r->docs, r->missing_in_pred);
        print_removal_text(r);
        return;
    }
    printf("docs=%" PRIu64 " missing_in_pred=%" PRIu64 " extra_in_pred=%" PRIu64
           " gold_clusters=%" PRIu64 " pred_clusters=%" PRIu64 "\n",
           r->docs, r->missing_in_pred, r->extra_in_pred, r->gold_clusters, r->pred_clusters);
    printf("pairs: gold=%" PRIu64 " pred=%" PRIu64 " true=%" PRIu64 "\n", r->gold_pairs,
           r->pred_pairs, r->true_pairs);
    printf("precision=%.4f recall=%.4f f1=%.4f ari=%.4f\n", r->precision, r->recall, r->f1,
           r->ari);
    for (size_t k = 0; k < r->num_kinds; k++) {
        const doppel_eval_kind *e = &r->kinds[k];
        if (!e->total) continue;
        printf("  recall[%s] = %.4f (%" PRIu64 "/%" PRIu64 ")\n", e->name,
               (double)e->found / (double)e->total, e->found, e->total);
    }
    printf("bcubed P=%.4f R=%.4f F1=%.4f\n", r->bcubed_precision, r->bcubed_recall,
           r->bcubed_f1);
    print_removal_text(r);
}

/* "name":{"found":f,"total":t,"recall":x} entries of one breakdown. */
static void print_kinds_json(const doppel_eval_result *r, const char *key, int removal) {
    int any = 0;
    for (size_t k = 0; k < r->num_kinds; k++) {
        const doppel_eval_kind *e = &r->kinds[k];
        uint64_t found = removal ? e->removal_found : e->found;
        uint64_t total = removal ? e->removal_total : e->total;
        if (!total) continue;
        printf("%s", any ? "," : ",\"");
        if (!any) printf("%s\":{", key);
        any = 1;
        cli_json_string(stdout, e->name, strlen(e->name));
        printf(":{\"found\":%" PRIu64 ",\"total\":%" PRIu64 ",\"recall\":%.17g}", found, total,
               (double)found / (double)total);
    }
    if (any) putchar('}');
}

static void print_json(const doppel_eval_result *r) {
    printf("{\"docs\":%" PRIu64 ",\"missing_in_pred\":%" PRIu64, r->docs, r->missing_in_pred);
    if (!r->flags_only) {
        printf(",\"extra_in_pred\":%" PRIu64 ",\"gold_pairs\":%" PRIu64 ",\"pred_pairs\":%" PRIu64
               ",\"true_pairs\":%" PRIu64 ",\"precision\":%.17g,\"recall\":%.17g,\"f1\":%.17g"
               ",\"ari\":%.17g,\"gold_clusters\":%" PRIu64 ",\"pred_clusters\":%" PRIu64
               ",\"bcubed_precision\":%.17g,\"bcubed_recall\":%.17g,\"bcubed_f1\":%.17g",
               r->extra_in_pred, r->gold_pairs, r->pred_pairs, r->true_pairs, r->precision,
               r->recall, r->f1, r->ari, r->gold_clusters, r->pred_clusters,
               r->bcubed_precision, r->bcubed_recall, r->bcubed_f1);
    }
    printf(",\"gold_removed\":%" PRIu64 ",\"pred_removed\":%" PRIu64 ",\"true_removed\":%" PRIu64
           ",\"removal_precision\":%.17g,\"removal_recall\":%.17g,\"removal_f1\":%.17g",
           r->gold_removed, r->pred_removed, r->true_removed, r->removal_precision,
           r->removal_recall, r->removal_f1);
    print_kinds_json(r, "removal_recall_by_kind", 1);
    if (!r->flags_only) print_kinds_json(r, "recall_by_kind", 0);
    printf("}\n");
}

int cmd_eval(int argc, char **argv) {
    enum { OPT_GOLD_FIELD = 256, OPT_ID_FIELD, OPT_PAIRS, OPT_GOLD_PAIRS };
    const char *pairs_path = NULL, *gold_pairs_path = NULL;
    static const struct option longopts[] = {
        {"field", required_argument, NULL, 'f'},
        {"gold-field", required_argument, NULL, OPT_GOLD_FIELD},
        {"id-field", required_argument, NULL, OPT_ID_FIELD},
        {"json", no_argument, NULL, 'j'},
        {"pairs", required_argument, NULL, OPT_PAIRS},
        {"gold-pairs", required_argument, NULL, OPT_GOLD_PAIRS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    doppel_eval_options opt;
    doppel_eval_options_default(&opt);
    int json = 0;
    optind = 0;  /* 0, not 1: glibc then also forgets a half-read option cluster ("-qh") */
    int ch;
    while ((ch = getopt_long(argc, argv, "f:jh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'f': opt.pred_field = optarg; break;
        case OPT_GOLD_FIELD: opt.gold_field = optarg; break;
        case OPT_ID_FIELD: opt.id_field = optarg; break;
        case 'j': json = 1; break;
        case OPT_PAIRS: pairs_path = optarg; break;
        case OPT_GOLD_PAIRS: gold_pairs_path = optarg; break;
        case 'h': fputs(eval_usage, stdout); return 0;
        default: fputs(eval_usage, stderr); return EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        cli_error("eval needs two files, PRED and GOLD (see --help)");
        return EXIT_USAGE;
    }
    if (!pairs_path != !gold_pairs_path) {
        cli_error("--pairs and --gold-pairs go together");
        return EXIT_USAGE;
    }
    doppel_eval_result res;
    doppel_error err = {0};
    doppel_eval_pairs_result pres = {0};
    if (pairs_path && doppel_eval_pairs_files(pairs_path, gold_pairs_path, &pres, &err)) {
        cli_error("%s", err.message);
        return 1;
    }
    if (doppel_eval_files(argv[optind], argv[optind + 1], &opt, &res, &err)) {
        cli_error("%s", err.message);
        return 1;
    }
    if (json) print_json(&res);
    else print_text(&res);
    if (pairs_path && !json) print_kind_precision(&res);
    doppel_eval_result_free(&res);
    for (size_t k = 0; k < pres.num_kinds; k++) {
        const doppel_eval_pair_kind *e = &pres.kinds[k];
        uint64_t any = e->copy + e->derived + e->partial;
        if (json)
            printf("{\"gold_pairs\":\"%s\",\"total\":%" PRIu64 ",\"copy\":%" PRIu64
                   ",\"derived\":%" PRIu64 ",\"partial\":%" PRIu64 "}\n",
                   e->name, e->total, e->copy, e->derived, e->partial);
        else
            printf("pairs[%s]: %" PRIu64 " gold, reported %.4f (copy %" PRIu64 ", derived %" PRIu64
                   ", partial %" PRIu64 ")\n",
                   e->name, e->total, e->total ? (double)any / (double)e->total : 0.0, e->copy,
                   e->derived, e->partial);
    }
    doppel_eval_pairs_result_free(&pres);
    if (fflush(stdout) || ferror(stdout)) {
        cli_error("write error on standard output");
        return 1;
    }
    return 0;
}
