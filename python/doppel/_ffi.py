"""The C declarations doppel's Python package uses, and the loaded library.

ABI mode: cffi reads the declarations below (copied from include/doppel.h)
and opens libdoppel.so with dlopen, so importing needs no compiler. Every
struct is declared whole and in order, because in ABI mode cffi lays structs
out from these declarations; python/tests/test_layout.py compiles a probe
against the real header and fails when a size or offset differs.

cffi releases the GIL during every call into the library, so threads of one
Python process can run doppel calls (features, extraction, finish) at once.

The library is found, in order: $DOPPEL_LIBRARY (a path to libdoppel.so);
the path recorded by `make install` (_libpath.py); build/libdoppel.so of the
checkout this package sits in (PYTHONPATH=python after `make`); the
system's loader ("libdoppel.so.0").
"""
import os

import cffi

CDEF = r"""
typedef enum doppel_status {
    DOPPEL_OK = 0, DOPPEL_END = 1, DOPPEL_ERR_NOMEM = -1, DOPPEL_ERR_IO = -2,
    DOPPEL_ERR_ARG = -3, DOPPEL_ERR_JSON = -4, DOPPEL_ERR_FIELD = -5,
    DOPPEL_ERR_TOO_LARGE = -6, DOPPEL_ERR_EMPTY = -7, DOPPEL_ERR_FORMAT = -8,
    DOPPEL_ERR_STATE = -9, DOPPEL_ERR_LIMIT = -10
} doppel_status;
typedef struct doppel_error { int code; char message[512]; } doppel_error;
const char *doppel_strerror(int code);
typedef struct doppel_buf { char *data; size_t len, cap; } doppel_buf;
void doppel_buf_free(doppel_buf *buf);

typedef enum doppel_input_format {
    DOPPEL_INPUT_AUTO = 0, DOPPEL_INPUT_JSONL = 1, DOPPEL_INPUT_TEXT = 2, DOPPEL_INPUT_CSV = 3,
    DOPPEL_INPUT_TSV = 4
} doppel_input_format;
typedef struct doppel_reader_options {
    const char *id_field; const char *text_field; const char *title_field;
    const char *date_field; size_t max_doc_bytes; doppel_input_format format;
} doppel_reader_options;
void doppel_reader_options_default(doppel_reader_options *opt);
typedef struct doppel_record {
    const char *id; size_t id_len; const char *text; size_t text_len;
    const char *title; const char *date; const char *raw; size_t raw_len;
    const char *source; uint64_t line; uint64_t invalid_utf8; int id_from_position;
    const char *fields_present; const char *text_field_guess;
} doppel_record;
typedef struct doppel_reader doppel_reader;
doppel_status doppel_reader_open(const char *path, const doppel_reader_options *opt,
                                 doppel_reader **out, doppel_error *err);
doppel_status doppel_reader_next(doppel_reader *r, doppel_record *rec, doppel_error *err);
void doppel_reader_free(doppel_reader *r);
int doppel_parse_date(const char *text, int64_t *seconds);

typedef enum doppel_extract_format {
    DOPPEL_FORMAT_AUTO = 0, DOPPEL_FORMAT_TEXT = 1, DOPPEL_FORMAT_MARKDOWN = 2,
    DOPPEL_FORMAT_HTML = 3
} doppel_extract_format;
const char *doppel_extract_format_name(doppel_extract_format f);
typedef int doppel_drop_reason;
const char *doppel_drop_reason_name(doppel_drop_reason r);
typedef struct doppel_boiler_counter doppel_boiler_counter;
typedef struct doppel_extract_options {
    doppel_extract_format format; int front_matter; int boilerplate; int explain;
    const doppel_boiler_counter *corpus;
    unsigned length_low; unsigned length_high; double stopwords_low; double stopwords_high;
    double max_link_density; unsigned max_heading_distance;
} doppel_extract_options;
void doppel_extract_options_default(doppel_extract_options *opt);
typedef struct doppel_dropped_line {
    uint32_t line; doppel_drop_reason reason; const char *text; size_t len;
} doppel_dropped_line;
typedef struct doppel_extract_result {
    const char *text; size_t text_len; const char *title; const char *date;
    const char *description; const char *url; doppel_extract_format format;
    unsigned flags; size_t lines_kept, lines_dropped;
    const doppel_dropped_line *dropped; size_t num_dropped;
} doppel_extract_result;
typedef struct doppel_extractor doppel_extractor;
doppel_status doppel_extractor_new(doppel_extractor **out, doppel_error *err);
void doppel_extractor_free(doppel_extractor *ex);
doppel_status doppel_extract(doppel_extractor *ex, const char *raw, size_t len,
                             const doppel_extract_options *opt,
                             doppel_extract_result *out, doppel_error *err);

typedef enum doppel_shingle_kind { DOPPEL_SHINGLE_WORD = 0, DOPPEL_SHINGLE_CHAR = 1 } doppel_shingle_kind;
typedef enum doppel_sketch_kind { DOPPEL_SKETCH_OPH = 0, DOPPEL_SKETCH_CLASSIC = 1 } doppel_sketch_kind;
typedef enum doppel_verify_mode { DOPPEL_VERIFY_EXACT = 0, DOPPEL_VERIFY_FAST = 1 } doppel_verify_mode;
typedef enum doppel_canonical_policy {
    DOPPEL_CANON_LONGEST = 0, DOPPEL_CANON_FIRST = 1, DOPPEL_CANON_EARLIEST = 2
} doppel_canonical_policy;
typedef struct doppel_config {
    doppel_shingle_kind shingle_kind; unsigned shingle_size; doppel_sketch_kind sketch;
    unsigned num_perm; uint64_t seed; double threshold; double low_threshold;
    unsigned min_shared; double containment; unsigned min_contained; double lsh_threshold;
    unsigned bands, rows; doppel_verify_mode verify; doppel_canonical_policy canonical;
    unsigned max_bucket; const char *tmp_dir; unsigned threads; int extract;
    double prefilter_miss; uint64_t memory_limit;
    const struct doppel_extract_options *extract_options;
    double cover; double contained_cover; double derived_cover; unsigned derived_spread;
    unsigned partial_words; int join_derived;
} doppel_config;
void doppel_config_default(doppel_config *cfg);
unsigned doppel_available_cores(void);
uint64_t doppel_available_memory(void);
doppel_status doppel_config_validate(const doppel_config *cfg, doppel_error *err);
void doppel_lsh_optimal_shape(double threshold, unsigned num_perm, unsigned *bands, unsigned *rows);

typedef struct doppel_norm_stats { uint64_t invalid_utf8; uint64_t nul_bytes; } doppel_norm_stats;
doppel_status doppel_normalize(const char *text, size_t len, doppel_buf *out,
                               doppel_norm_stats *stats);
typedef struct doppel_hashes { uint64_t *v; size_t len, cap; } doppel_hashes;
void doppel_hashes_free(doppel_hashes *h);
doppel_status doppel_shingle(const char *norm, size_t len, doppel_shingle_kind kind,
                             unsigned n, uint64_t seed, doppel_hashes *out);
void doppel_hashes_make_set(doppel_hashes *h);
void doppel_minhash(doppel_sketch_kind kind, const uint64_t *hashes, size_t count,
                    uint64_t seed, unsigned num_perm, uint32_t *sig);
double doppel_minhash_jaccard(const uint32_t *a, const uint32_t *b, unsigned num_perm);

typedef enum doppel_relation {
    DOPPEL_REL_NONE = 0, DOPPEL_REL_CANONICAL = 1, DOPPEL_REL_EXACT = 2,
    DOPPEL_REL_NEAR = 3, DOPPEL_REL_CONTAINED = 4, DOPPEL_REL_LINKED = 5,
    DOPPEL_REL_DERIVED = 6, DOPPEL_REL_PARTIAL = 7
} doppel_relation;
const char *doppel_relation_name(doppel_relation rel);
typedef struct doppel_similarity {
    double jaccard; double a_in_b; double b_in_a; uint32_t shared;
} doppel_similarity;
doppel_relation doppel_classify(const doppel_config *cfg, const doppel_similarity *sim,
                                size_t size_a, size_t size_b);
typedef struct doppel_passage {
    size_t a_word; size_t b_word; size_t words; char *text; size_t b_words; size_t matched;
    char *b_text;
} doppel_passage;
typedef struct doppel_comparison {
    doppel_similarity sim; size_t shingles_a, shingles_b; double estimate; int identical;
    doppel_relation relation; size_t num_passages; doppel_passage passages[5];
    double cover_a, cover_b; size_t words_a, words_b; int a_is_source;
} doppel_comparison;
doppel_status doppel_compare(const doppel_config *cfg, const char *a, size_t a_len,
                             const char *b, size_t b_len, doppel_comparison *out,
                             doppel_error *err);
void doppel_comparison_free(doppel_comparison *cmp);

typedef struct doppel_index doppel_index;
typedef struct doppel_add_info {
    uint32_t docnum; int duplicate_id; uint32_t first_docnum; int short_doc;
    doppel_norm_stats norm; unsigned extract_flags;
} doppel_add_info;
doppel_status doppel_index_new(const doppel_config *cfg, doppel_index **out, doppel_error *err);
void doppel_index_free(doppel_index *idx);
doppel_status doppel_index_add(doppel_index *idx, const char *id, size_t id_len,
                               const char *text, size_t text_len, int64_t date,
                               doppel_add_info *info, doppel_error *err);
typedef struct doppel_doc_input {
    const char *id; size_t id_len; const char *text; size_t text_len; int64_t date;
} doppel_doc_input;
doppel_status doppel_index_add_batch(doppel_index *idx, const doppel_doc_input *docs, size_t n,
                                     doppel_status *statuses, doppel_add_info *infos,
                                     doppel_error *err);
typedef void (*doppel_progress_fn)(const char *phase, double done, void *user);
doppel_status doppel_index_finish(doppel_index *idx, doppel_progress_fn progress,
                                  void *user, doppel_error *err);
uint32_t doppel_index_count(const doppel_index *idx);
typedef struct doppel_doc_result {
    const char *id; size_t id_len; uint32_t cluster; uint32_t canonical;
    uint32_t cluster_size; doppel_relation relation; double score;
} doppel_doc_result;
doppel_status doppel_index_result(const doppel_index *idx, uint32_t docnum,
                                  doppel_doc_result *out);
typedef struct doppel_pair_passage {
    uint32_t a_word, a_words; uint32_t b_word, b_words; uint32_t matched;
} doppel_pair_passage;
typedef struct doppel_pair {
    uint32_t a, b; doppel_similarity sim; doppel_relation relation; double cover_a, cover_b;
    uint32_t source; size_t num_passages; doppel_pair_passage passages[3];
} doppel_pair;
typedef int (*doppel_pair_fn)(const doppel_pair *pair, void *user);
doppel_status doppel_index_pairs(const doppel_index *idx, doppel_pair_fn fn, void *user);
typedef struct doppel_index_stats {
    uint32_t docs; uint32_t short_docs; uint64_t exact_groups; uint64_t candidates;
    uint64_t prefiltered; uint64_t verified_pairs; uint64_t oversize_buckets;
    unsigned bands, rows; unsigned lsh_slices; uint64_t memory_bytes;
    uint64_t peak_memory_bytes; uint64_t spill_bytes; uint32_t largest_cluster;
    uint64_t reuse_pairs; uint64_t candidate_runs;
} doppel_index_stats;
void doppel_index_get_stats(const doppel_index *idx, doppel_index_stats *out);

typedef struct doppel_featurizer doppel_featurizer;
doppel_status doppel_featurizer_new(const doppel_config *cfg, doppel_featurizer **out,
                                    doppel_error *err);
void doppel_featurizer_free(doppel_featurizer *fz);
void doppel_featurizer_shape(const doppel_featurizer *fz, unsigned *bands, unsigned *rows);
typedef struct doppel_feature_info {
    uint64_t text_hash; uint32_t set_len; int short_doc; int64_t date;
    unsigned extract_flags; doppel_norm_stats norm; const uint32_t *sig;
    const uint32_t *bands; uint32_t nkeys; uint32_t words_len;
} doppel_feature_info;
#define DOPPEL_REUSE_SLOTS 16
#define DOPPEL_REUSE_CAP 20
doppel_status doppel_features_compute(doppel_featurizer *fz, const char *text, size_t len,
                                      doppel_buf *blob, doppel_feature_info *info,
                                      doppel_error *err);
doppel_status doppel_features_read(const doppel_featurizer *fz, const void *blob, size_t len,
                                   doppel_feature_info *info);
doppel_status doppel_features_verify(doppel_featurizer *fz, const void *a, size_t a_len,
                                     const void *b, size_t b_len, doppel_similarity *sim,
                                     doppel_relation *rel, uint32_t article[2]);
size_t doppel_features_prefilter_words(const doppel_featurizer *fz);
doppel_status doppel_features_prefilter_record(const doppel_featurizer *fz, const void *blob,
                                               size_t len, uint32_t *record);
size_t doppel_features_prefilter(const doppel_featurizer *fz, const uint32_t *a,
                                 const uint32_t *b, size_t n, uint8_t *keep);
doppel_status doppel_features_relate(doppel_featurizer *fz, const void *canonical,
                                     size_t canonical_len, const void *doc, size_t doc_len,
                                     doppel_relation edge, doppel_relation *rel, float *score);
"""

