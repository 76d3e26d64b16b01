/* idtab.h — an open-addressing table from 64-bit hashes to dense ids
 * (internal): the dictionaries keep their entries in an array and this
 * table only finds an entry's index. A slot holds the hash's high half
 * beside id + 1 (0 = empty), so a probe that meets another key rejects it
 * without reading its entry: with half a million entries every entry read
 * is a cache miss. The caller owns the slot array (dp_calloc'd, cap a power
 * of two) and keeps it at most half full. */
#ifndef DOPPEL_IDTAB_H
#define DOPPEL_IDTAB_H
#include <stddef.h>
#include <stdint.h>

#include "base/internal.h"

static inline uint64_t dp_idtab_slot(uint64_t h, uint32_t id) {
    return (h & 0xFFFFFFFF00000000u) | ((uint64_t)id + 1);
}

/* Place id (hash h) in the first free slot from h's. */
static inline void dp_idtab_put(uint64_t *t, size_t cap, uint64_t h, uint32_t id) {
    size_t mask = cap - 1, i = (size_t)h & mask;
    while (t[i]) i = (i + 1) & mask;
    t[i] = dp_idtab_slot(h, id);
}

/* The ids whose hash may be h, one a call: start with *pos = h; returns
 * UINT32_MAX at the first empty slot (h is not in the table). The caller
 * compares the entry itself. An empty table (cap 0) has no ids. */
static inline uint32_t dp_idtab_next(const uint64_t *t, size_t cap, uint64_t h, size_t *pos) {
    if (!cap) return UINT32_MAX;
    size_t mask = cap - 1;
    for (size_t i = *pos & mask;; i = (i + 1) & mask) {
        uint64_t v = t[i];
        if (!v) return UINT32_MAX;
        if ((v ^ h) >> 32) continue;
        *pos = i + 1;
        return (uint32_t)v - 1;
    }
}

/* Replace *t (of *tcap slots) by a table of cap slots holding ids 0..n-1:
 * entries[n] are the caller's entries, stride bytes each, the hash of each
 * a uint64_t at hash_off in it. DOPPEL_ERR_NOMEM leaves *t as it was. */
doppel_status dp_idtab_rebuild(uint64_t **t, size_t *tcap, size_t cap, const void *entries,
                               size_t stride, size_t hash_off, size_t n);
#endif
