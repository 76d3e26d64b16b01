/* Synthetic corpus: determinism, kind shares, labels, and what each copy
 * kind promises about its relation to the original. */
#include "testutil.h"

#include <math.h>
#include <xxhash.h>

#include "base/internal.h"

/* ---- a corpus kept in memory (tests are small) ------------------------- */

typedef struct kept {
    char *text, *title, *date, *cluster, *id, *source;
    doppel_synth_kind kind;
    uint64_t original;
    double amount;
    uint64_t related;
} kept;

typedef struct corpus {
    kept *docs;
    size_t n;
    uint64_t max_mem;  /* most library heap in use seen during generation */
} corpus;

static int keep(const doppel_synth_doc *d, void *user) {
    corpus *c = user;
    kept *k = &c->docs[c->n++];
    k->text = strndup(d->text, d->text_len);
    k->title = strdup(d->title);
    k->date = strdup(d->date);
    k->cluster = strdup(d->cluster);
    k->id = strdup(d->id);
    k->source = strdup(d->source);
    k->kind = d->kind;
    k->original = d->original;
    k->amount = d->amount;
    k->related = d->related;
    assert_int_equal(d->number, c->n - 1);
    assert_int_equal(strlen(d->text), d->text_len);
    return 0;
}

static void generate(corpus *c, const doppel_synth_options *opt) {
    c->docs = calloc(opt->count, sizeof *c->docs);
    c->n = 0;
    assert_non_null(c->docs);
    doppel_error err;
    assert_int_equal(doppel_synth_generate(opt, keep, c, &err), DOPPEL_OK);
    assert_int_equal(c->n, opt->count);
}

static void corpus_free(corpus *c) {
    for (size_t i = 0; i < c->n; i++) {
        kept *k = &c->docs[i];
        free(k->text), free(k->title), free(k->date), free(k->cluster), free(k->id),
            free(k->source);
    }
    free(c->docs);
}

static void small_options(doppel_synth_options *o, uint64_t count) {
    doppel_synth_options_default(o);
    o->count = count;
    o->mean_words = 150;
}

/* ---- words and paragraphs ---------------------------------------------- */

typedef struct words {
    char **w;
    size_t n;
} words;

static words split_words(const char *s) {
    words r = {malloc((strlen(s) / 2 + 2) * sizeof(char *)), 0};
    const char *p = s;
    while (*p) {
        while (*p == ' ' || *p == '\n') p++;
        if (!*p) break;
        const char *e = p;
        while (*e && *e != ' ' && *e != '\n') e++;
        r.w[r.n++] = strndup(p, (size_t)(e - p));
        p = e;
    }
    return r;
}

static void words_free(words *w) {
    for (size_t i = 0; i < w->n; i++) free(w->w[i]);
    free(w->w);
}

/* Paragraphs: the pieces between blank lines. */
static words split_paras(const char *s) {
    words r = {malloc((strlen(s) + 2) * sizeof(char *)), 0};
    const char *p = s;
    for (;;) {
        const char *e = strstr(p, "\n\n");
        size_t len = e ? (size_t)(e - p) : strlen(p);
        r.w[r.n++] = strndup(p, len);
        if (!e) break;
        p = e + 2;
    }
    return r;
}

/* Word-level Levenshtein distance. */
static size_t edit_distance(const words *a, const words *b) {
    size_t *prev = malloc((b->n + 1) * sizeof *prev), *cur = malloc((b->n + 1) * sizeof *cur);
    for (size_t j = 0; j <= b->n; j++) prev[j] = j;
    for (size_t i = 1; i <= a->n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= b->n; j++) {
            size_t sub = prev[j - 1] + (strcmp(a->w[i - 1], b->w[j - 1]) != 0);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        size_t *t = prev;
        prev = cur;
        cur = t;
    }
    size_t d = prev[b->n];
    free(prev);
    free(cur);
    return d;
}

/* ---- tests ---------------------------------------------------------------- */

