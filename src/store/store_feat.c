/*
 * store_feat.c — each document's feature blob (copy/features_store.h) in
 * the feat database as pieces of at most DP_FEAT_PIECE bytes, keyed
 * docnum << 24 | piece.
 *
 * Why pieces: LMDB puts a value of more than about 2 KB on overflow pages
 * of its own, whole 4 KiB pages, so a blob just over one page took two.
 * At 600k synthetic documents the blobs (4,319 bytes on average) took
 * 941,940 overflow pages, 6.4 KB a document, and on the VMs doppel runs
 * on each new page of the file is costly to touch. Pieces of at most
 * DP_FEAT_PIECE bytes are stored in the B-tree's leaves, three to a page, and an add
 * appends them in key order, which fills each leaf before the next. A
 * blob in one piece is read in place; one in several is put together in
 * the caller's buffer.
 */
#include "store/store_impl.h"

#include <errno.h>
#include <stdlib.h>

/* Three pieces of this size and their nodes (8-byte header, 8-byte key,
 * 2-byte index) fill a leaf of a 4 KiB page (16-byte header) to 4,074
 * bytes; pieces are full but a blob's last. Measured on 100k synthetic
 * documents: 6,451 bytes a document in the index against 7,925 with a blob
 * a value; pieces of 2,022 bytes (two a leaf, the largest LMDB keeps in a
 * leaf) 6,723, of 1,000 (four) 6,327 with more reads a blob. */
#define DP_FEAT_PIECE 1340u
#define PIECE_BITS 24

static size_t piece_key(uint32_t d, size_t piece) { return (size_t)d << PIECE_BITS | piece; }

void dp_feat_buf_free(dp_feat_buf *b) {
    dp_free(b->p, b->cap);
    *b = (dp_feat_buf){0};
}

static int buf_room(dp_feat_buf *b, size_t need) {
    return dp_grow((void **)&b->p, &b->cap, need, 1) == 0;
}

doppel_status dp_feat_put(const doppel_store *s, MDB_txn *txn, uint32_t d, const dp_features *f,
                          dp_feat_buf *tmp, doppel_error *err) {
    size_t len = dp_fstore_blob_size(f, s->keys);
    size_t n = (len + DP_FEAT_PIECE - 1) / DP_FEAT_PIECE;
    if (n >= (size_t)1 << PIECE_BITS)
        return dp_fail(err, DOPPEL_ERR_LIMIT, "index %s: document %u: features too large", s->dir, d);
    size_t key = piece_key(d, 0);
    MDB_val k = {sizeof key, &key}, v = {len, NULL};
    int rc;
    if (n <= 1) {
        if ((rc = mdb_put(txn, s->db_feat, &k, &v, MDB_RESERVE | MDB_APPEND)))
            return dp_store_mdb_fail(s, err, rc, "writing features");
        dp_fstore_pack(f, s->keys, v.mv_data);
        return DOPPEL_OK;
    }
    if (!buf_room(tmp, len)) return dp_fail(err, DOPPEL_ERR_NOMEM, "out of memory");
    dp_fstore_pack(f, s->keys, tmp->p);
    for (size_t i = 0, at = 0; i < n; i++, at += DP_FEAT_PIECE) {
        key = piece_key(d, i);
        v = (MDB_val){DP_MIN(DP_FEAT_PIECE, len - at), tmp->p + at};
        if ((rc = mdb_put(txn, s->db_feat, &k, &v, MDB_APPEND)))
            return dp_store_mdb_fail(s, err, rc, "writing features");
    }
    return DOPPEL_OK;
}

int dp_feat_get(const doppel_store *s, MDB_txn *txn, uint32_t d, dp_feat_buf *arena,
                const void **blob, size_t *len, size_t *at) {
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->db_feat, &cur);
    if (rc) return rc;
    /* the pieces in key order: one descent, then steps */
    size_t key = piece_key(d, 0), total = 0, got = 0, start = 0;
    MDB_val k = {sizeof key, &key}, v;
    *at = SIZE_MAX;
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY);
    if (!rc) total = dp_fstore_blob_len(v.mv_data, v.mv_size);
    if (!rc && total <= v.mv_size) {  /* one piece (or a damaged header: the reader says so) */
        *blob = v.mv_data;
        *len = v.mv_size;
    } else if (!rc && total > (size_t)DP_FEAT_PIECE << PIECE_BITS) {
        rc = MDB_CORRUPTED;
    } else if (!rc) {
        /* aligned as LMDB's values are (the blob is read as words) */
        start = (arena->len + 7) & ~(size_t)7;
        if (!buf_room(arena, start + total)) rc = ENOMEM;
        for (size_t i = 0; !rc; i++) {
            size_t got_key;
            memcpy(&got_key, k.mv_data, sizeof got_key);
            if (k.mv_size != sizeof got_key || got_key != piece_key(d, i) || got + v.mv_size > total) {
                rc = MDB_CORRUPTED;
                break;
            }
            memcpy(arena->p + start + got, v.mv_data, v.mv_size);
            got += v.mv_size;
            if (got == total) break;
            if ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == MDB_NOTFOUND) rc = MDB_CORRUPTED;
        }
        if (!rc) {
            arena->len = start + total;
            *at = start;
            *blob = arena->p + start;
            *len = total;
        }
    }
    mdb_cursor_close(cur);
    return rc;
}

int dp_feat_del(const doppel_store *s, MDB_txn *txn, uint32_t d) {
    for (size_t i = 0;; i++) {
        size_t key = piece_key(d, i);
        MDB_val k = {sizeof key, &key};
        int rc = mdb_del(txn, s->db_feat, &k, NULL);
        if (rc == MDB_NOTFOUND) return 0;
        if (rc) return rc;
    }
}
