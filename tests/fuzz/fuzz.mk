# tests/fuzz: the libFuzzer targets (tests/fuzz/README.md), included by Makefile.am.
#
# Each target tests/fuzz/<target>.c is built two ways:
#   - tests/fuzz/<target>_replay: with gcc (the tree's compiler) and tests/fuzz/replay_main.c as
#     its main, a check program of `make check` (and so of `make check-valgrind`) that replays
#     the seed corpus tests/fuzz/corpus/<target> and the inputs that once found something,
#     tests/fuzz/regressions/<target>;
#   - tests/fuzz/<target>: with libFuzzer, only in the clang tree that `make fuzz` configures.
# `make fuzz [FUZZ_SECONDS=N]` (default 30) configures the sources again with clang and
# AddressSanitizer + UndefinedBehaviorSanitizer (+ libFuzzer's coverage) in fuzz-build/build,
# builds the library, the four modules and the targets there, and runs each target for N
# seconds on a scratch copy of its seed corpus and regressions (fuzz-build/corpus/<target>),
# with the words of tests/fuzz/json.dict.
# Any finding fails it; the input that found it is in fuzz-build/findings/<target>/ (and what a
# crashed target left in its TMPDIR, fuzz-build/tmp). Needs
# Debian's clang and libclang-rt-14-dev (libFuzzer and the sanitizer runtimes of clang 14).
# The clang tree is configured without --enable-werror: the library's warnings are gcc's to
# judge (clang adds some of its own, -Wformat-nonliteral on vprintf-style wrappers); the
# targets themselves are built with -Werror in the gcc tree.

FUZZ_TARGETS = fuzz_spec fuzz_host_answers fuzz_case_file fuzz_world fuzz_saved_state \
	fuzz_parsers

EXTRA_DIST += tests/fuzz/README.md tests/fuzz/json.dict tests/fuzz/corpus tests/fuzz/regressions

FUZZ_COMMON_FILES = tests/fuzz/fuzz_support.c tests/fuzz/fuzz_support.h
# Where a target finds the source tree (the corpus, the conformance cases) and the modules
# when HCSOCI_TEST_SRCDIR / HCSOCI_TEST_BUILDDIR are not set.
FUZZ_TREE_DEFINES = $(AM_CPPFLAGS) -DHCSOCI_FUZZ_SRCDIR='"$(abs_top_srcdir)"' \
	-DHCSOCI_FUZZ_BUILDDIR='"$(abs_top_builddir)"'
FUZZ_LIBS = libhcsoci.la libportable.la $(JANSSON_LIBS)
# fuzz_saved_state compiles in the command's state code (everything of core/cli but main.c,
# whose helpers it stands in for).
FUZZ_CLI_FILES = \
	core/cli/cli.h \
	core/cli/commands.c \
	core/cli/lifecycle.c \
	core/cli/lifecycle.h \
	core/cli/output.c \
	core/cli/queries.c \
	core/cli/session.c \
	core/cli/state.c \
	core/cli/store.c \
	core/cli/uvm_commands.c
FUZZ_CLI_INCLUDES = -I$(top_srcdir)/core/lib -I$(top_srcdir)/core/cli
FUZZ_CLI_LIBS = $(SQLITE_LIBS)

if HAVE_CUNIT
if !OS_WINDOWS
# ---- the regression programs (gcc, part of `make check`) ----
FUZZ_REPLAY_CHECKS = \
	tests/fuzz/fuzz_spec_replay \
	tests/fuzz/fuzz_host_answers_replay \
	tests/fuzz/fuzz_case_file_replay \
	tests/fuzz/fuzz_world_replay \
	tests/fuzz/fuzz_saved_state_replay \
	tests/fuzz/fuzz_parsers_replay
check_PROGRAMS += $(FUZZ_REPLAY_CHECKS)

tests_fuzz_fuzz_spec_replay_SOURCES = tests/fuzz/fuzz_spec.c tests/fuzz/replay_main.c \
	$(FUZZ_COMMON_FILES)
tests_fuzz_fuzz_spec_replay_CPPFLAGS = $(FUZZ_TREE_DEFINES) -DHCSOCI_FUZZ_TARGET='"fuzz_spec"'
tests_fuzz_fuzz_spec_replay_LDADD = $(FUZZ_LIBS)

tests_fuzz_fuzz_host_answers_replay_SOURCES = tests/fuzz/fuzz_host_answers.c \
	tests/fuzz/replay_main.c $(FUZZ_COMMON_FILES)
tests_fuzz_fuzz_host_answers_replay_CPPFLAGS = $(FUZZ_TREE_DEFINES) \
	-DHCSOCI_FUZZ_TARGET='"fuzz_host_answers"'
tests_fuzz_fuzz_host_answers_replay_LDADD = $(FUZZ_LIBS)

