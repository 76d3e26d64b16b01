/* test_features_api.c — the features-as-blobs API (src/copy/features_api.c)
 * decides as the index does: every pair the index verified gets the same
 * relation from doppel_features_verify, every candidate-free pair of a
 * realistic corpus's copies is judged the same way, and every document's
 * relation and score to its canonical come out of doppel_features_relate
 * (given the verified edge between the two texts) as doppel_index_result
 * reports them. Foreign or misaligned blobs are refused. */
#include "testutil.h"

#define NDOCS 300

typedef struct {
    doppel_index *idx;
    doppel_featurizer *fz;
    doppel_buf blob[NDOCS];
    int ok[NDOCS];
    uint32_t docnum_of[NDOCS];  /* synth number -> index docnum */
    uint32_t synth_of[NDOCS];   /* index docnum -> synth number */
    uint64_t text_hash[NDOCS];  /* by docnum */
    uint8_t edge[NDOCS][NDOCS]; /* by docnum a < b: the index's verified relation */
    unsigned n;
} corpus;

static int emit(const doppel_synth_doc *d, void *user) {
    corpus *c = user;
    unsigned i = (unsigned)d->number;
    doppel_feature_info info;
    doppel_status st = doppel_features_compute(c->fz, d->text, d->text_len, &c->blob[i], &info, NULL);
    doppel_add_info ai;
    doppel_status st2 = doppel_index_add(c->idx, d->id, strlen(d->id), d->text, d->text_len,
                                         DOPPEL_NO_DATE, &ai, NULL);
    assert_int_equal(st == DOPPEL_OK, st2 == DOPPEL_OK);  /* same documents skipped */
    c->ok[i] = st == DOPPEL_OK;
    if (c->ok[i]) {
        assert_true(c->blob[i].len % 8 == 0);
        c->docnum_of[i] = ai.docnum;
        c->synth_of[ai.docnum] = i;
        c->text_hash[ai.docnum] = info.text_hash;
    }
    c->n++;
    return 0;
}

typedef struct {
    corpus *c;
    unsigned checked, kinds;
} pair_ctx;

/* The first document with d's text (the one the index verified). */
static uint32_t first_of_text(const corpus *c, uint32_t d) {
    for (uint32_t x = 0; x < d; x++)
        if (c->text_hash[x] == c->text_hash[d]) return x;
    return d;
}

static int check_pair(const doppel_pair *p, void *user) {
    pair_ctx *pc = user;
    corpus *c = pc->c;
    c->edge[p->a][p->b] = (uint8_t)p->relation;
    if (p->relation == DOPPEL_REL_EXACT) return 0;  /* decided by text hash, not verify */
    const doppel_buf *a = &c->blob[c->synth_of[p->a]], *b = &c->blob[c->synth_of[p->b]];
    doppel_similarity sim;
    doppel_relation rel;
    uint32_t article[2];
    assert_int_equal(doppel_features_verify(c->fz, a->data, a->len, b->data, b->len, &sim, &rel,
                                            article), DOPPEL_OK);
    /* the words the pair's passages cover, as the edge's covers give them */
    doppel_feature_info ia, ib;
    doppel_features_read(c->fz, a->data, a->len, &ia);
    doppel_features_read(c->fz, b->data, b->len, &ib);
    assert_int_equal(article[0], (uint32_t)((float)p->cover_a * (float)ia.words_len + 0.5f));
    assert_int_equal(article[1], (uint32_t)((float)p->cover_b * (float)ib.words_len + 0.5f));
    assert_int_equal(rel, p->relation);
    assert_int_equal(sim.shared, p->sim.shared);
    /* a pair the index verified got past its pre-filter: so do the records */
    uint32_t ra[128], rb[128];
    uint8_t keep = 0;
    assert_true(doppel_features_prefilter_words(c->fz) <= 128);
    assert_int_equal(doppel_features_prefilter_record(c->fz, a->data, a->len, ra), DOPPEL_OK);
    assert_int_equal(doppel_features_prefilter_record(c->fz, b->data, b->len, rb), DOPPEL_OK);
    assert_int_equal(doppel_features_prefilter(c->fz, ra, rb, 1, &keep), 1);
    assert_int_equal(keep, 1);
    pc->checked++;
    pc->kinds |= 1u << p->relation;
    return 0;
}

