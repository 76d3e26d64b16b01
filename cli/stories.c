/*
 * stories.c — the story level in the CLI: two more passes over the input
 * after the copy level, and `doppel stories`, which prints each story.
 */
#include "run.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

/* The title of document docnum, for its story's headline. */
static int keep_title(cli_common *c, uint32_t docnum, const char *title, size_t len) {
    if (docnum >= c->ntitles) {
        uint32_t n = c->ntitles ? c->ntitles : 1024;
        while (n <= docnum) n *= 2;
        char **p = realloc(c->titles, n * sizeof *p);
        if (!p) return -1;
        memset(p + c->ntitles, 0, (n - c->ntitles) * sizeof *p);
        c->titles = p;
        c->ntitles = n;
    }
    while (len && (title[len - 1] == ' ' || title[len - 1] == '\n')) len--;
    return (c->titles[docnum] = strndup(title, len)) ? 0 : -1;
}

/* One pass over the indexed records, feeding each to the story clusterer. */
static int story_pass(cli_common *c, const doppel_index *idx, const uint8_t *bits,
                      doppel_story *st, int adding) {
    doppel_reader *reader = NULL;
    doppel_extractor *ex = NULL;
    doppel_error err = {0};
    if (cli_open_pass(c, c->cfg.extract, &reader, &ex)) return 1;
    doppel_extract_options xopt;
    doppel_extract_options_default(&xopt);
    uint64_t ordinal = 0;
    uint32_t docnum = 0;
    int rc = 0;
    for (;;) {
        doppel_record rec;
        doppel_status s = doppel_reader_next(reader, &rec, &err);
        if (s == DOPPEL_END) break;
        uint64_t i = ordinal++;
        if (!bits || !(bits[i >> 3] & (1u << (i & 7)))) continue;
        if (s != DOPPEL_OK) {
            cli_error("input changed between passes (record %llu)", (unsigned long long)i + 1);
            rc = 1;
            break;
        }
        const char *text = rec.text, *title = rec.title;
        size_t text_len = rec.text_len;
        int64_t date = DOPPEL_NO_DATE;
        if (rec.date && doppel_parse_date(rec.date, &date)) date = DOPPEL_NO_DATE;
        doppel_extract_result xr;
        if (ex && doppel_extract(ex, rec.text, rec.text_len, &xopt, &xr, NULL) == DOPPEL_OK) {
            text = xr.text;
            text_len = xr.text_len;
            if (!title) title = xr.title;
            if (date == DOPPEL_NO_DATE && xr.date && doppel_parse_date(xr.date, &date))
                date = DOPPEL_NO_DATE;
        }
        size_t title_len = title ? strlen(title) : 0;
        if (adding) {
            doppel_doc_result r;
            if (doppel_index_result(idx, docnum, &r) != DOPPEL_OK) {
                cli_error("input changed between passes (record %llu)", (unsigned long long)i + 1);
                rc = 1;
                break;
            }
            s = doppel_story_add(st, docnum, title, title_len, text, text_len, date, r.cluster, &err);
            if (!s && c->want_titles && title_len && keep_title(c, docnum, title, title_len)) {
                cli_error("out of memory");
                rc = 1;
                break;
            }
        } else {
            s = doppel_story_learn(st, title, title_len, text, text_len, &err);
        }
        if (s) {
            cli_error("%s", err.message);
            rc = 1;
            break;
        }
        docnum++;
    }
    doppel_extractor_free(ex);
    doppel_reader_free(reader);
    return rc;
}

/* --story-model: start from saved counts. */
static int read_model(const char *path, doppel_story *st) {
    FILE *fp = fopen(path, "r");
    if (!fp) {
        cli_error("cannot open story model %s: %s", path, strerror(errno));
        return 1;
    }
    doppel_error err = {0};
    int rc = doppel_story_read_model(st, fp, path, &err) != DOPPEL_OK;
    if (rc) cli_error("%s", err.message);
    fclose(fp);
    return rc;
}

typedef doppel_status (*story_writer)(const doppel_story *, FILE *, doppel_error *);

/* --save-story-model and --story-state: written whole or not at all. */
static int save_story_file(const char *path, story_writer write, const doppel_story *st) {
    cli_out out;
    if (cli_out_open(&out, path)) return 1;
    doppel_error err = {0};
    if (write(st, out.fp, &err)) {
        cli_error("%s", err.message);
        cli_out_abort(&out);
        return 1;
    }
    return cli_out_commit(&out) ? 1 : 0;
}

/* --story-state: the stories and counts of earlier runs. A state that does
 * not exist yet is the first run of a feed; one that cannot be read stops
 * the run, so that it is never overwritten by a state that forgot it. The
 * file stays open and locked until the run ends: a second run on the same
 * state (an hourly job that overran its hour) stops at once instead of
 * saving over the first one's stories. */
