# doppel — build, test, demo, bench, install.
# `make test` and `make demo` install missing Debian packages first
# (scripts/install-deps.sh is idempotent and quick when nothing is missing).

PREFIX  ?= /usr/local
CC      ?= cc
BUILD   ?= build
PKGS    := libxxhash libutf8proc zlib libzstd liblzma jansson libxml-2.0 lmdb
# Linked by the command only (doppel serve), not part of the library's requirements.
CLI_PKGS := libmicrohttpd
OPT     ?= -O3
CFLAGS  ?= $(OPT) -g
WARN    := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wno-unused-parameter
DEFS    := -D_GNU_SOURCE
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(CLI_PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstemmer -lbz2 -lm -lpthread
CLI_LIBS   = $(shell pkg-config --libs $(CLI_PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARN) $(DEFS) $(CFLAGS) $(EXTRA_CFLAGS) -Iinclude -Isrc $(PKG_CFLAGS)
LDFLAGS_ALL = $(LDFLAGS) $(EXTRA_LDFLAGS)

LIB_SRC  := $(sort $(wildcard src/*/*.c))
LIB_HDR  := $(wildcard src/*/*.h)
CLI_SRC  := $(sort $(wildcard cli/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/obj/src/%.o)
PIC_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/pic/src/%.o)
CLI_OBJ  := $(CLI_SRC:cli/%.c=$(BUILD)/obj/cli/%.o)
TESTS    := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)

.PHONY: all deps lib cli test unit cli-test asan-test tsan-test valgrind-test demo bench bench-extract install clean \
        fuzz fuzz-build fuzz-smoke fuzz-replay fuzz-bins story-eval bench-story check-layers bench-index \
        python python-test

all: lib cli

deps:
	@sh scripts/install-deps.sh

# The folders of src/ are layers and no two files call each other in a loop
# (src/README.md); read from the objects, so a new call that breaks it fails.
check-layers: $(LIB_OBJ)
	@python3 scripts/check-layers.py $(LIB_OBJ)

lib: $(BUILD)/libdoppel.a $(BUILD)/libdoppel.so $(BUILD)/doppel.pc
cli: $(BUILD)/doppel

$(BUILD)/obj/%.o: %.c $(wildcard include/*.h) $(LIB_HDR) $(wildcard cli/*.h) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/pic/%.o: %.c $(wildcard include/*.h) $(LIB_HDR) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@

$(BUILD)/libdoppel.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libdoppel.so: $(PIC_OBJ)
	$(CC) -shared -Wl,-soname,libdoppel.so.0 -o $@ $^ $(LDFLAGS_ALL) $(PKG_LIBS)

$(BUILD)/doppel.pc: doppel.pc.in
	@mkdir -p $(BUILD)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|0.1.0|' -e 's|@REQUIRES@|$(PKGS)|' $< > $@

$(BUILD)/doppel: $(CLI_OBJ) $(BUILD)/libdoppel.a
	$(CC) -o $@ $(CLI_OBJ) $(BUILD)/libdoppel.a $(LDFLAGS_ALL) $(PKG_LIBS) $(CLI_LIBS)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(BUILD)/libdoppel.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libdoppel.a $(LDFLAGS_ALL) $(PKG_LIBS) -lcmocka

# Scanner vs jansson on a real file: build/bench_jsonl FILE.jsonl [rounds]
$(BUILD)/bench_jsonl: bench/bench_jsonl.c $(BUILD)/libdoppel.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libdoppel.a $(LDFLAGS_ALL) $(PKG_LIBS)

unit: $(TESTS)
	@fail=0; for t in $(TESTS); do $$t || fail=1; done; exit $$fail

cli-test: $(BUILD)/doppel
	@fail=0; for t in tests/cli/*.sh; do sh $$t $(BUILD)/doppel || fail=1; done; exit $$fail

# The whole suite again under AddressSanitizer + UndefinedBehaviorSanitizer
# (LeakSanitizer is part of ASan on Linux). Any finding aborts the run. The
# torture suite runs its big cases at a tenth of their size there (scale is
# tested by the plain build).
asan-test:
	@DOPPEL_TORTURE=light $(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  EXTRA_LDFLAGS="-fsanitize=address,undefined" unit cli-test

# The threaded paths again under ThreadSanitizer: the CLI, and the tests of
# the worker pool and of the pre-filter on several threads (the CLI cases
# are too small for the pre-filter to use threads).
TSAN_UNITS := test_pool test_prefilter test_store_story
tsan-test:
	@$(MAKE) --no-print-directory BUILD=build-tsan OPT=-O1 EXTRA_CFLAGS="-fsanitize=thread" \
	  EXTRA_LDFLAGS="-fsanitize=thread" build-tsan/doppel $(TSAN_UNITS:%=build-tsan/tests/%)
	@for t in $(TSAN_UNITS); do TSAN_OPTIONS="halt_on_error=1 exitcode=66" build-tsan/tests/$$t \
	  || exit 1; done
	@sh tests/tsan.sh build-tsan/doppel

# The CLI golden tests with doppel under valgrind memcheck (uninitialised
# reads and leaks ASan does not see), through a wrapper script.
valgrind-test: $(BUILD)/doppel
	@command -v valgrind >/dev/null || { echo "valgrind-test: valgrind not installed"; exit 1; }
	@mkdir -p build-valgrind && cp tests/valgrind/doppel.sh build-valgrind/doppel && chmod +x build-valgrind/doppel
	@DOPPEL_REAL=$(abspath $(BUILD)/doppel) DOPPEL_SYNTH_N=300 sh tests/cli/run.sh build-valgrind/doppel

# ---- fuzzing (fuzz/, docs/fuzzing.md) ------------------------------------------
# One target per entry point that takes outside bytes. `make fuzz` builds
# them with libFuzzer + ASan + UBSan (clang) in build-fuzz/ and runs each
# for FUZZ_SECONDS, FUZZ_JOBS at a time, growing build-fuzz/corpus/ from the
# seeds in fuzz/corpus/. `make fuzz-smoke` is the short run of `make test`.
# `make fuzz-replay` runs every seed and regression input (fuzz/regress/)
# through the targets linked with fuzz/driver.c instead of libFuzzer, with
# $(CC): the same binaries AFL++ uses (make fuzz-bins BUILD=... CC=afl-clang-fast).
FUZZ_TARGETS := $(patsubst fuzz/fuzz_%.c,%,$(sort $(wildcard fuzz/fuzz_*.c)))
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SECONDS ?= 600
FUZZ_JOBS    ?= 2
FUZZ_SMOKE_SECONDS ?= 8
FUZZ_FLAGS   ?=
FUZZ_MAIN    ?= fuzz/driver.c
CLI_LIB_OBJ  := $(filter-out $(BUILD)/obj/cli/main.o,$(CLI_OBJ))

# Linked with the CLI's objects (minus main) so fuzz_cli reaches cli/options.c.
$(BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h fuzz/driver.c $(BUILD)/libdoppel.a $(CLI_LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(FUZZ_MAIN) $(CLI_LIB_OBJ) $(BUILD)/libdoppel.a $(LDFLAGS_ALL) $(PKG_LIBS) $(CLI_LIBS)

fuzz-bins: $(FUZZ_TARGETS:%=$(BUILD)/fuzz_%)

fuzz-build:
	@mkdir -p build-fuzz && \
	  echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return d && n; }' \
	    > build-fuzz/probe.c && clang -fsanitize=fuzzer build-fuzz/probe.c -o build-fuzz/probe || \
	  { echo "make fuzz: clang with libFuzzer needed (apt-get install clang libclang-rt-14-dev)"; exit 1; }
	@$(MAKE) --no-print-directory CC=clang BUILD=build-fuzz OPT=-O1 FUZZ_MAIN= \
	  EXTRA_CFLAGS="-fsanitize=fuzzer-no-link $(FUZZ_SAN)" \
	  EXTRA_LDFLAGS="-fsanitize=fuzzer $(FUZZ_SAN)" fuzz-bins

fuzz: deps fuzz-build
	@FUZZ_FLAGS="$(FUZZ_FLAGS)" sh scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

fuzz-smoke: fuzz-build
	@FUZZ_FLAGS="-seed=1 $(FUZZ_FLAGS)" sh scripts/fuzz.sh build-fuzz $(FUZZ_SMOKE_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

# Same flags as asan-test, so the library built there is reused.
fuzz-replay:
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
	  EXTRA_CFLAGS="$(FUZZ_SAN)" EXTRA_LDFLAGS="$(FUZZ_SAN)" fuzz-bins
	@fail=0; for t in $(FUZZ_TARGETS); do \
	  build-asan/fuzz_$$t fuzz/corpus/$$t $$(test -d fuzz/regress/$$t && echo fuzz/regress/$$t) \
	    || { echo "fuzz-replay: $$t FAILED"; fail=1; }; done; exit $$fail

test: deps
	@$(MAKE) --no-print-directory all check-layers unit cli-test python-test
	@$(MAKE) --no-print-directory asan-test
	@$(MAKE) --no-print-directory tsan-test
	@$(MAKE) --no-print-directory valgrind-test
	@$(MAKE) --no-print-directory fuzz-replay
	@$(MAKE) --no-print-directory fuzz-smoke
	@echo "make test: all suites passed"

demo: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo.sh $(BUILD)/doppel

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bench/extract_speed
	@sh bench/run.sh $(BUILD)/doppel
	@sh bench/realistic.sh $(BUILD)/doppel
	@$(BUILD)/bench/extract_speed
	@$(MAKE) --no-print-directory $(BUILD)/story_eval
	@echo "== story clustering (bench/story.sh): quality on the labeled sets, throughput at 10k/100k/1M"
	@SIZES="$${STORY_SIZES:-10000 100000 1000000}" sh bench/story.sh $(BUILD)/story_eval
	@echo "== a story feed in batches with --story-state (bench/story_feed.sh)"
	@sh bench/story_feed.sh $(BUILD)/doppel $(BUILD)/story_eval $${FEED_DOCS:-100000} \
	  $${FEED_BATCHES:-10} $${TMPDIR:-/tmp}/doppel-feed.$$$$
	@echo "== the live index (bench/index.sh): add, bytes per document, check latency"
	@$(MAKE) --no-print-directory bench-index

# The live index: add throughput, bytes per document, check latency in
# process and over HTTP (bench/index.sh); INDEX_N documents in INDEX_BATCHES adds,
# INDEX_SERIES times (3; the median is the figure).
# 1M by default, the size issue 19's targets name (3.2 GB of JSONL and an
# 6.8 GB index under TMPDIR); INDEX_N=100000 for a quick run.
bench-index: all $(BUILD)/bench/index_check $(BUILD)/bench/http_load
	@sh bench/index.sh $(BUILD)/doppel $(BUILD)/bench/index_check $${INDEX_N:-1000000} \
	  $${INDEX_BATCHES:-10} $${TMPDIR:-/tmp}/doppel-index-bench

# ---- Python (python/, docs/python.md) --------------------------------------------
# The package loads build/libdoppel.so through cffi (no compiler at import).
# python-test runs its pytest suite, the Dask tests on a short LocalCluster
# included; skipped with a message when Debian's python3-cffi/pytest are absent.
PYTHON     ?= /usr/bin/python3
PY_VERSION  = $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PY_SITE    ?= $(PREFIX)/lib/python$(PY_VERSION)/dist-packages
python: lib
python-test: lib cli
	@if $(PYTHON) -c 'import cffi, pytest' 2>/dev/null; then \
	  PYTHONPATH=python DOPPEL_LIBRARY=$(abspath $(BUILD)/libdoppel.so) DOPPEL_CLI=$(abspath $(BUILD)/doppel) \
	    $(PYTHON) -m pytest -q -p no:cacheprovider python/tests; \
	else echo "python-test: skipped (needs python3-cffi and python3-pytest; make deps)"; fi

install: lib cli
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 644 include/doppel.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 $(BUILD)/libdoppel.a $(DESTDIR)$(PREFIX)/lib/
	install -m 755 $(BUILD)/libdoppel.so $(DESTDIR)$(PREFIX)/lib/libdoppel.so.0
	ln -sf libdoppel.so.0 $(DESTDIR)$(PREFIX)/lib/libdoppel.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|0.1.0|' -e 's|@REQUIRES@|$(PKGS)|' doppel.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/doppel.pc
	install -m 755 $(BUILD)/doppel $(DESTDIR)$(PREFIX)/bin/
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 man/doppel.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PY_SITE)/doppel/dask
	install -m 644 python/doppel/*.py $(DESTDIR)$(PY_SITE)/doppel/
	install -m 644 python/doppel/dask/*.py $(DESTDIR)$(PY_SITE)/doppel/dask/
	echo 'LIBRARY = "$(PREFIX)/lib/libdoppel.so.0"' > $(DESTDIR)$(PY_SITE)/doppel/_libpath.py

clean:
	rm -rf build build-asan build-tsan build-fuzz build-fuzz-replay build-valgrind

# Extraction throughput (bench/extract_speed.c); run by bench/run.sh.
$(BUILD)/bench/%: bench/%.c $(BUILD)/libdoppel.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libdoppel.a $(LDFLAGS_ALL) $(PKG_LIBS)

# The story-clustering evaluation and scaling driver (bench/story_eval.c).
$(BUILD)/story_eval: bench/story_eval.c $(BUILD)/libdoppel.a
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libdoppel.a $(LDFLAGS_ALL) $(PKG_LIBS)
story-eval: $(BUILD)/story_eval

# Extraction quality and speed on ../shared's labeled pages, with
# python3-readability beside it when installed (part of make bench).
bench-extract: deps
	@$(MAKE) --no-print-directory all
	@sh bench/extract_real.sh $(BUILD)/doppel

# Story clustering throughput at 10k, 100k and 1M synthetic documents, and
# quality on the labeled sets when ../shared is present.
bench-story: $(BUILD)/story_eval
	@sh bench/story.sh $(BUILD)/story_eval
