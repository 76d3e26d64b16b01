#!/bin/sh
# CLI tests: golden outputs, determinism, bad input, exit codes, atomic output.
# usage: tests/cli/run.sh path/to/doppel   (run from the repository root)
# Set UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change.
set -u
DOPPEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(pwd)
DATA=$ROOT/tests/cli/data
GOLD=$ROOT/tests/cli/golden
SHARED=$ROOT/../shared
T=$(mktemp -d /tmp/doppel-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT

. "$(dirname "$0")/harness"

# golden NAME FILE: FILE must equal tests/cli/golden/NAME
golden() {
  if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then cp "$2" "$GOLD/$1"; ok; return; fi
  if cmp -s "$2" "$GOLD/$1"; then ok; else bad "$1 differs from golden"; diff "$GOLD/$1" "$2" | head -20 >&2; fi
}

# has NAME PATTERN FILE: grep -q

cd "$DATA" || exit 1

# ---- golden outputs on a crafted corpus -----------------------------------------
expect_rc cluster 0 "$DOPPEL" cluster --quiet small.jsonl
golden cluster.jsonl "$T/cluster.out"
expect_rc pairs 0 "$DOPPEL" pairs --quiet small.jsonl
golden pairs.jsonl "$T/pairs.out"
expect_rc dedup 0 "$DOPPEL" dedup small.jsonl -o "$T/dedup.jsonl" --summary "$T/summary.json"
golden dedup.jsonl "$T/dedup.jsonl"
# machine-dependent: times, heap, and the defaults taken from the machine
sed -e 's/,"seconds":[0-9.]*//' -e 's/,"heap_peak_bytes":[0-9]*//' -e 's/"timings":{[^}]*},//' \
    -e 's/,"threads":[0-9]*//' -e 's/,"memory_limit":[0-9]*//' "$T/summary.json" > "$T/summary.stable"
golden dedup-summary.json "$T/summary.stable"
has dedup-stderr "7 documents read: 3 kept, 4 removed" "$T/dedup.err"
expect_rc compare 0 "$DOPPEL" compare a.txt b.txt
golden compare.txt "$T/compare.out"
expect_rc compare-json 0 "$DOPPEL" compare --json a.txt b.txt
has compare-json '"relation":"contained"' "$T/compare-json.out"

# ---- determinism and input forms give identical results ---------------------------
expect_rc again 0 "$DOPPEL" cluster --quiet small.jsonl
golden cluster.jsonl "$T/again.out"
expect_rc stdin 0 sh -c "cat small.jsonl | '$DOPPEL' cluster --quiet -"
golden cluster.jsonl "$T/stdin.out"
gzip -c small.jsonl > "$T/small.jsonl.gz"
expect_rc gzip 0 "$DOPPEL" cluster --quiet "$T/small.jsonl.gz"
golden cluster.jsonl "$T/gzip.out"
zstd -q -c small.jsonl > "$T/small.zst"
expect_rc zstd 0 "$DOPPEL" cluster --quiet "$T/small.zst"
golden cluster.jsonl "$T/zstd.out"
expect_rc dedup-stdin 0 sh -c "cat small.jsonl | '$DOPPEL' dedup --quiet - -o '$T/dedup2.jsonl'"
golden dedup.jsonl "$T/dedup2.jsonl"
expect_rc corpus-boiler 0 sh -c "cat small.jsonl | '$DOPPEL' cluster --quiet --corpus-boilerplate -"
golden cluster.jsonl "$T/corpus-boiler.out"
expect_rc fast 0 "$DOPPEL" cluster --quiet --fast small.jsonl
has fast-edited '"id":"edited","cluster":0' "$T/fast.out"

# a larger corpus: identical output for 1, 2 and 4 threads
# DOPPEL_SYNTH_N: smaller under valgrind (make valgrind-test), where it dominates the time
"$DOPPEL" synth -n "${DOPPEL_SYNTH_N:-3000}" --seed 5 -o "$T/syn.jsonl" --quiet
for t in 1 2 4; do
  expect_rc "threads$t" 0 "$DOPPEL" cluster --quiet --threads $t --level all "$T/syn.jsonl" -o "$T/threads$t.jsonl"
done
if cmp -s "$T/threads1.jsonl" "$T/threads2.jsonl" && cmp -s "$T/threads1.jsonl" "$T/threads4.jsonl"; then ok; else bad "threads: output depends on the thread count"; fi

# ---- bad input: reported with file:line, skipped, counted -------------------------
expect_rc bad 0 "$DOPPEL" cluster bad.jsonl --summary "$T/bad.json"
has bad-json "bad.jsonl:3: malformed JSON" "$T/bad.err"
has bad-field "bad.jsonl:4: id 'notext': missing text field" "$T/bad.err"
has bad-empty "bad.jsonl:5: document 'empty' has no words" "$T/bad.err"
has bad-dup "bad.jsonl:6: duplicate id 'good1'" "$T/bad.err"
has bad-type "bad.jsonl:9: id 'numtext': non-string text field" "$T/bad.err"
has bad-count '"read":9,"kept":5,"removed":0' "$T/bad.json"
# the record with no words is not a copy of anything: passed through, not skipped
has bad-skipped '"passed":1,"skipped":3,"skipped_json":1,"skipped_field":2' "$T/bad.json"
has bad-utf8 '"invalid_utf8":3,"nul_bytes":1' "$T/bad.json"
has bad-out '"id":"badutf8"' "$T/bad.out"
expect_rc strict 1 "$DOPPEL" cluster --strict bad.jsonl -o "$T/strict-result.jsonl"
has strict-msg "under --strict" "$T/strict.err"
if [ -e "$T/strict-result.jsonl" ] || ls -a "$T" | grep -q doppel-tmp; then bad "strict: output left behind"; else ok; fi
expect_rc missing 1 "$DOPPEL" cluster no-such-file.jsonl
has missing-msg "no-such-file.jsonl" "$T/missing.err"
mkdir -p "$T/tree/sub"
cp a.txt "$T/tree/"; cp b.txt "$T/tree/sub/"
ln -s "$T/nowhere" "$T/tree/dangling"
printf '' > "$T/tree/empty.txt"
expect_rc tree 0 "$DOPPEL" cluster "$T/tree"
has tree-dangling "dangling" "$T/tree.err"
has tree-empty "empty.txt" "$T/tree.err"
has tree-ids '"id":"sub/b.txt","cluster":0,"canonical":"a.txt","relation":"contained"' "$T/tree.out"
expect_rc devnull 0 "$DOPPEL" cluster --quiet small.jsonl -o /dev/null
if [ -c /dev/null ]; then ok; else bad "devnull: /dev/null is no longer a device"; fi
expect_rc outdir 1 "$DOPPEL" cluster small.jsonl -o "$T/no/such/dir/out.jsonl"
expect_rc bigline 0 "$DOPPEL" cluster --max-doc-bytes 1K small.jsonl --summary "$T/big.json"
has bigline-count '"skipped_too_large":' "$T/big.json"
has bigline-msg "small.jsonl:1: line longer than 1 KiB" "$T/bigline.err"

# ---- story level: every document gets a story; copies share one -------------------
expect_rc level-all 0 "$DOPPEL" cluster --quiet --level all small.jsonl
has level-all-cols '"id":"teaser","cluster":0,"canonical":"orig","relation":"contained","score":0.9014,"cluster_size":5,"story":' "$T/level-all.out"
if [ "$(grep -c '"story":' "$T/level-all.out")" -eq 7 ]; then ok; else bad "level-all: not every line has a story"; fi
# copies of one text are in one story: the story of every cluster-0 document is the same
if [ "$(grep '"cluster":0,' "$T/level-all.out" | sed 's/.*"story":\([0-9]*\).*/\1/' | sort -u | wc -l)" -eq 1 ]; then ok; else bad "level-all: a copy cluster split across stories"; fi
expect_rc level-story 0 "$DOPPEL" cluster --quiet --level story small.jsonl
hasnt level-story-cols '"canonical"' "$T/level-story.out"
expect_rc stories 0 "$DOPPEL" stories --quiet small.jsonl
has stories-fields '"story":[0-9]*,"size":[0-9]*,"first_date":"2024-02-' "$T/stories.out"
if [ "$(grep -o '"[a-z-]*"\]*[],]' "$T/stories.out" | grep -c -E 'orig|other|exact-copy|edited|teaser|wrapped|audit')" -ge 7 ]; then ok; else bad "stories: members missing"; fi
# terms are printed as the words written, not as stems ("bridg", "everi")
has stories-words '"terms":\["lindenfeld","bridge","council","need","supports","every",' "$T/stories.out"
hasnt stories-stems '"bridg"' "$T/stories.out"
expect_rc stories-again 0 "$DOPPEL" stories --quiet --threads 1 small.jsonl
if cmp -s "$T/stories.out" "$T/stories-again.out"; then ok; else bad "stories: output depends on threads"; fi

# ---- usage ----------------------------------------------------------------------------
for c in cluster dedup pairs compare stories; do
  expect_rc "help-$c" 0 "$DOPPEL" "$c" --help
  has "help-$c-text" "usage: doppel $c" "$T/help-$c.out"
done
expect_rc usage-none 2 "$DOPPEL"
expect_rc usage-cmd 2 "$DOPPEL" frobnicate
expect_rc usage-opt 2 "$DOPPEL" cluster --no-such-option small.jsonl
expect_rc usage-thr 2 "$DOPPEL" cluster --threshold 1.7 small.jsonl
has usage-thr-msg "threshold" "$T/usage-thr.err"
expect_rc usage-shape 2 "$DOPPEL" cluster --bands 100 --rows 2 small.jsonl
expect_rc usage-story-thr 2 "$DOPPEL" cluster --level story --story-threshold 0 small.jsonl
has usage-story-thr-msg "story-threshold" "$T/usage-story-thr.err"
expect_rc usage-story-exp 2 "$DOPPEL" cluster --level story --story-expansion -1 small.jsonl
# the story options reach the clusterer: a threshold of 1 keeps every copy
# cluster a story of its own, and the unexpanded single pass still runs
expect_rc story-strict 0 "$DOPPEL" cluster --quiet --level all --story-threshold 1 --story-short-threshold 1 small.jsonl
if [ "$(sed 's/.*"cluster":\([0-9]*\).*"story":\([0-9]*\).*/\1 \2/' "$T/story-strict.out" | sort -u | cut -d' ' -f2 | sort | uniq -d | wc -l)" -eq 0 ]; then ok; else bad "story-strict: two copy clusters share a story at threshold 1"; fi
expect_rc story-online 0 "$DOPPEL" cluster --quiet --level story --story-online --story-expansion 0 --story-threshold 0.22 --story-window 0 small.jsonl
if [ "$(grep -c '"story":[0-9]' "$T/story-online.out")" -eq "$(grep -c . small.jsonl)" ]; then ok; else bad "story-online: not one story per document"; fi
expect_rc usage-input 2 "$DOPPEL" cluster

# ---- the seeds: 001 is a contained copy of 000, nothing else is a copy or rewrite -----
if [ -d "$SHARED/seeds" ]; then
  expect_rc seeds 0 "$DOPPEL" pairs --quiet "$SHARED/seeds"
  has seeds-pair '"a":"000_4adb271ceee41ce7.txt","b":"001_41f57d25ee37ccdd.txt".*"relation":"contained"' "$T/seeds.out"
  # 003 (a content-farm rewrite) borrows one sentence of 000: partial at most
  if [ "$(grep -c '"relation":"\(exact\|near\|contained\|derived\)"' "$T/seeds.out")" -eq 1 ]; then ok
  else bad "seeds: expected exactly one copy or derived pair"; fi
else
  echo "note: ../shared/seeds not found; seed checks skipped" >&2
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