tests_fuzz_fuzz_case_file_replay_SOURCES = tests/fuzz/fuzz_case_file.c tests/fuzz/replay_main.c \
	$(FUZZ_COMMON_FILES)
tests_fuzz_fuzz_case_file_replay_CPPFLAGS = $(FUZZ_TREE_DEFINES) \
	-DHCSOCI_FUZZ_TARGET='"fuzz_case_file"'
tests_fuzz_fuzz_case_file_replay_LDADD = $(FUZZ_LIBS)

tests_fuzz_fuzz_world_replay_SOURCES = tests/fuzz/fuzz_world.c tests/fuzz/replay_main.c \
	$(FUZZ_COMMON_FILES)
tests_fuzz_fuzz_world_replay_CPPFLAGS = $(FUZZ_TREE_DEFINES) -DHCSOCI_FUZZ_TARGET='"fuzz_world"'
tests_fuzz_fuzz_world_replay_LDADD = $(FUZZ_LIBS)

tests_fuzz_fuzz_saved_state_replay_SOURCES = tests/fuzz/fuzz_saved_state.c \
	tests/fuzz/replay_main.c $(FUZZ_COMMON_FILES) $(FUZZ_CLI_FILES)
tests_fuzz_fuzz_saved_state_replay_CPPFLAGS = $(FUZZ_TREE_DEFINES) $(FUZZ_CLI_INCLUDES) \
	-DHCSOCI_FUZZ_TARGET='"fuzz_saved_state"'
tests_fuzz_fuzz_saved_state_replay_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_fuzz_fuzz_saved_state_replay_LDADD = $(FUZZ_LIBS) $(FUZZ_CLI_LIBS)

tests_fuzz_fuzz_parsers_replay_SOURCES = tests/fuzz/fuzz_parsers.c tests/fuzz/replay_main.c \
	$(FUZZ_COMMON_FILES)
tests_fuzz_fuzz_parsers_replay_CPPFLAGS = $(FUZZ_TREE_DEFINES) -DHCSOCI_FUZZ_TARGET='"fuzz_parsers"'
tests_fuzz_fuzz_parsers_replay_LDADD = $(FUZZ_LIBS)
endif
endif

if !OS_WINDOWS
# ---- the libFuzzer programs (built on demand, in the clang tree of `make fuzz`) ----
FUZZ_ENGINE_BINARIES = \
	tests/fuzz/fuzz_spec \
	tests/fuzz/fuzz_host_answers \
	tests/fuzz/fuzz_case_file \
	tests/fuzz/fuzz_world \
	tests/fuzz/fuzz_saved_state \
	tests/fuzz/fuzz_parsers
EXTRA_PROGRAMS += $(FUZZ_ENGINE_BINARIES)
# libFuzzer's main and engine; -no-install: the program runs as it is, without a wrapper.
FUZZ_ENGINE_LINK = $(AM_LDFLAGS) -fsanitize=fuzzer -no-install

tests_fuzz_fuzz_spec_SOURCES = tests/fuzz/fuzz_spec.c $(FUZZ_COMMON_FILES)
tests_fuzz_fuzz_spec_CPPFLAGS = $(FUZZ_TREE_DEFINES)
tests_fuzz_fuzz_spec_LDFLAGS = $(FUZZ_ENGINE_LINK)
tests_fuzz_fuzz_spec_LDADD = $(FUZZ_LIBS)

tests_fuzz_fuzz_host_answers_SOURCES = tests/fuzz/fuzz_host_answers.c $(FUZZ_COMMON_FILES)
tests_fuzz_fuzz_host_answers_CPPFLAGS = $(FUZZ_TREE_DEFINES)
tests_fuzz_fuzz_host_answers_LDFLAGS = $(FUZZ_ENGINE_LINK)
tests_fuzz_fuzz_host_answers_LDADD = $(FUZZ_LIBS)

tests_fuzz_fuzz_case_file_SOURCES = tests/fuzz/fuzz_case_file.c $(FUZZ_COMMON_FILES)
tests_fuzz_fuzz_case_file_CPPFLAGS = $(FUZZ_TREE_DEFINES)
tests_fuzz_fuzz_case_file_LDFLAGS = $(FUZZ_ENGINE_LINK)
tests_fuzz_fuzz_case_file_LDADD = $(FUZZ_LIBS)

tests_fuzz_fuzz_world_SOURCES = tests/fuzz/fuzz_world.c $(FUZZ_COMMON_FILES)
tests_fuzz_fuzz_world_CPPFLAGS = $(FUZZ_TREE_DEFINES)
tests_fuzz_fuzz_world_LDFLAGS = $(FUZZ_ENGINE_LINK)
tests_fuzz_fuzz_world_LDADD = $(FUZZ_LIBS)

tests_fuzz_fuzz_saved_state_SOURCES = tests/fuzz/fuzz_saved_state.c $(FUZZ_COMMON_FILES) \
	$(FUZZ_CLI_FILES)
