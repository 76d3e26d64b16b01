#!/bin/sh
# make bench: throughput and memory of `doppel cluster` on synthetic corpora.
# Prints docs/s, MB/s and peak RSS with the settings used. Absolute figures
# vary between runs on shared machines; compare ratios within one run.
# Environment: BENCH_DOCS (default 100000), BENCH_DIR (default build/bench).
set -eu
DOPPEL=$1
N=${BENCH_DOCS:-100000}
DIR=${BENCH_DIR:-build/bench}
mkdir -p "$DIR"
CORPUS=$DIR/synth-$N.jsonl
GOLD=$DIR/synth-$N.gold.jsonl
if [ ! -s "$CORPUS" ]; then
  echo "generating $N synthetic documents..."
  "$DOPPEL" synth -n "$N" --seed 1 -o "$CORPUS" --gold "$GOLD"
fi
BYTES=$(wc -c < "$CORPUS")
echo "corpus: $CORPUS, $N documents, $BYTES bytes ($(( BYTES / N )) bytes/doc)"
echo "machine: $(nproc) cores, $(uname -m), $(${CC:-cc} --version | head -1)"

run() {
  label=$1; shift
  /usr/bin/time -f "%e %M" -o "$DIR/time.txt" "$DOPPEL" cluster --quiet "$@" "$CORPUS" -o "$DIR/out.jsonl"
  read -r secs kb < "$DIR/time.txt"
  awk -v l="$label" -v s="$secs" -v kb="$kb" -v b="$BYTES" -v n="$N" 'BEGIN {
    printf "%-34s %7.2f s %10.0f docs/s %7.1f MB/s  peak RSS %6.1f MiB (%.0f bytes/doc)\n",
      l, s, n / s, b / 1e6 / s, kb / 1024, kb * 1024 / n }'
}

echo "settings: word 5-grams, 128 MinHash values (OPH), LSH from --lsh-threshold, one thread"
run "cluster (defaults, exact verify)"
run "cluster --fast" --fast
if command -v python3 >/dev/null && [ -f ../shared/tools/score_pairs.py ]; then
  "$DOPPEL" cluster --quiet "$CORPUS" -o "$DIR/out.jsonl"
  echo "quality on this corpus (../shared/tools/score_pairs.py):"
  python3 ../shared/tools/score_pairs.py "$GOLD" "$DIR/out.jsonl" | sed 's/^/  /'
fi
