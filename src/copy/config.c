/*
 * config.c — defaults, validation, the LSH shape, and the relation rules
 * that turn a pair's similarity into a verdict.
 */
#include "base/internal.h"

#include <math.h>

void doppel_config_default(doppel_config *cfg) {
    *cfg = (doppel_config){0};
    cfg->shingle_kind = DOPPEL_SHINGLE_WORD;
    cfg->shingle_size = 5;
    cfg->sketch = DOPPEL_SKETCH_OPH;
    cfg->num_perm = 128;
    cfg->seed = 1;
    cfg->threshold = DOPPEL_DEFAULT_THRESHOLD;
    cfg->low_threshold = DOPPEL_DEFAULT_LOW_THRESHOLD;
    cfg->min_shared = DOPPEL_DEFAULT_MIN_SHARED;
    cfg->containment = 0.9;
    cfg->min_contained = DOPPEL_DEFAULT_MIN_CONTAINED;
    cfg->lsh_threshold = 0.0;
    cfg->verify = DOPPEL_VERIFY_EXACT;
    cfg->prefilter_miss = 1e-6;
    cfg->canonical = DOPPEL_CANON_LONGEST;
    cfg->max_bucket = 100;
    cfg->extract = 1;
    cfg->cover = 0.7;
    cfg->contained_cover = 0.9;
    cfg->derived_cover = 0.2;
    cfg->derived_spread = 6;
    cfg->partial_words = 20;
}

doppel_status doppel_config_validate(const doppel_config *cfg, doppel_error *err) {
    if (cfg->shingle_size < 1 || cfg->shingle_size > 64)
        return dp_fail(err, DOPPEL_ERR_ARG, "shingle size %u: must be 1..64", cfg->shingle_size);
    if (cfg->num_perm < 8 || cfg->num_perm > DP_MAX_PERM)
        return dp_fail(err, DOPPEL_ERR_ARG, "num_perm %u: must be 8..%d", cfg->num_perm, DP_MAX_PERM);
    if (!(cfg->threshold > 0.0 && cfg->threshold <= 1.0))
        return dp_fail(err, DOPPEL_ERR_ARG, "threshold %g: must be in (0, 1]", cfg->threshold);
    if (!(cfg->low_threshold > 0.0 && cfg->low_threshold <= 1.0))
        return dp_fail(err, DOPPEL_ERR_ARG, "low threshold %g: must be in (0, 1]", cfg->low_threshold);
    if (!(cfg->containment > 0.0 && cfg->containment <= 1.0))
        return dp_fail(err, DOPPEL_ERR_ARG, "containment %g: must be in (0, 1]", cfg->containment);
    if (!(cfg->lsh_threshold >= 0.0 && cfg->lsh_threshold <= 1.0))
        return dp_fail(err, DOPPEL_ERR_ARG, "LSH threshold %g: must be in [0, 1]", cfg->lsh_threshold);
    if (!(cfg->prefilter_miss >= 0.0 && cfg->prefilter_miss <= 0.5))
        return dp_fail(err, DOPPEL_ERR_ARG, "prefilter miss %g: must be in [0, 0.5]",
                       cfg->prefilter_miss);
    if (!(cfg->cover > 0.0 && cfg->cover <= 1.0) ||
        !(cfg->contained_cover > 0.0 && cfg->contained_cover <= 1.0) ||
        !(cfg->derived_cover > 0.0 && cfg->derived_cover <= 1.0))
        return dp_fail(err, DOPPEL_ERR_ARG, "cover, contained_cover and derived_cover must be in (0, 1]");
    if (cfg->derived_spread > 10)
        return dp_fail(err, DOPPEL_ERR_ARG, "derived_spread %u: at most 10", cfg->derived_spread);
    if ((cfg->bands == 0) != (cfg->rows == 0))
        return dp_fail(err, DOPPEL_ERR_ARG, "bands and rows must be set together");
    if (cfg->bands && (uint64_t)cfg->bands * cfg->rows > cfg->num_perm)
        return dp_fail(err, DOPPEL_ERR_ARG, "bands x rows = %u x %u exceeds num_perm %u",
                       cfg->bands, cfg->rows, cfg->num_perm);
    if (cfg->threads > DP_MAX_THREADS)
        return dp_fail(err, DOPPEL_ERR_ARG, "threads %u: at most %d", cfg->threads, DP_MAX_THREADS);
    if (cfg->max_bucket < 2)
        return dp_fail(err, DOPPEL_ERR_ARG, "max_bucket %u: must be at least 2", cfg->max_bucket);
    if (cfg->canonical > DOPPEL_CANON_EARLIEST || cfg->verify > DOPPEL_VERIFY_FAST ||
        cfg->sketch > DOPPEL_SKETCH_CLASSIC || cfg->shingle_kind > DOPPEL_SHINGLE_CHAR)
        return dp_fail(err, DOPPEL_ERR_ARG, "unknown enumeration value in configuration");
    return DOPPEL_OK;
}

