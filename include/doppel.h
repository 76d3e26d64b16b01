/*
 * doppel.h — find copies of the same text in large collections.
 *
 * doppel reads documents (a directory of files, or JSONL records, optionally
 * gzip/zstd compressed), normalizes their text (UTF-8 repair, NFKC, case
 * folding, punctuation dropped), cuts it into word (or character) n-gram
 * shingles hashed with xxHash, and sketches each shingle set with MinHash.
 * An LSH index over the sketches proposes candidate pairs without comparing
 * all pairs; each candidate is verified by aligning the two word sequences
 * (read back from a compact on-disk spill) into shared passages, and the
 * share of each document they cover gives the pair's relation: near,
 * contained, derived (a rewrite) or partial (a shared passage); in fast
 * mode the sketch estimate decides. Union-find over the copy edges (near,
 * contained) gives clusters, each with one canonical document. A live index
 * on disk (the store) keeps the same results as documents arrive.
 *
 * The pipeline, one folder per stage under src/, and the groups below in the
 * same order:
 *   base (errors, buffers) -> io (read) -> extract -> copy (normalize,
 *   shingle, minhash, lsh, verify, cluster) -> story -> store -> eval
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
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DOPPEL_VERSION_STRING "0.1.0"

/* ======================================================================
 * Errors and buffers (base): what every call below reports and fills
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

/* A growable byte buffer the caller owns; reuse it across calls to avoid
 * allocation. Zero-initialise, release with doppel_buf_free. */
typedef struct doppel_buf {
    char *data;
    size_t len, cap;
} doppel_buf;
void doppel_buf_free(doppel_buf *buf);

/* ======================================================================
 * Reading documents
 * ==================================================================== */

/* Stage io (src/io): records out of files, directories and JSONL streams,
 * decompressed, each with its id, text and metadata. Nothing here looks at
 * the words. */

typedef enum doppel_input_format {
    DOPPEL_INPUT_AUTO = 0,  /* each file by its extension, then its content (docs/formats.md) */
    DOPPEL_INPUT_JSONL = 1, /* one JSON object per line (a JSON array of objects is also read) */
    DOPPEL_INPUT_TEXT = 2,  /* the whole file (or stdin) is one document */
    DOPPEL_INPUT_CSV = 3,   /* comma-separated values (RFC 4180) with a header row */
    DOPPEL_INPUT_TSV = 4    /* tab-separated values with a header row */
} doppel_input_format;

typedef struct doppel_reader_options {
    /* Record fields: a top-level key, or a dotted path into nested objects
     * ("meta.body") when no top-level key has the dotted name; for CSV/TSV
     * a column name. */
    const char *id_field;     /* default "id"; a record without it gets the id FILE:LINE */
    const char *text_field;   /* default "text" */
    const char *title_field;  /* optional; default "title" */
    const char *date_field;   /* optional; default "date" */
    size_t max_doc_bytes;     /* larger records are skipped; default 64 MiB */
    doppel_input_format format; /* forced for every file; AUTO decides per file */
} doppel_reader_options;

void doppel_reader_options_default(doppel_reader_options *opt);

/* One record. Every pointer is owned by the reader and valid until the next
 * doppel_reader_next or doppel_reader_free. Strings are NUL-terminated. */
typedef struct doppel_record {
    const char *id;  size_t id_len;
    const char *text; size_t text_len;
    const char *title;       /* NULL when absent */
    const char *date;        /* NULL when absent; numbers are given as text */
    const char *raw;         /* the record as one JSON line (no newline): the JSONL line as
                                read, an array element or CSV row made compact; NULL for
                                whole files. Also set for a malformed line (DOPPEL_ERR_JSON) */
    size_t raw_len;
    const char *source;      /* file the record came from ("-" for stdin) */
    uint64_t line;           /* 1-based line of the record (of its first line in a CSV
                                file; the element number in a JSON array, named FILE#N
                                in messages); 0 for whole files */
    uint64_t invalid_utf8;   /* invalid sequences replaced by U+FFFD before JSON parsing */
    int id_from_position;    /* the record had no id field: id is "SOURCE:LINE" */
    /* On DOPPEL_ERR_FIELD for the text field: the record's top-level fields
     * ("id, content, url"), and the field holding its longest string (a
     * dotted path when nested), the likely text field; NULL otherwise. */
    const char *fields_present;
    const char *text_field_guess;
} doppel_record;

typedef struct doppel_reader doppel_reader;

/* One input: a file, a directory or "-" (standard input). name, when not
 * NULL, replaces path in ids and messages (a spooled copy of stdin is read
 * from a path but named "-"). */
typedef struct doppel_input {
    const char *path;
    const char *name;
} doppel_input;

/* Open inputs[0..n) to be read one after the other. A directory is walked
 * recursively in byte order of names (names starting with '.' skipped);
 * each file in it, and each file given, is read by its kind: JSONL (.jsonl,
 * .ndjson, .json; a JSON array of objects too), CSV/TSV (.csv, .tsv), or
 * one document (text, Markdown, HTML, anything else) whose id is its path
 * relative to the directory (prefixed with the input's name when n > 1), or
 * the name given for a file. Files may be gzip, zstd, bzip2 or xz
 * compressed (detected by magic bytes; the compression suffix is ignored
 * when looking at the extension). Parquet files are refused with
 * DOPPEL_ERR_FORMAT naming a conversion. The strings in inputs are copied. */
doppel_status doppel_reader_open_inputs(const doppel_input *inputs, size_t n,
                                        const doppel_reader_options *opt, doppel_reader **out,
                                        doppel_error *err);

/* doppel_reader_open_inputs with one input (path, no name). */
doppel_status doppel_reader_open(const char *path, const doppel_reader_options *opt,
                                 doppel_reader **out, doppel_error *err);

/* Read the next record into *rec. Returns DOPPEL_OK, DOPPEL_END, or a
 * record-level error (JSON, FIELD, TOO_LARGE, IO for one unreadable file,
 * FORMAT for a binary, parquet or corrupt file) with rec->source/line set
 * to where it happened; the reader then continues with the next record on
 * the next call. A stream that cannot continue (a corrupt compressed
 * stream) reports DOPPEL_ERR_FORMAT once and the reader goes on with the
 * next file. */
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
 * Extraction: front matter, Markdown, HTML, boilerplate (extract)
 * ==================================================================== */

/*
 * What doppel compares is the article, not the page. doppel_extract turns the
 * raw bytes of one document (a file, or the text field of a JSONL record) into
 * cleaned article text plus metadata:
 *
 *   format detection -> front matter (YAML subset) -> Markdown or HTML to
 *   blocks of text -> layer 1 boilerplate (each block scored on signals that
 *   do not depend on one site or one language) -> optional layer 2 (lines
 *   recurring across the corpus, from a doppel_boiler_counter filled in a
 *   first pass) -> text, paragraphs separated by one blank line.
 *
 * The unit of keeping and dropping is a line of the input (for HTML, a block
 * element); --explain lists every dropped line with its reason.
 */

typedef enum doppel_extract_format {
    DOPPEL_FORMAT_AUTO = 0,     /* decide from the content (see doppel_extract) */
    DOPPEL_FORMAT_TEXT = 1,     /* plain text: lines and blank-line paragraphs */
    DOPPEL_FORMAT_MARKDOWN = 2, /* Markdown, optionally with YAML front matter */
    DOPPEL_FORMAT_HTML = 3      /* HTML (parsed as HTML5; broken markup repaired) */
} doppel_extract_format;

/* Lower-case name ("auto", "text", "markdown", "html"); never NULL. */
const char *doppel_extract_format_name(doppel_extract_format f);

