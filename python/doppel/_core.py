"""Errors, configuration and the building blocks: extract, normalize,
shingle, minhash, compare, and the reader of files and JSONL."""
import datetime as _dt

from ._ffi import ffi, lib

NO_DATE = -(2 ** 63)


class DoppelError(Exception):
    """A library call failed. `code` is the doppel_status (negative), `status`
    its name, `message` the library's own message (naming the document, file
    or option at fault)."""

    def __init__(self, code, message):
        self.code = code
        self.status = ffi.string(lib.doppel_strerror(code)).decode()
        self.message = message or self.status
        super().__init__(self.message)


class DocumentSkipped(DoppelError):
    """Index.add: the document was not added (no words after extraction and
    normalization: DOPPEL_ERR_EMPTY; binary data: DOPPEL_ERR_FORMAT)."""


def _err():
    return ffi.new("doppel_error *")


def _raise(code, err=None, cls=DoppelError):
    msg = ffi.string(err.message).decode("utf-8", "replace") if err is not None else ""
    raise cls(code, msg)


def _check(code, err=None):
    if code < 0:
        _raise(code, err)
    return code


def _bytes(s):
    if isinstance(s, bytes):
        return s
    if isinstance(s, str):
        return s.encode("utf-8", "surrogatepass")
    if isinstance(s, (bytearray, memoryview)):
        return bytes(s)
    raise TypeError("expected str or bytes, not %s" % type(s).__name__)


def _str(p, n=None):
    if p == ffi.NULL:
        return None
    b = ffi.unpack(p, n) if n is not None else ffi.string(p)
    return b.decode("utf-8", "replace")


