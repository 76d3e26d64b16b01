#!/bin/sh
# `doppel eval` must agree with the yardsticks ../shared/tools/score_pairs.py
# and bcubed.py, figure for figure, on a synthetic corpus scored with several
# predictions: doppel's own clustering, a perturbed gold (numeric labels,
# missing and extra ids, repeated ids, merged and split clusters), the same
# clustering under another field name, and duplicate flags.
# usage: tests/cli/eval_agrees.sh path/to/doppel   (from the repository root)
# Exits 0 when all agree (or when ../shared or python3 is absent: skipped);
# DOPPEL_SHARED names another shared directory.
set -u
DOPPEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
TOOLS=${DOPPEL_SHARED:-$(pwd)/../shared}/tools
if [ ! -f "$TOOLS/score_pairs.py" ] || ! command -v python3 >/dev/null 2>&1; then
  echo "eval_agrees: skipped (no ../shared/tools or python3)"
  exit 0
fi
T=$(mktemp -d /tmp/doppel-eval-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail=0

"$DOPPEL" synth -q -n 3000 --seed 7 --mean-words 120 -o "$T/docs.jsonl" --gold "$T/gold.jsonl" || exit 1
"$DOPPEL" cluster --quiet "$T/docs.jsonl" > "$T/cluster.jsonl" || exit 1

# Perturbations written by a fixed-seed script, so the case is reproducible.
python3 - "$T" <<'PY' || exit 1
import json, random, sys
t = sys.argv[1]
gold = [json.loads(l) for l in open(t + '/gold.jsonl')]
rnd = random.Random(5)
with open(t + '/perturbed.jsonl', 'w') as f:
    labels = {}
    for g in gold:
        r = rnd.random()
        if r < 0.05:
            continue                      # missing: a singleton
        c = g['cluster']
        if r < 0.15:
            c = rnd.choice(gold)['cluster']   # moved to another cluster
        elif r < 0.25:
            c = g['id']                      # split off
        lab = labels.setdefault(c, len(labels) if rnd.random() < 0.5 else 'L' + c)
        f.write(json.dumps({'id': g['id'], 'cluster': lab}) + '\n')
        if r > 0.98:                          # repeated id: the last label wins
            f.write(json.dumps({'id': g['id'], 'cluster': 7}) + '\n')
    for i in range(20):
        f.write(json.dumps({'id': 'extra%d' % i, 'cluster': i % 3}) + '\n')
with open(t + '/story.jsonl', 'w') as f, open(t + '/renamed.jsonl', 'w') as r:
    for l in open(t + '/cluster.jsonl'):
        o = json.loads(l)
        f.write(json.dumps({'id': o['id'], 'story': o['cluster']}) + '\n')
        r.write(json.dumps({'id': o['id'], 'cluster': o['cluster']}) + '\n')
with open(t + '/flags.jsonl', 'w') as f:
    seen = set()
    for l in open(t + '/cluster.jsonl'):
        o = json.loads(l)
        if rnd.random() < 0.03:
            continue
        f.write(json.dumps({'id': o['id'], 'duplicate': o['cluster'] in seen}) + '\n')
        seen.add(o['cluster'])
PY

# compare NAME PRED-FOR-DOPPEL PRED-FOR-PYTHON [doppel options...]
compare() {
  name=$1; dpred=$2; ppred=$3; shift 3
  if ! "$DOPPEL" eval --json "$@" "$dpred" "$T/gold.jsonl" > "$T/$name.doppel"; then
    echo "FAIL: $name: doppel eval failed" >&2; fail=1; return
  fi
  python3 "$TOOLS/score_pairs.py" "$T/gold.jsonl" "$ppred" --json > "$T/$name.py" || { fail=1; return; }
  if grep -q cluster "$ppred"; then
    python3 "$TOOLS/bcubed.py" "$T/gold.jsonl" "$ppred" > "$T/$name.bcubed" || { fail=1; return; }
  else
    : > "$T/$name.bcubed"
  fi
  python3 - "$T/$name.py" "$T/$name.doppel" "$T/$name.bcubed" "$name" <<'PY' || fail=1
import json, sys
want = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))
bc = open(sys.argv[3]).read().split()
name, bad = sys.argv[4], []
def same(k, a, b):
    if isinstance(a, dict):
        if not isinstance(b, dict) or set(a) != set(b):
            bad.append(k); return
        for kk in a: same(k + '.' + kk, a[kk], b[kk])
    elif isinstance(a, float) or isinstance(b, float):
        if abs(a - b) > 1e-9: bad.append('%s: %r != %r' % (k, a, b))
    elif a != b:
        bad.append('%s: %r != %r' % (k, a, b))
for k in want:
    if k not in got: bad.append('missing ' + k)
    else: same(k, want[k], got[k])
if bc:
    p, r, f = (float(x.split('=')[1]) for x in bc[1:4])
    for k, v in (('bcubed_precision', p), ('bcubed_recall', r), ('bcubed_f1', f)):
        if abs(round(got[k], 4) - v) > 1e-9: bad.append('%s: %r vs bcubed.py %r' % (k, got[k], v))
if bad:
    print('FAIL: %s: %s' % (name, '; '.join(bad[:10])), file=sys.stderr); sys.exit(1)
PY
}

compare cluster "$T/cluster.jsonl" "$T/cluster.jsonl"
compare perturbed "$T/perturbed.jsonl" "$T/perturbed.jsonl"
compare self "$T/gold.jsonl" "$T/gold.jsonl"
compare field "$T/story.jsonl" "$T/renamed.jsonl" --field story
compare flags "$T/flags.jsonl" "$T/flags.jsonl"

# The text form carries score_pairs.py's lines unchanged, plus bcubed.py's.
"$DOPPEL" eval "$T/perturbed.jsonl" "$T/gold.jsonl" > "$T/text.doppel" || fail=1
python3 "$TOOLS/score_pairs.py" "$T/gold.jsonl" "$T/perturbed.jsonl" > "$T/text.py"
python3 "$TOOLS/bcubed.py" "$T/gold.jsonl" "$T/perturbed.jsonl" >> "$T/text.py"
if ! sort "$T/text.doppel" | cmp -s - "$(sort "$T/text.py" > "$T/text.sorted"; echo "$T/text.sorted")"; then
  echo "FAIL: text output differs from score_pairs.py + bcubed.py" >&2
  diff "$T/text.py" "$T/text.doppel" | head -20 >&2
  fail=1
fi

[ $fail -eq 0 ] && echo "eval_agrees: doppel eval agrees with score_pairs.py and bcubed.py"
exit $fail
