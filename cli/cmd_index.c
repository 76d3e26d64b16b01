/*
 * cmd_index.c — `doppel index`: a live index on disk (the store group of include/doppel.h).
 * create, add, query, export, stats, expire, compact; docs/index.md.
 */
#include "run.h"

#include <getopt.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char index_usage[] =
    "usage: doppel index <verb> DIR ...\n\n"
    "A live index on disk: documents added as they arrive, each matched against every\n"
    "document added before (and the rest of its batch). See docs/index.md.\n\n"
    "  create DIR [matching options]   an empty index; its parameters are fixed for good\n"
    "                                  (the matching options of doppel cluster --help)\n"
    "  add DIR INPUT... [--wait]       add documents in one transaction; one JSON line per\n"
    "                                  document: {\"id\",\"docnum\",\"relations\":[{\"id\",\n"
    "                                  \"relation\",\"score\",\"source\",\"outlet\"}]}; with\n"
    "                                  stories also \"story\" (the lines come at the commit);\n"
    "                                  \"source\": the id of the document the other took from\n"
    "                                  (contained, derived, partial; as in doppel pairs),\n"
    "                                  \"outlet\": the indexed document's outlet\n"
    "  query DIR INPUT...              the same lines for documents not added\n"
    "  export DIR [-o FILE]            one line per document, the fields of doppel cluster:\n"
    "                                  {\"id\",\"cluster\",\"canonical\",\"relation\",\"score\",\n"
    "                                  \"cluster_size\"}\n"
    "  stats DIR                       counts and sizes, as JSON\n"
    "  expire DIR --before DATE | --keep-days N   remove documents dated before (undated:\n"
    "                                  added before) DATE or N days ago\n"
    "  compact DIR                     rewrite the data file without its free pages\n\n"
    "add and query take the input options of doppel cluster (--format, --id-field, ...,\n"
    "-o FILE, -q, --threads N); matching options given there must equal the index's.\n"
    "--wait: wait for another writer instead of failing. A JSONL field \"outlet\" or\n"
    "\"source\" (a string) is kept as the document's outlet (else the input file's name).\n";

/* Documents buffered before they go to the store: the transaction spans all.
 * The store's pipeline (features and verification on other threads beside
 * the matching) fills and drains once per call: 16 chunks of 1,024. */
#define BATCH_DOCS 16384
#define BATCH_BYTES (64u << 20)

typedef struct pending {
    doppel_store_doc *docs;
    char **owned;
    size_t n, bytes;
} pending;

static void pending_clear(pending *p) {
    for (size_t i = 0; i < p->n; i++) free(p->owned[i]);
    p->n = p->bytes = 0;
}

static int pending_add(pending *p, const doppel_record *rec) {
    /* the outlet: "outlet", else "source" (synth's and many feeds' name) */
    size_t srclen = 0;
    char *src = cli_record_field(rec, "\"outlet\"", &srclen);
    if (!src) src = cli_record_field(rec, "\"source\"", &srclen);
    const char *source = src ? src : rec->source;
    if (!src) srclen = rec->source ? strlen(rec->source) : 0;
    size_t title_len = rec->title ? strlen(rec->title) : 0;
    /* one buffer: id, text, source, title, each NUL-terminated */
    size_t need = rec->id_len + rec->text_len + srclen + title_len + 4;
    char *buf = malloc(need);
    if (!buf) { free(src); return -1; }
    char *id = buf, *text = id + rec->id_len + 1, *sp = text + rec->text_len + 1;
    char *tp = sp + srclen + 1;
    memcpy(id, rec->id, rec->id_len);
    id[rec->id_len] = 0;
    memcpy(text, rec->text, rec->text_len);
    text[rec->text_len] = 0;
    if (srclen) memcpy(sp, source, srclen);
    sp[srclen] = 0;
    if (title_len) memcpy(tp, rec->title, title_len);
    tp[title_len] = 0;
    free(src);
    int64_t date = DOPPEL_NO_DATE;
    if (rec->date && doppel_parse_date(rec->date, &date)) date = DOPPEL_NO_DATE;
    p->docs[p->n] = (doppel_store_doc){id, rec->id_len, text, rec->text_len, date, sp, srclen,
                                       rec->title ? tp : NULL, title_len};
    p->owned[p->n] = buf;
    p->n++;
    p->bytes += need;
    return 0;
}

