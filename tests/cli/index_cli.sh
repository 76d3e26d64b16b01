#!/bin/sh
# `doppel index`: create/add/query/export/stats/expire/compact, the header's
# refusal of other parameters, one writer at a time, and incremental equals
# batch (the same documents in any number of adds export the clusters and
# relations of one `doppel cluster` run).
# usage: tests/cli/index_cli.sh path/to/doppel   (from the repository root)
set -u
DOPPEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
T=$(mktemp -d /tmp/doppel-index-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/harness"

# ---- usage and errors ------------------------------------------------------------
expect_rc help 0 "$DOPPEL" index --help
has help "usage: doppel index" "$T/help.out"
expect_rc no-verb 2 "$DOPPEL" index
expect_rc bad-verb 2 "$DOPPEL" index frobnicate "$T/x"
expect_rc not-index 1 "$DOPPEL" index stats "$T/nothing"
has not-index "not an index" "$T/not-index.err"
expect_rc create 0 "$DOPPEL" index create "$T/ix"
expect_rc create-again 2 "$DOPPEL" index create "$T/ix"
has create-again "exists already" "$T/create-again.err"
expect_rc create-fast 2 "$DOPPEL" index create --fast "$T/fast"

# ---- crafted documents -------------------------------------------------------------
A="the minister arrived in the capital on tuesday for two days of talks with his counterpart about trade energy and the security of the region"
B="officials said the talks would cover a new pipeline and the price of gas which has risen sharply since the start of the year"
C="a spokesman for the ministry declined to say whether a treaty would be signed during the visit but did not rule it out either"
printf '{"id":"a","text":"%s %s %s","date":"2024-01-02","source":"wire"}\n' "$A" "$B" "$C" > "$T/b1.jsonl"
printf '{"id":"b","text":"%s %s","date":"2024-01-01"}\n' "$A" "$B" >> "$T/b1.jsonl"
printf '{"id":"empty","text":"..."}\n' >> "$T/b1.jsonl"
printf '{"id":"c","text":"%s %s %s","date":"2024-01-03"}\n' "$A" "$B" "$C" > "$T/b2.jsonl"
printf '{"id":"d","text":"something else entirely about football and the weather in spring with no words in common at all here"}\n' >> "$T/b2.jsonl"
printf '{"id":"a","text":"%s","date":"2024-01-05"}\n' "$C" >> "$T/b2.jsonl"
cat "$T/b1.jsonl" "$T/b2.jsonl" > "$T/all.jsonl"

expect_rc add1 0 "$DOPPEL" index add -q "$T/ix" "$T/b1.jsonl"
# b (dated the day before a) is the source of the pair, as doppel pairs
# decides it (dates first); the indexed a's outlet is its own field
has add1-contained '"id":"b","docnum":1,"relations":\[{"id":"a","relation":"contained","score":1.0000,"source":"b","outlet":"wire"}' "$T/add1.out"
has add1-empty "empty: skipped: no words" "$T/add1.err"
expect_rc query 0 "$DOPPEL" index query -q "$T/ix" "$T/b2.jsonl"
has query-exact '"id":"c","relations":\[{"id":"a","relation":"exact","score":1.0000' "$T/query.out"
hasnt query-docnum 'docnum' "$T/query.out"
expect_rc stats-before 0 "$DOPPEL" index stats "$T/ix"
has stats-before '"docs":2,' "$T/stats-before.out"
expect_rc add2 0 "$DOPPEL" index add "$T/ix" "$T/b2.jsonl"
has add2-summary "1 duplicate ids" "$T/add2.err"
expect_rc export 0 "$DOPPEL" index export "$T/ix" -o "$T/export.jsonl"
expect_rc cluster 0 "$DOPPEL" cluster -q --prefilter-miss 0 "$T/all.jsonl" -o "$T/cluster.jsonl"
if cmp -s "$T/export.jsonl" "$T/cluster.jsonl"; then ok; else bad "crafted: export differs from cluster"; diff "$T/export.jsonl" "$T/cluster.jsonl" >&2; fi
expect_rc stats 0 "$DOPPEL" index stats "$T/ix"
has stats '"docs":5,"added":5,"batches":2,' "$T/stats.out"

# ---- "source" as in doppel pairs, "outlet" apart ---------------------------------------
# e: undated, a's last two thirds: the indexed a covers it, so a is the
# source (no dates to compare: the covering one); e and b share one
# passage (partial), b the covering one
printf '{"id":"e","text":"%s %s","source":"feed"}\n' "$B" "$C" > "$T/e.jsonl"
expect_rc query-e 0 "$DOPPEL" index query -q "$T/ix" "$T/e.jsonl"
has query-e-source '"id":"e","relations":\[{"id":"a","relation":"contained","score":1.0000,"source":"a","outlet":"wire"}' "$T/query-e.out"
has query-e-partial '{"id":"b","relation":"partial","score":0.2899,"source":"b","outlet":"[^"]*b1.jsonl"}' "$T/query-e.out"
# the same pairs from doppel pairs: the same source for each
cat "$T/b1.jsonl" "$T/e.jsonl" > "$T/pe.jsonl"
expect_rc pairs-e 0 "$DOPPEL" pairs -q --prefilter-miss 0 "$T/pe.jsonl"
has pairs-e-ab '"a":"a","b":"b",.*"relation":"contained".*"source":"b"' "$T/pairs-e.out"
has pairs-e-ae '"a":"a","b":"e",.*"relation":"contained".*"source":"a"' "$T/pairs-e.out"
has pairs-e-be '"a":"b","b":"e",.*"relation":"partial".*"source":"b"' "$T/pairs-e.out"

# ---- outlets as JSON gives them: escapes decoded, "outlet" before "source" ---------------
# (the CLI scans the line for the keys and takes a plain value as its bytes:
# escaped, non-ASCII and spaced ones must come out as a JSON parser reads them)
expect_rc create-ol 0 "$DOPPEL" index create "$T/ol"
{
  printf '{"id":"o1","outlet":"Caf\\u00e9 \\"Q\\"","source":"not this","text":"%s one"}\n' "$A"
  printf '{"id":"o2","text":"%s two","source":"Plain Wire"}\n' "$A"
  printf '{"id":"o3","outlet" : "\303\234n\303\257","text":"%s three"}\n' "$A"
  printf '{"id":"o4","outlet":"Tab\\tX","text":"%s four"}\n' "$A"
  printf '{"id":"o5","text":"%s five"}\n' "$A"
} > "$T/ol.jsonl"
expect_rc add-ol 0 "$DOPPEL" index add -q "$T/ol" "$T/ol.jsonl"
CAFE=$(printf 'Caf\303\251') UNI=$(printf '\303\234n\303\257')
has ol-escaped "\"id\":\"o1\",[^}]*\"outlet\":\"$CAFE \\\\\"Q\\\\\"\"" "$T/add-ol.out"
has ol-source '"id":"o2",[^}]*"outlet":"Plain Wire"' "$T/add-ol.out"
has ol-utf8 "\"id\":\"o3\",[^}]*\"outlet\":\"$UNI\"" "$T/add-ol.out"
has ol-tab '"id":"o4",[^}]*"outlet":"Tab\\tX"' "$T/add-ol.out"

# ---- the header refuses other parameters --------------------------------------------
expect_rc other-threshold 2 "$DOPPEL" index add "$T/ix" --threshold 0.7 "$T/b2.jsonl"
has other-threshold "created with threshold=0.5; this run asks for threshold=0.7" "$T/other-threshold.err"
expect_rc other-ngram 2 "$DOPPEL" index query "$T/ix" --ngram 3 "$T/b2.jsonl"
has other-ngram "ngram=5" "$T/other-ngram.err"
expect_rc other-prefilter 2 "$DOPPEL" index add "$T/ix" --prefilter-miss 0 "$T/b2.jsonl"
has other-prefilter "created with prefilter_miss=1e-06; this run asks for prefilter_miss=0" "$T/other-prefilter.err"
expect_rc same-threshold 0 "$DOPPEL" index query -q "$T/ix" --threshold 0.5 --threads 1 "$T/b2.jsonl"
expect_rc ngram3 0 "$DOPPEL" index create --ngram 3 --canonical earliest "$T/ix3"
expect_rc ngram3-add 0 "$DOPPEL" index add -q "$T/ix3" "$T/all.jsonl" -o /dev/null
expect_rc ngram3-export 0 "$DOPPEL" index export "$T/ix3"
expect_rc ngram3-cluster 0 "$DOPPEL" cluster -q --ngram 3 --canonical earliest --prefilter-miss 0 "$T/all.jsonl"
if cmp -s "$T/ngram3-export.out" "$T/ngram3-cluster.out"; then ok; else bad "ngram 3 earliest: export differs"; fi

# ---- long documents: features in hundreds of pieces (format 6) ------------------------
# long1 (40,000 words: a blob of about 320 KB) in one add; in the next, a
# near copy of it (one word changed) and its first 15,000 words (contained),
# whose features the add reads from the committed pieces and from its own
long_doc() {  # id, words, position of a changed word (-1: none)
  awk -v id="$1" -v n="$2" -v chg="$3" 'BEGIN {
    printf "{\"id\":\"%s\",\"text\":\"", id
    for (i = 0; i < n; i++) printf "%sw%d", (i ? " " : ""), i == chg ? 99999 : (i * i * 31 + i * 7) % 50021
    print "\"}" }'
}
long_doc long1 40000 -1 > "$T/long-a.jsonl"
{ long_doc long2 40000 20000; long_doc long3 15000 -1; } > "$T/long-b.jsonl"
expect_rc long-create 0 "$DOPPEL" index create "$T/ixl"
expect_rc long-add1 0 "$DOPPEL" index add -q "$T/ixl" "$T/long-a.jsonl"
expect_rc long-add2 0 "$DOPPEL" index add -q "$T/ixl" "$T/long-b.jsonl"
has long-near '"id":"long2",[^}]*"relations":\[{"id":"long1","relation":"near"' "$T/long-add2.out"
has long-contained '"id":"long3",[^}]*"relations":\[{"id":"long1","relation":"contained"' "$T/long-add2.out"
cat "$T/long-a.jsonl" "$T/long-b.jsonl" > "$T/long-all.jsonl"
expect_rc long-export 0 "$DOPPEL" index export "$T/ixl"
expect_rc long-cluster 0 "$DOPPEL" cluster -q "$T/long-all.jsonl"
if cmp -s "$T/long-export.out" "$T/long-cluster.out"; then ok; else bad "long documents: export differs from cluster"; fi
expect_rc long-query 0 "$DOPPEL" index query -q "$T/ixl" "$T/long-a.jsonl"
has long-query '"id":"long1","relations":\[{"id":"long1","relation":"exact"' "$T/long-query.out"

