/*
 * index_impl.h — the index's private state, shared by index.c (adding
 * documents) and finish.c (candidates, verification, clusters) (internal).
 */
#ifndef DOPPEL_INDEX_IMPL_H
#define DOPPEL_INDEX_IMPL_H
#include "base/internal.h"
#include "copy/bandstore.h"
#include "copy/docfeatures.h"
#include "base/pool.h"
#include "copy/prefilter.h"
#include "base/spill.h"

#include "copy/align.h"

/* A verified pair, compactly: ratios as floats are exact enough for
 * output, and the decision was made on the doubles. Passages are kept for
 * the pairs output (the longest DP_ALIGN_KEEP). */
typedef struct edge {
    uint32_t a, b, shared;
    float jaccard, a_in_b, b_in_a;
    float cover_a, cover_b;
    uint8_t relation;
    uint8_t num_spans;
    dp_span spans[DOPPEL_PAIR_PASSAGES];
} edge;

static inline edge make_edge(uint32_t a, uint32_t b, const doppel_similarity *s,
                             doppel_relation rel) {
    edge e = {a, b, s->shared, (float)s->jaccard, (float)s->a_in_b, (float)s->b_in_a,
              rel == DOPPEL_REL_EXACT ? 1.0f : 0.0f, rel == DOPPEL_REL_EXACT ? 1.0f : 0.0f,
              (uint8_t)rel, 0, {{0}}};
    return e;
}

struct doppel_index {
    doppel_config cfg;
    unsigned bands, rows;
    unsigned reuse;            /* reuse slots after the bands (lsh.h), 0 in fast mode */
    int finished;          /* finish was called: no more adds */
    int results_ready;     /* finish succeeded: results and pairs can be read */
    int broken;            /* a write to the spill, prints or band files failed:
                              what is on disk no longer lines up with the
                              documents, so nothing more can be added or found */

    /* per document, indexed by docnum; all share doc_cap */
    uint32_t n;
    size_t doc_cap;
    uint64_t *id_off;
    uint64_t *text_hash;
    uint64_t *set_off;
    uint32_t *set_len;
    uint32_t *words_len;   /* word hashes kept for alignment; in the spill right
                              after the set (set_off + set_len) */
    int64_t *date;
    dp_bandstore *bands_store; /* band hashes on disk, one column per band */
    uint32_t *sig;         /* n x num_perm in fast mode only */
    uint32_t short_docs;

    char *ids;             /* NUL-terminated ids back to back */
    size_t ids_len, ids_cap;
    uint32_t *id_table;    /* open addressing: docnum + 1 (valid where the tag is set) */
    uint8_t *id_tag;       /* per slot: 8 bits of the id's hash, never 0; 0 = free.
                              Probes compare tags, not ids: reading a colliding id
                              was a cache miss per probe. In id_table's block. */
    size_t id_table_cap;

    dp_spill *spill;
    dp_spill *prints;      /* 16-bit signature prints, dp_prints_words(k) words a
                              document in docnum order; NULL when the
                              pre-filter is off */
    uint64_t prints_bytes_freed; /* what the prints held, once verification freed them */
    dp_prefilter prefilter;

    /* feature computation: one scratch per thread, one features slot per
     * document of the current batch (slot 0 serves single adds) */
    unsigned threads;
    dp_pool *pool;         /* threads - 1 workers, started by the first batch
                              and stopped by finish */
    dp_scratch *scratch;
    dp_features *feats;
    size_t feats_cap;

    /* results */
    uint32_t *exact_of;    /* first document with the same normalized text */
    uint32_t *cluster;
    uint32_t *canonical_of_cluster;
    uint32_t *cluster_size;
    uint8_t *relation;
    float *score;
    uint32_t clusters;
    edge *edges;
    size_t n_edges, edges_cap;
    doppel_index_stats stats;
};

#define BROKEN_MESSAGE "an earlier write to the temporary files failed; the index cannot be used"

/* The share of the memory limit the features spill may hold in memory
 * (0, no limit: all on disk, so that memory grows with the number of
 * documents and not with their length). The rest of the limit goes to the
 * per-document arrays and, in finish, to the LSH and the candidate list,
 * which are given what the arrays and the spill leave (finish.c). An
 * eighth holds 100k news articles' features (0.5 GB) in the default limit
 * of half a machine's memory (1.6 GB here); at 1M synthetic documents
 * under --memory 200M a quarter left the LSH and the candidate runs so
 * little that the fixed costs beside them took the heap's peak over. */
static inline uint64_t dp_spill_share(uint64_t memory_limit) { return memory_limit / 8; }

/* Bytes of the arrays that grow with the number of documents. */
uint64_t dp_index_resident_bytes(const doppel_index *idx);

/* Bytes of the id table's block (docnums, then tags) for cap slots. */
static inline size_t id_table_bytes(size_t cap) { return cap * (sizeof(uint32_t) + 1); }

static inline const char *doc_id(const doppel_index *idx, uint32_t d) {
    return idx->ids + idx->id_off[d];
}
#endif
