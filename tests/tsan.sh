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
# The live index's writer: features, lookups ahead (stored and memory
# runs) and verification on other threads beside the transaction's; two
# adds of 1,500 (two chunks each); the lines must not depend on N.
head -n 1500 "$T/c.jsonl" > "$T/a.jsonl"
tail -n +1501 "$T/c.jsonl" > "$T/b.jsonl"
for n in 1 3; do
  "$DOPPEL" index create "$T/ix$n" || fail=$((fail + 1))
  for part in a b; do
    if ! "$DOPPEL" index add -q --threads $n "$T/ix$n" "$T/$part.jsonl" -o "$T/i$n$part.jsonl" \
        2> "$T/err.txt"; then
      echo "FAIL: doppel index add --threads $n ($part)" >&2
      head -30 "$T/err.txt" >&2
      fail=$((fail + 1))
    fi
  done
done
cat "$T/i1a.jsonl" "$T/i1b.jsonl" > "$T/i1.jsonl"
cat "$T/i3a.jsonl" "$T/i3b.jsonl" > "$T/i3.jsonl"
cmp -s "$T/i1.jsonl" "$T/i3.jsonl" || { echo "FAIL: index add output differs with --threads" >&2; fail=$((fail + 1)); }
echo "tsan: $((10 - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
