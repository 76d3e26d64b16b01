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
echo "synthetic news (bench/story_eval.c --synth N: 60-120 words a document, a new story"
echo "every 20 documents, 2000 documents a day), defaults, one thread; time = learn + add +"
echo "cluster, reading not counted; CPU = user + system seconds of those steps"
prev_n=""; prev_cpu=""
for n in ${SIZES:-10000 100000 1000000}; do
    echo "synthetic $n:"
    "$EVAL" --synth "$n" > "$OUT/synth.txt" 2>&1
    sed 's/^/  /' "$OUT/synth.txt"
    cpu=$(sed -n 's/.*CPU \([0-9.]*\)s.*/\1/p' "$OUT/synth.txt")
    if [ -n "$prev_n" ] && [ -n "$cpu" ]; then
        awk -v n1="$prev_n" -v n2="$n" -v c1="$prev_cpu" -v c2="$cpu" 'BEGIN {
            printf "  %d -> %d documents: CPU time grows with exponent %.2f\n", n1, n2, log(c2 / c1) / log(n2 / n1) }'
    fi
    prev_n=$n; prev_cpu=$cpu
done
rm -rf "$OUT"
