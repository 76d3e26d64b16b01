#!/bin/sh
# story.sh EVAL — story clustering: quality on the labeled news sets (when
# ../shared is there) and throughput on 10k, 100k and 1M synthetic documents.
set -e
EVAL=${1:-build/story_eval}
SHARED=${SHARED:-../shared}
OUT=${TMPDIR:-/tmp}/doppel-story.$$
mkdir -p "$OUT"
if [ -d "$SHARED/data" ]; then
    for ds in ecbplus-dev uci-news-headlines-6k; do
        [ -f "$SHARED/data/$ds/docs.jsonl" ] || continue
        "$EVAL" "$SHARED/data/$ds/docs.jsonl" "$OUT/$ds.pred" 2>/dev/null
        printf '%-24s %s  ' "$ds" "$(python3 "$SHARED/tools/bcubed.py" "$SHARED/data/$ds/gold.jsonl" "$OUT/$ds.pred")"
        python3 "$SHARED/tools/score_pairs.py" "$SHARED/data/$ds/gold.jsonl" "$OUT/$ds.pred" | grep -o 'ari=[0-9.]*'
    done
fi
for n in ${SIZES:-10000 100000 1000000}; do
    echo "synthetic $n:"
    "$EVAL" --synth "$n" 2>&1 | sed 's/^/  /'
done
rm -rf "$OUT"
