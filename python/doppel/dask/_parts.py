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
from doppel._core import NO_DATE

SKIP_KINDS = {-4: "skipped_json", -5: "skipped_field", -6: "skipped_too_large",
              -7: "skipped_empty", -8: "skipped_binary"}
COUNT_KEYS = ["read", "indexed", "skipped_json", "skipped_field", "skipped_too_large",
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
                 counts, messages, ordinal):
        self.pidx, self.n = pidx, n
        self.ordinal = ordinal  # each document's record number in the partition
        self.ids, self.id_off = ids, id_off
        self.blobs, self.blob_off = blobs, blob_off
        self.text_hash, self.set_len, self.date, self.bands = text_hash, set_len, date, bands
        self.counts, self.messages = counts, messages

    def gid(self):
        return (np.uint64(self.pidx) << np.uint64(32)) | np.arange(self.n, dtype=np.uint64)

    def blob(self, local):
        return self.blobs[self.blob_off[local]:self.blob_off[local + 1]]

    def id(self, local):
        return self.ids[self.id_off[local]:self.id_off[local + 1]]

    def nbytes(self):
        return sum(a.nbytes for a in (self.id_off, self.blobs, self.blob_off, self.text_hash,
                                      self.set_len, self.date, self.bands)) + len(self.ids)


def featurize(pidx, spec, cfg, ropt):
    """Read one partition and compute every document's features (in C)."""
    fz = featurizer(cfg)
    nb = fz.shape[0]
    counts = dict.fromkeys(COUNT_KEYS, 0)
    messages = []
    ids, id_off, blob_chunks, blob_off = bytearray(), [0], [], [0]
    th, sl, dates, bands, ordinal = [], [], [], [], []
    total = 0
    for rec in records(spec, ropt):
        rec_no = counts["read"]
        counts["read"] += 1
        if rec.status != 0:
            counts[SKIP_KINDS.get(rec.status, "skipped_unreadable")] += 1
            if len(messages) < 20:
                messages.append(rec.message)
            continue
        st, blob, info = fz.compute(rec.text)
        if st != 0:
            counts[SKIP_KINDS[st]] += 1
            if len(messages) < 20:
                messages.append("%s: document '%s' %s, skipped" % (
                    spec[0], rec.id[:200].decode("utf-8", "replace"),
                    "is binary data" if st == -8 else "has no words"))
            continue
        counts["indexed"] += 1
        ordinal.append(rec_no)
        counts["bytes"] += len(rec.text)
        counts["invalid_utf8"] += info.norm.invalid_utf8 + rec.invalid_utf8
        counts["nul_bytes"] += info.norm.nul_bytes
        counts["short_docs"] += info.short_doc != 0
        # Ids are C strings in the index: cut at the first NUL.
        rid = rec.id.split(b"\0", 1)[0]
        ids += rid
        id_off.append(len(ids))
        blob_chunks.append(blob)
        total += len(blob)
        blob_off.append(total)
        th.append(info.text_hash)
        sl.append(info.set_len)
        d = doppel.parse_date(rec.date) if rec.date is not None else None
        dates.append(d if d is not None else info.date)
        bands.append(bytes(doppel._ffi.ffi.buffer(info.bands, 4 * nb)))
    n = len(th)
    return Part(pidx, n, bytes(ids), np.array(id_off, dtype=np.int64),
                np.frombuffer(b"".join(blob_chunks), dtype=np.uint8),
                np.array(blob_off, dtype=np.int64), np.array(th, dtype=np.uint64),
                np.array(sl, dtype=np.uint32), np.array(dates, dtype=np.int64),
                np.frombuffer(b"".join(bands), dtype=np.uint32).reshape(n, nb),
                counts, messages, np.array(ordinal, dtype=np.int64))