/* Why a line was dropped. */
typedef enum doppel_drop_reason {
    DOPPEL_DROP_NONE = 0,
    DOPPEL_DROP_METADATA,   /* front matter: its fields became metadata */
    DOPPEL_DROP_MARKUP,     /* markup with no text: fence, rule, link definition */
    DOPPEL_DROP_ELEMENT,    /* inside an HTML element that never holds the article
                               (nav, aside, footer, header, form, noscript, iframe) */
    DOPPEL_DROP_LINKS,      /* mostly link text */
    DOPPEL_DROP_SHORT,      /* short, and not among article paragraphs */
    DOPPEL_DROP_NOT_PROSE,  /* too few function words for running text */
    DOPPEL_DROP_CONTEXT,    /* borderline, and its neighbours are boilerplate */
    DOPPEL_DROP_PROMPT,     /* subscribe / share / comment / login / legal prompt */
    DOPPEL_DROP_ADVERT,     /* advertisement marker */
    DOPPEL_DROP_NAVIGATION, /* menu or breadcrumb */
    DOPPEL_DROP_TEASER,     /* in a teaser, "popular" or related-articles block */
    DOPPEL_DROP_REPEATED,   /* a short line that occurs more than once in the page */
    DOPPEL_DROP_CORPUS      /* recurs across the corpus (layer 2) */
} doppel_drop_reason;

/* Lower-case name ("short", "teaser", ...); never NULL. */
const char *doppel_drop_reason_name(doppel_drop_reason r);

typedef struct doppel_boiler_counter doppel_boiler_counter;

typedef struct doppel_extract_options {
    doppel_extract_format format;  /* default DOPPEL_FORMAT_AUTO */
    int front_matter;    /* parse YAML front matter into metadata; default 1 */
    int boilerplate;     /* layer 1: drop page chrome; default 1 */
    int explain;         /* collect dropped lines in the result; default 0 */
    /* Layer 2: when non-NULL, kept lines the counter calls boilerplate are
     * dropped too. Read only; may be shared by extractors in many threads. */
    const doppel_boiler_counter *corpus;
    /* Layer 1 thresholds; their meaning and defaults are tabled in
     * src/boilerplate.c. Lengths are in bytes of cleaned text. */
    unsigned length_low;         /* shorter blocks are "short"; default 70 */
    unsigned length_high;        /* good blocks are at least this long; default 200 */
    double stopwords_low;        /* below: not running text; default 0.15 */
    double stopwords_high;       /* at or above (and long): good; default 0.25 */
    double max_link_density;     /* more link text than this: links; default 0.2 */
    unsigned max_heading_distance; /* a heading this close before good text is kept; default 200 */
} doppel_extract_options;

/* Fill *opt with the defaults above. */
void doppel_extract_options_default(doppel_extract_options *opt);

/* One dropped line (only collected when options.explain is set). */
typedef struct doppel_dropped_line {
    uint32_t line;               /* 1-based line of the input it came from */
    doppel_drop_reason reason;
    const char *text;            /* the line's text after markup removal; NUL-terminated */
    size_t len;
} doppel_dropped_line;

/* Result flags: what the caller may want to report. */
#define DOPPEL_EXTRACT_EMPTY          0x01u /* nothing survived: the page is all boilerplate */
#define DOPPEL_EXTRACT_FM_UNCLOSED    0x02u /* front matter opened but never closed: kept as text */
#define DOPPEL_EXTRACT_FM_NOT_YAML    0x04u /* "---" block that is not YAML: kept as text */
#define DOPPEL_EXTRACT_CHARSET_CONVERTED 0x08u /* declared latin-1/windows-1252: converted to UTF-8 */
#define DOPPEL_EXTRACT_CHARSET_UNKNOWN 0x10u  /* declared another non-UTF-8 charset: bytes passed through */
#define DOPPEL_EXTRACT_HTML_REPAIRED  0x20u /* the HTML parser had to repair broken markup */
#define DOPPEL_EXTRACT_FALLBACK       0x40u /* the rules would have emptied a page with prose: its
                                              * article container's text was kept instead */
#define DOPPEL_EXTRACT_NO_TEXT        0x80u /* with EMPTY: the page has no text to keep at all
                                              * (without it, EMPTY means all was boilerplate) */

/* What doppel_extract produced. Every pointer is owned by the extractor and
 * valid until its next doppel_extract or doppel_extractor_free. */
typedef struct doppel_extract_result {
    const char *text;            /* kept text; paragraphs separated by "\n\n"; NUL-terminated */
    size_t text_len;
    const char *title;           /* metadata; NULL when absent */
    const char *date;            /* as written in the document (see doppel_parse_date) */
    const char *description;
    const char *url;
    doppel_extract_format format;  /* the format used (detected or forced) */
    unsigned flags;              /* DOPPEL_EXTRACT_* */
    size_t lines_kept, lines_dropped;
    const doppel_dropped_line *dropped;  /* in input order; NULL unless explain */
    size_t num_dropped;
} doppel_extract_result;

/* An extractor holds the buffers one extraction needs, reused from call to
 * call so a stream of documents costs no allocation once they are warm. One
 * extractor per thread. */
typedef struct doppel_extractor doppel_extractor;

doppel_status doppel_extractor_new(doppel_extractor **out, doppel_error *err);
void doppel_extractor_free(doppel_extractor *ex);

/* Extract one document of len bytes (need not be NUL-terminated). opt NULL =
 * defaults. AUTO detection: a document starting with a doctype or <html>, or
 * whose first 4 KiB hold several HTML block tags, is HTML; one that opens
 * with front matter or uses Markdown links/headings is Markdown; anything
 * else is text. Returns DOPPEL_ERR_FORMAT for binary data (NUL or control
 * bytes in the first 8 KiB), DOPPEL_ERR_ARG for a bad option. A page that is
 * all boilerplate is not an error: DOPPEL_OK with text_len 0 and
 * DOPPEL_EXTRACT_EMPTY set, for the caller to report. */
doppel_status doppel_extract(doppel_extractor *ex, const char *raw, size_t len,
                             const doppel_extract_options *opt,
                             doppel_extract_result *out, doppel_error *err);

/*
 * Layer 2: corpus-level boilerplate. A line (normalized: case folded, digits
 * folded to 0, whitespace collapsed) that recurs in many documents whose
 * content differs is page chrome even when it reads like prose ("All
 * rights reserved. This material may not be published..."). Pass 1 adds
 * every document's extracted text; pass 2 extracts again with
 * options.corpus set, or asks doppel_boiler_is_line directly.
 *
 * Structure: a count-min sketch (4 rows, conservative update) of 32-bit
 * cells counting documents per line hash, each cell paired with a 32-bit
 * bitmap of "content keys" — a hash of the document's longest other line — so that
 * the many reprints of one article (which share their longest line) count as
 * one context and their paragraphs are never called boilerplate. Memory is
 * fixed at creation (8 bytes per cell); the default 16 MiB has 2^19 cells per
 * row. The sketch only overestimates; the decision threshold is raised by the
 * sketch's measured noise floor (estimates of lines never added), so a full
 * sketch (10M+ documents) stays conservative instead of calling everything
 * boilerplate.
 */
typedef struct doppel_boiler_options {
    size_t memory_bytes;    /* sketch size; default 16 MiB, at least 64 KiB */
    unsigned min_docs;      /* a line must occur in at least this many documents; default 20 */
    double min_share;       /* ...and in this share of all documents added; default 0 */
    unsigned min_contexts;  /* ...with this many distinct content keys (max 32); default 5 */
    uint64_t seed;          /* default 1 */
} doppel_boiler_options;

void doppel_boiler_options_default(doppel_boiler_options *opt);

/* opt NULL = defaults. */
doppel_status doppel_boiler_counter_new(const doppel_boiler_options *opt,
                                        doppel_boiler_counter **out, doppel_error *err);
void doppel_boiler_counter_free(doppel_boiler_counter *bc);

/* Pass 1: count the distinct non-empty lines of one document's extracted
 * text once each. Not thread-safe; one counter per pass. Lines of more than
 * 2000 bytes are not counted (chrome is never that long). */
doppel_status doppel_boiler_add(doppel_boiler_counter *bc, const char *text, size_t len);

/* End pass 1: measure the sketch's noise floor and fix the threshold. Needed
 * before doppel_boiler_is_line; no more adds or merges after it
 * (DOPPEL_ERR_STATE). */
doppel_status doppel_boiler_finish(doppel_boiler_counter *bc);

/* Combine b into a (same options required): counters from parallel pass-1
 * workers merge into one. DOPPEL_ERR_ARG when the shapes differ. */
