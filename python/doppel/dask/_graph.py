"""The pipeline's steps as functions of numpy arrays, run on the workers.

Every exchange between partitions is a shuffle: a map step splits its
output into one piece per destination, a reduce step takes its piece from
every map. Documents are named by gid (partition << 32 | local number), so
gid order is input order and a document's owner is gid >> 32. The steps
reproduce doppel_index_finish (src/copy/finish.c) over all partitions:

  exact groups  (text hash)        -> one representative each, exact edges
  LSH buckets   ((band, hash) key) -> candidate pairs (all pairs, or the
                                      chain in input order over max_bucket)
  pre-filter    (pair joined with a's 16-bit signature prints) -> the pairs
                                      verification would not drop at once
  verification  (pair joined with both blobs) -> edges that join clusters
                                      (near, contained; derived when asked),
                                      with their relation, in C
  components    (large-star / small-star rounds over the edges)
  canonical     (cluster label)    -> canonical, size, cluster number, and
                                      the first documents of both texts
  edge lookup   (the earlier of those two) -> the verified relation between
                                      them, or none (then the member is linked)
  relations     (member joined with its canonical's blob) -> relation, score
"""
import os

import numpy as np

from ._parts import featurizer

LOW = np.uint64(0xFFFFFFFF)
S32 = np.uint64(32)
GOLD = np.uint64(0x9E3779B97F4A7C15)
NONE = 0
EXACT, NEAR, CONTAINED, DERIVED = 2, 3, 4, 6
RELATION_NAMES = {2: "exact", 3: "near", 4: "contained", 5: "linked", 6: "derived"}


def joins(rel, cfg):
    """Whether a verified relation joins clusters (dp_relation_joins)."""
    return rel in (EXACT, NEAR, CONTAINED) or (rel == DERIVED and bool(cfg.join_derived))


