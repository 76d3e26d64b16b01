/*
 * store_lookup.c — finding keys in the candidate postings' sorted runs
 * (store_runs.c's layout: keys ascending, their docnums, every
 * DP_RUN_FENCE-th key as a fence): one key from a place (dp_run_lower),
 * a writer's in-memory directory of a run's keys by band and hash prefix,
 * a chunk's keys at once with several lookups in flight
 * (dp_run_lookup_all, which also answers a key's one or two members), and
 * a checked document's keys in every run (dp_runs_find).
 */
#include "store/store_impl.h"

#include <string.h>

/* The first of keys[lo..hi) >= key, given keys[lo] < key (hi: none is):
 * a branchless binary search (a block of at most DP_RUN_FENCE keys). */
static size_t block_lower(const uint64_t *keys, size_t lo, size_t hi, uint64_t key) {
    const uint64_t *base = keys + lo;
    size_t len = hi - lo;
    while (len > 1) {
        size_t half = len / 2;
        base = base[half] < key ? base + half : base;
        len -= half;
    }
    /* base[0] < key (the first step keeps keys[lo]); the answer follows it */
    return (size_t)(base - keys) + 1;
}

/* A search without a hint first looks at every COARSE-th fence (keys
 * COARSE * DP_RUN_FENCE apart): the top of such searches stays in the caches, as
 * a search of a sparser fence array did (fences every 64 keys were 0.1 ms
 * faster a check than every 8 searched whole). */
#define COARSE 8

size_t dp_run_lower(const dp_run *r, size_t from, uint64_t key) {
    size_t n = (size_t)r->n;
    if (from >= n || r->keys[from] >= key) return from;
    if (from == 0) {
        size_t nf = dp_run_fences(n), nc = (nf + COARSE - 1) / COARSE, lo = 0, hi = nc;
        while (lo < hi) {  /* the first coarse fence >= key */
            size_t mid = lo + (hi - lo) / 2;
            if (r->fence[mid * COARSE] < key) lo = mid + 1;
            else hi = mid;
        }
        /* keys[0] < key, so lo >= 1: the last fence < key is in
         * [(lo - 1) * COARSE, lo * COARSE) */
        size_t f = (lo - 1) * COARSE, fend = lo * COARSE < nf ? lo * COARSE : nf;
        while (f + 1 < fend && r->fence[f + 1] < key) f++;
        size_t end = (f + 1) * DP_RUN_FENCE < n ? (f + 1) * DP_RUN_FENCE : n;
        return block_lower(r->keys, f * DP_RUN_FENCE, end, key);
    }
    /* keys[from] < key: the block holding the answer, by galloping over
     * the fences from the next one (the keys asked for ascend, so it is
     * near: usually the first fence looked at already ends it), then a
     * branchless search inside it. Why: a search from scratch per key
     * (as galloping over the keys did) cost mispredicted branches over
     * the whole gap between two asked keys, the largest cost of an add. */
    size_t nf = dp_run_fences(n), f = from / DP_RUN_FENCE + 1;  /* fence[f] = keys[f * DP_RUN_FENCE] */
    if (f < nf && r->fence[f] < key) {
        size_t step = 1, lo = f;  /* fence[lo] < key */
        while (lo + step < nf && r->fence[lo + step] < key) {
            lo += step;
            step *= 2;
        }
        size_t hi = lo + step < nf ? lo + step : nf;  /* fence[hi] >= key, or hi = nf */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (r->fence[mid] < key) lo = mid;
            else hi = mid;
        }
        f = hi;
        from = lo * DP_RUN_FENCE;  /* keys[from] < key */
    }
    /* the answer is in (from, min(f * DP_RUN_FENCE, n)]: keys[f * DP_RUN_FENCE] >= key */
    size_t end = f * DP_RUN_FENCE < n ? f * DP_RUN_FENCE : n;
    return block_lower(r->keys, from, end, key);
}

/* How many lookups are in flight: the block of key g is fetched while the
 * one of key g - AHEAD is searched. */
#define AHEAD 16