doppel_status doppel_boiler_merge(doppel_boiler_counter *a, const doppel_boiler_counter *b);

/* Pass 2: is this line corpus boilerplate? 0 before doppel_boiler_finish.
 * Thread-safe: many extractors may consult one finished counter. */
int doppel_boiler_is_line(const doppel_boiler_counter *bc, const char *line, size_t len);

typedef struct doppel_boiler_stats {
    uint64_t docs;            /* documents added */
    uint64_t lines;           /* distinct-per-document lines counted */
    size_t memory_bytes;      /* heap held by the counter (fixed at creation) */
    double fill;              /* share of non-zero cells in row 0 */
    uint32_t noise_floor;     /* documents a never-seen line appears to have */
    uint32_t threshold;       /* documents a line needs now to be boilerplate */
} doppel_boiler_stats;

void doppel_boiler_get_stats(const doppel_boiler_counter *bc, doppel_boiler_stats *out);

/* ======================================================================
 * Configuration
 * ==================================================================== */

/* The settings every copy-level stage below reads: how text is cut into
 * shingles, how sketches and LSH bands are sized, and the thresholds that
 * turn a verified pair into a relation. One struct, validated once. */

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
    double threshold;            /* near: Jaccard >= threshold, at any length; default 0.5 */
    double low_threshold;        /* near also: Jaccard >= low_threshold ... (default 0.15) */
    unsigned min_shared;         /* ... and at least min_shared shingles in common (default 50) */
    double containment;          /* contained: smaller-in-larger >= this; default 0.9 */
    unsigned min_contained;      /* contained needs the smaller doc to have this many shingles */
    double lsh_threshold;        /* Jaccard the LSH is tuned to catch; 0 = derived */
    unsigned bands, rows;        /* LSH shape; 0,0 = chosen from lsh_threshold */
    doppel_verify_mode verify;
    doppel_canonical_policy canonical;
    unsigned max_bucket;         /* LSH buckets larger than this are linked as a chain */
    const char *tmp_dir;         /* spill directory; NULL = $TMPDIR or /tmp */
    unsigned threads;            /* threads for doppel_index_add_batch and finish; 0 = all
                                    cores the process may use (doppel_available_cores) */
    int extract;                 /* run doppel_extract before normalizing; default 1 */
    double prefilter_miss;       /* before reading two shingle sets back, drop a candidate
                                    whose signatures agree in too few places for any
                                    acceptance rule: this is the chance that a pair just
                                    at a rule's threshold is dropped (exact verification
                                    only; sets of at least num_perm shingles). Default
                                    1e-6; 0 = verify every candidate from its sets */
    uint64_t memory_limit;       /* bytes the index may hold in memory; 0 = no limit. Above
                                    it, finish works in slices (same result, more passes);
                                    DOPPEL_ERR_LIMIT when the per-document part alone
                                    (about 72 bytes a document) would not fit */
    const struct doppel_extract_options *extract_options; /* NULL = defaults; borrowed */
    /* Relations from aligned passages (exact verification; docs/relations.md
     * gives the measurements behind each default). A document's coverage is
     * the share of its words inside passages shared with the other. */
    double cover;                /* near: both documents covered >= cover; default 0.7 */
    double contained_cover;      /* contained: the smaller covered >= this; default 0.9 */
    double derived_cover;        /* derived: the smaller's words inside shared fragments
                                    (runs of >= 3 identical words), its longest passage
                                    left out unless that holds half of it, >= this
                                    share of it and >= 40 words; default 0.2 */
    unsigned derived_spread;     /* ... spread over >= this many tenths of it (each at
                                    least 15% in fragments), not one stretch; default 6 */
    unsigned partial_words;      /* partial: a passage of >= this many matched words;
                                    default 20 */
    int join_derived;            /* 1: derived pairs join copy clusters too; default 0 */
} doppel_config;

/* Fill *cfg with the documented defaults. */
void doppel_config_default(doppel_config *cfg);

/* The cores this process may run on: the CPUs online, narrowed to its CPU
 * affinity mask (taskset, a batch scheduler) and to a cgroup CPU quota (a
 * container's --cpus, rounded up; cgroup v1 or v2). At least 1, at most
 * 256. */
unsigned doppel_available_cores(void);

/* The memory this process may use, in bytes: physical memory, or the
 * smallest cgroup memory limit (v1 or v2) on the process's cgroup or any
 * above it, if that is less; 0 if neither is known. The CLI's default
 * memory_limit is half of it. */
uint64_t doppel_available_memory(void);

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

/* Stage copy (src/copy), first half: text folded for comparison, cut into
 * hashed shingles and sketched. Usable on their own for callers that keep
 * their own index. */

/* Counters a normalization call adds to (never reset by the library). */
typedef struct doppel_norm_stats {
    uint64_t invalid_utf8;  /* invalid byte sequences replaced */
    uint64_t nul_bytes;     /* NUL bytes treated as spaces */
} doppel_norm_stats;

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

/* Stage copy, second half: what two documents are to each other, decided
 * from their features. */

