/*
 * indexing.c — the indexing pass of cluster, dedup and pairs: records read on
 * a thread of their own, queued in batches, added to the index with every
 * record counted and per-record messages bounded.
 */
#include "run.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* At most this many messages of one kind are printed; the summary counts all. */
#define MAX_MESSAGES 20

static bool quiet_notes;  /* -q: per-record messages are only counted */

static void note(cli_counts *counts, uint64_t *kind_count, const char *msg) {
    (*kind_count)++;
    if (quiet_notes) {
        counts->warnings++;
        return;
    }
    if (*kind_count <= MAX_MESSAGES) cli_warn("%s", msg);
    else if (*kind_count == MAX_MESSAGES + 1) cli_warn("(further messages of this kind are only counted)");
    counts->warnings++;
}

static int set_bit(uint8_t **bits, size_t *cap, uint64_t i, int on) {
    if ((i >> 3) >= *cap) {
        size_t ncap = *cap ? *cap * 2 : 4096;
        while ((i >> 3) >= ncap) ncap *= 2;
        uint8_t *p = realloc(*bits, ncap);
        if (!p) return -1;
        memset(p + *cap, 0, ncap - *cap);
        *bits = p;
        *cap = ncap;
    }
    if (on) (*bits)[i >> 3] |= (uint8_t)(1u << (i & 7));
    return 0;
}

static void progress_cb(const char *phase, double done, void *user) {
    cli_progress_phase(user, phase, done);
}

/* ---- the indexing pass ------------------------------------------------------
 * Records are read one at a time (the reader is sequential) and queued in a
 * batch; each full batch goes to doppel_index_add_batch, which computes the
 * documents' features on all threads. Messages are printed when the batch is
 * handled, in input order, whatever the thread count. */

/* 1024 documents (3.5 MB of synth text) keep each thread busy for tens of
 * milliseconds, so the hand-offs cost nothing, while the two arenas and the
 * per-document feature slots stay small: at 4096 they took half the peak
 * RSS (63 MB against 31 MB at 100k synth documents), and every page of them
 * was touched fresh once, which on a VM is most of a page's cost. */
#define BATCH_DOCS 1024
/* The first batch is small and each next one twice as large up to
 * BATCH_DOCS: the indexing side waits for the first batch with nothing to
 * do, so it should come soon. */
#define BATCH_DOCS_FIRST 256
#define BATCH_BYTES ((size_t)64 << 20)

typedef struct queued {
    doppel_status read_status;  /* the reader's verdict on this record */
    uint64_t ordinal, line, invalid_utf8;
    size_t source, id, id_len, text, text_len, message; /* offsets into the arena */
    size_t raw, raw_len;        /* a rejected line, kept for --rejects (raw_len 0: none) */
    size_t present, guess;      /* fields_present, text_field_guess of a FIELD error (0: none) */
    int64_t date;
    bool id_from_position;
} queued;

typedef struct batch {
    queued *q;
    size_t n, cap;
    char *arena;
    size_t used, arena_cap;
    doppel_doc_input *inputs;
    doppel_status *statuses;
    doppel_add_info *infos;
} batch;

static int arena_put(batch *b, const char *s, size_t len, size_t *off) {
    if (b->used + len + 1 > b->arena_cap) {
        size_t cap = b->arena_cap ? b->arena_cap : 1 << 20;
        while (cap < b->used + len + 1) cap *= 2;
        char *p = realloc(b->arena, cap);
        if (!p) return -1;
        b->arena = p;
        b->arena_cap = cap;
    }
    *off = b->used;
    if (len) memcpy(b->arena + b->used, s, len);
    b->arena[b->used + len] = '\0';
    b->used += len + 1;
    return 0;
}

