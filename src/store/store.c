/*
 * store.c — a store's life: create (header with every result-changing
 * parameter: store_header.c), open (refusing other formats), locks for one writer at a time,
 * counters, lookups by id, statistics.
 */
#include "store/store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The map: writers write pages in place (MDB_WRITEMAP: no copy of each
 * dirty page, half the CPU of an add), which makes the file as large as the
 * map, sparse. So the map is sized from what is used: 4 times that, at least
 * MAP_MIN; an add that fills it fails with DOPPEL_ERR_LIMIT and the next
 * open grows it. */
#define MAP_MIN ((size_t)64 << 30)

doppel_status dp_store_mdb_fail(const doppel_store *s, doppel_error *err, int rc,
                                const char *what) {
    doppel_status code = rc == ENOMEM ? DOPPEL_ERR_NOMEM
                         : rc == MDB_MAP_FULL ? DOPPEL_ERR_LIMIT  /* reopening grows the map */
                         : rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH || rc == MDB_CORRUPTED
                             ? DOPPEL_ERR_FORMAT
                             : DOPPEL_ERR_IO;
    return dp_fail(err, code, "index %s: %s: %s", s ? s->dir : "?", what, mdb_strerror(rc));
}

int dp_store_txn_begin(doppel_store *s, unsigned flags, MDB_txn **txn) {
    int rc = mdb_txn_begin(s->env, NULL, flags, txn);
    if (rc == MDB_MAP_RESIZED) {
        /* Another process grew the map: adopt its size (possible when this
         * process has no transaction open; else the caller reports it). */
        pthread_mutex_lock(&s->pool_lock);
        rc = mdb_env_set_mapsize(s->env, 0);
        pthread_mutex_unlock(&s->pool_lock);
        if (!rc) rc = mdb_txn_begin(s->env, NULL, flags, txn);
    }
    return rc;
}

const doppel_config *doppel_store_config(const doppel_store *s) { return &s->cfg; }

void doppel_store_set_threads(doppel_store *s, unsigned threads) {
    s->threads = threads ? DP_MIN(threads, DP_MAX_THREADS) : doppel_available_cores();
}

/* ---- counters ------------------------------------------------------------------ */

doppel_status dp_store_read_counters(const doppel_store *s, MDB_txn *txn, dp_store_counters *c,
                                     doppel_error *err) {
    MDB_val k = {8, "counters"}, v;
    int rc = mdb_get(txn, s->db_header, &k, &v);
    if (rc) return dp_store_mdb_fail(s, err, rc, "reading the counters");
    if (v.mv_size != sizeof *c) return dp_fail(err, DOPPEL_ERR_FORMAT, "index %s: damaged counters", s->dir);
    memcpy(c, v.mv_data, sizeof *c);
    return DOPPEL_OK;
}

doppel_status dp_store_write_counters(const doppel_store *s, MDB_txn *txn,
                                      const dp_store_counters *c, doppel_error *err) {
    MDB_val k = {8, "counters"}, v = {sizeof *c, (void *)c};
    int rc = mdb_put(txn, s->db_header, &k, &v, 0);
    return rc ? dp_store_mdb_fail(s, err, rc, "writing the counters") : DOPPEL_OK;
}

/* ---- opening -------------------------------------------------------------------- */