/* ---- a directory of the keys ---- */

/* Why: at 1M documents the fences of the largest run are 64 MB; finding a
 * key's block by galloping over them was several dependent cache and TLB
 * misses a key (128 ns a lookup, a third of an add's CPU). The directory
 * is indexed by the key itself (its band and the top bits of its hash:
 * the hashes are spread evenly): its entry is fetched ahead with no
 * dependency, then the key's few neighbours (a line or two), so the misses
 * of many keys overlap. Built from the keys (one pass, while the caller
 * reads its input) by the writer, in memory: the stored format does not
 * change. */
#define DIR_MIN_KEYS 32768
#define DIR_KEYS 4   /* keys a slot, about: a key's slot is one or two cache lines */

static uint64_t dir_start(size_t slot, uint32_t bits) {
    uint64_t mask = ((uint64_t)1 << bits) - 1;
    return (uint64_t)(slot >> bits) << 32 | ((uint64_t)slot & mask) << (32 - bits);
}

static size_t dir_slot(uint64_t key, uint32_t bits) {
    return (size_t)(key >> 32) << bits | (size_t)((key & 0xffffffffu) >> (32 - bits));
}

size_t dp_run_dir_size(const dp_run *r, uint32_t *bits, uint32_t *bands) {
    if (r->n < DIR_MIN_KEYS || r->n >= UINT32_MAX) return 0;
    uint64_t b = (r->keys[r->n - 1] >> 32) + 1;
    if (b > 4096) return 0;
    uint32_t k = 0;
    while (k < 24 && ((uint64_t)b << (k + 1)) * DIR_KEYS <= r->n) k++;
    *bits = k;
    *bands = (uint32_t)b;
    return (((size_t)b << k) + 1) * sizeof(uint32_t);
}

void dp_run_dir_build(dp_run *r, uint32_t *dir, uint32_t bits, uint32_t bands) {
    size_t n = (size_t)r->n, slots = (size_t)bands << bits, i = 0;
    for (size_t sl = 0; sl <= slots; sl++) {
        uint64_t start = sl == slots ? (uint64_t)bands << 32 : dir_start(sl, bits);
        while (i < n && r->keys[i] < start) i++;
        dir[sl] = (uint32_t)i;
    }
    r->dir = dir;
    r->dir_bits = bits;
    r->dir_bands = bands;
}

/* The first of keys[lo..hi) >= key, else hi. */
size_t dp_keys_lower(const uint64_t *keys, size_t lo, size_t hi, uint64_t key) {
    const uint64_t *base = keys + lo;
    size_t len = hi - lo;
    while (len) {
        size_t half = len / 2;
        if (base[half] < key) {
            base += half + 1;
            len -= half + 1;
        } else len = half;
    }
    return (size_t)(base - keys);
}

#define DAHEAD 16

/* A key's answer: its members themselves when they are one or two (the
 * usual case: a key is most often new or shared by a pair; read here, on
 * the thread that looks ahead, its line prefetched DAHEAD keys before),
 * else its place. */
static uint64_t answer(const dp_run *r, size_t at, uint32_t count) {
    if (count == 1) return r->docs[at];
    if (count == 2) return r->docs[at] | (uint64_t)r->docs[at + 1] << 32;
    return at;
}

/* Key h found at at with count entries: its answer now (none or many:
 * the place) or, its members' line prefetched, DAHEAD keys later. */
static void found(const dp_run *r, size_t h, size_t at, uint32_t count, uint64_t *pos,
                  size_t *at_, uint32_t *cnt_) {
    if (count == 1 || count == 2) __builtin_prefetch(r->docs + at);
    else pos[h] = at;
    at_[h % DAHEAD] = at;
    cnt_[h % DAHEAD] = count;
}

/* The members of key h (found DAHEAD keys before) read, if one or two. */
static void members(const dp_run *r, size_t h, uint64_t *pos, const size_t *at_,
                    const uint32_t *cnt_) {
    uint32_t count = cnt_[h % DAHEAD];
    if (count == 1 || count == 2) pos[h] = answer(r, at_[h % DAHEAD], count);
}

