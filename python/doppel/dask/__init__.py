"""doppel over Dask: `doppel cluster` / `doppel dedup` on many processes or
machines, with exactly the CLI's result (docs/distributed.md).

    python3 -m doppel.dask cluster docs.jsonl -o clusters.jsonl --workers 2
    python3 -m doppel.dask dedup shard-*.jsonl.gz -o kept.jsonl --scheduler tcp://host:8786

or from Python: doppel.dask.run(["docs.jsonl"], "out.jsonl", workers=2).
Several inputs are one corpus in the order given (as their concatenation
would be under the CLI).
"""
import os
import shutil
import sys
import time
import uuid

from doppel import Config
from . import _graph as g
from ._parts import COUNT_KEYS, featurize, plan


def _piece(m, j):
    return m[0][j]


def _item(m, i):
    return m[i]


def _last(m):
    return m[-1]


def _counts(part):
    return part.counts, part.messages


def _numbered(labels, offset):
    import copy
    out = copy.copy(labels)
    out.cluster = labels.cluster.copy()
    return out.number(offset)


class _Job:
    """Submits the steps; keeps the small figures each step reports."""

    def __init__(self, client):
        self.c = client
        self.bytes = {}
        self._pending = []

    def submit(self, fn, *args):
        return self.c.submit(fn, *args, pure=False)

    def shuffle_bytes(self, stage, maps):
        self._pending.append((stage, [self.submit(_last, m) for m in maps]))

    def pieces(self, maps, j):
        return [self.submit(_piece, m, j) for m in maps]

    def collect_bytes(self):
        for stage, futs in self._pending:
            self.bytes[stage] = self.bytes.get(stage, 0) + sum(self.c.gather(futs))
        self._pending = []


def _connected_components(job, edges, R, max_rounds=200):
    """Alternate large-star and small-star until a round leaves the edge set
    as it was: then every component is a star around its least gid."""
    prev = None
    for rounds in range(1, max_rounds + 1):
        lm = [job.submit(g.large_map, e, R) for e in edges]
        job.shuffle_bytes("components", lm)
        lr = [job.submit(g.large_reduce, job.pieces(lm, j)) for j in range(R)]
        sums = job.c.gather([job.submit(_item, x, 1) for x in lr])
        cs = (sum(s for s, _ in sums) % (1 << 64), sum(n for _, n in sums))
        if cs == prev:
            return edges, rounds, cs[1]
        prev = cs
        large = [job.submit(_item, x, 0) for x in lr]
        sm = [job.submit(g.small_map, e, R) for e in large]
        job.shuffle_bytes("components", sm)
        edges = [job.submit(g.small_reduce, job.pieces(sm, j)) for j in range(R)]
    raise RuntimeError("connected components did not converge in %d rounds" % max_rounds)


def run(inputs, output, mode="cluster", config=None, client=None, workers=None, scheduler=None,
        partition_bytes=64 << 20, reduce_partitions=None, reader=None, work_dir=None,
        quiet=True):
    """Cluster (mode "cluster") or de-duplicate ("dedup") the inputs into
    output, which appears whole or not at all. Returns a dict of counts
    (as `doppel cluster --summary` names them), timings and bytes shuffled."""
    from distributed import Client, LocalCluster
    cfg = config if config is not None else Config()
    cfg.validate()
    ropt = dict(reader or {})
    t0 = time.time()
    specs = plan(list(inputs), partition_bytes)
    own = []
    if client is None:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=workers or 1, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=40)
            own.append(cluster)
            client = Client(cluster)
        own.insert(0, client)
    out_abs = os.path.abspath(output)
    work = work_dir or "%s.parts-%s" % (out_abs, uuid.uuid4().hex[:8])
    try:
        return _run(client, cfg, ropt, specs, out_abs, work, mode, reduce_partitions, t0, quiet)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        for x in own:
            x.close()


