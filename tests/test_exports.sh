#!/bin/sh
# libhcsoci exports exactly the functions of its installed headers: the names of
# core/libhcsoci.map are what the built library exports, every function the headers declare is
# in the map (and nothing else is), and the Debian symbols file lists the same.
set -u
builddir=${HCSOCI_TEST_BUILDDIR:-.}
srcdir=${HCSOCI_TEST_SRCDIR:-.}
scratch=$(mktemp -d) || exit 1
trap 'rm -rf "$scratch"' EXIT
failures=0

sed -n 's/^ *\(hcsoci_[a-z0-9_]*\);$/\1/p' "$srcdir/core/libhcsoci.map" | sort >"$scratch/map"
# Defined dynamic symbols, without the version node's own name.
library=$builddir/.libs/libhcsoci.so
nm -D --defined-only "$library" | awk '$2 != "A" { sub(/@.*/, "", $3); print $3 }' |
    sort -u >"$scratch/exported"
# Function names the headers declare: a name followed by "(" that is not a pointer's "(*".
grep -ohP '\bhcsoci_[a-z0-9_]+(?=\s*\((?!\s*\*))' "$srcdir"/core/include/hcsoci/*.h |
    sort -u >"$scratch/declared"

compare() {
    description=$1
    if diff -u "$2" "$3" >"$scratch/diff"; then
        echo "ok - $description"
    else
        echo "not ok - $description"
        sed 's/^/#   /' "$scratch/diff"
        failures=$((failures + 1))
    fi
}

[ -s "$scratch/map" ] || { echo "not ok - core/libhcsoci.map lists no function"; exit 1; }
compare "the library exports exactly the map's functions (- map, + exported)" \
    "$scratch/map" "$scratch/exported"
compare "the map lists exactly the installed headers' functions (- map, + declared)" \
    "$scratch/map" "$scratch/declared"
# The Debian symbols file names the same functions (debian/ is not in the release tarball).
if [ -f "$srcdir/debian/libhcsoci0.symbols" ]; then
    sed -n 's/^ \(hcsoci_[a-z0-9_]*\)@HCSOCI_0 .*/\1/p' "$srcdir/debian/libhcsoci0.symbols" |
        sort >"$scratch/symbols"
    compare "debian/libhcsoci0.symbols lists exactly the map's functions (- map, + symbols)" \
        "$scratch/map" "$scratch/symbols"
fi
if nm -D --defined-only "$library" | grep -q ' hcsoci_create_container@@HCSOCI_0$'; then
    echo "ok - the functions carry the version node HCSOCI_0"
else
    echo "not ok - the functions carry the version node HCSOCI_0"
    failures=$((failures + 1))
fi
exit $((failures != 0))
