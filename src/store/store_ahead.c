/*
 * store_ahead.c — what a writer prepares beside its caller while the
 * caller reads its input (between doppel_store_begin and the first write):
 * a directory of each stored run's keys (in memory; lookups search the
 * fences until it is ready), the used part of the map mapped ahead and the
 * part past it advised for the pages the add will write there.
 */
#include "store/store_writer.h"

#include <stdio.h>
#include <sys/mman.h>

/* ---- directories of the stored runs ---------------------------------------------- */

static void dirs_wait(doppel_store_writer *w) {
    if (!w->dir_running) return;
    pthread_join(w->dir_tid, NULL);
    w->dir_running = 0;
}

void dp_writer_dirs_free(doppel_store_writer *w) {
    dirs_wait(w);
    atomic_store(&w->dirs_ready, 0);
    for (uint32_t r = 0; r < DP_RUNS_MAX; r++) {
        if (w->rdir[r]) dp_free(w->rdir[r], w->rdir_bytes[r]);
        w->rdir[r] = NULL;
    }
}

/* Directories of the stored runs [0, mem_first) (a run without one, for
 * want of memory, is searched from its fences: the same answers). */
void dp_writer_dirs_build(doppel_store_writer *w) {
    for (uint32_t r = 0; r < w->mem_first; r++) {
        dp_run run = w->runs.r[r];
        size_t bytes = dp_run_dir_size(&run, &w->rdir_bits[r], &w->rdir_bands[r]);
        if (!bytes || !(w->rdir[r] = dp_malloc(bytes))) continue;
        w->rdir_bytes[r] = bytes;
        dp_run_dir_build(&run, w->rdir[r], w->rdir_bits[r], w->rdir_bands[r]);
    }
    atomic_store(&w->dirs_ready, 1);
}

static void *dir_thread(void *p) {
    dp_writer_dirs_build(p);
    return NULL;
}

void dp_writer_dirs_start(doppel_store_writer *w) {
    atomic_init(&w->dirs_ready, 0);
    if (w->s->threads >= 2) w->dir_running = pthread_create(&w->dir_tid, NULL, dir_thread, w) == 0;
    if (!w->dir_running) dp_writer_dirs_build(w);
}

/* ---- the map's pages mapped ahead ----------------------------------------------- */

/* Why: each add is a new process whose map has no page mapped; the add's
 * reads of committed pages (run lookups, B-tree descents, candidates'
 * features) each took a page fault on the critical path, while the other
 * core sat idle as the caller read its input (between begin and the first
 * write). A thread maps the used part of the map meanwhile, a step at a
 * time, until the first write stops it (only page tables: the pages are
 * the page cache's, nothing is read that the add would not find there). */
#define PREFAULT_STEP ((size_t)4 << 20)

static void *prefault_thread(void *p) {
    doppel_store_writer *w = p;
    for (size_t at = 0; at < w->pf_len && !atomic_load(&w->pf_stop); at += PREFAULT_STEP)
        if (madvise(w->pf_base + at, DP_MIN(PREFAULT_STEP, w->pf_len - at), MADV_POPULATE_READ))
            break;  /* an older kernel: nothing done */
    return NULL;
}

/* The start of the mapping holding p, and its file offset (Linux:
 * /proc/self/maps); 0 when not found. */
static int mapping_of(const void *p, char **start, size_t *offset) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return 0;
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        unsigned long a, b, off;
        if (sscanf(line, "%lx-%lx %*s %lx", &a, &b, &off) == 3 && (uintptr_t)p >= a &&
            (uintptr_t)p < b) {
            *start = (char *)(uintptr_t)a;
            *offset = off;
            found = 1;
        }
    }
    fclose(f);
    return found;
}

/* Why the map past its used part is advised normal: LMDB advises the
 * whole map random (MDB_NORDAHEAD: right for committed pages, where a
 * candidate's features are a page or two and readahead around them would
 * fill the cache with pages no add reads). Past the used part there is
 * only the sparse file's hole, where an add writes its new pages (features,
 * the commit's merged runs): advised random, each was a major fault of its
 * own, a 4 KiB page read as zeroes at a time (406k faults in the 7th add of
 * 1M documents); advised normal, the kernel fills the hole in large folios,
 * a fault each. */
static void advise_tail(char *base, size_t used, size_t map) {
    if (used < map) madvise(base + used, map - used, MADV_NORMAL);
}

void dp_writer_map_ahead(doppel_store_writer *w) {
    doppel_store *s = w->s;
    char *start;
    size_t off;
    MDB_envinfo info;
    MDB_stat ms;
    MDB_val k = {8, "counters"}, v;
    /* the counters are committed: their value lies in the map (WRITEMAP) */
    if (mdb_get(w->txn, s->db_header, &k, &v) || !mapping_of(v.mv_data, &start, &off) || off ||
        mdb_env_info(s->env, &info) || mdb_env_stat(s->env, &ms))
        return;
    size_t used = (size_t)(info.me_last_pgno + 1) * ms.ms_psize;
    advise_tail(start, used, info.me_mapsize);
    /* once a handle: a server's later adds find the pages mapped */
    if (s->prefaulted || s->threads < 2 || !w->runs.n) return;
    w->pf_base = start;
    w->pf_len = used;
    atomic_init(&w->pf_stop, 0);
    w->pf_running = pthread_create(&w->pf_tid, NULL, prefault_thread, w) == 0;
    s->prefaulted = 1;
}

void dp_writer_prefault_stop(doppel_store_writer *w) {
    if (!w->pf_running) return;
    atomic_store(&w->pf_stop, 1);
    pthread_join(w->pf_tid, NULL);
    w->pf_running = 0;
}
