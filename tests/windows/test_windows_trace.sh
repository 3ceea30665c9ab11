#!/bin/sh
# Native test of tests/windows/windows_trace (part of `make check`): assemble, compare (each
# rule with a crafted trace that must fail), get and setup.
set -u
builddir=${HCSOCI_TEST_BUILDDIR:-.}
tool="$builddir/tests/windows/windows_trace"
work=$(mktemp -d "${TMPDIR:-/tmp}/windows-trace-test.XXXXXX") || exit 99
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect STATUS DESCRIPTION COMMAND...: the command must exit with STATUS.
expect() {
    wanted=$1
    what=$2
    shift 2
    "$@" >"$work/out" 2>"$work/err"
    got=$?
    if [ "$got" -ne "$wanted" ]; then
        fail "$what: exit $got, wanted $wanted"
        sed 's/^/    /' "$work/err" >&2
    fi
}

mkdir -p "$work/cases" "$work/expected"
cat >"$work/cases/001-x.json" <<'EOF'
{"options": {"id": "c-1"}, "host": {"build": 20348, "processorCount": 8,
 "programDir": "C:\\Program Files\\hcsoci",
 "layerIds": {"C:\\l\\base": "8d2a4c6e-1111-4a5b-9c3d-000000000001"},
 "files": {"C:\\data\\d": "dir", "C:\\data\\d\\f": "file", "C:\\data\\big": {"size": 4096},
           "C:\\ProgramData\\docker\\x": "dir", "\\\\.\\PhysicalDrive2": "file"}}}
EOF
cat >"$work/expected/001-x.json" <<'EOF'
{"calls": [
  {"call": "NameToGuid", "args": {"name": "base"}, "hr": "0x00000000",
   "returned": {"guid": "8d2a4c6e-1111-4a5b-9c3d-000000000001"}},
  {"call": "HcsCreateComputeSystem", "args": {"id": "c-1", "configuration":
   {"A": "ffffffff-0000-4000-8000-000000000001", "B": "ffffffff-0000-4000-8000-000000000001"}},
   "hr": "0x00000000", "returned": {"computeSystem": "c-1"}}],
 "error": null,
 "releaseCalls": [{"call": "HcsModifyComputeSystem", "args": {"computeSystem": "c-1"},
                   "hr": "0x80070005"}],
 "releaseError": "failed"}
EOF
# The log as the recording DLL writes it, with D7 calls mixed in and random GUIDs of its own.
cat >"$work/log" <<'EOF'
{"call":"NameToGuid","args":{"name":"base"},"hr":"0x00000000","returned":{"guid":"8d2a4c6e-1111-4a5b-9c3d-000000000001"},"phase":"create"}
{"call":"HcsOpenComputeSystem","args":{"id":"uvm"},"hr":"0x00000000","returned":{"computeSystem":"uvm"},"phase":"create"}
{"call":"HcsCreateComputeSystem","args":{"id":"c-1","configuration":{"A":"0a1b2c3d-0000-4000-8000-00000000abcd","B":"0a1b2c3d-0000-4000-8000-00000000abcd"}},"hr":"0x00000000","returned":{"computeSystem":"c-1"},"phase":"create"}
{"call":"HcsModifyComputeSystem","args":{"computeSystem":"c-1"},"hr":"0x80070005","phase":"release"}
{"call":"HcsCloseComputeSystem","args":{"computeSystem":"c-1"},"hr":"0x00000000","phase":"release"}
{"handlesLeftOpen":[]}
EOF
echo '{"calls": null, "error": null, "releaseCalls": null, "releaseError": "failed"}' \
    >"$work/replay.json"

expect 0 "assemble" "$tool" assemble "$work/log" "$work/replay.json"
cp "$work/out" "$work/actual.json"
grep -q '"handlesLeftOpen": \[\]' "$work/actual.json" || fail "assemble: no empty handlesLeftOpen"
grep -q '"phase"' "$work/actual.json" && fail "assemble: phase left in the calls"
expect 0 "compare: the matching trace (D7 calls left out, GUIDs renamed)" \
    "$tool" compare "$work/expected/001-x.json" "$work/actual.json"
expect 0 "compare: the case given explicitly" \
    "$tool" compare "$work/expected/001-x.json" "$work/actual.json" "$work/cases/001-x.json"

# variant NAME SED-EXPRESSION WANTED-TEXT: a log changed by the expression must not match, and
# the difference printed must contain the text.
variant() {
    sed "$2" "$work/log" >"$work/log.$1"
    "$tool" assemble "$work/log.$1" "$work/replay.json" >"$work/actual.$1" 2>"$work/err" ||
        { fail "$1: assemble failed"; return; }
    expect 1 "compare: $1" "$tool" compare "$work/expected/001-x.json" "$work/actual.$1"
    grep -qF -- "$3" "$work/err" || { fail "$1: difference does not mention '$3'"; cat "$work/err" >&2; }
}
variant hr 's/"hr":"0x80070005"/"hr":"0x00000000"/' 'releaseCalls[0] (HcsModifyComputeSystem): args.hr'
variant returned 's/"returned":{"computeSystem":"c-1"}/"returned":{"computeSystem":"c-2"}/' \
    'calls[1] (HcsCreateComputeSystem): args.returned.computeSystem'
