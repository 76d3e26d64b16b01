/*
 * sort.c — LSD radix sorts for the integer keys the pipeline sorts by the
 * million: shingle sets (uint32) and LSH band entries (uint64 keyed on their
 * upper half). Radix sort is linear and branch-free, several times faster
 * than qsort's comparison callbacks on these sizes, and stable, which the
 * LSH relies on to keep bucket members in document order.
 */
#include "sort.h"

static void insertion_u32(uint32_t *v, size_t n) {
    for (size_t i = 1; i < n; i++) {
        uint32_t x = v[i];
        size_t j = i;
        while (j > 0 && v[j - 1] > x) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = x;
    }
}

void dp_sort_u32(uint32_t *v, uint32_t *tmp, size_t n) {
    if (n < 48) {
        insertion_u32(v, n);
        return;
    }
    uint32_t *src = v, *dst = tmp;
    for (unsigned shift = 0; shift < 32; shift += 8) {
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++) count[(src[i] >> shift) & 0xFF]++;
        if (count[(src[0] >> shift) & 0xFF] == n) continue;  /* all equal in this digit */
        size_t sum = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) dst[count[(src[i] >> shift) & 0xFF]++] = src[i];
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        for (size_t i = 0; i < n; i++) v[i] = src[i];
}

size_t dp_unique_u32(uint32_t *v, size_t n) {
    if (n < 2) return n;
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[k - 1]) v[k++] = v[i];
    return k;
}

void dp_sort_u64_bytes(uint64_t *v, uint64_t *tmp, size_t n, unsigned first_byte,
                       unsigned end_byte) {
    uint64_t *src = v, *dst = tmp;
    for (unsigned byte = first_byte; byte < end_byte; byte++) {
        unsigned shift = byte * 8;
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++) count[(src[i] >> shift) & 0xFF]++;
        if (n == 0 || count[(src[0] >> shift) & 0xFF] == n) continue;
        size_t sum = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) dst[count[(src[i] >> shift) & 0xFF]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        for (size_t i = 0; i < n; i++) v[i] = src[i];
}

size_t dp_unique_u64(uint64_t *v, size_t n) {
    if (n < 2) return n;
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[k - 1]) v[k++] = v[i];
    return k;
}