/* The relations of the document with id self: each indexed document's id,
 * relation, score, the source of the pair (as in doppel pairs: the id of
 * the document the other took from; contained, derived, partial only) and
 * the indexed document's outlet (when it has one). */
static void put_matches(FILE *fp, const doppel_store_result *r, const char *self,
                        size_t self_len) {
    fputs("\"relations\":[", fp);
    for (size_t j = 0; j < r->n_matches; j++) {
        const doppel_store_match *m = &r->matches[j];
        fputs(j ? ",{\"id\":" : "{\"id\":", fp);
        cli_json_string(fp, m->id, strlen(m->id));
        fprintf(fp, ",\"relation\":\"%s\",\"score\":", doppel_relation_name(m->relation));
        cli_put_fixed4(fp, m->score);
        if (m->source != DOPPEL_STORE_SOURCE_NONE) {
            fputs(",\"source\":", fp);
            if (m->source == DOPPEL_STORE_SOURCE_SELF) cli_json_string(fp, self, self_len);
            else cli_json_string(fp, m->id, strlen(m->id));
        }
        if (m->outlet[0]) {
            fputs(",\"outlet\":", fp);
            cli_json_string(fp, m->outlet, strlen(m->outlet));
        }
        fputc('}', fp);
    }
    fputc(']', fp);
}

typedef struct run_counts {
    uint64_t read, added, skipped, duplicate_ids, with_relations;
} run_counts;

/* An add's lines held until its commit (an index with stories): each
 * document's story id is known only then (the add is clustered whole). */
typedef struct held {
    FILE *mem;              /* the lines without their closing brace */
    char *buf;
    size_t len;
    size_t *end;            /* where each line ends in buf */
    uint32_t *docnum;
    size_t n, cap;
} held;

static int held_push(held *h, uint32_t docnum) {
    if (h->n == h->cap) {
        size_t cap = h->cap ? 2 * h->cap : 1024;
        size_t *e = realloc(h->end, cap * sizeof *e);
        if (e) h->end = e;
        uint32_t *d = realloc(h->docnum, cap * sizeof *d);
        if (d) h->docnum = d;
        if (!e || !d) return -1;
        h->cap = cap;
    }
    if (fflush(h->mem)) return -1;
    h->end[h->n] = h->len;
    h->docnum[h->n++] = docnum;
    return 0;
}

/* Commit w and print the held lines, each with its story. 0 or 1. */
static int held_commit(doppel_store_writer *w, held *h, FILE *fp) {
    doppel_error err;
    uint64_t *story = h->n ? malloc(h->n * sizeof *story) : NULL;
    if (h->n && !story) {
        doppel_store_abort(w);
        cli_error("out of memory");
        return 1;
    }
    if (doppel_store_commit_stories(w, h->docnum, h->n, story, &err)) {
        cli_error("%s", err.message);
        free(story);
        return 1;
    }
    if (h->mem) fflush(h->mem);
    for (size_t i = 0, at = 0; fp && i < h->n; at = h->end[i++]) {
        fwrite(h->buf + at, 1, h->end[i] - at, fp);
        if (story[i] == DOPPEL_STORE_NO_STORY) fputs(",\"story\":null}\n", fp);
        else fprintf(fp, ",\"story\":%llu}\n", (unsigned long long)story[i]);
    }
    free(story);
    return 0;
}

static void held_free(held *h) {
    if (h->mem) fclose(h->mem);
    free(h->buf);
    free(h->end);
    free(h->docnum);
}

/* Send the pending documents to the store (w non-NULL: add; else check) and
 * print their lines (an add to an index with stories: into h, printed at
 * the commit). 0 or 1. */