static int hash_doc(const doppel_synth_doc *d, void *user) {
    XXH3_state_t *st = user;
    const char *fields[] = {d->id, d->title, d->date, d->source, d->cluster};
    for (size_t i = 0; i < 5; i++) XXH3_64bits_update(st, fields[i], strlen(fields[i]) + 1);
    XXH3_64bits_update(st, d->text, d->text_len);
    XXH3_64bits_update(st, &d->kind, sizeof d->kind);
    return 0;
}

static uint64_t corpus_hash(uint64_t seed, uint64_t count) {
    doppel_synth_options o;
    small_options(&o, count);
    o.seed = seed;
    XXH3_state_t *st = XXH3_createState();
    XXH3_64bits_reset(st);
    assert_int_equal(doppel_synth_generate(&o, hash_doc, st, NULL), DOPPEL_OK);
    uint64_t h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

static void test_deterministic(void **state) {
    (void)state;
    assert_true(corpus_hash(1, 500) == corpus_hash(1, 500));
    assert_true(corpus_hash(1, 500) != corpus_hash(2, 500));
    /* A document's text does not depend on how many follow it (its date
     * does: originals' dates spread over the span whatever the count). */
    corpus a, b;
    doppel_synth_options o;
    small_options(&o, 200);
    generate(&a, &o);
    o.count = 300;
    generate(&b, &o);
    for (size_t i = 0; i < 200; i++) {
        assert_string_equal(a.docs[i].text, b.docs[i].text);
        assert_string_equal(a.docs[i].cluster, b.docs[i].cluster);
    }
    corpus_free(&a);
    corpus_free(&b);
}

static int count_kinds(const doppel_synth_doc *d, void *user) {
    uint64_t *counts = user;
    counts[d->kind]++;
    return 0;
}

static void test_kind_shares(void **state) {
    (void)state;
    doppel_synth_options o;
    small_options(&o, 40000);
    o.mean_words = 20;
    uint64_t counts[DOPPEL_SYNTH_NUM_KINDS] = {0};
    assert_int_equal(doppel_synth_generate(&o, count_kinds, counts, NULL), DOPPEL_OK);
    double copies = 1.0 - (double)counts[DOPPEL_SYNTH_ORIGINAL] / 40000;
    assert_true(fabs(copies - 0.35) < 0.015);
    for (int k = 1; k <= DOPPEL_SYNTH_HEADLINE; k++)
        assert_true(fabs((double)counts[k] / 40000 - 0.05) < 0.006);
    /* Reuse kinds are off by default: the default corpus is as before. */
    for (int k = DOPPEL_SYNTH_DERIVED; k < DOPPEL_SYNTH_NUM_KINDS; k++)
        assert_int_equal(counts[k], 0);

    /* Weights: edited twice as common as each other kind, ocr off. */
    memset(counts, 0, sizeof counts);
    o.kind_weight[DOPPEL_SYNTH_EDITED] = 2;
    o.kind_weight[DOPPEL_SYNTH_OCR] = 0;
    o.copy_fraction = 0.5;
    assert_int_equal(doppel_synth_generate(&o, count_kinds, counts, NULL), DOPPEL_OK);
    assert_int_equal(counts[DOPPEL_SYNTH_OCR], 0);
    assert_true(fabs((double)counts[DOPPEL_SYNTH_EDITED] / 40000 - 0.5 * 2 / 7) < 0.01);
    assert_true(fabs((double)counts[DOPPEL_SYNTH_EXACT] / 40000 - 0.5 / 7) < 0.008);
}

static void test_labels_and_dates(void **state) {
    (void)state;
    corpus c;
    doppel_synth_options o;
    small_options(&o, 3000);
    generate(&c, &o);
    char want[32];
    for (size_t i = 0; i < c.n; i++) {
        kept *k = &c.docs[i];
        snprintf(want, sizeof want, "s%06zu", i);
        assert_string_equal(k->id, want);
        assert_string_equal(k->title, k->kind == DOPPEL_SYNTH_BOILERPLATE
                                          ? c.docs[k->original].title
                                          : strtok(strdupa(k->text), "\n"));
        if (k->kind == DOPPEL_SYNTH_ORIGINAL) {
            assert_int_equal(k->original, i);
            assert_string_equal(k->cluster, k->id);
            continue;
        }
        /* The label is the id of an earlier original, never of a copy. */
        assert_true(k->original < i);
        kept *orig = &c.docs[k->original];
        assert_int_equal(orig->kind, DOPPEL_SYNTH_ORIGINAL);
        assert_string_equal(k->cluster, orig->id);
        assert_true(strcmp(k->date, orig->date) >= 0);
        assert_true(strcmp(k->source, orig->source) != 0);
    }
    /* Dates are real dates within the span. */
    assert_true(strcmp(c.docs[0].date, "2024-01-01") >= 0);
    assert_true(strcmp(c.docs[c.n - 1].date, "2024-04-01") < 0);
    corpus_free(&c);
}

static void test_copy_kinds(void **state) {
    (void)state;
    corpus c;
    doppel_synth_options o;
    small_options(&o, 3000);
    generate(&c, &o);
    size_t seen[DOPPEL_SYNTH_NUM_KINDS] = {0};
    size_t bytes = 0, originals = 0;
    for (size_t i = 0; i < c.n; i++) {
        kept *k = &c.docs[i];
        seen[k->kind]++;
        if (k->kind == DOPPEL_SYNTH_ORIGINAL) {
            bytes += strlen(k->text);
            originals++;
            continue;
        }
        const char *orig = c.docs[k->original].text;
        words op = split_paras(orig), cp = split_paras(k->text);
        words ow = split_words(orig), cw = split_words(k->text);
        switch (k->kind) {
        case DOPPEL_SYNTH_EXACT:
            assert_string_equal(k->text, orig);
            break;
        case DOPPEL_SYNTH_BOILERPLATE: {
            assert_non_null(strstr(k->text, orig));
            double extra = (double)(cw.n - ow.n) / (double)ow.n;
            assert_true(extra >= k->amount - 1e-9);
            assert_true(k->amount >= 0.10 && k->amount <= 0.40);
            assert_true(extra <= k->amount + 0.15);  /* overshoot: at most one line */
            break;
        }
        case DOPPEL_SYNTH_TRUNCATED: {
            /* Headline + a proper prefix of the paragraphs, then maybe one
             * "read more" line that is not in the original. */
            assert_string_equal(cp.w[0], op.w[0]);
            size_t same = 1;
            while (same < cp.n && same < op.n && !strcmp(cp.w[same], op.w[same])) same++;
            assert_true(same >= 2);
            assert_true(same < op.n);
            assert_true(cp.n == same || cp.n == same + 1);
            if (cp.n == same + 1) assert_null(strstr(orig, cp.w[same]));
            break;
        }
        case DOPPEL_SYNTH_EDITED: {
            double rate = (double)edit_distance(&ow, &cw) / (double)ow.n;
            assert_true(rate >= 0.05 - 1e-9);
            assert_true(rate <= 0.20 + 1.0 / (double)ow.n);
            assert_true(fabs(rate - k->amount) <= 1.5 / (double)ow.n + 1e-9);
            break;
        }
        case DOPPEL_SYNTH_OCR: {
            assert_string_not_equal(k->text, orig);
            double len_change = fabs((double)strlen(k->text) - (double)strlen(orig)) / strlen(orig);
            assert_true(len_change < 0.03);
            assert_int_equal(cp.n, op.n);  /* paragraph structure survives */
            break;
        }
        case DOPPEL_SYNTH_REORDERED: {
            assert_string_equal(cp.w[0], op.w[0]);
            assert_int_equal(cp.n, op.n);
            int moved = 0;
            for (size_t p = 1; p < cp.n; p++) {
                moved |= strcmp(cp.w[p], op.w[p]) != 0;
                int found = 0;
                for (size_t q = 1; q < op.n && !found; q++) found = !strcmp(cp.w[p], op.w[q]);
                assert_true(found);
            }
            assert_true(moved);
            break;
        }
        case DOPPEL_SYNTH_HEADLINE:
            assert_string_not_equal(cp.w[0], op.w[0]);
            assert_string_equal(strstr(k->text, "\n\n"), strstr(orig, "\n\n"));
            break;
        default:
            fail();
        }
        words_free(&op), words_free(&cp), words_free(&ow), words_free(&cw);
    }
    for (int k = 0; k <= DOPPEL_SYNTH_HEADLINE; k++) assert_true(seen[k] > 50);
    /* Mean original at 150 words is about 1 KB (6-7 bytes a word). */
    double mean = (double)bytes / (double)originals;
    assert_true(mean > 800 && mean < 1300);
    corpus_free(&c);
}

/* Distinct originals share words, not passages: almost no 8-word sequence
 * appears in two of them. */
static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Share of b's word 5-grams that occur in a (by hashes of the words). */
static double containment5(const words *a, const words *b) {
    if (a->n < 5 || b->n < 5) return 0;
    size_t inside = 0;
    for (size_t j = 0; j + 5 <= b->n; j++) {
        for (size_t i = 0; i + 5 <= a->n; i++) {
            size_t m = 0;
            while (m < 5 && !strcmp(a->w[i + m], b->w[j + m])) m++;
            if (m == 5) {
                inside++;
                break;
            }
        }
    }
    return (double)inside / (double)(b->n - 4);
}

/* Longest run of consecutive words of b found consecutively in a. */
static size_t longest_run(const words *a, const words *b) {
    size_t best = 0;
    for (size_t i = 0; i < a->n; i++)
        for (size_t j = 0; j < b->n; j++) {
            size_t m = 0;
            while (i + m < a->n && j + m < b->n && !strcmp(a->w[i + m], b->w[j + m])) m++;
            if (m > best) best = m;
        }
    return best;
}

/* What the reuse kinds promise: derived keeps some 5-grams of its source
 * but far from all; partial and quote carry one long run of the source;
 * shared documents carry a paragraph another document carries too; each is
 * its own gold cluster. */
static void test_reuse_kinds(void **state) {
    (void)state;
    corpus c;
    doppel_synth_options o;
    doppel_synth_options_realistic(&o);
    o.count = 1500;
    o.mean_words = 150;
    generate(&c, &o);
    size_t seen[DOPPEL_SYNTH_NUM_KINDS] = {0}, low = 0;
    for (size_t i = 0; i < c.n; i++) {
        kept *k = &c.docs[i];
        if (k->kind < DOPPEL_SYNTH_DERIVED) continue;
        seen[k->kind]++;
        assert_string_equal(k->cluster, k->id);
        if (k->kind == DOPPEL_SYNTH_SHARED) continue;
        assert_true(k->related < i);
        words src = split_words(c.docs[k->related].text), dst = split_words(k->text);
        if (k->kind == DOPPEL_SYNTH_DERIVED) {
            double c5 = containment5(&src, &dst);
            assert_true(c5 < 0.8);
            low += c5 < 0.02;
        } else {
            assert_true(longest_run(&src, &dst) >= (k->kind == DOPPEL_SYNTH_QUOTE ? 40 : 12));
        }
        words_free(&src), words_free(&dst);
    }
    for (int k = DOPPEL_SYNTH_DERIVED; k < DOPPEL_SYNTH_NUM_KINDS; k++) assert_true(seen[k] > 20);
    assert_true(low * 10 < seen[DOPPEL_SYNTH_DERIVED]);
    corpus_free(&c);
}

static void test_no_shared_passages(void **state) {
    (void)state;
    corpus c;
    doppel_synth_options o;
    doppel_synth_options_default(&o);
    o.count = 1500;
    o.topics = 8;  /* many documents per topic: the hard case */
    generate(&c, &o);
    size_t cap = 1 << 20, n = 0;
    uint64_t *grams = malloc(cap * sizeof *grams);
    size_t docs = 0;
    for (size_t i = 0; i < c.n && docs < 800; i++) {
        if (c.docs[i].kind != DOPPEL_SYNTH_ORIGINAL) continue;
        words w = split_words(c.docs[i].text);
        uint64_t *doc_grams = malloc((w.n + 1) * sizeof *doc_grams);
        size_t m = 0;
        for (size_t k = 0; k + 8 <= w.n; k++) {
            XXH3_state_t *st = XXH3_createState();
            XXH3_64bits_reset(st);
            for (size_t j = 0; j < 8; j++) XXH3_64bits_update(st, w.w[k + j], strlen(w.w[k + j]) + 1);
            doc_grams[m++] = XXH3_64bits_digest(st);
            XXH3_freeState(st);
        }
        /* One entry per distinct gram per document. */
        qsort(doc_grams, m, sizeof *doc_grams, cmp_u64);
        for (size_t k = 0; k < m; k++) {
            if (k && doc_grams[k] == doc_grams[k - 1]) continue;
            if (n == cap) grams = realloc(grams, (cap *= 2) * sizeof *grams);
            grams[n++] = doc_grams[k];
        }
        free(doc_grams);
        words_free(&w);
        docs++;
    }
    qsort(grams, n, sizeof *grams, cmp_u64);
    size_t shared = 0;
    for (size_t k = 1; k < n; k++) shared += grams[k] == grams[k - 1];
    assert_true(docs == 800);
    assert_true((double)shared / (double)n < 0.005);
    free(grams);
    corpus_free(&c);
}

static int track_memory(const doppel_synth_doc *d, void *user) {
    uint64_t *max = user;
    if (dp_mem_in_use() > *max) *max = dp_mem_in_use();
    (void)d;
    return 0;
}

static int stop_at_ten(const doppel_synth_doc *d, void *user) {
    (void)user;
    return d->number == 9;
}

static void test_streaming_and_options(void **state) {
    (void)state;
    /* Memory is bounded by a document, not by the corpus. */
    doppel_synth_options o;
    doppel_synth_options_default(&o);
    o.count = 20000;
    uint64_t before = dp_mem_in_use(), max = 0;
    assert_int_equal(doppel_synth_generate(&o, track_memory, &max, NULL), DOPPEL_OK);
    assert_true(max - before < 256 * 1024);
    assert_int_equal(dp_mem_in_use(), before);

    uint64_t count = 0;
    assert_int_equal(doppel_synth_generate(&o, stop_at_ten, &count, NULL), DOPPEL_END);

    doppel_error err;
    o.copy_fraction = 1.5;
    assert_int_equal(doppel_synth_generate(&o, track_memory, &max, &err), DOPPEL_ERR_ARG);
    assert_non_null(strstr(err.message, "copy_fraction"));
    doppel_synth_options_default(&o);
    o.edit_min = 0.3;
    o.edit_max = 0.2;
    assert_int_equal(doppel_synth_options_validate(&o, &err), DOPPEL_ERR_ARG);
    doppel_synth_options_default(&o);
    for (int k = 1; k < DOPPEL_SYNTH_NUM_KINDS; k++) o.kind_weight[k] = 0;
    assert_int_equal(doppel_synth_options_validate(&o, &err), DOPPEL_ERR_ARG);
    assert_int_equal(doppel_synth_generate(NULL, NULL, NULL, &err), DOPPEL_ERR_ARG);

    /* No copies at all, and wide ids for big counts. */
    doppel_synth_options_default(&o);
    o.copy_fraction = 0;
    o.count = 50;
    uint64_t counts[DOPPEL_SYNTH_NUM_KINDS] = {0};
    assert_int_equal(doppel_synth_generate(&o, count_kinds, counts, NULL), DOPPEL_OK);
    assert_int_equal(counts[DOPPEL_SYNTH_ORIGINAL], 50);
    assert_string_equal(doppel_synth_kind_name(DOPPEL_SYNTH_OCR), "ocr");
    assert_null(doppel_synth_kind_name((doppel_synth_kind)99));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_kind_shares),
        cmocka_unit_test(test_labels_and_dates),
        cmocka_unit_test(test_copy_kinds),
        cmocka_unit_test(test_reuse_kinds),
        cmocka_unit_test(test_no_shared_passages),
        cmocka_unit_test(test_streaming_and_options),
    };
    return cmocka_run_group_tests_name("synth", tests, NULL, NULL);
}
