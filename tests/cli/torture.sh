#!/bin/sh
# Torture suite: hostile inputs, generated here at test time (none is
# committed). For each: the exit code, the message naming file:line or id,
# and the accounting of the --summary JSON (read = kept + removed + skipped).
# usage: tests/cli/torture.sh path/to/doppel   (run from the repository root)
# DOPPEL_TORTURE=light (set by make asan-test) shrinks the big cases tenfold:
# the sanitizers make them slow and they test scale, not memory safety.
set -u
DOPPEL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
T=$(mktemp -d /tmp/doppel-torture-XXXXXX)
trap 'rm -rf "$T"' EXIT
LIGHT=0
[ "${DOPPEL_TORTURE:-}" = light ] && LIGHT=1
. "$(dirname "$0")/harness"

# run NAME WANTED-RC ARGS...: doppel ARGS with a summary in $T/NAME.json
run() {
  name=$1; want=$2; shift 2
  "$DOPPEL" "$@" --summary "$T/$name.json" >"$T/$name.out" 2>"$T/$name.err"
  rc=$?
  if [ "$rc" -eq "$want" ]; then ok; else bad "$name: exit $rc, wanted $want"; sed 's/^/    /' "$T/$name.err" | head -5 >&2; fi
}
# within NAME SECONDS START: wall-clock bound
within() {
  took=$(( $(date +%s) - $3 ))
  if [ "$took" -le "$2" ]; then ok; else bad "$1: took ${took}s, bound ${2}s"; fi
}
J=$T/j   # generated inputs
mkdir -p "$J"

# ---- 0-byte and 1-byte documents --------------------------------------------------
mkdir -p "$J/tiny"
: > "$J/tiny/empty.txt"
printf 'x' > "$J/tiny/one.txt"
printf '\n' > "$J/tiny/newline.txt"
run tiny 0 cluster "$J/tiny"
has tiny-msg "empty.txt" "$T/tiny.err"
acct tiny read=3 kept=1 passed=2 skipped_empty=0
printf '{"id":"e","text":""}\n{"id":"o","text":"a"}\n{"id":"o2","text":"a"}\n' > "$J/tiny.jsonl"
run tiny-jsonl 0 cluster "$J/tiny.jsonl"
has tiny-jsonl-msg "tiny.jsonl:1: document 'e' has no words" "$T/tiny-jsonl.err"
acct tiny-jsonl read=3 kept=1 removed_exact=1 passed=1 skipped_empty=0 short_docs=2

# ---- a 200 MB single line: skipped without being held (default --max-doc-bytes 64M) ------
BIG=200000000
[ "$LIGHT" = 1 ] && BIG=70000000
{ printf '{"id":"before","text":"a document before the big line"}\n{"id":"big","text":"'
  head -c "$BIG" /dev/zero | tr '\0' 'a'
  printf '"}\n{"id":"after","text":"a document after the big line"}\n'; } > "$J/big.jsonl"
# peak RSS from GNU time (Debian package "time", installed by scripts/install-deps.sh)
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "note: /usr/bin/time missing; peak RSS not checked" >&2; TIME=""; }
${TIME:+$TIME -f %M -o "$T/big.rss"} "$DOPPEL" cluster "$J/big.jsonl" --summary "$T/big.json" \
  >"$T/big.out" 2>"$T/big.err"
rc=$?; if [ "$rc" -eq 0 ]; then ok; else bad "big: exit $rc"; fi
has big-msg "big.jsonl:2: line longer than 64 MiB, skipped" "$T/big.err"
acct big read=3 kept=2 skipped_too_large=1
if [ -n "$TIME" ]; then
  rss=$(tail -1 "$T/big.rss")
  if [ "$rss" -lt 300000 ]; then ok; else bad "big: peak RSS ${rss} KB, bound 300000 KB"; fi
fi
rm -f "$J/big.jsonl"
# the same line as a whole text file (a directory of one document)
mkdir -p "$J/bigdir"
head -c "$BIG" /dev/zero | tr '\0' 'b' > "$J/bigdir/big.txt"
run bigfile 1 cluster "$J/bigdir"
has bigfile-msg "big.txt: $BIG bytes, larger than 64 MiB, skipped" "$T/bigfile.err"
acct bigfile read=1 kept=0 skipped_too_large=1
rm -rf "$J/bigdir"

