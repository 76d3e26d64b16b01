/*
 * store_story.c — stories in the store: each add clusters its documents
 * into stories and links them to the stories of earlier adds, exactly as
 * `doppel cluster --level all --story-state FILE` does batch after batch;
 * the state (doppel_story_write_state's text) lives in the header database
 * and each document's story id in the story database, both written in the
 * add's transaction, so copy and story state always commit together.
 *
 * Why the batch's own copy clusters (not the store's): the batch run that
 * this must equal sees only its batch, so a document's copy cluster for the
 * story level is its cluster among the documents of its add. The store's
 * relations give it: documents with one normalized text are one exact group
 * (as the batch index pairs them), and a copy relation of a batch document
 * to any document joins it with the batch documents of that text.
 */
#include "store/store_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- options (the header's text: store.c) ------------------------------------------- */

const doppel_story_options *doppel_store_story_options(const doppel_store *s) {
    return s->stories ? &s->story : NULL;
}

doppel_status doppel_store_check_story(const doppel_store *s, const doppel_story_options *opt,
                                       doppel_error *err) {
    if (!s->stories)
        return dp_fail(err, DOPPEL_ERR_ARG,
                       "index %s keeps no stories (create an index with --level all for them)",
                       s->dir);
    char want[1024], have[1024];
    dp_story_options_text(opt, want, sizeof want);
    dp_story_options_text(&s->story, have, sizeof have);
    return dp_store_compare_text(s, want, have, err);
}

/* ---- one add's documents ---------------------------------------------------------- */

typedef struct kept {
    uint32_t docnum;
    uint64_t hash;          /* normalized text */
    int64_t date;
    char *title, *text;     /* title NULL when none */
    size_t title_len, text_len;
} kept;

typedef struct join { uint32_t self, other; } join;
typedef struct hash_local { uint64_t hash; uint32_t local; } hash_local;

struct dp_story_batch {
    doppel_store *s;
    doppel_extractor *ex;   /* NULL with --no-extract */
    kept *docs;
    size_t n, cap;
    join *joins;
    size_t nj, jcap;
    uint64_t *ids;          /* after commit, per kept document */
};

doppel_status dp_story_batch_new(doppel_store *s, dp_story_batch **out, doppel_error *err) {
    dp_story_batch *b = calloc(1, sizeof *b);
    if (!b) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    b->s = s;
    if (s->cfg.extract && doppel_extractor_new(&b->ex, err)) {
        free(b);
        return err ? err->code : DOPPEL_ERR_NOMEM;
    }
    *out = b;
    return DOPPEL_OK;
}

void dp_story_batch_free(dp_story_batch *b) {
    if (!b) return;
    for (size_t i = 0; i < b->n; i++) {
        free(b->docs[i].title);
        free(b->docs[i].text);
    }
    free(b->docs);
    free(b->joins);
    free(b->ids);
    doppel_extractor_free(b->ex);
    free(b);
}

/* The story level's title, text and date of a document, as the CLI's story
 * pass takes them: the extracted text (the raw text when extraction fails
 * or is off), the record's title else the extracted one, the record's date
 * else the extracted one. */
static doppel_status keep_into(doppel_extractor *ex, const doppel_store_doc *doc, kept *k) {
    const char *text = doc->text, *title = doc->title;
    size_t text_len = doc->text_len, title_len = doc->title ? doc->title_len : 0;
    int64_t date = doc->date;
    doppel_extract_result xr;
    doppel_extract_options xopt;
    doppel_extract_options_default(&xopt);
    if (ex && doppel_extract(ex, doc->text, doc->text_len, &xopt, &xr, NULL) == DOPPEL_OK) {
        text = xr.text;
        text_len = xr.text_len;
        if (!title && xr.title) {
            title = xr.title;
            title_len = strlen(xr.title);
        }
        if (date == DOPPEL_NO_DATE && xr.date && doppel_parse_date(xr.date, &date))
            date = DOPPEL_NO_DATE;
    }
    k->date = date;
    k->text = malloc(text_len + 1);
    k->title = title ? malloc(title_len + 1) : NULL;
    if (!k->text || (title && !k->title)) {
        free(k->text);
        free(k->title);
        k->text = k->title = NULL;
        return DOPPEL_ERR_NOMEM;
    }
    memcpy(k->text, text, text_len);
    k->text[text_len] = 0;
    k->text_len = text_len;
    if (title) {
        memcpy(k->title, title, title_len);
        k->title[title_len] = 0;
    }
    k->title_len = title_len;
    return DOPPEL_OK;
}

