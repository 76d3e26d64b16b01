/*
 * cmd_serve.c — `doppel serve DIR --listen HOST:PORT`: the index over HTTP
 * (GNU libmicrohttpd, a thread pool). docs/api.md and docs/openapi.yaml
 * describe the API:
 *   POST /v1/check   a JSON document or an array of them -> their relations
 *   POST /v1/add     the same, and the documents are added (one transaction)
 *   GET  /v1/doc/ID  one indexed document and its relations
 *   GET  /v1/stats   counts and sizes
 *   GET  /healthz    {"status":"ok"}
 * Errors are {"error":{"code":N,"message":"..."}} with that HTTP status.
 * Bounded: request bodies (--max-body), documents per request, connections,
 * the time a request may take (--timeout); SIGTERM or SIGINT stops
 * accepting, lets requests in flight finish, and exits 0.
 */
#include "cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char serve_usage[] =
    "usage: doppel serve DIR --listen HOST:PORT [options]\n\n"
    "Answer checks and adds over HTTP from the index in DIR (doppel index create).\n"
    "API: docs/api.md (POST /v1/check, POST /v1/add, GET /v1/doc/ID, GET /v1/stats,\n"
    "GET /healthz). SIGTERM finishes the requests in flight and exits.\n\n"
    "  --listen HOST:PORT  IPv4 address and port (port 0: any free one; the port is\n"
    "                      printed on stderr as \"listening on HOST:PORT\")\n"
    "  --threads N         worker threads (default 4)\n"
    "  --max-body N        largest request body in bytes (default 16M; K/M suffixes)\n"
    "  --max-docs N        most documents in one request (default 1000)\n"
    "  --timeout S         seconds a request may take, and a connection may idle\n"
    "                      (default 10)\n"
    "  --max-connections N (default 512)\n"
    "  --read-only         refuse /v1/add\n";

typedef struct server {
    doppel_store *store;
    size_t max_body, max_docs;
    unsigned timeout;
    int read_only;
    atomic_int in_flight;
} server;

typedef struct request {
    char *body;
    size_t len, cap;
    int too_large;
    double start;
    int counted;
} request;

/* ---- responses ---------------------------------------------------------------- */

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned code, json_t *j) {
    char *text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text) return MHD_NO;
    size_t n = strlen(text);
    char *body = realloc(text, n + 2);
    if (!body) { free(text); return MHD_NO; }
    body[n] = '\n';
    body[n + 1] = 0;
    struct MHD_Response *r = MHD_create_response_from_buffer(n + 1, body, MHD_RESPMEM_MUST_FREE);
    if (!r) { free(body); return MHD_NO; }
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(c, code, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static enum MHD_Result send_error(struct MHD_Connection *c, unsigned code, const char *fmt, ...) {
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return send_json(c, code, json_pack("{s:{s:i,s:s}}", "error", "code", (int)code, "message", msg));
}

/* The relations of the document with id self (see put_matches in
 * cmd_index.c: the same fields). */
static json_t *matches_json(const doppel_store_result *r, const char *self, size_t self_len) {
    json_t *a = json_array();
    for (size_t j = 0; j < r->n_matches; j++) {
        const doppel_store_match *m = &r->matches[j];
        json_t *o = json_pack("{s:s,s:s,s:f}", "id", m->id, "relation",
                              doppel_relation_name(m->relation), "score",
                              (double)(int)(m->score * 10000 + 0.5) / 10000);
        /* as in doppel pairs: the id of the document the other took from */
        if (m->source == DOPPEL_STORE_SOURCE_SELF)
            json_object_set_new(o, "source", json_stringn(self, self_len));
        else if (m->source == DOPPEL_STORE_SOURCE_MATCH)
            json_object_set_new(o, "source", json_string(m->id));
        if (m->outlet[0]) json_object_set_new(o, "outlet", json_string(m->outlet));
        json_array_append_new(a, o);
    }
    return a;
}

/* ---- POST /v1/check and /v1/add ------------------------------------------------------ */

/* A document's fields from its JSON object; NULL or an error message. */
static const char *doc_from_json(json_t *o, size_t i, int need_id, doppel_store_doc *d,
                                 char *idbuf, size_t idcap) {
    if (!json_is_object(o)) return "each document must be a JSON object";
    json_t *text = json_object_get(o, "text"), *id = json_object_get(o, "id");
    json_t *date = json_object_get(o, "date"), *src = json_object_get(o, "outlet");
    if (!src) src = json_object_get(o, "source");  /* synth's and many feeds' name */
    json_t *title = json_object_get(o, "title");
    if (!json_is_string(text)) return "a document needs \"text\" (a string)";
    *d = (doppel_store_doc){0};
    d->text = json_string_value(text);
    d->text_len = json_string_length(text);
    if (json_is_string(id)) {
        d->id = json_string_value(id);
        d->id_len = json_string_length(id);
    } else if (json_is_integer(id)) {
        d->id_len = (size_t)snprintf(idbuf, idcap, "%lld", (long long)json_integer_value(id));
        d->id = idbuf;
    } else if (id && !json_is_null(id)) {
        return "\"id\" must be a string or an integer";
    } else if (need_id) {
        return "a document to add needs \"id\"";
    } else {
        d->id_len = (size_t)snprintf(idbuf, idcap, "%zu", i);
        d->id = idbuf;
    }
    if (d->id_len == 0) return "\"id\" must not be empty";
    d->date = DOPPEL_NO_DATE;
    if (json_is_string(date)) {
        if (doppel_parse_date(json_string_value(date), &d->date)) return "\"date\" is not a date";
    } else if (json_is_integer(date)) {
        char buf[32];
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(date));
        if (doppel_parse_date(buf, &d->date)) return "\"date\" is not a date";
    } else if (date && !json_is_null(date)) {
        return "\"date\" must be a string or a number";
    }
    if (json_is_string(src)) {
        d->outlet = json_string_value(src);
        d->outlet_len = json_string_length(src);
    }
    if (json_is_string(title)) {
        d->title = json_string_value(title);
        d->title_len = json_string_length(title);
    } else if (title && !json_is_null(title)) {
        return "\"title\" must be a string";
    }
    return NULL;
}