static int queue_record(batch *b, doppel_status st, const doppel_record *rec, const doppel_error *err,
                        uint64_t ordinal, bool keep_raw) {
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        queued *p = realloc(b->q, cap * sizeof *p);
        if (!p) return -1;
        b->q = p;
        b->cap = cap;
    }
    queued *q = &b->q[b->n];
    *q = (queued){.read_status = st, .ordinal = ordinal, .line = rec->line,
                  .invalid_utf8 = rec->invalid_utf8, .date = DOPPEL_NO_DATE,
                  .id_from_position = rec->id_from_position != 0};
    const char *src = rec->source ? rec->source : "";
    if (arena_put(b, src, strlen(src), &q->source)) return -1;
    if (st != DOPPEL_OK) {
        if (arena_put(b, err->message, strlen(err->message), &q->message)) return -1;
        if (keep_raw && rec->raw && (st == DOPPEL_ERR_JSON || st == DOPPEL_ERR_FIELD)) {
            if (arena_put(b, rec->raw, rec->raw_len, &q->raw)) return -1;
            q->raw_len = rec->raw_len;
        }
        if (rec->fields_present &&
            arena_put(b, rec->fields_present, strlen(rec->fields_present), &q->present))
            return -1;
        if (rec->text_field_guess &&
            arena_put(b, rec->text_field_guess, strlen(rec->text_field_guess), &q->guess))
            return -1;
    } else {
        if (arena_put(b, rec->id, rec->id_len, &q->id) ||
            arena_put(b, rec->text, rec->text_len, &q->text))
            return -1;
        q->id_len = rec->id_len;
        q->text_len = rec->text_len;
        if (rec->date && doppel_parse_date(rec->date, &q->date)) q->date = DOPPEL_NO_DATE;
    }
    b->n++;
    return 0;
}

static void batch_free(batch *b) {
    free(b->q);
    free(b->arena);
    free(b->inputs);
    free(b->statuses);
    free(b->infos);
}

/* Add the queued documents and account for every queued record in order.
 * Returns 0, or 1 to stop (the message is printed). */
/* Records sampled before deciding that the text field is wrong. */
#define FIELD_SAMPLE 1000

