#!/bin/sh
# The man page names every option that any command's --help lists, so a new
# option cannot land undocumented. usage: tests/cli/manpage.sh path/to/doppel
set -u
DOPPEL=$1
MAN=man/doppel.1
pass=0; fail=0
[ -f "$MAN" ] || { echo "manpage: FAIL: $MAN missing"; echo "manpage: 0 passed, 1 failed"; exit 1; }
# roff writes each - of an option as \-
body=$(sed 's/\\-/-/g' "$MAN")
cmds=$("$DOPPEL" --help 2>&1 | sed -n 's/^  \([a-z][a-z]*\)  .*/\1/p')
[ -n "$cmds" ] || { echo "manpage: FAIL: no commands in doppel --help"; exit 1; }
for c in $cmds; do
  printf '%s\n' "$body" | grep -q "^\.B $c\b" || { echo "manpage: FAIL: command $c not described"; fail=$((fail+1)); continue; }
  opts=$("$DOPPEL" "$c" --help 2>&1 | grep -oE -- '(^|[ ,])--?[a-z][a-z0-9-]*' | sed 's/^[ ,]*//' | sort -u)
  for o in $opts; do
    if printf '%s\n' "$body" | grep -qF -- "$o"; then pass=$((pass+1))
    else echo "manpage: FAIL: $c option $o not in $MAN"; fail=$((fail+1)); fi
  done
done
echo "manpage: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
