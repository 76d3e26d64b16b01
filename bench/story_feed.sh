#!/bin/sh
# A news feed clustered batch after batch with a story state, against the
# same documents clustered in one run: synthetic news (bench/story_eval.c
# --synth: a story opens every 20 documents and is reported for about 800
# more), cut into batches in arrival order. Prints the settings, wall time
# per batch, the state's size, and BCubed F1 of both against the stories the
# documents were written for.
# usage: bench/story_feed.sh DOPPEL STORY_EVAL DOCS BATCHES WORKDIR (a scratch
# directory, removed at the end)
set -eu
DOPPEL=$1 STORY_EVAL=$2 N=$3 B=$4 W=$5
trap 'rm -rf "$W"' EXIT
mkdir -p "$W"
rm -f "$W"/batch.* "$W"/out.* "$W/state.tsv"
"$STORY_EVAL" --synth "$N" --write-synth "$W/docs.jsonl" "$W/gold.jsonl"
secs() { date +%s.%N; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
f1() { "$DOPPEL" eval --field story "$1" "$W/gold.jsonl" | sed -n 's/^bcubed .*F1=//p'; }

t0=$(secs)
"$DOPPEL" cluster --quiet --level story --threads 1 "$W/docs.jsonl" -o "$W/one.jsonl"
t1=$(secs)
echo "story feed: $N synthetic documents, $B batches in arrival order, one thread, default story settings"
printf 'one run:    %.2f s, BCubed F1 %s\n' "$(minus "$t1" "$t0")" "$(f1 "$W/one.jsonl")"

split -n "l/$B" -d -a 3 "$W/docs.jsonl" "$W/batch."
times=""
for f in "$W"/batch.*; do
  k=${f##*.}
  t0=$(secs)
  "$DOPPEL" cluster --quiet --level story --threads 1 --story-state "$W/state.tsv" "$f" -o "$W/out.$k"
  t1=$(secs)
  times="$times $(minus "$t1" "$t0")"
done
cat "$W"/out.* > "$W/batched.jsonl"
echo "$times" | awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i;
  printf "batched:    %.2f s in all; batch 1 %.2f s, batch %d %.2f s\n", s, $1, NF, $NF }'
printf 'batched:    BCubed F1 %s; state after the last batch %s bytes, %s stories\n' \
  "$(f1 "$W/batched.jsonl")" "$(wc -c < "$W/state.tsv" | tr -d ' ')" \
  "$(sed -n 's/^stories\t//p' "$W/state.tsv")"