static int flush_batch(cli_common *c, doppel_index *idx, batch *b, cli_counts *counts,
                       uint8_t **bits, size_t *bits_cap, int want_bits, FILE *rejects, int last) {
    size_t k = 0;
    if (b->n) {
        free(b->inputs);
        free(b->statuses);
        free(b->infos);
        b->inputs = malloc(b->n * sizeof *b->inputs);
        b->statuses = malloc(b->n * sizeof *b->statuses);
        b->infos = malloc(b->n * sizeof *b->infos);
        if (!b->inputs || !b->statuses || !b->infos) {
            cli_error("out of memory");
            return 1;
        }
    }
    for (size_t i = 0; i < b->n; i++) {
        queued *q = &b->q[i];
        if (q->read_status != DOPPEL_OK) continue;
        b->inputs[k++] = (doppel_doc_input){b->arena + q->id, q->id_len, b->arena + q->text,
                                            q->text_len, q->date};
    }
    doppel_error err = {0};
    if (k && doppel_index_add_batch(idx, b->inputs, k, b->statuses, b->infos, &err)) {
        cli_error("%s", err.message);
        return 1;
    }
    int rc = 0;
    size_t j = 0;
    for (size_t i = 0; i < b->n && !rc; i++) {
        queued *q = &b->q[i];
        const char *source = b->arena + q->source;
        uint64_t *kind = NULL;
        char msg[800];
        if (q->read_status != DOPPEL_OK) {
            switch (q->read_status) {
            case DOPPEL_ERR_JSON: kind = &counts->skip_json; break;
            case DOPPEL_ERR_FIELD: kind = &counts->skip_field; break;
            case DOPPEL_ERR_TOO_LARGE: kind = &counts->skip_large; break;
            case DOPPEL_ERR_FORMAT: kind = &counts->skip_format; break;
            default: kind = &counts->skip_io; break;
            }
            note(counts, kind, b->arena + q->message);
            if (rejects && q->raw_len) {
                fwrite(b->arena + q->raw, 1, q->raw_len, rejects);
                fputc('\n', rejects);
            }
            if (q->present && counts->seen < FIELD_SAMPLE) {
                if (!counts->missing_text++) {
                    snprintf(counts->fields_present, sizeof counts->fields_present, "%s",
                             b->arena + q->present);
                    snprintf(counts->field_guess, sizeof counts->field_guess, "%s",
                             q->guess ? b->arena + q->guess : "");
                }
            }
        } else {
            doppel_status st = b->statuses[j];
            const doppel_add_info *info = &b->infos[j];
            const doppel_doc_input *in = &b->inputs[j++];
            int idlen = (int)(in->id_len > 200 ? 200 : in->id_len);
            if (q->id_from_position && !counts->position_ids_noted) {
                counts->position_ids_noted = true;
                if (!quiet_notes)
                    cli_warn("%s: records have no \"%s\" field: each is named by its position "
                             "(e.g. '%.*s'); said once", source, c->ropt.id_field, idlen, in->id);
            }
            if (st == DOPPEL_ERR_EMPTY && !c->drop_uncompared) {
                /* Not a copy of anything doppel can tell: kept, as a cleaner
                 * of a corpus expects from a tool that removes copies. */
                const char *why = info->extract_flags & DOPPEL_EXTRACT_EMPTY
                                      ? "has no words after extraction (all boilerplate)"
                                      : "has no words";
                snprintf(msg, sizeof msg, "%s%s%llu: document '%.*s' %s: not compared, passed through",
                         source, q->line ? ":" : "", (unsigned long long)q->line, idlen, in->id, why);
                note(counts, &counts->passed, msg);
                counts->warnings--;  /* a note, not a problem with the input */
                if (set_bit(&c->passed_bits, &c->passed_cap, q->ordinal, 1)) {
                    cli_error("out of memory");
                    rc = 1;
                }
            } else if (st == DOPPEL_ERR_EMPTY || st == DOPPEL_ERR_FORMAT) {
                const char *why = st == DOPPEL_ERR_FORMAT ? "is binary data"
                                  : info->extract_flags & DOPPEL_EXTRACT_EMPTY
                                      ? "has no words after extraction (all boilerplate)"
                                      : "has no words";
                snprintf(msg, sizeof msg, "%s%s%llu: document '%.*s' %s, skipped", source,
                         q->line ? ":" : "", (unsigned long long)q->line, idlen, in->id, why);
                kind = st == DOPPEL_ERR_FORMAT ? &counts->skip_format : &counts->skip_empty;
                note(counts, kind, msg);
            } else {
                counts->indexed++;
                counts->bytes += in->text_len;
                counts->invalid_utf8 += info->norm.invalid_utf8 + q->invalid_utf8;
                counts->nul_bytes += info->norm.nul_bytes;
                counts->short_docs += info->short_doc != 0;
                if (want_bits && set_bit(bits, bits_cap, q->ordinal, 1)) {
                    cli_error("out of memory");
                    rc = 1;
                }
                if (info->duplicate_id) {
                    snprintf(msg, sizeof msg, "%s%s%llu: duplicate id '%.*s' (both documents are kept)",
                             source, q->line ? ":" : "", (unsigned long long)q->line, idlen, in->id);
                    note(counts, &counts->duplicate_ids, msg);
                    if (c->strict) {
                        cli_error("duplicate id under --strict; stopping");
                        rc = 1;
                    }
                }
            }
        }
        if (kind && c->strict) {
            cli_error("bad record under --strict; stopping");
            rc = 1;
        }
        counts->seen++;
    }
    /* Most records of the first ones without the text field: the wrong
     * field name, not bad records. Say which fields there are and stop. */
    if (!rc && !counts->sample_checked && (counts->seen >= FIELD_SAMPLE || last)) {
        counts->sample_checked = true;
        uint64_t sample = counts->seen < FIELD_SAMPLE ? counts->seen : FIELD_SAMPLE;
        if (counts->missing_text * 2 > sample) {
            if (counts->field_guess[0])
                cli_error("%llu of the first %llu records have no text field \"%s\": records have "
                          "%s: use --text-field %s", (unsigned long long)counts->missing_text,
                          (unsigned long long)sample, c->ropt.text_field, counts->fields_present,
                          counts->field_guess);
            else
                cli_error("%llu of the first %llu records have no text field \"%s\": records have "
                          "%s (none holds a string): see --text-field",
                          (unsigned long long)counts->missing_text, (unsigned long long)sample,
                          c->ropt.text_field, counts->fields_present);
            rc = 1;
        }
    }
    b->n = 0;
    b->used = 0;
    return rc;
}

