#!/bin/sh
# `make windows`: the whole Windows build from a native configured tree.
#   build.sh SOURCE_DIR WINDOWS_DIR
# 1. cross-builds the dependencies from Debian source packages into WINDOWS_DIR/deps (kept
#    between runs: build-deps.sh skips what is there);
# 2. configures SOURCE_DIR for x86_64-w64-mingw32 with warnings as errors in WINDOWS_DIR/build
#    (once: later runs only rebuild);
# 3. builds hcsoci, its modules, the kit, the recording vmcompute.dll and the test programs.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 SOURCE_DIR WINDOWS_DIR" >&2; exit 2; }
source_dir=$(cd "$1" && pwd)
mkdir -p "$2"
windows_dir=$(cd "$2" && pwd)
host=x86_64-w64-mingw32
jobs=$(nproc 2>/dev/null || echo 2)

command -v $host-gcc >/dev/null ||
    { echo "make windows: $host-gcc not found (apt-get install gcc-mingw-w64-x86-64)" >&2; exit 1; }
sh "$source_dir/tools/windows/build-deps.sh" "$windows_dir/deps"
deps=$windows_dir/deps/prefix

mkdir -p "$windows_dir/build"
cd "$windows_dir/build"
if [ ! -f Makefile ]; then
    echo "make windows: configuring for $host in $windows_dir/build" >&2
    "$source_dir/configure" --host=$host --enable-werror \
        PKG_CONFIG_LIBDIR="$deps/lib/pkgconfig" \
        CPPFLAGS="-I$deps/include" LDFLAGS="-L$deps/lib" > configure.out 2>&1 ||
        { tail -n 30 configure.out >&2; exit 1; }
fi
make -j"$jobs"
make -j"$jobs" check TESTS=