doppel_status dp_story_keep(dp_story_batch *b, const doppel_store_doc *doc, uint64_t text_hash,
                            uint32_t docnum, doppel_error *err) {
    if (b->n == b->cap && dp_grow((void **)&b->docs, &b->cap, b->n + 1, sizeof *b->docs))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    kept *k = &b->docs[b->n];
    *k = (kept){docnum, text_hash, DOPPEL_NO_DATE, NULL, NULL, 0, 0};
    if (keep_into(b->ex, doc, k)) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    b->n++;
    return DOPPEL_OK;
}

doppel_status dp_story_join(dp_story_batch *b, uint32_t self, uint32_t other, doppel_error *err) {
    if (b->nj == b->jcap && dp_grow((void **)&b->joins, &b->jcap, b->nj + 1, sizeof *b->joins))
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    b->joins[b->nj++] = (join){self, other};
    return DOPPEL_OK;
}

/* Place of docnum among the kept documents (kept in docnum order), or SIZE_MAX. */
static size_t local_of(const dp_story_batch *b, uint32_t docnum) {
    size_t lo = 0, hi = b->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->docs[mid].docnum < docnum) lo = mid + 1;
        else hi = mid;
    }
    return lo < b->n && b->docs[lo].docnum == docnum ? lo : SIZE_MAX;
}

uint64_t dp_story_batch_id(const dp_story_batch *b, uint32_t docnum) {
    size_t i = b && b->ids ? local_of(b, docnum) : SIZE_MAX;
    return i == SIZE_MAX ? DOPPEL_STORE_NO_STORY : b->ids[i];
}

static int cmp_hash_local(const void *x, const void *y) {
    const hash_local *p = x, *q = y;
    if (p->hash != q->hash) return p->hash < q->hash ? -1 : 1;
    return (p->local > q->local) - (p->local < q->local);
}

static uint32_t uf_find(uint32_t *parent, uint32_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
}

static void uf_union(uint32_t *parent, uint32_t a, uint32_t b) {
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a != b) parent[a > b ? a : b] = a < b ? a : b;
}

/* The copy cluster of each kept document among the kept documents,
 * numbered 0, 1, ... in order of first member (as the batch index numbers
 * its clusters). */
static doppel_status batch_clusters(doppel_store *s, MDB_txn *txn, const dp_story_batch *b,
                                    uint32_t *cluster, doppel_error *err) {
    size_t n = b->n;
    uint32_t *parent = malloc(n * sizeof *parent);
    hash_local *hl = malloc(n * sizeof *hl);
    doppel_status st = DOPPEL_OK;
    if (!parent || !hl) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !st && i < n; i++) {
        parent[i] = (uint32_t)i;
        hl[i] = (hash_local){b->docs[i].hash, (uint32_t)i};
    }
    if (!st) {
        qsort(hl, n, sizeof *hl, cmp_hash_local);
        for (size_t i = 1; i < n; i++)
            if (hl[i].hash == hl[i - 1].hash) uf_union(parent, hl[i - 1].local, hl[i].local);
    }
    for (size_t j = 0; !st && j < b->nj; j++) {
        size_t self = local_of(b, b->joins[j].self), other = local_of(b, b->joins[j].other);
        uint64_t hash;
        if (other != SIZE_MAX) {
            hash = b->docs[other].hash;
        } else {
            dp_meta_head h;
            int rc = dp_store_meta(s, txn, b->joins[j].other, &h, NULL, NULL);
            if (rc == MDB_NOTFOUND) continue;
            if (rc) {
                st = dp_store_mdb_fail(s, err, rc, "reading a document");
                break;
            }
            hash = h.text_hash;
        }
        /* the batch documents with the other's text (the first is the
         * group's root after the unions above) */
        hash_local key = {hash, 0};
        size_t lo = 0, hi = n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_hash_local(&hl[mid], &key) < 0) lo = mid + 1;
            else hi = mid;
        }
        if (self != SIZE_MAX && lo < n && hl[lo].hash == hash)
            uf_union(parent, (uint32_t)self, hl[lo].local);
    }
    if (!st) {
        uint32_t next = 0;
        for (size_t i = 0; i < n; i++) cluster[i] = UINT32_MAX;
        for (size_t i = 0; i < n; i++) {
            uint32_t r = uf_find(parent, (uint32_t)i);
            if (cluster[r] == UINT32_MAX) cluster[r] = next++;
            cluster[i] = cluster[r];
        }
    }
    free(parent);
    free(hl);
    return st;
}