# ---- expire and compact ---------------------------------------------------------------
cp -r "$T/ix" "$T/ixe"
expect_rc expire-none 2 "$DOPPEL" index expire "$T/ixe"
expect_rc expire 0 "$DOPPEL" index expire "$T/ixe" --before 2024-01-03
has expire "2 documents removed" "$T/expire.err"
expect_rc expire-export 0 "$DOPPEL" index export "$T/ixe"
if [ "$(wc -l < "$T/expire-export.out")" -eq 3 ]; then ok; else bad "expire: 3 documents should remain"; fi
hasnt expire-gone '"id":"b"' "$T/expire-export.out"
expect_rc compact 0 "$DOPPEL" index compact "$T/ixe"
expect_rc compact-export 0 "$DOPPEL" index export "$T/ixe"
if cmp -s "$T/expire-export.out" "$T/compact-export.out"; then ok; else bad "compact changed the export"; fi

# ---- one writer at a time ----------------------------------------------------------------
# flock(1) holds writer.lock as another writer would.
if command -v flock >/dev/null; then
  flock "$T/ix/writer.lock" sleep 3 &
  sleep 0.5
  expect_rc second-writer 1 "$DOPPEL" index add -q "$T/ix" "$T/b2.jsonl"
  has second-writer "another process is writing" "$T/second-writer.err"
  expect_rc reader-during-write 0 "$DOPPEL" index export "$T/ix"
  expect_rc waiting-writer 0 "$DOPPEL" index add -q --wait "$T/ix" "$T/b2.jsonl" -o /dev/null
  wait
