#!/bin/sh
# make demo: doppel's main job on the built-in sample corpus.
set -eu
DOPPEL=$1
SAMPLE=tests/cli/data/small.jsonl
echo "== doppel cluster $SAMPLE"
"$DOPPEL" cluster "$SAMPLE"
echo
echo "== doppel dedup $SAMPLE -o build/demo-dedup.jsonl"
"$DOPPEL" dedup "$SAMPLE" -o build/demo-dedup.jsonl
echo
echo "== doppel compare tests/cli/data/a.txt tests/cli/data/b.txt"
"$DOPPEL" compare tests/cli/data/a.txt tests/cli/data/b.txt
