/*
 * fuzz_sketch — shingling, MinHash and doppel_compare on two texts.
 *
 * Input: two option bytes (shingle kind and size, sketch size, sketch kind),
 * then text A, a 0xFF byte (never part of UTF-8), text B.
 *
 * Properties: a non-empty normalized text has at least one shingle; a made
 * set is sorted and unique; a signature compared with itself estimates 1;
 * compare(A, B) and compare(B, A) agree on the set figures with the roles
 * swapped (the alignment walks B over A, as the index does for a pair in
 * input order, so its relation may differ in the other order); every
 * similarity and cover is in [0, 1]; texts whose extracted (when the
 * configuration extracts, as compare does) and normalized forms are equal and
 * non-empty are "identical" with Jaccard 1, and no others are; passages are non-empty, longest first and
 * within both texts; binary data is refused (DOPPEL_ERR_FORMAT, as the
 * index skips it) in either order.
 */
#include <math.h>

#include "fuzz.h"

static doppel_buf na, ea, eb;
static doppel_hashes ha;
static doppel_extractor *ex;

/* What compare compares: the text extracted as the index extracts it (when
 * cfg->extract), then normalized, into out. Non-zero when extraction or
 * normalization fails. */
static int compared_form(const doppel_config *cfg, const char *s, size_t n, doppel_buf *out) {
    if (!cfg->extract) return doppel_normalize(s, n, out, NULL) != DOPPEL_OK;
    if (!ex && doppel_extractor_new(&ex, NULL)) return 1;
    doppel_extract_options opt;
    doppel_extract_options_default(&opt);
    doppel_extract_result r;
    if (doppel_extract(ex, s, n, &opt, &r, NULL)) return 1;
    return doppel_normalize(r.text, r.text_len, out, NULL) != DOPPEL_OK;
}

static int in01(double x) { return x >= 0.0 && x <= 1.0; }