static int flush(doppel_store *s, doppel_store_writer *w, pending *p, FILE *fp, run_counts *rc,
                 held *h) {
    int stories = doppel_store_story_options(s) != NULL;
    if (!p->n) return 0;
    doppel_store_result *res = calloc(p->n, sizeof *res);
    if (!res) { cli_error("out of memory"); return 1; }
    doppel_error err;
    doppel_status st = w ? doppel_store_write(w, p->docs, p->n, res, &err)
                         : doppel_store_check(s, p->docs, p->n, res, &err);
    if (st) {
        cli_error("%s", err.message);
        free(res);
        return 1;
    }
    for (size_t i = 0; i < p->n; i++) {
        const doppel_store_result *r = &res[i];
        if (r->status != DOPPEL_OK) {
            cli_warn("%s: skipped: %s", p->docs[i].id,
                     r->status == DOPPEL_ERR_EMPTY ? "no words" : "binary data");
            rc->skipped++;
            continue;
        }
        rc->added += w != NULL;
        rc->duplicate_ids += r->duplicate_id != 0;
        rc->with_relations += r->n_matches > 0;
        if (!fp) continue;
        FILE *line = w && h->mem ? h->mem : fp;
        fputs("{\"id\":", line);
        cli_json_string(line, p->docs[i].id, p->docs[i].id_len);
        if (w) fprintf(line, ",\"docnum\":%u", r->docnum);
        fputc(',', line);
        put_matches(line, r, p->docs[i].id, p->docs[i].id_len);
        if (stories && !w) {  /* query: the indexed story it would join, null: a new one */
            if (r->story == DOPPEL_STORE_NO_STORY) fputs(",\"story\":null", line);
            else fprintf(line, ",\"story\":%llu", (unsigned long long)r->story);
        }
        if (line != fp) {
            /* add with stories: the story, then the brace, at the commit */
            if (held_push(h, r->docnum)) {
                cli_error("out of memory");
                doppel_store_results_free(res, p->n);
                free(res);
                return 1;
            }
        } else fputs("}\n", fp);
    }
    doppel_store_results_free(res, p->n);
    free(res);
    pending_clear(p);
    return 0;
}

/* The store's configuration with the matching options the user changed
 * from their defaults put over it: what this run asks for. */
static doppel_config asked_config(const doppel_config *stored, const doppel_config *parsed) {
    doppel_config def, m = *stored;
    doppel_config_default(&def);
#define OVER(f) if (parsed->f != def.f) m.f = parsed->f
    OVER(shingle_kind); OVER(shingle_size); OVER(sketch); OVER(num_perm); OVER(seed);
    OVER(threshold); OVER(low_threshold); OVER(min_shared); OVER(containment);
    OVER(min_contained); OVER(max_bucket); OVER(canonical); OVER(extract); OVER(verify);
    OVER(cover); OVER(contained_cover); OVER(derived_cover); OVER(derived_spread);
    OVER(partial_words); OVER(join_derived); OVER(prefilter_miss);
#undef OVER
    if (parsed->bands != def.bands || parsed->lsh_threshold != def.lsh_threshold ||
        parsed->threshold != def.threshold || parsed->low_threshold != def.low_threshold ||
        parsed->num_perm != def.num_perm) {
        m.bands = parsed->bands;
        m.rows = parsed->rows;
        m.lsh_threshold = parsed->lsh_threshold;
    }
    return m;
}

/* The story options of this run against the index's: those the user
 * changed from their defaults must equal the index's; --level story or
 * all needs an index with stories. 0 or an exit code. */
static int check_story(doppel_store *s, const cli_common *c) {
    if (c->story_model || c->save_story_model || c->story_state) {
        cli_error("an index keeps its own story state: --story-model, --save-story-model and "
                  "--story-state are not for doppel index");
        return EXIT_USAGE;
    }
    const doppel_story_options *have = doppel_store_story_options(s);
    doppel_story_options def, m;
    doppel_story_options_default(&def);
    doppel_error err;
    if (!have) {
        if (c->level == CLI_LEVEL_COPY) return 0;
        doppel_store_check_story(s, &def, &err);
        cli_error("%s", err.message);
        return EXIT_USAGE;
    }
    m = *have;
    const doppel_story_options *p = &c->story;
#define OVER(f) if (p->f != def.f) m.f = p->f
    OVER(threshold); OVER(short_threshold); OVER(merge_threshold); OVER(top_terms);
    OVER(index_terms); OVER(max_postings); OVER(title_weight); OVER(name_boost);
    OVER(date_boost); OVER(unit_boost); OVER(quote_boost); OVER(window_seconds);
    OVER(expansion); OVER(online);
#undef OVER
    if (doppel_store_check_story(s, &m, &err)) {
        cli_error("%s", err.message);
        return EXIT_USAGE;
    }
    return 0;
}

