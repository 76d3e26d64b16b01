"""The Python binding: configuration errors carry the library's message,
crafted copies get their relations, and Index gives `doppel cluster`'s
output on the same documents."""
import json
import random
import threading

import pytest

import doppel
from doppel._output import cluster_line
from conftest import BAD, SMALL, run_cli

WORDS = ("harbour bridge council engineers corrosion steel span lorries traffic ring road "
         "commute shop owners customers works repairs months city vote tuesday eastern "
         "northern office expects minutes peak hours feared losing diverted supports").split()


def article(seed, words=400):
    rnd = random.Random(seed)
    return " ".join(rnd.choice(WORDS) + str(rnd.randrange(50)) for _ in range(words))


def edited(text, rate, seed=1):
    rnd = random.Random(seed)
    return " ".join(w if rnd.random() > rate else "changed%d" % i for i, w in enumerate(text.split()))


def lines_of(idx):
    return b"".join(cluster_line(r.id.encode(), r.cluster, r.canonical_id.encode(), r.relation,
                                 r.score, r.cluster_size) for r in idx.results())


# ---- configuration and errors ------------------------------------------------

def test_config_defaults_and_every_option():
    cfg = doppel.Config()
    assert cfg.threshold == 0.5 and cfg.num_perm == 128 and cfg.canonical == "longest"
    d = cfg.to_dict()
    for field in ("shingle_kind", "shingle_size", "sketch", "num_perm", "seed", "threshold",
                  "low_threshold", "min_shared", "containment", "min_contained",
                  "lsh_threshold", "bands", "rows", "verify", "canonical", "max_bucket",
                  "tmp_dir", "threads", "extract", "prefilter_miss", "memory_limit",
                  "extract_options"):
        assert field in d
    cfg2 = doppel.Config(shingle_kind="char", shingle_size=7, verify="fast", canonical="earliest",
                         extract=False, extract_options={"boilerplate": 0}, tmp_dir="/tmp")
    assert cfg2.shingle_kind == "char" and cfg2.extract is False
    assert cfg2.extract_options.boilerplate == 0 and cfg2.tmp_dir == "/tmp"
    import pickle
    assert pickle.loads(pickle.dumps(cfg2)).to_dict() == cfg2.to_dict()


def test_bad_values_raise_the_library_message():
    with pytest.raises(doppel.DoppelError) as e:
        doppel.Config(num_perm=3)
    assert e.value.code == -3 and e.value.status == "invalid argument"
    assert "num_perm" in e.value.message
    with pytest.raises(doppel.DoppelError) as e:
        doppel.Config(threshold=1.5)
    assert "threshold" in str(e.value)
    with pytest.raises(doppel.DoppelError) as e:
        doppel.Config(bands=100, rows=100)
    assert "band" in str(e.value)
    with pytest.raises(ValueError):
        doppel.Config(canonical="newest")
    with pytest.raises(AttributeError):
        doppel.Config(treshold=0.4)


# ---- building blocks -----------------------------------------------------------

def test_normalize_shingle_minhash():
    assert doppel.normalize("Hello, WORLD!  It\u2019s fine.") == "hello world its fine"
    h = doppel.shingle("a b c d e f g", n=5)
    assert len(h) == 3 and len(set(h)) == 3
    assert doppel.shingle("a b", n=5) != []  # a short text is one shingle
    sig = doppel.minhash(h, num_perm=64)
    assert len(sig) == 64 and doppel.minhash_jaccard(sig, sig) == 1.0
    other = doppel.minhash(doppel.shingle("x y z w v u t", n=5), num_perm=64)
    assert doppel.minhash_jaccard(sig, other) < 0.2


