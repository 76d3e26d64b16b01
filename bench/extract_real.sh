#!/bin/sh
# Extraction on real labeled pages (part of make bench; also make bench-extract):
# doppel's bag-of-words F1 on ../shared/data/l3s-gn1 and cleaneval-dev
# (../shared/tools/extract_score.py), its MB/s of HTML per core (median CPU
# time of BENCH_EXTRACT_RUNS runs with --threads 1) and on all cores (wall
# time), and, when Debian's python3-readability is importable by
# /usr/bin/python3, readability-lxml's F1 and MB/s per core on the same pages
# (bench/readability_peer.py). Skipped when ../shared is absent.
# usage: bench/extract_real.sh path/to/doppel
set -eu
DOPPEL=$1
SHARED=${SHARED:-../shared}
RUNS=${BENCH_EXTRACT_RUNS:-5}
DIR=${BENCH_DIR:-build/bench}
if [ ! -f "$SHARED/tools/extract_score.py" ] || [ ! -d "$SHARED/data/l3s-gn1" ]; then
  echo "== extraction on real pages: skipped ($SHARED/data is absent)"
  exit 0
fi
mkdir -p "$DIR"
peer=0
if /usr/bin/python3 -c 'import readability' 2>/dev/null; then peer=1; fi
echo "== extraction on real pages (F1: $SHARED/tools/extract_score.py; MB = 10^6 bytes of HTML)"
printf "%-14s %-22s %6s %6s %6s %6s %14s %14s\n" set extractor P R F1 empty "MB/s per core" "MB/s all cores"
for set in l3s-gn1 cleaneval-dev; do
  docs=$SHARED/data/$set/docs.jsonl.gz
  gold=$SHARED/data/$set/gold.jsonl
  [ -f "$docs" ] || continue
  plain=$DIR/$set.jsonl
  gzip -dc "$docs" > "$plain"   # timed runs read plain JSONL, as the peer does after gunzip
  bytes=$(/usr/bin/python3 -c 'import json,sys; print(sum(len(json.loads(l)["text"].encode("utf-8","surrogatepass")) for l in open(sys.argv[1], encoding="utf-8")))' "$plain")
  cpus=""
  i=0
  while [ $i -lt "$RUNS" ]; do
    /usr/bin/time -f "%U %S" -o "$DIR/time.txt" "$DOPPEL" extract --threads 1 "$plain" -o "$DIR/$set.pred.jsonl" 2>/dev/null
    cpus="$cpus $(awk '{ print $1 + $2 }' "$DIR/time.txt")"
    i=$((i + 1))
  done
  med=$(echo "$cpus" | tr ' ' '\n' | sed '/^$/d' | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
  /usr/bin/time -f "%e" -o "$DIR/time.txt" "$DOPPEL" extract "$plain" -o "$DIR/$set.pred.jsonl" 2>/dev/null
  wall=$(cat "$DIR/time.txt")
  score=$(python3 "$SHARED/tools/extract_score.py" "$gold" "$DIR/$set.pred.jsonl")
  echo "$score" | awk -v s="$set" -v b="$bytes" -v c="$med" -v w="$wall" '{
    for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "%-14s %-22s %6s %6s %6s %6s %14.1f %14.1f\n", s, "doppel", v["precision"], v["recall"], v["f1"], v["empty"], b / 1e6 / c, b / 1e6 / w }'
  if [ $peer = 1 ]; then
    out=$(/usr/bin/python3 bench/readability_peer.py "$docs" "$DIR/$set.readability.jsonl")
    secs=$(echo "$out" | sed 's/.*seconds=//')
    python3 "$SHARED/tools/extract_score.py" "$gold" "$DIR/$set.readability.jsonl" |
      awk -v s="$set" -v b="$bytes" -v c="$secs" '{
        for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%-14s %-22s %6s %6s %6s %6s %14.1f %14s\n", s, "readability-lxml", v["precision"], v["recall"], v["f1"], v["empty"], b / 1e6 / c, "-" }'
  fi
  rm -f "$plain"
done
[ $peer = 1 ] || echo "(python3-readability not importable by /usr/bin/python3: peer skipped)"
echo "doppel per core: median of $RUNS runs of --threads 1 (user + system CPU); all cores: one run, wall time;"
echo "readability-lxml: CPU time of its extraction alone (parsing JSON excluded), one run"
