#!/bin/sh
# The story level through the CLI, on the shared material:
#  - ../shared/seeds: 000, 001, 003 and 004 (one visit told by four outlets)
#    share a story, whatever the input order and thread count;
#  - ../shared/data: BCubed F1 of `doppel cluster --level story` with the
#    defaults stays at or above the floors below (the figures measured in
#    docs/story.md minus 0.01), so a regression is caught.
# usage: tests/cli/story_cli.sh path/to/doppel   (from the repository root)
# Skipped (exit 0) when ../shared or python3 is absent; DOPPEL_SHARED names
# another shared directory.
set -u
DOPPEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SHARED=${DOPPEL_SHARED:-$(pwd)/../shared}
if [ ! -d "$SHARED/seeds" ] || [ ! -d "$SHARED/data" ] || ! command -v python3 >/dev/null 2>&1; then
  echo "story_cli: skipped (no ../shared or python3)"
  exit 0
fi
T=$(mktemp -d /tmp/doppel-story-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail=0

# Seeds in two input orders (as JSONL, forward and reversed), 1 and 4 threads.
python3 - "$SHARED/seeds" "$T" <<'PY' || exit 1
import json, os, sys
d, t = sys.argv[1], sys.argv[2]
names = sorted(os.listdir(d))
recs = [json.dumps({'id': n[:3], 'text': open(os.path.join(d, n), encoding='utf-8').read()})
        for n in names]
open(t + '/fwd.jsonl', 'w').write('\n'.join(recs) + '\n')
open(t + '/rev.jsonl', 'w').write('\n'.join(reversed(recs)) + '\n')
PY
for order in fwd rev; do
  for th in 1 4; do
    "$DOPPEL" cluster --quiet --threads $th --level all "$T/$order.jsonl" -o "$T/seeds-$order-$th.jsonl" ||
      { echo "FAIL: story_cli: doppel cluster on the seeds" >&2; fail=1; }
  done
done
python3 - "$T" <<'PY' || fail=1
import json, sys, glob
t = sys.argv[1]
parts = []
for f in sorted(glob.glob(t + '/seeds-*.jsonl')):
    rows = {}
    for l in open(f):
        o = json.loads(l)
        rows[o['id']] = (o['cluster'], o['story'])
    bad = []
    if len({rows[i][1] for i in ('000', '001', '003', '004')}) != 1:
        bad.append('000, 001, 003, 004 not in one story: %r' % rows)
    if rows['000'][0] != rows['001'][0]:
        bad.append('000 and 001 not in one copy cluster')
    if bad:
        print('FAIL: story_cli: %s: %s' % (f, '; '.join(bad)), file=sys.stderr); sys.exit(1)
    # the partition, independent of story numbers
    groups = {}
    for i, (c, s) in rows.items():
        groups.setdefault(s, []).append(i)
    parts.append(sorted(sorted(g) for g in groups.values()))
if any(p != parts[0] for p in parts):
    print('FAIL: story_cli: seeds partition depends on order or threads: %r' % parts, file=sys.stderr)
    sys.exit(1)
PY

# BCubed F1 floors on the labeled sets (docs/story.md, "Measured quality").
check() {
  set=$1; floor=$2
  D="$SHARED/data/$set"
  [ -f "$D/docs.jsonl" ] || { echo "story_cli: $set absent, skipped"; return; }
  if ! "$DOPPEL" cluster --quiet --level story "$D/docs.jsonl" -o "$T/$set.jsonl"; then
    echo "FAIL: story_cli: doppel cluster --level story on $set" >&2; fail=1; return
  fi
  f1=$("$DOPPEL" eval --json --field story "$T/$set.jsonl" "$D/gold.jsonl" |
       python3 -c 'import json,sys; print("%.4f" % json.load(sys.stdin)["bcubed_f1"])') ||
    { echo "FAIL: story_cli: doppel eval on $set" >&2; fail=1; return; }
  if python3 -c "import sys; sys.exit(0 if $f1 >= $floor else 1)"; then
    echo "story_cli: $set BCubed F1 $f1 (floor $floor)"
  else
    echo "FAIL: story_cli: $set BCubed F1 $f1 is below $floor" >&2; fail=1
  fi
}
check ecbplus-dev 0.920
check uci-news-headlines-6k 0.770

# Story models: the headlines in two batches, the second started from the
# first's saved counts, end with the model of learning them all at once
# (byte for byte); a bad model stops the run with its line named and no output.
H="$SHARED/data/uci-news-headlines-6k/docs.jsonl"
if [ -f "$H" ]; then
  head -n 3000 "$H" > "$T/hA.jsonl"; tail -n +3001 "$H" > "$T/hB.jsonl"
  if "$DOPPEL" cluster --quiet --level story "$T/hA.jsonl" -o /dev/null --save-story-model "$T/mA.tsv" &&
     "$DOPPEL" stories --quiet "$T/hB.jsonl" -o "$T/storiesB.jsonl" --story-model "$T/mA.tsv" \
       --save-story-model "$T/mAB.tsv" &&
     "$DOPPEL" cluster --quiet --level all "$H" -o /dev/null --save-story-model "$T/mAll.tsv" &&
     cmp -s "$T/mAB.tsv" "$T/mAll.tsv" && [ -s "$T/storiesB.jsonl" ]; then
    echo "story_cli: a model grown batch by batch equals the model of all batches at once"
  else
    echo "FAIL: story_cli: --story-model / --save-story-model" >&2; fail=1
  fi
  sed '6s/^[0-9]*/999999/' "$T/mA.tsv" > "$T/bad.tsv"
  "$DOPPEL" stories --quiet "$T/hB.jsonl" -o "$T/nope.jsonl" --story-model "$T/bad.tsv" 2>"$T/bad.err"
  rc=$?
  if [ $rc -eq 1 ] && grep -q "bad.tsv:6: counts out of range" "$T/bad.err" && [ ! -e "$T/nope.jsonl" ]; then :; else
    echo "FAIL: story_cli: a bad model (rc $rc: $(cat "$T/bad.err"))" >&2; fail=1
  fi
  "$DOPPEL" cluster --quiet "$T/hB.jsonl" --story-model "$T/mA.tsv" >/dev/null 2>"$T/lvl.err"
  rc=$?
  if [ $rc -eq 2 ] && grep -q "need --level story or all" "$T/lvl.err"; then :; else
    echo "FAIL: story_cli: --story-model at the copy level (rc $rc)" >&2; fail=1
  fi
fi

[ $fail -eq 0 ] && echo "story_cli: seeds grouped, story F1 at or above the floors"
exit $fail
