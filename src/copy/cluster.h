/* cluster.h — union-find and canonical choice (internal). */
#ifndef DOPPEL_CLUSTER_H
#define DOPPEL_CLUSTER_H
#include "base/internal.h"

typedef struct dp_unionfind {
    uint32_t *parent;
    uint32_t n;
} dp_unionfind;

doppel_status dp_uf_init(dp_unionfind *uf, uint32_t n);
void dp_uf_free(dp_unionfind *uf);
uint32_t dp_uf_find(dp_unionfind *uf, uint32_t x);
/* Join the sets of a and b; the smaller docnum becomes the root, so roots
 * are the first member of each set whatever the order of the unions. */
void dp_uf_union(dp_unionfind *uf, uint32_t a, uint32_t b);

/* What the canonical choice looks at for each document. */
typedef struct dp_canon_keys {
    const uint32_t *size;   /* the longest policy's measure: article words per document
                               (see finish.c), or shingles in fast mode */
    const int64_t *date;    /* seconds, DOPPEL_NO_DATE when unknown; may be NULL */
} dp_canon_keys;

/* Number the sets 0,1,2... in order of their first member and pick each
 * set's canonical document by policy. cluster[n] receives each document's
 * cluster number, canonical_of_cluster[n] (indexed by cluster) its canonical
 * docnum, cluster_size[n] (indexed by cluster) its size. Returns the number
 * of clusters. */
uint32_t dp_assign_clusters(dp_unionfind *uf, doppel_canonical_policy policy,
                            const dp_canon_keys *keys, uint32_t *cluster,
                            uint32_t *canonical_of_cluster, uint32_t *cluster_size);
#endif
