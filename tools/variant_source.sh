#!/bin/sh
# Prints the source tree that a variant build (`make windows`, `make check-tsan`) configures from.
#   variant_source.sh TOP_SRCDIR TOP_BUILDDIR VARIANT_DIR MAKE...
# An out-of-tree build's own source directory serves. A tree configured in place cannot be
# configured a second time, so a copy of its distribution (`make distdir`) is made in
# VARIANT_DIR/source; it is replaced, and VARIANT_DIR/build (configured from it) removed, only
# when the sources changed, so that the variant's build stays incremental.
set -eu
[ $# -ge 4 ] || { echo "usage: $0 TOP_SRCDIR TOP_BUILDDIR VARIANT_DIR MAKE..." >&2; exit 2; }
top_srcdir=$1 top_builddir=$2 variant_dir=$3
shift 3
if [ "$top_srcdir" != "$top_builddir" ]; then
    echo "$top_srcdir"
    exit 0
fi
mkdir -p "$variant_dir"
rm -rf "$variant_dir/source.new"
"$@" distdir distdir="$variant_dir/source.new" >/dev/null
if [ -d "$variant_dir/source" ] &&
    diff -r -q "$variant_dir/source" "$variant_dir/source.new" >/dev/null; then
    rm -rf "$variant_dir/source.new"
else
    rm -rf "$variant_dir/source" "$variant_dir/build"
    mv "$variant_dir/source.new" "$variant_dir/source"
fi
echo "$variant_dir/source"