def test_extract_drops_chrome_and_reads_metadata():
    body = ("The council voted on Tuesday to close the old harbour bridge for eighteen months "
            "of repairs, and engineers said the steel supports under the span had weakened. ") * 3
    page = ("<html><head><title>Bridge to close</title></head><body><nav><a href='/'>Home</a>"
            "<a href='/news'>News</a></nav><article><p>%s</p></article>"
            "<footer>Subscribe to our newsletter</footer></body></html>" % body)
    x = doppel.extract(page, explain=True)
    assert x.format == "html" and x.title == "Bridge to close"
    assert "harbour bridge" in x.text and "Subscribe" not in x.text and "Home" not in x.text
    assert any(reason == "element" for _, reason, _ in x.dropped)
    with pytest.raises(doppel.DoppelError) as e:
        doppel.extract(b"\x00\x01\x02binary")
    assert e.value.code == -8


def test_compare_relations_and_passages():
    a = article(1)
    assert doppel.compare(a, a).relation == "exact"
    near = doppel.compare(a, edited(a, 0.05))
    assert near.relation == "near" and 0.5 < near.jaccard < 1
    half = " ".join(a.split()[:200])
    c = doppel.compare(half, a)
    assert c.relation == "contained" and c.a_in_b > 0.95
    assert c.passages and c.passages[0][2] >= 100
    assert doppel.compare(a, article(2)).relation == "none"
    # relations come from coverage (docs/relations.md): the edited copy is
    # near by default, and a stricter configuration refuses it as a copy
    e = edited(a, 0.3)
    d = doppel.compare(a, e)
    assert d.relation in ("near", "derived") and 0 < d.cover_a <= 1 and 0 < d.cover_b <= 1
    assert doppel.compare(a, e, cover=1.0, contained_cover=1.0).relation not in ("near",
                                                                                 "contained")
    assert doppel.compare(a, e, cover=1.0, contained_cover=1.0, derived_cover=1.0,
                          partial_words=100000).relation == "none"


# ---- the index -------------------------------------------------------------------

def test_index_finds_crafted_copies():
    a, b = article(1), article(2)
    docs = [{"id": "orig", "text": a}, ("exact", a), ("near", edited(a, 0.05)),
            ("lead", " ".join(a.split()[:150])), ("other", b), ("other-copy", b + " extra words")]
    with doppel.Index() as idx:
        assert idx.add_many(docs) == 6
        idx.finish()
        rel = {r.id: (r.cluster, r.canonical_id, r.relation) for r in idx.results()}
        assert rel["orig"] == (0, "orig", "canonical")
        assert rel["exact"] == (0, "orig", "exact")
        assert rel["near"][0] == 0 and rel["near"][2] == "near"
        assert rel["lead"][0] == 0 and rel["lead"][2] == "contained"
        assert rel["other"][0] == rel["other-copy"][0] == 1
        # longest is canonical, counting the words a copy vouches for: the
        # two extra words are in no other copy, so the tie goes to input order
        assert rel["other-copy"][1] == "other"
        pairs = idx.pairs()
        assert ("orig", "exact", "exact") in {(p.a_id, p.b_id, p.relation) for p in pairs}
        assert idx.stats()["docs"] == 6
        assert idx.clusters() == {0: ["orig", "exact", "near", "lead"], 1: ["other", "other-copy"]}


def test_skipped_documents_and_state_errors():
    idx = doppel.Index()
    with pytest.raises(doppel.DocumentSkipped) as e:
        idx.add("blank", "  ,,, !! ")
    assert e.value.code == -7 and "blank" in e.value.message
    assert idx.add_many([("x", article(3)), ("empty", "")]) == 1
    assert [(s.id, s.status) for s in idx.skipped] == [("empty", "empty document")]
    assert "has no words" in idx.skipped[0].message
    with pytest.raises(doppel.DoppelError) as e:
        idx.result(0)  # before finish
    assert e.value.code == -9
    idx.finish()
    with pytest.raises(doppel.DoppelError) as e:
        idx.add("late", article(4))
    assert "after finish" in e.value.message
    with pytest.raises(doppel.DoppelError) as e:
        idx.finish()
    assert "twice" in e.value.message
    with pytest.raises(TypeError):
        doppel.Index().add_many([42])


