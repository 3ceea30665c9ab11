#!/bin/sh
# Cross-builds hcsoci's dependencies for Windows (x86_64-w64-mingw32) from Debian source
# packages: jansson, CUnit and SQLite from `apt-get source`, libltdl from the libtool package.
# Usage: build-deps.sh CACHE_DIR
# Installs into CACHE_DIR/prefix (include/, lib/, bin/ with the DLLs). A dependency already
# built is kept: delete CACHE_DIR to start again. Needs gcc-mingw-w64-x86-64, libtool,
# libltdl-dev, autoconf, automake, tcl (SQLite's amalgamation) and dpkg-dev (apt-get source).
set -eu

HOST=x86_64-w64-mingw32
if [ $# -ne 1 ]; then
    echo "usage: $0 CACHE_DIR" >&2
    exit 2
fi
mkdir -p "$1"
CACHE=$(cd "$1" && pwd)
PREFIX="$CACHE/prefix"
SOURCES="$CACHE/sources"
mkdir -p "$PREFIX" "$SOURCES"
JOBS=$(nproc 2>/dev/null || echo 2)

say() { echo "build-deps: $*" >&2; }

# Runs a build step with its output in CACHE/NAME.log; on failure shows the log's end.
logged() {
    name=$1
    shift
    if ! "$@" > "$CACHE/$name.log" 2>&1; then
        tail -n 30 "$CACHE/$name.log" >&2
        say "$name failed; the whole log is $CACHE/$name.log"
        exit 1
    fi
}

# apt-get source without touching the machine's own apt set-up: a private sources list with
# deb-src entries and private package lists.
fetch_sources() {
    apt_dir="$CACHE/apt"
    if [ ! -f "$apt_dir/updated" ]; then
        mkdir -p "$apt_dir/lists/partial"
        list=/etc/apt/sources.list.d/debian.sources
        if [ -f "$list" ]; then
            sed 's/^Types:.*/Types: deb deb-src/' "$list" > "$apt_dir/sources.sources"
        else
            sed -n 's/^deb /deb-src /p' /etc/apt/sources.list > "$apt_dir/sources.list"
        fi
        apt_options
        logged apt-update apt-get $APT_OPTIONS update
        touch "$apt_dir/updated"
    fi
    apt_options
    logged "source-$1" sh -c "cd '$SOURCES' && apt-get $APT_OPTIONS source $*"
}

apt_options() {
    apt_dir="$CACHE/apt"
    if [ -f "$apt_dir/sources.sources" ]; then
        APT_OPTIONS="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$apt_dir"
    else
        APT_OPTIONS="-o Dir::Etc::SourceList=$apt_dir/sources.list -o Dir::Etc::SourceParts=/dev/null"
    fi
    APT_OPTIONS="$APT_OPTIONS -o Dir::State::Lists=$apt_dir/lists"
}

# The unpacked source directory of a package: the newest PACKAGE-VERSION directory.
source_dir() {
    ls -d "$SOURCES/$1"-[0-9]*/ 2>/dev/null | sort | tail -n 1
}

build_jansson() {
    [ -f "$PREFIX/lib/libjansson.a" ] && return 0
    say "jansson"
    [ -n "$(source_dir jansson)" ] || fetch_sources jansson
    src=$(source_dir jansson)
    (cd "$src" && { [ -x configure ] || autoreconf -fi >/dev/null 2>&1; })
    rm -rf "$CACHE/build-jansson" && mkdir -p "$CACHE/build-jansson"
    logged jansson sh -c "cd '$CACHE/build-jansson' &&
        '$src/configure' --host=$HOST --prefix='$PREFIX' --enable-static --enable-shared \
            --disable-dependency-tracking && make -j$JOBS && make install"
}

build_cunit() {
    [ -f "$PREFIX/lib/libcunit.a" ] && return 0
    say "CUnit"
    [ -n "$(source_dir cunit)" ] || fetch_sources cunit
    src=$(source_dir cunit)
    (cd "$src" && { [ -x configure ] || autoreconf -fi >/dev/null 2>&1; })
    rm -rf "$CACHE/build-cunit" && mkdir -p "$CACHE/build-cunit"
    logged cunit sh -c "cd '$CACHE/build-cunit' &&
        '$src/configure' --host=$HOST --prefix='$PREFIX' --enable-static --disable-shared \
            --disable-dependency-tracking && make -j$JOBS && make install"
}

# libltdl's source comes with the libtool package the native build already uses.
build_ltdl() {
    [ -f "$PREFIX/lib/libltdl.a" ] && return 0
    say "libltdl"
    src="$CACHE/ltdl-source"
    rm -rf "$src" && mkdir -p "$src"
    logged ltdl-source sh -c "cd '$src' && libtoolize --ltdl=libltdl --copy"
    rm -rf "$CACHE/build-ltdl" && mkdir -p "$CACHE/build-ltdl"
    logged ltdl sh -c "cd '$CACHE/build-ltdl' &&
        sh '$src/libltdl/configure' --host=$HOST --prefix='$PREFIX' --enable-ltdl-install \
            --enable-static --enable-shared --disable-dependency-tracking &&
        make -j$JOBS && make install"
}

# SQLite's cross configure cannot run the generators it builds, so the amalgamation is made
# natively and compiled with the cross compiler.
build_sqlite() {
    [ -f "$PREFIX/lib/libsqlite3.a" ] && return 0
    say "SQLite"
    [ -n "$(source_dir sqlite3)" ] || fetch_sources sqlite3
    src=$(source_dir sqlite3)
    rm -rf "$CACHE/build-sqlite" && mkdir -p "$CACHE/build-sqlite"
    logged sqlite sh -c "cd '$CACHE/build-sqlite' &&
        '$src/configure' --disable-tcl && make sqlite3.c &&
        $HOST-gcc -O2 -DSQLITE_THREADSAFE=1 -c sqlite3.c -o sqlite3.o &&
        $HOST-ar rcs libsqlite3.a sqlite3.o"
    cp "$CACHE/build-sqlite/sqlite3.h" "$PREFIX/include/"
    cp "$CACHE/build-sqlite/libsqlite3.a" "$PREFIX/lib/"
    version=$(sed -n 's/^#define SQLITE_VERSION *"\(.*\)"/\1/p' "$PREFIX/include/sqlite3.h")
    mkdir -p "$PREFIX/lib/pkgconfig"
    cat > "$PREFIX/lib/pkgconfig/sqlite3.pc" <<PC
prefix=$PREFIX
Name: SQLite
Description: SQL database engine (amalgamation cross-built for $HOST)
Version: $version
Libs: -L\${prefix}/lib -lsqlite3
Cflags: -I\${prefix}/include
PC
}

mkdir -p "$PREFIX/include" "$PREFIX/lib"
build_jansson
build_ltdl
build_cunit
build_sqlite
say "done: $PREFIX"
