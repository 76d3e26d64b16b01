"""doppel — find copies of the same text in large collections (Python binding).

A thin layer over libdoppel through cffi (ABI mode: no compiler at import).
Every call into the library releases the GIL. See docs/python.md.

    import doppel
    idx = doppel.Index()
    idx.add_many(({"id": r["id"], "text": r["text"]} for r in records))
    idx.finish()
    for r in idx.results():
        print(r.id, r.cluster, r.canonical_id, r.relation, round(r.score, 4))
"""
from ._core import (Comparison, Config, DocumentSkipped, DoppelError, ExtractOptions, Extracted,
                    Extractor, Featurizer, compare, extract, minhash, minhash_jaccard, normalize,
                    parse_date, read, relation_name, shingle)
from ._ffi import LIBRARY_PATH
from ._index import Index, Pair, Result, Skipped

__version__ = "0.1.0"

__all__ = ["Comparison", "Config", "DocumentSkipped", "DoppelError", "ExtractOptions",
           "Extracted", "Extractor", "Featurizer", "Index", "LIBRARY_PATH", "Pair", "Result",
           "Skipped", "compare", "extract", "minhash", "minhash_jaccard", "normalize",
           "parse_date", "read", "relation_name", "shingle"]
