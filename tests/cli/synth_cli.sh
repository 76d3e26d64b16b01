#!/bin/sh
# `doppel synth` and `doppel eval` as commands: exit codes, usage, atomic
# output, determinism, and the synthetic corpus read back by the pipeline.
# usage: tests/cli/synth_cli.sh path/to/doppel   (from the repository root)
set -u
DOPPEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
T=$(mktemp -d /tmp/doppel-synth-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/harness"

# ---- usage --------------------------------------------------------------------
expect_rc synth-help 0 "$DOPPEL" synth --help
has synth-help "usage: doppel synth" "$T/synth-help.out"
expect_rc eval-help 0 "$DOPPEL" eval --help
has eval-help "usage: doppel eval" "$T/eval-help.out"
expect_rc synth-no-n 2 "$DOPPEL" synth -o "$T/x.jsonl"
has synth-no-n "needs -n" "$T/synth-no-n.err"
expect_rc synth-bad-n 2 "$DOPPEL" synth -n ten
expect_rc synth-bad-fraction 2 "$DOPPEL" synth -n 10 --copy-fraction 2
has synth-bad-fraction "copy_fraction" "$T/synth-bad-fraction.err"
expect_rc synth-bad-kind 2 "$DOPPEL" synth -n 10 --kinds photocopy=1
expect_rc synth-operand 2 "$DOPPEL" synth -n 10 extra
expect_rc synth-bad-option 2 "$DOPPEL" synth -n 10 --frobnicate
expect_rc eval-one-file 2 "$DOPPEL" eval only.jsonl

# ---- output: deterministic, atomic, JSONL with the documented fields ------------
expect_rc synth 0 "$DOPPEL" synth -q -n 500 --seed 3 -o "$T/a.jsonl" --gold "$T/a.gold"
expect_rc synth-stdout 0 "$DOPPEL" synth -q -n 500 --seed 3
if cmp -s "$T/a.jsonl" "$T/synth-stdout.out"; then ok; else bad "synth: file and stdout differ"; fi
expect_rc synth-seed 0 "$DOPPEL" synth -q -n 500 --seed 4 -o "$T/b.jsonl"
if cmp -s "$T/a.jsonl" "$T/b.jsonl"; then bad "synth: seeds 3 and 4 gave the same corpus"; else ok; fi
if [ "$(wc -l < "$T/a.jsonl")" -eq 500 ] && [ "$(wc -l < "$T/a.gold")" -eq 500 ]; then ok; else bad "synth: line counts"; fi
has synth-fields '^{"id":"s000000","title":"[^"]*","date":"2024-01-0[0-9]","source":"[^"]*","text":"' "$T/a.jsonl"
has synth-gold '^{"id":"s000001","cluster":"s0000[0-9][0-9]","kind":"[a-z]*"}$' "$T/a.gold"
expect_rc synth-kinds 0 "$DOPPEL" synth -q -n 300 --kinds exact=0,boilerplate=0,truncated=0,edited=0,ocr=0,reordered=0 -o - --gold "$T/k.gold"
if grep -v '"kind":"original"' "$T/k.gold" | grep -qv '"kind":"headline"'; then bad "synth --kinds: other kinds present"; else ok; fi
# A failed write leaves no file behind (the directory does not exist).
expect_rc synth-nodir 1 "$DOPPEL" synth -q -n 10 -o "$T/missing/dir/x.jsonl"
if [ -e "$T/missing" ]; then bad "synth-nodir: left output"; else ok; fi

# ---- the corpus through the pipeline and back through eval -----------------------
expect_rc cluster 0 "$DOPPEL" cluster --quiet "$T/a.jsonl"
expect_rc eval 0 "$DOPPEL" eval "$T/cluster.out" "$T/a.gold"
has eval-lines "^precision=.* ari=" "$T/eval.out"
has eval-bcubed "^bcubed P=" "$T/eval.out"
has eval-exact "recall\[exact\] = 1.0000" "$T/eval.out"
expect_rc eval-json 0 "$DOPPEL" eval --json "$T/cluster.out" "$T/a.gold"
has eval-json '"bcubed_f1":' "$T/eval-json.out"
expect_rc eval-self 0 "$DOPPEL" eval "$T/a.gold" "$T/a.gold"
has eval-self "precision=1.0000 recall=1.0000 f1=1.0000 ari=1.0000" "$T/eval-self.out"
expect_rc eval-missing 1 "$DOPPEL" eval "$T/nope.jsonl" "$T/a.gold"
printf '{"id":"s000000","cluster":1}\nnot json\n' > "$T/bad.jsonl"
expect_rc eval-bad 1 "$DOPPEL" eval "$T/bad.jsonl" "$T/a.gold"
has eval-bad "bad.jsonl:2: " "$T/eval-bad.err"

echo "synth/eval cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