static void check_cmp(const doppel_comparison *c) {
    FUZZ_CHECK(in01(c->sim.jaccard) && in01(c->sim.a_in_b) && in01(c->sim.b_in_a) &&
                   in01(c->estimate),
               "similarity out of range: j %g a_in_b %g b_in_a %g est %g", c->sim.jaccard,
               c->sim.a_in_b, c->sim.b_in_a, c->estimate);
    FUZZ_CHECK(c->sim.shared <= c->shingles_a && c->sim.shared <= c->shingles_b,
               "shared %u > set sizes %zu, %zu", c->sim.shared, c->shingles_a, c->shingles_b);
    FUZZ_CHECK(c->num_passages <= DOPPEL_MAX_PASSAGES, "%zu passages", c->num_passages);
    FUZZ_CHECK(in01(c->cover_a) && in01(c->cover_b), "cover out of range: %g %g", c->cover_a,
               c->cover_b);
    for (size_t i = 0; i < c->num_passages; i++) {
        const doppel_passage *p = &c->passages[i];
        FUZZ_CHECK(p->words > 0 && p->text && p->b_text, "empty passage %zu", i);
        FUZZ_CHECK(p->matched <= p->words && p->matched <= p->b_words, "passage %zu matched", i);
        FUZZ_CHECK(p->a_word + p->words <= c->words_a && p->b_word + p->b_words <= c->words_b,
                   "passage %zu outside the texts", i);
        if (i) FUZZ_CHECK(p->matched <= c->passages[i - 1].matched, "passages not sorted");
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    fuzz_in in = {data, size};
    unsigned o1 = fuzz_byte(&in), o2 = fuzz_byte(&in);
    doppel_config cfg;
    doppel_config_default(&cfg);
    cfg.shingle_kind = o1 & 1 ? DOPPEL_SHINGLE_CHAR : DOPPEL_SHINGLE_WORD;
    cfg.shingle_size = 1 + (o1 >> 1 & 7);
    cfg.sketch = o1 & 0x10 ? DOPPEL_SKETCH_CLASSIC : DOPPEL_SKETCH_OPH;
    cfg.verify = o1 & 0x20 ? DOPPEL_VERIFY_FAST : DOPPEL_VERIFY_EXACT;
    cfg.num_perm = 8 + (o2 & 0x7F);  /* 8..135: odd sizes too */
    cfg.seed = o2 >> 7;
    cfg.bands = cfg.rows = 0;
    cfg.lsh_threshold = 0;
    if (doppel_config_validate(&cfg, NULL)) return 0;

    const char *a = (const char *)in.p, *sep = memchr(in.p, 0xFF, in.n);
    size_t alen = sep ? (size_t)(sep - a) : in.n;
    const char *b = sep ? sep + 1 : a + alen;
    size_t blen = sep ? in.n - alen - 1 : 0;

    /* the building blocks on A */
    if (doppel_normalize(a, alen, &na, NULL)) return 0;
    if (doppel_shingle(na.data, na.len, cfg.shingle_kind, cfg.shingle_size, cfg.seed, &ha))
        return 0;
    FUZZ_CHECK((na.len == 0) == (ha.len == 0), "%zu normalized bytes gave %zu shingles", na.len,
               ha.len);
    doppel_hashes_make_set(&ha);
    for (size_t i = 1; i < ha.len; i++)
        FUZZ_CHECK(ha.v[i - 1] < ha.v[i], "set not sorted and unique at %zu", i);
    if (ha.len) {
        uint32_t *sig = malloc(cfg.num_perm * sizeof *sig);
        if (!sig) return 0;
        doppel_minhash(cfg.sketch, ha.v, ha.len, cfg.seed, cfg.num_perm, sig);
        FUZZ_CHECK(doppel_minhash_jaccard(sig, sig, cfg.num_perm) == 1.0, "self estimate != 1");
        free(sig);
    }

    doppel_comparison ab, ba;
    doppel_error err;
    doppel_status rc = doppel_compare(&cfg, a, alen, b, blen, &ab, &err);
    if (rc == DOPPEL_ERR_NOMEM) return 0;
    if (rc == DOPPEL_ERR_FORMAT) {
        /* extraction (as in the index) refuses binary data, in either order */
        rc = doppel_compare(&cfg, b, blen, a, alen, &ba, &err);
        FUZZ_CHECK(rc == DOPPEL_ERR_FORMAT || rc == DOPPEL_ERR_NOMEM,
                   "compare(B, A) gave %d where compare(A, B) found binary data", (int)rc);
        return 0;
    }
    FUZZ_CHECK(rc == DOPPEL_OK, "compare: %s", err.message);
    check_cmp(&ab);
    rc = doppel_compare(&cfg, b, blen, a, alen, &ba, &err);
    FUZZ_CHECK(rc == DOPPEL_OK, "compare(B, A) failed where compare(A, B) did not: %s",
               err.message);
    check_cmp(&ba);
    FUZZ_CHECK(ab.sim.jaccard == ba.sim.jaccard && ab.sim.a_in_b == ba.sim.b_in_a &&
                   ab.sim.b_in_a == ba.sim.a_in_b && ab.sim.shared == ba.sim.shared &&
                   ab.identical == ba.identical &&
                   (ab.relation == DOPPEL_REL_EXACT) == (ba.relation == DOPPEL_REL_EXACT),
               "compare not symmetric: j %g/%g rel %d/%d", ab.sim.jaccard, ba.sim.jaccard,
               (int)ab.relation, (int)ba.relation);
    if (!compared_form(&cfg, a, alen, &ea) && !compared_form(&cfg, b, blen, &eb)) {
        /* two empty texts are not "identical": there is nothing to be a copy of */
        int same = ea.len && ea.len == eb.len && !memcmp(ea.data, eb.data, ea.len);
        FUZZ_CHECK(ab.identical == same, "identical %d, normalized texts %s", ab.identical,
                   same ? "equal" : "differ");
        if (same) FUZZ_CHECK(ab.sim.jaccard == 1.0 && ab.relation == DOPPEL_REL_EXACT,
                             "identical texts: jaccard %g relation %d", ab.sim.jaccard,
                             (int)ab.relation);
    }
    doppel_comparison_free(&ab);
    doppel_comparison_free(&ba);
    return 0;
}
