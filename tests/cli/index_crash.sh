#!/bin/sh
# Crash safety of `doppel index add`: adds killed with SIGKILL at random
# moments leave an index that opens at its last committed add and exports
# exactly what a clean rebuild of the committed adds exports; a second
# writer fails with a clear message while one writes; readers work then.
# DOPPEL_CRASH_KILLS kills (default 12; 50 for the full form:
# DOPPEL_CRASH_KILLS=50 sh tests/cli/index_crash.sh build/doppel).
# The indexes keep stories (--level all): the story state and each
# document's story are written in the add's transaction, so the exports
# compared (with their story field) cover them too, and the adds after the
# kills continue the stories of the last committed add.
# usage: tests/cli/index_crash.sh path/to/doppel   (from the repository root)
set -u
DOPPEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
T=$(mktemp -d /tmp/doppel-crash-XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/harness"
KILLS=${DOPPEL_CRASH_KILLS:-12}
PARTS=6

"$DOPPEL" synth -q -n 3000 --seed 21 -o "$T/s.jsonl"
mkdir "$T/p"
split -n l/$PARTS -d "$T/s.jsonl" "$T/p/part"
set -- "$T"/p/part*

# The reference: the export after k committed adds, k = 0..PARTS.
"$DOPPEL" index create --level all "$T/ref"
"$DOPPEL" index export "$T/ref" -o "$T/ref.0"
k=0
ms=1
for f in "$@"; do
  k=$((k + 1))
  t0=$(date +%s%N)
  "$DOPPEL" index add -q "$T/ref" "$f" -o /dev/null
  t=$((($(date +%s%N) - t0) / 1000000))
  [ "$t" -gt "$ms" ] && ms=$t
  "$DOPPEL" index export "$T/ref" -o "$T/ref.$k"
done

batches() { "$DOPPEL" index stats "$1" | sed 's/.*"batches":\([0-9]*\).*/\1/'; }
# a random delay of 0 to 1.3 times the longest reference add, so that kills
# fall before, during and after the commit however fast the machine is
delay() { od -An -N2 -tu2 /dev/urandom | awk -v ms="$ms" '{printf "%.3f", ($1 % (ms * 13 / 10 + 1)) / 1000}'; }

kills=0
lost=0
while [ "$kills" -lt "$KILLS" ]; do
  rm -rf "$T/ix"
  "$DOPPEL" index create --level all "$T/ix"
  committed=0
  while [ "$committed" -lt "$PARTS" ] && [ "$kills" -lt "$KILLS" ]; do
    eval "f=\${$((committed + 1))}"
    "$DOPPEL" index add -q "$T/ix" "$f" -o /dev/null 2>/dev/null &
    pid=$!
    sleep "$(delay)"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    kills=$((kills + 1))
    b=$(batches "$T/ix")
    if [ "$b" != "$committed" ] && [ "$b" != $((committed + 1)) ]; then
      bad "kill $kills: $b adds committed, expected $committed or $((committed + 1))"
      break
    fi
    [ "$b" = "$committed" ] && lost=$((lost + 1))
    committed=$b
    "$DOPPEL" index export "$T/ix" -o "$T/ix.export" || { bad "kill $kills: export failed"; break; }
    if cmp -s "$T/ix.export" "$T/ref.$b"; then ok; else bad "kill $kills: export after $b adds differs from a clean rebuild"; break; fi
  done
done
# After the kills, the last index takes the remaining adds and matches the reference.
while [ "$committed" -lt "$PARTS" ]; do
  eval "f=\${$((committed + 1))}"
  "$DOPPEL" index add -q "$T/ix" "$f" -o /dev/null || bad "add after kills"
  committed=$((committed + 1))
done
"$DOPPEL" index export "$T/ix" -o "$T/ix.export"
if cmp -s "$T/ix.export" "$T/ref.$PARTS"; then ok; else bad "after kills: full export differs"; fi

# A second writer while one writes; readers meanwhile.
rm -rf "$T/w"
"$DOPPEL" index create "$T/w"
"$DOPPEL" index add -q --threads 1 "$T/w" "$T/s.jsonl" "$T/s.jsonl" -o /dev/null 2>/dev/null &
pid=$!
# until the first writer holds writer.lock (seen in /proc/locks, without
# touching the lock): starting a process can take longer than any fixed
# pause on a loaded machine
if [ -r /proc/locks ]; then
  i=0
  while [ "$i" -lt 200 ]; do
    ino=$(stat -c %i "$T/w/writer.lock" 2>/dev/null) && grep -q ":$ino " /proc/locks && break
    sleep 0.05; i=$((i + 1))
  done
else
  sleep 0.3
fi
expect_rc second-writer 1 "$DOPPEL" index add -q "$T/w" "$1"
has second-writer "another process is writing" "$T/second-writer.err"
expect_rc reader-export 0 "$DOPPEL" index export "$T/w"
expect_rc reader-query 0 "$DOPPEL" index query -q "$T/w" "$1"
expect_rc reader-stats 0 "$DOPPEL" index stats "$T/w"
wait "$pid" || bad "the first writer failed"
expect_rc after-writer 0 "$DOPPEL" index stats "$T/w"
has after-writer '"docs":6000,' "$T/after-writer.out"

echo "index_crash: $pass passed, $fail failed ($kills kills, $lost of them before the commit)"
[ "$fail" -eq 0 ]