/* A story handle holding the stored state (when one was saved). */
static doppel_status story_open(doppel_store *s, MDB_txn *txn, doppel_story **out,
                                doppel_error *err) {
    doppel_story *st = doppel_story_new(&s->story, err);
    if (!st) return err ? err->code : DOPPEL_ERR_NOMEM;
    MDB_val k = {11, "story_state"}, v;
    int rc = mdb_get(txn, s->db_header, &k, &v);
    doppel_status ds = DOPPEL_OK;
    if (rc == 0) {
        FILE *fp = fmemopen(v.mv_data, v.mv_size, "r");
        if (!fp) ds = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        else {
            char name[300];
            snprintf(name, sizeof name, "index %.250s: story state", s->dir);
            ds = doppel_story_read_state(st, fp, name, err);
            fclose(fp);
        }
    } else if (rc != MDB_NOTFOUND) {
        ds = dp_store_mdb_fail(s, err, rc, "reading the story state");
    }
    if (ds) {
        doppel_story_free(st);
        return ds;
    }
    *out = st;
    return DOPPEL_OK;
}

/* story_open for a check: a copy of the state parsed once per committed
 * transaction and kept in the handle (doppel_serve's threads share it: the
 * parsed state is only read, under story_lock, to copy it). */
static doppel_status story_open_cached(doppel_store *s, MDB_txn *txn, doppel_story **out,
                                       doppel_error *err) {
    size_t gen = mdb_txn_id(txn);
    *out = NULL;
    pthread_mutex_lock(&s->story_lock);
    if (s->story_cache && s->story_cache_gen == gen) {
        *out = doppel_story_copy(s->story_cache, err);
        pthread_mutex_unlock(&s->story_lock);
        return *out ? DOPPEL_OK : err ? err->code : DOPPEL_ERR_NOMEM;
    }
    pthread_mutex_unlock(&s->story_lock);
    doppel_story *fresh;
    doppel_status ds = story_open(s, txn, &fresh, err);
    if (ds) return ds;
    if (!(*out = doppel_story_copy(fresh, err))) {
        doppel_story_free(fresh);
        return err ? err->code : DOPPEL_ERR_NOMEM;
    }
    pthread_mutex_lock(&s->story_lock);
    if (!s->story_cache || s->story_cache_gen < gen) {
        doppel_story *old = s->story_cache;
        s->story_cache = fresh;
        s->story_cache_gen = gen;
        fresh = old;
    }
    pthread_mutex_unlock(&s->story_lock);
    doppel_story_free(fresh);
    return DOPPEL_OK;
}