typedef enum doppel_relation {
    DOPPEL_REL_NONE = 0,       /* not a copy (below every threshold) */
    DOPPEL_REL_CANONICAL = 1,  /* the document kept for its cluster */
    DOPPEL_REL_EXACT = 2,      /* same normalized text */
    DOPPEL_REL_NEAR = 3,       /* Jaccard >= threshold, or >= low_threshold with min_shared */
    DOPPEL_REL_CONTAINED = 4,  /* smaller doc's shingles >= containment inside the larger */
    DOPPEL_REL_LINKED = 5,     /* in the cluster only through other members */
    DOPPEL_REL_DERIVED = 6,    /* a rewrite: the smaller's words in short shared pieces
                                  in the source's order (pairs only, unless join_derived) */
    DOPPEL_REL_PARTIAL = 7     /* one or a few passages shared, the rest different
                                  (pairs only; never joins clusters) */
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

/* One passage both texts share, in normalized words of each one's
 * extracted text (as doppel_pair_passage; small edits inside are joined). */
typedef struct doppel_passage {
    size_t a_word;   /* first word of the passage in A's normalized text */
    size_t b_word;   /* first word of the passage in B's normalized text */
    size_t words;    /* length in words, in A */
    char *text;      /* A's side of the passage, normalized; owned by the comparison */
    size_t b_words;  /* length in words, in B */
    size_t matched;  /* words identical in both */
    char *b_text;    /* B's side, normalized; owned by the comparison */
} doppel_passage;

#define DOPPEL_MAX_PASSAGES 5

/* Everything doppel knows about one pair of texts. */
typedef struct doppel_comparison {
    doppel_similarity sim;
    size_t shingles_a, shingles_b;   /* set sizes */
    double estimate;                 /* MinHash Jaccard estimate */
    int identical;                   /* same normalized text */
    doppel_relation relation;        /* the verdict, by the rules of the index: NONE,
                                        EXACT, NEAR, CONTAINED, DERIVED or PARTIAL */
    size_t num_passages;             /* longest shared passages, longest first */
    doppel_passage passages[DOPPEL_MAX_PASSAGES];
    double cover_a, cover_b;         /* share of each text's words in shared passages */
    size_t words_a, words_b;         /* words of each normalized (extracted) text */
    int a_is_source;                 /* contained, derived, partial: 1 when A is the
                                        source (the covering one), else 0 */
} doppel_comparison;

/* Compare two raw texts end to end as the index does (extract when
 * cfg->extract, normalize, shingle, sketch, align) and find their longest
 * shared passages; the relation is the one doppel_index_pairs would give
 * the pair (dates aside). Release with doppel_comparison_free. */
doppel_status doppel_compare(const doppel_config *cfg, const char *a, size_t a_len,
                             const char *b, size_t b_len, doppel_comparison *out,
                             doppel_error *err);
void doppel_comparison_free(doppel_comparison *cmp);

/* ======================================================================
 * The index: add documents, then find and cluster copies
 * ==================================================================== */

/* The batch engine: documents go in one by one, doppel_index_finish finds
 * candidates, verifies them and clusters the copies. */

typedef struct doppel_index doppel_index;

/* What happened to one added document. */
typedef struct doppel_add_info {
    uint32_t docnum;         /* 0-based number in order of addition */
    int duplicate_id;        /* the id was seen before (the document is still added) */
    uint32_t first_docnum;   /* the earlier document with that id, when duplicate_id */
    int short_doc;           /* fewer words than one shingle: one whole-text shingle */
    doppel_norm_stats norm;  /* repairs made while normalizing this document */
    unsigned extract_flags;  /* DOPPEL_EXTRACT_* flags when extraction ran */
} doppel_add_info;

/* Create an index. The configuration is copied. */
doppel_status doppel_index_new(const doppel_config *cfg, doppel_index **out, doppel_error *err);
void doppel_index_free(doppel_index *idx);

/* Add one document. text need not be NUL-terminated; id and text are copied
 * as needed and may be released after the call. date is seconds since the
 * epoch or DOPPEL_NO_DATE; when it is DOPPEL_NO_DATE and extraction finds a
 * date (front matter, HTML meta), that one is used. With cfg.extract the raw
 * text goes through doppel_extract first. Returns DOPPEL_ERR_EMPTY (document
 * not added) when no words remain, with DOPPEL_EXTRACT_EMPTY in
 * info->extract_flags when extraction removed everything as boilerplate, and
 * DOPPEL_ERR_FORMAT for binary data. Not valid after doppel_index_finish. */
doppel_status doppel_index_add(doppel_index *idx, const char *id, size_t id_len,
                               const char *text, size_t text_len, int64_t date,
                               doppel_add_info *info, doppel_error *err);

/* One document for doppel_index_add_batch; pointers are borrowed for the call. */
typedef struct doppel_doc_input {
    const char *id;
    size_t id_len;
    const char *text;
    size_t text_len;
    int64_t date;            /* seconds since the epoch or DOPPEL_NO_DATE */
} doppel_doc_input;

/* Add n documents, computing their features (normalize, shingle, sketch) on
 * cfg.threads threads and appending each in input order once it and those
 * before it are computed: the same as calling
 * doppel_index_add for each, with the same docnums and results for any
 * thread count. statuses[i] (optional) receives each document's status:
 * DOPPEL_OK, or DOPPEL_ERR_EMPTY / DOPPEL_ERR_FORMAT for a document that was
 * not added. infos
 * (optional, n entries) as for doppel_index_add. A fatal error (out of
 * memory, spill I/O) stops the batch and is returned; documents before it
 * were added, the rest have status DOPPEL_ERR_STATE. After a failed write
 * to the temporary files (DOPPEL_ERR_IO, e.g. a full disk) the index is
 * unusable: add, add_batch and finish return DOPPEL_ERR_STATE; free it. */
doppel_status doppel_index_add_batch(doppel_index *idx, const doppel_doc_input *docs, size_t n,
                                     doppel_status *statuses, doppel_add_info *infos,
                                     doppel_error *err);

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

/* A passage two documents of a pair share, in words of each one's
 * normalized extracted text (word 0 is the first word). */
typedef struct doppel_pair_passage {
    uint32_t a_word, a_words;  /* first word and length in A */
    uint32_t b_word, b_words;  /* first word and length in B */
    uint32_t matched;          /* words identical in both (the rest are small edits) */
} doppel_pair_passage;

#define DOPPEL_PAIR_PASSAGES 3

/* One verified pair (a < b in docnum order). */
typedef struct doppel_pair {
    uint32_t a, b;
    doppel_similarity sim;
    doppel_relation relation;  /* EXACT, NEAR, CONTAINED, DERIVED or PARTIAL */
    double cover_a, cover_b;   /* share of each document's words inside shared passages
                                  (1 for exact; 0 in fast mode) */
    uint32_t source;           /* contained, derived, partial: the document the other
                                  took from (the earlier by date when both are dated,
                                  else the covering, larger one); else a */
    size_t num_passages;       /* longest shared passages, longest first */
    doppel_pair_passage passages[DOPPEL_PAIR_PASSAGES];
} doppel_pair;

/* Visit every verified pair in (a, b) order; stop early when fn returns non-zero. */
typedef int (*doppel_pair_fn)(const doppel_pair *pair, void *user);
doppel_status doppel_index_pairs(const doppel_index *idx, doppel_pair_fn fn, void *user);

typedef struct doppel_index_stats {
    uint32_t docs;
    uint32_t short_docs;
    uint64_t exact_groups;      /* documents that were exact copies of an earlier one */
    uint64_t candidates;        /* distinct LSH candidate pairs */
    uint64_t prefiltered;       /* candidates dropped by their signatures (prefilter_miss)
                                   without reading their sets */
    uint64_t verified_pairs;    /* candidates that became edges */
    uint64_t oversize_buckets;  /* LSH buckets linked as a chain (max_bucket) */
    unsigned bands, rows;
    unsigned lsh_slices;        /* passes per band the memory limit asked for (1 = none) */
    uint64_t memory_bytes;      /* heap held by the index now */
    uint64_t peak_memory_bytes; /* most heap held by the index at once */
    uint64_t spill_bytes;       /* bytes of shingle sets and signature prints on disk */
    uint32_t largest_cluster;   /* documents in the largest copy cluster (after finish) */
    uint64_t reuse_pairs;       /* verified pairs that are derived or partial (reported
                                   by doppel_index_pairs, joining no cluster by default) */
    uint64_t candidate_runs;    /* sorted runs the candidate list was written to disk in,
                                   beyond the memory limit (0 = held in memory) */
} doppel_index_stats;

void doppel_index_get_stats(const doppel_index *idx, doppel_index_stats *out);

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
 * Clustering (default) is average-link agglomeration over a sparse
 * nearest-neighbour graph: each document is compared with the candidates an
 * inverted index over top index_terms terms gives (a posting list longer
 * than max_postings is read only around the document's place in (date,
 * hash) order) and keeps its 5 most similar as edges; each vector is then
 * expanded with its neighbours' (expansion); clusters merge best first while
 * their mean pairwise cosine reaches the mean of their members'
 * length-dependent thresholds, never across more than window_seconds. Then
 * stories whose centroids are alike (merge_threshold) are merged, misplaced
 * documents move to a better story, and each copy cluster goes whole to the
 * story holding most of its members. Each document
 * costs a bounded amount of work, so the run is near-linear. With online = 1,
 * the earlier single pass is used instead: documents taken in (date, hash)
 * order join the most similar live story (ageing out window_seconds after
 * its last dated member) or open one.
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
    double threshold;       /* cosine a long document needs to join a story; default 0.55
                               (of expanded vectors, see expansion; with
                               expansion = 0 or online = 1 use 0.22, the
                               value measured best for plain vectors) */
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
    double expansion;       /* weight of a document's nearest neighbours' mean
                               vector added to its own before agglomeration;
                               default 1; 0 = off */
    int online;             /* 0 (default): average-link agglomeration over a
                               nearest-neighbour graph; 1: the single pass in
                               (date, key) order of earlier versions */
    int keep_state;         /* 1: keep each story's centroid (up to 2 x top_terms
                               terms, 8 bytes each) after finish, for
                               doppel_story_write_state; default 0 */
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

/* Document frequencies saved and loaded ("story model"), so that a small
 * batch is weighted by what a large corpus learned, and the counts can grow
 * batch after batch. write_model writes every learned term with its counts
 * and the number of learned documents to fp (text, one term a line, in an
 * order that depends only on the counts); valid in any state; the caller
 * opens and closes fp (DOPPEL_ERR_IO if a write failed). read_model adds a
 * saved model's counts to this handle's, as if its documents had been
 * learned here (so learning more afterwards, or before, adds up); only
 * before the first doppel_story_add (DOPPEL_ERR_STATE after). name is used
 * in messages. Errors: DOPPEL_ERR_FORMAT (not a model, cut short, a bad line:
 * the message names the line), DOPPEL_ERR_ARG (a model of another language),
 * DOPPEL_ERR_IO, DOPPEL_ERR_LIMIT (over 2^32-2 documents in all); then the
 * handle's counts are unchanged, except after DOPPEL_ERR_NOMEM, when they
 * may be partly added: free the handle. */