# ---- NUL bytes, overlong and surrogate UTF-8 ----------------------------------------
printf '{"id":"nul","text":"before\\u0000after and more"}\n' > "$J/nul.jsonl"
printf '{"id":"raw","text":"raw\0byte"}\n' >> "$J/nul.jsonl"
run nul 0 cluster "$J/nul.jsonl"
has nul-msg "nul.jsonl:2: malformed JSON" "$T/nul.err"
acct nul read=2 kept=1 skipped_json=1 nul_bytes=1
mkdir -p "$J/nuldir"
printf 'text with a\0NUL byte inside' > "$J/nuldir/n.txt"
run nulfile 0 cluster "$J/nuldir"
acct nulfile read=1 kept=1 nul_bytes=1
# C0 AF: overlong "/"; ED A0 80: a UTF-16 surrogate; F8: never UTF-8; E2 82: cut short
printf '{"id":"bad","text":"over\300\257long sur\355\240\200rogate \370\210\200\200\200 cut\342\202"}\n' > "$J/utf8.jsonl"
run utf8 0 cluster "$J/utf8.jsonl"
acct utf8 read=1 kept=1 skipped=0
if [ "$(num invalid_utf8 "$T/utf8.json")" -ge 4 ]; then ok; else bad "utf8: invalid_utf8 < 4"; fi
has utf8-out '"id":"bad"' "$T/utf8.out"

# ---- right-to-left text and combining marks: one text, two Unicode forms ----------------
# Hebrew and Arabic with directional marks; e + U+0301 vs precomposed U+00E9
printf '{"id":"rtl1","text":"\327\251\327\234\327\225\327\235 \331\205\330\261\330\255\330\250\330\247 caf\303\251 na\303\257ve r\303\251sum\303\251 \342\200\217mark\342\200\216"}\n' > "$J/rtl.jsonl"
printf '{"id":"rtl2","text":"\327\251\327\234\327\225\327\235 \331\205\330\261\330\255\330\250\330\247 cafe\314\201 nai\314\210ve re\314\201sume\314\201 mark"}\n' >> "$J/rtl.jsonl"
printf '{"id":"marks","text":"a\314\200\314\201\314\202\314\203\314\204\314\205\314\206\314\207\314\210 \314\201\314\201 o\314\270"}\n' >> "$J/rtl.jsonl"
run rtl 0 cluster "$J/rtl.jsonl"
has rtl-same '"id":"rtl2","cluster":0,"canonical":"rtl1","relation":"exact"' "$T/rtl.out"
acct rtl read=3 kept=2 removed_exact=1

# ---- deeply nested JSON --------------------------------------------------------------
python3 -c '
import sys
d = 100000
sys.stdout.write("{\"id\":\"deep\",\"x\":" + "[" * d + "]" * d + ",\"text\":\"too deep\"}\n")
d = 1000
sys.stdout.write("{\"id\":\"ok\",\"x\":" + "[" * d + "]" * d + ",\"text\":\"nested but fine\"}\n")
sys.stdout.write("{\"id\":\"objs\",\"x\":" + "{\"a\":" * d + "1" + "}" * d + ",\"text\":\"objects\"}\n")
' > "$J/deep.jsonl"
run deep 0 cluster "$J/deep.jsonl"
has deep-msg "deep.jsonl:1: malformed JSON" "$T/deep.err"
acct deep read=3 kept=2 skipped_json=1

# ---- truncated gzip and zstd streams: records before the cut are kept -------------------
i=0; while [ $i -lt 2000 ]; do echo "{\"id\":\"t$i\",\"text\":\"record number $i of a compressed file, with words $((i * 7919 % 10007))\"}"; i=$((i + 1)); done > "$J/stream.jsonl"
gzip -c "$J/stream.jsonl" > "$J/full.gz"
zstd -q -c "$J/stream.jsonl" > "$J/full.zst"
for z in gz zst; do
  size=$(wc -c < "$J/full.$z")
  head -c $((size * 2 / 3)) "$J/full.$z" > "$J/cut.$z"
  # zstd's first block is past the cut: no record at all, and a run that
  # reads no document exits 1
  want=0; [ "$z" = zst ] && want=1
  run "cut-$z" $want cluster "$J/cut.$z"
  has "cut-$z-msg" "cut.$z: truncated" "$T/cut-$z.err"
  acct "cut-$z" skipped_binary=1
  kept=$(num kept "$T/cut-$z.json")
  if [ "$kept" -lt 2000 ]; then ok; else bad "cut-$z: all records kept after a cut"; fi
  # gzip decodes up to the cut; zstd only whole blocks (128 KB), and this file has one
  if [ "$z" = zst ] || [ "$kept" -gt 0 ]; then ok; else bad "cut-$z: nothing kept before the cut"; fi
  run "cut-$z-strict" 1 cluster --strict "$J/cut.$z"
