/*
 * doppel.h — find copies of the same text in large collections.
 *
 * doppel reads documents (a directory of files, or JSONL records, optionally
 * gzip/zstd compressed), normalizes their text (UTF-8 repair, NFKC, case
 * folding, punctuation dropped), cuts it into word (or character) n-gram
 * shingles hashed with xxHash, and sketches each shingle set with MinHash.
 * An LSH index over the sketches proposes candidate pairs without comparing
 * all pairs; each candidate is verified (exact Jaccard and containment of the
 * two shingle sets, read back from a compact on-disk spill, or the sketch
 * estimate in fast mode) before it becomes an edge; union-find over the edges
 * gives clusters, each with one canonical document.
 *
 * The pipeline, one module each under src/:
 *   read -> extract -> normalize -> shingle -> minhash -> lsh -> verify -> cluster
 *
 * Conventions that hold for every declaration below:
 *  - Every exported name starts with doppel_ / DOPPEL_.
 *  - Functions that can fail return a doppel_status; DOPPEL_OK is 0, errors are
 *    negative. When the caller passes a non-NULL doppel_error, it is filled
 *    with the code and a message that names the document and position when the
 *    input is at fault. The library never prints and never exits.
 *  - Opaque handles are created by *_new / *_open and released by *_free,
 *    which accepts NULL. Strings returned inside result structs are owned by
 *    the handle that returned them and stay valid as stated per function.
 *  - Results are deterministic: the same documents in the same order give the
 *    same clusters, pair lists and scores.
 */
#ifndef DOPPEL_H
#define DOPPEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DOPPEL_VERSION_STRING "0.1.0"

/* ======================================================================
 * Errors
 * ==================================================================== */

typedef enum doppel_status {
    DOPPEL_OK = 0,
    DOPPEL_END = 1,            /* reader: no more records; not an error */
    DOPPEL_ERR_NOMEM = -1,     /* allocation failed */
    DOPPEL_ERR_IO = -2,        /* a file could not be opened, read or written */
    DOPPEL_ERR_ARG = -3,       /* invalid argument or option value */
    DOPPEL_ERR_JSON = -4,      /* a JSONL line is not a JSON object */
    DOPPEL_ERR_FIELD = -5,     /* the id or text field is missing or not a string */
    DOPPEL_ERR_TOO_LARGE = -6, /* a document exceeds max_doc_bytes */
    DOPPEL_ERR_EMPTY = -7,     /* a document has no words after normalization */
    DOPPEL_ERR_FORMAT = -8,    /* corrupt compressed stream, binary or unsupported data */
    DOPPEL_ERR_STATE = -9,     /* call not valid in the handle's current state */
    DOPPEL_ERR_LIMIT = -10     /* a documented limit (document count, memory) was hit */
} doppel_status;

/* Message buffer filled by failing calls when the caller passes one. */
typedef struct doppel_error {
    int code;           /* a doppel_status */
    char message[512];  /* NUL-terminated, human readable, names file:line or id */
} doppel_error;

/* A static English description of a status code; never NULL. */
const char *doppel_strerror(int code);

/* ======================================================================
 * Configuration
 * ==================================================================== */

typedef enum doppel_shingle_kind {
    DOPPEL_SHINGLE_WORD = 0,  /* n consecutive normalized words */
    DOPPEL_SHINGLE_CHAR = 1   /* n consecutive characters of the normalized text */
} doppel_shingle_kind;

typedef enum doppel_sketch_kind {
    DOPPEL_SKETCH_OPH = 0,     /* one-permutation hashing + optimal densification */
    DOPPEL_SKETCH_CLASSIC = 1  /* k independent hash functions (slower, reference) */
} doppel_sketch_kind;

typedef enum doppel_verify_mode {
    DOPPEL_VERIFY_EXACT = 0,  /* exact Jaccard/containment of shingle sets */
    DOPPEL_VERIFY_FAST = 1    /* MinHash estimates only; no spill file */
} doppel_verify_mode;

typedef enum doppel_canonical_policy {
    DOPPEL_CANON_LONGEST = 0,  /* most shingles; ties: earliest in input */
    DOPPEL_CANON_FIRST = 1,    /* earliest in input order */
    DOPPEL_CANON_EARLIEST = 2  /* oldest date; undated last; ties: input order */
} doppel_canonical_policy;