static enum MHD_Result post_docs(server *sv, struct MHD_Connection *c, request *rq, int adding) {
    if (adding && sv->read_only) return send_error(c, 403, "this server is read-only");
    json_error_t jerr;
    json_t *root = json_loadb(rq->body ? rq->body : "", rq->len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) return send_error(c, 400, "invalid JSON at byte %d: %s", jerr.position, jerr.text);
    int single = !json_is_array(root);
    size_t n = single ? 1 : json_array_size(root);
    if (n == 0) {
        json_decref(root);
        return send_json(c, 200, json_array());
    }
    if (n > sv->max_docs) {
        json_decref(root);
        return send_error(c, 413, "%zu documents in one request; at most %zu", n, sv->max_docs);
    }
    doppel_store_doc *docs = calloc(n, sizeof *docs);
    doppel_store_result *res = calloc(n, sizeof *res);
    char (*ids)[24] = calloc(n, sizeof *ids);
    if (!docs || !res || !ids) {
        free(docs); free(res); free(ids);
        json_decref(root);
        return send_error(c, 500, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const char *bad = doc_from_json(single ? root : json_array_get(root, i), i, adding,
                                        &docs[i], ids[i], sizeof ids[i]);
        if (bad) {
            free(docs); free(res); free(ids);
            json_decref(root);
            return single ? send_error(c, 400, "%s", bad)
                          : send_error(c, 400, "document %zu: %s", i, bad);
        }
    }
    doppel_error err;
    doppel_status st = adding ? doppel_store_add(sv->store, docs, n, res, &err)
                              : doppel_store_check(sv->store, docs, n, res, &err);
    enum MHD_Result ret;
    if (st) {
        ret = send_error(c, st == DOPPEL_ERR_STATE ? 503 : 500, "%s", err.message);
    } else {
        json_t *out = json_array();
        for (size_t i = 0; i < n; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "id", json_stringn(docs[i].id, docs[i].id_len));
            if (res[i].status == DOPPEL_OK) {
                json_object_set_new(o, "status", json_string(adding ? "added" : "checked"));
                if (adding) json_object_set_new(o, "docnum", json_integer(res[i].docnum));
                if (res[i].duplicate_id) json_object_set_new(o, "duplicate_id", json_true());
            } else {
                json_object_set_new(o, "status", json_string(res[i].status == DOPPEL_ERR_EMPTY
                                                                  ? "empty" : "binary"));
            }
            json_object_set_new(o, "relations", matches_json(&res[i], docs[i].id, docs[i].id_len));
            /* stories: the story given (add) or the indexed story it would
             * join (check; null: a new story) */
            if (doppel_store_story_options(sv->store) && res[i].status == DOPPEL_OK)
                json_object_set_new(o, "story", res[i].story == DOPPEL_STORE_NO_STORY
                                                    ? json_null()
                                                    : json_integer((json_int_t)res[i].story));
            json_array_append_new(out, o);
        }
        if (single) {
            json_t *one = json_incref(json_array_get(out, 0));
            json_decref(out);
            out = one;
        }
        ret = send_json(c, 200, out);
    }
    doppel_store_results_free(res, n);
    free(docs); free(res); free(ids);
    json_decref(root);
    return ret;
}

/* ---- GET ----------------------------------------------------------------------------- */

