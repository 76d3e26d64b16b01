/*
 * driver.c — a main() for the fuzz targets when libFuzzer is not linked in.
 *
 * usage: fuzz_TARGET [FILE|DIR]...   (no argument: one input from stdin)
 *
 * Each file is one input; a directory's regular files are inputs (not
 * recursively). This is how AFL++ runs a target (afl-fuzz ... -- fuzz_x @@,
 * or stdin) and how `make fuzz-replay` replays the seed and regression
 * corpora under the sanitizers with any compiler. Prints the number of
 * inputs run, so a replay that silently ran nothing is visible.
 */
#include <dirent.h>
#include <sys/stat.h>

#include "fuzz.h"

static unsigned long inputs;

static int run_stream(FILE *fp, const char *name) {
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) return -1;
    for (;;) {
        if (len == cap) {
            uint8_t *p = realloc(buf, cap *= 2);
            if (!p) { free(buf); return -1; }
            buf = p;
        }
        size_t r = fread(buf + len, 1, cap - len, fp);
        len += r;
        if (r == 0) break;
    }
    if (ferror(fp)) {
        fprintf(stderr, "%s: read error\n", name);
        free(buf);
        return -1;
    }
    /* An exact-size copy, so ASan sees a read one byte past the input. */
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact) { free(buf); return -1; }
    memcpy(exact, buf, len);
    free(buf);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    inputs++;
    return 0;
}

static int run_file(const char *path) {
    FILE *fp = fopen(path, "rb");
    if (!fp) { perror(path); return -1; }
    int rc = run_stream(fp, path);
    fclose(fp);
    return rc;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The regular files of a directory, in name order so runs are repeatable. */
static int run_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) { perror(dir); return -1; }
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            char **p = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            if (!p) { rc = -1; break; }
            names = p;
        }
        size_t l = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(l))) { rc = -1; break; }
        snprintf(names[n++], l, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (!rc && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) rc = run_file(names[i]);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv) {
    int rc = 0;
    if (argc < 2) rc = run_stream(stdin, "-");
    for (int i = 1; i < argc && !rc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) rc = run_dir(argv[i]);
        else rc = run_file(argv[i]);
    }
    fprintf(stderr, "%s: %lu inputs run\n", argv[0], inputs);
    return rc ? 1 : 0;
}