double doppel_lsh_probability(double s, unsigned bands, unsigned rows) {
    return 1.0 - pow(1.0 - pow(s, rows), bands);
}

/* Integral of f over [a, b] by the midpoint rule; the curves are smooth. */
static double integrate(double a, double b, unsigned bands, unsigned rows, int miss) {
    const int steps = 64;
    double h = (b - a) / steps, sum = 0.0;
    for (int i = 0; i < steps; i++) {
        double p = doppel_lsh_probability(a + (i + 0.5) * h, bands, rows);
        sum += miss ? 1.0 - p : p;
    }
    return sum * h;
}

void doppel_lsh_optimal_shape(double threshold, unsigned num_perm, unsigned *bands,
                              unsigned *rows) {
    double best = INFINITY;
    *bands = 1;
    *rows = num_perm;
    for (unsigned b = 1; b <= num_perm; b++) {
        for (unsigned r = 1; b * r <= num_perm; r++) {
            double fp = integrate(0.0, threshold, b, r, 0);
            double fn = integrate(threshold, 1.0, b, r, 1);
            /* Strictly better only: among equals keep fewer bands (less memory). */
            if (fp + fn < best - 1e-12) {
                best = fp + fn;
                *bands = b;
                *rows = r;
            }
        }
    }
}

double dp_lsh_threshold(const doppel_config *cfg) {
    if (cfg->lsh_threshold > 0.0) return cfg->lsh_threshold;
    /* Shape the LSH for a level somewhat below the lowest Jaccard that can
     * make a copy: the FP+FN optimum puts the S-curve's midpoint at its
     * threshold, and a pair at the threshold itself should be found. */
    return DOPPEL_LSH_MARGIN * DP_MIN(cfg->threshold, cfg->low_threshold);
}

const char *doppel_relation_name(doppel_relation rel) {
    switch (rel) {
    case DOPPEL_REL_CANONICAL: return "canonical";
    case DOPPEL_REL_EXACT: return "exact";
    case DOPPEL_REL_NEAR: return "near";
    case DOPPEL_REL_CONTAINED: return "contained";
    case DOPPEL_REL_LINKED: return "linked";
    case DOPPEL_REL_DERIVED: return "derived";
    case DOPPEL_REL_PARTIAL: return "partial";
    default: return "none";
    }
}

doppel_relation doppel_classify(const doppel_config *cfg, const doppel_similarity *sim,
                                size_t size_a, size_t size_b) {
    if (sim->jaccard >= cfg->threshold) return DOPPEL_REL_NEAR;
    size_t smaller = DP_MIN(size_a, size_b);
    double inside = size_a <= size_b ? sim->a_in_b : sim->b_in_a;
    if (smaller >= cfg->min_contained && inside >= cfg->containment) return DOPPEL_REL_CONTAINED;
    /* Edited reprints of long texts: many shared shingles, a low ratio. */
    if (sim->jaccard >= cfg->low_threshold && sim->shared >= cfg->min_shared)
        return DOPPEL_REL_NEAR;
    return DOPPEL_REL_NONE;
}
