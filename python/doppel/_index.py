"""doppel.Index: add documents, finish, read clusters and verified pairs."""
import collections

from ._core import (DocumentSkipped, DoppelError, NO_DATE, _bytes, _check, _config, _err,
                    flag_names, parse_date, relation_name)
from ._ffi import ffi, lib

Result = collections.namedtuple(
    "Result", "docnum id cluster canonical canonical_id cluster_size relation score")
Result.__doc__ = """One document's place in the clustering. relation is "unique" (a
cluster of one), "canonical", "exact", "near", "contained" or "linked", as
`doppel cluster` writes it; score the Jaccard with the canonical (the
containment for contained)."""

Pair = collections.namedtuple("Pair", "a b a_id b_id jaccard a_in_b b_in_a shared relation")
Pair.__doc__ = "One verified pair (a < b in docnum order), as `doppel pairs` lists it."

Skipped = collections.namedtuple("Skipped", "position id code status message")


def _as_doc(item):
    """(id, text, date) from a dict {"id", "text", "date"?} or a tuple
    (id, text) / (id, text, date)."""
    if isinstance(item, dict):
        try:
            return item["id"], item["text"], item.get("date")
        except KeyError as e:
            raise ValueError("document %r lacks the field %s" % (
                {k: v for k, v in item.items() if k != "text"}, e)) from None
    if isinstance(item, (tuple, list)) and len(item) in (2, 3):
        return item[0], item[1], item[2] if len(item) == 3 else None
    raise TypeError("a document is a dict with id and text, or an (id, text[, date]) tuple; "
                    "got %s" % type(item).__name__)


def _id_bytes(x):
    if isinstance(x, (int,)) and not isinstance(x, bool):
        return str(x).encode()
    return _bytes(x)


