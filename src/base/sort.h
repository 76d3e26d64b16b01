/* sort.h — radix sorts for integer keys (internal). */
#ifndef DOPPEL_SORT_H
#define DOPPEL_SORT_H
#include <stddef.h>
#include <stdint.h>

/* Sort in[n] ascending into out[n]; in is scratch space afterwards. */
void dp_sort_u32(uint32_t *in, uint32_t *out, size_t n);
/* Sort the 32-bit folds (h ^ h >> 32) of in[n] ascending into out[n]; tmp
 * must hold n values. The same result as folding into tmp, then dp_sort_u32. */
void dp_sort_folds_u32(const uint64_t *in, uint32_t *tmp, uint32_t *out, size_t n);
/* dp_sort_folds_u32 into sorted, then dp_unique_copy_u32 into out; returns
 * the set's length. tmp must hold n values, sorted dp_sort_unique_scratch(n)
 * and out n + 16 (a vector path stores 16 values at a time past the last
 * one kept); none may overlap. out gets the same values either way; tmp
 * and sorted hold nothing useful afterwards. */
size_t dp_sort_unique_folds_u32(const uint64_t *in, uint32_t *tmp, uint32_t *sorted,
                                uint32_t *out, size_t n);
/* The values dp_sort_unique_folds_u32's sorted must hold for n keys (n, and
 * 32 slots a bucket of its vector path). */
size_t dp_sort_unique_scratch(size_t n);
/* Remove adjacent duplicates of a sorted array; returns the new length. */
size_t dp_unique_u32(uint32_t *v, size_t n);
/* dp_unique_u32 of the sorted v[n] written to out[n] (out may be v);
 * returns its length. */
size_t dp_unique_copy_u32(const uint32_t *v, size_t n, uint32_t *out);
/* Stable sort of v[n] by bytes [first_byte, end_byte) of each value
 * (byte 0 is the least significant); tmp must hold n elements. */
void dp_sort_u64_bytes(uint64_t *v, uint64_t *tmp, size_t n, unsigned first_byte,
                       unsigned end_byte);
/* Sort v[n] ascending as whole values; tmp must hold n elements. For
 * values whose halves both have few bits in use (candidate pairs of
 * document numbers): the halves are packed together and sorted by digits
 * of up to 12 bits, 3 passes for pairs under 2^17 where the bytes took 6. */
void dp_sort_u64_packed(uint64_t *v, uint64_t *tmp, size_t n);
/* Stable sort of in[n] by the upper halves into out[n], in is scratch
 * afterwards. For upper halves that are hashes whose top skip bits (at most
 * 32) are the same in all values: fast when they are uniform below those. */
void dp_sort_u64_hi(uint64_t *in, uint64_t *out, size_t n, unsigned skip);
size_t dp_unique_u64(uint64_t *v, size_t n);
#endif