def mix(x):
    """A 64-bit mix of uint64 keys (routing and edge checksums)."""
    x = np.asarray(x, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = x * GOLD
        x ^= x >> np.uint64(29)
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(32)
    return x


def owner(gid):
    return (gid >> S32).astype(np.int64)


def local(gid):
    return (gid & LOW).astype(np.int64)


def split(dest, n_dest, **arrays):
    """One dict of arrays per destination; order within a piece is kept."""
    # small integer keys: numpy's stable sort is then a radix sort
    dest = dest.astype(np.uint16 if n_dest < 65536 else np.int64)
    order = np.argsort(dest, kind="stable")
    bounds = np.searchsorted(dest[order], np.arange(n_dest + 1))
    out = []
    for j in range(n_dest):
        sel = order[bounds[j]:bounds[j + 1]]
        out.append({k: v[sel] for k, v in arrays.items()})
    return out


def nbytes(pieces):
    return int(sum(v.nbytes for p in pieces for v in p.values()))


def concat(pieces, *keys, dtype=np.uint64):
    return [np.concatenate([p[k] for p in pieces]) if pieces else np.zeros(0, dtype=dtype)
            for k in keys]


def runs(sorted_keys):
    """Start index of each run of equal values, and the end sentinel."""
    n = len(sorted_keys)
    if n == 0:
        return np.zeros(1, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
    return np.concatenate((starts, [n]))


def aligned(a):
    """C reads blobs as 8-byte aligned words; an array that came from
    another worker may be a view at any offset of the message it came in."""
    return a if a.ctypes.data % 8 == 0 else a.copy()


# ---- exact groups -------------------------------------------------------------

def exact_map(part, R):
    pieces = split((mix(part.text_hash) % np.uint64(R)).astype(np.int64), R,
                   h=part.text_hash, g=part.gid())
    return pieces, nbytes(pieces)


def exact_reduce(pieces, P):
    """Representatives (the first document of each text), exact edges, and
    per owner partition the documents that are not representatives."""
    h, g = concat(pieces, "h", "g")
    order = np.lexsort((g, h))
    h, g = h[order], g[order]
    b = runs(h)
    rep = np.repeat(g[b[:-1]], np.diff(b))
    non = g != rep
    edges = {"u": rep[non], "v": g[non]}
    back = split(owner(g[non]), P, g=g[non], rep=rep[non])
    # representatives with exact copies: an exact edge vouches for all their words
    dup = np.unique(rep[non])
    for piece, d in zip(back, split(owner(dup), P, dup=dup)):
        piece["dup"] = d["dup"]
    return back, edges, nbytes(back)


# ---- LSH buckets ----------------------------------------------------------------

def lsh_map(part, nonrep_pieces, R):
    (non,) = concat(nonrep_pieces, "g")
    keep = np.ones(part.n, dtype=bool)
    keep[local(non)] = False
    g = part.gid()[keep]
    bands = part.bands[keep]
    nb = bands.shape[1]
    key = (np.arange(nb, dtype=np.uint64)[None, :] << S32) | bands.astype(np.uint64)
    key = key.reshape(-1)
    gg = np.repeat(g, nb)
    pieces = split((mix(key) % np.uint64(R)).astype(np.int64), R, k=key, g=gg)
    return pieces, nbytes(pieces)


def lsh_reduce(pieces, P, max_bucket, lsh_bands=None):
    """Candidate pairs of each bucket, as dp_lsh_candidates emits them:
    every pair of a bucket of at most max_bucket members, else the chain of
    neighbours in input order; a reuse slot's bucket (keys from lsh_bands
    on) of more than DOPPEL_REUSE_CAP members gives none. Routed to the
    owner of the earlier document, which sends its pre-filter record on."""
    from doppel._ffi import lib
    k, g = concat(pieces, "k", "g")
    # Pieces come in partition order and each lists its entries in gid
    # order, so a stable sort on the key alone leaves every bucket in gid
    # (input) order, as the index's stable sort does.
    order = np.argsort(k, kind="stable")
    k, g = k[order], g[order]
    b = runs(k)
    size = np.diff(b)
    reuse = ((k[b[:-1]] >> S32) >= np.uint64(lsh_bands) if lsh_bands is not None
             else np.zeros(len(size), dtype=bool))
    dropped = reuse & (size > lib.DOPPEL_REUSE_CAP)
    oversize = int(np.count_nonzero((size > max_bucket) | dropped))
    # Entry i of a bucket pairs with entry i + d for d = 1 .. (left in the
    # bucket); an oversize bucket only with d = 1 (the chain). The positions
    # still pairing shrink with d, so the work is the number of pairs.
    left = np.repeat(size, size) - 1 - (np.arange(len(g)) - np.repeat(b[:-1], size))
    left[np.repeat(dropped, size)] = 0
    big = np.repeat(size > max_bucket, size)
    i = np.flatnonzero(left > 0)
    a_parts, b_parts = [], []
    d = 1
    while len(i):
        a_parts.append(g[i])
        b_parts.append(g[i + d])
        d += 1
        i = i[(left[i] >= d) & ~big[i]]
    a = np.concatenate(a_parts) if a_parts else np.zeros(0, dtype=np.uint64)
    bb = np.concatenate(b_parts) if b_parts else np.zeros(0, dtype=np.uint64)
    out = split(owner(a), P, a=a, b=bb)
    return out, {"pairs_emitted": len(a), "oversize_buckets": oversize}, nbytes(out)


# ---- joining a pair (or a member) with blobs ----------------------------------------

def attach(part, left, right, P, extra=None):
    """For rows (left, right) where right is a document of this partition:
    route each row to the owner of left, with the blobs (and ids) of the
    distinct right documents that destination needs."""
    dest = owner(left)
    cols = {"l": left, "r": right}
    cols.update(extra or {})
    pieces = split(dest, P, **cols)
    for p in pieces:
        ur = np.unique(p["r"])
        loc = local(ur)
        lens = part.blob_off[loc + 1] - part.blob_off[loc]
        p["ur"] = ur
        p["ur_off"] = np.concatenate(([0], np.cumsum(lens))).astype(np.int64)
        p["ur_blob"] = (np.concatenate([part.blobs[part.blob_off[x]:part.blob_off[x + 1]]
                                        for x in loc]) if len(loc) else np.zeros(0, np.uint8))
        ids = [part.id(x) for x in loc]
        p["ur_id_off"] = np.concatenate(([0], np.cumsum([len(x) for x in ids]))).astype(np.int64)
        p["ur_id"] = np.frombuffer(b"".join(ids), dtype=np.uint8)
    return pieces, nbytes(pieces)


def unique_pairs(pieces):
    a, b = concat(pieces, "a", "b")
    if not len(a):
        return a, b
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    keep = np.concatenate(([True], (a[1:] != a[:-1]) | (b[1:] != b[:-1])))
    return a[keep], b[keep]


def prefilter_hop1(part, pieces, P):
    """At the owner of a: each distinct candidate pair (a, b) to the owner
    of b, with the pre-filter records (~300 bytes, not the ~5 KB blobs) of
    the distinct a documents that destination needs."""
    a, b = unique_pairs(pieces)
    out = split(owner(b), P, a=a, b=b)
    for p in out:
        u = np.unique(p["a"])
        p["ua"] = u
        p["ua_rec"] = part.prefilter[local(u)]
    return out, len(a), nbytes(out)


def prefilter_hop2(part, pieces, P, cfg):
    """At the owner of b: the pairs the signature pre-filter keeps (decided
    in C by doppel_features_prefilter, the rule doppel_features_verify
    applies first, so a dropped pair is one it would drop), routed back to
    the owner of a with b's blob; the dropped ones go no further."""
    fz = featurizer(cfg)
    a, b = concat(pieces, "a", "b")
    if len(a):
        rb = part.prefilter[local(b)]
        ra = np.concatenate([p["ua_rec"][np.searchsorted(p["ua"], p["a"])] for p in pieces])
        keep = np.frombuffer(fz.prefilter(np.ascontiguousarray(ra), rb), dtype=np.uint8) != 0
        a, b = a[keep], b[keep]
    # pieces come in partition order, each sorted: (a, b) stays sorted
    out, nb = attach(part, a, b, P)
    return out, len(a), nb


def verify_hop2(part, pieces, cfg):
    """Verify each candidate pair with both blobs, in C (doppel_features_verify);
    the pairs that join clusters are the edges, with their relation."""
    fz = featurizer(cfg)
    own = aligned(part.blobs)
    eu, ev, er, au, av = [], [], [], [], []
    for p in pieces:
        blobs = aligned(p["ur_blob"])
        off = p["ur_off"]
        pos = np.searchsorted(p["ur"], p["r"])
        for a, j in zip(p["l"].tolist(), pos.tolist()):
            la = a & 0xFFFFFFFF
            rel, _, _, art_a, art_b = fz.verify(own[part.blob_off[la]:part.blob_off[la + 1]],
                                                blobs[off[j]:off[j + 1]])
            if joins(rel, cfg):
                eu.append(a)
                ev.append(int(p["ur"][j]))
                er.append(rel)
                au.append(art_a)
                av.append(art_b)
    return {"u": np.array(eu, dtype=np.uint64), "v": np.array(ev, dtype=np.uint64),
            "rel": np.array(er, dtype=np.int64), "art_u": np.array(au, dtype=np.int64),
            "art_v": np.array(av, dtype=np.int64)}


def article_map(verified, P):
    """Each edge's covered words, to the owner of each of its documents."""
    g = np.concatenate((verified["u"], verified["v"]))
    art = np.concatenate((verified["art_u"], verified["art_v"]))
    pieces = split(owner(g), P, g=g, art=art)
    return pieces, nbytes(pieces)


def canon_size(part, cfg, nonrep_pieces, art_pieces):
    """What the canonical policy weighs: for "longest" (exact verification)
    a document's words its copy edges vouch for, the most over them, all its
    words when it has none (finish.c); in fast mode or for the other
    policies the shingles."""
    if cfg.canonical != "longest" or cfg.verify != "exact":
        return part.set_len.astype(np.int64)
    words = part.words_len.astype(np.int64)
    art = np.zeros(part.n, dtype=np.int64)
    g, a = concat(art_pieces, "g", "art")
    np.maximum.at(art, local(g), a.astype(np.int64))
    (dup,) = concat(nonrep_pieces, "dup")
    art[local(dup)] = words[local(dup)]  # an exact copy's edge covers every word
    (non,) = concat(nonrep_pieces, "g")
    art[local(non)] = words[local(non)]
    return np.where(art == 0, words, art)


# ---- connected components: large-star / small-star (Kiveris et al., 2014) ----------

def checksum(u, v):
    with np.errstate(over="ignore"):
        return int(np.sum(mix(mix(u) ^ v), dtype=np.uint64)), len(u)


def large_map(edges, R):
    u, v = edges["u"], edges["v"]
    x, y = np.concatenate((u, v)), np.concatenate((v, u))
    pieces = split((mix(x) % np.uint64(R)).astype(np.int64), R, x=x, y=y)
    return pieces, nbytes(pieces)


def large_reduce(pieces):
    """Each node links its larger neighbours to the least of its
    neighbourhood (itself included)."""
    x, y = concat(pieces, "x", "y")
    order = np.lexsort((y, x))
    x, y = x[order], y[order]
    if len(x):
        keep = np.concatenate(([True], (x[1:] != x[:-1]) | (y[1:] != y[:-1])))
        x, y = x[keep], y[keep]
    b = runs(x)
    m = np.minimum(y[b[:-1]], x[b[:-1]]) if len(x) else np.zeros(0, np.uint64)
    m = np.repeat(m, np.diff(b))
    once = x < y
    cs = checksum(x[once], y[once])
    sel = y > x
    return {"u": m[sel], "v": y[sel]}, cs


def small_map(edges, R):
    u, v = edges["u"], edges["v"]
    pieces = split((mix(v) % np.uint64(R)).astype(np.int64), R, u=u, v=v)
    return pieces, nbytes(pieces)


def small_reduce(pieces):
    """Each node links itself and its smaller neighbours to the least of them."""
    u, v = concat(pieces, "u", "v")
    order = np.lexsort((u, v))
    u, v = u[order], v[order]
    if len(u):
        keep = np.concatenate(([True], (u[1:] != u[:-1]) | (v[1:] != v[:-1])))
        u, v = u[keep], v[keep]
    b = runs(v)
    m = np.repeat(u[b[:-1]], np.diff(b)) if len(u) else np.zeros(0, np.uint64)
    centre = v[b[:-1]] if len(v) else np.zeros(0, np.uint64)
    cm = u[b[:-1]] if len(u) else np.zeros(0, np.uint64)
    sel = u != m
    nu = np.concatenate((m[sel], cm))
    nv = np.concatenate((u[sel], centre))
    return {"u": nu, "v": nv}


def label_map(edges, P):
    """Final stars (centre u < leaf v): the leaf's label is the centre."""
    u, v = edges["u"], edges["v"]
    x = np.concatenate((v, u))
    lab = np.concatenate((u, u))
    pieces = split(owner(x), P, x=x, m=lab)
    return pieces, nbytes(pieces)


# ---- labels, cluster numbers, canonical choice ---------------------------------------

class Labels:
    """A partition's documents' component labels (the least gid of the
    component; own gid for a document on no edge), and the cluster numbers
    of the components whose least member is here."""

    def __init__(self, part, pieces):
        gid = part.gid()
        self.label = gid.copy()
        self.member = np.zeros(part.n, dtype=bool)
        x, m = concat(pieces, "x", "m")
        if len(x):
            order = np.lexsort((m, x))
            x, m = x[order], m[order]
            first = runs(x)[:-1]
            lx = local(x[first])
            self.label[lx] = m[first]
            self.member[lx] = True
        self.root = self.label == gid
        self.roots = int(np.count_nonzero(self.root))
        self.cluster = np.full(part.n, -1, dtype=np.int64)

    def number(self, offset):
        """Roots here get offset, offset + 1, ... in input order."""
        self.cluster[self.root] = offset + np.arange(self.roots, dtype=np.int64)
        return self


def count_roots(labels):
    return labels.roots


def first_of_text(part, nonrep_pieces):
    """Each document's text's first document (its own gid unless it is an
    exact copy of an earlier one)."""
    rep = part.gid().copy()
    non, r = concat(nonrep_pieces, "g", "rep")
    rep[local(non)] = r
    return rep


def canon_map(part, labels, nonrep_pieces, art_pieces, cfg, R):
    sel = labels.member
    lab = labels.label[sel]
    size = canon_size(part, cfg, nonrep_pieces, art_pieces)
    pieces = split((mix(lab) % np.uint64(R)).astype(np.int64), R, lab=lab, g=part.gid()[sel],
                   size=size[sel], date=part.date[sel],
                   no=labels.cluster[sel], rep=first_of_text(part, nonrep_pieces)[sel])
    return pieces, nbytes(pieces)


NO_DATE = np.int64(-(2 ** 63))


def canon_reduce(pieces, P, policy):
    """Per component: its size, cluster number (from its least member) and
    canonical document by policy (dp_assign_clusters' `better`); each member
    row goes to the owner of the earlier of the two texts' first documents,
    where the edge between them was verified."""
    lab, g, rep = concat(pieces, "lab", "g", "rep")
    size, date, no = concat(pieces, "size", "date", "no", dtype=np.int64)
    if policy == "longest":
        order = np.lexsort((g, -size, lab))
    elif policy == "earliest":
        undated = date == NO_DATE
        order = np.lexsort((g, date, undated, lab))
    else:
        order = np.lexsort((g, lab))
    lab_s = lab[order]
    b = runs(lab_s)
    counts = np.diff(b)
    canon = np.repeat(g[order][b[:-1]], counts)
    csize = np.repeat(counts, counts)
    # the root (gid == label) carries the number
    is_root = g == lab
    no_of = dict(zip(lab[is_root].tolist(), no[is_root].tolist()))
    cno = np.array([no_of[x] for x in lab_s[b[:-1]].tolist()], dtype=np.int64)
    cno = np.repeat(cno, counts)
    member = g[order]
    rm = rep[order]
    rc = np.repeat(rm[b[:-1]], counts)
    x = np.minimum(rm, rc)
    out = split(owner(x), P, l=member, r=canon, size=csize.astype(np.int64), no=cno,
                x=x, y=np.maximum(rm, rc))
    return out, nbytes(out)


def edge_lookup(verified, pieces, P):
    """The verified relation of each row's pair of first documents (x, y),
    from the edges this partition verified (x is its own); 0 when they are
    no edge. Rows then go to the canonical's owner."""
    l, r, x, y = concat(pieces, "l", "r", "x", "y")
    size, no = concat(pieces, "size", "no", dtype=np.int64)
    found = dict(zip(zip(verified["u"].tolist(), verified["v"].tolist()),
                     verified["rel"].tolist()))
    erel = np.array([found.get(k, NONE) for k in zip(x.tolist(), y.tolist())], dtype=np.int64)
    out = split(owner(r), P, l=l, r=r, size=size, no=no, erel=erel)
    return out, nbytes(out)


def relate_hop1(part, pieces, P):
    l, r = concat(pieces, "l", "r")
    size, no, erel = concat(pieces, "size", "no", "erel", dtype=np.int64)
    # rows go to the member's owner, with the canonical's blob and id
    out, nb = attach(part, l, r, P, extra={"size": size, "no": no, "erel": erel})
    return out, nb


def finish_part(part, labels, pieces, cfg, out_dir, mode, spec, ropt):
    """Each document's cluster, canonical, relation and score; the
    partition's lines written to out_dir/part-NNNNN (atomically)."""
    from doppel._output import cluster_line, json_string
    from ._parts import records
    fz = featurizer(cfg)
    own = aligned(part.blobs)
    n = part.n
    cluster = labels.cluster.copy()
    canon_id = [None] * n
    canon_self = np.ones(n, dtype=bool)
    csize = np.ones(n, dtype=np.int64)
    rel = ["unique"] * n
    score = [1.0] * n
    removed = {"exact": 0, "near": 0, "contained": 0, "linked": 0, "derived": 0}
    for p in pieces:
        blobs = aligned(p["ur_blob"])
        off, ioff, ids = p["ur_off"], p["ur_id_off"], p["ur_id"].tobytes()
        pos = np.searchsorted(p["ur"], p["r"])
        for m, c, j, sz, no, erel in zip(p["l"].tolist(), p["r"].tolist(), pos.tolist(),
                                         p["size"].tolist(), p["no"].tolist(),
                                         p["erel"].tolist()):
            lm = m & 0xFFFFFFFF
            cluster[lm] = no
            csize[lm] = sz
            canon_id[lm] = ids[ioff[j]:ioff[j + 1]]
            if c == m:
                rel[lm] = "canonical"
                continue
            canon_self[lm] = False
            code, s = fz.relate(blobs[off[j]:off[j + 1]],
                                own[part.blob_off[lm]:part.blob_off[lm + 1]], erel)
            name = RELATION_NAMES[code]
            rel[lm], score[lm] = name, s
            removed[name] += 1
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "part-%05d" % part.pidx)
    tmp = "%s.tmp-%d" % (path, os.getpid())
    with open(tmp, "wb") as f:
        if mode == "cluster":
            for d in range(n):
                own = part.id(d)
                f.write(cluster_line(own, int(cluster[d]), canon_id[d] or own, rel[d], score[d],
                                     int(csize[d])))
        else:  # dedup: the kept records, byte for byte, re-read from the input
            d = 0
            passed = set(part.passed.tolist())
            for k, rec in enumerate(records(spec, ropt, raw=True)):
                if k in passed and rec.status == 0:
                    f.write(rec.raw + b"\n" if rec.raw is not None else
                            b'{"id":%s,"text":%s}\n' % (json_string(rec.id),
                                                         json_string(rec.text)))
                    continue
                if d >= n or part.ordinal[d] != k:
                    continue
                if rec.status != 0:
                    raise RuntimeError("%s: input changed between the two passes" % spec[0])
                if canon_self[d]:
                    if rec.raw is not None:
                        f.write(rec.raw + b"\n")
                    else:
                        f.write(b'{"id":%s,"text":%s}\n' % (json_string(rec.id),
                                                            json_string(rec.text)))
                d += 1
            if d != n:
                raise RuntimeError("%s: input changed between the two passes" % spec[0])
    os.replace(tmp, path)
    return {"removed": removed, "docs": n}
