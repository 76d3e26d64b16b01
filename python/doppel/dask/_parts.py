"""Input partitions, and what a worker computes for each: the records read
by doppel's own reader, every document's features (a blob per document,
made in C) and the keys the shuffles route on.

A partition is a whole file (compressed, a directory, or not JSONL) or a
byte range of an uncompressed JSONL file. A range holds the lines that
start inside it, so every line belongs to exactly one partition; its bytes
are handed to the reader through an in-memory file, with the format fixed
to JSONL (the file's own first line decided that), so each record meets the
same scanner and checks as under `doppel cluster`.
"""
import os

import numpy as np

import doppel
from doppel._ffi import ffi, lib

SKIP_KINDS = {-4: "skipped_json", -5: "skipped_field", -6: "skipped_too_large",
              -7: "skipped_empty", -8: "skipped_binary"}
COUNT_KEYS = ["read", "indexed", "passed", "skipped_json", "skipped_field", "skipped_too_large",
              "skipped_empty", "skipped_unreadable", "skipped_binary", "invalid_utf8",
              "nul_bytes", "short_docs", "bytes"]


def plan(inputs, partition_bytes):
    """[(path, start, end)] in input order; start None = the whole file."""
    parts = []
    for path in inputs:
        if not os.path.exists(path):
            raise FileNotFoundError("%s: no such file or directory" % path)
        if os.path.isdir(path):
            parts.append((path, None, None))
            continue
        with open(path, "rb") as f:
            head = f.read(4096)
        compressed = head[:2] == b"\x1f\x8b" or head[:4] == b"\x28\xb5\x2f\xfd"
        body = head.lstrip(b" \t\r\n")
        if body.startswith(b"\xef\xbb\xbf"):
            body = body[3:]
        size = os.path.getsize(path)
        if compressed or not body.startswith(b"{") or size <= partition_bytes:
            parts.append((path, None, None))
            continue
        for start in range(0, size, partition_bytes):
            parts.append((path, start, min(size, start + partition_bytes)))
    return parts


def range_bytes(path, start, end):
    """The lines of path that start in [start, end)."""
    with open(path, "rb") as f:
        if start > 0:
            f.seek(start - 1)
            if f.read(1) != b"\n":
                f.readline()  # the line that began before start is the previous range's
        first = f.tell()
        if first >= end:
            return b""
        data = f.read(end - first)
        if not data.endswith(b"\n"):
            data += f.readline()  # the last line, which starts inside the range
        return data


def records(spec, ropt, raw=False):
    """doppel.read over one partition."""
    path, start, end = spec
    kw = dict(ropt)
    if start is None:
        yield from doppel.read(path, raw=raw, **kw)
        return
    fd = os.memfd_create("doppel-part")
    try:
        os.write(fd, range_bytes(path, start, end))
        kw["format"] = "jsonl"
        yield from doppel.read("/proc/self/fd/%d" % fd, raw=raw, **kw)
    finally:
        os.close(fd)


_featurizers = {}


def featurizer(cfg):
    """One featurizer per worker process and configuration (tasks of one
    worker run on its one thread: the pipeline asks for nthreads=1)."""
    key = repr(cfg.to_dict())
    fz = _featurizers.get(key)
    if fz is None:
        fz = _featurizers[key] = doppel.Featurizer(cfg)
    return fz


class Part:
    """What one partition's documents are: in input order, gid = partition
    number << 32 | local number (so gid order is input order)."""

    def __init__(self, pidx, n, ids, id_off, blobs, blob_off, text_hash, set_len, date, bands,
                 counts, messages, ordinal, words_len, passed=None, prefilter=None):
        self.pidx, self.n = pidx, n
        self.ordinal = ordinal  # each document's record number in the partition
        self.ids, self.id_off = ids, id_off
        self.blobs, self.blob_off = blobs, blob_off
        self.text_hash, self.set_len, self.date, self.bands = text_hash, set_len, date, bands
        self.counts, self.messages = counts, messages
        self.words_len = words_len  # words kept for alignment (0 in fast mode)
        # each document's pre-filter record (doppel_features_prefilter_record),
        # a row of uint32: what candidates carry before blobs do
        self.prefilter = prefilter
        # record numbers of the documents with no words: not compared, and
        # kept by dedup as the CLI keeps them
        self.passed = passed if passed is not None else np.zeros(0, dtype=np.int64)

    def gid(self):
        return (np.uint64(self.pidx) << np.uint64(32)) | np.arange(self.n, dtype=np.uint64)

    def blob(self, local):
        return self.blobs[self.blob_off[local]:self.blob_off[local + 1]]

    def id(self, local):
        return self.ids[self.id_off[local]:self.id_off[local + 1]]

    def nbytes(self):
        return sum(a.nbytes for a in (self.id_off, self.blobs, self.blob_off, self.text_hash,
                                      self.set_len, self.date, self.bands,
                                      self.words_len, self.prefilter)) + len(self.ids)