def _peak_rss():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _step_seconds(stream):
    """Compute seconds summed over workers, by step (the task's function)."""
    out = {}
    for t in stream:
        name = t["key"].split("-", 1)[0] if isinstance(t["key"], str) else str(t["key"])
        for ss in t.get("startstops", ()):
            if ss.get("action") == "compute":
                out[name] = out.get(name, 0.0) + ss["stop"] - ss["start"]
    return {k: round(v, 3) for k, v in sorted(out.items(), key=lambda kv: -kv[1])}


def _run(client, cfg, ropt, specs, output, work, mode, reduce_partitions, t0, quiet):
    from distributed import get_task_stream
    with get_task_stream(client) as ts:
        summary = _steps(client, cfg, ropt, specs, output, work, mode, reduce_partitions, t0,
                         quiet)
    summary["compute_seconds"] = _step_seconds(ts.data)
    summary["tasks"] = len(ts.data)
    try:
        summary["worker_peak_rss"] = sorted(client.run(_peak_rss).values())
    except Exception:  # noqa: BLE001 - figures only
        pass
    return summary


def _steps(client, cfg, ropt, specs, output, work, mode, reduce_partitions, t0, quiet):
    job = _Job(client)
    P = len(specs)
    nworkers = max(1, len(client.scheduler_info().get("workers", {})))
    R = reduce_partitions or max(P, nworkers)
    times = {}

    parts = [job.submit(featurize, i, s, cfg, ropt) for i, s in enumerate(specs)]

    em = [job.submit(g.exact_map, p, R) for p in parts]
    job.shuffle_bytes("exact", em)
    er = [job.submit(g.exact_reduce, job.pieces(em, j), P) for j in range(R)]
    job.shuffle_bytes("exact", er)
    exact_edges = [job.submit(_item, x, 1) for x in er]

    lm = [job.submit(g.lsh_map, parts[p], job.pieces(er, p), R) for p in range(P)]
    job.shuffle_bytes("lsh keys", lm)
    # keys from this band on are reuse slots (capped, exact mode only)
    from doppel import Featurizer
    lsh_bands = Featurizer(cfg).shape[0] if cfg.verify == "exact" else None
    lr = [job.submit(g.lsh_reduce, job.pieces(lm, j), P, cfg.max_bucket, lsh_bands)
          for j in range(R)]
    job.shuffle_bytes("candidate pairs", lr)
    lsh_info = [job.submit(_item, x, 1) for x in lr]

    # candidates meet the pre-filter on small records; blobs travel only
    # for the pairs it keeps (most are dropped: docs/distributed.md)
    f1 = [job.submit(g.prefilter_hop1, parts[p], job.pieces(lr, p), P) for p in range(P)]
    job.shuffle_bytes("pre-filter records", f1)
    n_cand = [job.submit(_item, x, 1) for x in f1]
    v1 = [job.submit(g.prefilter_hop2, parts[p], job.pieces(f1, p), P, cfg) for p in range(P)]
    job.shuffle_bytes("pairs with features", v1)
    n_kept = [job.submit(_item, x, 1) for x in v1]
    verified = [job.submit(g.verify_hop2, parts[q], job.pieces(v1, q), cfg) for q in range(P)]
    # what the shuffles made is dropped once read (the futures held it)
    del em, lm, lr, f1, v1

    edges, rounds, n_edges = _connected_components(job, exact_edges + verified, R)
    times["to components"] = time.time() - t0

    lbm = [job.submit(g.label_map, e, P) for e in edges]
    job.shuffle_bytes("labels", lbm)
    labels = [job.submit(g.Labels, parts[p], job.pieces(lbm, p)) for p in range(P)]
    roots = client.gather([job.submit(g.count_roots, x) for x in labels])
    offsets, acc = [], 0
    for r in roots:
        offsets.append(acc)
        acc += r
    labels = [job.submit(_numbered, labels[p], offsets[p]) for p in range(P)]

    am = [job.submit(g.article_map, verified[q], P) for q in range(P)]
    job.shuffle_bytes("canonical", am)
    cm = [job.submit(g.canon_map, parts[p], labels[p], job.pieces(er, p), job.pieces(am, p), cfg,
                     R) for p in range(P)]
    job.shuffle_bytes("canonical", cm)
    cr = [job.submit(g.canon_reduce, job.pieces(cm, j), P, cfg.canonical) for j in range(R)]
    job.shuffle_bytes("canonical", cr)
    el = [job.submit(g.edge_lookup, verified[p], job.pieces(cr, p), P) for p in range(P)]
    job.shuffle_bytes("canonical", el)
    r1 = [job.submit(g.relate_hop1, parts[p], job.pieces(el, p), P) for p in range(P)]
    job.shuffle_bytes("members with canonical features", r1)
    fin = [job.submit(g.finish_part, parts[q], labels[q], job.pieces(r1, q), cfg, work, mode,
                      specs[q], ropt) for q in range(P)]
    done = client.gather(fin)
    counted = client.gather([job.submit(_counts, p) for p in parts])
    info = client.gather(lsh_info)
    candidates = sum(client.gather(n_cand))
    prefiltered = candidates - sum(client.gather(n_kept))
    job.collect_bytes()
    part_bytes = client.gather([job.submit(lambda p: p.nbytes(), p) for p in parts])
    del parts, labels, edges, verified, exact_edges
    counts = dict.fromkeys(COUNT_KEYS, 0)
    messages = []
    for c, msgs in counted:
        for k in COUNT_KEYS:
            counts[k] += c[k]
        messages += msgs
    if not counts["indexed"] and not counts["passed"]:
        # as the CLI: a run that read no document is a failure, not an
        # empty result (a wrong field name, an empty or wrong file)
        import doppel
        n = len({s[0] for s in specs}) or 1
        raise doppel.DoppelError(-7, "no document read from %d input%s (%d records, all "
                                 "skipped); no output written"
                                 % (n, "" if n == 1 else "s", counts["read"]))

    # The output appears whole: parts are joined into a temporary file in
    # the output's directory, renamed over OUTPUT once complete.
    tmp = "%s.tmp-%s" % (output, uuid.uuid4().hex[:8])
    try:
        with open(tmp, "wb") as out:
            for q in range(P):
                with open(os.path.join(work, "part-%05d" % q), "rb") as f:
                    shutil.copyfileobj(f, out, 1 << 20)
        os.replace(tmp, output)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    # derived members too (join_derived): in the total, as the CLI counts them
    removed = {k: sum(d["removed"][k] for d in done)
               for k in ("exact", "near", "contained", "linked", "derived")}
    skipped = sum(counts[k] for k in COUNT_KEYS if k.startswith("skipped"))
    summary = dict(counts)
    summary.update({
        "kept": counts["indexed"] - sum(removed.values()),
        "removed": sum(removed.values()),
        **{"removed_" + k: v for k, v in removed.items()},
        "skipped": skipped, "partitions": P, "reduce_partitions": R,
        "candidates": candidates, "prefiltered": prefiltered, "edges": n_edges, "component_rounds": rounds,
        "oversize_buckets": sum(x["oversize_buckets"] for x in info),
        "bytes_shuffled": sum(job.bytes.values()), "bytes_by_stage": job.bytes,
        "feature_bytes": sum(part_bytes), "seconds": time.time() - t0,
    })
    if not quiet:
        for m in messages[:20]:
            print("doppel.dask: warning: %s" % m, file=sys.stderr)
        print("doppel.dask: %d documents read: %d kept, %d removed (exact %d, near %d, contained "
              "%d, linked %d), %d skipped; %d partitions, %.2fs, %.0f bytes shuffled a document"
              % (counts["read"], summary["kept"], summary["removed"], removed["exact"],
                 removed["near"], removed["contained"], removed["linked"], skipped, P,
                 summary["seconds"], summary["bytes_shuffled"] / max(1, counts["indexed"])),
              file=sys.stderr)
    return summary