def parse_date(value):
    """Seconds since the epoch from an int/float (seconds), a datetime or
    date, or a string doppel_parse_date accepts (ISO 8601, epoch seconds or
    milliseconds); None (or an unparseable string) gives None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("a date cannot be a bool")
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return int(value.timestamp())
    if isinstance(value, _dt.date):
        return int(_dt.datetime(value.year, value.month, value.day,
                                tzinfo=_dt.timezone.utc).timestamp())
    out = ffi.new("int64_t *")
    if lib.doppel_parse_date(_bytes(value), out) != 0:
        return None
    return out[0]


# ---- configuration -----------------------------------------------------------

_ENUMS = {
    "shingle_kind": {"word": 0, "char": 1},
    "sketch": {"oph": 0, "classic": 1},
    "verify": {"exact": 0, "fast": 1},
    "canonical": {"longest": 0, "first": 1, "earliest": 2},
}
_EXTRACT_FORMATS = {"auto": 0, "text": 1, "markdown": 2, "html": 3}


def _fields(ctype):
    return [name for name, _ in ffi.typeof(ctype).fields]


class ExtractOptions:
    """Every field of doppel_extract_options (but `corpus`), defaults from the
    library: format ("auto", "text", "markdown", "html"), front_matter,
    boilerplate, explain, length_low, length_high, stopwords_low,
    stopwords_high, max_link_density, max_heading_distance."""

    FIELDS = [f for f in _fields("doppel_extract_options") if f != "corpus"]

    def __init__(self, **options):
        self._c = ffi.new("doppel_extract_options *")
        lib.doppel_extract_options_default(self._c)
        for k, v in options.items():
            setattr(self, k, v)

    def __setattr__(self, name, value):
        if name.startswith("_"):
            return object.__setattr__(self, name, value)
        if name not in self.FIELDS:
            raise AttributeError("unknown extract option %r (known: %s)"
                                 % (name, ", ".join(self.FIELDS)))
        if name == "format":
            if value not in _EXTRACT_FORMATS:
                raise ValueError("format %r: expected one of %s" % (value, ", ".join(_EXTRACT_FORMATS)))
            value = _EXTRACT_FORMATS[value]
        setattr(self._c, name, value)

    def __getattr__(self, name):
        if name in ExtractOptions.FIELDS:
            v = getattr(self._c, name)
            if name == "format":
                return {v2: k for k, v2 in _EXTRACT_FORMATS.items()}[v]
            return v
        raise AttributeError(name)

    def to_dict(self):
        return {f: getattr(self, f) for f in self.FIELDS}


class Config:
    """Every option of doppel_config, defaults from doppel_config_default.

    Enumerations take names: shingle_kind "word" | "char", sketch "oph" |
    "classic", verify "exact" | "fast", canonical "longest" | "first" |
    "earliest". tmp_dir is a path or None; extract_options an ExtractOptions
    or a dict of its fields. Values are checked by the library
    (doppel_config_validate) when the Config is made and whenever it is used:
    a bad value raises DoppelError with the library's message naming it.

        cfg = doppel.Config(threshold=0.8, shingle_size=3, canonical="first")
    """

    FIELDS = _fields("doppel_config")

    def __init__(self, **options):
        object.__setattr__(self, "_c", ffi.new("doppel_config *"))
        object.__setattr__(self, "_keep", {})
        lib.doppel_config_default(self._c)
        for k, v in options.items():
            setattr(self, k, v)
        self.validate()

    def __setattr__(self, name, value):
        if name not in self.FIELDS:
            raise AttributeError("unknown option %r (known: %s)" % (name, ", ".join(self.FIELDS)))
        if name in _ENUMS:
            names = _ENUMS[name]
            if value not in names:
                raise ValueError("%s %r: expected one of %s" % (name, value, ", ".join(names)))
            value = names[value]
        elif name == "tmp_dir":
            if value is not None:
                buf = ffi.new("char[]", _bytes(str(value)))
                self._keep["tmp_dir"] = (value, buf)
                value = buf
            else:
                self._keep.pop("tmp_dir", None)
                value = ffi.NULL
        elif name == "extract_options":
            if value is None:
                self._keep.pop("extract_options", None)
                value = ffi.NULL
            else:
                if isinstance(value, dict):
                    value = ExtractOptions(**value)
                self._keep["extract_options"] = value
                value = value._c
        elif name == "extract":
            value = int(bool(value))
        try:
            setattr(self._c, name, value)
        except (OverflowError, TypeError) as e:
            raise ValueError("%s %r: %s" % (name, value, e)) from None

    def __getattr__(self, name):
        if name in Config.FIELDS:
            if name in ("tmp_dir", "extract_options"):
                kept = self._keep.get(name)
                return kept[0] if name == "tmp_dir" and kept else kept
            v = getattr(self._c, name)
            if name in _ENUMS:
                return {n: k for k, n in _ENUMS[name].items()}[v]
            if name == "extract":
                return bool(v)
            return v
        raise AttributeError(name)

    def validate(self):
        err = _err()
        _check(lib.doppel_config_validate(self._c, err), err)
        return self

    def lsh_shape(self):
        """(bands, rows) the index will use for this configuration."""
        fz = Featurizer(self)
        try:
            return fz.shape
        finally:
            fz.close()

    def to_dict(self):
        d = {f: getattr(self, f) for f in self.FIELDS}
        if d["extract_options"] is not None:
            d["extract_options"] = d["extract_options"].to_dict()
        return d

    @classmethod
    def from_dict(cls, d):
        return cls(**d)

    def __reduce__(self):  # picklable: shipped to Dask workers
        return (Config.from_dict, (self.to_dict(),))

    def __repr__(self):
        return "Config(%s)" % ", ".join("%s=%r" % kv for kv in self.to_dict().items())


def _config(config, options):
    if config is None:
        return Config(**options)
    if options:
        d = config.to_dict()
        d.update(options)
        return Config(**d)
    return config.validate()


# ---- extraction ---------------------------------------------------------------

_FLAG_NAMES = [(0x01, "empty"), (0x02, "front_matter_unclosed"), (0x04, "front_matter_not_yaml"),
               (0x08, "charset_converted"), (0x10, "charset_unknown"), (0x20, "html_repaired")]


def flag_names(flags):
    return [name for bit, name in _FLAG_NAMES if flags & bit]


class Extracted:
    """What extract() returns: text, title, date, description, url (None when
    absent), format, flags (names), lines_kept, lines_dropped, dropped (with
    explain=True: (line, reason, text) tuples)."""

    __slots__ = ("text", "title", "date", "description", "url", "format", "flags",
                 "lines_kept", "lines_dropped", "dropped")

    def __repr__(self):
        return "Extracted(format=%r, title=%r, text=%r...)" % (self.format, self.title, self.text[:60])


class Extractor:
    """Reusable extraction buffers (one per thread); extract(raw, ...)."""

    def __init__(self):
        p = ffi.new("doppel_extractor **")
        err = _err()
        _check(lib.doppel_extractor_new(p, err), err)
        self._ex = ffi.gc(p[0], lib.doppel_extractor_free)

    def extract(self, raw, options=None, **kw):
        if options is None or kw:
            opts = ExtractOptions(**dict(options.to_dict() if options else {}, **kw))
        else:
            opts = options
        data = _bytes(raw)
        res = ffi.new("doppel_extract_result *")
        err = _err()
        _check(lib.doppel_extract(self._ex, data, len(data), opts._c, res, err), err)
        out = Extracted()
        out.text = _str(res.text, res.text_len)
        out.title, out.date = _str(res.title), _str(res.date)
        out.description, out.url = _str(res.description), _str(res.url)
        out.format = ffi.string(lib.doppel_extract_format_name(res.format)).decode()
        out.flags = flag_names(res.flags)
        out.lines_kept, out.lines_dropped = res.lines_kept, res.lines_dropped
        out.dropped = [(d.line, ffi.string(lib.doppel_drop_reason_name(d.reason)).decode(),
                        _str(d.text, d.len)) for d in res.dropped[0:res.num_dropped]] \
            if res.dropped != ffi.NULL else []
        return out


def extract(raw, options=None, **kw):
    """Article text and metadata of one raw document (HTML, Markdown with
    front matter, or text): doppel_extract. Keyword arguments are
    ExtractOptions fields, e.g. extract(html, format="html", explain=True).
    Raises DoppelError (DOPPEL_ERR_FORMAT for binary data)."""
    return Extractor().extract(raw, options, **kw)


# ---- sketch primitives ----------------------------------------------------------

def normalize(text):
    """Text as doppel compares it: NFKC, case folded, punctuation dropped,
    words separated by one space."""
    data = _bytes(text)
    buf = ffi.new("doppel_buf *")
    try:
        _check(lib.doppel_normalize(data, len(data), buf, ffi.NULL))
        return ffi.unpack(buf.data, buf.len).decode("utf-8", "replace")
    finally:
        lib.doppel_buf_free(buf)


def shingle(normalized, kind="word", n=5, seed=1, as_set=False):
    """64-bit hashes of the n-gram shingles of normalized text, in text order
    (as_set: sorted, unique)."""
    data = _bytes(normalized)
    h = ffi.new("doppel_hashes *")
    try:
        _check(lib.doppel_shingle(data, len(data), _ENUMS["shingle_kind"][kind], n, seed, h))
        if as_set:
            lib.doppel_hashes_make_set(h)
        return list(ffi.unpack(h.v, h.len)) if h.len else []
    finally:
        lib.doppel_hashes_free(h)


def minhash(hashes, num_perm=128, seed=1, sketch="oph"):
    """MinHash signature (num_perm 32-bit values) of a set of shingle hashes."""
    hs = ffi.new("uint64_t[]", list(hashes))
    sig = ffi.new("uint32_t[]", num_perm)
    lib.doppel_minhash(_ENUMS["sketch"][sketch], hs, len(hs), seed, num_perm, sig)
    return list(sig)


def minhash_jaccard(a, b):
    """Share of equal positions of two signatures of one length."""
    if len(a) != len(b):
        raise ValueError("signatures of different lengths")
    return lib.doppel_minhash_jaccard(ffi.new("uint32_t[]", list(a)),
                                      ffi.new("uint32_t[]", list(b)), len(a))


def relation_name(rel):
    return ffi.string(lib.doppel_relation_name(rel)).decode()


class Comparison:
    """compare()'s answer: jaccard, a_in_b, b_in_a, shared, shingles_a,
    shingles_b, estimate (MinHash), identical, relation ("none", "exact",
    "near", "contained", "derived", "partial"), cover_a and cover_b (share of
    each text's words in shared passages), passages [(a_word, b_word, words,
    text)]."""

    __slots__ = ("jaccard", "a_in_b", "b_in_a", "shared", "shingles_a", "shingles_b",
                 "estimate", "identical", "relation", "cover_a", "cover_b", "passages")

    def __repr__(self):
        return "Comparison(relation=%r, jaccard=%.4f, a_in_b=%.4f, b_in_a=%.4f)" % (
            self.relation, self.jaccard, self.a_in_b, self.b_in_a)


def compare(a, b, config=None, **options):
    """Compare two texts end to end (doppel_compare): similarity, the
    relation the configuration gives the pair, and the longest shared
    passages. Options as Config's."""
    cfg = _config(config, options)
    da, db = _bytes(a), _bytes(b)
    cmp = ffi.new("doppel_comparison *")
    err = _err()
    _check(lib.doppel_compare(cfg._c, da, len(da), db, len(db), cmp, err), err)
    try:
        out = Comparison()
        out.jaccard, out.a_in_b, out.b_in_a = cmp.sim.jaccard, cmp.sim.a_in_b, cmp.sim.b_in_a
        out.shared = cmp.sim.shared
        out.shingles_a, out.shingles_b = cmp.shingles_a, cmp.shingles_b
        out.estimate, out.identical = cmp.estimate, bool(cmp.identical)
        out.relation = relation_name(cmp.relation)
        out.cover_a, out.cover_b = cmp.cover_a, cmp.cover_b
        out.passages = [(p.a_word, p.b_word, p.words, _str(p.text))
                        for p in cmp.passages[0:cmp.num_passages]]
        return out
    finally:
        lib.doppel_comparison_free(cmp)


