#!/bin/sh
# `doppel extract`: JSONL per document, --explain, formats, bad input, exit codes.
# usage: tests/cli/extract_cli.sh path/to/doppel   (from the repository root)
set -u
DOPPEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
ROOT=$(pwd)
T=$(mktemp -d /tmp/doppel-extract-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/harness"

# A directory: one line per file (pages and their labels), ids are file names.
expect_rc dir 0 "$DOPPEL" extract "$ROOT/tests/data/extract"
n=$(grep -c '^{"id":' "$T/dir.out")
pages=$(ls "$ROOT/tests/data/extract" | wc -l)
if [ "$n" -eq "$pages" ]; then ok; else bad "dir: $n lines for $pages pages"; fi
has dir-title '"id":"bridge-web.html","title":"Harbour bridge reopens after two years of repairs"' "$T/dir.out"
has dir-date '"id":"library.md","title":"Library keeps its doors open until nine","date":"2024-03-10"' "$T/dir.out"
# The pages' chrome is gone (make_pages.py, which writes that chrome, is a
# document of the directory too and keeps it: there it is code, not a prompt).
grep -- '-web.html"' "$T/dir.out" > "$T/pages.out"
hasnt dir-chrome 'Subscribe now for just one pound' "$T/pages.out"
hasnt dir-explain '"dropped"' "$T/dir.out"

# --explain: dropped lines with reasons.
expect_rc explain 0 "$DOPPEL" extract --explain "$ROOT/tests/data/extract/rail.txt"
has explain-teaser '{"line":12,"reason":"teaser","text":"Related stories"}' "$T/explain.out"
has explain-prompt '"reason":"prompt","text":"Leave a comment"' "$T/explain.out"

# JSONL input: the text field holds HTML; title falls back to the record's.
printf '%s\n' '{"id":"a","title":"Record title","text":"<html><body><nav>Home News</nav><p>The harbour master said on Friday that the new pier would be finished before the summer, and that boats could moor there from June.</p></body></html>"}' \
  '{"id":"b","text":"Home | News | Sport\n\nSubscribe now"}' > "$T/in.jsonl"
expect_rc jsonl 0 "$DOPPEL" extract "$T/in.jsonl"
has jsonl-html '"id":"a","title":"Record title","date":null,"text":"The harbour master said' "$T/jsonl.out"
hasnt jsonl-nav 'Home News' "$T/jsonl.out"
has jsonl-empty '"id":"b",.*"text":"","empty":true' "$T/jsonl.out"
has jsonl-empty-reported 'b: empty after extraction' "$T/jsonl.err"

# --format and --no-boilerplate.
expect_rc forced 0 "$DOPPEL" extract --format text --no-boilerplate "$ROOT/tests/data/extract/library.md"
has forced-raw '\[Home\](/)' "$T/forced.out"

# Binary input: reported, not fatal unless --strict; output stays valid.
head -c 4096 /dev/zero > "$T/zeros.bin"
expect_rc binary 0 "$DOPPEL" extract "$T/zeros.bin"
expect_rc binary-strict 1 "$DOPPEL" extract --strict "$T/zeros.bin"

# Usage errors.
expect_rc usage 2 "$DOPPEL" extract
expect_rc badformat 2 "$DOPPEL" extract --format pdf "$T/in.jsonl"
expect_rc help 0 "$DOPPEL" extract --help
has help-text 'usage: doppel extract' "$T/help.out"

# -o writes the file whole.
expect_rc out 0 "$DOPPEL" extract -o "$T/o.jsonl" "$T/in.jsonl"
if [ "$(wc -l < "$T/o.jsonl")" -eq 2 ]; then ok; else bad "out: expected 2 lines"; fi

# --threads: the same lines in input order for any thread count (more
# documents than one batch holds, so several batches run on the threads).
awk 'BEGIN { for (i = 0; i < 1300; i++) printf "{\"id\":\"d%d\",\"text\":\"<p>Story %d: the council said on Monday that the bridge would reopen in %d weeks after repairs to its deck.</p><nav>Home</nav>\"}\n", i, i, i % 7 + 2 }' > "$T/many.jsonl"
expect_rc threads1 0 "$DOPPEL" extract --threads 1 "$T/many.jsonl"
expect_rc threads3 0 "$DOPPEL" extract --threads 3 "$T/many.jsonl"
if cmp -s "$T/threads1.out" "$T/threads3.out" && [ "$(wc -l < "$T/threads3.out")" -eq 1300 ] &&
   [ "$(sed -n '1300p' "$T/threads3.out" | cut -c1-14)" = '{"id":"d1299",' ]; then ok
else bad "threads: --threads 3 differs from --threads 1 or is out of order"; fi
expect_rc threads0 2 "$DOPPEL" extract --threads 0 "$T/many.jsonl"

# An empty page says why.
printf '%s\n' '{"id":"blank","text":"<html><body><div> </div></body></html>"}' > "$T/blank.jsonl"
expect_rc blank 0 "$DOPPEL" extract "$T/blank.jsonl"
has blank-reason 'blank: empty after extraction (no text in the document)' "$T/blank.err"

# The seeds, when ../shared is there.
if [ -d "$ROOT/../shared/seeds" ]; then
  expect_rc seeds 0 "$DOPPEL" extract "$ROOT/../shared/seeds"
  has seeds-title '"id":"000_4adb271ceee41ce7.txt","title":"Russian foreign minister praises ties with North Korea","date":"2023-11-15T20:53:09.844Z"' "$T/seeds.out"
  hasnt seeds-teasers 'Godzilla' "$T/seeds.out"
fi

echo "extract cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
