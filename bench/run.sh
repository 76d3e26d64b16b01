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
  /usr/bin/time -f "%e %U %S %M" -o "$DIR/time.txt" "$DOPPEL" cluster --quiet "$@" "$CORPUS" -o "$DIR/out.jsonl"
  read -r secs user sys kb < "$DIR/time.txt"
  awk -v l="$label" -v s="$secs" -v u="$user" -v sy="$sys" -v kb="$kb" -v b="$BYTES" -v n="$N" 'BEGIN {
    c = u + sy
    printf "%-32s wall %6.2f s %8.0f docs/s %6.1f MB/s | cpu %6.2f s %6.1f MB/s | peak RSS %6.1f MiB (%.0f B/doc)\n",
      l, s, n / s, b / 1e6 / s, c, b / 1e6 / c, kb / 1024, kb * 1024 / n }'
}

echo "settings: word 5-grams, 128 MinHash values (OPH), LSH 64x2; MB = 10^6 bytes of JSONL input"
echo "(wall time counts waiting for a loaded machine; cpu = user + system time of the run)"
run "cluster --threads 1" --threads 1
W1=$secs; C1=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
run "cluster --threads 1 --no-extract" --threads 1 --no-extract
C0=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
run "cluster (all $(nproc) threads)"
WN=$secs
run "cluster --threads 1 --fast" --threads 1 --fast
awk -v a="$C1" -v b="$C0" -v w1="$W1" -v wn="$WN" 'BEGIN {
  printf "extraction costs %.2fx the CPU time of the pipeline without it; all threads: %.2fx speed-up over one\n", a / b, w1 / wn }'
if command -v python3 >/dev/null && [ -f ../shared/tools/score_pairs.py ]; then
  "$DOPPEL" cluster --quiet "$CORPUS" -o "$DIR/out.jsonl"
  echo "quality on this corpus (../shared/tools/score_pairs.py):"
  python3 ../shared/tools/score_pairs.py "$GOLD" "$DIR/out.jsonl" | sed 's/^/  /'
fi