typedef struct doppel_config {
    doppel_shingle_kind shingle_kind;
    unsigned shingle_size;       /* n of the n-grams; default 5 */
    doppel_sketch_kind sketch;   /* default DOPPEL_SKETCH_OPH */
    unsigned num_perm;           /* MinHash values per document; default 128 */
    uint64_t seed;               /* seeds every hash; default 1 */
    double threshold;            /* near: Jaccard >= threshold */
    double containment;          /* contained: smaller-in-larger >= this; default 0.9 */
    unsigned min_contained;      /* contained needs the smaller doc to have this many shingles */
    double lsh_threshold;        /* Jaccard the LSH is tuned to catch; 0 = derived */
    unsigned bands, rows;        /* LSH shape; 0,0 = chosen from lsh_threshold */
    doppel_verify_mode verify;
    doppel_canonical_policy canonical;
    unsigned max_bucket;         /* LSH buckets larger than this are linked as a chain */
    const char *tmp_dir;         /* spill directory; NULL = $TMPDIR or /tmp */
} doppel_config;

/* Fill *cfg with the documented defaults. */
void doppel_config_default(doppel_config *cfg);

/* Check a configuration; DOPPEL_ERR_ARG with a message naming the bad field. */
doppel_status doppel_config_validate(const doppel_config *cfg, doppel_error *err);

/* The LSH shape (bands x rows <= num_perm) that minimises the integrated
 * false-positive plus false-negative probability of catching pairs with
 * Jaccard >= threshold. Writes *bands and *rows. */
void doppel_lsh_optimal_shape(double threshold, unsigned num_perm,
                              unsigned *bands, unsigned *rows);

/* Probability that a pair with Jaccard s shares at least one LSH bucket. */
double doppel_lsh_probability(double s, unsigned bands, unsigned rows);

/* ======================================================================
 * Normalization, shingles and sketches (the building blocks)
 * ==================================================================== */

/* Counters a normalization call adds to (never reset by the library). */
typedef struct doppel_norm_stats {
    uint64_t invalid_utf8;  /* invalid byte sequences replaced */
    uint64_t nul_bytes;     /* NUL bytes treated as spaces */
} doppel_norm_stats;

/* A growable byte buffer the caller owns; reuse it across calls to avoid
 * allocation. Zero-initialise, release with doppel_buf_free. */
typedef struct doppel_buf {
    char *data;
    size_t len, cap;
} doppel_buf;
void doppel_buf_free(doppel_buf *buf);

/* Normalize UTF-8 text for comparison into out (overwritten): invalid bytes
 * replaced, NFKC, case folded, typographic quotes/dashes folded, punctuation
 * dropped, words separated by single spaces, no leading/trailing space.
 * out->data is NUL-terminated. stats may be NULL. */
doppel_status doppel_normalize(const char *text, size_t len, doppel_buf *out,
                               doppel_norm_stats *stats);

/* A growable array of 64-bit hashes owned by the caller; zero-initialise,
 * release with doppel_hashes_free. */
typedef struct doppel_hashes {
    uint64_t *v;
    size_t len, cap;
} doppel_hashes;
void doppel_hashes_free(doppel_hashes *h);

/* Hash the shingles of normalized text into out (overwritten) in text order.
 * A text shorter than one shingle but not empty yields one shingle of all of
 * it, so short documents still match their exact copies. */
doppel_status doppel_shingle(const char *norm, size_t len, doppel_shingle_kind kind,
                             unsigned n, uint64_t seed, doppel_hashes *out);

/* Sort and deduplicate hashes in place (a shingle set). */
void doppel_hashes_make_set(doppel_hashes *h);

/* Sketch a shingle set (any order, duplicates allowed) into sig[num_perm]. */
void doppel_minhash(doppel_sketch_kind kind, const uint64_t *hashes, size_t count,
                    uint64_t seed, unsigned num_perm, uint32_t *sig);

/* Fraction of equal positions of two signatures: the Jaccard estimate. */
double doppel_minhash_jaccard(const uint32_t *a, const uint32_t *b, unsigned num_perm);

/* ======================================================================
 * Relations and verification
 * ==================================================================== */

