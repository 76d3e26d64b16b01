#!/bin/sh
# make install into a temporary prefix; a program using only the installed
# header, library and pkg-config file builds (shared and static) and runs.
# usage: tests/cli/install.sh path/to/doppel   (from the repository root)
set -u
BUILD=$(dirname "$1")
case "$BUILD" in *asan*)  # sanitizer objects need the sanitizer runtime in the test program
  echo "install: skipped under sanitizers"; exit 0 ;;
esac
T=$(mktemp -d /tmp/doppel-install-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "install: FAIL: $*" >&2; echo "install: 0 passed, 1 failed"; exit 1; }
make --no-print-directory -s BUILD="$BUILD" install PREFIX="$T/prefix" >/dev/null || fail "make install"
for f in bin/doppel include/doppel.h lib/libdoppel.a lib/libdoppel.so.0 lib/pkgconfig/doppel.pc share/man/man1/doppel.1; do
  [ -e "$T/prefix/$f" ] || fail "$f not installed"
done
cat > "$T/use.c" <<'C'
#include <doppel.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    doppel_config cfg;
    doppel_config_default(&cfg);
    doppel_index *idx;
    doppel_error err;
    if (doppel_index_new(&cfg, &idx, &err)) return 1;
    const char *t = "the council voted on tuesday to close the old harbour bridge for repairs";
    doppel_index_add(idx, "a", 1, t, strlen(t), DOPPEL_NO_DATE, NULL, &err);
    doppel_index_add(idx, "b", 1, t, strlen(t), DOPPEL_NO_DATE, NULL, &err);
    if (doppel_index_finish(idx, NULL, NULL, &err)) return 1;
    doppel_doc_result r;
    doppel_index_result(idx, 1, &r);
    printf("%s\n", doppel_relation_name(r.relation));
    doppel_index_free(idx);
    return 0;
}
C
export PKG_CONFIG_PATH="$T/prefix/lib/pkgconfig"
cc "$T/use.c" $(pkg-config --cflags --libs doppel) -o "$T/use" || fail "compile against the shared library"
[ "$(LD_LIBRARY_PATH="$T/prefix/lib" "$T/use")" = exact ] || fail "shared: wrong result"
cc "$T/use.c" $(pkg-config --static --cflags doppel) "$T/prefix/lib/libdoppel.a" \
  $(pkg-config --static --libs doppel | sed 's/-ldoppel//') -o "$T/use-static" || fail "static link"
[ "$("$T/use-static")" = exact ] || fail "static: wrong result"
echo "install: 3 passed, 0 failed"
