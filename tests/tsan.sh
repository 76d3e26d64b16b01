#!/bin/sh
# The threaded paths under ThreadSanitizer: any data race fails the run.
# usage: tests/tsan.sh path/to/doppel-built-with-tsan
set -u
DOPPEL=$1
T=$(mktemp -d /tmp/doppel-tsan-XXXXXX)
trap 'rm -rf "$T"' EXIT
export TSAN_OPTIONS="halt_on_error=1 exitcode=66"
fail=0
"$DOPPEL" synth -n 3000 --seed 3 -o "$T/c.jsonl" --quiet || fail=1
for args in "cluster --threads 2 --level all" "cluster --threads 2 --fast" \
            "cluster --threads 2 --corpus-boilerplate" "pairs --threads 4" "dedup --threads 2"; do
  # shellcheck disable=SC2086
  if ! "$DOPPEL" $args --quiet "$T/c.jsonl" -o "$T/out.jsonl" 2> "$T/err.txt"; then
    echo "FAIL: doppel $args" >&2
    head -30 "$T/err.txt" >&2
    fail=$((fail + 1))
  fi
done
# HTML extraction on threads: libxml2 parses on each worker (its one-time
# initialisation, per-parse handlers); the output must not depend on N.
mkdir -p "$T/html"
i=0
while [ $i -lt 8 ]; do
  for f in tests/data/extract/*.html; do cp "$f" "$T/html/$i-$(basename "$f")"; done
  i=$((i + 1))
done
for n in 1 3; do
  if ! "$DOPPEL" extract --threads $n "$T/html" -o "$T/x$n.jsonl" 2> "$T/err.txt"; then
    echo "FAIL: doppel extract --threads $n" >&2
    head -30 "$T/err.txt" >&2
    fail=$((fail + 1))
  fi
done
cmp -s "$T/x1.jsonl" "$T/x3.jsonl" || { echo "FAIL: extract output differs with --threads" >&2; fail=$((fail + 1)); }
echo "tsan: $((8 - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