done
printf '\037\213garbage' > "$J/notgzip.gz"
run notgzip 1 cluster "$J/notgzip.gz"
acct notgzip kept=0

# ---- duplicate and empty ids ---------------------------------------------------------
printf '%s\n' '{"id":"same","text":"first text with its own words"}' \
  '{"id":"same","text":"second text, different words entirely"}' \
  '{"id":"","text":"an empty id"}' '{"text":"no id at all"}' '{"id":null,"text":"null id"}' > "$J/ids.jsonl"
run ids 0 cluster "$J/ids.jsonl"
has ids-dup "ids.jsonl:2: duplicate id 'same'" "$T/ids.err"
has ids-empty "ids.jsonl:3:" "$T/ids.err"
acct ids read=5 kept=3 duplicate_ids=1 skipped_field=2
has ids-position '"id":"ids.jsonl:4"\|ids.jsonl:4' "$T/ids.out"
run ids-strict 1 cluster --strict "$J/ids.jsonl"
has ids-strict-msg "duplicate id under --strict" "$T/ids-strict.err"

# ---- unreadable inputs: dangling symlink, FIFO, symlink loops, a directory named like a file
mkdir -p "$J/unread/named.txt"
echo "a file inside a directory named like a file" > "$J/unread/named.txt/inner"
echo "a readable document among unreadable ones" > "$J/unread/good.txt"
ln -s "$J/nowhere" "$J/unread/dangling.txt"
mkfifo "$J/unread/fifo.txt"
ln -s self.txt "$J/unread/self.txt"
ln -s . "$J/unread/up"
ln -s "$J/unread" "$J/unread/named.txt/back"
(sleep 30; : > "$J/unread/fifo.txt") 2>/dev/null &   # unblocks a reader that opened the FIFO
unblock=$!
start=$(date +%s)
run unread 0 cluster "$J/unread"
within unread 20 "$start"
kill "$unblock" 2>/dev/null
has unread-dangling "dangling.txt" "$T/unread.err"
has unread-fifo "fifo.txt: not a regular file" "$T/unread.err"
has unread-self "self.txt" "$T/unread.err"
has unread-loop "symlink loop" "$T/unread.err"
has unread-named '"id":"named.txt/inner"' "$T/unread.out"
acct unread kept=2
run missing 1 cluster "$J/no-such.jsonl"
has missing-msg "no-such.jsonl" "$T/missing.err"
mkdir -p "$J/dir.jsonl"
run dirjsonl 1 cluster "$J/dir.jsonl"
acct dirjsonl read=0

# ---- scale: 10^6 tiny documents, 10^5 identical ones, one text 10^5 times ---------------
N=1000000; [ "$LIGHT" = 1 ] && N=100000
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++) printf "{\"id\":\"d%d\",\"text\":\"w%d x%d\"}\n", i, i, i % 1000 }' > "$J/million.jsonl"
start=$(date +%s)
run million 0 cluster --quiet "$J/million.jsonl" -o "$T/million.out"
within million 120 "$start"
acct million read=$N skipped=0
rm -f "$J/million.jsonl" "$T/million.out"

N=100000; [ "$LIGHT" = 1 ] && N=10000
awk -v n=$N 'BEGIN { for (i = 0; i < n; i++) printf "{\"id\":\"c%d\",\"text\":\"the same short text every time\"}\n", i }' > "$J/same.jsonl"
start=$(date +%s)
run same 0 dedup --quiet "$J/same.jsonl" -o "$T/same.out"
within same 60 "$start"
acct same read=$N kept=1 removed_exact=$((N - 1))
if [ "$(wc -l < "$T/same.out")" -eq 1 ]; then ok; else bad "same: dedup kept more than one"; fi

# a 150-word text, each copy with its own id: linear, not quadratic, in the copies
awk -v n=$N 'BEGIN { t = ""; for (w = 0; w < 150; w++) t = t sprintf("word%d ", (w * 37) % 101);
  for (i = 0; i < n; i++) printf "{\"id\":\"r%d\",\"text\":\"%s\"}\n", i, t }' > "$J/repeat.jsonl"
start=$(date +%s)
run repeat 0 cluster --quiet "$J/repeat.jsonl" -o "$T/repeat.out"
within repeat 60 "$start"
acct repeat read=$N kept=1
rm -f "$J/same.jsonl" "$J/repeat.jsonl" "$T/repeat.out"