static enum MHD_Result get_doc(server *sv, struct MHD_Connection *c, const char *id) {
    doppel_store_docinfo info;
    doppel_store_result m;
    doppel_error err;
    /* The handle's strings are per call: one lookup at a time per handle. */
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&lock);
    doppel_status st = doppel_store_get(sv->store, id, strlen(id), &info, &m, &err);
    enum MHD_Result ret;
    if (st == DOPPEL_END) ret = send_error(c, 404, "no document with this id");
    else if (st) ret = send_error(c, 500, "%s", err.message);
    else {
        json_t *o = json_pack("{s:s%,s:I,s:I,s:I,s:I}", "id", info.id, info.id_len, "docnum",
                              (json_int_t)info.docnum, "added", (json_int_t)info.added, "batch",
                              (json_int_t)info.batch, "shingles", (json_int_t)info.shingles);
        if (info.outlet_len)
            json_object_set_new(o, "outlet", json_stringn(info.outlet, info.outlet_len));
        json_object_set_new(o, "date", info.date == DOPPEL_NO_DATE ? json_null()
                                                                   : json_integer(info.date));
        if (info.story != DOPPEL_STORE_NO_STORY)
            json_object_set_new(o, "story", json_integer((json_int_t)info.story));
        json_object_set_new(o, "relations", matches_json(&m, info.id, info.id_len));
        ret = send_json(c, 200, o);
    }
    pthread_mutex_unlock(&lock);
    doppel_store_results_free(&m, 1);
    return ret;
}

static enum MHD_Result get_stats(server *sv, struct MHD_Connection *c) {
    doppel_store_stats s;
    doppel_error err;
    if (doppel_store_get_stats(sv->store, &s, &err)) return send_error(c, 500, "%s", err.message);
    return send_json(c, 200, json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:i,s:i}", "docs",
                                       (json_int_t)s.docs, "added", (json_int_t)s.added,
                                       "batches", (json_int_t)s.batches, "relations",
                                       (json_int_t)s.relations, "expired", (json_int_t)s.expired,
                                       "file_bytes", (json_int_t)s.file_bytes, "used_bytes",
                                       (json_int_t)s.used_bytes, "bands", (int)s.bands, "rows",
                                       (int)s.rows));
}

/* ---- the handler --------------------------------------------------------------------------- */

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls) {
    server *sv = cls;
    request *rq = *con_cls;
    if (!rq) {
        if (!(rq = calloc(1, sizeof *rq))) return MHD_NO;
        rq->start = cli_now();
        rq->counted = 1;
        atomic_fetch_add(&sv->in_flight, 1);
        *con_cls = rq;
        return MHD_YES;
    }
    int post = !strcmp(method, MHD_HTTP_METHOD_POST);
    if (*upload_size) {
        /* Bodies over the limit are read and dropped, then refused. */
        if (!rq->too_large && rq->len + *upload_size > sv->max_body) {
            rq->too_large = 1;
            free(rq->body);
            rq->body = NULL;
            rq->len = rq->cap = 0;
        }
        if (!rq->too_large) {
            if (rq->len + *upload_size > rq->cap) {
                size_t nc = rq->cap ? rq->cap : 4096;
                while (nc < rq->len + *upload_size) nc *= 2;
                char *p = realloc(rq->body, nc);
                if (!p) return MHD_NO;
                rq->body = p;
                rq->cap = nc;
            }
            memcpy(rq->body + rq->len, upload, *upload_size);
            rq->len += *upload_size;
        }
        *upload_size = 0;
        if (cli_now() - rq->start > sv->timeout) return MHD_NO; /* too slow: drop */
        return MHD_YES;
    }
    if (rq->too_large)
        return send_error(c, 413, "request body over %zu bytes", sv->max_body);
    if (!strcmp(url, "/healthz")) {
        if (post) return send_error(c, 405, "use GET");
        return send_json(c, 200, json_pack("{s:s}", "status", "ok"));
    }
    if (!strcmp(url, "/v1/stats")) {
        if (post) return send_error(c, 405, "use GET");
        return get_stats(sv, c);
    }
    if (!strncmp(url, "/v1/doc/", 8)) {
        if (post) return send_error(c, 405, "use GET");
        return get_doc(sv, c, url + 8);
    }
    if (!strcmp(url, "/v1/check") || !strcmp(url, "/v1/add")) {
        if (!post) return send_error(c, 405, "use POST with a JSON body");
        return post_docs(sv, c, rq, url[4] == 'a');
    }
    return send_error(c, 404, "no such endpoint: %s", url);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode why) {
    server *sv = cls;
    request *rq = *con_cls;
    if (!rq) return;
    if (rq->counted) atomic_fetch_sub(&sv->in_flight, 1);
    free(rq->body);
    free(rq);
    *con_cls = NULL;
}

