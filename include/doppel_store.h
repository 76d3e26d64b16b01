/*
 * doppel_store.h — a live index on disk: documents added as they arrive,
 * "have we seen this?" answered against everything added before.
 *
 * A store is a directory holding an LMDB environment (data.mdb, lock.mdb)
 * and two lock files. It keeps, per document, its id, date, source, the
 * features verification needs and its candidate keys (LSH band postings),
 * and every verified relation between two documents. Adding a batch is one
 * LMDB transaction: a process killed at any moment leaves the store as it
 * was after the last committed batch. Readers (check, export, stats, get)
 * work while a writer adds. One writer at a time: a second one waits
 * (DOPPEL_STORE_WAIT) or fails with DOPPEL_ERR_STATE and a message saying
 * so.
 *
 * The store's header records the format version and every parameter that
 * changes results (shingles, sketch, LSH shape, thresholds, canonical
 * policy, extraction); doppel_store_check_config refuses other values.
 *
 * Incremental equals batch: documents added in any number of batches give
 * the same copy clusters and relations (doppel_store_export) as one batch
 * index over them in the same order (doppel_index_*, `doppel cluster`),
 * except where an LSH bucket grows past max_bucket (the batch index then
 * links its members as a chain; the store keeps the pairs it verified while
 * the bucket was small) and for pairs the batch pre-filter drops (the store
 * verifies every candidate: --prefilter-miss 0).
 *
 * Conventions as in doppel.h: status codes, an optional doppel_error, the
 * library never prints; handles are freed with *_free (NULL accepted).
 */
#ifndef DOPPEL_STORE_H
#define DOPPEL_STORE_H

#include "doppel.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct doppel_store doppel_store;

/* Store format version (the header's "format"). */
#define DOPPEL_STORE_FORMAT 1

/* Flags of doppel_store_open. */
#define DOPPEL_STORE_READONLY 1u  /* no add, expire or compact */
#define DOPPEL_STORE_WAIT 2u      /* a write waits for another writer to finish
                                     instead of failing */

/* Create an empty store in dir (created if missing; must not hold a store).
 * cfg's result-changing fields are recorded in the header; cfg->verify must
 * be DOPPEL_VERIFY_EXACT. DOPPEL_ERR_ARG for an invalid configuration or an
 * existing store, DOPPEL_ERR_IO when dir cannot be written. */
doppel_status doppel_store_create(const char *dir, const doppel_config *cfg, doppel_error *err);

/* Open the store in dir. DOPPEL_ERR_FORMAT when dir holds no store or one
 * of another format or feature version. */
doppel_status doppel_store_open(const char *dir, unsigned flags, doppel_store **out,
                                doppel_error *err);
void doppel_store_free(doppel_store *s);

/* The configuration the store was created with; owned by the handle. Its
 * threads field is the store's thread count for adds (0 = all cores). */
const doppel_config *doppel_store_config(const doppel_store *s);
/* Threads that compute features in doppel_store_add (0 = all cores). */
void doppel_store_set_threads(doppel_store *s, unsigned threads);

/* DOPPEL_OK when cfg gives the same results as the store's parameters;
 * else DOPPEL_ERR_ARG with a message naming the first parameter that
 * differs and both values. Fields that do not change results (threads,
 * memory, tmp_dir, prefilter) are not compared. */
doppel_status doppel_store_check_config(const doppel_store *s, const doppel_config *cfg,
                                        doppel_error *err);

/* One document to add or check; pointers are borrowed for the call. */
typedef struct doppel_store_doc {
    const char *id;
    size_t id_len;
    const char *text;
    size_t text_len;
    int64_t date;           /* seconds since the epoch or DOPPEL_NO_DATE (then the
                               date extraction finds, as in doppel_index_add) */
    const char *source;     /* where it came from (outlet, URL, file); may be NULL */
    size_t source_len;
} doppel_store_doc;

/* One relation of a document to an indexed one. */
typedef struct doppel_store_match {
    uint32_t docnum;        /* the indexed document */
    char *id;               /* its id and source (NUL-terminated, "" when none); */
    char *source;           /* owned by the result */
    doppel_relation relation; /* EXACT, NEAR or CONTAINED */
    double score;           /* Jaccard; containment for CONTAINED; 1 for EXACT */
} doppel_store_match;

typedef struct doppel_store_result {
    doppel_status status;   /* DOPPEL_OK, or DOPPEL_ERR_EMPTY / DOPPEL_ERR_FORMAT for a
                               document that has no words or is binary (not added) */
    uint32_t docnum;        /* add: the number it was given; UINT32_MAX otherwise */
    int duplicate_id;       /* its id was already indexed (the document is still added) */
    size_t n_matches;       /* relations, in docnum order */
    doppel_store_match *matches;
} doppel_store_result;