def _open(spec, ropt):
    """A doppel_reader over one partition (and the memfd it reads, or None)."""
    from doppel._core import _INPUT_FORMATS, _bytes, _check, _err
    path, start, end = spec
    opt = ffi.new("doppel_reader_options *")
    lib.doppel_reader_options_default(opt)
    keep = [ffi.new("char[]", _bytes(ropt.get(f, d))) for f, d in
            (("id_field", "id"), ("text_field", "text"), ("title_field", "title"),
             ("date_field", "date"))]
    opt.id_field, opt.text_field, opt.title_field, opt.date_field = keep
    opt.max_doc_bytes = ropt.get("max_doc_bytes", 64 << 20)
    opt.format = _INPUT_FORMATS[ropt.get("format", "auto")]
    fd = None
    if start is not None:
        fd = os.memfd_create("doppel-part")
        os.write(fd, range_bytes(path, start, end))
        path = "/proc/self/fd/%d" % fd
        opt.format = lib.DOPPEL_INPUT_JSONL
    rp = ffi.new("doppel_reader **")
    err = _err()
    try:
        _check(lib.doppel_reader_open(_bytes(path), opt, rp, err), err)
    except Exception:
        if fd is not None:
            os.close(fd)
        raise
    return ffi.gc(rp[0], lib.doppel_reader_free), fd, keep


def featurize(pidx, spec, cfg, ropt):
    """Read one partition and compute every document's features (in C: the
    reader, then doppel_features_compute on the record's bytes in place)."""
    from array import array
    fz = featurizer(cfg)
    # candidate keys: the LSH bands, then in exact mode the reuse slots
    nb = fz.shape[0] + (lib.DOPPEL_REUSE_SLOTS if cfg.verify == "exact" else 0)
    counts = dict.fromkeys(COUNT_KEYS, 0)
    messages = []
    ids, id_off, blobs, blob_off = bytearray(), array("q", [0]), bytearray(), array("q", [0])
    th, sl, dates, bands, ordinal = array("Q"), array("I"), array("q"), bytearray(), array("q")
    wl, passed = array("I"), array("q")
    pw = fz.prefilter_words
    prec, rec_buf = bytearray(), ffi.new("uint32_t[]", pw)
    reader, fd, keep = _open(spec, ropt)
    rec = ffi.new("doppel_record *")
    err = ffi.new("doppel_error *")
    buf = ffi.new("doppel_buf *")
    info = ffi.new("doppel_feature_info *")
    date = ffi.new("int64_t *")
    rec_no = 0
    try:
        while True:
            st = lib.doppel_reader_next(reader, rec, err)
            if st == lib.DOPPEL_END:
                break
            rec_no += 1
            if st != 0:
                counts[SKIP_KINDS.get(st, "skipped_unreadable")] += 1
                if len(messages) < 20:
                    messages.append(ffi.string(err.message).decode("utf-8", "replace"))
                continue
            st = lib.doppel_features_compute(fz._fz, rec.text, rec.text_len, buf, info, err)
            if st != 0:
                if st not in SKIP_KINDS:
                    raise doppel.DoppelError(st, ffi.string(err.message).decode())
                if st == -7 and not ropt.get("drop_uncompared"):
                    # as the CLI: no words to compare, so a copy of nothing it
                    # can tell; passed through, not skipped
                    counts["passed"] += 1
                    passed.append(rec_no - 1)
                    continue
                counts[SKIP_KINDS[st]] += 1
                if len(messages) < 20:
                    messages.append("%s: document '%s' %s, skipped" % (
                        spec[0], ffi.unpack(rec.id, min(rec.id_len, 200)).decode("utf-8", "replace"),
                        "is binary data" if st == -8 else "has no words"))
                continue
            ordinal.append(rec_no - 1)
            counts["bytes"] += rec.text_len
            counts["invalid_utf8"] += info.norm.invalid_utf8 + rec.invalid_utf8
            counts["nul_bytes"] += info.norm.nul_bytes
            counts["short_docs"] += info.short_doc != 0
            rid = ffi.unpack(rec.id, rec.id_len)
            if b"\0" in rid:  # ids are C strings in the index: cut at the first NUL
                rid = rid.split(b"\0", 1)[0]
            ids += rid
            id_off.append(len(ids))
            blobs += ffi.buffer(buf.data, buf.len)
            blob_off.append(len(blobs))
            th.append(info.text_hash)
            sl.append(info.set_len)
            wl.append(info.words_len)
            d = info.date
            if rec.date != ffi.NULL and lib.doppel_parse_date(rec.date, date) == 0:
                d = date[0]
            dates.append(d)
            bands += ffi.buffer(info.bands, 4 * nb)
            st = lib.doppel_features_prefilter_record(fz._fz, buf.data, buf.len, rec_buf)
            if st:
                raise doppel.DoppelError(st, "%s: a blob its own featurizer refuses" % spec[0])
            prec += ffi.buffer(rec_buf)
    finally:
        lib.doppel_buf_free(buf)
        if fd is not None:
            os.close(fd)
        del keep
    counts["read"] = rec_no
    n = len(th)
    counts["indexed"] = n
    return Part(pidx, n, bytes(ids), np.frombuffer(id_off, dtype=np.int64).copy(),
                np.frombuffer(blobs, dtype=np.uint8).copy(),
                np.frombuffer(blob_off, dtype=np.int64).copy(),
                np.frombuffer(th, dtype=np.uint64).copy(), np.frombuffer(sl, dtype=np.uint32).copy(),
                np.frombuffer(dates, dtype=np.int64).copy(),
                np.frombuffer(bands, dtype=np.uint32).reshape(n, nb).copy(),
                counts, messages, np.frombuffer(ordinal, dtype=np.int64).copy(),
                np.frombuffer(wl, dtype=np.uint32).copy(),
                np.frombuffer(passed, dtype=np.int64).copy(),
                np.frombuffer(prec, dtype=np.uint32).reshape(n, pw).copy())