doppel_status doppel_story_write_model(const doppel_story *st, FILE *fp, doppel_error *err);
doppel_status doppel_story_read_model(doppel_story *st, FILE *fp, const char *name,
                                      doppel_error *err);

/* Story state: a feed clustered batch after batch keeps its stories. The
 * state holds a story model (above) and the stories still alive after a
 * run: for each its id, first and last date, number of documents and
 * centroid (the sum of its documents' vectors, up to 2 x top_terms terms).
 *
 * read_state (only before the first doppel_story_add, DOPPEL_ERR_STATE
 * after) adds the model's counts as read_model does and takes the earlier
 * stories. finish then links each story of this run to the earlier story
 * whose centroid is most alike, if their cosine reaches merge_threshold and
 * (both dated, window_seconds > 0) they are no more than window_seconds
 * apart; links are made best first, one earlier story to at most one story
 * of this run, so two stories of a run never share an id. A linked story
 * takes the earlier story's id (doppel_story_info.id); every other story
 * gets the next id never given (ids start at 0, so without a state a
 * story's id is its number). The partition of this run's documents is not
 * changed by the state, only the ids. Errors as for read_model (a story
 * line out of range or a term of a story missing from the model is
 * DOPPEL_ERR_FORMAT, naming the line); then the handle is unchanged.
 *
 * write_state (after finish of a handle created with keep_state = 1, else
 * DOPPEL_ERR_STATE) writes the model and, in id order: every story of this
 * run (one linked to an earlier story adds its documents, dates and
 * centroid to it) and every earlier story not linked that has not aged out:
 * its last date is within window_seconds of the newest date of the state
 * and the run (undated stories, and all when window_seconds is 0, are
 * kept). The file depends only on the state read and the documents added;
 * the caller opens and closes fp. */
doppel_status doppel_story_read_state(doppel_story *st, FILE *fp, const char *name,
                                      doppel_error *err);
doppel_status doppel_story_write_state(const doppel_story *st, FILE *fp, doppel_error *err);

/* A copy of st, which has read a model or state (or learned) but not yet
 * added a document: the copy goes on exactly as st would (for many runs
 * from one state read once; st is not changed, so several threads may copy
 * it at once). NULL with err filled (DOPPEL_ERR_STATE after an add,
 * DOPPEL_ERR_NOMEM). Free it with doppel_story_free. */
doppel_story *doppel_story_copy(const doppel_story *st, doppel_error *err);

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
    uint64_t id;            /* persistent id (see doppel_story_read_state); the
                               story number when no state was read */
    uint64_t earlier_docs;  /* documents of the earlier story this one continues
                               (0: a new story) */
    uint32_t size;          /* documents */
    uint32_t copies;        /* distinct copy clusters among them */
    int64_t first_date;     /* earliest dated member, or DOPPEL_NO_DATE */
    int64_t last_date;      /* latest dated member, or DOPPEL_NO_DATE */
    unsigned num_terms;     /* entries used in terms[] */
    /* Highest-weighted terms of the story's centroid, most weighty first:
     * words, names, dates ("2013-06"), quantities ("90 days") or quoted
     * phrases, each stem shown as the word the learned documents most often
     * wrote it as, lower case (ties: the shorter, then the bytewise smaller;
     * a term never seen while learning, only in a model, as its stem).
     * Owned by the handle, valid until doppel_story_free. */
    const char *terms[DOPPEL_STORY_TOP_TERMS];
} doppel_story_info;

/* DOPPEL_ERR_ARG when story >= doppel_story_count, DOPPEL_ERR_STATE before finish. */
doppel_status doppel_story_get_info(const doppel_story *st, uint32_t story,
                                    doppel_story_info *out);

typedef struct doppel_story_stats {
    uint64_t learned_docs;      /* documents counted by doppel_story_learn */
    uint64_t docs;              /* documents added */
    uint64_t vocabulary;        /* distinct terms learned */
    uint64_t units;             /* documents clustered (each its own unit; copy
                                   clusters are kept whole afterwards) */
    uint64_t stories;
    uint64_t candidates;        /* (document, story) similarities computed */
    uint64_t capped_postings;   /* posting entries dropped by max_postings */
    uint64_t memory_bytes;      /* heap held through doppel's allocator now, by the
                                   whole process (this handle's share when it is
                                   the only live doppel object) */
    uint64_t doc_bytes;         /* per-document vectors and records held by this
                                   handle (released by finish) */
    uint64_t peak_memory_bytes; /* the process's highest memory_bytes so far
                                   (finish's scratch included) */
} doppel_story_stats;

void doppel_story_get_stats(const doppel_story *st, doppel_story_stats *out);

/* ======================================================================
 * The live index (store; src/store, docs/index.md)
 * ==================================================================== */

/*
 * The store keeps the copy stage's results on disk and grows them as
 * documents arrive: "have we seen this?" is answered against everything
 * added before, and the clusters of everything added so far can be read at
 * any time. A store is a directory holding an LMDB environment (data.mdb,
 * lock.mdb) and two lock files. It keeps, per document, its id, date,
 * source, the features verification needs (shingle set, word hashes) and
 * its candidate keys (LSH band postings), and every verified relation
 * between two documents. Adding a batch is one LMDB transaction: a process
 * killed at any moment leaves the store as it was after the last committed
 * batch. Readers (check, export, stats, get) work while a writer adds. One
 * writer at a time: a second one waits (DOPPEL_STORE_WAIT) or fails with
 * DOPPEL_ERR_STATE and a message saying so.
 *
 * The store's header records the format and feature versions and every
 * parameter that changes results (shingles, sketch, LSH shape, relation
 * thresholds, canonical policy, extraction); doppel_store_check_config
 * refuses other values, and a store of another version is refused on open.
 *
 * Incremental equals batch: documents added in any number of batches get
 * the same relations (those of doppel_index_pairs) and give the same copy
 * clusters (doppel_store_export) as one batch index over them in the same
 * order (doppel_index_*, `doppel cluster`): each pair is verified by the
 * index's own alignment and relation rules, and only copies join clusters.
 * Except where an LSH bucket grows past max_bucket (the batch index then
 * links its members as a chain; the store keeps the pairs it verified while
 * the bucket was small). The store applies the batch's pre-filter with its
 * own prefilter_miss (recorded in the header; 0 verifies every candidate),
 * so it equals a batch run with the same prefilter_miss.
 */

typedef struct doppel_store doppel_store;

/* Store format version (the header's "format"). */
#define DOPPEL_STORE_FORMAT 6  /* 2: relations carry each side's cover;
                                  3: stories (header, state, story of each document);
                                  4: candidate postings in sorted runs;
                                  5: the pre-filter (prefilter_miss in the header, a
                                     record of signature prints per document);
                                  6: feature blobs in pieces of at most 1,340 bytes */

/* A document's story when it has none (a store created without stories,
 * or, from a check, a document that would open a new story). */
#define DOPPEL_STORE_NO_STORY UINT64_MAX

/* Flags of doppel_store_open. */
#define DOPPEL_STORE_READONLY 1u  /* no add, expire or compact */
#define DOPPEL_STORE_WAIT 2u      /* a write waits for another writer to finish
                                     instead of failing */

/* Create an empty store in dir (created if missing; must not hold a store).
 * cfg's result-changing fields are recorded in the header; cfg->verify must
 * be DOPPEL_VERIFY_EXACT. DOPPEL_ERR_ARG for an invalid configuration or an
 * existing store, DOPPEL_ERR_IO when dir cannot be written. */
doppel_status doppel_store_create(const char *dir, const doppel_config *cfg, doppel_error *err);

/* The same, with stories (story non-NULL): each add then also clusters its
 * documents into stories and links them to the stories of earlier adds,
 * exactly as `doppel cluster --level all --story-state FILE` run on each
 * batch (doppel_story_read_state, doppel_story_write_state), the state kept
 * in the store and written in the add's transaction. story's fields are
 * recorded in the header (keep_state is implied); language must be a
 * libstemmer algorithm name (DOPPEL_ERR_ARG otherwise). */