typedef enum doppel_relation {
    DOPPEL_REL_NONE = 0,       /* not a copy (below every threshold) */
    DOPPEL_REL_CANONICAL = 1,  /* the document kept for its cluster */
    DOPPEL_REL_EXACT = 2,      /* same normalized text */
    DOPPEL_REL_NEAR = 3,       /* Jaccard >= threshold */
    DOPPEL_REL_CONTAINED = 4,  /* smaller doc's shingles >= containment inside the larger */
    DOPPEL_REL_LINKED = 5      /* in the cluster only through other members */
} doppel_relation;

/* Lower-case name of a relation ("exact", "near", ...); never NULL. */
const char *doppel_relation_name(doppel_relation rel);

/* Similarity of two shingle sets. */
typedef struct doppel_similarity {
    double jaccard;        /* |A∩B| / |A∪B| */
    double a_in_b;         /* |A∩B| / |A| */
    double b_in_a;         /* |A∩B| / |B| */
    uint32_t shared;       /* |A∩B| */
} doppel_similarity;

/* Relation the configuration assigns to a pair with this similarity; exact
 * must be decided by the caller (same normalized text). */
doppel_relation doppel_classify(const doppel_config *cfg, const doppel_similarity *sim,
                                size_t size_a, size_t size_b);

/* One passage both texts share, in normalized words. */
typedef struct doppel_passage {
    size_t a_word;   /* first word of the passage in A's normalized text */
    size_t b_word;   /* first word of the passage in B's normalized text */
    size_t words;    /* length in words */
    char *text;      /* the passage, normalized; owned by the comparison */
} doppel_passage;

#define DOPPEL_MAX_PASSAGES 5

/* Everything doppel knows about one pair of texts. */
typedef struct doppel_comparison {
    doppel_similarity sim;
    size_t shingles_a, shingles_b;   /* set sizes */
    double estimate;                 /* MinHash Jaccard estimate */
    int identical;                   /* same normalized text */
    doppel_relation relation;        /* the verdict: NONE, EXACT, NEAR or CONTAINED */
    size_t num_passages;             /* longest shared passages, longest first */
    doppel_passage passages[DOPPEL_MAX_PASSAGES];
} doppel_comparison;

/* Compare two raw texts end to end (normalize, shingle, sketch, verify) and
 * find their longest shared passages. Release with doppel_comparison_free. */
doppel_status doppel_compare(const doppel_config *cfg, const char *a, size_t a_len,
                             const char *b, size_t b_len, doppel_comparison *out,
                             doppel_error *err);
void doppel_comparison_free(doppel_comparison *cmp);

/* ======================================================================
 * Reading documents
 * ==================================================================== */

typedef enum doppel_input_format {
    DOPPEL_INPUT_AUTO = 0,  /* directory -> files; file starting with '{' -> JSONL; else text */
    DOPPEL_INPUT_JSONL = 1,
    DOPPEL_INPUT_TEXT = 2   /* the whole file (or stdin) is one document */
} doppel_input_format;

typedef struct doppel_reader_options {
    const char *id_field;     /* JSONL field holding the id; default "id" */
    const char *text_field;   /* JSONL field holding the text; default "text" */
    const char *title_field;  /* optional; default "title" */
    const char *date_field;   /* optional; default "date" */
    size_t max_doc_bytes;     /* larger records are skipped; default 64 MiB */
    doppel_input_format format;
} doppel_reader_options;

void doppel_reader_options_default(doppel_reader_options *opt);

/* One record. Every pointer is owned by the reader and valid until the next
 * doppel_reader_next or doppel_reader_free. Strings are NUL-terminated. */
typedef struct doppel_record {
    const char *id;  size_t id_len;
    const char *text; size_t text_len;
    const char *title;       /* NULL when absent */
    const char *date;        /* NULL when absent; numbers are given as text */
    const char *raw;         /* the JSONL line as read (no newline); NULL for files */
    size_t raw_len;
    const char *source;      /* file the record came from ("-" for stdin) */
    uint64_t line;           /* 1-based JSONL line; 0 for whole files */
} doppel_record;

typedef struct doppel_reader doppel_reader;

/* Open a directory (walked recursively in byte order of names; ids are paths
 * relative to it), a file (JSONL or text, gzip/zstd detected by magic bytes)
 * or "-" for standard input. */