class Index:
    """The batch engine (doppel_index): add documents, finish(), then
    results() and pairs(). Equal to `doppel cluster` on the same documents in
    the same order with the same options.

        idx = doppel.Index(threshold=0.5)
        idx.add_many([("a", text_a), ("b", text_b)])
        idx.finish()
        for r in idx.results(): print(r.id, r.cluster, r.relation)

    Options are Config's (or pass config=). Adding runs the features of a
    batch on cfg.threads threads, and every library call runs without the
    GIL. Documents that have no words (or are binary) are not added:
    add() raises DocumentSkipped, add_many() records them in .skipped.
    """

    def __init__(self, config=None, **options):
        self.config = _config(config, options)
        p = ffi.new("doppel_index **")
        err = _err()
        _check(lib.doppel_index_new(self.config._c, p, err), err)
        self._idx = p[0]
        self._finished = False
        self.skipped = []
        self._seen = 0

    # -- lifetime
    def close(self):
        if self._idx is not None:
            lib.doppel_index_free(self._idx)
            self._idx = None

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _handle(self):
        if self._idx is None:
            raise DoppelError(lib.DOPPEL_ERR_STATE, "the index is closed")
        return self._idx

    def __len__(self):
        return lib.doppel_index_count(self._handle())

    # -- adding
    def add(self, id, text, date=None):
        """Add one document; returns its docnum. date: seconds, datetime or a
        date string (None: the date extraction finds, if any)."""
        idb, tb = _id_bytes(id), _bytes(text)
        d = parse_date(date)
        info = ffi.new("doppel_add_info *")
        err = _err()
        st = lib.doppel_index_add(self._handle(), idb, len(idb), tb, len(tb),
                                  NO_DATE if d is None else d, info, err)
        self._seen += 1
        if st in (lib.DOPPEL_ERR_EMPTY, lib.DOPPEL_ERR_FORMAT):
            raise DocumentSkipped(st, ffi.string(err.message).decode("utf-8", "replace"))
        _check(st, err)
        return info.docnum

    def add_many(self, docs, batch_size=1024):
        """Add documents from any iterable of dicts {"id", "text", "date"?} or
        (id, text[, date]) tuples, batch by batch on cfg.threads threads
        (doppel_index_add_batch). Returns the number added; documents not
        added are appended to self.skipped as Skipped(position, id, code,
        status, message)."""
        added = 0
        chunk = []
        for item in docs:
            chunk.append(_as_doc(item))
            if len(chunk) >= batch_size:
                added += self._add_batch(chunk)
                chunk = []
        if chunk:
            added += self._add_batch(chunk)
        return added

    def _add_batch(self, chunk):
        n = len(chunk)
        inputs = ffi.new("doppel_doc_input[]", n)
        statuses = ffi.new("doppel_status[]", n)
        infos = ffi.new("doppel_add_info[]", n)
        keep = []
        for i, (id_, text, date) in enumerate(chunk):
            idb, tb = _id_bytes(id_), _bytes(text)
            keep.append((idb, tb))
            d = parse_date(date)
            inputs[i].id, inputs[i].id_len = ffi.from_buffer(idb), len(idb)
            inputs[i].text, inputs[i].text_len = ffi.from_buffer(tb), len(tb)
            inputs[i].date = NO_DATE if d is None else d
        err = _err()
        _check(lib.doppel_index_add_batch(self._handle(), inputs, n, statuses, infos, err), err)
        added = 0
        for i in range(n):
            st = statuses[i]
            if st == 0:
                added += 1
            else:
                why = ("is binary data" if st == lib.DOPPEL_ERR_FORMAT else
                       "has no words after extraction (all boilerplate)"
                       if "empty" in flag_names(infos[i].extract_flags) else "has no words")
                idb = keep[i][0]
                self.skipped.append(Skipped(self._seen + i, idb.decode("utf-8", "replace"), st,
                                            ffi.string(lib.doppel_strerror(st)).decode(),
                                            "document '%s' %s" % (idb[:200].decode("utf-8", "replace"), why)))
        self._seen += n
        del keep
        return added

    # -- finishing and results
    def finish(self, progress=None):
        """Find candidates, verify, cluster. progress(phase, done) is called
        from the finishing thread (with the GIL taken back for the call)."""
        err = _err()
        if progress is not None:
            @ffi.callback("void(const char *, double, void *)")
            def cb(phase, done, user):
                progress(ffi.string(phase).decode(), done)
        else:
            cb = ffi.NULL
        _check(lib.doppel_index_finish(self._handle(), cb, ffi.NULL, err), err)
        self._finished = True
        return self

    def result(self, docnum):
        """Result of one document (after finish)."""
        r, c = ffi.new("doppel_doc_result *"), ffi.new("doppel_doc_result *")
        idx = self._handle()
        _check(lib.doppel_index_result(idx, docnum, r))
        lib.doppel_index_result(idx, r.canonical, c)
        rel = "unique" if r.cluster_size == 1 else relation_name(r.relation)
        return Result(docnum, ffi.unpack(r.id, r.id_len).decode("utf-8", "replace"), r.cluster,
                      r.canonical, ffi.unpack(c.id, c.id_len).decode("utf-8", "replace"),
                      r.cluster_size, rel, r.score)

    def results(self):
        """Every document's Result, in docnum (input) order."""
        return [self.result(d) for d in range(len(self))]

    def clusters(self):
        """Clusters of more than one document: {cluster: [ids]}."""
        out = {}
        for r in self.results():
            if r.cluster_size > 1:
                out.setdefault(r.cluster, []).append(r.id)
        return out

    def pairs(self):
        """Every verified pair, in (a, b) order."""
        raw = []

        @ffi.callback("int(const doppel_pair *, void *)")
        def visit(p, user):
            raw.append((p.a, p.b, p.sim.jaccard, p.sim.a_in_b, p.sim.b_in_a, p.sim.shared,
                        p.relation))
            return 0

        _check(lib.doppel_index_pairs(self._handle(), visit, ffi.NULL))
        r = ffi.new("doppel_doc_result *")
        ids = {}

        def id_of(d):
            if d not in ids:
                lib.doppel_index_result(self._idx, d, r)
                ids[d] = ffi.unpack(r.id, r.id_len).decode("utf-8", "replace")
            return ids[d]

        return [Pair(a, b, id_of(a), id_of(b), j, ab, ba, s, relation_name(rel))
                for a, b, j, ab, ba, s, rel in raw]

    def stats(self):
        """doppel_index_stats as a dict."""
        s = ffi.new("doppel_index_stats *")
        lib.doppel_index_get_stats(self._handle(), s)
        return {name: getattr(s, name) for name, _ in ffi.typeof("doppel_index_stats").fields}