doppel_status doppel_store_create_stories(const char *dir, const doppel_config *cfg,
                                          const doppel_story_options *story, doppel_error *err);

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
 * memory, tmp_dir) are not compared; prefilter_miss is. */
doppel_status doppel_store_check_config(const doppel_store *s, const doppel_config *cfg,
                                        doppel_error *err);

/* The story options the store was created with (owned by the handle), or
 * NULL for a store without stories. */
const doppel_story_options *doppel_store_story_options(const doppel_store *s);

/* DOPPEL_OK when opt gives the same stories as the store's options; else
 * DOPPEL_ERR_ARG naming the first option that differs and both values (or
 * saying the store keeps no stories). */
doppel_status doppel_store_check_story(const doppel_store *s, const doppel_story_options *opt,
                                       doppel_error *err);

/* One document to add or check; pointers are borrowed for the call. */
typedef struct doppel_store_doc {
    const char *id;
    size_t id_len;
    const char *text;
    size_t text_len;
    int64_t date;           /* seconds since the epoch or DOPPEL_NO_DATE (then the
                               date extraction finds, as in doppel_index_add) */
    const char *outlet;     /* where it came from (outlet, site, file); may be NULL */
    size_t outlet_len;
    const char *title;      /* the story level's title (else the one extraction finds,
                               as in `doppel cluster`); may be NULL */
    size_t title_len;
} doppel_store_doc;

/* doppel_store_match.source: which document of the pair the other took
 * from, as doppel_index_pairs decides it (doppel_pair.source). */
#define DOPPEL_STORE_SOURCE_NONE 0  /* exact, near: neither */
#define DOPPEL_STORE_SOURCE_MATCH 1 /* the matched (indexed, earlier) document */
#define DOPPEL_STORE_SOURCE_SELF 2  /* the document checked, added or looked up */

/* One relation of a document to an indexed one. */
typedef struct doppel_store_match {
    uint32_t docnum;        /* the indexed document */
    char *id;               /* its id and outlet (NUL-terminated, "" when none); */
    char *outlet;           /* owned by the result */
    doppel_relation relation; /* EXACT, NEAR, CONTAINED, DERIVED or PARTIAL: the
                               relation doppel_index_pairs gives the pair */
    double score;           /* Jaccard; containment for CONTAINED; 1 for EXACT */
    int source;             /* contained, derived, partial: DOPPEL_STORE_SOURCE_MATCH or
                               _SELF, the earlier by date when both are dated, else the
                               covering, longer one; DOPPEL_STORE_SOURCE_NONE otherwise */
} doppel_store_match;

