/*
 * pool.c — persistent worker threads with spin-then-sleep hand-offs.
 * See pool.h for why.
 *
 * A job is announced by bumping `generation` (after fn and arg are set);
 * `busy` counts the workers that have not yet left it. Both are read
 * without the lock while spinning; the lock and the condition variables are
 * only for sleeping, so a hand-off between busy threads costs two atomic
 * operations.
 */
#include "base/pool.h"
#include "base/internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

/* How long a thread spins before it sleeps. The gap between two batches
 * (the caller commits its last documents, returns, takes the next batch)
 * is tens of microseconds; a waking thread was seen to take a millisecond. */
#define SPIN_NS 200000

struct dp_pool {
    pthread_t tid[DP_MAX_THREADS];
    unsigned workers;
    int spin;
    pthread_mutex_t lock;
    pthread_cond_t wake;  /* workers sleep here between jobs */
    pthread_cond_t left;  /* the caller sleeps here until busy is 0 */
    dp_pool_fn fn;        /* the current job, set before generation moves */
    void *arg;
    atomic_uint generation;
    atomic_uint busy;
    int quit;             /* under lock */
};

typedef struct worker_start {
    dp_pool *pool;
    unsigned number;
} worker_start;

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* For spin loops, called with i = 1, 2, ...: true once SPIN_NS have
 * passed. The clock is read only now and then: it costs more than a pause. */
static int spun_enough(unsigned i, uint64_t *deadline) {
    if (i & 255) return 0;
    uint64_t t = now_ns();
    if (!*deadline) *deadline = t + SPIN_NS;
    return t > *deadline;
}

static void *worker_main(void *p) {
    worker_start *ws = p;
    dp_pool *pool = ws->pool;
    unsigned number = ws->number;
    dp_free(ws, sizeof *ws);
    unsigned seen = 0;
    for (;;) {
        unsigned g = atomic_load_explicit(&pool->generation, memory_order_acquire);
        uint64_t deadline = 0;
        for (unsigned i = 1; pool->spin && g == seen && !spun_enough(i, &deadline); i++) {
            cpu_relax();
            g = atomic_load_explicit(&pool->generation, memory_order_acquire);
        }
        if (g == seen) {
            pthread_mutex_lock(&pool->lock);
            while ((g = atomic_load(&pool->generation)) == seen && !pool->quit)
                pthread_cond_wait(&pool->wake, &pool->lock);
            int quit = pool->quit && g == seen;
            pthread_mutex_unlock(&pool->lock);
            if (quit) return NULL;
        }
        seen = g;
        pool->fn(pool->arg, number);
        /* After this the job's arg may be gone: nothing of it is touched. */
        if (atomic_fetch_sub(&pool->busy, 1) == 1) {
            pthread_mutex_lock(&pool->lock);
            pthread_cond_broadcast(&pool->left);
            pthread_mutex_unlock(&pool->lock);
        }
    }
}

dp_pool *dp_pool_new(unsigned workers, int spin) {
    if (workers > DP_MAX_THREADS) workers = DP_MAX_THREADS;
    dp_pool *pool = dp_calloc(1, sizeof *pool);
    if (!pool) return NULL;
    pool->spin = spin;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->wake, NULL);
    pthread_cond_init(&pool->left, NULL);
    atomic_init(&pool->generation, 0);
    atomic_init(&pool->busy, 0);
    for (unsigned w = 0; w < workers; w++) {
        worker_start *ws = dp_malloc(sizeof *ws);
        if (!ws) break;
        *ws = (worker_start){pool, w + 1};
        if (pthread_create(&pool->tid[w], NULL, worker_main, ws) != 0) {
            dp_free(ws, sizeof *ws);
            break;
        }
        pool->workers = w + 1;
    }
    return pool;
}

unsigned dp_pool_workers(const dp_pool *pool) { return pool->workers; }

void dp_pool_start(dp_pool *pool, dp_pool_fn fn, void *arg) {
    if (!pool->workers) return;
    pool->fn = fn;
    pool->arg = arg;
    atomic_store(&pool->busy, pool->workers);
    pthread_mutex_lock(&pool->lock);
    atomic_fetch_add_explicit(&pool->generation, 1, memory_order_release);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
}

void dp_pool_wait(dp_pool *pool) {
    if (!pool->workers) return;
    uint64_t deadline = 0;
    for (unsigned i = 1; pool->spin && atomic_load_explicit(&pool->busy, memory_order_acquire) &&
                         !spun_enough(i, &deadline);
         i++)
        cpu_relax();
    pthread_mutex_lock(&pool->lock);
    while (atomic_load(&pool->busy)) pthread_cond_wait(&pool->left, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}

void dp_pool_free(dp_pool *pool) {
    if (!pool) return;
    pthread_mutex_lock(&pool->lock);
    pool->quit = 1;
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->lock);
    for (unsigned w = 0; w < pool->workers; w++) pthread_join(pool->tid[w], NULL);
    pthread_cond_destroy(&pool->wake);
    pthread_cond_destroy(&pool->left);
    pthread_mutex_destroy(&pool->lock);
    dp_free(pool, sizeof *pool);
}

dp_pool *dp_pool_for_threads(unsigned threads) {
    return threads > 1 ? dp_pool_new(threads - 1, threads <= doppel_available_cores()) : NULL;
}
