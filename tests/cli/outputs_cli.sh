#!/bin/sh
# CLI tests of outputs and the command line (issue 18): compressed -o, the
# summary's version, inputs and settings, doppel help CMD, per-command
# help, --progress always without a terminal, -q, stdin named "-", sizes
# with suffixes in messages.
# usage: tests/cli/outputs_cli.sh path/to/doppel   (run from the repository root)
set -u
DOPPEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(pwd)
SMALL=$ROOT/tests/cli/data/small.jsonl
T=$(mktemp -d /tmp/doppel-outputs-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/harness"
cd "$T" || exit 1

"$DOPPEL" dedup -q "$SMALL" -o plain.jsonl 2>/dev/null
# ---- -o compresses by name, still whole or not at all ------------------------------------
expect_rc gz 0 "$DOPPEL" dedup -q "$SMALL" -o out.jsonl.gz
if gzip -dc out.jsonl.gz | cmp -s - plain.jsonl; then ok; else bad "gz: not the plain output, gzip'ed"; fi
expect_rc zst 0 "$DOPPEL" dedup -q "$SMALL" -o out.jsonl.zst --removed removed.jsonl.zst
if zstd -dcq out.jsonl.zst | cmp -s - plain.jsonl; then ok; else bad "zst: not the plain output, zstd'ed"; fi
if [ "$(zstd -dcq removed.jsonl.zst | wc -l)" -eq 4 ]; then ok; else bad "zst: --removed not compressed"; fi
expect_rc gz-fail 1 "$DOPPEL" dedup -q "$SMALL" -o no/such/dir/out.jsonl.gz
if ls -a | grep -q doppel-tmp; then bad "gz-fail: temporary file left"; else ok; fi
# cluster lines carry the size of their cluster
expect_rc size 0 "$DOPPEL" cluster -q "$SMALL"
has size-line '"id":"other","cluster":1,"canonical":"other","relation":"unique","score":1.0000,"cluster_size":1' size.out
# ---- the summary: version, inputs, settings, timings --------------------------------------
expect_rc summary 0 "$DOPPEL" dedup -q "$SMALL" - -o /dev/null --summary s.json --threshold 0.6 < /dev/null
has summary-version "\"version\":\"$("$DOPPEL" --version | cut -d' ' -f2)\"" s.json
has summary-inputs "\"inputs\":\\[\"$SMALL\",\"-\"\\]" s.json
has summary-threshold '"threshold":0.6,' s.json
has summary-settings '"settings":{"format":"auto","id_field":"id","text_field":"text"' s.json
has summary-timings '"timings":{"reading":[0-9.]*,"finishing":[0-9.]*,"total":[0-9.]*}' s.json
if /usr/bin/python3 -c "import json,sys; json.load(open(sys.argv[1]))" s.json; then ok; else bad "summary: not JSON"; fi

# ---- help ------------------------------------------------------------------------------------
for c in cluster dedup pairs stories compare extract; do
  "$DOPPEL" "$c" --help > "a-$c.txt" 2>&1
  expect_rc "help-$c" 0 "$DOPPEL" help "$c"
  if cmp -s "a-$c.txt" "help-$c.out"; then ok; else bad "help $c differs from $c --help"; fi
done
hasnt dedup-no-story "story" help-dedup.out
hasnt pairs-no-story "story" help-pairs.out
has dedup-removed "--removed FILE" help-dedup.out
hasnt cluster-no-removed "--removed" help-cluster.out
expect_rc help-unknown 2 "$DOPPEL" help frobnicate

# ---- progress, quiet, names ------------------------------------------------------------------
"$DOPPEL" synth -n 20000 --seed 3 -o syn.jsonl --quiet
expect_rc progress 0 "$DOPPEL" cluster --progress always syn.jsonl -o /dev/null
has progress-line "doppel: progress: " progress.err
hasnt progress-no-cr "$(printf '\r')" progress.err
expect_rc progress-never 0 "$DOPPEL" cluster --progress never syn.jsonl -o /dev/null
hasnt progress-never-line "progress:" progress-never.err
expect_rc progress-bad 2 "$DOPPEL" cluster --progress sometimes syn.jsonl
expect_rc stdin-name 0 sh -c "cat '$ROOT/tests/cli/data/bad.jsonl' | '$DOPPEL' dedup - -o /dev/null"
has stdin-name-msg "^doppel: warning: -:3: malformed JSON" stdin-name.err
expect_rc size-msg 0 "$DOPPEL" cluster --max-doc-bytes 1K "$SMALL"
has size-msg-text "line longer than 1 KiB" size-msg.err
expect_rc size-opt 2 "$DOPPEL" cluster --memory 1K "$SMALL"
has size-opt-text "expected an integer in \\[16M, 1024T\\]" size-opt.err

# ---- each story has a headline: the title of its most copied report ----------------------
expect_rc headline 0 "$DOPPEL" stories -q "$SMALL"
has headline-line '"headline":"Harbour bridge to close","copies":\[\["orig"' headline.out
printf 'words about a harbour bridge closing for repairs in the city this week\n' > untitled.txt
expect_rc headline-null 0 "$DOPPEL" stories -q untitled.txt
has headline-null-line '"headline":null' headline-null.out

echo "outputs cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