# 10^4 documents of their own words sharing one 60-word boilerplate paragraph:
# every pair shares a passage, none is a copy; the pairs stay bounded per
# document (LSH buckets over max_bucket are chained), the clusters empty
N=10000; [ "$LIGHT" = 1 ] && N=2000
awk -v n=$N 'BEGIN { p = ""; for (w = 0; w < 60; w++) p = p sprintf(" notice%d", w);
  for (i = 0; i < n; i++) { t = ""; for (w = 0; w < 150; w++) t = t sprintf("d%dw%d ", i, w);
    printf "{\"id\":\"b%d\",\"text\":\"%s\\n\\n%s\"}\n", i, t, p } }' > "$J/boiler.jsonl"
start=$(date +%s)
run boiler 0 pairs --quiet "$J/boiler.jsonl" -o "$T/boiler.out"
within boiler 60 "$start"
acct boiler read=$N kept=$N
if [ "$(grep -c '"relation":"\(exact\|near\|contained\)"' "$T/boiler.out")" -eq 0 ]; then ok
else bad "boiler: documents sharing a paragraph reported as copies"; fi
if [ "$(wc -l < "$T/boiler.out")" -le $((N * 200)) ]; then ok; else bad "boiler: pairs grow faster than the documents"; fi
rm -f "$J/boiler.jsonl" "$T/boiler.out"

# one document of one word repeated: 5 million times (30 MB)
W=5000000; [ "$LIGHT" = 1 ] && W=500000
{ printf '{"id":"oneword","text":"'; yes 'word' | head -n $W | tr '\n' ' '; printf '"}\n'
  printf '{"id":"other","text":"word word word word word word"}\n'; } > "$J/oneword.jsonl"
start=$(date +%s)
run oneword 0 pairs --quiet "$J/oneword.jsonl"
within oneword 60 "$start"
acct oneword read=2 kept=1 skipped=0
rm -f "$J/oneword.jsonl"

# ---- options that overflow are usage errors --------------------------------------------
"$DOPPEL" cluster --max-doc-bytes 17179869185G "$J/rtl.jsonl" >/dev/null 2>"$T/ovf.err"
if [ $? -eq 2 ]; then ok; else bad "max-doc-bytes overflow accepted"; fi
has ovf-msg "max-doc-bytes" "$T/ovf.err"

# ---- SIGKILL mid-run: the output file never exists half-written, and no file remains --------
N=200000; [ "$LIGHT" = 1 ] && N=60000
"$DOPPEL" synth -n $N -w 60 --quiet -o "$J/synth.jsonl" || bad "synth failed"
mkdir -p "$T/kill"
# twice: once while reading, once while writing (as soon as the unnamed
# output file is open, or the hidden temporary one exists where the file
# system has no unnamed files); the process must still be running when killed.
# While reading: the corpus comes through a FIFO whose writer stays open, so
# doppel has read it all and still waits for the end of its input, however
# fast it has become (a fixed 1 s stopped being "mid-run" once a 60k run took
# less than that).
mkfifo "$T/kill/in"
for when in reading writing; do
  rm -f "$T"/kill/.OUT* "$T/kill/OUT.jsonl"
  named=0
  if [ $when = reading ]; then
    "$DOPPEL" dedup --quiet - -o "$T/kill/OUT.jsonl" --summary "$T/kill/SUM.json" <"$T/kill/in" &
    pid=$!
    exec 3>"$T/kill/in"
    cat "$J/synth.jsonl" >&3
    sleep 0.2
  else
    "$DOPPEL" dedup --quiet "$J/synth.jsonl" -o "$T/kill/OUT.jsonl" --summary "$T/kill/SUM.json" &
    pid=$!
    i=0
    named=0
    while [ $i -lt 600 ]; do
      # an O_TMPFILE file shows in /proc as "DIR/#INODE (deleted)"
      ls -l /proc/$pid/fd 2>/dev/null | grep -q "$T/kill/#" && break
      if ls -a "$T/kill" | grep -q 'OUT.jsonl.doppel-tmp'; then named=1; break; fi
      sleep 0.05; i=$((i + 1))
    done
  fi
  if kill -9 $pid 2>/dev/null; then ok; else bad "kill-$when: doppel had already finished"; fi
  [ $when = reading ] && exec 3>&-
  wait $pid 2>/dev/null
  if [ -e "$T/kill/OUT.jsonl" ] || [ -e "$T/kill/SUM.json" ]; then bad "kill-$when: a final output exists after SIGKILL"; else ok; fi
  left=$(ls -A "$T/kill" | grep -vc '^in$')
  if [ $when = writing ] && [ $named = 1 ]; then
    # no unnamed files on this file system: the hidden one may remain
    [ "$left" -gt 0 ] && echo "note: SIGKILL while $when left $left hidden temporary file(s) .OUT.jsonl.doppel-tmp-*" >&2
  elif [ "$left" -gt 0 ]; then
    bad "kill-$when: files left after SIGKILL: $(ls -A "$T/kill" | grep -v '^in$' | tr '\n' ' ')"
  else
    ok
  fi