static int parse_size(const char *s, const char *name, unsigned long long lo,
                      unsigned long long hi, unsigned long long *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end == 'K' || *end == 'k') { v <<= 10; end++; }
    else if (*end == 'M' || *end == 'm') { v <<= 20; end++; }
    if (errno || end == s || *end || v < lo || v > hi) {
        cli_error("--%s %s: expected a number from %llu to %llu", name, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

int cmd_serve(int argc, char **argv) {
    static const struct option opts[] = {
        {"help", no_argument, 0, 'h'},           {"listen", required_argument, 0, 'l'},
        {"threads", required_argument, 0, 't'},  {"max-body", required_argument, 0, 'b'},
        {"max-docs", required_argument, 0, 'd'}, {"timeout", required_argument, 0, 'T'},
        {"max-connections", required_argument, 0, 'c'},
        {"read-only", no_argument, 0, 'r'},      {0, 0, 0, 0}};
    const char *listen_on = NULL;
    unsigned long long threads = 4, max_body = 16u << 20, max_docs = 1000, timeout = 10,
                       max_conn = 512;
    int read_only = 0, opt;
    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': fputs(serve_usage, stdout); return 0;
        case 'l': listen_on = optarg; break;
        case 't': if (parse_size(optarg, "threads", 1, 256, &threads)) return EXIT_USAGE; break;
        case 'b': if (parse_size(optarg, "max-body", 1024, 1ull << 32, &max_body)) return EXIT_USAGE; break;
        case 'd': if (parse_size(optarg, "max-docs", 1, 1000000, &max_docs)) return EXIT_USAGE; break;
        case 'T': if (parse_size(optarg, "timeout", 1, 86400, &timeout)) return EXIT_USAGE; break;
        case 'c': if (parse_size(optarg, "max-connections", 1, 65536, &max_conn)) return EXIT_USAGE; break;
        case 'r': read_only = 1; break;
        case ':': cli_error("option %s needs a value", argv[optind - 1]); return EXIT_USAGE;
        default: cli_error("unknown option %s (see doppel serve --help)", argv[optind - 1]); return EXIT_USAGE;
        }
    }
    if (argc - optind != 1 || !listen_on) {
        cli_error("serve needs DIR and --listen HOST:PORT");
        return EXIT_USAGE;
    }
    const char *colon = strrchr(listen_on, ':');
    char host[64];
    unsigned long long port;
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    if (!colon || (size_t)(colon - listen_on) >= sizeof host) {
        cli_error("--listen %s: expected HOST:PORT (IPv4), e.g. 127.0.0.1:8080", listen_on);
        return EXIT_USAGE;
    }
    memcpy(host, listen_on, (size_t)(colon - listen_on));
    host[colon - listen_on] = 0;
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1 ||
        parse_size(colon + 1, "listen port", 0, 65535, &port)) {
        cli_error("--listen %s: expected HOST:PORT (IPv4), e.g. 127.0.0.1:8080", listen_on);
        return EXIT_USAGE;
    }
    addr.sin_port = htons((uint16_t)port);

    server sv = {NULL, (size_t)max_body, (size_t)max_docs, (unsigned)timeout, read_only, 0};
    doppel_error err;
    if (doppel_store_open(argv[optind], (read_only ? DOPPEL_STORE_READONLY : 0) | DOPPEL_STORE_WAIT,
                          &sv.store, &err)) {
        cli_error("%s", err.message);
        return 1;
    }
    /* Features of an add's documents are computed on the request's thread. */
    doppel_store_set_threads(sv.store, 1);
    /* SIGTERM and SIGINT are taken by sigwait below, in no other thread. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL, handle, &sv,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)timeout,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)max_conn,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024,
        MHD_OPTION_NOTIFY_COMPLETED, completed, &sv,
        MHD_OPTION_END);
    if (!d) {
        cli_error("serve: cannot listen on %s: %s", listen_on, strerror(errno));
        doppel_store_free(sv.store);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    fprintf(stderr, "doppel: listening on %s:%u\n", host, info ? info->port : (unsigned)port);
    fflush(stderr);
    int sig = 0;
    sigwait(&sigs, &sig);
    /* Stop accepting; requests in flight finish (bounded by the timeout). */
    MHD_quiesce_daemon(d);
    double until = cli_now() + (double)timeout + 1;
    while (atomic_load(&sv.in_flight) > 0 && cli_now() < until) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    int left = atomic_load(&sv.in_flight);
    MHD_stop_daemon(d);
    doppel_store_free(sv.store);
    fprintf(stderr, "doppel: serve stopped (%s)%s\n", sig == SIGTERM ? "SIGTERM" : "SIGINT",
            left > 0 ? "; requests still open at the timeout were dropped" : "");
    return 0;
}
