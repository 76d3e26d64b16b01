#!/bin/sh
# Installs the Debian packages doppel needs to build, test and benchmark.
# Idempotent: does nothing when every package is already present.
set -eu
PKGS="build-essential pkg-config libxxhash-dev libutf8proc-dev zlib1g-dev libzstd-dev \
libbz2-dev liblzma-dev libjansson-dev libxml2-dev libstemmer-dev liblmdb-dev libmicrohttpd-dev libcmocka-dev clang libclang-rt-14-dev \
valgrind python3 zstd gzip bzip2 xz-utils time \
python3-cffi python3-pytest python3-numpy python3-dask python3-distributed python3-psutil"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "install-deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