# ---- features for distributed runs ------------------------------------------------

_BLOB_MESSAGE = ("a feature blob was not made by a featurizer of this configuration, or is "
                 "not 8-byte aligned")


class Featurizer:
    """One document's features as a blob (doppel_features_compute), and the
    index's decisions on two blobs (verify, relate). See docs/distributed.md."""

    def __init__(self, config=None, **options):
        self.config = _config(config, options)
        p = ffi.new("doppel_featurizer **")
        err = _err()
        _check(lib.doppel_featurizer_new(self.config._c, p, err), err)
        self._fz = p[0]
        b, r = ffi.new("unsigned *"), ffi.new("unsigned *")
        lib.doppel_featurizer_shape(self._fz, b, r)
        self.shape = (b[0], r[0])
        self.num_perm = self.config.num_perm
        # 32-bit words of one pre-filter record (prefilter_record)
        self.prefilter_words = lib.doppel_features_prefilter_words(self._fz)
        self._buf = ffi.new("doppel_buf *")
        self._info = ffi.new("doppel_feature_info *")
        self._sim = ffi.new("doppel_similarity *")
        self._rel = ffi.new("doppel_relation *")
        self._score = ffi.new("float *")
        self._article = ffi.new("uint32_t[2]")
        self._err = _err()

    def close(self):
        if self._fz is not None:
            lib.doppel_featurizer_free(self._fz)
            lib.doppel_buf_free(self._buf)
            self._fz = None

    __del__ = close

    def compute(self, text):
        """(status, blob bytes or None, info) for one raw text; status 0 or
        the DOPPEL_ERR_EMPTY / DOPPEL_ERR_FORMAT of a skipped document."""
        data = _bytes(text)
        st = lib.doppel_features_compute(self._fz, data, len(data), self._buf, self._info, self._err)
        if st == lib.DOPPEL_ERR_EMPTY or st == lib.DOPPEL_ERR_FORMAT:
            return st, None, self._info
        _check(st, self._err)
        return 0, ffi.buffer(self._buf.data, self._buf.len)[:], self._info

    def verify(self, a, b):
        """(relation code, jaccard, shared, article_a, article_b) of a
        candidate pair, a first in input order (alignment is not symmetric);
        the code is 0 for no edge, and only near and contained (derived with
        join_derived) join clusters; article_a/_b are the words of each that
        shared passages cover (the "longest" canonical measure, see
        doppel_features_verify). Blobs must be 8-byte aligned (bytes objects
        are)."""
        st = lib.doppel_features_verify(self._fz, ffi.from_buffer(a), len(a),
                                        ffi.from_buffer(b), len(b), self._sim, self._rel,
                                        self._article)
        if st:
            raise DoppelError(st, _BLOB_MESSAGE)
        return (self._rel[0], self._sim.jaccard, self._sim.shared, self._article[0],
                self._article[1])

    def prefilter_record(self, blob):
        """The blob's pre-filter record, bytes (prefilter_words 32-bit
        words): its set length and the 16-bit prints of its signature and
        reuse slots, all doppel_features_verify's pre-filter reads."""
        rec = ffi.new("uint32_t[]", self.prefilter_words)
        st = lib.doppel_features_prefilter_record(self._fz, ffi.from_buffer(blob), len(blob), rec)
        if st:
            raise DoppelError(st, _BLOB_MESSAGE)
        return ffi.buffer(rec)[:]

    def prefilter(self, a, b):
        """For n candidate pairs given as two buffers of n records each
        (pair i: record i of a, a first in input order, and record i of b):
        bytes of n flags, 1 where verify would go past its pre-filter, 0
        where it drops the pair (no edge). Releases the GIL."""
        rec = 4 * self.prefilter_words
        size = memoryview(a).nbytes
        if size != memoryview(b).nbytes or size % rec:
            raise ValueError("prefilter: a and b must hold the same number of whole records")
        n = size // rec
        keep = ffi.new("uint8_t[]", max(1, n))
        lib.doppel_features_prefilter(self._fz, ffi.from_buffer("uint32_t[]", a),
                                      ffi.from_buffer("uint32_t[]", b), n, keep)
        return ffi.buffer(keep, n)[:]

    def relate(self, canonical, doc, edge=0):
        """(relation code, score) of a member against its cluster's canonical.
        edge: the code verify gave the pair of the first documents of the two
        texts, 0 when that pair was not verified (the member is then linked
        unless the texts are equal)."""
        st = lib.doppel_features_relate(self._fz, ffi.from_buffer(canonical), len(canonical),
                                        ffi.from_buffer(doc), len(doc), edge, self._rel,
                                        self._score)
        if st:
            raise DoppelError(st, _BLOB_MESSAGE)
        return self._rel[0], self._score[0]