fi

# ---- incremental equals batch on a synthetic corpus ----------------------------------------
N=${DOPPEL_INDEX_N:-3000}
"$DOPPEL" synth -q -n "$N" --seed 11 -o "$T/s.jsonl"
# The index applies the batch pre-filter with the prefilter_miss it was
# created with: the default one (1 and 7 adds) against the default
# cluster, --prefilter-miss 0 (3 adds: every candidate verified) against
# cluster --prefilter-miss 0.
expect_rc synth-cluster 0 "$DOPPEL" cluster -q --prefilter-miss 0 "$T/s.jsonl" -o "$T/s.cluster0"
expect_rc synth-cluster-default 0 "$DOPPEL" cluster -q "$T/s.jsonl" -o "$T/s.cluster"
for parts in 1 3 7; do
  rm -rf "$T/sp" "$T/ixs"; mkdir "$T/sp"
  split -n l/$parts -d "$T/s.jsonl" "$T/sp/part"
  pm=""; ref="$T/s.cluster"; [ "$parts" = 3 ] && { pm="--prefilter-miss 0"; ref="$T/s.cluster0"; }
  "$DOPPEL" index create $pm "$T/ixs"
  th=""; [ "$parts" = 1 ] && th="--threads 1"  # one thread: one feature buffer, several chunks
  for f in "$T"/sp/part*; do "$DOPPEL" index add -q $th "$T/ixs" "$f" -o /dev/null || bad "synth add $f"; done
  expect_rc synth-export-$parts 0 "$DOPPEL" index export "$T/ixs" -o "$T/s.export"
  if cmp -s "$T/s.export" "$ref"; then ok; else bad "synth $N in $parts adds ($pm): export differs from cluster"; fi
