#!/bin/sh
# `make windows-bundle`: the folder to copy to a Windows host, made from the Windows build.
#   bundle.sh WINDOWS_DIR BUNDLE_DIR
# BUNDLE_DIR is the Windows build installed with prefix BUNDLE_DIR, without libtool's .la
# files, plus the DLLs the programs import from outside Windows (jansson, libltdl, winpthread)
# in bin\: bin\hcsoci.exe, bin\hcsoci-conformance.exe, bin\libhcsoci-0.dll, bin\plugins\ (the
# four module DLLs), share\hcsoci\conformance\ (the corpus), include\ and lib\ (the headers,
# the import library and hcsoci.pc, for module authors). The programs find the modules and the
# corpus from their own folder, so the bundle works wherever it is copied.
set -eu
[ $# -eq 2 ] || { echo "usage: $0 WINDOWS_DIR BUNDLE_DIR" >&2; exit 2; }
windows_dir=$(cd "$1" && pwd)
[ -f "$windows_dir/build/Makefile" ] ||
    { echo "make windows-bundle: no Windows build in $windows_dir/build (run 'make windows')" >&2; exit 1; }
bundle=$2
staging=$(mktemp -d "${TMPDIR:-/tmp}/hcsoci-bundle.XXXXXX")
trap 'rm -rf "$staging"' EXIT
make -C "$windows_dir/build" install DESTDIR="$staging" prefix=/hcsoci >"$staging/install.log" 2>&1 ||
    { tail -n 20 "$staging/install.log" >&2; exit 1; }
rm "$staging/install.log"
find "$staging" -name "*.la" -delete
rm -f "$staging"/hcsoci/bin/plugins/*.dll.a
cp "$windows_dir/deps/prefix/bin/libjansson-4.dll" "$windows_dir/deps/prefix/bin/libltdl-7.dll" \
    "$(x86_64-w64-mingw32-gcc -print-file-name=libwinpthread-1.dll)" "$staging/hcsoci/bin/"
rm -rf "$bundle"
mkdir -p "$(dirname "$bundle")"
mv "$staging/hcsoci" "$bundle"
echo "make windows-bundle: $bundle"