doppel_status doppel_reader_open(const char *path, const doppel_reader_options *opt,
                                 doppel_reader **out, doppel_error *err);

/* Read the next record into *rec. Returns DOPPEL_OK, DOPPEL_END, or a
 * record-level error (JSON, FIELD, TOO_LARGE, IO for one unreadable file,
 * FORMAT for a binary file) with rec->source/line set to where it happened;
 * the reader then continues with the next record on the next call. A stream
 * that cannot continue (a corrupt compressed stream) reports DOPPEL_ERR_FORMAT
 * once and then DOPPEL_END. */
doppel_status doppel_reader_next(doppel_reader *r, doppel_record *rec, doppel_error *err);

/* Bytes consumed so far, and the total when known (0 otherwise), for progress. */
uint64_t doppel_reader_bytes(const doppel_reader *r);
uint64_t doppel_reader_total_bytes(const doppel_reader *r);
void doppel_reader_free(doppel_reader *r);

/* Parse a date: ISO 8601 (2023-11-15, 2023-11-15T20:53:09Z, ...) or a number
 * of seconds or milliseconds since the epoch. Writes seconds since the epoch.
 * Returns 0 on success, -1 when the text is not a date. */
int doppel_parse_date(const char *text, int64_t *seconds);

#define DOPPEL_NO_DATE INT64_MIN

/* ======================================================================
 * The index: add documents, then find and cluster copies
 * ==================================================================== */

typedef struct doppel_index doppel_index;

/* What happened to one added document. */
typedef struct doppel_add_info {
    uint32_t docnum;         /* 0-based number in order of addition */
    int duplicate_id;        /* the id was seen before (the document is still added) */
    uint32_t first_docnum;   /* the earlier document with that id, when duplicate_id */
    int short_doc;           /* fewer words than one shingle: one whole-text shingle */
    doppel_norm_stats norm;  /* repairs made while normalizing this document */
} doppel_add_info;

/* Create an index. The configuration is copied. */
doppel_status doppel_index_new(const doppel_config *cfg, doppel_index **out, doppel_error *err);
void doppel_index_free(doppel_index *idx);

/* Add one document. text need not be NUL-terminated; id and text are copied
 * as needed and may be released after the call. date is seconds since the
 * epoch or DOPPEL_NO_DATE. Returns DOPPEL_ERR_EMPTY (document not added) when
 * the text has no words. Not valid after doppel_index_finish. */
doppel_status doppel_index_add(doppel_index *idx, const char *id, size_t id_len,
                               const char *text, size_t text_len, int64_t date,
                               doppel_add_info *info, doppel_error *err);

/* Called during finish with a phase name and progress in [0,1]. */
typedef void (*doppel_progress_fn)(const char *phase, double done, void *user);

/* Find candidates, verify them and cluster. After this the index answers
 * result and pair queries; no more documents can be added. */
doppel_status doppel_index_finish(doppel_index *idx, doppel_progress_fn progress,
                                  void *user, doppel_error *err);

/* Number of documents added. */
uint32_t doppel_index_count(const doppel_index *idx);

/* A document's place in the clustering (after finish). */
typedef struct doppel_doc_result {
    const char *id;          /* owned by the index; valid until doppel_index_free */
    size_t id_len;
    uint32_t cluster;        /* cluster number: 0,1,2,... in order of first member */
    uint32_t canonical;      /* docnum of the cluster's canonical document */
    uint32_t cluster_size;
    doppel_relation relation;/* relation to the canonical */
    double score;            /* Jaccard with the canonical (containment when contained) */
} doppel_doc_result;

doppel_status doppel_index_result(const doppel_index *idx, uint32_t docnum,
                                  doppel_doc_result *out);

/* One verified pair (a < b in docnum order). */
typedef struct doppel_pair {
    uint32_t a, b;
    doppel_similarity sim;
    doppel_relation relation;  /* EXACT, NEAR or CONTAINED */
} doppel_pair;

/* Visit every verified pair in (a, b) order; stop early when fn returns non-zero. */
typedef int (*doppel_pair_fn)(const doppel_pair *pair, void *user);
doppel_status doppel_index_pairs(const doppel_index *idx, doppel_pair_fn fn, void *user);

