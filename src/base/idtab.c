/*
 * idtab.c — rebuilding an id table (idtab.h) at a new size: on growth, and
 * after a dictionary renumbered its entries.
 */
#include "base/idtab.h"

#include <string.h>

doppel_status dp_idtab_rebuild(uint64_t **t, size_t *tcap, size_t cap, const void *entries,
                               size_t stride, size_t hash_off, size_t n) {
    uint64_t *nt = dp_calloc(cap, sizeof *nt);
    if (!nt) return DOPPEL_ERR_NOMEM;
    const char *p = entries;
    for (size_t id = 0; id < n; id++) {
        uint64_t h;
        memcpy(&h, p + id * stride + hash_off, sizeof h);
        dp_idtab_put(nt, cap, h, (uint32_t)id);
    }
    dp_free(*t, *tcap * sizeof **t);
    *t = nt;
    *tcap = cap;
    return DOPPEL_OK;
}
