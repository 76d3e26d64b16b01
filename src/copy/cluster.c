/*
 * cluster.c — union-find over verified edges, then one canonical document
 * per cluster. Roots are always the smallest docnum of their set, so cluster
 * numbering and canonical choice depend only on the edges, not on the order
 * in which they were found.
 */
#include "copy/cluster.h"

doppel_status dp_uf_init(dp_unionfind *uf, uint32_t n) {
    uf->n = n;
    uf->parent = dp_malloc((size_t)n * sizeof *uf->parent + 1);
    if (!uf->parent) return DOPPEL_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) uf->parent[i] = i;
    return DOPPEL_OK;
}

void dp_uf_free(dp_unionfind *uf) {
    dp_free(uf->parent, (size_t)uf->n * sizeof *uf->parent + 1);
    uf->parent = NULL;
}

uint32_t dp_uf_find(dp_unionfind *uf, uint32_t x) {
    uint32_t root = x;
    while (uf->parent[root] != root) root = uf->parent[root];
    while (uf->parent[x] != root) {  /* path compression */
        uint32_t next = uf->parent[x];
        uf->parent[x] = root;
        x = next;
    }
    return root;
}

void dp_uf_union(dp_unionfind *uf, uint32_t a, uint32_t b) {
    uint32_t ra = dp_uf_find(uf, a), rb = dp_uf_find(uf, b);
    if (ra == rb) return;
    if (ra < rb) uf->parent[rb] = ra;
    else uf->parent[ra] = rb;
}

/* Is document d a better canonical than the current choice c? */
static int better(doppel_canonical_policy policy, const dp_canon_keys *k, uint32_t d, uint32_t c) {
    switch (policy) {
    case DOPPEL_CANON_FIRST:
        return d < c;
    case DOPPEL_CANON_EARLIEST:
        if (k->date) {
            int64_t dd = k->date[d], dc = k->date[c];
            if (dd != dc) {
                if (dd == DOPPEL_NO_DATE) return 0;
                if (dc == DOPPEL_NO_DATE) return 1;
                return dd < dc;
            }
        }
        return d < c;
    case DOPPEL_CANON_LONGEST:
    default:
        if (k->size[d] != k->size[c]) return k->size[d] > k->size[c];
        return d < c;
    }
}

uint32_t dp_assign_clusters(dp_unionfind *uf, doppel_canonical_policy policy,
                            const dp_canon_keys *keys, uint32_t *cluster,
                            uint32_t *canonical_of_cluster, uint32_t *cluster_size) {
    uint32_t clusters = 0;
    /* A root is its set's smallest docnum, so it is met before its members. */
    for (uint32_t d = 0; d < uf->n; d++) {
        uint32_t root = dp_uf_find(uf, d);
        if (root == d) {
            cluster[d] = clusters;
            canonical_of_cluster[clusters] = d;
            cluster_size[clusters] = 1;
            clusters++;
        } else {
            uint32_t c = cluster[root];
            cluster[d] = c;
            cluster_size[c]++;
            if (better(policy, keys, d, canonical_of_cluster[c])) canonical_of_cluster[c] = d;
        }
    }
    return clusters;
}
