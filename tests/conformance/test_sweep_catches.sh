#!/bin/sh
# The kit's allocation and release sweeps must catch what nothing else does.
# tests/plugins/careless_builder builds corpus case 008's document exactly but ignores one
# allocation failure: the corpus test and the host-call sweep pass for it; the allocation sweep
# must fail, name the allocation and the missing field, and make the kit exit non-zero.
# tests/plugins/careless_network is the network module with a release that hides HNS failures
# (its entry leaves the ledger and is never tried again): for case 020 the corpus test and the
# create's sweeps pass; the release sweep must fail and name the release call.
set -u
builddir=${HCSOCI_TEST_BUILDDIR:-.}
srcdir=${HCSOCI_TEST_SRCDIR:-.}
case_name=008-argon-v2-root-path-given
failures=0

check() {
    description=$1
    shift
    if "$@"; then
        echo "ok - $description"
    else
        echo "not ok - $description"
        failures=$((failures + 1))
    fi
}

unset HCSOCI_PLUGIN_PATH
output=$(${HCSOCI_KIT_LAUNCHER:-} "$builddir/hcsoci-conformance" --no-installed-modules \
    --plugin "$builddir/tests/plugins/.libs/careless_builder.so" \
    --cases "$srcdir/tests/conformance" --case "$case_name" --faults 2>&1)
status=$?
printf '%s\n' "$output" > "$builddir/tests/conformance/test_sweep_catches.out"

# The verbose CUnit result of test $2 in suite $1: "passed" or "FAILED" (empty when absent).
# CUnit prints it after the test's name, on the same line or after the test's messages.
result_of() {
    printf '%s\n' "$output" | awk -v suite="Suite: $1" -v test="  Test: $2 ..." '
        index($0, "Suite: ") == 1 { in_suite = ($0 == suite); next }
        in_suite && index($0, test) == 1 { waiting = 1; $0 = substr($0, length(test) + 1) }
        waiting && /^(passed|FAILED)/ { print $1; exit }'
}

check "the kit exits non-zero" test "$status" -ne 0
check "the corpus test of $case_name passes" test "$(result_of corpus "$case_name")" = passed
check "the host-call sweep of $case_name passes" \
    test "$(result_of 'fault sweep' "$case_name")" = passed
check "the allocation sweep of $case_name fails" \
    test "$(result_of 'allocation sweep' "$case_name")" = FAILED
check "the failure names the allocation and the missing field" \
    eval 'printf "%s\n" "$output" | grep -q "^FAIL $case_name: allocation [0-9]* of [0-9]* failing: releasing on failure: the create succeeded but made other host calls: .*ShouldTerminateOnLastHandleClosed"'
check "the allocation table counts failures not survived" \
    eval 'printf "%s\n" "$output" | grep -Eq "^$case_name +([0-9]+) +([0-9]+)$" &&
          printf "%s\n" "$output" | awk -v c="$case_name" "\$1 == c && NF == 3 && \$3 < \$2 { ok = 1 } END { exit !ok }"'

network_case=020-argon-v2-network-create-namespace
network_output=$(${HCSOCI_KIT_LAUNCHER:-} "$builddir/hcsoci-conformance" --no-installed-modules \
    --plugin "$builddir/plugins/wcow/.libs/wcow.so" \
    --plugin "$builddir/tests/plugins/.libs/careless_network.so" \
    --plugin "$builddir/plugins/devices/.libs/devices.so" \
    --cases "$srcdir/tests/conformance" --case "$network_case" --faults 2>&1)
network_status=$?
printf '%s\n' "$network_output" >> "$builddir/tests/conformance/test_sweep_catches.out"
output=$network_output
check "with the careless network module the kit exits non-zero" test "$network_status" -ne 0
check "the corpus test of $network_case passes" test "$(result_of corpus "$network_case")" = passed
for sweep in 'fault sweep' 'allocation sweep'; do
    check "the $sweep of $network_case passes" test "$(result_of "$sweep" "$network_case")" = passed
done
check "the release sweep of $network_case fails" \
    test "$(result_of 'release sweep' "$network_case")" = FAILED
hidden='the first release reported success although a host call failed'
check "the failure names the release call that was hidden" \
    eval 'printf "%s\n" "$output" | grep -q "^FAIL $network_case: release call 1 (HNSCall) failing: $hidden"'

[ "$failures" -eq 0 ] || printf '%s\n' "$output" | tail -40
exit $((failures != 0))