/* Drop --wait from argv (cli_parse_common does not know it). */
static int take_flag(int *argc, char **argv, const char *flag) {
    int found = 0, j = 0;
    for (int i = 0; i < *argc; i++) {
        if (!strcmp(argv[i], flag)) found = 1;
        else argv[j++] = argv[i];
    }
    *argc = j;
    argv[j] = NULL;
    return found;
}

static int verb_add_or_query(int argc, char **argv, int adding) {
    int wait = take_flag(&argc, argv, "--wait");
    cli_common c;
    int first = cli_parse_common(argc, argv, &c, index_usage);
    if (first == -1) return 0;
    if (first < 0) return EXIT_USAGE;
    if (argc - first < 2) {
        cli_error("index %s needs DIR and at least one INPUT", adding ? "add" : "query");
        return EXIT_USAGE;
    }
    const char *dir = argv[first];
    doppel_error err;
    doppel_store *s;
    if (doppel_store_open(dir, (adding ? 0 : DOPPEL_STORE_READONLY) | (wait ? DOPPEL_STORE_WAIT : 0),
                          &s, &err)) {
        cli_error("%s", err.message);
        return 1;
    }
    doppel_config asked = asked_config(doppel_store_config(s), &c.cfg);
    int story_rc = check_story(s, &c);
    if (story_rc) {
        doppel_store_free(s);
        return story_rc;
    }
    if (doppel_store_check_config(s, &asked, &err)) {
        cli_error("%s", err.message);
        doppel_store_free(s);
        return EXIT_USAGE;
    }
    doppel_store_set_threads(s, c.cfg.threads);
    cli_out out;
    if (cli_out_open(&out, c.output)) {
        doppel_store_free(s);
        return 1;
    }
    doppel_store_writer *w = NULL;
    int rc = 0;
    if (adding && doppel_store_begin(s, &w, &err)) {
        cli_error("%s", err.message);
        rc = 1;
    }
    pending p = {calloc(BATCH_DOCS, sizeof *p.docs), calloc(BATCH_DOCS, sizeof *p.owned), 0, 0};
    if (!p.docs || !p.owned) { cli_error("out of memory"); rc = 1; }
    run_counts counts = {0};
    /* an add to an index with stories prints its lines at the commit */
    held h = {0};
    if (!rc && w && out.fp && doppel_store_story_options(s) &&
        !(h.mem = open_memstream(&h.buf, &h.len))) {
        cli_error("out of memory");
        rc = 1;
    }
    double t0 = cli_now();
    for (int a = first + 1; !rc && a < argc; a++) {
        doppel_reader *r;
        if (doppel_reader_open(argv[a], &c.ropt, &r, &err)) {
            cli_error("%s", err.message);
            rc = 1;
            break;
        }
        doppel_record rec;
        doppel_status st;
        while (!rc && (st = doppel_reader_next(r, &rec, &err)) != DOPPEL_END) {
            counts.read++;
            if (st != DOPPEL_OK) {
                cli_warn("%s", err.message);
                counts.skipped++;
                if (c.strict) rc = 1;
                continue;
            }
            if (pending_add(&p, &rec)) { cli_error("out of memory"); rc = 1; break; }
            if (p.n == BATCH_DOCS || p.bytes >= BATCH_BYTES) rc = flush(s, w, &p, out.fp, &counts, &h);
        }
        doppel_reader_free(r);
    }
    if (!rc) rc = flush(s, w, &p, out.fp, &counts, &h);
    pending_clear(&p);
    free(p.docs);
    free(p.owned);
    if (w) {
        if (rc) doppel_store_abort(w);
        else if (h.mem) rc = held_commit(w, &h, out.fp);
        else if (doppel_store_commit(w, &err)) {
            cli_error("%s", err.message);
            rc = 1;
        }
    }
    held_free(&h);
    if (!rc) rc = cli_out_commit(&out) ? 1 : 0;
    else cli_out_abort(&out);
    double secs = cli_now() - t0;
    if (!rc && !c.quiet)
        fprintf(stderr,
                "doppel: index %s: %llu read, %llu %s, %llu skipped, %llu with relations, "
                "%llu duplicate ids; %.2fs (%.0f docs/s)\n",
                adding ? "add" : "query", (unsigned long long)counts.read,
                (unsigned long long)(adding ? counts.added : counts.read - counts.skipped),
                adding ? "added" : "checked", (unsigned long long)counts.skipped,
                (unsigned long long)counts.with_relations,
                (unsigned long long)counts.duplicate_ids, secs,
                secs > 0 ? (double)counts.read / secs : 0.0);
    doppel_store_free(s);
    return rc;
}