done
# a later complete run writes the output
run after-kill 0 dedup --quiet "$J/synth.jsonl" -o "$T/kill/OUT.jsonl"
if [ -s "$T/kill/OUT.jsonl" ]; then ok; else bad "after-kill: no output"; fi
acct after-kill read=$N

# ---- outputs without /proc: the named temporary file, renamed whole ---------------------
# Unnamed outputs are linked through /proc/self/fd; without /proc doppel falls
# back to a hidden named file. A private mount namespace without /proc (root
# only; skipped where unshare is not allowed) exercises that path. Skipped
# too where doppel cannot run without /proc at all (sanitizer builds: their
# leak checker reads /proc at exit).
mkdir -p "$T/noproc"
if unshare --mount --propagation private true 2>/dev/null; then
  unshare --mount --propagation private sh -c \
    "umount -l /proc 2>/dev/null || exit 99; \"$DOPPEL\" --version >/dev/null 2>&1 || exit 98
     exec \"$DOPPEL\" cluster --quiet \"$J/synth.jsonl\" -o \"$T/noproc/OUT.jsonl\" --summary \"$T/noproc/SUM.json\""
  rc=$?
  "$DOPPEL" cluster --quiet "$J/synth.jsonl" -o "$T/noproc/REF.jsonl"
  if [ $rc -eq 99 ] || [ $rc -eq 98 ]; then
    echo "note: /proc cannot be unmounted here, or doppel does not run without it (rc $rc); the output fallback without /proc is not tested" >&2
  elif [ $rc -eq 0 ] && cmp -s "$T/noproc/OUT.jsonl" "$T/noproc/REF.jsonl" && [ -s "$T/noproc/SUM.json" ] &&
     [ "$(ls -A "$T/noproc" | wc -l)" -eq 3 ]; then ok; else
    bad "no-proc: rc $rc, files: $(ls -A "$T/noproc" | tr '\n' ' ')"
  fi
else
  echo "note: unshare not allowed here; the output fallback without /proc is not tested" >&2
fi

# ---- faults of the temporary directory: missing, not a directory, full --------------
# Each run must fail with exit 1 and a message naming the directory or the
# write, leave no output file (visible or hidden) and no temporary file.
mkdir -p "$T/faults/tmp"
"$DOPPEL" synth -n 3000 --seed 2 --quiet -o "$J/faults.jsonl"
run tmp-missing 1 cluster --quiet --tmp-dir "$T/faults/none" "$J/faults.jsonl" -o "$T/faults/OUT.jsonl"
has tmp-missing-msg "temporary file in $T/faults/none" "$T/tmp-missing.err"
run tmp-file 1 cluster --quiet --tmp-dir "$J/faults.jsonl" "$J/faults.jsonl" -o "$T/faults/OUT.jsonl"
has tmp-file-msg "Not a directory" "$T/tmp-file.err"
# a full disk, simulated with a 1 MiB file size limit (SIGXFSZ ignored, so
# writes past it fail with EFBIG as they would with ENOSPC); 3,000 documents
# spill about 4 MB of shingle sets, of which the least memory limit keeps
# 1.75 MB in memory (and their prints, 0.25 MB)
( trap '' XFSZ; ulimit -f 1024
  "$DOPPEL" cluster --quiet --memory 16M --tmp-dir "$T/faults/tmp" "$J/faults.jsonl" \
    -o "$T/faults/OUT.jsonl" >"$T/tmp-full.out" 2>"$T/tmp-full.err"; echo $? >"$T/tmp-full.rc" )
if [ "$(cat "$T/tmp-full.rc")" -eq 1 ]; then ok; else bad "tmp-full: exit $(cat "$T/tmp-full.rc"), wanted 1"; fi
has tmp-full-msg "writing the spill file in $T/faults/tmp" "$T/tmp-full.err"
if [ -z "$(ls -A "$T/faults/tmp")" ] && [ -z "$(ls -A "$T/faults" | grep -v '^tmp$')" ]; then ok
else bad "faults: files left behind: $(ls -A "$T/faults" "$T/faults/tmp" | tr '\n' ' ')"; fi

echo "torture: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
