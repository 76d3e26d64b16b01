/*
 * cpu.c — which vector instructions this CPU has, asked once per process.
 *
 * doppel is built for the baseline x86-64 CPU; the hot loops (normalize,
 * shingle, minhash, word counts of extraction, set intersections) take a
 * vector path only where these say the running CPU has it, so one binary runs
 * everywhere. DOPPEL_SIMD=off in the environment makes every answer "no": the
 * tests run the baseline paths that way on a CPU that has the vector ones, and
 * compare outputs (tests/cli/simd_cli.sh); a user can rule out a vector path so.
 *
 * The answers are worked out once: some callers ask per candidate pair, and
 * getenv() plus the feature tests cost more than the work they guard there.
 */
#include "base/internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

enum {
    CPU_AVX512 = 1,       /* F, DQ, VL */
    CPU_AVX512BW = 2,     /* F, BW, BMI, BMI2, POPCNT */
    CPU_AVX512_VBMI2 = 4, /* F, BW, VBMI2, BMI2 */
    CPU_AVX512_VBMI = 8,  /* F, BW, VBMI */
    CPU_AVX2 = 16,        /* AVX2, POPCNT */
};

static pthread_once_t cpu_once = PTHREAD_ONCE_INIT;
static int cpu_flags;

static int simd_off(void) {
    const char *v = getenv("DOPPEL_SIMD");
    return v && (strcmp(v, "off") == 0 || strcmp(v, "0") == 0);
}

static void cpu_detect(void) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (simd_off()) return;
    __builtin_cpu_init();
    int f = 0;
    int avx512 = __builtin_cpu_supports("avx512f");
    int bw = avx512 && __builtin_cpu_supports("avx512bw");
    if (avx512 && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        f |= CPU_AVX512;
    if (bw && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
        __builtin_cpu_supports("popcnt"))
        f |= CPU_AVX512BW;
    if (bw && __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("bmi2"))
        f |= CPU_AVX512_VBMI2;
    if (bw && __builtin_cpu_supports("avx512vbmi")) f |= CPU_AVX512_VBMI;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt")) f |= CPU_AVX2;
    cpu_flags = f;
#endif
}

static int has(int flag) {
    pthread_once(&cpu_once, cpu_detect);
    return (cpu_flags & flag) != 0;
}

int dp_cpu_avx512(void) { return has(CPU_AVX512); }
int dp_cpu_avx512bw(void) { return has(CPU_AVX512BW); }
int dp_cpu_avx512_vbmi2(void) { return has(CPU_AVX512_VBMI2); }
int dp_cpu_avx512_vbmi(void) { return has(CPU_AVX512_VBMI); }
int dp_cpu_avx2(void) { return has(CPU_AVX2); }