/* dp_run_lookup_all through r->dir: key g's directory entry is fetched,
 * DAHEAD keys later its block, DAHEAD keys later still it is searched
 * (and its members' line fetched), and DAHEAD keys later they are read. */
static void lookup_all_dir(const dp_run *r, const uint64_t *keys, size_t nk, uint64_t *pos,
                           uint32_t *count) {
    size_t n = (size_t)r->n, lo_[DAHEAD], hi_[DAHEAD], at_[DAHEAD];
    uint32_t cnt_[DAHEAD];
    uint32_t bits = r->dir_bits;
    uint64_t past = (uint64_t)r->dir_bands << 32;  /* every key of the run is below */
    for (size_t g = 0; g < nk + 3 * DAHEAD; g++) {
        if (g >= 3 * DAHEAD && g - 3 * DAHEAD < nk) members(r, g - 3 * DAHEAD, pos, at_, cnt_);
        if (g >= 2 * DAHEAD && g - 2 * DAHEAD < nk) {  /* its block searched */
            size_t h = g - 2 * DAHEAD, at = dp_keys_lower(r->keys, lo_[h % DAHEAD], hi_[h % DAHEAD], keys[h]);
            size_t e = at;
            while (e < n && r->keys[e] == keys[h]) e++;
            count[h] = (uint32_t)DP_MIN(e - at, (size_t)UINT32_MAX);
            found(r, h, at, count[h], pos, at_, cnt_);
        }
        if (g >= DAHEAD && g - DAHEAD < nk) {  /* its block fetched */
            size_t h = g - DAHEAD, lo = n, hi = n;
            if (keys[h] < past) {
                /* the slot's keys: [dir[sl], dir[sl + 1]) */
                size_t sl = dir_slot(keys[h], bits);
                lo = r->dir[sl];
                hi = r->dir[sl + 1];
                __builtin_prefetch(r->keys + lo);
                __builtin_prefetch(r->keys + hi);
            }
            lo_[h % DAHEAD] = lo;
            hi_[h % DAHEAD] = hi;
        }
        if (g < nk && keys[g] < past) __builtin_prefetch(r->dir + dir_slot(keys[g], bits));
    }
}

void dp_run_lookup_all(const dp_run *r, const uint64_t *keys, size_t nk, uint64_t *pos,
                       uint32_t *count) {
    size_t n = (size_t)r->n, nf = dp_run_fences(n);
    if (!n) {
        memset(pos, 0, nk * sizeof *pos);
        memset(count, 0, nk * sizeof *count);
        return;
    }
    if (r->dir) {
        lookup_all_dir(r, keys, nk, pos, count);
        return;
    }
    /* Why: the keys of a chunk are spread over the whole run, so each
     * lookup in a large run is a cache (and TLB) miss; one at a time they
     * cost the memory's latency each, the largest cost of an add. The
     * fences are read in ascending order (the prefetcher follows), each
     * key's block is prefetched, and searched AHEAD keys later (and its
     * members read DAHEAD keys after that). */
    size_t blk[AHEAD], at_[DAHEAD];
    uint32_t cnt_[DAHEAD];
    size_t f = 0;  /* fence[f] < key, or f = 0 */
    for (size_t g = 0; g < nk + AHEAD + DAHEAD; g++) {
        if (g >= AHEAD + DAHEAD && g - AHEAD - DAHEAD < nk)
            members(r, g - AHEAD - DAHEAD, pos, at_, cnt_);
        /* key g - AHEAD first: its slot of blk is key g's next */
        if (g >= AHEAD && g - AHEAD < nk) {
            size_t h = g - AHEAD, b = blk[h % AHEAD], from = b * DP_RUN_FENCE;
            uint64_t key = keys[h];
            size_t at = from;
            if (r->keys[from] < key) {  /* else block 0 */
                size_t end = from + DP_RUN_FENCE < n ? from + DP_RUN_FENCE : n;
                at = block_lower(r->keys, from, end, key);
            }
            /* the bucket's entries, while their line is in the cache (a
             * lookup later would miss it again) */
            size_t e = at;
            while (e < n && r->keys[e] == key) e++;
            count[h] = (uint32_t)DP_MIN(e - at, (size_t)UINT32_MAX);
            found(r, h, at, count[h], pos, at_, cnt_);
        }
        if (g < nk) {
            uint64_t key = keys[g];
            /* the last fence < key (gallop from the previous one) */
            if (f + 1 < nf && r->fence[f + 1] < key) {
                size_t step = 1, lo = f + 1;
                while (lo + step < nf && r->fence[lo + step] < key) {
                    lo += step;
                    step *= 2;
                }
                size_t hi = lo + step < nf ? lo + step : nf;
                while (hi - lo > 1) {
                    size_t mid = lo + (hi - lo) / 2;
                    if (r->fence[mid] < key) lo = mid;
                    else hi = mid;
                }
                f = lo;
            }
            blk[g % AHEAD] = f;
            __builtin_prefetch(r->keys + f * DP_RUN_FENCE);
            __builtin_prefetch(r->keys + f * DP_RUN_FENCE + DP_RUN_FENCE - 1);
        }
    }
}