/* Learn, add and finish docs[0..n) (copy clusters cluster, NULL: none). */
static doppel_status story_run(doppel_story *st, const kept *docs, size_t n,
                               const uint32_t *cluster, doppel_error *err) {
    doppel_status ds = DOPPEL_OK;
    for (size_t i = 0; !ds && i < n; i++)
        ds = doppel_story_learn(st, docs[i].title, docs[i].title_len, docs[i].text,
                                docs[i].text_len, err);
    for (size_t i = 0; !ds && i < n; i++)
        ds = doppel_story_add(st, (uint32_t)i, docs[i].title, docs[i].title_len, docs[i].text,
                              docs[i].text_len, docs[i].date,
                              cluster ? cluster[i] : DOPPEL_STORY_NO_COPY, err);
    if (!ds) ds = doppel_story_finish(st, err);
    return ds;
}

doppel_status dp_story_commit(doppel_store *s, MDB_txn *txn, dp_story_batch *b,
                              doppel_error *err) {
    if (!b->n) return DOPPEL_OK;  /* as a batch run of nothing: the state stays */
    uint32_t *cluster = malloc(b->n * sizeof *cluster);
    b->ids = malloc(b->n * sizeof *b->ids);
    if (!cluster || !b->ids) {
        free(cluster);
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    }
    doppel_status ds = batch_clusters(s, txn, b, cluster, err);
    doppel_story *st = NULL;
    if (!ds) ds = story_open(s, txn, &st, err);
    if (!ds) ds = story_run(st, b->docs, b->n, cluster, err);
    free(cluster);
    int rc = 0;
    for (size_t i = 0; !ds && i < b->n; i++) {
        doppel_story_info inf;
        doppel_story_get_info(st, doppel_story_of(st, (uint32_t)i), &inf);
        b->ids[i] = inf.id;
        unsigned int key = b->docs[i].docnum;
        uint64_t id = inf.id;
        MDB_val k = {sizeof key, &key}, v = {sizeof id, &id};
        if ((rc = mdb_put(txn, s->db_story, &k, &v, MDB_APPEND)))
            ds = dp_store_mdb_fail(s, err, rc, "writing stories");
    }
    char *buf = NULL;
    size_t len = 0;
    if (!ds) {
        FILE *fp = open_memstream(&buf, &len);
        if (!fp) ds = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        else {
            ds = doppel_story_write_state(st, fp, err);
            if (fclose(fp) && !ds) ds = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
        }
    }
    if (!ds) {
        MDB_val k = {11, "story_state"}, v = {len, buf};
        if ((rc = mdb_put(txn, s->db_header, &k, &v, 0)))
            ds = dp_store_mdb_fail(s, err, rc, "writing the story state");
    }
    free(buf);
    doppel_story_free(st);
    return ds;
}

/* ---- check ------------------------------------------------------------------------ */

doppel_status dp_story_check(doppel_store *s, MDB_txn *txn, const doppel_store_doc *docs,
                             size_t n, doppel_store_result *results, doppel_error *err) {
    size_t m = 0;
    for (size_t i = 0; i < n; i++) m += results[i].status == DOPPEL_OK;
    if (!m) return DOPPEL_OK;
    dp_story_batch *b = NULL;
    doppel_status ds = dp_story_batch_new(s, &b, err);
    if (ds) return ds;
    size_t *place = malloc(m * sizeof *place);
    if (!place) ds = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    for (size_t i = 0; !ds && i < n; i++)
        if (results[i].status == DOPPEL_OK) {
            place[b->n] = i;
            ds = dp_story_keep(b, &docs[i], 0, (uint32_t)b->n, err);
        }
    doppel_story *st = NULL;
    if (!ds) ds = story_open_cached(s, txn, &st, err);
    /* The documents of one check are not matched with one another: each is
     * its own copy cluster. */
    if (!ds) ds = story_run(st, b->docs, b->n, NULL, err);
    for (size_t i = 0; !ds && i < b->n; i++) {
        doppel_story_info inf;
        doppel_story_get_info(st, doppel_story_of(st, (uint32_t)i), &inf);
        results[place[i]].story = inf.earlier_docs ? inf.id : DOPPEL_STORE_NO_STORY;
    }
    doppel_story_free(st);
    free(place);
    dp_story_batch_free(b);
    return ds;
}