def test_dates_and_canonical_earliest():
    a = article(5)
    idx = doppel.Index(canonical="earliest")
    idx.add_many([("late", a, "2024-03-01"), ("early", a + " more", "2024-01-01T10:00:00Z")])
    idx.finish()
    assert {r.id: r.canonical_id for r in idx.results()} == {"late": "early", "early": "early"}


def test_index_equals_cli_on_small_jsonl():
    cli = run_cli("cluster", "-q", SMALL)
    idx = doppel.Index()
    recs = [r for r in doppel.read(SMALL) if r.status == 0]
    idx.add_many((r.id, r.text, doppel.parse_date(r.date)) for r in recs)
    idx.finish()
    assert lines_of(idx) == cli


def test_index_equals_cli_on_synth(synth):
    cli = run_cli("cluster", "-q", synth)
    with open(synth) as f:
        docs = [json.loads(line) for line in f]
    idx = doppel.Index(threads=2)
    idx.add_many(docs, batch_size=97)
    idx.finish()
    ours = lines_of(idx)
    assert ours == cli
    assert len({r.cluster for r in idx.results()}) < len(docs)  # copies were found


def test_reader_counts_bad_records():
    statuses = [r.status for r in doppel.read(BAD)]
    assert any(s < 0 for s in statuses) and any(s == 0 for s in statuses)


def test_calls_release_the_gil():
    """Library calls run from several threads at once (cffi drops the GIL
    around each call) and give the same answers."""
    a, b = article(7, 3000), edited(article(7, 3000), 0.1)
    out = []
    ts = [threading.Thread(target=lambda: out.append(doppel.compare(a, b).jaccard)) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert len(out) == 2 and out[0] == out[1]


def test_prefilter_records_drop_what_verify_drops():
    """doppel_features_prefilter on records decides as verify's pre-filter
    on the blobs: a dropped pair is no edge (verify stops before the sets),
    a copy is kept; records are small next to blobs."""
    fz = doppel.Featurizer()
    blobs = [fz.compute(article(i))[1] for i in range(8)]
    blobs += [fz.compute(edited(article(i), 0.05))[1] for i in range(4)]
    recs = [fz.prefilter_record(b) for b in blobs]
    assert len(recs[0]) == 4 * fz.prefilter_words < len(blobs[0]) // 4
    pairs = [(i, j) for i in range(len(blobs)) for j in range(i + 1, len(blobs))]
    keep = fz.prefilter(b"".join(recs[i] for i, _ in pairs), b"".join(recs[j] for _, j in pairs))
    assert len(keep) == len(pairs)
    for (i, j), k in zip(pairs, keep):
        rel, jac, shared = fz.verify(blobs[i], blobs[j])[:3]
        if not k:
            assert (rel, jac, shared) == (0, 0.0, 0)
        if j == i + 8:  # an edited copy
            assert k == 1 and rel == 3
    assert keep.count(0) > len(pairs) // 2
    with pytest.raises(doppel.DoppelError):
        fz.prefilter_record(blobs[0][8:] + blobs[0][:8])
    with pytest.raises(ValueError):
        fz.prefilter(recs[0], recs[0][:-4])


def test_featurizer_blobs_verify_and_relate_like_the_index():
    a = article(9)
    fz = doppel.Featurizer()
    st, ba, info = fz.compute(a)
    assert st == 0 and len(ba) % 8 == 0 and info.set_len > 300
    _, bb, _ = fz.compute(edited(a, 0.05))
    _, bc, _ = fz.compute(article(10))
    assert fz.verify(ba, bb)[0] == 3  # near
    assert fz.verify(ba, bc)[0] == 0  # none
    assert fz.relate(ba, ba) == (2, 1.0)  # exact
    assert fz.compute("")[0] == -7
    with pytest.raises(doppel.DoppelError) as e:
        fz.verify(ba[8:] + ba[:8], bb)
    assert "blob" in e.value.message
    with pytest.raises(doppel.DoppelError):
        doppel.Featurizer(num_perm=64).verify(ba, bb)  # another configuration's blobs