done
# 16,000 documents in 2 adds: the second commit merges 1.2M postings into
# the stored run on two threads (store_runs.c's merge2, from 1M entries),
# and its chunks look keys up in a run with a directory, in pieces
"$DOPPEL" synth -q -n 16000 --seed 12 -o "$T/big.jsonl"
expect_rc big-cluster 0 "$DOPPEL" cluster -q "$T/big.jsonl" -o "$T/big.cluster"
rm -rf "$T/bp" "$T/ixb"; mkdir "$T/bp"
split -n l/2 -d "$T/big.jsonl" "$T/bp/part"
"$DOPPEL" index create "$T/ixb"
for f in "$T"/bp/part*; do "$DOPPEL" index add -q --threads 2 "$T/ixb" "$f" -o /dev/null || bad "big add $f"; done
expect_rc big-export 0 "$DOPPEL" index export "$T/ixb" -o "$T/big.export"
if cmp -s "$T/big.export" "$T/big.cluster"; then ok; else bad "synth 16000 in 2 adds: export differs from cluster"; fi
rm -rf "$T/ixb" "$T/bp" "$T/big.jsonl"
# one add of several chunks (1,024 documents each): the pipeline (a chunk
# verified on other threads while the next one is matched) prints the
# same lines for any thread count
for th in 1 2 3; do
  rm -rf "$T/ixt"; "$DOPPEL" index create "$T/ixt"
  "$DOPPEL" index add -q --threads $th "$T/ixt" "$T/s.jsonl" -o "$T/s.add$th" || bad "synth add, $th threads"