static char *path_in(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static int open_dbs(doppel_store *s, MDB_txn *txn, unsigned create) {
    int rc;
    if ((rc = mdb_dbi_open(txn, "header", create, &s->db_header))) return rc;
    if ((rc = mdb_dbi_open(txn, "ids", create, &s->db_ids))) return rc;
    if ((rc = mdb_dbi_open(txn, "meta", create | MDB_INTEGERKEY, &s->db_meta))) return rc;
    if ((rc = mdb_dbi_open(txn, "feat", create | MDB_INTEGERKEY, &s->db_feat))) return rc;
    if ((rc = mdb_dbi_open(txn, "runs", create | MDB_INTEGERKEY, &s->db_runs))) return rc;
    if ((rc = mdb_dbi_open(txn, "text", create | MDB_INTEGERKEY, &s->db_text))) return rc;
    if ((rc = mdb_dbi_open(txn, "story", create | MDB_INTEGERKEY, &s->db_story))) return rc;
    if ((rc = mdb_dbi_open(txn, "prints", create | MDB_INTEGERKEY, &s->db_prints))) return rc;
    return mdb_dbi_open(txn, "edges", create | MDB_INTEGERKEY | MDB_DUPSORT | MDB_DUPFIXED,
                        &s->db_edges);
}

/* The environment and the open lock, no header read. */
static doppel_status open_env(const char *dir, unsigned flags, doppel_store **out,
                              doppel_error *err) {
    *out = NULL;
    doppel_store *s = dp_calloc(1, sizeof *s);
    if (!s || !(s->dir = dp_strndup(dir, strlen(dir)))) {
        dp_free(s, sizeof *s);
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    }
    s->flags = flags;
    s->open_fd = s->writer_fd = -1;
    pthread_mutex_init(&s->write_lock, NULL);
    pthread_mutex_init(&s->pool_lock, NULL);
    pthread_mutex_init(&s->story_lock, NULL);
    doppel_store_set_threads(s, 0);
    doppel_status st = DOPPEL_OK;
    char *p = path_in(dir, "open.lock");
    char *w = path_in(dir, "writer.lock");
    if (!p || !w) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    else if ((s->open_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0 ||
             (s->writer_fd = open(w, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0)
        st = dp_fail(err, DOPPEL_ERR_IO, "index %s: %s", dir, strerror(errno));
    else if (flock(s->open_fd, LOCK_SH) != 0)
        st = dp_fail(err, DOPPEL_ERR_IO, "index %s: lock: %s", dir, strerror(errno));
    free(p);
    free(w);
    int rc = 0;
    if (!st && (rc = mdb_env_create(&s->env))) st = dp_store_mdb_fail(s, err, rc, "creating");
    if (!st) {
        mdb_env_set_maxdbs(s->env, 16);
        char *data = path_in(dir, "data.mdb");
        struct stat sb;
        size_t used = data && stat(data, &sb) == 0 ? (size_t)sb.st_blocks * 512 : 0;
        free(data);
        mdb_env_set_mapsize(s->env, DP_MAX(MAP_MIN, 4 * used));
        mdb_env_set_maxreaders(s->env, 256);
        /* NOTLS: a read transaction is not tied to a thread (the server's
         * pool runs many); NORDAHEAD: random reads of a map larger than RAM
         * (a writer advises the part past the used one otherwise:
         * store_ahead.c). */
        unsigned ef = MDB_NOTLS | MDB_NORDAHEAD | (flags & DOPPEL_STORE_READONLY ? MDB_RDONLY : MDB_WRITEMAP);
        if ((rc = mdb_env_open(s->env, dir, ef, 0644)))
            st = dp_store_mdb_fail(s, err, rc, "opening");
    }
    if (!st) {
        int dead;
        mdb_reader_check(s->env, &dead);  /* slots of killed readers */
        *out = s;
        return DOPPEL_OK;
    }
    doppel_store_free(s);
    return st;
}

doppel_status doppel_store_create(const char *dir, const doppel_config *cfg, doppel_error *err) {
    return doppel_store_create_stories(dir, cfg, NULL, err);
}

doppel_status doppel_store_create_stories(const char *dir, const doppel_config *cfg,
                                          const doppel_story_options *story, doppel_error *err) {
    doppel_status st = doppel_config_validate(cfg, err);
    if (st) return st;
    char stext[1024];
    int slen = 0;
    if (story) {
        /* a language libstemmer does not know is refused now, not at the first add */
        doppel_story *probe = doppel_story_new(story, err);
        if (!probe) return DOPPEL_ERR_ARG;
        doppel_story_free(probe);
        slen = dp_story_options_text(story, stext, sizeof stext);
        if (slen <= 0 || (size_t)slen >= sizeof stext)
            return dp_fail(err, DOPPEL_ERR_ARG, "story options too long");
    }
    if (cfg->verify != DOPPEL_VERIFY_EXACT)
        return dp_fail(err, DOPPEL_ERR_ARG, "an index verifies exactly: --fast is not possible");
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return dp_fail(err, DOPPEL_ERR_IO, "index %s: %s", dir, strerror(errno));
    char *data = path_in(dir, "data.mdb");
    struct stat sb;
    int exists = data && stat(data, &sb) == 0;
    free(data);
    if (exists) return dp_fail(err, DOPPEL_ERR_ARG, "index %s exists already", dir);
    doppel_store *s;
    if ((st = open_env(dir, 0, &s, err))) return st;
    if ((st = dp_store_write_begin(s, err))) {
        doppel_store_free(s);
        return st;
    }
    dp_fstore_shape(cfg, &s->bands, &s->rows);
    s->keys = dp_fstore_keys(s->bands);
    char text[1024];
    int len = dp_store_config_text(cfg, s->bands, s->rows, text, sizeof text);
    MDB_txn *txn = NULL;
    int rc = dp_store_txn_begin(s, 0, &txn);
    if (!rc) rc = open_dbs(s, txn, MDB_CREATE);
    MDB_val k = {6, "config"}, v = {(size_t)len, text};
    if (!rc) rc = mdb_put(txn, s->db_header, &k, &v, MDB_NOOVERWRITE);
    MDB_val sk = {5, "story"}, sv = {(size_t)slen, stext};
    if (!rc && story) rc = mdb_put(txn, s->db_header, &sk, &sv, MDB_NOOVERWRITE);
    dp_store_counters c = {0};
    c.created = (int64_t)time(NULL);
    MDB_val ck = {8, "counters"}, cv = {sizeof c, &c};
    if (!rc) rc = mdb_put(txn, s->db_header, &ck, &cv, 0);
    if (!rc) rc = mdb_txn_commit(txn);
    else if (txn) mdb_txn_abort(txn);
    if (rc) st = dp_store_mdb_fail(s, err, rc, "creating");
    dp_store_write_end(s);
    doppel_store_free(s);
    return st;
}

doppel_status doppel_store_open(const char *dir, unsigned flags, doppel_store **out,
                                doppel_error *err) {
    *out = NULL;
    char *data = path_in(dir, "data.mdb");
    struct stat sb;
    int exists = data && stat(data, &sb) == 0;
    free(data);
    if (!exists)
        return dp_fail(err, DOPPEL_ERR_FORMAT,
                       "%s is not an index (no data.mdb; create one with doppel index create)", dir);
    doppel_store *s;
    doppel_status st = open_env(dir, flags, &s, err);
    if (st) return st;
    MDB_txn *txn;
    int rc = dp_store_txn_begin(s, MDB_RDONLY, &txn);
    if (rc) st = dp_store_mdb_fail(s, err, rc, "reading the header");
    if (!st) {
        /* The header first: an index of another format may lack databases
         * this one has, and is refused by its format, not as "not an index". */
        MDB_val k = {6, "config"}, v;
        if ((rc = mdb_dbi_open(txn, "header", 0, &s->db_header)))
            st = rc == MDB_NOTFOUND ? dp_fail(err, DOPPEL_ERR_FORMAT, "%s is not a doppel index", dir)
                                    : dp_store_mdb_fail(s, err, rc, "opening its databases");
        else if ((rc = mdb_get(txn, s->db_header, &k, &v)))
            st = dp_fail(err, DOPPEL_ERR_FORMAT, "%s is not a doppel index (no header)", dir);
        else st = dp_store_parse_config(s, v.mv_data, v.mv_size, err);
        if (!st) dp_fstore_prefilter_init(&s->prefilter, &s->cfg);
        if (!st && (rc = open_dbs(s, txn, 0)))
            st = rc == MDB_NOTFOUND ? dp_fail(err, DOPPEL_ERR_FORMAT, "%s is not a doppel index", dir)
                                    : dp_store_mdb_fail(s, err, rc, "opening its databases");
        MDB_val sk = {5, "story"};
        if (!st && (rc = mdb_get(txn, s->db_header, &sk, &v)) == 0)
            st = dp_story_options_parse(s, v.mv_data, v.mv_size, err);
        else if (!st && rc != MDB_NOTFOUND)
            st = dp_store_mdb_fail(s, err, rc, "reading the header");
        /* committed, not aborted: handles opened in an aborted txn close */
        if (!st && (rc = mdb_txn_commit(txn))) st = dp_store_mdb_fail(s, err, rc, "opening");
        else if (st) mdb_txn_abort(txn);
    }
    if (st) {
        doppel_store_free(s);
        return st;
    }
    *out = s;
    return DOPPEL_OK;
}

void dp_store_worker_free(doppel_store *s, dp_store_worker *w) {
    if (!w) return;
    dp_scratch_free(&w->scratch);
    if (w->ready) dp_features_free(&w->feat, s->cfg.num_perm, s->keys);
    dp_free(w, sizeof *w);
}

dp_store_worker *dp_store_worker_get(doppel_store *s) {
    pthread_mutex_lock(&s->pool_lock);
    dp_store_worker *w = s->pool;
    if (w) s->pool = w->next;
    pthread_mutex_unlock(&s->pool_lock);
    if (w) return w;
    w = dp_calloc(1, sizeof *w);
    if (!w) return NULL;
    if (dp_features_init(&w->feat, s->cfg.num_perm, s->keys)) {
        dp_free(w, sizeof *w);
        return NULL;
    }
    w->ready = 1;
    return w;
}

void dp_store_worker_put(doppel_store *s, dp_store_worker *w) {
    if (!w) return;
    pthread_mutex_lock(&s->pool_lock);
    w->next = s->pool;
    s->pool = w;
    pthread_mutex_unlock(&s->pool_lock);
}

void doppel_store_free(doppel_store *s) {
    if (!s) return;
    if (s->env) mdb_env_close(s->env);
    if (s->open_fd >= 0) close(s->open_fd);  /* releases the locks */
    if (s->writer_fd >= 0) close(s->writer_fd);
    while (s->pool) {
        dp_store_worker *w = s->pool;
        s->pool = w->next;
        dp_store_worker_free(s, w);
    }
    pthread_mutex_destroy(&s->write_lock);
    pthread_mutex_destroy(&s->pool_lock);
    pthread_mutex_destroy(&s->story_lock);
    doppel_story_free(s->story_cache);
    dp_free(s->get_buf, s->get_cap);
    dp_free(s->dir, strlen(s->dir) + 1);
    dp_free(s, sizeof *s);
}

/* ---- one writer ------------------------------------------------------------------ */

doppel_status dp_store_write_begin(doppel_store *s, doppel_error *err) {
    if (s->flags & DOPPEL_STORE_READONLY)
        return dp_fail(err, DOPPEL_ERR_STATE, "index %s was opened read-only", s->dir);
    pthread_mutex_lock(&s->write_lock);
    int wait = (s->flags & DOPPEL_STORE_WAIT) != 0;
    int rc;
    while ((rc = flock(s->writer_fd, LOCK_EX | (wait ? 0 : LOCK_NB))) != 0 && errno == EINTR) {
    }
    if (rc != 0) {
        int e = errno;
        pthread_mutex_unlock(&s->write_lock);
        if (e == EWOULDBLOCK)
            return dp_fail(err, DOPPEL_ERR_STATE,
                           "index %s: another process is writing to it; try again when it "
                           "has finished (or wait for it: --wait)", s->dir);
        return dp_fail(err, DOPPEL_ERR_IO, "index %s: lock: %s", s->dir, strerror(e));
    }
    return DOPPEL_OK;
}

void dp_store_write_end(doppel_store *s) {
    flock(s->writer_fd, LOCK_UN);
    pthread_mutex_unlock(&s->write_lock);
}

/* ---- lookups ------------------------------------------------------------------------ */

int dp_store_meta(const doppel_store *s, MDB_txn *txn, uint32_t docnum, dp_meta_head *h,
                  const char **id, const char **source) {
    unsigned int key = docnum;
    MDB_val k = {sizeof key, &key}, v;
    int rc = mdb_get(txn, s->db_meta, &k, &v);
    if (rc) return rc;
    if (v.mv_size < sizeof *h) return MDB_CORRUPTED;
    memcpy(h, v.mv_data, sizeof *h);
    if (v.mv_size != sizeof *h + h->id_len + h->source_len) return MDB_CORRUPTED;
    if (id) *id = (const char *)v.mv_data + sizeof *h;
    if (source) *source = (const char *)v.mv_data + sizeof *h + h->id_len;
    return 0;
}

doppel_status dp_store_fill_match(const doppel_store *s, MDB_txn *txn, uint32_t docnum,
                                  doppel_relation rel, double score, int64_t self_date,
                                  uint32_t self_words, float cover_match, float cover_self,
                                  doppel_store_match *m, doppel_error *err) {
    dp_meta_head h;
    const char *id, *src;
    int rc = dp_store_meta(s, txn, docnum, &h, &id, &src);
    if (rc) return dp_store_mdb_fail(s, err, rc, "reading a document");
    m->docnum = docnum;
    m->relation = rel;
    m->score = score;
    m->id = dp_strndup(id, h.id_len);
    m->outlet = dp_strndup(src, h.source_len);
    if (!m->id || !m->outlet) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    /* the engine's own rule (dp_fstore_source), with docnum as the pair's a */
    m->source = DOPPEL_STORE_SOURCE_NONE;
    if (rel == DOPPEL_REL_CONTAINED || rel == DOPPEL_REL_DERIVED || rel == DOPPEL_REL_PARTIAL)
        m->source = dp_fstore_source(rel, 0, 1, h.date, self_date, cover_match, cover_self,
                                     h.words_len, self_words) == 0
                        ? DOPPEL_STORE_SOURCE_MATCH
                        : DOPPEL_STORE_SOURCE_SELF;
    return DOPPEL_OK;
}

void doppel_store_results_free(doppel_store_result *r, size_t n) {
    for (size_t i = 0; r && i < n; i++) {
        for (size_t j = 0; j < r[i].n_matches; j++) {
            doppel_store_match *m = &r[i].matches[j];
            if (m->id) dp_free(m->id, strlen(m->id) + 1);
            if (m->outlet) dp_free(m->outlet, strlen(m->outlet) + 1);
        }
        free(r[i].matches);
        r[i].matches = NULL;
        r[i].n_matches = 0;
    }
}

/* The relations recorded for docnum (edges to earlier documents). */
static doppel_status doc_matches(doppel_store *s, MDB_txn *txn, uint32_t docnum,
                                 const dp_meta_head *self, doppel_store_result *out,
                                 doppel_error *err) {
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->db_edges, &cur);
    if (rc) return dp_store_mdb_fail(s, err, rc, "reading relations");
    unsigned int key = docnum;
    MDB_val k = {sizeof key, &key}, v;
    doppel_status st = DOPPEL_OK;
    size_t cap = 0;
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0 && !st;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
        dp_edge_val e;
        memcpy(&e, v.mv_data, sizeof e);
        uint32_t a = dp_edge_a(&e);
        dp_meta_head h;
        if (dp_store_meta(s, txn, a, &h, NULL, NULL)) continue;  /* expired */
        if (out->n_matches == cap) {
            size_t nc = cap ? 2 * cap : 8;
            void *p = realloc(out->matches, nc * sizeof *out->matches);
            if (!p) { st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory"); break; }
            out->matches = p;
            cap = nc;
        }
        /* the relation recorded when the pair was verified; its score
         * from the recorded shared count, as when it was found */
        doppel_similarity sim = dp_fstore_edge_similarity(h.set_len, self->set_len, e.shared);
        doppel_store_match *m = &out->matches[out->n_matches];
        *m = (doppel_store_match){0};
        out->n_matches++;
        st = dp_store_fill_match(s, txn, a, (doppel_relation)e.relation,
                                 dp_fstore_score((doppel_relation)e.relation, &sim, h.set_len,
                                                 self->set_len),
                                 self->date, self->words_len, e.cover_a, e.cover_b, m, err);
    }
    mdb_cursor_close(cur);
    return st;
}

doppel_status doppel_store_get(doppel_store *s, const char *id, size_t id_len,
                               doppel_store_docinfo *out, doppel_store_result *matches,
                               doppel_error *err) {
    if (matches) *matches = (doppel_store_result){.status = DOPPEL_OK};
    if (id_len == 0 || id_len > 511) return DOPPEL_END;
    MDB_txn *txn;
    int rc = dp_store_txn_begin(s, MDB_RDONLY, &txn);
    if (rc) return dp_store_mdb_fail(s, err, rc, "reading");
    MDB_val k = {id_len, (void *)id}, v;
    doppel_status st = DOPPEL_OK;
    rc = mdb_get(txn, s->db_ids, &k, &v);
    if (rc == MDB_NOTFOUND) st = DOPPEL_END;
    else if (rc) st = dp_store_mdb_fail(s, err, rc, "looking up an id");
    uint32_t d = 0;
    dp_meta_head h;
    const char *mid = NULL, *src = NULL;
    if (!st) {
        memcpy(&d, v.mv_data, 4);
        rc = dp_store_meta(s, txn, d, &h, &mid, &src);
        if (rc == MDB_NOTFOUND) st = DOPPEL_END;
        else if (rc) st = dp_store_mdb_fail(s, err, rc, "reading a document");
    }
    if (!st) {
        size_t need = (size_t)h.id_len + h.source_len + 2;
        if (need > s->get_cap) {
            char *p = dp_realloc(s->get_buf, s->get_cap, need);
            if (!p) st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
            else { s->get_buf = p; s->get_cap = need; }
        }
    }
    if (!st) {
        memcpy(s->get_buf, mid, h.id_len);
        s->get_buf[h.id_len] = 0;
        memcpy(s->get_buf + h.id_len + 1, src, h.source_len);
        s->get_buf[h.id_len + 1 + h.source_len] = 0;
        *out = (doppel_store_docinfo){d, s->get_buf, h.id_len, s->get_buf + h.id_len + 1,
                                      h.source_len, h.date, h.added, h.batch, h.set_len,
                                      dp_story_of_doc(s, txn, d)};
        if (matches) st = doc_matches(s, txn, d, &h, matches, err);
    }
    mdb_txn_abort(txn);
    return st;
}

doppel_status doppel_store_get_stats(doppel_store *s, doppel_store_stats *out, doppel_error *err) {
    *out = (doppel_store_stats){0};
    MDB_txn *txn;
    int rc = dp_store_txn_begin(s, MDB_RDONLY, &txn);
    if (rc) return dp_store_mdb_fail(s, err, rc, "reading");
    dp_store_counters c;
    doppel_status st = dp_store_read_counters(s, txn, &c, err);
    MDB_envinfo info;
    MDB_stat ms;
    mdb_env_info(s->env, &info);
    mdb_env_stat(s->env, &ms);
    mdb_txn_abort(txn);
    if (st) return st;
    out->docs = c.docs;
    out->added = c.next_doc;
    out->batches = c.batches;
    out->relations = c.relations;
    out->postings = c.postings;
    out->expired = c.expired;
    out->created = c.created;
    out->prefiltered = c.prefiltered;
    out->prefilter_miss = s->cfg.prefilter_miss;
    out->bands = s->bands;
    out->rows = s->rows;
    out->used_bytes = (uint64_t)(info.me_last_pgno + 1) * ms.ms_psize;
    char *p = path_in(s->dir, "data.mdb");
    struct stat sb;
    /* allocated, not apparent: the file is sparse up to the map's size */
    if (p && stat(p, &sb) == 0) out->file_bytes = (uint64_t)sb.st_blocks * 512;
    free(p);
    return DOPPEL_OK;
}

uint64_t dp_story_of_doc(const doppel_store *s, MDB_txn *txn, uint32_t docnum) {
    if (!s->stories) return DOPPEL_STORE_NO_STORY;
    unsigned int key = docnum;
    MDB_val k = {sizeof key, &key}, v;
    uint64_t id;
    if (mdb_get(txn, s->db_story, &k, &v) || v.mv_size != sizeof id) return DOPPEL_STORE_NO_STORY;
    memcpy(&id, v.mv_data, sizeof id);
    return id;
}
