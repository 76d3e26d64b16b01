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
echo
echo "== a live index (docs/index.md): two batches added, the second matched against the first"
rm -rf build/demo/index
head -n 2500 build/demo/docs.jsonl > build/demo/batch1.jsonl
tail -n 2500 build/demo/docs.jsonl > build/demo/batch2.jsonl
"$DOPPEL" index create build/demo/index
"$DOPPEL" index add build/demo/index build/demo/batch1.jsonl -o /dev/null
"$DOPPEL" index add build/demo/index build/demo/batch2.jsonl -o build/demo/batch2.relations.jsonl
echo "   first relations of batch 2:"
grep -v '"relations":\[\]' build/demo/batch2.relations.jsonl | head -n 3
"$DOPPEL" index export build/demo/index -o build/demo/index-export.jsonl
"$DOPPEL" cluster --quiet build/demo/docs.jsonl -o build/demo/cluster.jsonl
if cmp -s build/demo/index-export.jsonl build/demo/cluster.jsonl; then
  echo "   index export == doppel cluster on all 5,000 documents"
else
  echo "   index export DIFFERS from doppel cluster on the same documents" >&2
  exit 1
fi
echo "== one check over HTTP (doppel serve; docs/api.md)"
"$DOPPEL" serve build/demo/index --listen 127.0.0.1:0 2> build/demo/serve.err &
SERVE=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do grep -q listening build/demo/serve.err && break; sleep 0.2; done
PORT=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' build/demo/serve.err)
head -n 1 build/demo/batch2.jsonl > build/demo/one.json
echo "   curl -XPOST 127.0.0.1:$PORT/v1/check --data-binary @build/demo/one.json"
if command -v curl >/dev/null; then
  curl -s -XPOST "127.0.0.1:$PORT/v1/check" --data-binary @build/demo/one.json
else
  /usr/bin/python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:"+sys.argv[1]+"/v1/check", data=open(sys.argv[2],"rb").read())).read().decode())' "$PORT" build/demo/one.json
fi
kill -TERM "$SERVE"; wait "$SERVE" 2>/dev/null || true
