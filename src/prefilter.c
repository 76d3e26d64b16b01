/*
 * prefilter.c — the signature pre-filter of LSH candidates (see prefilter.h).
 *
 * A MinHash position agrees with probability J, so the agreements of a pair
 * at Jaccard J are close to Binomial(k, J). For the one-permutation sketch
 * with at least k shingles per set they spread less than that (measured:
 * variance 0.77-0.86 of the binomial's for 128 to 512 shingles), so the
 * binomial's lower tail is a safe bound. A pair is dropped when its
 * agreements fall in the tail of mass prefilter_miss below the pair's
 * Jaccard floor: the least Jaccard any acceptance rule allows for its set
 * sizes. 16-bit prints agree by chance once in 65,536 positions, which
 * only ever adds agreements, so it can keep a pair, never drop one.
 */
#include "prefilter.h"

#include <math.h>

double dp_jaccard_floor(const doppel_config *cfg, size_t na, size_t nb) {
    double floor = cfg->threshold;
    double small = (double)DP_MIN(na, nb), large = (double)DP_MAX(na, nb);
    /* contained: shared >= c * small, and J = shared / (small + large - shared)
     * rises with shared */
    if (small >= cfg->min_contained && small > 0) {
        double c = cfg->containment;
        double j = c * small / (small + large - c * small);
        if (j < floor) floor = j;
    }
    /* edited reprints: J >= low and shared >= min_shared, where
     * shared = J (na + nb) / (1 + J) */
    if (small >= cfg->min_shared) {
        double total = small + large, ms = cfg->min_shared;
        double j = total > ms ? ms / (total - ms) : 1.0;
        if (j < cfg->low_threshold) j = cfg->low_threshold;
        if (j < floor) floor = j;
    }
    return floor;
}

/* P(X <= m) for X ~ Binomial(k, p), summed in logs: (1-p)^k underflows for
 * the k and p used here. */
static double binomial_cdf(unsigned k, double p, unsigned m) {
    if (p <= 0.0) return 1.0;
    if (p >= 1.0) return m >= k ? 1.0 : 0.0;
    double sum = 0.0, lp = log(p), lq = log1p(-p), lk = lgamma((double)k + 1.0);
    for (unsigned i = 0; i <= m && i <= k; i++)
        sum += exp(lk - lgamma((double)i + 1.0) - lgamma((double)(k - i) + 1.0) + i * lp +
                   (double)(k - i) * lq);
    return sum;
}

void dp_prefilter_init(dp_prefilter *pf, const doppel_config *cfg) {
    pf->cfg = cfg;
    pf->k = cfg->num_perm;
    pf->active = cfg->verify == DOPPEL_VERIFY_EXACT && cfg->prefilter_miss > 0.0;
    for (unsigned q = 0; q <= DP_FLOOR_STEPS; q++) {
        double p = (double)q / DP_FLOOR_STEPS;
        unsigned need = 0;
        /* need rises with p: start from the previous step's */
        if (q) need = pf->need[q - 1];
        while (pf->active && need < pf->k && binomial_cdf(pf->k, p, need) <= cfg->prefilter_miss)
            need++;
        pf->need[q] = (uint16_t)need;
    }
}

void dp_prints_pack(const uint32_t *sig, unsigned k, uint32_t *prints) {
    for (unsigned w = 0; w < dp_prints_words(k); w++) {
        uint32_t lo = sig[2 * w] & 0xffffu;
        uint32_t hi = 2 * w + 1 < k ? sig[2 * w + 1] & 0xffffu : 0;
        prints[w] = lo | hi << 16;
    }
}

unsigned dp_prints_matches(const uint32_t *pa, const uint32_t *pb, unsigned k) {
    unsigned words = dp_prints_words(k), matches = 0;
    for (unsigned w = 0; w < words; w++) {
        uint32_t x = pa[w] ^ pb[w];
        matches += (x & 0xffffu) == 0;
        matches += (x >> 16) == 0;
    }
    /* an odd k pads the last word's upper half with zeros on both sides */
    return matches - (k & 1);
}

int dp_prefilter_rejects(const dp_prefilter *pf, size_t na, size_t nb, unsigned matches) {
    if (!dp_prefilter_applies(pf, na, nb)) return 0;
    double floor = dp_jaccard_floor(pf->cfg, na, nb);
    if (floor > 1.0) floor = 1.0;
    if (floor < 0.0) floor = 0.0;
    unsigned q = (unsigned)(floor * DP_FLOOR_STEPS); /* rounded down: never stricter */
    return matches < pf->need[q];
}
