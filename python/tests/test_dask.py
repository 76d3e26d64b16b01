"""python3 -m doppel.dask gives `doppel cluster`'s (and dedup's) exact
output for 1, 2 and 3 workers and any partitioning; bad records are counted
as the CLI counts them; a worker killed mid-job never leaves partial output.
LocalClusters of worker processes, on small inputs (short)."""
import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("distributed")
pytest.importorskip("numpy")

from distributed import Client, LocalCluster  # noqa: E402

import doppel  # noqa: E402
import doppel.dask  # noqa: E402
from conftest import BAD, ROOT, SMALL, run_cli  # noqa: E402


@pytest.fixture(scope="module")
def clients():
    made = {}

    def get(n):
        if n not in made:
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                   dashboard_address=":0", silence_logs=50)
            made[n] = (cluster, Client(cluster))
        return made[n][1]
    yield get
    for cluster, client in made.values():
        client.close()
        cluster.close()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """1,500 synthetic documents (~5 MB) with bad records spread through it,
    and the CLI's output and summary on it."""
    d = tmp_path_factory.mktemp("dask")
    synth = d / "synth.jsonl"
    run_cli("synth", "-n", 1500, "-s", 11, "-o", synth)
    lines = synth.read_bytes().splitlines(keepends=True)
    bad = [b'{"id": "cut", "text": "unterminated\n', b'{"id": "notext"}\n',
           b'{"id": "blank", "text": "   ...   "}\n', b'{"id": 7, "text": 12}\n', b"\n",
           b'not json at all\n']
    mixed = []
    for i, line in enumerate(lines):
        mixed.append(line)
        if i % 250 == 100:
            mixed.append(bad[(i // 250) % len(bad)])
    mixed.append(lines[5])  # an exact copy with the same id, at the very end
    path = d / "mixed.jsonl"
    path.write_bytes(b"".join(mixed))
    summary = d / "cli-summary.json"
    cli = run_cli("cluster", "-q", "--summary", summary, path)
    dedup = d / "cli-dedup.jsonl"
    run_cli("dedup", "-q", path, "-o", dedup)
    return path, cli, json.loads(summary.read_text()), dedup.read_bytes()


def run(client, inputs, out, **kw):
    return doppel.dask.run([str(x) for x in inputs], str(out), client=client, **kw)


@pytest.mark.parametrize("workers,partition", [(1, 1 << 30), (2, 700_000), (3, 1_100_000)])
def test_cluster_equals_cli_any_workers_and_partitioning(clients, corpus, tmp_path, workers,
                                                         partition):
    path, cli, cli_sum, _ = corpus
    out = tmp_path / "out.jsonl"
    s = run(clients(workers), [path], out, partition_bytes=partition)
    assert out.read_bytes() == cli
    assert s["partitions"] >= (1 if partition > 1e8 else 4)
    for k in ("read", "skipped", "skipped_json", "skipped_field", "skipped_empty", "kept",
              "removed", "removed_exact", "removed_near", "removed_contained", "removed_linked"):
        assert s[k] == cli_sum[k], k
    assert s["skipped"] > 0 and s["removed"] > 300
    # the pre-filter hop drops before blobs travel the very candidates the
    # CLI's pre-filter drops before reading sets back
    assert s["candidates"] == cli_sum["candidates"]
    assert s["prefiltered"] == cli_sum["prefiltered"] > s["candidates"] // 2
    stages = s["bytes_by_stage"]
    assert 0 < stages["pre-filter records"] < stages["pairs with features"]


def test_dedup_equals_cli(clients, corpus, tmp_path):
    path, _, _, dedup = corpus
    out = tmp_path / "kept.jsonl"
    run(clients(2), [path], out, mode="dedup", partition_bytes=900_000)
    assert out.read_bytes() == dedup


@pytest.mark.parametrize("join_derived", [0, 1])
def test_realistic_corpus_equals_cli(clients, tmp_path, join_derived):
    """Rewrites, partial reuse and quotations (synth --realistic): only
    copies join clusters (derived too when asked), and a member with no
    verified copy edge to its canonical is linked, as the CLI decides."""
    synth = tmp_path / "realistic.jsonl"
    run_cli("synth", "--realistic", "-n", 1500, "-s", 5, "-o", synth)
    cli = run_cli("cluster", "-q", *(["--join-derived"] if join_derived else []), synth)
    out = tmp_path / "out.jsonl"
    run(clients(2), [synth], out, config=doppel.Config(join_derived=join_derived),
        partition_bytes=400_000)
    assert out.read_bytes() == cli
    rels = {json.loads(line)["relation"] for line in cli.splitlines()}
    assert {"near", "contained", "linked"} <= rels
    assert ("derived" in rels) == bool(join_derived)


def test_options_and_several_inputs(clients, tmp_path):
    """Options reach the workers; two inputs are one corpus in order."""
    cli = run_cli("cluster", "-q", "--threshold", "0.9", "--canonical", "first", "--ngram", "3",
                  SMALL)
    both = tmp_path / "both.jsonl"
    data = open(SMALL, "rb").read().splitlines(keepends=True)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_bytes(b"".join(data[:3]))
    b.write_bytes(b"".join(data[3:]))
    cfg = doppel.Config(threshold=0.9, canonical="first", shingle_size=3)
    run(clients(2), [a, b], both, config=cfg)
    assert both.read_bytes() == cli


def test_bad_record_file_counts(clients, tmp_path):
    summary = tmp_path / "s.json"
    cli = run_cli("cluster", "-q", "--summary", summary, BAD)
    want = json.loads(summary.read_text())
    out = tmp_path / "o.jsonl"
    s = run(clients(3), [BAD], out, partition_bytes=400)
    assert s["partitions"] > 3
    assert out.read_bytes() == cli
    for k in ("read", "skipped", "skipped_json", "skipped_field", "skipped_empty"):
        assert s[k] == want[k], k


def test_command_line(clients, corpus, tmp_path):
    path, cli, _, _ = corpus
    out = tmp_path / "cmd.jsonl"
    env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"))
    # --scheduler: the workers of a running scheduler (here a LocalCluster's)
    address = clients(2).scheduler.address
    p = subprocess.run([sys.executable, "-m", "doppel.dask", "cluster", str(path), "-o", str(out),
                        "--scheduler", address, "--partition-size", "1M", "-q"], env=env,
                       stderr=subprocess.PIPE)
    assert p.returncode == 0, p.stderr.decode()
    assert out.read_bytes() == cli
    out.unlink()
    p = subprocess.run([sys.executable, "-m", "doppel.dask", "cluster", str(path), "-o", str(out),
                        "--workers", "2", "--partition-size", "2M", "-q"], env=env,
                       stderr=subprocess.PIPE)
    assert p.returncode == 0, p.stderr.decode()
    assert out.read_bytes() == cli
    p = subprocess.run([sys.executable, "-m", "doppel.dask", "cluster", str(path), "-o",
                        str(tmp_path / "x"), "--num-perm", "3"], env=env, stderr=subprocess.PIPE)
    assert p.returncode == 2 and b"num_perm" in p.stderr
    assert not (tmp_path / "x").exists()


def test_killed_worker_recomputes_or_fails_cleanly(corpus, tmp_path):
    """SIGKILL one of two workers while the job runs: Dask recomputes what it
    held (the output then equals the CLI's) or the job fails with an error;
    never a partial output file."""
    path, cli, _, _ = corpus
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=":0", silence_logs=50)
    client = Client(cluster)
    try:
        pids = list(client.run(os.getpid).values())
        out = tmp_path / "killed.jsonl"
        result = {}

        def job():
            try:
                result["summary"] = run(client, [path], out, partition_bytes=500_000)
            except Exception as e:  # noqa: BLE001
                result["error"] = e
        t = threading.Thread(target=job)
        t.start()
        time.sleep(1.5)  # features are being computed by then
        assert t.is_alive()
        os.kill(pids[0], signal.SIGKILL)
        t.join(300)
        assert not t.is_alive()
        print("killed worker: %s" % ("job failed: %s" % result["error"] if "error" in result
                                     else "recomputed"))
        if "error" in result:
            assert not out.exists()
            assert str(result["error"])
        else:
            assert out.read_bytes() == cli
        assert not [f for f in os.listdir(tmp_path) if ".tmp-" in f or ".parts-" in f]
    finally:
        client.close()
        cluster.close()


def test_oversize_buckets_chain_and_empty_input(clients, corpus, tmp_path):
    """--max-bucket 2 turns most LSH buckets into chains in input order (the
    index's rule for oversize buckets); an empty input fails as the CLI
    fails on it (no document read), writing no output."""
    path, _, _, _ = corpus
    cli = run_cli("cluster", "-q", "--max-bucket", "2", "--canonical", "earliest", path)
    out = tmp_path / "chain.jsonl"
    s = run(clients(3), [path], out, partition_bytes=1_300_000,
            config=doppel.Config(max_bucket=2, canonical="earliest"))
    assert s["oversize_buckets"] > 0
    assert out.read_bytes() == cli
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    with pytest.raises(doppel.DoppelError) as e:
        run(clients(2), [empty], tmp_path / "e.out")
    assert "no document read" in e.value.message and not (tmp_path / "e.out").exists()
    p = subprocess.run([os.environ.get("DOPPEL_CLI", os.path.join(ROOT, "build", "doppel")),
                        "cluster", "-q", str(empty), "-o", str(tmp_path / "c.out")],
                       stderr=subprocess.PIPE)
    assert p.returncode == 1 and b"no document read" in p.stderr
    assert not (tmp_path / "c.out").exists()
