"""python3 -m doppel.dask cluster|dedup INPUT... -o OUT [--workers N | --scheduler ADDRESS]"""
import argparse
import json
import sys

import doppel
from doppel import Config


def size(s):
    mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    s = s.strip().lower()
    return int(float(s[:-1]) * mult[s[-1]]) if s and s[-1] in mult else int(s)


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python3 -m doppel.dask",
        description="doppel cluster / dedup spread over Dask workers, with the CLI's exact "
                    "result. Several INPUTs are one corpus in the order given.")
    ap.add_argument("command", choices=["cluster", "dedup"])
    ap.add_argument("inputs", nargs="+", metavar="INPUT")
    ap.add_argument("-o", "--output", required=True)
    where = ap.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, default=None,
                       help="start a LocalCluster of N worker processes (default 1)")
    where.add_argument("--scheduler", help="address of a running dask-scheduler")
    ap.add_argument("--partition-size", type=size, default=64 << 20,
                    help="bytes of JSONL per partition (default 64M)")
    ap.add_argument("--summary", help="also write the run's counts as JSON here")
    ap.add_argument("-q", "--quiet", action="store_true")
    ap.add_argument("--id-field", default="id")
    ap.add_argument("--text-field", default="text")
    ap.add_argument("--date-field", default="date")
    ap.add_argument("--max-doc-bytes", type=size, default=64 << 20)
    for name, typ in [("threshold", float), ("low-threshold", float), ("min-shared", int),
                      ("containment", float), ("min-contained", int), ("num-perm", int),
                      ("seed", int), ("lsh-threshold", float), ("bands", int), ("rows", int),
                      ("max-bucket", int), ("prefilter-miss", float)]:
        ap.add_argument("--" + name, type=typ)
    ap.add_argument("--ngram", type=int)
    ap.add_argument("--char", action="store_true")
    ap.add_argument("--sketch", choices=["oph", "classic"])
    ap.add_argument("--fast", action="store_true")
    ap.add_argument("--canonical", choices=["longest", "first", "earliest"])
    ap.add_argument("--no-extract", action="store_true")
    a = ap.parse_args(argv)
    opts = {}
    for name in ("threshold", "low_threshold", "min_shared", "containment", "min_contained",
                 "num_perm", "seed", "lsh_threshold", "bands", "rows", "max_bucket",
                 "prefilter_miss", "sketch", "canonical"):
        v = getattr(a, name)
        if v is not None:
            opts[name] = v
    if a.ngram is not None:
        opts["shingle_size"] = a.ngram
    if a.char:
        opts["shingle_kind"] = "char"
    if a.fast:
        opts["verify"] = "fast"
    if a.no_extract:
        opts["extract"] = False
    try:
        cfg = Config(**opts)
        from . import run
        summary = run(a.inputs, a.output, mode=a.command, config=cfg, workers=a.workers,
                      scheduler=a.scheduler, partition_bytes=a.partition_size,
                      reader={"id_field": a.id_field, "text_field": a.text_field,
                              "date_field": a.date_field, "max_doc_bytes": a.max_doc_bytes},
                      quiet=a.quiet)
    except doppel.DoppelError as e:
        print("doppel.dask: %s" % e.message, file=sys.stderr)
        return 2 if e.code == -3 else 1
    except Exception as e:  # a worker lost for good, an unreadable input, ...
        print("doppel.dask: the job failed, no output written: %s: %s"
              % (type(e).__name__, e), file=sys.stderr)
        return 1
    if a.summary:
        with open(a.summary, "w") as f:
            json.dump(summary, f, sort_keys=True)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