typedef struct doppel_index_stats {
    uint32_t docs;
    uint32_t short_docs;
    uint64_t exact_groups;      /* documents that were exact copies of an earlier one */
    uint64_t candidates;        /* distinct LSH candidate pairs verified */
    uint64_t verified_pairs;    /* candidates that became edges */
    uint64_t oversize_buckets;  /* LSH buckets linked as a chain (max_bucket) */
    unsigned bands, rows;
    uint64_t memory_bytes;      /* heap held by the index now */
    uint64_t peak_memory_bytes; /* most heap held by the index at once */
    uint64_t spill_bytes;       /* bytes of shingle sets on disk */
} doppel_index_stats;

void doppel_index_get_stats(const doppel_index *idx, doppel_index_stats *out);

/* ======================================================================
 * Synthetic corpora (synth)
 * ==================================================================== */

/* (synth section) */

/* ======================================================================
 * Evaluation (eval)
 * ==================================================================== */

/* (eval section) */

/* ======================================================================
 * Extraction: front matter, Markdown, HTML, boilerplate (extract)
 * ==================================================================== */

/* (extract section) */

/* ======================================================================
 * Story clustering (story)
 * ==================================================================== */

/*
 * The story level groups documents that report one news event in their own
 * words, above the copy level (a story holds whole copy clusters, never part
 * of one). Each document becomes a short weighted term vector: case-folded
 * Snowball stems without stopwords, plus terms for what tells one event from
 * another of the same kind — capitalized names, numbers with units, dates,
 * quoted phrases — weighted by TF-IDF with document frequencies learned from
 * the corpus, the title counting more than the body. Only each document's
 * top-weighted terms are kept (see doppel_story_options.top_terms).
 *
 * Use: doppel_story_new; a first pass over the corpus calling
 * doppel_story_learn for every document (document frequencies); a second
 * pass calling doppel_story_add for every document; doppel_story_finish;
 * then doppel_story_of and doppel_story_get_info.
 *
 * Clustering is online news-stream clustering: documents (copy clusters)
 * are taken in order of (date, hash of title and text), never in order of
 * arrival, and each joins the live story whose centroid is most similar, if
 * the cosine reaches a threshold that depends on the document's length, or
 * opens a new one. A story ages out window_seconds after its last dated
 * member. Then stories whose centroids are alike (merge_threshold) and whose
 * dates are within the window are merged: the first reports of an event
 * often share too little to meet, and start parallel fragments. Undated
 * documents are taken first, in hash order, and never age a story out, so a
 * corpus with no dates is clustered in one batch in hash order; the merge
 * step makes the result depend less on which documents come first.
 * Candidate stories come from an inverted index over
 * each document's top index_terms terms whose posting lists keep only the
 * max_postings most recent entries, so each document costs a bounded amount
 * of work and the whole run is near-linear in the number of documents.
 *
 * The partition (which documents share a story) and the story numbers
 * depend only on the set of documents added, their dates and copy clusters:
 * not on the order of doppel_story_add calls. The module is single-threaded;
 * a caller running other stages with several threads gets the same result.
 */

/* copy_cluster value of a document that is in no copy cluster. */
#define DOPPEL_STORY_NO_COPY UINT32_MAX
/* doppel_story_of for a document number that was never added. */
#define DOPPEL_STORY_NONE UINT32_MAX

typedef struct doppel_story_options {
    const char *language;   /* Snowball algorithm name; default "english" */
    double threshold;       /* cosine a long document needs to join a story; default 0.22 */
    double short_threshold; /* cosine a short one (a headline) needs; default 0.08.
                               Between the two, the threshold follows the
                               logarithm of the document's effective number
                               of terms from 6 (short) to 30 (long) */
    double merge_threshold; /* centroid cosine at which two stories that grew
                               apart are merged; default 0.5; 1 = never */
    unsigned top_terms;     /* K: terms kept per document; default 32 (8 bytes each) */
    unsigned index_terms;   /* of those, indexed for candidate search; default 12 */
    unsigned max_postings;  /* most recent entries kept per posting list; default 256 */
    double title_weight;    /* an occurrence in the title counts this many times; default 3 */
    double name_boost;      /* weight factor for names (capitalized, acronyms); default 2 */
    double date_boost;      /* for dates and years; default 2 */
    double unit_boost;      /* for numbers with units; default 2 */
    double quote_boost;     /* for quoted phrases; default 1.5 */
    int64_t window_seconds; /* a story ages out this long after its last dated
                               member; default 5 days; 0 = never */
} doppel_story_options;

