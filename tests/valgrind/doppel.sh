#!/bin/sh
# doppel under valgrind memcheck: any invalid access, use of uninitialised
# memory or leak makes the command exit 99, which the CLI tests report as a
# wrong exit code. Used by `make valgrind-test` as the binary of tests/cli/run.sh.
# DOPPEL_REAL is the binary to wrap (set by the Makefile). Add --track-origins=yes
# by hand to find where an uninitialised value came from (it doubles the time).
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
  "$DOPPEL_REAL" "$@"
