/*
 * alloc.c — counted allocation and growable buffers. Every heap byte the
 * library holds goes through here, so doppel_index_stats can report it and a
 * caller can keep a memory budget; the counter is process-wide and atomic.
 */
#include "base/internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* ---- counted allocation ------------------------------------------------ */

static _Atomic uint64_t mem_in_use;
static _Atomic uint64_t mem_peak;

static void mem_add(size_t n) {
    uint64_t now = atomic_fetch_add(&mem_in_use, n) + n;
    uint64_t peak = atomic_load(&mem_peak);
    while (now > peak && !atomic_compare_exchange_weak(&mem_peak, &peak, now)) {
    }
}

/* Blocks of at least this size are advised huge pages. Why: on the
 * virtual machines doppel runs on, each 4 KiB page's first touch is a fault
 * of some microseconds (the hypervisor's part included), and an index add
 * (a process of its own) touches hundreds of MB of new memory runs,
 * directories and buffers: with 2 MiB pages, a fault each 2 MiB. */
#define HUGE_ADVICE_MIN ((size_t)4 << 20)

static void advise_huge(void *p, size_t size) {
#ifdef MADV_HUGEPAGE
    if (size < HUGE_ADVICE_MIN) return;
    const uintptr_t huge = (uintptr_t)2 << 20;
    /* the block's whole huge pages only: the rest is shared with neighbours */
    uintptr_t a = ((uintptr_t)p + huge - 1) & ~(huge - 1), b = ((uintptr_t)p + size) & ~(huge - 1);
    if (b > a) madvise((void *)a, b - a, MADV_HUGEPAGE);  /* a hint: no error */
#else
    (void)p, (void)size;
#endif
}

void *dp_malloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (p) {
        mem_add(size);
        advise_huge(p, size);
    }
    return p;
}

void *dp_map(size_t size) {
    const size_t huge = (size_t)2 << 20;
    /* Map a huge page more than asked, keep the aligned middle. */
    char *p = mmap(NULL, size + huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    size_t head = (huge - (uintptr_t)p % huge) % huge;
    if (head) munmap(p, head);
    if (huge - head) munmap(p + head + size, huge - head);
    p += head;
#ifdef MADV_HUGEPAGE
    madvise(p, size, MADV_HUGEPAGE);  /* a hint: no huge pages is no error */
#endif
    mem_add(size);
    return p;
}

void dp_unmap(void *ptr, size_t size) {
    if (!ptr) return;
    atomic_fetch_sub(&mem_in_use, size);
    munmap(ptr, size);
}

void *dp_calloc(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return NULL;
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p) {
        mem_add(count * size);
        advise_huge(p, count * size);
    }
    return p;
}

void *dp_realloc(void *ptr, size_t old_size, size_t new_size) {
    void *p = realloc(ptr, new_size ? new_size : 1);
    if (!p) return NULL;
    atomic_fetch_sub(&mem_in_use, old_size);
    mem_add(new_size);
    advise_huge(p, new_size);
    return p;
}

void dp_free(void *ptr, size_t size) {
    if (!ptr) return;
    atomic_fetch_sub(&mem_in_use, size);
    free(ptr);
}

char *dp_strndup(const char *s, size_t len) {
    char *p = dp_malloc(len + 1);
    if (!p) return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

uint64_t dp_mem_in_use(void) { return atomic_load(&mem_in_use); }
uint64_t dp_mem_peak(void) { return atomic_load(&mem_peak); }

doppel_status dp_grow(void **arr, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return DOPPEL_OK;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem) return DOPPEL_ERR_NOMEM;
        ncap *= 2;
    }
    void *p = dp_realloc(*arr, *cap * elem, ncap * elem);
    if (!p) return DOPPEL_ERR_NOMEM;
    *arr = p;
    *cap = ncap;
    return DOPPEL_OK;
}

/* ---- buffers ----------------------------------------------------------- */

doppel_status dp_buf_reserve(doppel_buf *b, size_t need) {
    return dp_grow((void **)&b->data, &b->cap, need, 1);
}

doppel_status dp_buf_append(doppel_buf *b, const void *data, size_t len) {
    doppel_status st = dp_buf_reserve(b, b->len + len + 1);
    if (st != DOPPEL_OK) return st;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return DOPPEL_OK;
}

doppel_status dp_buf_terminate(doppel_buf *b) {
    doppel_status st = dp_buf_reserve(b, b->len + 1);
    if (st != DOPPEL_OK) return st;
    b->data[b->len] = '\0';
    return DOPPEL_OK;
}

void doppel_buf_free(doppel_buf *b) {
    if (!b) return;
    dp_free(b->data, b->cap);
    b->data = NULL;
    b->len = b->cap = 0;
}
