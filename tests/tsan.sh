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
echo "tsan: $((5 - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