static void blobs_decide_as_the_index(void **state) {
    (void)state;
    corpus *c = calloc(1, sizeof *c);
    doppel_config cfg;
    doppel_config_default(&cfg);
    cfg.threads = 1;
    assert_int_equal(doppel_index_new(&cfg, &c->idx, NULL), DOPPEL_OK);
    assert_int_equal(doppel_featurizer_new(&cfg, &c->fz, NULL), DOPPEL_OK);
    unsigned bands, rows;
    doppel_featurizer_shape(c->fz, &bands, &rows);
    doppel_index_stats s;
    doppel_index_get_stats(c->idx, &s);
    assert_int_equal(bands, s.bands);
    assert_int_equal(rows, s.rows);
    doppel_synth_options so;
    doppel_synth_options_realistic(&so);
    so.count = NDOCS;
    so.seed = 5;
    so.mean_words = 200;
    assert_int_equal(doppel_synth_generate(&so, emit, c, NULL), DOPPEL_OK);
    assert_int_equal(doppel_index_finish(c->idx, NULL, NULL, NULL), DOPPEL_OK);

    pair_ctx pc = {c, 0, 0};
    doppel_index_pairs(c->idx, check_pair, &pc);
    assert_true(pc.checked > 20);  /* the corpus has copies of every kind */
    assert_true(pc.kinds & 1u << DOPPEL_REL_NEAR);
    assert_true(pc.kinds & 1u << DOPPEL_REL_CONTAINED);
    assert_true(pc.kinds & 1u << DOPPEL_REL_PARTIAL);

    unsigned related = 0;
    for (uint32_t d = 0; d < doppel_index_count(c->idx); d++) {
        doppel_doc_result r;
        doppel_index_result(c->idx, d, &r);
        if (r.canonical == d) continue;
        const doppel_buf *cb = &c->blob[c->synth_of[r.canonical]], *db = &c->blob[c->synth_of[d]];
        uint32_t x = first_of_text(c, r.canonical), y = first_of_text(c, d);
        doppel_relation edge = x < y ? c->edge[x][y] : c->edge[y][x];
        doppel_relation rel;
        float score;
        assert_int_equal(doppel_features_relate(c->fz, cb->data, cb->len, db->data, db->len, edge,
                                                &rel, &score), DOPPEL_OK);
        assert_int_equal(rel, r.relation);
        assert_true(score == (float)r.score);
        related++;
    }
    assert_true(related > 20);

    /* the pre-filter on records drops what verify drops at once (no edge,
     * no similarity computed), and most pairs of unrelated documents */
    enum { M = 120 };
    size_t w = doppel_features_prefilter_words(c->fz);
    uint32_t *rec = calloc((size_t)M * w, sizeof *rec);
    unsigned m = 0;
    for (unsigned i = 0; i < NDOCS && m < M; i++)
        if (c->ok[i])
            assert_int_equal(doppel_features_prefilter_record(c->fz, c->blob[i].data,
                                                              c->blob[i].len, rec + m++ * w),
                             DOPPEL_OK);
    uint32_t *pa = malloc((size_t)M * M * w * sizeof *pa), *pb = malloc((size_t)M * M * w * sizeof *pb);
    uint8_t *keep = malloc((size_t)M * M);
    size_t np = 0;
    for (unsigned i = 0; i < m; i++)
        for (unsigned j = i + 1; j < m; j++, np++) {
            memcpy(pa + np * w, rec + i * w, w * sizeof *rec);
            memcpy(pb + np * w, rec + j * w, w * sizeof *rec);
        }
    size_t kept = doppel_features_prefilter(c->fz, pa, pb, np, keep);
    assert_true(kept < np / 2);
    size_t counted = 0;
    np = 0;
    for (unsigned i = 0, x = 0; x < m; i++) {
        if (!c->ok[i]) continue;
        for (unsigned j = i + 1, y = x + 1; y < m; j++) {
            if (!c->ok[j]) continue;
            doppel_similarity sim;
            doppel_relation rel;
            assert_int_equal(doppel_features_verify(c->fz, c->blob[i].data, c->blob[i].len,
                                                    c->blob[j].data, c->blob[j].len, &sim, &rel,
                                                    NULL), DOPPEL_OK);
            if (!keep[np]) {
                assert_int_equal(rel, DOPPEL_REL_NONE);
                assert_int_equal(sim.shared, 0);
            }
            counted += keep[np];
            np++;
            y++;
        }
        x++;
    }
    assert_int_equal(counted, kept);
    free(pa);
    free(pb);
    free(keep);
    free(rec);

    /* info read back from a blob; foreign and misaligned blobs refused */
    doppel_feature_info info;
    const doppel_buf *b0 = &c->blob[0];
    assert_int_equal(doppel_features_read(c->fz, b0->data, b0->len, &info), DOPPEL_OK);
    assert_true(info.set_len > 0 && info.bands != NULL && info.sig != NULL);
    assert_int_equal(doppel_features_read(c->fz, b0->data, b0->len - 8, &info), DOPPEL_ERR_FORMAT);
    uint32_t r0[128];
    assert_int_equal(doppel_features_prefilter_record(c->fz, b0->data, b0->len - 8, r0),
                     DOPPEL_ERR_FORMAT);
    char *shifted = malloc(b0->len + 8);
    memcpy(shifted + 4, b0->data, b0->len);
    assert_int_equal(doppel_features_read(c->fz, shifted + 4, b0->len, &info), DOPPEL_ERR_FORMAT);
    free(shifted);
    doppel_featurizer *other;
    cfg.num_perm = 64;
    assert_int_equal(doppel_featurizer_new(&cfg, &other, NULL), DOPPEL_OK);
    doppel_similarity sim;
    doppel_relation rel;
    assert_int_equal(doppel_features_verify(other, b0->data, b0->len, b0->data, b0->len, &sim, &rel,
                                            NULL), DOPPEL_ERR_FORMAT);
    doppel_featurizer_free(other);

    /* a document with no words is refused as the index refuses it */
    doppel_buf empty = {0};
    doppel_error err;
    assert_int_equal(doppel_features_compute(c->fz, " ... ", 5, &empty, NULL, &err), DOPPEL_ERR_EMPTY);
    assert_non_null(strstr(err.message, "no words"));
    doppel_buf_free(&empty);

    for (unsigned i = 0; i < NDOCS; i++) doppel_buf_free(&c->blob[i]);
    doppel_featurizer_free(c->fz);
    doppel_index_free(c->idx);
    free(c);
}

static void bad_config_refused(void **state) {
    (void)state;
    doppel_config cfg;
    doppel_config_default(&cfg);
    cfg.num_perm = 3;
    doppel_featurizer *fz = (doppel_featurizer *)&cfg;
    doppel_error err;
    assert_int_equal(doppel_featurizer_new(&cfg, &fz, &err), DOPPEL_ERR_ARG);
    assert_null(fz);
    assert_non_null(strstr(err.message, "num_perm"));
    doppel_featurizer_free(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(blobs_decide_as_the_index),
        cmocka_unit_test(bad_config_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