# ---- reading files --------------------------------------------------------------

_INPUT_FORMATS = {"auto": 0, "jsonl": 1, "text": 2, "csv": 3, "tsv": 4}


class Record:
    __slots__ = ("status", "id", "text", "title", "date", "raw", "source", "line", "message",
                 "invalid_utf8")


def read(path, format="auto", id_field="id", text_field="text", title_field="title",
         date_field="date", max_doc_bytes=64 << 20, raw=False):
    """Records of a directory, a (compressed) JSONL or text file, or "-":
    doppel's reader. Yields Record with status 0 and id/text (bytes), or a
    record-level error status and its message (the reader goes on)."""
    opt = ffi.new("doppel_reader_options *")
    lib.doppel_reader_options_default(opt)
    keep = [ffi.new("char[]", _bytes(f)) for f in (id_field, text_field, title_field, date_field)]
    opt.id_field, opt.text_field, opt.title_field, opt.date_field = keep
    opt.max_doc_bytes = max_doc_bytes
    opt.format = _INPUT_FORMATS[format]
    rp = ffi.new("doppel_reader **")
    err = _err()
    _check(lib.doppel_reader_open(_bytes(str(path)), opt, rp, err), err)
    reader = ffi.gc(rp[0], lib.doppel_reader_free)
    rec = ffi.new("doppel_record *")
    while True:
        st = lib.doppel_reader_next(reader, rec, err)
        if st == lib.DOPPEL_END:
            break
        r = Record()
        r.status, r.line = st, rec.line
        r.source = _str(rec.source)
        if st == 0:
            r.id = ffi.unpack(rec.id, rec.id_len)
            r.text = ffi.unpack(rec.text, rec.text_len)
            r.title = ffi.string(rec.title) if rec.title != ffi.NULL else None
            r.date = ffi.string(rec.date) if rec.date != ffi.NULL else None
            r.raw = ffi.unpack(rec.raw, rec.raw_len) if raw and rec.raw != ffi.NULL else None
            r.invalid_utf8 = rec.invalid_utf8
            r.message = None
        else:
            r.id = r.text = r.title = r.date = r.raw = None
            r.message = ffi.string(err.message).decode("utf-8", "replace")
        yield r
    del keep
