#!/bin/sh
# make check's run of hcsoci-conformance: the built-in modules of the build tree, the corpus of
# the source tree (every case), the fault sweep, and a JUnit report in the build tree.
set -u
builddir=${HCSOCI_TEST_BUILDDIR:-.}
srcdir=${HCSOCI_TEST_SRCDIR:-.}

# ---- KNOWN FAILURES: bugs in other parts of hcsoci that the kit found and that are not fixed
# yet. Each is reported as KNOWN in the output instead of failing make check; remove an entry as
# soon as it is fixed (the kit prints a NOTE for an entry that no longer fails).
# Faults not survived, as CASE:K (K = the 1-based host call of the create that fails):
KNOWN_FAULTS="
"
# Contract tests, one per line, as "contract: MODULE: TEST":
KNOWN_CONTRACT_FAILURES="
"

set -- --no-installed-modules --faults --cases "$srcdir/tests/conformance" \
    --junit "$builddir/tests/conformance/conformance-junit.xml"
for module in wcow lcow network devices; do
    set -- "$@" --plugin-dir "$builddir/plugins/$module/.libs"
done
for fault in $KNOWN_FAULTS; do set -- "$@" --known-fault "$fault"; done
saved_ifs=$IFS
IFS='
'
for failure in $KNOWN_CONTRACT_FAILURES; do set -- "$@" --known-failure "$failure"; done
IFS=$saved_ifs

mkdir -p "$builddir/tests/conformance"
unset HCSOCI_PLUGIN_PATH
# HCSOCI_KIT_LAUNCHER runs the kit under a tool, e.g.
#   HCSOCI_KIT_LAUNCHER="./libtool --mode=execute valgrind --leak-check=full --error-exitcode=1"
exec ${HCSOCI_KIT_LAUNCHER:-} "$builddir/hcsoci-conformance" "$@"