static int read_state(cli_common *c, doppel_story *st) {
    FILE *fp = fopen(c->story_state, "r");
    if (fp && flock(fileno(fp), LOCK_EX | LOCK_NB)) {
        if (errno == EWOULDBLOCK)
            cli_error("story state %s is in use by another doppel run", c->story_state);
        else
            cli_error("cannot lock story state %s: %s", c->story_state, strerror(errno));
        fclose(fp);
        return 1;
    }
    if (!fp) {
        if (errno != ENOENT) {
            cli_error("cannot open story state %s: %s", c->story_state, strerror(errno));
            return 1;
        }
        if (!c->quiet)
            cli_warn("story state %s does not exist yet: starting a new one", c->story_state);
        return 0;
    }
    doppel_error err = {0};
    int rc = doppel_story_read_state(st, fp, c->story_state, &err) != DOPPEL_OK;
    if (rc) {
        cli_error("%s", err.message);
        fclose(fp);
        return 1;
    }
    c->story_state_fp = fp;
    return 0;
}

int cli_save_story_state(const cli_common *c, const doppel_story *st) {
    return c->story_state ? save_story_file(c->story_state, doppel_story_write_state, st) : 0;
}

uint64_t *cli_story_ids(const doppel_story *st) {
    uint32_t ns = doppel_story_count(st);
    uint64_t *ids = malloc(((size_t)ns + 1) * sizeof *ids);
    if (!ids) {
        cli_error("out of memory");
        return NULL;
    }
    for (uint32_t s = 0; s < ns; s++) {
        doppel_story_info inf;
        doppel_story_get_info(st, s, &inf);
        ids[s] = inf.id;
    }
    return ids;
}

int cli_build_stories(cli_common *c, const doppel_index *idx, const uint8_t *bits,
                      doppel_story **out) {
    doppel_error err = {0};
    doppel_story *st = doppel_story_new(&c->story, &err);
    if (!st) {
        cli_error("%s", err.message);
        return 1;
    }
    int rc = c->story_model ? read_model(c->story_model, st) : 0;
    if (!rc && c->story_state) rc = read_state(c, st);
    if (!rc) rc = story_pass(c, idx, bits, st, 0);
    if (!rc) rc = story_pass(c, idx, bits, st, 1);
    if (!rc && doppel_story_finish(st, &err)) {
        cli_error("%s", err.message);
        rc = 1;
    }
    if (!rc && c->save_story_model) rc = save_story_file(c->save_story_model, doppel_story_write_model, st);
    if (rc) {
        doppel_story_free(st);
        return rc;
    }
    *out = st;
    return 0;
}

static const char stories_usage[] =
    "usage: doppel stories [options] INPUT...\n\n"
    "Group the documents into news stories (articles about one event, in any words)\n"
    "and write one JSON line per story, largest first:\n"
    "  {\"story\", \"size\", \"first_date\", \"last_date\", \"terms\", \"headline\", \"copies\"}\n"
    "terms are the story's top terms; headline the title of its most copied report\n"
    "(null when none has a title); copies lists the member ids grouped by copy\n"
    "cluster (exact, near and contained copies together), canonical first.\n"
    "With --story-state FILE the stories continue those of earlier runs: a story\n"
    "that continues one keeps its id, and \"earlier\" counts its documents of\n"
    "earlier runs (0: a new story).\n"
    "Takes the input and matching options of `doppel cluster --help`.\n";

static void write_date(FILE *fp, int64_t t) {
    if (t == DOPPEL_NO_DATE) {
        fputs("null", fp);
        return;
    }
    /* civil from days: the inverse of doppel_parse_date's */
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400, secs = t - days * 86400;
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    fprintf(fp, "\"%04lld-%02lld-%02lldT%02lld:%02lld:%02lldZ\"", (long long)(y + (m <= 2)),
            (long long)m, (long long)d, (long long)(secs / 3600), (long long)(secs / 60 % 60),
            (long long)(secs % 60));
}

typedef struct member {
    uint32_t story, cluster, canonical_first, doc;
} member;

static int cmp_member(const void *x, const void *y) {
    const member *a = x, *b = y;
    if (a->story != b->story) return a->story < b->story ? -1 : 1;
    if (a->cluster != b->cluster) return a->cluster < b->cluster ? -1 : 1;
    if (a->canonical_first != b->canonical_first) return a->canonical_first < b->canonical_first ? -1 : 1;
    return (a->doc > b->doc) - (a->doc < b->doc);
}

/* A story's headline: the title of its most copied report (of its largest
 * copy cluster with a title: the canonical's, else the first member's that
 * has one; ties between clusters: the earlier canonical in input).
 * Copies are what outlets chose to carry, so the most carried report is
 * the one the story is known by. null when no member has a title. */
