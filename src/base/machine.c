/*
 * machine.c — the cores and memory this process may use, for the defaults
 * "all cores" and "a safe share of memory".
 *
 * The machine's totals are not what a process gets: `taskset`, a batch
 * scheduler or a container narrows the CPUs it may run on, and a cgroup
 * may cap its CPU time and memory. Threads beyond the CPUs the process may
 * use only take turns on them (the 100k synth corpus pinned to one core:
 * 1.76 s with two threads, 1.68 s with one, medians of 7), and a memory
 * budget beyond the cgroup's limit ends in the OOM killer, so both defaults
 * take the narrowest limit that applies.
 *
 * Both cgroup versions are read: v2 (current distributions) names the
 * process's cgroup in /proc/self/cgroup as "0::/path", v1 (still on older
 * hosts and some sandboxes, this development machine among them) as
 * "N:controllers:/path" under a mount per controller. Every cgroup from the
 * process's own up to the root may set a limit, so all are read and the
 * smallest wins.
 */
#include "base/internal.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CGROUP_ROOT "/sys/fs/cgroup"
#define SELF_CGROUP "/proc/self/cgroup"

/* Does the comma-separated list [s, end) hold name? */
static int lists(const char *s, const char *end, const char *name) {
    size_t n = strlen(name);
    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *item_end = comma ? comma : end;
        if ((size_t)(item_end - s) == n && !memcmp(s, name, n)) return 1;
        s = item_end + 1;
    }
    return 0;
}

/* The path ("/" or "/a/b") of this process's cgroup in the v2 hierarchy
 * (controller NULL) or in the v1 hierarchy of controller, from the proc
 * file, into path; 0 when there is none. */
static int own_cgroup(const char *proc_file, const char *controller, char *path, size_t cap) {
    FILE *f = fopen(proc_file, "re");
    if (!f) return 0;
    char line[4096];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        char *first = strchr(line, ':'), *second = first ? strchr(first + 1, ':') : NULL;
        if (!second || second[1] != '/') continue;
        int v2 = !strncmp(line, "0::", 3);
        if (controller ? v2 || !lists(first + 1, second, controller) : !v2) continue;
        size_t n = strcspn(second + 1, "\n");
        if (n >= cap) continue;
        memcpy(path, second + 1, n);
        path[n] = '\0';
        found = 1;
    }
    fclose(f);
    return found;
}

/* The first line of dir/name into buf; 0 when it cannot be read. */
static int read_line(const char *dir, const char *name, char *buf, size_t cap) {
    char file[4200];
    if ((size_t)snprintf(file, sizeof file, "%s/%s", dir, name) >= sizeof file) return 0;
    FILE *f = fopen(file, "re");
    if (!f) return 0;
    int ok = fgets(buf, (int)cap, f) != NULL;
    fclose(f);
    return ok;
}

/* A limit of one cgroup directory, or 0 for none. */
typedef uint64_t (*limit_of)(const char *dir);

/* The first line of dir/name as an unsigned number, or 0 (also for "max",
 * "-1" and anything else that is not a number). */
static uint64_t read_number(const char *dir, const char *name) {
    char buf[128], *end;
    if (!read_line(dir, name, buf, sizeof buf) || buf[0] < '0' || buf[0] > '9') return 0;
    unsigned long long v = strtoull(buf, &end, 10);
    return *end && *end != '\n' ? 0 : v;
}

/* QUOTA microseconds of CPU time per PERIOD are QUOTA/PERIOD cores, rounded
 * up (a quota of 1.5 cores keeps two threads busy 75% of the time, better
 * than one thread all of it). */
static uint64_t cores_of(uint64_t quota, uint64_t period) {
    if (!quota || !period) return 0;
    uint64_t cores = quota / period + (quota % period != 0);
    return cores ? cores : 1;
}

/* v2: cpu.max is "QUOTA PERIOD" or "max PERIOD". */
static uint64_t cpu_v2(const char *dir) {
    char buf[128];
    unsigned long long quota, period;
    if (!read_line(dir, "cpu.max", buf, sizeof buf)) return 0;
    if (sscanf(buf, "%llu %llu", &quota, &period) != 2) return 0;  /* "max" */
    return cores_of(quota, period);
}

/* v1: cpu.cfs_quota_us is -1 when there is no quota. */
static uint64_t cpu_v1(const char *dir) {
    return cores_of(read_number(dir, "cpu.cfs_quota_us"), read_number(dir, "cpu.cfs_period_us"));
}

/* v2: memory.max is a byte count or "max"; v1 writes "no limit" as a
 * number near 2^63, which the caller's minimum with physical memory
 * absorbs. */
static uint64_t memory_v2(const char *dir) { return read_number(dir, "memory.max"); }
static uint64_t memory_v1(const char *dir) { return read_number(dir, "memory.limit_in_bytes"); }

/* The smallest limit set by the process's cgroup or any above it in one
 * hierarchy (mounted at base); 0 if none. */
static uint64_t hierarchy_limit(const char *base, const char *proc_file, const char *controller,
                                limit_of limit) {
    char rel[4096], dir[4200];
    if (!own_cgroup(proc_file, controller, rel, sizeof rel)) return 0;
    uint64_t best = 0;
    for (;;) {
        if ((size_t)snprintf(dir, sizeof dir, "%s%s", base, strcmp(rel, "/") ? rel : "") >=
            sizeof dir)
            return best;
        uint64_t v = limit(dir);
        if (v && (!best || v < best)) best = v;
        char *slash = strrchr(rel, '/');
        if (!slash || slash == rel) {
            if (!strcmp(rel, "/")) break;
            strcpy(rel, "/");  /* the root's own files come last */
        } else {
            *slash = '\0';
        }
    }
    return best;
}

/* The smaller of the v2 limit and the v1 one (controller's hierarchy, at
 * root/controller); 0 if neither sets one. */
static uint64_t cgroup_limit(const char *root, const char *proc_file, const char *controller,
                             limit_of v2, limit_of v1) {
    char base[4200];
    uint64_t a = hierarchy_limit(root, proc_file, NULL, v2), b = 0;
    if ((size_t)snprintf(base, sizeof base, "%s/%s", root, controller) < sizeof base)
        b = hierarchy_limit(base, proc_file, controller, v1);
    return a && (!b || a < b) ? a : b;
}

uint64_t dp_cgroup_cpu_limit(const char *root, const char *proc_file) {
    return cgroup_limit(root, proc_file, "cpu", cpu_v2, cpu_v1);
}

uint64_t dp_cgroup_memory_limit(const char *root, const char *proc_file) {
    return cgroup_limit(root, proc_file, "memory", memory_v2, memory_v1);
}

unsigned doppel_available_cores(void) {
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t n = online < 1 ? 1 : (uint64_t)online;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int allowed = CPU_COUNT(&set);
        if (allowed > 0 && (uint64_t)allowed < n) n = (uint64_t)allowed;
    }
    uint64_t quota = dp_cgroup_cpu_limit(CGROUP_ROOT, SELF_CGROUP);
    if (quota && quota < n) n = quota;
    return n > DP_MAX_THREADS ? DP_MAX_THREADS : (unsigned)n;
}

uint64_t doppel_available_memory(void) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t bytes = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0;
    uint64_t limit = dp_cgroup_memory_limit(CGROUP_ROOT, SELF_CGROUP);
    if (limit && (!bytes || limit < bytes)) bytes = limit;
    return bytes;
}
