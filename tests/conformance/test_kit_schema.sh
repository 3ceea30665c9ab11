#!/bin/sh
# The kit reports a module's documents that the core's HCS schema check refuses, naming the
# module, the document and each problem with its JSON path, one a line.
# tests/plugins/invalid_builder builds documents with six kinds of mistake; its create
# document (case 001) and its modify request in a Windows utility VM (case 049 with the
# annotation test.invalid.modify, in a copy of the corpus) must be reported so.
set -u
builddir=${HCSOCI_TEST_BUILDDIR:-.}
srcdir=${HCSOCI_TEST_SRCDIR:-.}
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

# A corpus of two cases: 001 as it is, 049 asking the builder for its invalid modify request.
corpus=$builddir/tests/conformance/test_kit_schema.corpus
rm -rf "$corpus" && mkdir -p "$corpus/cases" "$corpus/expected" || exit 1
for name in 001-argon-v2-basic 049-xenon-v2-basic; do
    cp "$srcdir/tests/conformance/expected/$name.json" "$corpus/expected/" || exit 1
done
cp "$srcdir/tests/conformance/cases/001-argon-v2-basic.json" "$corpus/cases/" || exit 1
sed 's/^  "spec": {$/&"annotations": {"test.invalid.modify": "yes"},/' \
    "$srcdir/tests/conformance/cases/049-xenon-v2-basic.json" \
    > "$corpus/cases/049-xenon-v2-basic.json" || exit 1
check "the copy of case 049 asks for the invalid modify request" \
    grep -q '"test.invalid.modify"' "$corpus/cases/049-xenon-v2-basic.json"

unset HCSOCI_PLUGIN_PATH
output=$(${HCSOCI_KIT_LAUNCHER:-} "$builddir/hcsoci-conformance" --no-installed-modules \
    --plugin "$builddir/plugins/wcow/.libs/wcow.so" \
    --plugin "$builddir/plugins/devices/.libs/devices.so" \
    --plugin "$builddir/plugins/network/.libs/network.so" \
    --plugin "$builddir/tests/plugins/.libs/invalid_builder.so" \
    --cases "$corpus" 2>&1)
status=$?
printf '%s\n' "$output" > "$builddir/tests/conformance/test_kit_schema.out"
lines() {
    printf '%s\n' "$output" | grep -F -x -- "$1" >/dev/null
}
refused='the core'"'"'s HCS schema check refused a document before it was sent'
vpci_path=VirtualMachine/Devices/VirtualPci/ffffffff-0000-4000-8000-000000000009

check "the kit exits non-zero" test "$status" -ne 0
check "case 001 names the module and the create document" \
    lines "FAIL 001-argon-v2-basic: $refused: module invalid_builder: create document"
for problem in \
    'Container.Storage.Layers[0].Id: "not-a-guid" is not a GUID' \
    'Container.Storage.Layers[0].Path: expected a string, got 5' \
    'Container.Storage.Layers[1].Path: missing required field' \
    'Container.Processor.Cuont: unknown field' \
    'Container.MappedPipes[0]: expected an object, got 7' \
    'Container.AssignedDevices[0].Type: "Bogus" is not one of "ClassGuid", "DeviceInstance", '\
'"GpuMirror"'
do
    check "case 001 reports $problem" lines "    $problem"
done
check "case 049 names the module and the modify request's resource path" \
    lines "FAIL 049-xenon-v2-basic: $refused: module invalid_builder: modify request $vpci_path"
for problem in \
    'RequestType: "Attach" is not one of "Add", "Remove", "Update"' \
    'Settings.Functions[0].DeviceInstancePath: expected a string, got 5' \
    'Settings.Bus: unknown field' \
    'GuestRequest.Settings.Layers[0].Path: missing required field' \
    'GuestRequest.RequestType: missing required field'
do
    check "case 049 reports $problem" lines "    $problem"
done

rm -rf "$corpus"
[ "$failures" -eq 0 ] || printf '%s\n' "$output" | tail -40
exit $((failures != 0))
