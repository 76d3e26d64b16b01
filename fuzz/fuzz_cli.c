/*
 * fuzz_cli — the shared option parser of cluster, dedup and pairs
 * (cli_parse_common in cli/options.c), linked from the CLI's own objects.
 *
 * Input: argv as NUL-separated strings (argv[0] is supplied). The parser
 * must return -1 (help), -2 (usage error) or an operand index within argv,
 * and on success leave a configuration that doppel_config_validate accepts.
 * After each input a known command line is parsed and must give its known
 * result: the parser must not keep state from one call to the next
 * (getopt's position inside an option cluster such as "-hq").
 */
#include <fcntl.h>
#include <unistd.h>

#include "../cli/run.h"
#include "fuzz.h"

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* --help prints to stdout and usage errors to stderr: silenced, or the
     * fuzzer spends its time writing. stderr is silenced only around the
     * call, so check failures and sanitizer reports are still seen. */
    static int devnull = -1, saved_err = -1;
    if (devnull < 0) {
        devnull = open("/dev/null", O_WRONLY);
        saved_err = dup(2);
        if (devnull < 0 || saved_err < 0) abort();
        dup2(devnull, 1);
    }
    if (size > 4096) return 0;
    /* one heap copy, NUL-terminated, so ASan sees reads past an argument */
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "doppel-fuzz";
    for (size_t i = 0; i < size && argc < MAX_ARGS;) {
        argv[argc++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    argv[argc] = NULL;

    cli_common c;
    fflush(stderr);
    dup2(devnull, 2);
    int rc = cli_parse_common(argc, argv, &c, "usage: doppel-fuzz [options] INPUT\n");
    fflush(stderr);
    dup2(saved_err, 2);
    FUZZ_CHECK(rc == -1 || rc == -2 || (rc >= 1 && rc <= argc), "returned %d for %d args", rc, argc);
    if (rc >= 0) {
        doppel_error err;
        FUZZ_CHECK(doppel_config_validate(&c.cfg, &err) == DOPPEL_OK, "accepted a bad config: %s",
                   err.message);
        FUZZ_CHECK(c.ropt.max_doc_bytes >= 1 && c.ropt.id_field && c.ropt.text_field && c.output,
                   "bad reader options");
        /* the operands getopt left are real arguments */
        for (int i = rc; i < argc; i++) FUZZ_CHECK(argv[i] != NULL, "NULL operand %d", i);
    }
    cli_common_free(&c);

    /* A known command line right after: it must parse the same whatever came
     * before (getopt keeps a pointer into the previous argv between calls). */
    char a0[] = "doppel-fuzz", a1[] = "-o", a2[] = "out.jsonl", a3[] = "in.jsonl";
    char *known[] = {a0, a1, a2, a3, NULL};
    fflush(stderr);
    dup2(devnull, 2);
    rc = cli_parse_common(4, known, &c, "usage\n");
    fflush(stderr);
    dup2(saved_err, 2);
    FUZZ_CHECK(rc == 3 && !strcmp(c.output, "out.jsonl") && !c.quiet && !c.strict,
               "state left by the previous call: rc %d, output %s, quiet %d", rc, c.output,
               (int)c.quiet);
    cli_common_free(&c);
    free(buf);
    return 0;
}
