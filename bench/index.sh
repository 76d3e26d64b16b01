#!/bin/sh
# The live index (doppel index, doppel serve): add throughput into an index
# of N synthetic documents in BATCHES adds, bytes per document, single-
# document check latency in process (build/bench/index_check) and over HTTP
# on loopback with concurrent clients (build/bench/http_load, bench/http_load.c).
# usage: bench/index.sh DOPPEL INDEX_CHECK N BATCHES DIR
# (INDEX_SERIES series of the adds, 3 by default: the median is the figure)
# Targets (issue 19): >= 20k docs/s added on 2 cores; p99 of one check
# <= 10 ms over HTTP at 1M indexed; >= 2,000 checks/s over HTTP.
set -eu
DOPPEL=$1; CHECK=$2; N=$3; BATCHES=$4; DIR=$5
LOAD=$(dirname "$CHECK")/http_load
CLIENTS=${INDEX_CLIENTS:-8}
SECONDS_HTTP=${INDEX_HTTP_SECONDS:-10}
mkdir -p "$DIR"
Q=2000
corpus=$DIR/synth-$N-plus.jsonl
if [ ! -s "$corpus" ]; then "$DOPPEL" synth -q -n $((N + Q)) --seed 1 -o "$corpus"; fi
tail -n "$Q" "$corpus" > "$DIR/check.jsonl"
rm -rf "$DIR/parts" "$DIR/ix" "$DIR/add.jsonl"; mkdir "$DIR/parts"
# the parts straight from the corpus: a copy of all N documents beside
# them took 3.3 GB more of the page cache at 1M, which the index then lacked
head -n "$N" "$corpus" | split -l $(((N + BATCHES - 1) / BATCHES)) -d -a 3 - "$DIR/parts/p"
# the parts written back before the adds start, not during them
sync
SERIES=${INDEX_SERIES:-3}
echo "machine: $(nproc) cores; $N synthetic documents ($(du -cm "$DIR"/parts/p* | tail -n 1 | cut -f1) MB JSONL) in $BATCHES adds, $SERIES series"
# Several series, each into a new index: the VMs this runs on change speed
# by 15-25% from minute to minute, so one series says little; the median is
# the figure (the checks below run on the last series' index).
: > "$DIR/totals"
for k in $(seq 1 "$SERIES"); do
  rm -rf "$DIR/ix"
  "$DOPPEL" index create "$DIR/ix"
  sync
  start=$(date +%s.%N)
  adds=""; cpu=0; rss=0
  for f in "$DIR"/parts/p*; do
    /usr/bin/time -f "%e %U %S %M" -o "$DIR/t" "$DOPPEL" index add -q "$DIR/ix" "$f" -o /dev/null
    read -r e u s m < "$DIR/t"
    adds="$adds ${e}s"
    cpu=$(echo "$cpu + $u + $s" | bc)
    [ $((m / 1024)) -gt "$rss" ] && rss=$((m / 1024))
  done
  end=$(date +%s.%N)
  total=$(echo "$end - $start" | bc)
  echo "$total" >> "$DIR/totals"
  echo "  series $k: $N docs in ${total}s = $(echo "$N / $total" | bc) docs/s, ${cpu}s cpu, peak RSS $rss MB (adds:$adds)"
done
median=$(sort -n "$DIR/totals" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
echo "add: $N docs, median of $SERIES series ${median}s = $(echo "$N / $median" | bc) docs/s"
"$DOPPEL" index stats "$DIR/ix" > "$DIR/stats.json"
echo "stats: $(cat "$DIR/stats.json")"
"$CHECK" "$DIR/ix" "$DIR/check.jsonl" "$Q"
"$DOPPEL" serve "$DIR/ix" --listen 127.0.0.1:0 --threads "${INDEX_SERVE_THREADS:-4}" 2> "$DIR/serve.err" &
pid=$!
sleep 1
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$DIR/serve.err")
cpu0=$(awk '{print $14 + $15}' /proc/$pid/stat)
"$LOAD" "$port" "$DIR/check.jsonl" "$CLIENTS" "$SECONDS_HTTP"
cpu1=$(awk '{print $14 + $15}' /proc/$pid/stat)
echo "server cpu during the HTTP run: $(echo "($cpu1 - $cpu0) / $(getconf CLK_TCK)" | bc -l | cut -c1-5)s of ${SECONDS_HTTP}s"
kill -TERM $pid
wait $pid