variant case-guid 's/8d2a4c6e-1111-4a5b-9c3d-000000000001"},"phase"/8d2a4c6e-1111-4a5b-9c3d-000000000009"},"phase"/' \
    'args.returned.guid'
variant renaming 's/"B":"0a1b2c3d-0000-4000-8000-00000000abcd"/"B":"0a1b2c3d-0000-4000-8000-00000000ffff"/' \
    'args.args.configuration.B'
variant handle-left-open 's/"handlesLeftOpen":\[\]/"handlesLeftOpen":["compute system c-1"]/' \
    'compute system c-1'
variant phase 's/"hr":"0x80070005","phase":"release"/"hr":"0x80070005","phase":"create"/' \
    'calls'
variant extra-call '2s/HcsOpenComputeSystem/HcsTerminateComputeSystem/' 'HcsTerminateComputeSystem'
# No handlesLeftOpen line at all: the DLL was never unloaded.
grep -v handlesLeftOpen "$work/log" >"$work/log.unloaded"
"$tool" assemble "$work/log.unloaded" "$work/replay.json" >"$work/actual.unloaded"
expect 1 "compare: no handlesLeftOpen line" \
    "$tool" compare "$work/expected/001-x.json" "$work/actual.unloaded"
grep -q "never unloaded" "$work/err" || fail "no handlesLeftOpen: message"
# A recording error in the log: assemble refuses.
echo '{"recordingError":"HCSOCI_RECORDING_CASE is not set"}' >"$work/log.error"
expect 2 "assemble: recordingError" "$tool" assemble "$work/log.error" "$work/replay.json"
grep -q "HCSOCI_RECORDING_CASE is not set" "$work/err" || fail "recordingError: message"
expect 2 "assemble: a log line that is not JSON" sh -c \
    'echo "{not json" >"$1/log.bad" && "$2" assemble "$1/log.bad" "$1/replay.json"' \
    sh "$work" "$tool"
expect 2 "assemble: not a replay output" "$tool" assemble "$work/log" "$work/log"
expect 2 "bad usage" "$tool" frobnicate

# get
expect 0 "get host.build" "$tool" get "$work/cases/001-x.json" host.build
[ "$(cat "$work/out")" = 20348 ] || fail "get host.build printed $(cat "$work/out")"
expect 0 "get host.programDir" "$tool" get "$work/cases/001-x.json" host.programDir
[ "$(cat "$work/out")" = 'C:\Program Files\hcsoci' ] || fail "get programDir: $(cat "$work/out")"
expect 1 "get a missing member" "$tool" get "$work/cases/001-x.json" host.nothing
grep -q "'host.nothing' is missing" "$work/err" || fail "get missing: message"

expect 0 "json of a member" "$tool" json "$work/expected/001-x.json" releaseError
[ "$(cat "$work/out")" = '"failed"' ] || fail "json releaseError: $(cat "$work/out")"
expect 0 "json of null" "$tool" json "$work/expected/001-x.json" error
[ "$(cat "$work/out")" = null ] || fail "json error: $(cat "$work/out")"

# setup: files made, leftovers of the previous case removed, devices as symlinks.
drive_c="$work/prefix/drive_c"
dosdevices="$work/prefix/dosdevices"
mkdir -p "$drive_c/windows" "$dosdevices"
mkdir -p "$drive_c/data/left-over" "$drive_c/ProgramData/docker/old"
expect 0 "setup" "$tool" setup "$work/cases/001-x.json" "$drive_c" "$dosdevices"
[ -d "$drive_c/data/d" ] || fail "setup: dir"
[ -f "$drive_c/data/d/f" ] && [ ! -s "$drive_c/data/d/f" ] || fail "setup: empty file"
[ "$(wc -c <"$drive_c/data/big")" -eq 4096 ] || fail "setup: sized file"
[ -e "$drive_c/data/left-over" ] && fail "setup: the root C:\\data was not emptied"
[ -e "$drive_c/ProgramData/docker/old" ] && fail "setup: C:\\ProgramData\\docker was not emptied"
[ -d "$drive_c/windows" ] || fail "setup: removed C:\\windows"
[ -L "$dosdevices/physicaldrive2" ] && [ -f "$dosdevices/physicaldrive2" ] ||
    fail "setup: device link"
# The next case removes what this one made.
printf '%s\n' '{"host": {"files": {"C:\\other\\x": "dir"}}}' >"$work/cases/002-y.json"
expect 0 "setup again" "$tool" setup "$work/cases/002-y.json" "$drive_c" "$dosdevices"
[ -e "$drive_c/data" ] && fail "setup again: previous root C:\\data left"
[ -e "$dosdevices/physicaldrive2" ] && fail "setup again: previous device left"
[ -d "$drive_c/other/x" ] || fail "setup again: dir"
printf '%s\n' '{"host": {"files": {"C:\\windows\\system32\\x": "file"}}}' >"$work/cases/003-z.json"
expect 2 "setup refuses C:\\windows" "$tool" setup "$work/cases/003-z.json" "$drive_c" "$dosdevices"
grep -qF 'C:\windows\system32\x' "$work/err" || fail "setup refusal names the path"

if [ "$failures" -ne 0 ]; then
    echo "$failures failures" >&2
    exit 1
fi
echo "windows_trace: all checks passed"
