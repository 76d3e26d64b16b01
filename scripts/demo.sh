#!/bin/sh
# make demo: doppel's main job on built-in samples (no outside data needed).
set -eu
DOPPEL=$1
SAMPLE=tests/cli/data/small.jsonl
echo "== doppel cluster $SAMPLE   (one line per document: its copy cluster)"
"$DOPPEL" cluster "$SAMPLE"
echo
echo "== doppel compare tests/cli/data/a.txt tests/cli/data/b.txt   (why b is a copy of a)"
"$DOPPEL" compare tests/cli/data/a.txt tests/cli/data/b.txt
echo
echo "== a labeled synthetic corpus: 5,000 documents, 35% of them copies made 7 ways"
mkdir -p build/demo
"$DOPPEL" synth -n 5000 --seed 7 -o build/demo/docs.jsonl --gold build/demo/gold.jsonl --quiet
echo "== doppel dedup build/demo/docs.jsonl -o build/demo/dedup.jsonl"
"$DOPPEL" dedup build/demo/docs.jsonl -o build/demo/dedup.jsonl
echo "== doppel cluster build/demo/docs.jsonl, scored with doppel eval against the gold clusters"
"$DOPPEL" cluster --quiet build/demo/docs.jsonl -o build/demo/pred.jsonl
"$DOPPEL" eval build/demo/pred.jsonl build/demo/gold.jsonl