static int verb_create(int argc, char **argv) {
    cli_common c;
    int first = cli_parse_common(argc, argv, &c, index_usage);
    if (first == -1) return 0;
    if (first < 0) return EXIT_USAGE;
    if (argc - first != 1) {
        cli_error("index create needs DIR (and matching options only)");
        return EXIT_USAGE;
    }
    if (c.story_model || c.save_story_model || c.story_state) {
        cli_error("an index keeps its own story state: --story-model, --save-story-model and "
                  "--story-state are not for doppel index");
        return EXIT_USAGE;
    }
    doppel_error err;
    if (doppel_store_create_stories(argv[first], &c.cfg,
                                    c.level == CLI_LEVEL_COPY ? NULL : &c.story, &err)) {
        cli_error("%s", err.message);
        return err.code == DOPPEL_ERR_ARG ? EXIT_USAGE : 1;
    }
    return 0;
}

typedef struct export_ctx {
    FILE *fp;
    int stories;
} export_ctx;

static int export_row(const doppel_store_row *r, void *user) {
    FILE *fp = ((export_ctx *)user)->fp;
    fputs_unlocked("{\"id\":", fp);
    cli_json_string(fp, r->id, r->id_len);
    fputs_unlocked(",\"cluster\":", fp);
    cli_put_u32(fp, r->cluster);
    fputs_unlocked(",\"canonical\":", fp);
    cli_json_string(fp, r->canonical, r->canonical_len);
    fputs_unlocked(",\"relation\":\"", fp);
    fputs_unlocked(r->cluster_size == 1 ? "unique" : doppel_relation_name(r->relation), fp);
    fputs_unlocked("\",\"score\":", fp);
    cli_put_fixed4(fp, r->score);
    fputs_unlocked(",\"cluster_size\":", fp);
    cli_put_u32(fp, r->cluster_size);
    if (((export_ctx *)user)->stories) {  /* as doppel cluster --level all */
        fputs_unlocked(",\"story\":", fp);
        cli_put_u64(fp, r->story);
    }
    fputs_unlocked("}\n", fp);
    return 0;
}

/* Options of the verbs that take no matching options. */
typedef struct small_opts {
    const char *output, *before;
    double keep_days;
    int wait, have_keep;
} small_opts;

static int parse_small(int argc, char **argv, small_opts *o, const char *verb) {
    static const struct option opts[] = {
        {"help", no_argument, 0, 'h'}, {"output", required_argument, 0, 'o'},
        {"before", required_argument, 0, 'b'}, {"keep-days", required_argument, 0, 'k'},
        {"wait", no_argument, 0, 'w'}, {0, 0, 0, 0}};
    *o = (small_opts){"-", NULL, 0, 0, 0};
    optind = 0;
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
        switch (opt) {
        case 'h': fputs(index_usage, stdout); return -1;
        case 'o': o->output = optarg; break;
        case 'b': o->before = optarg; break;
        case 'k': {
            char *end;
            o->keep_days = strtod(optarg, &end);
            if (*end || !(o->keep_days >= 0)) {
                cli_error("--keep-days %s: expected a number of days", optarg);
                return -2;
            }
            o->have_keep = 1;
            break;
        }
        case 'w': o->wait = 1; break;
        case ':': cli_error("option %s needs a value", argv[optind - 1]); return -2;
        default: cli_error("unknown option %s for index %s", argv[optind - 1], verb); return -2;
        }
    }
    if (argc - optind != 1) {
        cli_error("index %s needs DIR", verb);
        return -2;
    }
    return optind;
}

