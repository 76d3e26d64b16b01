#!/bin/sh
# CLI tests of inputs and accounting (issue 18): several INPUTs, directories
# of JSONL shards in every compression, format by extension then content,
# BOM and CRLF, JSON arrays, CSV/TSV, Parquet refused, ids by position,
# the wrong text field named, dotted fields, runs that read nothing, dedup
# passing through what it cannot compare, --removed and --rejects; every
# run checks read = kept + removed + skipped + passed.
# usage: tests/cli/inputs_cli.sh path/to/doppel   (run from the repository root)
set -u
DOPPEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(pwd)
SMALL=$ROOT/tests/cli/data/small.jsonl
SHARED=$ROOT/../shared
T=$(mktemp -d /tmp/doppel-inputs-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/harness"

# same NAME FILE: FILE lists the same documents and clusters as the reference run
same() { if cmp -s "$T/ref.out" "$2"; then ok; else bad "$1: differs from the single-file run"; diff "$T/ref.out" "$2" | head -5 >&2; fi; }
cd "$T" || exit 1

"$DOPPEL" cluster --quiet "$SMALL" > ref.out 2>/dev/null

# ---- a directory of JSONL shards, each compressed its own way ---------------------------
mkdir shards
head -3 "$SMALL" | gzip > shards/part-0000.jsonl.gz
sed -n 4,5p "$SMALL" | bzip2 > shards/part-0001.jsonl.bz2
sed -n 6p "$SMALL" | xz > shards/part-0002.jsonl.xz
sed -n '7,$p' "$SMALL" | zstd -q > shards/part-0003.jsonl.zst
expect_rc shards 0 "$DOPPEL" cluster -q shards --summary shards.json
same shards shards.out
acct shards read=7 kept=3
# several inputs: the same as one file holding them all
head -3 "$SMALL" > x.jsonl; sed -n '4,$p' "$SMALL" > y.ndjson
expect_rc multi 0 "$DOPPEL" cluster -q x.jsonl y.ndjson
same multi multi.out
expect_rc multi-stdin 0 sh -c "cat y.ndjson | '$DOPPEL' cluster -q x.jsonl -"
same multi-stdin multi-stdin.out
expect_rc stdin-twice 2 "$DOPPEL" cluster - -
has stdin-twice-msg "standard input (-) given twice" stdin-twice.err
# a mixed directory: JSONL records and text files, each by its kind
mkdir mixed; cp x.jsonl mixed/; printf 'a note of a few words\n' > mixed/note.txt
expect_rc mixed 0 "$DOPPEL" cluster -q mixed --summary mixed.json
has mixed-ids '"id":"note.txt"' mixed.out
has mixed-recs '"id":"orig"' mixed.out
acct mixed read=4
# one id space: a record id repeated in two inputs is the duplicate-id warning
expect_rc dupids 0 "$DOPPEL" cluster "$SMALL" x.jsonl --summary dupids.json
has dupids-msg "duplicate id 'orig'" dupids.err
acct dupids read=10 duplicate_ids=3

# ---- format by extension, then content; BOM and CRLF ---------------------------------
{ printf '\357\273\277'; sed 's/$/\r/' "$SMALL"; } > bom.jsonl
expect_rc bom 0 "$DOPPEL" cluster -q bom.jsonl
same bom bom.out
# a .jsonl whose first line is broken is still JSONL: one bad line, the rest read
{ echo '{"id": broken'; cat "$SMALL"; } > firstbad.jsonl
expect_rc firstbad 0 "$DOPPEL" cluster -q firstbad.jsonl --summary firstbad.json
acct firstbad read=8 skipped_json=1 kept=3
# a JSON array (pretty-printed) is read as records; dedup writes one line each
/usr/bin/python3 -c "import json,sys; json.dump([json.loads(l) for l in open(sys.argv[1])], open('arr.json','w'), indent=2)" "$SMALL"
expect_rc array 0 "$DOPPEL" cluster -q arr.json
same array array.out
expect_rc array-dedup 0 "$DOPPEL" dedup -q arr.json -o arr-dedup.jsonl
if [ "$(wc -l < arr-dedup.jsonl)" -eq 3 ] && /usr/bin/python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" arr-dedup.jsonl; then ok; else bad "array-dedup: not 3 JSON lines"; fi
# a stray '}' between elements is one malformed element, not read again forever
printf '[{"id":"a","text":"x y z"}, }, {"id":"b","text":"x y z"}]' > stray.json
expect_rc stray-brace 0 timeout 60 "$DOPPEL" cluster -q stray.json --summary stray-brace.json
acct stray-brace read=3 kept=1 removed=1 skipped_json=1
# CSV with a header row, quoted fields holding commas, quotes and newlines
/usr/bin/python3 - "$SMALL" <<'PY'
import csv, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
for name, delim in (("t.csv", ","), ("t.tsv", "\t")):
    with open(name, "w", newline="") as f:
        w = csv.writer(f, delimiter=delim)
        w.writerow(["id", "body", "url"])
        for r in recs:
            w.writerow([r["id"], r["text"], 'http://x/"q",y'])
PY
expect_rc csv 0 "$DOPPEL" cluster -q --text-field body t.csv
same csv csv.out
expect_rc tsv 0 "$DOPPEL" cluster -q --text-field body --format tsv t.tsv
same tsv tsv.out
expect_rc csv-dedup 0 "$DOPPEL" dedup -q --text-field body t.csv -o csv-dedup.jsonl
has csv-dedup-row '"url":"http://x/\\"q\\",y"' csv-dedup.jsonl
# Parquet: refused with how to convert; a run that reads no document exits 1
printf 'PAR1 not really parquet PAR1' > d.parquet
expect_rc parquet 1 "$DOPPEL" cluster d.parquet --summary parquet.json
has parquet-msg "Parquet is not read by doppel" parquet.err
has parquet-how "convert it to JSONL" parquet.err
has parquet-none "no document read" parquet.err
acct parquet read=1 skipped_binary=1
# a file that is not JSON at all under a JSON name: every line malformed, exit 1
printf 'not json\nat all\n' > junk.jsonl
expect_rc junk 1 "$DOPPEL" cluster junk.jsonl --summary junk.json
acct junk read=2 skipped_json=2
# an empty directory reads nothing: exit 1
mkdir empty
expect_rc emptydir 1 "$DOPPEL" cluster empty
has emptydir-msg "no document read" emptydir.err

# ---- fields -------------------------------------------------------------------------------
# no id field: the position is the id, said once
sed 's/"id": *"[^"]*", *//' "$SMALL" > noid.jsonl
expect_rc noid 0 "$DOPPEL" cluster noid.jsonl --summary noid.json
has noid-id '"id":"noid.jsonl:1"' noid.out
if [ "$(grep -c 'named by its position' noid.err)" -eq 1 ]; then ok; else bad "noid: the position warning is not said exactly once"; fi
acct noid read=7 kept=3
# the text under another name: stop after the sample, name the fields
sed 's/"text":/"content":/' "$SMALL" > content.jsonl
expect_rc content 1 "$DOPPEL" cluster content.jsonl -o content-result.jsonl
has content-msg 'records have id, title, date, source, content: use --text-field content' content.err
if [ -e content-result.jsonl ]; then bad "content: output written"; else ok; fi
# nested: a dotted path
sed 's/"text": *\("[^"]*"\)/"meta": {"body": \1}/' "$SMALL" > nested.jsonl
expect_rc nested-hint 1 "$DOPPEL" cluster nested.jsonl
has nested-hint-msg 'use --text-field meta.body' nested-hint.err
expect_rc nested 0 "$DOPPEL" cluster -q --text-field meta.body nested.jsonl
same nested nested.out
# a few records without text among many: warnings, not a stop
{ cat "$SMALL"; echo '{"id":"x1","body":"b"}'; } > fewbad.jsonl
expect_rc fewbad 0 "$DOPPEL" cluster fewbad.jsonl --summary fewbad.json
acct fewbad read=8 skipped_field=1

# ---- dedup removes copies only -----------------------------------------------------------
{ cat "$SMALL"; echo '{"id":"chrome","text":"... !!! ---"}'; echo '{"id":"blank","text":"  "}'; } > pass.jsonl
expect_rc pass 0 "$DOPPEL" dedup pass.jsonl -o pass-out.jsonl --summary pass.json --removed removed.jsonl
acct pass read=9 kept=3 removed=4 passed=2
has pass-chrome '"id":"chrome"' pass-out.jsonl
has pass-blank '"id":"blank"' pass-out.jsonl
if [ "$(wc -l < pass-out.jsonl)" -eq 5 ]; then ok; else bad "pass: output is not kept + passed lines"; fi
if [ "$(wc -l < removed.jsonl)" -eq 4 ]; then ok; else bad "pass: --removed is not one line per removed record"; fi
has removed-line '{"id":"wrapped","canonical":"orig","relation":"near","score":0.9451}' removed.jsonl  # the copy with the most shared text is kept
expect_rc drop 0 "$DOPPEL" dedup pass.jsonl --drop-uncompared -o drop-out.jsonl --summary drop.json
acct drop read=9 kept=3 passed=0 skipped_empty=2
if [ "$(wc -l < drop-out.jsonl)" -eq 3 ]; then ok; else bad "drop: uncompared records written"; fi
# --rejects: the malformed lines as read
expect_rc rejects 0 "$DOPPEL" dedup firstbad.jsonl -o /dev/null --rejects rejects.jsonl
if [ "$(cat rejects.jsonl)" = '{"id": broken' ]; then ok; else bad "rejects: not the malformed line"; fi
# -q: no per-record warnings, but the counts
expect_rc quiet 0 "$DOPPEL" dedup -q pass.jsonl -o /dev/null
hasnt quiet-warn "warning" quiet.err
has quiet-counts "9 documents read: 3 kept, 4 removed" quiet.err

# ---- a real corpus: every record accounted for -------------------------------------------
if [ -f "$SHARED/data/reuters21578/docs.jsonl" ]; then
  expect_rc reuters 0 "$DOPPEL" dedup -q "$SHARED/data/reuters21578/docs.jsonl" -o reuters.jsonl --summary reuters.json --removed reuters-removed.jsonl
  acct reuters read=21578 skipped=0
  k=$(num kept reuters.json); p=$(num passed reuters.json); m=$(num removed reuters.json)
  if [ "$(wc -l < reuters.jsonl)" -eq $((k + p)) ] && [ "$(wc -l < reuters-removed.jsonl)" -eq "$m" ]; then ok; else bad "reuters: output lines != kept + passed, or removed lines != removed"; fi
  if [ "$p" -gt 0 ]; then ok; else bad "reuters: nothing passed through (expected the all-boilerplate stubs)"; fi
else
  echo "note: ../shared/data/reuters21578 not found; corpus accounting skipped" >&2
fi

echo "inputs cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