/* The first of keys[0..n) >= key, searched from guess g: galloping away
 * from it, then a binary search between the last two places looked at. */
static size_t lower_from(const uint64_t *keys, size_t n, size_t g, uint64_t key) {
    size_t lo, hi;  /* keys[lo] < key (lo = SIZE_MAX: none), keys[hi] >= key (hi = n: none) */
    if (keys[g] < key) {
        lo = g;
        for (size_t step = 1;; step *= 2) {
            hi = lo + step;
            if (hi >= n) { hi = n; break; }
            if (keys[hi] >= key) break;
            lo = hi;
        }
    } else {
        hi = g;
        for (size_t step = 1;; step *= 2) {
            if (hi < step) { lo = SIZE_MAX; break; }
            lo = hi - step;
            if (keys[lo] < key) break;
            hi = lo;
        }
    }
    size_t a = lo == SIZE_MAX ? 0 : lo + 1;  /* the answer is in [a, hi] */
    while (a < hi) {
        size_t mid = a + (hi - a) / 2;
        if (keys[mid] < key) a = mid + 1;
        else hi = mid;
    }
    return a;
}

/* Where key (band << 32 | hash) would be in run r: every document with
 * postings has one key in each band, so band b holds entries [b m, (b + 1)
 * m) of a run of n = per_doc m entries, and within a band the hashes are
 * spread evenly. Why: a check looks up each of its 80 keys in every run
 * alone, and a search from scratch was a cache miss at each of its ~20
 * steps in a large run (most of a check's time at 1M documents); from the
 * guess, the answer is some hundreds of entries away, a few neighbouring
 * lines. Only where the search starts: a wrong guess costs time, not
 * correctness. */
static size_t run_guess(const dp_run *r, unsigned per_doc, uint64_t key) {
    size_t n = (size_t)r->n, m = per_doc ? n / per_doc : 0;
    uint64_t band = key >> 32, hash = key & 0xffffffffu;
    size_t g = band < per_doc ? (size_t)band * m + (size_t)((hash * (uint64_t)m) >> 32) : n - 1;
    return g < n ? g : n - 1;
}

size_t dp_runs_find(const dp_runs *rs, uint64_t key, size_t *lo, size_t *hi, uint32_t *last) {
    size_t count = 0;
    for (uint32_t r = 0; r < rs->n; r++) {
        const dp_run *run = &rs->r[r];
        if (!run->n) {
            lo[r] = hi[r] = 0;
            continue;
        }
        lo[r] = lower_from(run->keys, (size_t)run->n, run_guess(run, rs->per_doc, key), key);
        hi[r] = dp_run_lower(&rs->r[r], lo[r], key + 1);
        count += hi[r] - lo[r];
        if (hi[r] > lo[r] && last) *last = rs->r[r].docs[hi[r] - 1];
    }
    return count;
}