static int verb_small(int argc, char **argv, const char *verb) {
    small_opts o;
    int first = parse_small(argc, argv, &o, verb);
    if (first == -1) return 0;
    if (first < 0) return EXIT_USAGE;
    int writes = !strcmp(verb, "expire") || !strcmp(verb, "compact");
    int64_t before = 0;
    if (!strcmp(verb, "expire")) {
        if (!!o.before == !!o.have_keep) {
            cli_error("index expire needs one of --before DATE and --keep-days N");
            return EXIT_USAGE;
        }
        if (o.before && doppel_parse_date(o.before, &before)) {
            cli_error("--before %s: not a date (2024-01-31, 2024-01-31T12:00:00Z or epoch seconds)",
                      o.before);
            return EXIT_USAGE;
        }
        if (o.have_keep) before = (int64_t)time(NULL) - (int64_t)(o.keep_days * 86400);
    }
    doppel_error err;
    doppel_store *s;
    if (doppel_store_open(argv[first], (writes ? 0 : DOPPEL_STORE_READONLY) |
                                           (o.wait ? DOPPEL_STORE_WAIT : 0), &s, &err)) {
        cli_error("%s", err.message);
        return 1;
    }
    int rc = 0;
    if (!strcmp(verb, "export")) {
        cli_out out;
        if (cli_out_open(&out, o.output)) rc = 1;
        else {
            export_ctx x = {out.fp, doppel_store_story_options(s) != NULL};
            if (doppel_store_export(s, export_row, &x, &err)) {
                cli_error("%s", err.message);
                cli_out_abort(&out);
                rc = 1;
            } else rc = cli_out_commit(&out) ? 1 : 0;
        }
    } else if (!strcmp(verb, "stats")) {
        doppel_store_stats st;
        if (doppel_store_get_stats(s, &st, &err)) {
            cli_error("%s", err.message);
            rc = 1;
        } else {
            const doppel_config *cfg = doppel_store_config(s);
            printf("{\"docs\":%llu,\"added\":%llu,\"batches\":%llu,\"relations\":%llu,"
                   "\"postings\":%llu,\"expired\":%llu,\"file_bytes\":%llu,\"used_bytes\":%llu,"
                   "\"bytes_per_doc\":%.0f,\"format\":%d,\"bands\":%u,\"rows\":%u,"
                   "\"ngram\":%u,\"threshold\":%g,\"created\":%lld,\"prefilter_miss\":%g,"
                   "\"prefiltered\":%llu}\n",
                   (unsigned long long)st.docs, (unsigned long long)st.added,
                   (unsigned long long)st.batches, (unsigned long long)st.relations,
                   (unsigned long long)st.postings, (unsigned long long)st.expired,
                   (unsigned long long)st.file_bytes, (unsigned long long)st.used_bytes,
                   st.docs ? (double)st.used_bytes / (double)st.docs : 0.0, DOPPEL_STORE_FORMAT,
                   st.bands, st.rows, cfg->shingle_size, cfg->threshold, (long long)st.created,
                   st.prefilter_miss, (unsigned long long)st.prefiltered);
        }
    } else if (!strcmp(verb, "expire")) {
        uint64_t removed;
        if (doppel_store_expire(s, before, &removed, &err)) {
            cli_error("%s", err.message);
            rc = 1;
        } else fprintf(stderr, "doppel: index expire: %llu documents removed\n",
                       (unsigned long long)removed);
    } else {
        uint64_t b0, b1;
        if (doppel_store_compact(s, &b0, &b1, &err)) {
            cli_error("%s", err.message);
            rc = 1;
        } else fprintf(stderr, "doppel: index compact: %llu -> %llu bytes\n",
                       (unsigned long long)b0, (unsigned long long)b1);
    }
    doppel_store_free(s);
    return rc;
}

int cmd_index(int argc, char **argv) {
    if (argc < 2) {
        fputs(index_usage, stderr);
        return EXIT_USAGE;
    }
    const char *verb = argv[1];
    if (!strcmp(verb, "--help") || !strcmp(verb, "-h")) {
        fputs(index_usage, stdout);
        return 0;
    }
    if (!strcmp(verb, "create")) return verb_create(argc - 1, argv + 1);
    if (!strcmp(verb, "add")) return verb_add_or_query(argc - 1, argv + 1, 1);
    if (!strcmp(verb, "query")) return verb_add_or_query(argc - 1, argv + 1, 0);
    if (!strcmp(verb, "export") || !strcmp(verb, "stats") || !strcmp(verb, "expire") ||
        !strcmp(verb, "compact"))
        return verb_small(argc - 1, argv + 1, verb);
    cli_error("index: unknown verb '%s' (create, add, query, export, stats, expire, compact)", verb);
    return EXIT_USAGE;
}
