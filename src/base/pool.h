/*
 * pool.h — worker threads that stay for the whole indexing pass (internal).
 *
 * doppel_index_add_batch used to start its threads at every batch and join
 * them at its end. On the virtual machines doppel is measured on, a thread
 * that is started or woken on an idle core often runs only a millisecond or
 * more later (perf sched: 1.2-1.6 ms for each batch's new thread), and a
 * pass over 100k documents has a hundred batches. Two threads took 1.09 s
 * there (median of 5); with an idle-priority process spinning on both cores,
 * which keeps them out of their idle state, the same binary took 1.00 s. So
 * the workers stay: between jobs each spins for a short while (the next
 * batch usually comes within tens of microseconds), then sleeps on a
 * condition variable.
 *
 * One caller at a time: dp_pool_start, then dp_pool_wait before the next
 * start or dp_pool_free. The caller is expected to work on the job too.
 */
#ifndef DOPPEL_POOL_H
#define DOPPEL_POOL_H

/* Run by each worker for each job; worker is 1..workers (0 is the caller's
 * number, for per-thread scratch indexed the same way). */
typedef void (*dp_pool_fn)(void *arg, unsigned worker);

typedef struct dp_pool dp_pool;

/* Starts up to `workers` threads. Returns NULL when out of memory; when the
 * system refuses a thread, the pool has fewer (dp_pool_workers). spin: the
 * workers and the waiting caller spin before sleeping; pass 0 when there
 * are more threads than cores, where a spinning thread takes a core from a
 * working one. Free with dp_pool_free. */
dp_pool *dp_pool_new(unsigned workers, int spin);

/* The pool for work on `threads` threads in all, the caller's included:
 * threads - 1 workers, spinning only when the process has a core for each
 * (doppel_available_cores). NULL when threads <= 1 or out of memory: then
 * the caller does the work alone. */
dp_pool *dp_pool_for_threads(unsigned threads);

unsigned dp_pool_workers(const dp_pool *pool);

/* Hands fn(arg, w) to every worker and returns at once. arg must stay valid
 * until dp_pool_wait returns. */
void dp_pool_start(dp_pool *pool, dp_pool_fn fn, void *arg);

/* Returns when every worker has returned from the job's fn. */
void dp_pool_wait(dp_pool *pool);

/* Stops and joins the workers (none may be in a job: call dp_pool_wait
 * first), frees the pool. NULL is allowed. */
void dp_pool_free(dp_pool *pool);

#endif
