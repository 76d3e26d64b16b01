#!/bin/sh
# Stories in `doppel index` (create --level all): the same documents added
# in N adds give every document the story id `doppel cluster --level all
# --prefilter-miss 0 --story-state S` gives it run on the same N batches in
# turn; query names the indexed story a document would join (null: a new
# one); the header refuses other story options; expire keeps the stories of
# what remains. Crafted documents always; ../shared/data/uci-news-headlines-6k
# in 3 batches by date when ../shared and python3 are there (DOPPEL_SHARED
# names another shared directory).
# usage: tests/cli/index_story.sh path/to/doppel   (from the repository root)
set -u
DOPPEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SHARED=${DOPPEL_SHARED:-$(dirname "$0")/../../../shared}
T=$(mktemp -d /tmp/doppel-istory-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/harness"
# an earthquake told over two reports, a derby told twice (the day's first batch)
QUAKE=$(pwd)/tests/cli/data/quake-derby.jsonl

# "id story" per line, in order (export: docnum order = the adds' order)
stories() { sed -n 's/^{"id":\("[^"]*"\).*"story":\([0-9]*\)}$/\1 \2/p' "$1"; }

# same_as_batches NAME INDEX BATCH...: add the batches to a new index with
# stories, and compare each document's story with the batch runs'.
same_as_batches() {
  name=$1; ix=$2; shift 2
  "$DOPPEL" index create --level all --prefilter-miss 0 "$ix" || { bad "$name: create"; return; }
  rm -f "$T/$name.state" "$T/$name.batch"
  for b in "$@"; do
    "$DOPPEL" index add -q "$ix" "$b" -o /dev/null 2>/dev/null || bad "$name: add $b"
    "$DOPPEL" cluster -q --level all --prefilter-miss 0 --story-state "$T/$name.state" "$b" \
      2>/dev/null >> "$T/$name.batch" || bad "$name: cluster $b"
  done
  "$DOPPEL" index export "$ix" -o "$T/$name.export" || bad "$name: export"
  stories "$T/$name.export" > "$T/$name.s1"
  stories "$T/$name.batch" > "$T/$name.s2"
  n=$(wc -l < "$T/$name.s2")
  if [ "$n" -gt 0 ] && cmp -s "$T/$name.s1" "$T/$name.s2"; then ok
  else bad "$name: stories of the index differ from the batch runs ($n documents)"; diff "$T/$name.s1" "$T/$name.s2" | head -5 >&2; fi
  # the test means something only if some story continues across adds
  spans=$(awk '{print $2}' "$T/$name.s2" | sort | uniq -c | awk '$1 > 1' | wc -l)
  [ "$spans" -gt 0 ] || bad "$name: no story with two documents"
}

# ---- crafted: an earthquake told over two days, a derby, a rate decision ---------
cat > "$T/b2.jsonl" <<'EOF'
{"id":"e3","title":"Izmir earthquake death toll rises","text":"The death toll from the magnitude 6.1 earthquake in Izmir rose to 19 on Saturday, AFAD said, as rescuers pulled survivors from collapsed buildings in the Bayrakli district of western Turkey.","date":"2024-03-02T09:00:00Z"}
{"id":"e3b","title":"Izmir earthquake death toll rises","text":"The death toll from the magnitude 6.1 earthquake in Izmir rose to 19 on Saturday, AFAD said, as rescuers pulled survivors from collapsed buildings in the Bayrakli district of western Turkey. Reporting by a correspondent.","date":"2024-03-02T10:00:00Z"}
{"id":"g1","title":"Central bank holds rates","text":"The central bank kept its benchmark interest rate unchanged at 45 percent on Saturday, citing slowing inflation and a weaker lira, economists said.","date":"2024-03-02T11:00:00Z"}
{"id":"e2","title":"Izmir quake: rescuers search rubble","text":"Rescuers searched the rubble of collapsed buildings in Izmir after the 6.1 magnitude earthquake, AFAD said, as the death toll in western Turkey rose to 12. Bayrakli was the worst hit district.","date":"2024-03-01T12:00:00Z"}
EOF
same_as_batches crafted "$T/ix" "$QUAKE" "$T/b2.jsonl"
# the earthquake keeps its id across the adds; the derby and the rates differ
has crafted-e1 '"id":"e1".*"story":0}' "$T/crafted.export"
has crafted-e3 '"id":"e3".*"story":0}' "$T/crafted.export"
has crafted-f1 '"id":"f1".*"story":1}' "$T/crafted.export"
has crafted-g1 '"id":"g1".*"story":2}' "$T/crafted.export"

# add prints each document's story (the field of export and of `doppel
# cluster --level all`), known at the commit: the same ids as export
"$DOPPEL" index create --level all "$T/ixa"
expect_rc add-story1 0 "$DOPPEL" index add -q "$T/ixa" "$QUAKE"
expect_rc add-story2 0 "$DOPPEL" index add -q "$T/ixa" "$T/b2.jsonl"
has add-story '"id":"e3","docnum":4,"relations":\[.*\],"story":0}$' "$T/add-story2.out"
has add-story-new '"id":"g1","docnum":6,"relations":\[\],"story":[0-9]*}$' "$T/add-story2.out"
expect_rc add-story-export 0 "$DOPPEL" index export "$T/ixa"
idstory() { sed 's/^{"id":"\([^"]*\)".*"story":\([0-9]*\)}$/\1 \2/' "$@" | sort; }
idstory "$T/add-story1.out" "$T/add-story2.out" > "$T/add-story.pairs"
idstory "$T/add-story-export.out" > "$T/export-story.pairs"
if [ "$(wc -l < "$T/add-story.pairs")" -eq 8 ] && cmp -s "$T/add-story.pairs" "$T/export-story.pairs"; then ok
else bad "add: the stories printed differ from export's"; diff "$T/add-story.pairs" "$T/export-story.pairs" >&2; fi

# query: the indexed story a document would join, null for a new one
printf '{"id":"q1","text":"Aftershocks rattled Izmir on Sunday after the 6.1 magnitude earthquake that killed 19 people in western Turkey, AFAD said, and Bayrakli residents slept outside.","date":"2024-03-03"}\n' > "$T/q.jsonl"
printf '{"id":"q2","text":"Tennis star wins the open final in Melbourne after five sets against the defending champion."}\n' >> "$T/q.jsonl"
expect_rc query 0 "$DOPPEL" index query -q "$T/ix" "$T/q.jsonl"
has query-joins '"id":"q1","relations":\[\],"story":0}' "$T/query.out"
has query-new '"id":"q2","relations":\[\],"story":null}' "$T/query.out"
expect_rc query-stats 0 "$DOPPEL" index stats "$T/ix"
has query-nothing-added '"docs":8,' "$T/query-stats.out"
has format '"format":6,' "$T/query-stats.out"

# the header: story options are fixed; a copy-only index has no stories
expect_rc other-story 2 "$DOPPEL" index add "$T/ix" --story-threshold 0.7 "$T/b2.jsonl"
has other-story "created with story_threshold=0.55; this run asks for story_threshold=0.7" "$T/other-story.err"
expect_rc same-story 0 "$DOPPEL" index query -q "$T/ix" --story-threshold 0.55 --level all "$T/q.jsonl"
expect_rc state-refused 2 "$DOPPEL" index add "$T/ix" --story-state "$T/x.state" "$T/b2.jsonl"
has state-refused "keeps its own story state" "$T/state-refused.err"
"$DOPPEL" index create "$T/copyonly"
expect_rc no-stories 2 "$DOPPEL" index query "$T/copyonly" --level all "$T/q.jsonl"
has no-stories "keeps no stories" "$T/no-stories.err"
expect_rc copy-add 0 "$DOPPEL" index add -q "$T/copyonly" "$QUAKE" -o /dev/null
expect_rc copy-export 0 "$DOPPEL" index export "$T/copyonly"
hasnt copy-export '"story"' "$T/copy-export.out"

# expire: the remaining documents keep their stories
expect_rc expire 0 "$DOPPEL" index expire "$T/ix" --before 2024-03-02
expect_rc after-expire 0 "$DOPPEL" index export "$T/ix"
has after-expire-e3 '"id":"e3".*"story":0}' "$T/after-expire.out"
hasnt after-expire-e1 '"id":"e1"' "$T/after-expire.out"

# ---- the headlines in 3 batches by date ---------------------------------------------------
H="$SHARED/data/uci-news-headlines-6k/docs.jsonl"
if [ -f "$H" ] && [ -x /usr/bin/python3 ]; then
  /usr/bin/python3 - "$H" "$T" <<'EOF'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
docs.sort(key=lambda d: (int(d["date"]), d["id"]))
k = (len(docs) + 2) // 3
for b in range(3):
    with open("%s/h%d.jsonl" % (sys.argv[2], b + 1), "w") as f:
        for d in docs[b * k:(b + 1) * k]:
            f.write(json.dumps(d) + "\n")
EOF
  same_as_batches headlines "$T/hx" "$T/h1.jsonl" "$T/h2.jsonl" "$T/h3.jsonl"
else
  echo "index_story: $H or /usr/bin/python3 absent: the headlines part skipped"
fi

echo "index_story: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
