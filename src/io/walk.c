/*
 * walk.c — the directory walk of the reader: depth-first in byte order of
 * names, so that ids and document numbers do not depend on the file
 * system's listing order. Names starting with '.' are skipped (version
 * control and editor files). Symbolic links are followed; a directory
 * reached twice (a symlink loop) is reported once and not entered again.
 */
#include "io/reader.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *dp_path_join(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    char *p = malloc(la + lb + 2);
    if (!p) return NULL;
    memcpy(p, a, la);
    size_t k = la;
    if (la && a[la - 1] != '/') p[k++] = '/';
    memcpy(p + k, b, lb + 1);
    return p;
}

static void pop_frame(doppel_reader *r) {
    dp_dir_frame *f = &r->stack[--r->depth];
    for (size_t i = f->next; i < f->count; i++) free(f->names[i]);
    free(f->names);
    free(f->path);
}

void dp_walk_reset(doppel_reader *r) {
    while (r->depth) pop_frame(r);
}

/* Enter directory rel (relative to root). Errors leave the stack unchanged. */
doppel_status dp_walk_push(doppel_reader *r, const char *rel, doppel_error *err) {
    char *full = *rel ? dp_path_join(r->root, rel) : strdup(r->root);
    if (!full) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    struct stat sb;
    doppel_status st = DOPPEL_OK;
    if (stat(full, &sb) != 0) {
        st = dp_fail(err, DOPPEL_ERR_IO, "%s: %s", full, strerror(errno));
        goto out;
    }
    for (size_t i = 0; i < r->seen; i++)
        if (r->seen_dev[i] == sb.st_dev && r->seen_ino[i] == sb.st_ino) {
            st = dp_fail(err, DOPPEL_ERR_IO, "%s: directory already visited (symlink loop), skipped",
                         full);
            goto out;
        }
    DIR *dir = opendir(full);
    if (!dir) {
        st = dp_fail(err, DOPPEL_ERR_IO, "%s: cannot read directory: %s", full, strerror(errno));
        goto out;
    }
    if (dp_grow((void **)&r->seen_dev, &(size_t){r->seen_cap}, r->seen + 1, sizeof *r->seen_dev) ||
        dp_grow((void **)&r->seen_ino, &r->seen_cap, r->seen + 1, sizeof *r->seen_ino)) {
        closedir(dir);
        st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        goto out;
    }
    r->seen_dev[r->seen] = sb.st_dev;
    r->seen_ino[r->seen++] = sb.st_ino;
    dp_dir_frame f = {0};
    size_t cap = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (de->d_name[0] == '.') continue;
        if (f.count == cap) {
            cap = cap ? cap * 2 : 64;
            char **p = realloc(f.names, cap * sizeof *p);
            if (!p) break;
            f.names = p;
        }
        if (!(f.names[f.count] = strdup(de->d_name))) break;
        f.count++;
    }
    closedir(dir);
    if (f.count) qsort(f.names, f.count, sizeof *f.names, cmp_name);
    f.path = strdup(rel);
    if (dp_grow((void **)&r->stack, &r->stack_cap, r->depth + 1, sizeof *r->stack) || !f.path) {
        for (size_t i = 0; i < f.count; i++) free(f.names[i]);
        free(f.names);
        free(f.path);
        st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        goto out;
    }
    r->stack[r->depth++] = f;
out:
    free(full);
    return st;
}

/* Subdirectories are entered here; what is returned is anything else (a
 * file, or a name stat cannot follow, for the caller to report). */
doppel_status dp_walk_next(doppel_reader *r, char **out, doppel_error *err) {
    *out = NULL;
    while (r->depth) {
        dp_dir_frame *f = &r->stack[r->depth - 1];
        if (f->next == f->count) {
            pop_frame(r);
            continue;
        }
        char *name = f->names[f->next++];
        char *rel = *f->path ? dp_path_join(f->path, name) : strdup(name);
        free(name);
        if (!rel) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        char *full = dp_path_join(r->root, rel);
        if (!full) {
            free(rel);
            return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        }
        struct stat sb;
        int is_dir = stat(full, &sb) == 0 && S_ISDIR(sb.st_mode);
        free(full);
        if (is_dir) {
            doppel_status st = dp_walk_push(r, rel, err);
            if (st) {
                *out = rel;  /* named in the caller's message */
                return st;
            }
            free(rel);
            continue;
        }
        *out = rel;
        return DOPPEL_OK;
    }
    return DOPPEL_END;
}
