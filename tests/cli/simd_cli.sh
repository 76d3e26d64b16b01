#!/bin/sh
# The vector paths (AVX-512 where the CPU has it) and the baseline ones give
# the same outputs: DOPPEL_SIMD=off (src/base/cpu.c) makes doppel take the
# baseline paths, and extraction (plain text, HTML, Markdown), pairs with
# their passages, copy clusters and stories must not change. CI machines
# may lack AVX-512 while the golden outputs were made on one that has it.
# usage: tests/cli/simd_cli.sh path/to/doppel   (from the repository root)
set -u
DOPPEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(pwd)
T=$(mktemp -d /tmp/doppel-simd-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/harness"

if grep -q avx512 /proc/cpuinfo 2>/dev/null; then
  echo "simd: this CPU has AVX-512: comparing its paths with the baseline ones"
else
  echo "simd: no AVX-512 here: both runs take the baseline paths"
fi

"$DOPPEL" synth -q -n 4000 --realistic --seed 5 -o "$T/real.jsonl"
# the crafted pages of the extraction tests, each as a JSONL record
/usr/bin/python3 - "$ROOT/tests/data/extract" > "$T/pages.jsonl" <<'PY'
import json, os, sys
d = sys.argv[1]
for n in sorted(os.listdir(d)):
    if n.endswith(('.html', '.md', '.txt')):
        print(json.dumps({"id": n, "text": open(os.path.join(d, n), encoding="utf-8", errors="replace").read()}))
PY

for mode in on off; do
  if [ $mode = off ]; then export DOPPEL_SIMD=off; else unset DOPPEL_SIMD; fi
  expect_rc extract-$mode 0 "$DOPPEL" extract --threads 1 "$T/real.jsonl" -o "$T/x.$mode"
  expect_rc pages-$mode 0 "$DOPPEL" extract --threads 1 "$T/pages.jsonl" -o "$T/p.$mode"
  expect_rc pairs-$mode 0 "$DOPPEL" pairs -q "$T/real.jsonl" -o "$T/pairs.$mode"
  expect_rc cluster-$mode 0 "$DOPPEL" cluster -q --level all "$T/real.jsonl" -o "$T/c.$mode"
  expect_rc fast-$mode 0 "$DOPPEL" cluster -q --fast "$T/real.jsonl" -o "$T/f.$mode"
done
unset DOPPEL_SIMD
for f in x p pairs c f; do
  if [ -s "$T/$f.on" ] && cmp -s "$T/$f.on" "$T/$f.off"; then ok; else
    bad "$f: output with DOPPEL_SIMD=off differs"; diff "$T/$f.on" "$T/$f.off" | head -4 >&2; fi
done
has pairs-derived '"relation":"derived"' "$T/pairs.on"
has pages-kept '"text":"[A-Z]' "$T/p.on"
echo "simd: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
