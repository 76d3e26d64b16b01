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
# an earthquake told over two reports, a derby told twice (the day's first batch)
QUAKE=$(pwd)/tests/cli/data/quake-derby.jsonl

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
# Stories: /v1/check names the indexed story a document would join (null:
# a new one), /v1/add the story given, /v1/doc the document's story.
"$DOPPEL" index create --level all "$T/sx"
"$DOPPEL" index add -q "$T/sx" "$QUAKE" -o /dev/null
"$DOPPEL" serve "$T/sx" --listen 127.0.0.1:0 2> "$T/sserve.err" &
spid=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do grep -q listening "$T/sserve.err" && break; sleep 0.2; done
port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$T/sserve.err")
cat > "$T/story_client.py" <<'EOF'
import json, sys, urllib.request
base = "http://127.0.0.1:%s" % sys.argv[1]
def call(path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(base + path, data=data), timeout=10) as r:
        return json.load(r)
quake = {"text": "Aftershocks rattled Izmir on Sunday after the 6.1 magnitude earthquake that killed "
                 "19 people in western Turkey, AFAD said, and Bayrakli residents slept outside.",
         "date": "2024-03-02"}
other = {"text": "Tennis star wins the open final in Melbourne after five sets against the champion."}
c = call("/v1/check", [quake, other])
print("check", c[0]["story"], c[1]["story"])
a = call("/v1/add", dict(quake, id="e3"))
print("add", a["story"])
print("doc", call("/v1/doc/e3")["story"], call("/v1/doc/f1")["story"])
EOF
expect_rc story-client 0 timeout 20 /usr/bin/python3 "$T/story_client.py" "$port"
has story-check "^check 0 None$" "$T/story-client.out"
has story-add "^add 0$" "$T/story-client.out"
has story-doc "^doc 0 1$" "$T/story-client.out"
kill -TERM "$spid"; wait "$spid" || bad "serve (stories) exit status after SIGTERM"
echo "serve_cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
