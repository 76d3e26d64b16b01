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

# Story terms are printed as the words the reports wrote, not as stems: the
# Internet Explorer and endangered species stories of ECB+.
E="$SHARED/data/ecbplus-dev/docs.jsonl"
if [ -f "$E" ]; then
  if "$DOPPEL" stories --quiet "$E" -o "$T/ecb-stories.jsonl" &&
     grep -q '"terms":\["microsoft","explorer",' "$T/ecb-stories.jsonl" &&
     grep -q '"terms":\["endangered","endangered species act","wildlife",' "$T/ecb-stories.jsonl" &&
     ! grep -q -E '"(explor|endang|wildlif|speci)"' "$T/ecb-stories.jsonl"; then
    echo "story_cli: story terms are printed as words"
  else
    echo "FAIL: story_cli: story terms printed as stems: $(grep -o '"terms":\[[^]]*\]' "$T/ecb-stories.jsonl" | head -3)" >&2; fail=1
  fi
fi

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

# Story states: the same two batches with --story-state. The one gold story
# with headlines in both batches keeps its id in the second; the second's
# other stories get ids the first never gave; a run that fails (here: its
# output cannot be written) leaves the state as it was; a bad state stops the
# run with its line named; a state holds a model, so not with --story-model.
if [ -f "$H" ]; then
  S="$T/state.tsv"
  if "$DOPPEL" cluster --quiet --level story "$T/hA.jsonl" -o "$T/sA.jsonl" --story-state "$S" &&
     cp "$S" "$T/stateA.tsv" &&
     "$DOPPEL" cluster --quiet --level story "$T/hB.jsonl" -o "$T/sB.jsonl" --story-state "$S" &&
     python3 - "$SHARED/data/uci-news-headlines-6k/gold.jsonl" "$T/sA.jsonl" "$T/sB.jsonl" <<'PY'
import collections, json, sys
gold = {r['id']: r['cluster'] for r in map(json.loads, open(sys.argv[1]))}
a = {r['id']: r['story'] for r in map(json.loads, open(sys.argv[2]))}
b = {r['id']: r['story'] for r in map(json.loads, open(sys.argv[3]))}
both = set(gold[i] for i in a) & set(gold[i] for i in b)
assert len(both) == 1, both
g = both.pop()
top = lambda m: collections.Counter(s for i, s in m.items() if gold[i] == g).most_common(1)[0][0]
assert top(a) == top(b), (top(a), top(b))
new = set(b.values()) - set(a.values())
assert new and min(new) > max(a.values()), 'new stories reuse ids'
PY
  then
    echo "story_cli: a story state carries the shared story's id to the next batch"
  else
    echo "FAIL: story_cli: --story-state across two batches" >&2; fail=1
  fi
  cp "$S" "$T/stateAB.tsv"
  "$DOPPEL" cluster --quiet --level story "$T/hB.jsonl" -o "$T/no/such/dir.jsonl" --story-state "$S" 2>/dev/null
  rc=$?
  if [ $rc -ne 0 ] && cmp -s "$S" "$T/stateAB.tsv"; then :; else
    echo "FAIL: story_cli: a failed run changed the story state (rc $rc)" >&2; fail=1
  fi
  awk '/^story\t/ && !done { sub(/^story\t[0-9]+/, "story\t99999999"); done = 1 } { print }' \
    "$T/stateA.tsv" > "$T/badstate.tsv"
  cp "$T/badstate.tsv" "$T/badstate.orig"
  "$DOPPEL" stories --quiet "$T/hB.jsonl" -o "$T/nope2.jsonl" --story-state "$T/badstate.tsv" 2>"$T/bads.err"
  rc=$?
  if [ $rc -eq 1 ] && grep -q "badstate.tsv:[0-9]*: story out of range" "$T/bads.err" &&
     [ ! -e "$T/nope2.jsonl" ] && cmp -s "$T/badstate.tsv" "$T/badstate.orig"; then :; else
    echo "FAIL: story_cli: a bad story state (rc $rc: $(cat "$T/bads.err"))" >&2; fail=1
  fi
  if command -v flock >/dev/null 2>&1; then
    # another run holding the state: this one stops at once, the state untouched
    flock "$S" sleep 5 &
    sleep 1
    "$DOPPEL" stories --quiet "$T/hB.jsonl" -o "$T/nope3.jsonl" --story-state "$S" 2>"$T/lock.err"
    rc=$?
    wait
    if [ $rc -eq 1 ] && grep -q "in use by another doppel run" "$T/lock.err" &&
       [ ! -e "$T/nope3.jsonl" ] && cmp -s "$S" "$T/stateAB.tsv"; then :; else
      echo "FAIL: story_cli: a locked story state (rc $rc: $(cat "$T/lock.err"))" >&2; fail=1
    fi
  fi
  "$DOPPEL" stories --quiet "$T/hB.jsonl" -o /dev/null --story-state "$S" --story-model "$T/mA.tsv" \
    2>"$T/both.err"
  rc=$?
  if [ $rc -eq 2 ] && grep -q "not with --story-model" "$T/both.err"; then :; else
    echo "FAIL: story_cli: --story-state with --story-model (rc $rc)" >&2; fail=1
  fi
fi

[ $fail -eq 0 ] && echo "story_cli: seeds grouped, story F1 at or above the floors"
exit $fail
