#!/bin/sh
# Prints one md5 per output of a fixed set of doppel runs, so a refactor can
# show it changes no output: run it with the old and the new binary and diff.
# usage: scripts/output-digest.sh DOPPEL [SHARED_DIR (default ../shared)] [N (synth size, default 100000)]
set -eu
DOPPEL=$1
SHARED=${2:-../shared}
N=${3:-100000}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
run() { # name, then the command; prints "md5  name"
  name=$1; shift
  "$@" >"$T/out" 2>/dev/null || echo "exit $? from $name" >>"$T/out"
  printf '%s  %s\n' "$(md5sum <"$T/out" | cut -c1-32)" "$name"
}
"$DOPPEL" synth -n "$N" --seed 3 -o "$T/synth.jsonl" --gold "$T/synth.gold" --quiet
run "synth $N gold" cat "$T/synth.gold"
run "synth $N cluster all" "$DOPPEL" cluster -q --level all "$T/synth.jsonl"
run "synth $N pairs" "$DOPPEL" pairs -q "$T/synth.jsonl"
run "synth $N dedup" "$DOPPEL" dedup -q "$T/synth.jsonl"
for d in ecbplus-dev uci-news-headlines-6k clough-dev reuters21578; do
  run "$d cluster all" "$DOPPEL" cluster -q --level all "$SHARED/data/$d/docs.jsonl"
  run "$d pairs" "$DOPPEL" pairs -q "$SHARED/data/$d/docs.jsonl"
  run "$d stories" "$DOPPEL" stories -q "$SHARED/data/$d/docs.jsonl"
done
for d in l3s-gn1 cleaneval-dev; do
  run "$d extract" "$DOPPEL" extract "$SHARED/data/$d/docs.jsonl.gz"
  run "$d cluster" "$DOPPEL" cluster -q "$SHARED/data/$d/docs.jsonl.gz"
done
run "seeds pairs" "$DOPPEL" pairs -q "$SHARED/seeds"
run "seeds extract" "$DOPPEL" extract "$SHARED/seeds"
run "seeds stories" "$DOPPEL" stories -q "$SHARED/seeds"
