#!/bin/sh
# `doppel serve`: usage errors, then the load and hostility test on
# 127.0.0.1 (tests/cli/serve_hostile.py; DOPPEL_SERVE_FULL=1 for the longer
# form), bounded in time.
# usage: tests/cli/serve_cli.sh path/to/doppel   (from the repository root)
set -u
DOPPEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
T=$(mktemp -d /tmp/doppel-serve-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/harness"

expect_rc help 0 "$DOPPEL" serve --help
has help "usage: doppel serve" "$T/help.out"
expect_rc no-listen 2 "$DOPPEL" serve "$T/ix"
expect_rc bad-listen 2 "$DOPPEL" serve "$T/ix" --listen nowhere
expect_rc not-index 1 "$DOPPEL" serve "$T/ix" --listen 127.0.0.1:0
"$DOPPEL" synth -q -n 1000 --seed 7 -o "$T/s.jsonl"
"$DOPPEL" index create "$T/ix"
"$DOPPEL" index add -q "$T/ix" "$T/s.jsonl" -o /dev/null
FULL=""
[ "${DOPPEL_SERVE_FULL:-0}" = 1 ] && FULL=--full
if timeout 180 /usr/bin/python3 "$(dirname "$0")/serve_hostile.py" "$DOPPEL" "$T/ix" "$T/s.jsonl" $FULL; then ok
else bad "serve_hostile.py failed"; fi
# The example client of docs/api.md, run as written against a live server.
DOCS=$(dirname "$0")/../../docs/api.md
if [ -f "$DOCS" ]; then
  awk '/^## Example client/{on=1} on&&/^```python/{grab=1;next} grab&&/^```/{exit} grab{print}' "$DOCS" > "$T/client.py"
  "$DOPPEL" serve "$T/ix" --listen 127.0.0.1:0 2> "$T/serve.err" &
  spid=$!
  for _ in 1 2 3 4 5 6 7 8 9 10; do grep -q listening "$T/serve.err" && break; sleep 0.2; done
  port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$T/serve.err")
  text=$(head -1 "$T/s.jsonl" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["text"])')
  expect_rc docs-client 0 timeout 20 /usr/bin/python3 "$T/client.py" "$port" "$text"
  has docs-client "^probe exact 1.0 s000000 " "$T/docs-client.out"
  kill -TERM "$spid"; wait "$spid" || bad "serve exit status after SIGTERM"
fi
echo "serve_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