done
if cmp -s "$T/s.add1" "$T/s.add2" && cmp -s "$T/s.add1" "$T/s.add3"; then ok; else bad "synth add: output differs with the thread count"; fi
has synth-add-relations '"relation":"near"' "$T/s.add2"
# check and add agree: the second half queried against an index of the
# first gets, per document, the copy relations its add reports to the
# first half, and every relation the add reports (check searches the runs
# key by key from where each key should be, add a chunk's keys at once:
# two searches, one answer; a check may report a derived or partial pair
# more, from a reuse slot the add's own documents filled past its cap)
rm -rf "$T/ixh" "$T/sh"; mkdir "$T/sh"
split -n l/2 -d "$T/s.jsonl" "$T/sh/half"
"$DOPPEL" index create "$T/ixh"
"$DOPPEL" index add -q "$T/ixh" "$T/sh/half00" -o /dev/null || bad "half add"
expect_rc half-query 0 "$DOPPEL" index query -q "$T/ixh" "$T/sh/half01"
"$DOPPEL" index add -q "$T/ixh" "$T/sh/half01" -o "$T/half-add.out" || bad "half add 2"
/usr/bin/python3 - "$T/sh/half00" "$T/half-query.out" "$T/half-add.out" > "$T/half.cmp" <<'EOF'
import json, sys
first = {json.loads(l)["id"] for l in open(sys.argv[1])}
def rels(path, keep):
    return [sorted((r["id"], r["relation"], r["score"], r.get("source")) for r in json.loads(l)["relations"]
                   if keep(r)) for l in open(path)]
q = rels(sys.argv[2], lambda r: True)
a = rels(sys.argv[3], lambda r: r["id"] in first)
copy = lambda x: [r for r in x if r[1] in ("exact", "near", "contained")]
same = len(q) == len(a) and all(copy(x) == copy(y) and set(y) <= set(x) for x, y in zip(q, a))
print("lines", len(q), "related", sum(1 for x in q if x), "same", same)
EOF
has half-same '^lines [0-9]* related [1-9][0-9]* same True$' "$T/half.cmp"
# the pre-filter dropped candidates unread (the stats count them)
expect_rc synth-stats 0 "$DOPPEL" index stats "$T/ixs"
if grep -q '"prefiltered":[1-9]' "$T/synth-stats.out"; then ok; else bad "synth: the pre-filter dropped nothing"; fi

# ---- relations from coverage: a realistic corpus (rewrites, partial reuse, quotes) ------
# Only copies join clusters, members without a copy edge to their canonical
# are linked, and every pair of `doppel pairs` is a relation the adds report.
"$DOPPEL" synth -q --realistic -n 1500 --seed 5 -o "$T/r.jsonl"
expect_rc real-cluster 0 "$DOPPEL" cluster -q --prefilter-miss 0 "$T/r.jsonl" -o "$T/r.cluster"
expect_rc real-pairs 0 "$DOPPEL" pairs -q --prefilter-miss 0 "$T/r.jsonl" -o "$T/r.pairs"
rm -rf "$T/sp" "$T/ixr"; mkdir "$T/sp"
split -n l/3 -d "$T/r.jsonl" "$T/sp/part"
"$DOPPEL" index create --prefilter-miss 0 "$T/ixr"
for f in "$T"/sp/part*; do "$DOPPEL" index add -q "$T/ixr" "$f" >> "$T/r.add" || bad "realistic add $f"; done
expect_rc real-export 0 "$DOPPEL" index export "$T/ixr" -o "$T/r.export"
if cmp -s "$T/r.export" "$T/r.cluster"; then ok; else bad "realistic: export differs from cluster"; fi
has real-linked '"relation":"linked"' "$T/r.export"
has real-partial '"relation":"partial"' "$T/r.add"
has real-derived '"relation":"derived"' "$T/r.add"
# (id, earlier id, relation) of the adds against (b, a, relation) of pairs
awk -F'"' '{ id = $4; n = split($0, r, /\{"id":"/); for (i = 3; i <= n; i++) { split(r[i], f, "\""); print f[1], id, f[5] } }' "$T/r.add" | sort > "$T/r.add.rel"
sed 's/^{"a":"\([^"]*\)","b":"\([^"]*\)".*"relation":"\([a-z]*\)".*/\1 \2 \3/' "$T/r.pairs" | sort > "$T/r.pairs.rel"
# Every pair is reported by the adds with its relation. The adds report
# more: pairs proposed by a reuse slot while its bucket was under the cap,
# which the batch drops whole once the bucket outgrows it (export then
# leaves them out too: it equals cluster above).
if [ -s "$T/r.pairs.rel" ] && [ -z "$(comm -13 "$T/r.add.rel" "$T/r.pairs.rel")" ]; then ok; else bad "realistic: a pair of doppel pairs is missing from the adds' relations"; comm -13 "$T/r.add.rel" "$T/r.pairs.rel" | head -5 >&2; fi
if [ -z "$(comm -23 "$T/r.add.rel" "$T/r.pairs.rel" | grep -v ' partial$' | grep -v ' derived$')" ]; then ok; else bad "realistic: the adds report a copy relation that pairs does not"; fi
# "source" of each relation the adds report is the one doppel pairs gives
# the pair (the id of the document the other took from), absent where
# pairs has none
/usr/bin/python3 - "$T/r.add" "$T/r.pairs" > "$T/r.src" <<'EOF'
import json, sys
pairs = {}
for ln in open(sys.argv[2]):
    p = json.loads(ln)
    pairs[(p["a"], p["b"])] = p.get("source")