static void write_headline(FILE *fp, const cli_common *c, const member *m, uint32_t n,
                           uint32_t first) {
    const char *best = NULL;
    uint32_t best_size = 0, best_doc = UINT32_MAX;
    for (uint32_t i = first; i < n && m[i].story == m[first].story;) {
        uint32_t j = i, canon = m[i].doc;  /* members: canonical first */
        const char *t = NULL;
        for (; j < n && m[j].story == m[i].story && m[j].cluster == m[i].cluster; j++)
            if (!t && m[j].doc < c->ntitles && c->titles[m[j].doc] && *c->titles[m[j].doc])
                t = c->titles[m[j].doc];
        if (t && *t && (j - i > best_size || (j - i == best_size && canon < best_doc))) {
            best = t;
            best_size = j - i;
            best_doc = canon;
        }
        i = j;
    }
    if (best) cli_json_string(fp, best, strlen(best));
    else fputs("null", fp);
}

typedef struct story_order {
    uint32_t story, size;
} story_order;

static int cmp_order(const void *x, const void *y) {
    const story_order *a = x, *b = y;
    if (a->size != b->size) return a->size > b->size ? -1 : 1;
    return (a->story > b->story) - (a->story < b->story);
}

int cmd_stories(int argc, char **argv) {
    cli_common c;
    int first = cli_parse_common(argc, argv, &c, stories_usage);
    if (first == -1) return 0;
    if (first == -2) return EXIT_USAGE;
    c.want_titles = true;
    int rc0 = cli_take_inputs(&c, argc, argv, first);
    if (!rc0 && cli_spool_if_stdin(&c)) rc0 = 1;
    if (rc0) {
        cli_common_free(&c);
        return rc0;
    }
    doppel_index *idx = NULL;
    doppel_story *st = NULL;
    cli_counts counts;
    uint8_t *bits = NULL;
    int rc = cli_build_index(&c, &idx, &counts, &bits);
    if (!rc) rc = cli_nothing_read(&c, &counts, idx);
    if (!rc) rc = cli_build_stories(&c, idx, bits, &st);
    free(bits);
    if (rc) {
        doppel_index_free(idx);
        cli_common_free(&c);
        return rc;
    }
    uint32_t n = doppel_index_count(idx), ns = doppel_story_count(st);
    member *m = malloc((n + 1) * sizeof *m);
    story_order *order = calloc(ns + 1, sizeof *order);
    uint32_t *start = calloc(ns + 1, sizeof *start);
    cli_out out;
    if (!m || !order || !start || cli_out_open(&out, c.output)) {
        if (!m || !order || !start) cli_error("out of memory");
        rc = 1;
        goto done;
    }
    for (uint32_t d = 0; d < n; d++) {
        doppel_doc_result r;
        doppel_index_result(idx, d, &r);
        m[d] = (member){doppel_story_of(st, d), r.cluster, r.canonical != d, d};
    }
    qsort(m, n, sizeof *m, cmp_member);
    for (uint32_t i = 0; i < ns; i++) order[i].story = i;
    for (uint32_t i = n; i-- > 0;) start[m[i].story] = i;
    for (uint32_t i = 0; i < n; i++) order[m[i].story].size++;
    qsort(order, ns, sizeof *order, cmp_order);
    for (uint32_t k = 0; k < ns; k++) {
        uint32_t s = order[k].story;
        if (!order[k].size) continue;
        doppel_story_info inf;
        doppel_story_get_info(st, s, &inf);
        fprintf(out.fp, "{\"story\":%" PRIu64 ",\"size\":%u,", inf.id, inf.size);
        if (c.story_state) fprintf(out.fp, "\"earlier\":%" PRIu64 ",", inf.earlier_docs);
        fputs("\"first_date\":", out.fp);
        write_date(out.fp, inf.first_date);
        fputs(",\"last_date\":", out.fp);
        write_date(out.fp, inf.last_date);
        fputs(",\"terms\":[", out.fp);
        for (unsigned t = 0; t < inf.num_terms; t++) {
            if (t) fputc(',', out.fp);
            cli_json_string(out.fp, inf.terms[t], strlen(inf.terms[t]));
        }
        fputs("],\"headline\":", out.fp);
        write_headline(out.fp, &c, m, n, start[s]);
        fputs(",\"copies\":[", out.fp);
        for (uint32_t i = start[s]; i < n && m[i].story == s; i++) {
            int open_group = i == start[s] || m[i - 1].cluster != m[i].cluster;
            int close_group = i + 1 >= n || m[i + 1].story != s || m[i + 1].cluster != m[i].cluster;
            if (open_group) fputs(i == start[s] ? "[" : ",[", out.fp);
            else fputc(',', out.fp);
            doppel_doc_result r;
            doppel_index_result(idx, m[i].doc, &r);
            cli_json_string(out.fp, r.id, r.id_len);
            if (close_group) fputc(']', out.fp);
        }
        fputs("]}\n", out.fp);
    }
    rc = cli_out_commit(&out) ? 1 : 0;
    if (!rc) rc = cli_save_story_state(&c, st);
done:
    free(m);
    free(order);
    free(start);
    doppel_story_free(st);
    doppel_index_free(idx);
    cli_common_free(&c);
    return rc;
}
