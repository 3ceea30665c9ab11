#!/bin/sh
# `make check-windows`: with one wineserver kept up for the whole run,
#   1. the Windows unit tests (HCSOCI_WINDOWS_UNIT_CHECK, the Windows build's `make check`
#      under Wine; empty: skipped with a note),
#   2. the bundle, moved elsewhere, finds its modules and corpus (HCSOCI_WINDOWS_BUNDLE),
#   3. the recorder's own check: each expected trace's calls made into the recording DLL must
#      come back as expected (tests/windows/replay --recorder-check),
#   4. every case of each CORPUS/cases replayed with hcsoci.exe (tests/windows/replay) and
#      compared with CORPUS/expected by windows_trace compare.
# One line per case and a summary; fails on any difference.
#
#   check_windows.sh CORPUS...   (HCSOCI_BUILD_DIR and HCSOCI_WINDOWS_BUILD set, see replay)
set -u
[ $# -ge 1 ] || { echo "usage: check_windows.sh CORPUS..." >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
build_dir=${HCSOCI_BUILD_DIR:?HCSOCI_BUILD_DIR must be the native build directory}
tool=$build_dir/tests/windows/windows_trace
export WINEPREFIX="${WINEPREFIX:-$build_dir/tests/windows/wineprefix}"
export WINEDEBUG=-all
wineserver=${WINESERVER:-/usr/lib/wine/wineserver}
wine=${WINE:-/usr/lib/wine/wine64}
[ -d "${HCSOCI_WINDOWS_BUILD:-}" ] ||
    { echo "check-windows: no Windows build at '${HCSOCI_WINDOWS_BUILD:-}' (run 'make windows')" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/check-windows.XXXXXX") || exit 2
# The wineserver this run started (for this prefix only) ends with it.
cleanup() {
    "$wineserver" -k >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$WINEPREFIX"
if [ ! -f "$WINEPREFIX/hcsoci-prefix-ready" ]; then
    "$wine" wineboot --init >/dev/null 2>&1 && : >"$WINEPREFIX/hcsoci-prefix-ready" ||
        { echo "check-windows: cannot make the Wine prefix $WINEPREFIX" >&2; exit 2; }
fi
"$wineserver" -p >/dev/null 2>&1

failed=0

# 1. The Windows unit tests.
if [ -n "${HCSOCI_WINDOWS_UNIT_CHECK:-}" ]; then
    if sh -c "$HCSOCI_WINDOWS_UNIT_CHECK" >"$work/unit.log" 2>&1; then
        echo "PASS: Windows unit tests"
    else
        echo "FAIL: Windows unit tests (last lines of their output:)"
        tail -n 20 "$work/unit.log" | sed 's/^/    /'
        failed=$((failed + 1))
    fi
else
    echo "SKIP: Windows unit tests (HCSOCI_WINDOWS_UNIT_CHECK is empty)"
fi

# 2. The bundle (HCSOCI_WINDOWS_BUNDLE, made by `make windows-bundle`; empty: skipped), moved to
#    another folder and run from there with no WINEPATH: hcsoci.exe finds its modules in
#    bin\plugins and replays a case, hcsoci-conformance.exe finds the corpus in share\.
check_bundle() {
    moved=$work/moved/hcsoci
    mkdir -p "$work/moved" && cp -R "$HCSOCI_WINDOWS_BUNDLE" "$moved" || return 1
    first_case=$(ls "$moved"/share/hcsoci/conformance/cases/*.json | head -n 1)
    (cd "$work" && WINEPATH= "$wine" "$moved/bin/hcsoci.exe" plugins) >"$work/bundle.log" 2>&1 ||
        return 1
    for module in wcow lcow network devices; do
        grep -q "moved.*plugins.*$module\.dll" "$work/bundle.log" || return 1
    done
    (cd "$work" && WINEPATH= "$wine" "$moved/bin/hcsoci.exe" replay "$first_case") \
        >"$work/bundle.log" 2>&1 && grep -q '"calls"' "$work/bundle.log" || return 1
    (cd "$work" && WINEPATH= "$wine" "$moved/bin/hcsoci-conformance.exe" \
        --case "$(basename "$first_case" .json)") >"$work/bundle.log" 2>&1
}
if [ -z "${HCSOCI_WINDOWS_BUNDLE:-}" ]; then
    echo "SKIP: the bundle (HCSOCI_WINDOWS_BUNDLE is empty)"
elif check_bundle; then
    echo "PASS: the bundle, moved, finds its modules and its corpus"
else
    echo "FAIL: the bundle, moved (last lines of its output:)"
    tail -n 10 "$work/bundle.log" | sed 's/^/    /'
    failed=$((failed + 1))
fi

# check_case MODE CORPUS CASE: one line, PASS or FAIL with the first difference.
check_case() {
    mode=$1
    corpus=$2
    case_file=$3
    name=$(basename "$case_file")
    expected=$corpus/expected/$name
    if [ "$mode" = recorder ]; then
        label="recorder $name"
        set -- --recorder-check "$expected" "$case_file"
    else
        label=$name
        set -- "$case_file"
    fi
    if ! "$here/replay" "$@" >"$work/actual.json" 2>"$work/replay.err"; then
        echo "FAIL: $label: could not run: $(tail -n 1 "$work/replay.err")"
        return 1
    fi
    if ! "$tool" compare "$expected" "$work/actual.json" "$case_file" 2>"$work/compare.err"; then
        echo "FAIL: $label: $(head -n 1 "$work/compare.err")"
        return 1
    fi
    echo "PASS: $label"
    return 0
}

total=0
case_failures=0
for corpus in "$@"; do
    for mode in recorder program; do
        for case_file in "$corpus"/cases/*.json; do
            total=$((total + 1))
            check_case "$mode" "$corpus" "$case_file" || case_failures=$((case_failures + 1))
        done
    done
done
failed=$((failed + case_failures))
echo "check-windows: $((total - case_failures)) of $total case runs passed" \
    "($((total / 2)) cases, recorder check and program replay)"
[ "$failed" -eq 0 ]
