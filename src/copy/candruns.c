/*
 * candruns.c — candidate pairs beyond the memory limit.
 *
 * The LSH finds the same pair in many bands, so its list is sorted and
 * deduplicated as it grows (lsh.c). On a corpus of 10^7 documents that list
 * is a gigabyte or more: more than --memory may allow once the per-document
 * arrays are held. When the list outgrows its share of the limit, it is
 * written here as a sorted run and started afresh; verification then reads
 * the runs back through a k-way merge, a bounded chunk at a time. The merge
 * gives the pairs in the order and without the duplicates of the list kept
 * whole, so every result is the same whether runs were written or not.
 *
 * Runs go to an unlinked temporary file (base/spill.c), as pairs of 32-bit
 * values, created with the first run: most runs of doppel write none. A
 * killed run leaves nothing behind.
 */
#include "copy/candruns.h"
#include "base/spill.h"

#include <pthread.h>
#include <string.h>

/* A spill append takes at most UINT32_MAX values: runs are written in
 * pieces of this many pairs. */
#define PUT_PIECE ((size_t)1 << 28)

typedef struct run {
    uint64_t at;       /* first value in the file */
    uint64_t left;     /* pairs not yet read into buf */
    uint32_t *buf;     /* pairs as value pairs, read ahead */
    size_t buf_cap;    /* in values */
    size_t pos, filled;  /* pairs in buf: [pos, filled) not yet merged */
} run;

struct dp_cand_runs {
    dp_spill *file;     /* NULL until the first run */
    char *dir;          /* where it goes (NULL: $TMPDIR or /tmp) */
    pthread_mutex_t lock;
    run *runs;
    size_t n, cap;
    size_t buffer_pairs;
    size_t *heap;      /* run numbers, ordered by their current pair */
    size_t heap_len, heap_cap;
    uint64_t last;     /* the pair given last, to drop its repeats */
    int have_last;
};

doppel_status dp_cand_runs_new(const char *dir, dp_cand_runs **out, doppel_error *err) {
    *out = NULL;
    dp_cand_runs *r = dp_calloc(1, sizeof *r);
    if (!r || (dir && !(r->dir = dp_strndup(dir, strlen(dir))))) {
        dp_free(r, sizeof *r);
        return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    }
    pthread_mutex_init(&r->lock, NULL);
    *out = r;
    return DOPPEL_OK;
}

void dp_cand_runs_free(dp_cand_runs *r) {
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) dp_free(r->runs[i].buf, r->runs[i].buf_cap * sizeof(uint32_t));
    dp_free(r->runs, r->cap * sizeof *r->runs);
    dp_free(r->heap, r->heap_cap * sizeof *r->heap);
    dp_spill_free(r->file);
    if (r->dir) dp_free(r->dir, strlen(r->dir) + 1);
    pthread_mutex_destroy(&r->lock);
    dp_free(r, sizeof *r);
}

size_t dp_cand_runs_count(const dp_cand_runs *r) { return r ? r->n : 0; }

doppel_status dp_cand_runs_put(dp_cand_runs *r, const uint64_t *pairs, size_t n,
                               doppel_error *err) {
    if (!n) return DOPPEL_OK;
    doppel_status st = DOPPEL_OK;
    pthread_mutex_lock(&r->lock);
    if (!r->file) st = dp_spill_new(r->dir, &r->file, err);
    if (!st && r->n == r->cap && dp_grow((void **)&r->runs, &r->cap, r->n + 1, sizeof *r->runs))
        st = dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    if (!st) {
        run *x = &r->runs[r->n];
        *x = (run){0};
        for (size_t done = 0; done < n && !st; done += PUT_PIECE) {
            size_t piece = DP_MIN(PUT_PIECE, n - done);
            uint64_t at;
            /* the pairs' bytes, as 32-bit values: the file is read back the same way */
            st = dp_spill_append(r->file, (const uint32_t *)(const void *)(pairs + done),
                                 (uint32_t)(2 * piece), &at, err);
            if (done == 0) x->at = at;
        }
        x->left = n;
        if (!st) r->n++;
    }
    pthread_mutex_unlock(&r->lock);
    return st;
}

static uint64_t head_of(const run *x) {
    uint64_t v;
    memcpy(&v, x->buf + 2 * x->pos, sizeof v);
    return v;
}

/* Refill x's buffer when it is used up; 0 when the run has no pair left. */
static doppel_status refill(dp_cand_runs *r, run *x, int *more, doppel_error *err) {
    *more = 1;
    if (x->pos < x->filled) return DOPPEL_OK;
    if (!x->left) {
        *more = 0;
        return DOPPEL_OK;
    }
    size_t take = (size_t)DP_MIN((uint64_t)r->buffer_pairs, x->left);
    doppel_status st = dp_spill_read(r->file, x->at, (uint32_t)(2 * take), &x->buf, &x->buf_cap, err);
    if (st) return st;
    x->at += 2 * take;
    x->left -= take;
    x->pos = 0;
    x->filled = take;
    return DOPPEL_OK;
}

static int heap_less(const dp_cand_runs *r, size_t i, size_t k) {
    return head_of(&r->runs[r->heap[i]]) < head_of(&r->runs[r->heap[k]]);
}

static void sift_down(dp_cand_runs *r, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < r->heap_len && heap_less(r, l, m)) m = l;
        if (l + 1 < r->heap_len && heap_less(r, l + 1, m)) m = l + 1;
        if (m == i) return;
        size_t t = r->heap[i];
        r->heap[i] = r->heap[m];
        r->heap[m] = t;
        i = m;
    }
}

doppel_status dp_cand_runs_merge(dp_cand_runs *r, size_t buffer_pairs, doppel_error *err) {
    r->buffer_pairs = DP_MAX(DP_MIN(buffer_pairs, (size_t)1 << 30), (size_t)1);
    r->heap = dp_malloc((r->n + 1) * sizeof *r->heap);
    if (!r->heap) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    r->heap_cap = r->n + 1;
    r->heap_len = 0;
    for (size_t i = 0; i < r->n; i++) {
        int more;
        doppel_status st = refill(r, &r->runs[i], &more, err);
        if (st) return st;
        if (more) r->heap[r->heap_len++] = i;
    }
    for (size_t i = r->heap_len / 2; i-- > 0;) sift_down(r, i);
    return DOPPEL_OK;
}

doppel_status dp_cand_runs_next(dp_cand_runs *r, uint64_t *out, size_t max, size_t *got,
                                doppel_error *err) {
    *got = 0;
    while (*got < max && r->heap_len) {
        run *x = &r->runs[r->heap[0]];
        uint64_t v = head_of(x);
        if (!r->have_last || v != r->last) out[(*got)++] = v;
        r->last = v;
        r->have_last = 1;
        x->pos++;
        int more;
        doppel_status st = refill(r, x, &more, err);
        if (st) return st;
        if (!more) r->heap[0] = r->heap[--r->heap_len];
        if (r->heap_len) sift_down(r, 0);
    }
    return DOPPEL_OK;
}