/* Fill *opt with the documented defaults. */
void doppel_story_options_default(doppel_story_options *opt);

typedef struct doppel_story doppel_story;

/* Create a story clusterer; the options are copied, NULL means the defaults
 * (language must be a libstemmer algorithm name). Returns NULL and fills err
 * on failure. */
doppel_story *doppel_story_new(const doppel_story_options *opt, doppel_error *err);
void doppel_story_free(doppel_story *st);

/* First pass: count the document's distinct terms into the document
 * frequencies. title may be NULL (title_len 0). Not valid after the first
 * doppel_story_add. Learning from a sample is allowed; terms never seen while
 * learning are ignored by doppel_story_add, and terms seen in fewer than two
 * learned documents cannot link documents and are not kept. */
doppel_status doppel_story_learn(doppel_story *st, const char *title, size_t title_len,
                                 const char *text, size_t text_len, doppel_error *err);

/* Second pass: add document docnum (any uint32 below UINT32_MAX, each at most
 * once) with its date (seconds since the epoch or DOPPEL_NO_DATE) and the
 * copy cluster it belongs to (documents with the same value always share a
 * story; DOPPEL_STORY_NO_COPY for none). The text is not kept. A document
 * without a single kept term is still added and becomes a story of its own
 * copy cluster. DOPPEL_ERR_STATE when nothing was learned or after finish. */
doppel_status doppel_story_add(doppel_story *st, uint32_t docnum, const char *title,
                               size_t title_len, const char *text, size_t text_len,
                               int64_t date, uint32_t copy_cluster, doppel_error *err);

/* Cluster everything added. Afterwards only the queries below are valid. */
doppel_status doppel_story_finish(doppel_story *st, doppel_error *err);

/* Story number of a document (0, 1, ... in order of each story's first
 * document by date, then hash), or DOPPEL_STORY_NONE. Valid after finish. */
uint32_t doppel_story_of(const doppel_story *st, uint32_t docnum);

/* Number of stories (after finish). */
uint32_t doppel_story_count(const doppel_story *st);

#define DOPPEL_STORY_TOP_TERMS 8

/* What the `doppel stories` report prints for one story. */
typedef struct doppel_story_info {
    uint32_t size;          /* documents */
    uint32_t copies;        /* distinct copy clusters among them */
    int64_t first_date;     /* earliest dated member, or DOPPEL_NO_DATE */
    int64_t last_date;      /* latest dated member, or DOPPEL_NO_DATE */
    unsigned num_terms;     /* entries used in terms[] */
    /* Highest-weighted terms of the story's centroid, most weighty first:
     * stems, names, dates ("2013-06"), quantities ("90 day") or quoted
     * phrases. Owned by the handle, valid until doppel_story_free. */
    const char *terms[DOPPEL_STORY_TOP_TERMS];
} doppel_story_info;

/* DOPPEL_ERR_ARG when story >= doppel_story_count, DOPPEL_ERR_STATE before finish. */
doppel_status doppel_story_get_info(const doppel_story *st, uint32_t story,
                                    doppel_story_info *out);

typedef struct doppel_story_stats {
    uint64_t learned_docs;      /* documents counted by doppel_story_learn */
    uint64_t docs;              /* documents added */
    uint64_t vocabulary;        /* distinct terms learned */
    uint64_t units;             /* copy clusters clustered (documents merged by copy) */
    uint64_t stories;
    uint64_t candidates;        /* (document, story) similarities computed */
    uint64_t capped_postings;   /* posting entries dropped by max_postings */
    uint64_t memory_bytes;      /* heap held through doppel's allocator now, by the
                                   whole process (this handle's share when it is
                                   the only live doppel object) */
    uint64_t doc_bytes;         /* per-document vectors and records held by this
                                   handle (released by finish) */
} doppel_story_stats;

void doppel_story_get_stats(const doppel_story *st, doppel_story_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* DOPPEL_H */