same = differ = 0
for ln in open(sys.argv[1]):
    d = json.loads(ln)
    for r in d["relations"]:
        k = (r["id"], d["id"])
        if k not in pairs:
            continue
        if pairs[k] == r.get("source"):
            same += pairs[k] is not None
        else:
            differ += 1
            print("differs:", k, pairs[k], r.get("source"))
print("sources", same, "differ", differ)
EOF
has real-source '^sources [1-9][0-9]* differ 0$' "$T/r.src"
# with the default pre-filter, in 3 adds, against the default cluster
expect_rc real-cluster-default 0 "$DOPPEL" cluster -q "$T/r.jsonl" -o "$T/r.cluster1"
"$DOPPEL" index create "$T/ixr1"
for f in "$T"/sp/part*; do "$DOPPEL" index add -q "$T/ixr1" "$f" -o /dev/null || bad "realistic add $f"; done
expect_rc real-export-default 0 "$DOPPEL" index export "$T/ixr1" -o "$T/r.export1"
if cmp -s "$T/r.export1" "$T/r.cluster1"; then ok; else bad "realistic, pre-filter: export differs from cluster"; fi
# derived pairs joining clusters (--join-derived): the index follows, and the
# summary counts derived members as removed (read = kept + removed)
expect_rc jd-create 0 "$DOPPEL" index create --join-derived --prefilter-miss 0 "$T/ixj"
expect_rc jd-add 0 "$DOPPEL" index add -q "$T/ixj" "$T/r.jsonl" -o /dev/null
expect_rc jd-export 0 "$DOPPEL" index export "$T/ixj" -o "$T/j.export"
expect_rc jd-cluster 0 "$DOPPEL" cluster -q --join-derived --prefilter-miss 0 "$T/r.jsonl" -o "$T/j.cluster" --summary "$T/j.sum"
if cmp -s "$T/j.export" "$T/j.cluster"; then ok; else bad "join-derived: export differs from cluster"; fi
has jd-derived '"relation":"derived"' "$T/j.export"
jnum() { num "$1" "$T/j.sum"; }
if [ "$(jnum read)" -eq $(( $(jnum kept) + $(jnum removed) + $(jnum passed) + $(jnum skipped) )) ] && [ "$(jnum removed)" -gt "$(( $(jnum removed_exact) + $(jnum removed_near) + $(jnum removed_contained) + $(jnum removed_linked) ))" ]; then ok; else bad "join-derived: read != kept + removed + passed + skipped, or derived members not counted as removed"; fi
# the relation levels are the index's: another level is refused
expect_rc jd-other-cover 2 "$DOPPEL" index query -q "$T/ixj" --cover 0.8 "$T/b2.jsonl"
has jd-other-cover "created with cover=0.7; this run asks for cover=0.8" "$T/jd-other-cover.err"

echo "index_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