/* Layer 2 of extraction, pass 1: count the lines of every document's
 * extracted text in the corpus sketch; the indexing pass then drops the lines
 * the sketch calls boilerplate. Records the reader rejects are left to the
 * indexing pass to report. */
static int count_corpus_lines(cli_common *c) {
    doppel_error err = {0};
    doppel_boiler_options bo;
    doppel_boiler_options_default(&bo);
    doppel_reader *reader = NULL;
    doppel_extractor *ex = NULL;
    if (cli_open_pass(c, 1, &reader, &ex)) return 1;
    if (doppel_boiler_counter_new(&bo, &c->corpus, &err)) {
        cli_error("%s", err.message);
        doppel_extractor_free(ex);
        doppel_reader_free(reader);
        return 1;
    }
    doppel_extract_options xo;
    doppel_extract_options_default(&xo);
    int rc = 0;
    for (;;) {
        doppel_record rec;
        doppel_status st = doppel_reader_next(reader, &rec, &err);
        if (st == DOPPEL_END) break;
        if (st != DOPPEL_OK) continue;
        doppel_extract_result xr;
        if (doppel_extract(ex, rec.text, rec.text_len, &xo, &xr, NULL) != DOPPEL_OK) continue;
        if (doppel_boiler_add(c->corpus, xr.text, xr.text_len)) {
            cli_error("out of memory counting corpus lines");
            rc = 1;
            break;
        }
    }
    doppel_extractor_free(ex);
    doppel_reader_free(reader);
    if (!rc && doppel_boiler_finish(c->corpus)) rc = 1;
    if (!rc) {
        doppel_extract_options_default(&c->extract_options);
        c->extract_options.corpus = c->corpus;
        c->cfg.extract_options = &c->extract_options;
    }
    return rc;
}

/* The reading thread fills one batch while the indexing side works on the
 * other: reading and JSON scanning are sequential by nature, and overlapping
 * them with the feature computation is what lets two cores go twice as fast. */
typedef struct handoff {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    batch slot[2];
    int full[2];            /* ready for the indexing side */
    int last[2];            /* no batch follows this one */
    uint64_t read_upto[2], bytes_upto[2];
    int stop;               /* the indexing side gave up: stop reading */
    int nomem;              /* the reading side ran out of memory */
    doppel_error err;
    cli_common *c;
    doppel_reader *reader;
    uint64_t read;          /* records read (owned by the reading thread) */
} handoff;

static void *read_batches(void *p) {
    handoff *h = p;
    size_t limit = BATCH_DOCS_FIRST;
    for (int k = 0;; k ^= 1) {
        pthread_mutex_lock(&h->mu);
        while (h->full[k] && !h->stop) pthread_cond_wait(&h->cv, &h->mu);
        int stop = h->stop;
        pthread_mutex_unlock(&h->mu);
        if (stop) return NULL;
        batch *b = &h->slot[k];
        int last = 0;
        for (;;) {
            doppel_record rec;
            doppel_status st = doppel_reader_next(h->reader, &rec, &h->err);
            if (st == DOPPEL_END) {
                last = 1;
                break;
            }
            if (st == DOPPEL_ERR_NOMEM ||
                queue_record(b, st, &rec, &h->err, h->read++, h->c->rejects_path != NULL)) {
                h->nomem = 1;
                last = 1;
                break;
            }
            /* Under --strict a bad record ends the reading where it is. */
            if (st != DOPPEL_OK && h->c->strict) {
                last = 1;
                break;
            }
            if (b->n >= limit || b->used >= BATCH_BYTES) break;
        }
        if (limit < BATCH_DOCS) limit *= 2;
        pthread_mutex_lock(&h->mu);
        h->full[k] = 1;
        h->last[k] = last;
        h->read_upto[k] = h->read;
        h->bytes_upto[k] = doppel_reader_bytes(h->reader);
        pthread_cond_broadcast(&h->cv);
        pthread_mutex_unlock(&h->mu);
        if (last) return NULL;
    }
}

