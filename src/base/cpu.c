/*
 * cpu.c — which vector instructions this CPU has, asked once per call site.
 *
 * doppel is built for the baseline x86-64 CPU; the hot loops (normalize,
 * shingle, minhash, word counts of extraction) take an AVX-512 path only
 * where these say the running CPU has it, so one binary runs everywhere.
 * DOPPEL_SIMD=off in the environment makes every answer "no": the tests run
 * the baseline paths that way on a CPU that has the vector ones, and compare
 * outputs (tests/cli/simd_cli.sh); a user can rule out a vector path so.
 */
#include "base/internal.h"

#include <stdlib.h>
#include <string.h>

static int simd_off(void) {
    const char *v = getenv("DOPPEL_SIMD");
    return v && (strcmp(v, "off") == 0 || strcmp(v, "0") == 0);
}

int dp_cpu_avx512(void) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (simd_off()) return 0;
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}

int dp_cpu_avx512_vbmi2(void) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (simd_off()) return 0;
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("bmi2");
#else
    return 0;
#endif
}

int dp_cpu_avx512bw(void) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (simd_off()) return 0;
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
           __builtin_cpu_supports("popcnt");
#else
    return 0;
#endif
}

int dp_cpu_avx2(void) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (simd_off()) return 0;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
#else
    return 0;
#endif
}
