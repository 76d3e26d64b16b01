/*
 * main.c — the doppel command: dispatch to subcommands.
 */
#include "cli.h"

int cmd_index(int argc, char **argv);  /* cmd_index.c */
int cmd_serve(int argc, char **argv);  /* cmd_serve.c */

#include <string.h>

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"cluster", cmd_cluster, "one JSON line per document: its copy cluster and canonical"},
    {"dedup", cmd_dedup, "write the input minus the non-canonical copies"},
    {"pairs", cmd_pairs, "write every verified pair with Jaccard, containment, relation"},
    {"stories", cmd_stories, "group documents into news stories: size, dates, terms, copies"},
    {"compare", cmd_compare, "explain one pair of files: similarity, shared passages, verdict"},
    {"extract", cmd_extract, "show the cleaned text and metadata doppel compares per document"},
    {"synth", cmd_synth, "generate a labeled synthetic corpus with planted copies"},
    {"eval", cmd_eval, "score a clustering against gold (pairwise, ARI, BCubed, removal)"},
    {"index", cmd_index, "a live index on disk: create, add, query, export, expire"},
    {"serve", cmd_serve, "answer checks and adds over HTTP from an index"},
};

static void usage(FILE *fp) {
    fputs("usage: doppel <command> [options] ...\n\n"
          "Find exact, near-duplicate and contained copies of text in large collections.\n\n"
          "commands:\n", fp);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(fp, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fputs("\n`doppel <command> --help` describes each command's options.\n"
          "`doppel help <command>` is the same.\n"
          "Input: any number of files and directories, and - for standard input: JSONL\n"
          "(or a JSON array), CSV/TSV, or text/Markdown/HTML files as one document each;\n"
          "plain, gzip, zstd, bzip2 or xz. See docs/formats.md.\n", fp);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    /* doppel help CMD is doppel CMD --help */
    if (!strcmp(name, "help") && argc >= 3) {
        for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
            if (!strcmp(argv[2], commands[i].name)) {
                char *args[] = {argv[2], "--help", NULL};
                return commands[i].run(2, args);
            }
        cli_error("unknown command '%s' (see doppel --help)", argv[2]);
        return EXIT_USAGE;
    }
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(name, "--version")) {
        printf("doppel %s\n", DOPPEL_VERSION_STRING);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(name, commands[i].name)) return commands[i].run(argc - 1, argv + 1);
    cli_error("unknown command '%s' (see doppel --help)", name);
    return EXIT_USAGE;
}