int cli_build_index(cli_common *c, doppel_index **out, cli_counts *counts, uint8_t **indexed_bits) {
    memset(counts, 0, sizeof *counts);
    *out = NULL;
    doppel_error err = {0};
    doppel_reader *reader = NULL;
    doppel_index *idx = NULL;
    if (c->corpus_boilerplate && c->cfg.extract && !c->corpus) {
        if (cli_spool_if_stdin(c)) return 1;
        if (count_corpus_lines(c)) return 1;
    }
    if (cli_open_reader(c, &reader)) return 1;
    if (doppel_index_new(&c->cfg, &idx, &err)) {
        cli_error("%s", err.message);
        doppel_reader_free(reader);
        return 1;
    }
    cli_out rejects = {0};
    if (c->rejects_path && cli_out_open(&rejects, c->rejects_path)) {
        doppel_index_free(idx);
        doppel_reader_free(reader);
        return 1;
    }
    quiet_notes = c->quiet;
    cli_progress prog;
    cli_progress_init(&prog, c->quiet ? CLI_PROGRESS_NEVER : c->progress);
    size_t bits_cap = 0;
    uint8_t *bits = NULL;
    int rc = 0;
    double t0 = cli_now();
    handoff h = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER, .c = c,
                 .reader = reader};
    pthread_t tid;
    if (pthread_create(&tid, NULL, read_batches, &h) != 0) {
        cli_error("cannot start the reading thread");
        doppel_index_free(idx);
        doppel_reader_free(reader);
        return 1;
    }
    for (int k = 0;; k ^= 1) {
        pthread_mutex_lock(&h.mu);
        while (!h.full[k]) pthread_cond_wait(&h.cv, &h.mu);
        int last = h.last[k];
        uint64_t read_upto = h.read_upto[k], bytes_upto = h.bytes_upto[k];
        pthread_mutex_unlock(&h.mu);
        rc = flush_batch(c, idx, &h.slot[k], counts, &bits, &bits_cap, indexed_bits != NULL,
                         rejects.fp, last);
        cli_progress_update(&prog, read_upto, bytes_upto, doppel_reader_total_bytes(reader));
        pthread_mutex_lock(&h.mu);
        h.full[k] = 0;
        if (rc) h.stop = 1;
        pthread_cond_broadcast(&h.cv);
        pthread_mutex_unlock(&h.mu);
        if (rc || last) break;
    }
    pthread_join(tid, NULL);
    if (!rc && h.nomem) {
        cli_error("%s", h.err.message[0] ? h.err.message : "out of memory queueing records");
        rc = 1;
    }
    counts->read = h.read;
    batch_free(&h.slot[0]);
    batch_free(&h.slot[1]);
    counts->seconds_read = cli_now() - t0;
    doppel_reader_free(reader);
    if (!rc) {
        double t1 = cli_now();
        if (doppel_index_finish(idx, prog.enabled ? progress_cb : NULL, &prog, &err)) {
            cli_error("%s", err.message);
            rc = 1;
        }
        counts->seconds_finish = cli_now() - t1;
    }
    cli_progress_done(&prog);
    if (c->rejects_path) {
        if (rc) cli_out_abort(&rejects);
        else if (cli_out_commit(&rejects)) rc = 1;
    }
    if (rc) {
        doppel_index_free(idx);
        free(bits);
        return rc;
    }
    *out = idx;
    if (indexed_bits) *indexed_bits = bits;
    else free(bits);
    return 0;
}