tests_fuzz_fuzz_saved_state_CPPFLAGS = $(FUZZ_TREE_DEFINES) $(FUZZ_CLI_INCLUDES)
tests_fuzz_fuzz_saved_state_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
tests_fuzz_fuzz_saved_state_LDFLAGS = $(FUZZ_ENGINE_LINK)
tests_fuzz_fuzz_saved_state_LDADD = $(FUZZ_LIBS) $(FUZZ_CLI_LIBS)

tests_fuzz_fuzz_parsers_SOURCES = tests/fuzz/fuzz_parsers.c $(FUZZ_COMMON_FILES)
tests_fuzz_fuzz_parsers_CPPFLAGS = $(FUZZ_TREE_DEFINES)
tests_fuzz_fuzz_parsers_LDFLAGS = $(FUZZ_ENGINE_LINK)
tests_fuzz_fuzz_parsers_LDADD = $(FUZZ_LIBS)
endif

# ---- `make fuzz` ----
FUZZ_SECONDS = 30
FUZZ_DIR = $(abs_top_builddir)/fuzz-build
FUZZ_CC = clang
FUZZ_SANITIZERS = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CONFIGURE_FLAGS = -g -O1 -fno-omit-frame-pointer $(FUZZ_SANITIZERS) \
	-fsanitize=fuzzer-no-link
# Extra libFuzzer options for every target (`make fuzz FUZZ_OPTIONS='-jobs=2'`).
FUZZ_OPTIONS =
FUZZ_RUN_OPTIONS = -max_total_time=$(FUZZ_SECONDS) -timeout=30 -rss_limit_mb=4096 \
	-max_len=65536 -print_final_stats=1 $(FUZZ_OPTIONS)
fuzz:
	@set -e; source=$$($(SHELL) '$(abs_top_srcdir)/tools/variant_source.sh' \
	  '$(abs_top_srcdir)' '$(abs_top_builddir)' '$(FUZZ_DIR)' $(MAKE) $(AM_MAKEFLAGS)); \
	mkdir -p '$(FUZZ_DIR)/build'; cd '$(FUZZ_DIR)/build'; \
	if test ! -f Makefile; then \
	  echo "fuzz: configuring a $(FUZZ_CC) build with libFuzzer in $(FUZZ_DIR)/build"; \
	  "$$source/configure" CC='$(FUZZ_CC)' CFLAGS='$(FUZZ_CONFIGURE_FLAGS)' \
	    LDFLAGS='$(FUZZ_SANITIZERS)' >configure.out 2>&1 || { tail -n 30 configure.out; exit 1; }; \
	fi; \
	echo "fuzz: building the library, the modules and the targets in $(FUZZ_DIR)/build"; \
	$(MAKE) $(AM_MAKEFLAGS) libhcsoci.la $(plugin_LTLIBRARIES) $(FUZZ_ENGINE_BINARIES) \
	  >make.out 2>&1 || { tail -n 30 make.out; exit 1; }; \
	failed=; \
	for target in $(FUZZ_TARGETS); do \
	  corpus='$(FUZZ_DIR)'/corpus/$$target; findings='$(FUZZ_DIR)'/findings/$$target; \
	  rm -rf "$$corpus"; mkdir -p "$$corpus" "$$findings"; \
	  for seed in "$$source"/tests/fuzz/corpus/$$target/* \
	      "$$source"/tests/fuzz/regressions/$$target/*; do \
	    if test -f "$$seed"; then cp "$$seed" "$$corpus"/; fi; \
	  done; \
	  log='$(FUZZ_DIR)'/$$target.log; \
	  echo "fuzz: $$target for $(FUZZ_SECONDS) s (log: $$log)"; \
	  mkdir -p '$(FUZZ_DIR)/tmp'; \
	  if HCSOCI_TEST_BUILDDIR="$$PWD" HCSOCI_TEST_SRCDIR="$$source" TMPDIR='$(FUZZ_DIR)/tmp' \
	      ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:$$ASAN_OPTIONS" \
	      UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:$$UBSAN_OPTIONS" \
	      ./tests/fuzz/$$target $(FUZZ_RUN_OPTIONS) -dict="$$source"/tests/fuzz/json.dict \
	      -artifact_prefix="$$findings"/ \
	      "$$corpus" >"$$log" 2>&1; then \
	    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|Done)' "$$log" \
	      | tr '\n' ' '; echo; \
	  else \
	    failed="$$failed $$target"; tail -n 40 "$$log"; \
	  fi; \
	done; \
	if test -n "$$failed"; then \
	  echo "fuzz: FINDINGS in:$$failed (inputs in $(FUZZ_DIR)/findings/)"; exit 1; \
	fi; \
	echo "fuzz: no finding in $(FUZZ_TARGETS)"
.PHONY: fuzz
clean-fuzz:
	rm -rf '$(FUZZ_DIR)'
.PHONY: clean-fuzz
