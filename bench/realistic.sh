#!/bin/sh
# make bench, realistic part: `doppel cluster` on one thread over a
# realistic synthetic corpus (`doppel synth --realistic`: ~3.9 KB documents,
# half of them reusing another's text: copies of seven kinds, rewrites,
# partial reuse, quotations and shared boilerplate paragraphs) at 20k and
# 100k documents. Prints time, MB/s, candidates per document, the
# 100k/20k cost ratio (target <= 5.5: near-linear), MB/s at 100k (target
# >= 150), and precision/recall against the gold (`doppel eval`), with the
# reuse pairs reported (derived, partial, quote) from `doppel pairs`.
# Each size runs BENCH_ROUNDS times (default 3) and the median time counts:
# a shared VM's speed can change between two runs by a third.
# Environment: BENCH_DIR (default build/bench), BENCH_ROUNDS.
set -eu
DOPPEL=$1
DIR=${BENCH_DIR:-build/bench}
ROUNDS=${BENCH_ROUNDS:-3}
mkdir -p "$DIR"
echo "== realistic corpus, one thread (bench/realistic.sh)"
t20=0
for n in 20000 100000; do
  c=$DIR/real-$n.jsonl
  [ -s "$c" ] || "$DOPPEL" synth -q -n $n --realistic --seed 11 -o "$c" --gold "$DIR/real-$n.gold" \
    --gold-pairs "$DIR/real-$n.gp"
  : > "$DIR/times.txt"
  r=0
  while [ $r -lt "$ROUNDS" ]; do
    /usr/bin/time -f "%e" -o "$DIR/time.txt" "$DOPPEL" cluster -q --threads 1 "$c" \
      -o "$DIR/real-$n.out" --summary "$DIR/real-$n.summary"
    cat "$DIR/time.txt" >> "$DIR/times.txt"
    r=$((r + 1))
  done
  secs=$(sort -n "$DIR/times.txt" | awk '{ t[NR] = $1 } END {
    print (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2 }')
  echo "  $n docs, $ROUNDS runs: $(sort -n "$DIR/times.txt" | tr '\n' ' ')s; median $secs s"
  bytes=$(wc -c < "$c")
  cand=$(sed 's/.*"candidates":\([0-9]*\).*/\1/' "$DIR/real-$n.summary")
  pr=$("$DOPPEL" eval "$DIR/real-$n.out" "$DIR/real-$n.gold" | grep '^precision')
  awk -v n=$n -v s="$secs" -v b="$bytes" -v c="$cand" -v pr="$pr" 'BEGIN {
    printf "realistic %6d docs: %6.2f s %6.1f MB/s %5.2f candidates/doc | %s\n",
      n, s, b / 1e6 / s, c / n, pr }'
  if [ $n = 20000 ]; then t20=$secs; else
    awk -v a="$t20" -v b="$secs" -v by="$bytes" 'BEGIN {
      printf "100k/20k cost ratio %.2f (target <= 5.5); %.1f MB/s at 100k (target >= 150)\n",
        b / a, by / 1e6 / b }'
  fi
done
"$DOPPEL" pairs -q --threads 1 "$DIR/real-20000.jsonl" -o "$DIR/real-20000.pairs"
"$DOPPEL" eval "$DIR/real-20000.out" "$DIR/real-20000.gold" --pairs "$DIR/real-20000.pairs" \
  --gold-pairs "$DIR/real-20000.gp" | grep -E '^pairs\[|precision\['