typedef struct doppel_store_result {
    doppel_status status;   /* DOPPEL_OK, or DOPPEL_ERR_EMPTY / DOPPEL_ERR_FORMAT for a
                               document that has no words or is binary (not added) */
    uint32_t docnum;        /* add: the number it was given; UINT32_MAX otherwise */
    int duplicate_id;       /* its id was already indexed (the document is still added) */
    size_t n_matches;       /* relations, in docnum order */
    doppel_store_match *matches;
    uint64_t story;         /* stories only: doppel_store_add: the story id the document
                               was given; doppel_store_check: the id of the indexed story
                               it would join (DOPPEL_STORE_NO_STORY: it would open a new
                               one); otherwise DOPPEL_STORE_NO_STORY */
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
/* doppel_store_commit, then (a store with stories) stories[i] = the story id
 * docnums[i] (a document of this add) was given: ids are known only once
 * the whole add is clustered, at commit. DOPPEL_STORE_NO_STORY for a
 * docnum not of this add, or without stories, or when the commit failed. */
doppel_status doppel_store_commit_stories(doppel_store_writer *w, const uint32_t *docnums,
                                          size_t n, uint64_t *stories, doppel_error *err);
void doppel_store_abort(doppel_store_writer *w);

/* The relations docs[0..n) would get against the indexed documents, adding
 * nothing (a read transaction: runs beside a writer). Thread-safe. */
doppel_status doppel_store_check(doppel_store *s, const doppel_store_doc *docs, size_t n,
                                 doppel_store_result *results, doppel_error *err);

/* One indexed document. */
typedef struct doppel_store_docinfo {
    uint32_t docnum;
    const char *id;         /* id, outlet: owned by the handle, valid until the next */
    size_t id_len;          /* call on it from this thread */
    const char *outlet;
    size_t outlet_len;
    int64_t date;           /* DOPPEL_NO_DATE when unknown */
    int64_t added;          /* seconds since the epoch when it was added */
    uint32_t batch;         /* the add that brought it (1, 2, ...) */
    uint32_t shingles;
    uint64_t story;         /* its story's id; DOPPEL_STORE_NO_STORY without stories */
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
    uint64_t story;         /* its story's id; DOPPEL_STORE_NO_STORY without stories */
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
    uint64_t prefiltered;   /* candidate pairs the pre-filter dropped unread (adds) */
    double prefilter_miss;  /* the store's (0: every candidate is verified) */
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

/* ======================================================================
 * Synthetic corpora (synth)
 * ==================================================================== */

/* Stage eval (src/eval): labeled corpora made here, and the scores that
 * measure a clustering against labels. Nothing below the eval stage uses it. */

/* A labeled synthetic news corpus, generated on the fly: originals written
 * from a vocabulary built in code (topics with their own terms and names, so
 * unrelated documents share words but not passages), and copies of earlier
 * originals made in one of several documented ways. Every document is
 * derived from (seed, its number) alone, so generation streams in constant
 * memory and the same options give a byte-identical corpus. The rates of
 * each kind are documented at the top of src/synth.c. */

typedef enum doppel_synth_kind {
    DOPPEL_SYNTH_ORIGINAL = 0,    /* not a copy; its own cluster label */
    DOPPEL_SYNTH_EXACT = 1,       /* identical text */
    DOPPEL_SYNTH_BOILERPLATE = 2, /* wrapped in the copying site's chrome */
    DOPPEL_SYNTH_TRUNCATED = 3,   /* headline + leading paragraphs (a lead) */
    DOPPEL_SYNTH_EDITED = 4,      /* words substituted, inserted, deleted */
    DOPPEL_SYNTH_OCR = 5,         /* character-level OCR-like errors */
    DOPPEL_SYNTH_REORDERED = 6,   /* body paragraphs shuffled */
    DOPPEL_SYNTH_HEADLINE = 7,    /* different headline, same body */
    /* Reuse that is not a copy: the document is its own gold cluster, and
     * doppel_synth_doc.related names the document it takes text from. */
    DOPPEL_SYNTH_DERIVED = 8,     /* a rewrite: sentences dropped, trimmed, merged, swapped,
                                     words replaced, local sentences added */
    DOPPEL_SYNTH_PARTIAL = 9,     /* a new article with a few paragraphs of another inside */
    DOPPEL_SYNTH_QUOTE = 10,      /* a new article quoting one passage (80-200 words) of
                                     another: a negative for copies */
    DOPPEL_SYNTH_SHARED = 11      /* a new article carrying one of a few boilerplate
                                     paragraphs many documents share: a negative */
} doppel_synth_kind;

#define DOPPEL_SYNTH_NUM_KINDS 12

/* Lower-case name of a kind ("original", "exact", ...); NULL when out of range. */
const char *doppel_synth_kind_name(doppel_synth_kind kind);

typedef struct doppel_synth_options {
    uint64_t count;             /* documents to generate; default 1000 */
    uint64_t seed;              /* default 1 */
    unsigned mean_words;        /* mean words of an original's body; default 500 (>= 20) */
    double copy_fraction;       /* share of documents that are copies; default 0.35, in [0, 0.95] */
    /* Relative share of each copy kind among copies; index by kind, the
     * ORIGINAL entry is ignored. Default 1 for the kinds exact..headline and
     * 0 for derived, partial, quote and shared (see
     * doppel_synth_options_realistic). */
    double kind_weight[DOPPEL_SYNTH_NUM_KINDS];
    uint32_t topics;            /* number of topics; 0 (default) = count / 64, at least 4 */
    uint32_t sites;             /* number of sites (sources); default 40 */
    uint32_t date_span_days;    /* originals' dates spread over this; default 56 */
    int64_t start_day;          /* first date, days since 1970-01-01; default 2024-01-01 */
    uint32_t recent_window;     /* half the copies copy one of the last this many documents,
                                   half any earlier one; default 1000 */
    double edit_min, edit_max;          /* edited: word edit rate; default 0.05, 0.20 */
    double ocr_min, ocr_max;            /* ocr: character error rate; default 0.01, 0.03 */
    double truncate_min, truncate_max;  /* truncated: share of paragraphs kept; 0.20, 0.60 */
    unsigned truncate_min_words;        /* truncated: keep at least this many body words
                                           when the original has them; default 60 */
    double read_more_rate;              /* truncated: share ending with a "Read more" line; 0.5 */
    double chrome_min, chrome_max;      /* boilerplate: chrome words / original words; 0.10, 0.40 */
    double rewrite_min, rewrite_max;    /* derived: share of words replaced; 0.08, 0.28 */
    unsigned quote_min_words, quote_max_words; /* quote: passage length; 80, 200 */
    unsigned shared_paragraphs;         /* shared: boilerplate paragraphs in the pool; 8 */
} doppel_synth_options;

/* Fill *opt with the documented defaults. */
void doppel_synth_options_default(doppel_synth_options *opt);

/* Fill *opt with the defaults, then the mix of a realistic web corpus: half
 * the documents reuse another's text; every kind has weight 1, quote and
 * shared 2 (documents sharing passages without being copies are common);
 * mean_words 580 (about 3.7 KB a document as JSONL). */
void doppel_synth_options_realistic(doppel_synth_options *opt);

/* Check options; DOPPEL_ERR_ARG with a message naming the bad field. */
doppel_status doppel_synth_options_validate(const doppel_synth_options *opt, doppel_error *err);

/* One generated document. Every pointer is owned by the generator and valid
 * only during the emit call; strings are NUL-terminated ASCII/UTF-8. */
typedef struct doppel_synth_doc {
    uint64_t number;          /* 0-based position in the corpus */
    const char *id;           /* "s000042": "s" + number, zero-padded to >= 6 digits */
    const char *title;        /* the headline (the text's first line, for most kinds) */
    const char *date;         /* "YYYY-MM-DD"; a copy is never older than its original */
    const char *source;       /* the publishing site's name */
    const char *text;         /* headline, blank line, paragraphs separated by blank lines */
    size_t text_len;
    const char *cluster;      /* gold label: the id of the original (own id for originals) */
    uint64_t original;        /* number of the original (own number for originals) */
    doppel_synth_kind kind;
    uint32_t topic;           /* the original's topic: a coarser, story-like grouping */
    double amount;            /* the kind's drawn parameter: edited word rate, ocr
                                 character rate, truncated share of paragraphs kept,
                                 boilerplate chrome share, derived share of words
                                 replaced, partial/quote words taken; 0 otherwise */
    uint64_t related;         /* derived, partial, quote: the document text was taken
                                 from; shared: the pool paragraph's number; else
                                 the same as original */
    const char *related_id;   /* its id (derived, partial, quote), else NULL */
} doppel_synth_doc;

/* Receives each document in order; return 0 to continue, non-zero to stop. */
typedef int (*doppel_synth_emit_fn)(const doppel_synth_doc *doc, void *user);

/* Generate opt->count documents (opt NULL = defaults), calling emit for each
 * in order. Memory use is bounded by the size of one document, whatever the
 * count. Returns DOPPEL_OK, DOPPEL_END when emit asked to stop, or an error
 * (ARG for bad options, NOMEM). */
doppel_status doppel_synth_generate(const doppel_synth_options *opt, doppel_synth_emit_fn emit,
                                    void *user, doppel_error *err);

/* ======================================================================
 * Evaluation (eval)
 * ==================================================================== */

/* Score a clustering against a gold clustering: pairwise precision, recall
 * and F1 and the adjusted Rand index (Hubert & Arabie) from the contingency
 * table (pairs are counted, never enumerated), BCubed precision/recall/F1,
 * and removal scores (de-duplication keeps the first document of each
 * cluster and removes the rest). The figures agree with the project's
 * yardsticks, shared/tools/score_pairs.py and bcubed.py. Figures whose
 * denominator is zero are 1.0 (F1s 0.0 when precision + recall is 0), as
 * the yardsticks define them. */

/* Recall of one kind of gold copy (from a "kind" field in the gold file). */
typedef struct doppel_eval_kind {
    char *name;              /* the kind's text; owned by the result */
    uint64_t found, total;   /* copies put with their gold cluster's representative */
    uint64_t removal_found, removal_total;  /* gold-removed copies the prediction removes */
    /* Pairs the prediction puts documents of this kind in (each document's
     * predicted cluster-mates), and how many of them the gold agrees with:
     * precision on a kind of negatives (quote, shared) is true / pred. */
    uint64_t pred_pairs, true_pairs;
} doppel_eval_kind;

typedef struct doppel_eval_result {
    uint64_t docs;              /* documents in the gold */
    uint64_t missing_in_pred;   /* gold documents the prediction lacks (singletons) */
    uint64_t extra_in_pred;     /* prediction ids not in the gold (ignored) */
    uint64_t gold_clusters, pred_clusters;
    uint64_t gold_pairs, pred_pairs, true_pairs;
    double precision, recall, f1, ari;
    double bcubed_precision, bcubed_recall, bcubed_f1;
    uint64_t gold_removed, pred_removed, true_removed;
    double removal_precision, removal_recall, removal_f1;
    int flags_only;             /* the prediction gave duplicate flags, not clusters:
                                   only docs, missing_in_pred and removal figures are set */
    size_t num_kinds;           /* kinds in byte order of name; 0 without "kind" */
    doppel_eval_kind *kinds;    /* owned; release with doppel_eval_result_free */
} doppel_eval_result;

/* Release what a result owns (kinds) and zero it; accepts NULL. */
void doppel_eval_result_free(doppel_eval_result *res);

/* Score pred[i] against gold[i] for n documents (labels are arbitrary
 * numbers; equal numbers are one cluster). Removal scores take the array
 * order as corpus order. Sets every figure except the kinds; *out need not
 * be initialised and owns nothing afterwards. */
doppel_status doppel_eval_labels(const uint32_t *pred, const uint32_t *gold, size_t n,
                                 doppel_eval_result *out, doppel_error *err);

typedef struct doppel_eval_options {
    const char *id_field;     /* default "id" */
    const char *pred_field;   /* the prediction's label field; default "cluster" */
    const char *gold_field;   /* the gold's label field; default "cluster" */
} doppel_eval_options;

void doppel_eval_options_default(doppel_eval_options *opt);

/* Score a prediction JSONL file against a gold JSONL file, one
 * {"id": ..., "cluster": ...} object per line (blank lines skipped). Labels
 * and ids may be strings or numbers and are compared by their JSON text.
 * As in score_pairs.py: a repeated id keeps its first position and its last
 * label; gold documents missing from the prediction are singletons; when
 * gold lines carry "kind", recall and removal recall are broken down by
 * kind; a prediction whose lines carry {"id", "duplicate": bool} instead of
 * a label gives removal figures only (flags_only). opt NULL = defaults.
 * Errors: IO, JSON or FIELD with "file:line: ..." in err. Release the
 * result with doppel_eval_result_free. */
doppel_status doppel_eval_files(const char *pred_path, const char *gold_path,
                                const doppel_eval_options *opt, doppel_eval_result *out,
                                doppel_error *err);

/* Gold pairs of one kind and what a `doppel pairs` output reported them as. */
typedef struct doppel_eval_pair_kind {
    char *name;                       /* the gold "kind"; owned by the result */
    uint64_t total;                   /* gold pairs of this kind */
    uint64_t copy, derived, partial;  /* reported as exact/near/contained, derived, partial */
} doppel_eval_pair_kind;

typedef struct doppel_eval_pairs_result {
    size_t num_kinds;                 /* in order of first appearance in the gold */
    doppel_eval_pair_kind *kinds;     /* owned; release with doppel_eval_pairs_result_free */
} doppel_eval_pairs_result;

/* Score predicted pairs ({"a","b","relation"} per line, as `doppel pairs`
 * writes them) against gold pairs ({"a","b","kind"}, as `doppel synth
 * --gold-pairs` writes them); pairs are unordered. Errors: IO, JSON, FIELD
 * (a line without string "a" and "b", named by file:line), NOMEM. */
doppel_status doppel_eval_pairs_files(const char *pred_path, const char *gold_path,
                                      doppel_eval_pairs_result *out, doppel_error *err);
void doppel_eval_pairs_result_free(doppel_eval_pairs_result *res);
/* ======================================================================
 * Features for distributed runs (copy; src/copy/features_api.c)
 * ==================================================================== */

/* For engines that spread one run over many processes or machines (the
 * Python package's Dask pipeline, docs/distributed.md): each document's
 * features as a self-contained blob that can be shipped, and the decisions
 * doppel_index_finish makes, taken on two blobs. They call the index's own
 * code (feature computation, the signature pre-filter, verification, the
 * relation rules), so a run that reproduces the index's candidates
 * (exact groups, LSH buckets over band hashes, max_bucket chains) and its
 * union-find gives exactly its clusters and relations. Blobs are in the
 * machine's byte order, for processes running the same library version
 * and configuration; they are not a storage format. */

typedef struct doppel_featurizer doppel_featurizer;

/* A featurizer for cfg (validated, copied; cfg->extract_options stays
 * borrowed and must outlive it). One per thread. Errors: DOPPEL_ERR_ARG
 * (bad configuration, message names the field), DOPPEL_ERR_NOMEM. */
doppel_status doppel_featurizer_new(const doppel_config *cfg, doppel_featurizer **out,
                                    doppel_error *err);
void doppel_featurizer_free(doppel_featurizer *fz);

/* The LSH shape the featurizer (and doppel_index_new, for the same cfg) uses. */
void doppel_featurizer_shape(const doppel_featurizer *fz, unsigned *bands, unsigned *rows);

/* The reuse slots: a second candidate channel (word 3-gram sketches) for
 * rewritten and partly reused text, after the LSH bands among a document's
 * keys. A reuse-slot bucket of more than DOPPEL_REUSE_CAP documents pairs
 * none of them (it is dropped, not chained as an LSH bucket over
 * max_bucket is). */
#define DOPPEL_REUSE_SLOTS 16
#define DOPPEL_REUSE_CAP 20

/* What a blob says about its document. Pointers point into the blob. */
typedef struct doppel_feature_info {
    uint64_t text_hash;      /* of the normalized text: equal texts, equal hash */
    uint32_t set_len;        /* distinct shingles (the "longest" canonical key in fast
                                mode) */
    int short_doc;           /* fewer words than one shingle */
    int64_t date;            /* found by extraction, or DOPPEL_NO_DATE */
    unsigned extract_flags;  /* DOPPEL_EXTRACT_* */
    doppel_norm_stats norm;  /* repairs made while normalizing */
    const uint32_t *sig;     /* num_perm MinHash values */
    const uint32_t *bands;   /* the candidate keys, nkeys of them: one 32-bit hash per
                                LSH band (doppel_featurizer_shape's bands), then in exact
                                mode DOPPEL_REUSE_SLOTS reuse slots */
    uint32_t nkeys;
    uint32_t words_len;      /* words kept for alignment (0 in fast mode): the
                                "longest" canonical key of a document on no copy edge */
} doppel_feature_info;

/* Compute one document's features (extract, normalize, shingle, sketch,
 * band: what doppel_index_add computes) into blob, overwritten; its length
 * is a multiple of 8. info (optional) is filled, its pointers into blob
 * valid until blob changes. Returns DOPPEL_ERR_EMPTY (no words; all
 * boilerplate when info->extract_flags has DOPPEL_EXTRACT_EMPTY) or
 * DOPPEL_ERR_FORMAT (binary data) for a document the index would not add,
 * DOPPEL_ERR_NOMEM. */
doppel_status doppel_features_compute(doppel_featurizer *fz, const char *text, size_t len,
                                      doppel_buf *blob, doppel_feature_info *info,
                                      doppel_error *err);

/* Read a blob's header. DOPPEL_ERR_FORMAT when blob (8-byte aligned, len
 * bytes) was not made by a featurizer of the same num_perm and shape. */
doppel_status doppel_features_read(const doppel_featurizer *fz, const void *blob, size_t len,
                                   doppel_feature_info *info);

/* Verify a candidate pair as doppel_index_finish does: the signature
 * pre-filter (cfg.prefilter_miss), the exact intersection of the sets, then
 * the alignment of the two word sequences and the relation their coverage
 * gives (NEAR, CONTAINED, DERIVED or PARTIAL; docs/relations.md); in fast
 * mode the sketch estimate and doppel_classify. *rel is DOPPEL_REL_NONE
 * when the pair is no edge; only NEAR and CONTAINED (DERIVED too with
 * cfg.join_derived) join clusters. Give a the document that comes first in input order (the
 * alignment is not symmetric). article (optional) receives, for a and b,
 * the words of each that the pair's shared passages cover (0 when not
 * aligned): the "longest" canonical policy measures a document by the most
 * of these over its edges that join clusters (an exact copy counts all its
 * words), or by all its words (info.words_len) when that is 0 or it has no
 * such edge. Uses fz's scratch: one thread at a time.
 * DOPPEL_ERR_FORMAT for a foreign blob, DOPPEL_ERR_NOMEM. */
doppel_status doppel_features_verify(doppel_featurizer *fz, const void *a, size_t a_len,
                                     const void *b, size_t b_len, doppel_similarity *sim,
                                     doppel_relation *rel, uint32_t article[2]);

/* The signature pre-filter apart from verification, so a distributed run
 * can drop candidates before shipping whole blobs: a document's pre-filter
 * record is small (its set_len, then 16-bit prints of its num_perm
 * signature values and, in exact mode, of its reuse slots: 292 bytes at
 * num_perm 128, against ~5 KB for a blob), and doppel_features_prefilter
 * decides on two records exactly as doppel_features_verify's pre-filter
 * decides on the two blobs (the same code, the index's). Records are for
 * featurizers of the same configuration, like blobs. */

/* 32-bit words of one pre-filter record of this featurizer. */
size_t doppel_features_prefilter_words(const doppel_featurizer *fz);

/* Fill record[doppel_features_prefilter_words(fz)] from a blob (8-byte
 * aligned, len bytes). Reads the blob only; any number of threads.
 * DOPPEL_ERR_FORMAT for a foreign blob (record untouched). */
doppel_status doppel_features_prefilter_record(const doppel_featurizer *fz, const void *blob,
                                               size_t len, uint32_t *record);

/* For n candidate pairs, pair i having records a + i * W and b + i * W
 * (W = doppel_features_prefilter_words(fz); a the document first in input
 * order, as for verify): keep[i] = 0 when doppel_features_verify would
 * drop the pair at its pre-filter (no edge, whatever the rest of the
 * blobs), 1 when it goes on to verify it. Returns the number kept. Reads
 * only; any number of threads. */
size_t doppel_features_prefilter(const doppel_featurizer *fz, const uint32_t *a,
                                 const uint32_t *b, size_t n, uint8_t *keep);

/* A cluster member's relation to its canonical and its score, as
 * doppel_index_result reports them: EXACT (same normalized text); else
 * `edge`, when it joins clusters, and LINKED otherwise. edge is the
 * relation doppel_features_verify gave the pair of the first documents of
 * the two texts (the ones that took part in the LSH), DOPPEL_REL_NONE when
 * that pair was not verified (not a candidate, or no edge); fast mode
 * ignores it and applies doppel_classify. The score is the sets' Jaccard,
 * or the containment of the smaller for CONTAINED. DOPPEL_ERR_FORMAT for a
 * foreign blob. */
doppel_status doppel_features_relate(doppel_featurizer *fz, const void *canonical,
                                     size_t canonical_len, const void *doc, size_t doc_len,
                                     doppel_relation edge, doppel_relation *rel, float *score);

#ifdef __cplusplus
}
#endif
#endif /* DOPPEL_H */
