/*
 * fuzz_index — the index end to end: add, finish, results, pairs.
 *
 * Input: four option bytes (shingle kind/size, sketch size, verification,
 * canonical policy, bucket cap, thresholds), then documents separated by
 * '\n'. A document "ID\tTEXT" has that id (ids repeat and may be empty);
 * otherwise its number is its id. A document whose first byte is '@' gets
 * a date from its second byte, so the "earliest" policy sees ties and
 * undated documents.
 *
 * Properties: every document with words is added (unless it is binary
 * data, DOPPEL_ERR_FORMAT) and none without; cluster
 * numbers are dense and numbered in order of first member; a document's
 * canonical is in its cluster and is its own canonical; cluster_size counts
 * the members; a cluster of more than one has exactly one CANONICAL;
 * documents with the same normalized text share a cluster; every pair
 * (a < b, in order) joins two documents of one cluster with a copy relation
 * and similarities in [0, 1].
 */
#include "fuzz.h"

#define MAX_DOCS 512

typedef struct pair_check {
    const doppel_index *idx;
    uint32_t last_a, last_b;
    size_t seen;
} pair_check;

static int in01(double x) { return x >= 0.0 && x <= 1.0; }

static int on_pair(const doppel_pair *p, void *user) {
    pair_check *pc = user;
    FUZZ_CHECK(p->a < p->b, "pair (%u, %u) not ordered", p->a, p->b);
    if (pc->seen)
        FUZZ_CHECK(p->a > pc->last_a || (p->a == pc->last_a && p->b > pc->last_b),
                   "pair (%u, %u) after (%u, %u)", p->a, p->b, pc->last_a, pc->last_b);
    pc->last_a = p->a;
    pc->last_b = p->b;
    pc->seen++;
    int copy = p->relation == DOPPEL_REL_EXACT || p->relation == DOPPEL_REL_NEAR ||
               p->relation == DOPPEL_REL_CONTAINED;
    FUZZ_CHECK(copy || p->relation == DOPPEL_REL_DERIVED || p->relation == DOPPEL_REL_PARTIAL,
               "pair relation %d", (int)p->relation);
    FUZZ_CHECK(in01(p->sim.jaccard) && in01(p->sim.a_in_b) && in01(p->sim.b_in_a) &&
                   in01(p->cover_a) && in01(p->cover_b),
               "pair similarity out of range");
    FUZZ_CHECK(p->source == p->a || p->source == p->b, "pair source %u", p->source);
    doppel_doc_result ra, rb;
    FUZZ_CHECK(!doppel_index_result(pc->idx, p->a, &ra) && !doppel_index_result(pc->idx, p->b, &rb),
               "pair names a document the index does not have");
    /* copies join clusters; derived and partial pairs need not (join_derived is off) */
    if (copy)
        FUZZ_CHECK(ra.cluster == rb.cluster, "pair (%u, %u) across clusters %u and %u", p->a,
                   p->b, ra.cluster, rb.cluster);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    fuzz_in in = {data, size};
    unsigned o1 = fuzz_byte(&in), o2 = fuzz_byte(&in), o3 = fuzz_byte(&in), o4 = fuzz_byte(&in);
    doppel_config cfg;
    doppel_config_default(&cfg);
    cfg.shingle_kind = o1 & 1 ? DOPPEL_SHINGLE_CHAR : DOPPEL_SHINGLE_WORD;
    cfg.shingle_size = 1 + (o1 >> 1 & 7);
    cfg.sketch = o1 & 0x10 ? DOPPEL_SKETCH_CLASSIC : DOPPEL_SKETCH_OPH;
    cfg.verify = o1 & 0x20 ? DOPPEL_VERIFY_FAST : DOPPEL_VERIFY_EXACT;
    cfg.canonical = (doppel_canonical_policy)((o1 >> 6) % 3);
    cfg.num_perm = 8 + (o2 & 0x3F);
    cfg.max_bucket = 2 + (o2 >> 6) * 3;  /* small caps: the chain path runs often */
    cfg.threshold = 0.05 + (o3 & 15) / 16.0;
    cfg.low_threshold = 0.01 + (o3 >> 4) / 32.0;
    cfg.containment = 0.3 + (o4 & 7) / 10.0;
    cfg.min_contained = 1 + (o4 >> 3 & 7);
    cfg.min_shared = o4 >> 6;
    cfg.lsh_threshold = 0;
    cfg.bands = cfg.rows = 0;
    /* The invariants below are stated on each raw text's normalization;
     * extraction (which may empty or reject a text) has its own target. */
    cfg.extract = 0;
    if (doppel_config_validate(&cfg, NULL)) return 0;

    doppel_index *idx;
    doppel_error err;
    if (doppel_index_new(&cfg, &idx, &err)) return 0;

    /* added documents, with their normalized text to check exact grouping */
    static doppel_buf norm[MAX_DOCS];
    uint32_t added = 0;
    const char *p = (const char *)in.p, *end = p + in.n;
    size_t docno = 0;
    while (p <= end && docno < MAX_DOCS) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *dend = nl ? nl : end;
        const char *text = p, *id;
        size_t id_len;
        char num[24];
        const char *tab = memchr(p, '\t', (size_t)(dend - p));
        if (tab) {
            id = p;
            id_len = (size_t)(tab - p);
            text = tab + 1;
        } else {
            id_len = (size_t)snprintf(num, sizeof num, "%zu", docno);
            id = num;
        }
        int64_t date = DOPPEL_NO_DATE;
        if (dend - text >= 2 && text[0] == '@') date = (int64_t)(unsigned char)text[1] * 86400;
        size_t tlen = (size_t)(dend - text);
        doppel_add_info info;
        doppel_status st = doppel_index_add(idx, id, id_len, text, tlen, date, &info, &err);
        if (st == DOPPEL_ERR_NOMEM) goto out;
        if (doppel_normalize(text, tlen, &norm[added], NULL)) goto out;
        if (st == DOPPEL_OK) {
            FUZZ_CHECK(norm[added].len > 0, "document %zu without words was added", docno);
            FUZZ_CHECK(info.docnum == added, "docnum %u, expected %u", info.docnum, added);
            if (info.duplicate_id) FUZZ_CHECK(info.first_docnum < added, "first_docnum %u", info.first_docnum);
            added++;
        } else if (st == DOPPEL_ERR_FORMAT) {
            /* binary data (mostly NUL/control bytes) is refused, words or not */
            FUZZ_CHECK(tlen > 0, "an empty document called binary");
        } else {
            FUZZ_CHECK(st == DOPPEL_ERR_EMPTY, "add: %s", err.message);
            FUZZ_CHECK(norm[added].len == 0, "document %zu with words refused: %s", docno, err.message);
        }
        docno++;
        if (!nl) break;
        p = nl + 1;
    }
    FUZZ_CHECK(doppel_index_count(idx) == added, "count %u, added %u", doppel_index_count(idx), added);
    doppel_status st = doppel_index_finish(idx, NULL, NULL, &err);
    if (st == DOPPEL_ERR_NOMEM || st == DOPPEL_ERR_IO) goto out;  /* spill file: environment */
    FUZZ_CHECK(st == DOPPEL_OK, "finish: %s", err.message);
    FUZZ_CHECK(doppel_index_add(idx, "x", 1, "late text", 9, DOPPEL_NO_DATE, NULL, NULL) ==
                   DOPPEL_ERR_STATE, "add accepted after finish");

    static doppel_doc_result res[MAX_DOCS];
    static uint32_t members[MAX_DOCS], canonicals[MAX_DOCS];
    uint32_t clusters = 0;
    for (uint32_t d = 0; d < added; d++) {
        FUZZ_CHECK(!doppel_index_result(idx, d, &res[d]), "no result for %u", d);
        FUZZ_CHECK(res[d].cluster <= clusters, "doc %u opens cluster %u after %u clusters", d,
                   res[d].cluster, clusters);
        if (res[d].cluster == clusters) members[clusters] = canonicals[clusters] = 0, clusters++;
        members[res[d].cluster]++;
        FUZZ_CHECK(res[d].canonical < added, "canonical %u of %u", res[d].canonical, added);
        FUZZ_CHECK(in01(res[d].score), "score %g", res[d].score);
        FUZZ_CHECK(res[d].relation <= DOPPEL_REL_LINKED, "relation %d", (int)res[d].relation);
        if (res[d].canonical == d) canonicals[res[d].cluster]++;
    }
    doppel_doc_result r;
    FUZZ_CHECK(doppel_index_result(idx, added, &r) != DOPPEL_OK, "result past the end");
    for (uint32_t d = 0; d < added; d++) {
        const doppel_doc_result *c = &res[res[d].canonical];
        FUZZ_CHECK(c->cluster == res[d].cluster, "doc %u in cluster %u, its canonical %u in %u", d,
                   res[d].cluster, res[d].canonical, c->cluster);
        FUZZ_CHECK(c->canonical == res[d].canonical, "canonical %u is not its own canonical",
                   res[d].canonical);
        FUZZ_CHECK(res[d].cluster_size == members[res[d].cluster], "cluster_size %u, %u members",
                   res[d].cluster_size, members[res[d].cluster]);
        FUZZ_CHECK(canonicals[res[d].cluster] == 1, "cluster %u has %u canonical documents",
                   res[d].cluster, canonicals[res[d].cluster]);
        if (res[d].cluster_size > 1)
            FUZZ_CHECK((res[d].canonical == d) == (res[d].relation == DOPPEL_REL_CANONICAL),
                       "doc %u: relation %d, canonical %u", d, (int)res[d].relation, res[d].canonical);
        /* Exact copies: quadratic, but MAX_DOCS keeps it small. */
        for (uint32_t e = 0; e < d; e++)
            if (norm[e].len == norm[d].len && !memcmp(norm[e].data, norm[d].data, norm[d].len))
                FUZZ_CHECK(res[e].cluster == res[d].cluster,
                           "docs %u and %u have one normalized text but clusters %u, %u", e, d,
                           res[e].cluster, res[d].cluster);
    }
    pair_check pc = {idx, 0, 0, 0};
    FUZZ_CHECK(doppel_index_pairs(idx, on_pair, &pc) == DOPPEL_OK, "pairs failed");
out:
    doppel_index_free(idx);
    return 0;
}
