/* What the process may use: the CPU affinity mask narrows the default
 * thread count, and cgroup v2 limits are read from the process's cgroup
 * and every one above it, the smallest winning (checked on fake cgroup
 * trees, since a test cannot count on creating real cgroups). */
#include "testutil.h"

#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/internal.h"

static char root[64];

/* Write text to root/rel (directories made as needed). */
static void put(const char *rel, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state) {
    (void)state;
    snprintf(root, sizeof root, "/tmp/doppel-test-machine-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static uint64_t cpu(const char *self) {
    char fs[128], proc[128];
    snprintf(fs, sizeof fs, "%s/fs", root);
    snprintf(proc, sizeof proc, "%s/%s", root, self);
    return dp_cgroup_cpu_limit(fs, proc);
}

static uint64_t mem(const char *self) {
    char fs[128], proc[128];
    snprintf(fs, sizeof fs, "%s/fs", root);
    snprintf(proc, sizeof proc, "%s/%s", root, self);
    return dp_cgroup_memory_limit(fs, proc);
}

static void test_cgroup_limits(void **state) {
    (void)state;
    /* A job cgroup inside a slice: the slice allows 3.5 cores and 8 GiB,
     * the job 2 cores and no memory limit of its own. */
    put("self", "0::/slice/job\n");
    put("fs/slice/cpu.max", "350000 100000\n");
    put("fs/slice/memory.max", "8589934592\n");
    put("fs/slice/job/cpu.max", "200000 100000\n");
    put("fs/slice/job/memory.max", "max\n");
    assert_int_equal(cpu("self"), 2);
    assert_int_equal(mem("self"), 8589934592ull);

    /* The slice's quota rounds up: 3.5 cores is 4 threads. */
    put("fs/slice/job/cpu.max", "max 100000\n");
    assert_int_equal(cpu("self"), 4);

    /* The smaller limit wins wherever it is set. */
    put("fs/slice/job/memory.max", "1073741824\n");
    assert_int_equal(mem("self"), 1073741824ull);

    /* A quota under one core still allows one thread. */
    put("fs/slice/job/cpu.max", "20000 100000\n");
    assert_int_equal(cpu("self"), 1);

    /* A process in the root cgroup (a container's namespace) reads the
     * root's files. */
    put("root-self", "0::/\n");
    put("fs/cpu.max", "100000 50000\n");
    assert_int_equal(cpu("root-self"), 2);

    /* No limits anywhere, v1 only, or no proc file: no limit. */
    put("free-self", "0::/free\n");
    put("fs/free/cpu.max", "max 100000\n");
    put("fs/free/memory.max", "max\n");
    put("fs/cpu.max", "max 100000\n");
    assert_int_equal(cpu("free-self"), 0);
    assert_int_equal(mem("free-self"), 0);
    put("v1-self", "4:cpu,cpuacct:/user.slice\n1:name=systemd:/user.slice\n");
    assert_int_equal(cpu("v1-self"), 0);  /* no v1 files under fs/cpu */
    assert_int_equal(mem("v1-self"), 0);
    assert_int_equal(cpu("missing-self"), 0);

    /* cgroup v1: a mount per controller, the path on the controller's
     * line (here "cpu,cpuacct" shares one); quota -1 is none. */
    put("v1-job", "5:memory:/sandbox/job\n4:cpu,cpuacct:/sandbox\n0::/\n");
    put("fs/cpu.max", "max 100000\n");
    put("fs/memory/sandbox/job/memory.limit_in_bytes", "9223372036854771712\n");
    put("fs/memory/sandbox/memory.limit_in_bytes", "536870912\n");
    put("fs/cpu/sandbox/cpu.cfs_quota_us", "150000\n");
    put("fs/cpu/sandbox/cpu.cfs_period_us", "100000\n");
    assert_int_equal(mem("v1-job"), 536870912ull);
    assert_int_equal(cpu("v1-job"), 2);
    put("fs/cpu/sandbox/cpu.cfs_quota_us", "-1\n");
    assert_int_equal(cpu("v1-job"), 0);
    /* Both versions limiting: the smaller wins. */
    put("fs/memory.max", "268435456\n");
    assert_int_equal(mem("v1-job"), 268435456ull);
    put("fs/memory.max", "max\n");

    /* Unreadable values are no limit, not a crash or a zero. */
    put("fs/free/memory.max", "lots\n");
    put("fs/free/cpu.max", "100000 0\n");
    assert_int_equal(mem("free-self"), 0);
    assert_int_equal(cpu("free-self"), 0);
}

static void test_affinity_narrows_cores(void **state) {
    (void)state;
    cpu_set_t old, one;
    assert_int_equal(sched_getaffinity(0, sizeof old, &old), 0);
    unsigned all = doppel_available_cores();
    assert_true(all >= 1);
    assert_true(all <= (unsigned)CPU_COUNT(&old));

    int first = 0;
    while (!CPU_ISSET(first, &old)) first++;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    assert_int_equal(sched_setaffinity(0, sizeof one, &one), 0);
    assert_int_equal(doppel_available_cores(), 1);

    assert_int_equal(sched_setaffinity(0, sizeof old, &old), 0);
    assert_int_equal(doppel_available_cores(), all);
}

static void test_available_memory(void **state) {
    (void)state;
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t bytes = doppel_available_memory();
    assert_true(bytes > 0);
    assert_true(bytes <= (uint64_t)pages * (uint64_t)page);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cgroup_limits),
        cmocka_unit_test(test_affinity_narrows_cores),
        cmocka_unit_test(test_available_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
