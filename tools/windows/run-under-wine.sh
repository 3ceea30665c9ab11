#!/bin/sh
# Runs a program of a Windows (mingw-w64) build tree under Wine, as `make check` does there:
#   run-under-wine.sh PROGRAM [ARGUMENT...]
# PROGRAM is dir/name or dir/name.exe (libtool's uninstalled wrapper); the real program,
# dir/.libs/name.exe, runs when it exists. The DLLs are found through WINEPATH, made from
# HCSOCI_WINE_DLL_DIRS (Unix directories separated by spaces). Environment: WINE (the loader,
# default /usr/lib/wine/wine64), WINEPREFIX (default HCSOCI_TEST_BUILDDIR/wineprefix; made on
# first use), WINEDEBUG (default -all). Wine passes the exit status through (77 skips a test).
set -eu
if [ $# -lt 1 ]; then
    echo "usage: $0 PROGRAM [ARGUMENT...]" >&2
    exit 2
fi
program=${1%.exe}
shift
directory=$(dirname "$program")
name=$(basename "$program")
if [ -f "$directory/.libs/$name.exe" ]; then
    executable="$directory/.libs/$name.exe"
else
    executable="$program.exe"
fi
WINE=${WINE:-/usr/lib/wine/wine64}
WINEPREFIX=${WINEPREFIX:-${HCSOCI_TEST_BUILDDIR:-$(pwd)}/wineprefix}
WINEDEBUG=${WINEDEBUG:--all}
export WINEPREFIX WINEDEBUG

# Z:\ is the Unix root inside Wine.
windows_path() {
    printf 'Z:%s' "$1" | tr / '\\'
}
WINEPATH=
for dll_directory in ${HCSOCI_WINE_DLL_DIRS:-}; do
    WINEPATH="$WINEPATH${WINEPATH:+;}$(windows_path "$dll_directory")"
done
export WINEPATH

# One test makes the prefix (about 10 s) while parallel ones wait for it; a wineserver kept up
# for a minute makes each later run cost milliseconds.
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    if mkdir "$WINEPREFIX.lock" 2>/dev/null; then
        "$WINE" wineboot -i >/dev/null 2>&1 || true
        rmdir "$WINEPREFIX.lock"
    else
        while [ -d "$WINEPREFIX.lock" ]; do sleep 1; done
    fi
fi
wineserver=$(dirname "$WINE")/wineserver
[ -x "$wineserver" ] && "$wineserver" -p60 >/dev/null 2>&1 || true
exec "$WINE" "$executable" "$@"
