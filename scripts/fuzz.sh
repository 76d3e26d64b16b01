#!/bin/sh
# Run libFuzzer targets, JOBS at a time, each for SECONDS.
# usage: scripts/fuzz.sh BUILD_DIR SECONDS JOBS TARGET...
# Each target's working corpus is BUILD_DIR/corpus/TARGET, seeded from
# fuzz/corpus/TARGET (new inputs never land in the source tree); crashing
# inputs go to BUILD_DIR/crashes/TARGET/, the log to BUILD_DIR/logs/TARGET.log.
# Prints one line per target (executions, coverage, features, crashes).
# FUZZ_FLAGS adds libFuzzer options (a campaign that goes on after a crash:
# FUZZ_FLAGS="-fork=1 -ignore_crashes=1"). Fails when any target found a
# crash, a leak, a timeout or a failed check.
set -u
B=$1; SECS=$2; JOBS=$3; shift 3
mkdir -p "$B/logs"
rm -f "$B"/logs/*.rc
stamp=$B/logs/.start
: >"$stamp"
# Per-target options: fuzz_cli inputs are argument lists, the others files.
opts() {
  case $1 in
    cli) echo "-max_len=512" ;;
    date) echo "-max_len=64" ;;
    jsonl) echo "-max_len=4096 -dict=fuzz/jsonl.dict" ;;
    *) echo "-max_len=8192" ;;
  esac
}
run_one() {
  t=$1
  mkdir -p "$B/corpus/$t" "$B/crashes/$t"
  # shellcheck disable=SC2046
  "$B/fuzz_$t" $(opts "$t") ${FUZZ_FLAGS:-} -max_total_time="$SECS" -timeout=20 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$B/crashes/$t/" \
    "$B/corpus/$t" "fuzz/corpus/$t" >"$B/logs/$t.log" 2>&1
  echo $? >"$B/logs/$t.rc"
}
# a tiny job pool: start up to JOBS, wait for the oldest
pids=""
for t in "$@"; do
  run_one "$t" &
  pids="$pids $!"
  set -- $pids
  if [ $# -ge "$JOBS" ]; then wait "$1"; shift; pids="$*"; fi
done
wait
fail=0
for f in "$B"/logs/*.rc; do
  t=$(basename "$f" .rc)
  log=$B/logs/$t.log
  rc=$(cat "$f")
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  # fork mode (FUZZ_FLAGS=-fork=1 ...) prints no final stats: the last count
  [ -n "$execs" ] || execs=$(echo "$last" | sed -n 's/^#\([0-9]*\).*/\1/p')
  cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
  corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
  # only this run's findings (older ones stay in the directory for study)
  crashes=$(find "$B/crashes/$t" -type f -newer "$stamp" 2>/dev/null | wc -l)
  printf 'fuzz %-10s %5ss  execs %-10s cov %-6s ft %-6s corpus %-6s crashes %s\n' \
    "$t" "$SECS" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    fail=1
    echo "  FAILED (exit $rc); see $log:" >&2
    grep -m3 -E 'ERROR|fuzz check failed|SUMMARY|runtime error' "$log" | sed 's/^/    /' >&2
  fi
done
exit $fail