/* Release the matches of results[0..n) (not the array). */
void doppel_store_results_free(doppel_store_result *results, size_t n);

/* Add docs[0..n) in one transaction: each is matched against every indexed
 * document and those before it in docs, then recorded with its relations.
 * results (optional, n entries) receive each document's outcome. On a fatal
 * error (I/O, a full map, out of memory, another writer) nothing of the
 * batch is added. */
doppel_status doppel_store_add(doppel_store *s, const doppel_store_doc *docs, size_t n,
                               doppel_store_result *results, doppel_error *err);

/* The same as one transaction written in parts, for inputs too large to
 * hold at once: doppel_store_begin takes the writer lock and starts the
 * transaction; doppel_store_write adds documents as doppel_store_add does
 * (any number of calls; after an error only abort is possible);
 * doppel_store_commit makes them all durable at once, doppel_store_abort
 * drops them. Both free the writer. */
typedef struct doppel_store_writer doppel_store_writer;
doppel_status doppel_store_begin(doppel_store *s, doppel_store_writer **out, doppel_error *err);
doppel_status doppel_store_write(doppel_store_writer *w, const doppel_store_doc *docs, size_t n,
                                 doppel_store_result *results, doppel_error *err);
doppel_status doppel_store_commit(doppel_store_writer *w, doppel_error *err);
void doppel_store_abort(doppel_store_writer *w);

/* The relations docs[0..n) would get against the indexed documents, adding
 * nothing (a read transaction: runs beside a writer). Thread-safe. */
doppel_status doppel_store_check(doppel_store *s, const doppel_store_doc *docs, size_t n,
                                 doppel_store_result *results, doppel_error *err);

/* One indexed document. */
typedef struct doppel_store_docinfo {
    uint32_t docnum;
    const char *id;         /* id, source: owned by the handle, valid until the next */
    size_t id_len;          /* call on it from this thread */
    const char *source;
    size_t source_len;
    int64_t date;           /* DOPPEL_NO_DATE when unknown */
    int64_t added;          /* seconds since the epoch when it was added */
    uint32_t batch;         /* the add that brought it (1, 2, ...) */
    uint32_t shingles;
} doppel_store_docinfo;

/* Look a document up by id (the first indexed with that id).
 * DOPPEL_END when no such id is indexed. matches (optional): its relations
 * to earlier documents, freed with doppel_store_results_free. */
doppel_status doppel_store_get(doppel_store *s, const char *id, size_t id_len,
                               doppel_store_docinfo *out, doppel_store_result *matches,
                               doppel_error *err);

/* One exported document: the fields of `doppel cluster`. */
typedef struct doppel_store_row {
    uint32_t docnum;
    const char *id;  size_t id_len;
    uint32_t cluster;       /* 0, 1, ... in order of first member */
    const char *canonical;  size_t canonical_len; /* the canonical's id */
    uint32_t cluster_size;
    doppel_relation relation; /* to the canonical; NONE when alone */
    double score;
} doppel_store_row;

typedef int (*doppel_store_row_fn)(const doppel_store_row *row, void *user);

/* Cluster every indexed document (union-find over the recorded relations,
 * canonical by the store's policy) and call fn once per document in docnum
 * order; fn returning non-zero stops. One read transaction. */
doppel_status doppel_store_export(doppel_store *s, doppel_store_row_fn fn, void *user,
                                  doppel_error *err);

typedef struct doppel_store_stats {
    uint64_t docs;          /* documents indexed now */
    uint64_t added;         /* documents ever added (next docnum) */
    uint64_t batches;       /* committed adds */
    uint64_t relations;     /* recorded relations (edges) */
    uint64_t postings;      /* candidate keys stored */
    uint64_t expired;       /* documents removed by expire */
    uint64_t file_bytes;    /* disk space data.mdb takes (it is sparse: its apparent
                               size is the map's, at least 64 GiB) */
    uint64_t used_bytes;    /* pages in use (the rest is free space compact returns) */
    unsigned bands, rows;
    int64_t created;        /* seconds since the epoch */
} doppel_store_stats;

doppel_status doppel_store_get_stats(doppel_store *s, doppel_store_stats *out, doppel_error *err);

/* Remove every document dated before `before` (seconds since the epoch;
 * undated documents by the time they were added), with its postings and
 * relations, in one transaction. *removed (optional) receives the count. */
doppel_status doppel_store_expire(doppel_store *s, int64_t before, uint64_t *removed,
                                  doppel_error *err);

/* Rewrite data.mdb without free pages. Needs the store open by this handle
 * only (DOPPEL_ERR_STATE when another process has it open). */
doppel_status doppel_store_compact(doppel_store *s, uint64_t *bytes_before,
                                   uint64_t *bytes_after, doppel_error *err);

#ifdef __cplusplus
}
#endif
#endif