# Structs whose layout test_layout.py checks against the real header.
STRUCTS = [
    "doppel_error", "doppel_buf", "doppel_reader_options", "doppel_record",
    "doppel_extract_options", "doppel_dropped_line", "doppel_extract_result",
    "doppel_config", "doppel_norm_stats", "doppel_hashes", "doppel_similarity",
    "doppel_passage", "doppel_comparison", "doppel_add_info", "doppel_doc_input",
    "doppel_doc_result", "doppel_pair_passage", "doppel_pair", "doppel_index_stats",
    "doppel_feature_info",
]

ffi = cffi.FFI()
ffi.cdef(CDEF)

_HERE = os.path.dirname(os.path.abspath(__file__))


def _candidates():
    env = os.environ.get("DOPPEL_LIBRARY")
    if env:
        return [env]
    paths = []
    try:
        from . import _libpath  # written by `make install`
        paths.append(_libpath.LIBRARY)
    except ImportError:
        pass
    paths.append(os.path.join(os.path.dirname(os.path.dirname(_HERE)), "build", "libdoppel.so"))
    paths.append("libdoppel.so.0")
    return paths


def _load():
    errors = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            errors.append("%s: not found" % path)
            continue
        try:
            return ffi.dlopen(path), path
        except OSError as e:
            errors.append("%s: %s" % (path, e))
    raise ImportError("doppel: cannot load libdoppel (run `make` in the checkout, or set "
                      "DOPPEL_LIBRARY to the path of libdoppel.so): " + "; ".join(errors))


lib, LIBRARY_PATH = _load()
