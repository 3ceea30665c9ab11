#!/usr/bin/env bash
# Writes that fail fail the command with a clear error and leave the store as it was: a delete
# on a full disk keeps the container, and the same delete succeeds once there is space again.
# The disk is a 2 MB tmpfs filled up when this may mount one (root), and in any case a file
# size limit (ulimit -f, SIGXFSZ ignored) that makes the store's writes fail.
set -u

build_directory=${HCSOCI_TEST_BUILDDIR:-.}
source_directory=${HCSOCI_TEST_SRCDIR:-.}
program=$build_directory/hcsoci
examples=$source_directory/examples
unset HCSOCI_PLUGIN_PATH

scratch=$(mktemp -d "${TMPDIR:-/tmp}/hcsoci-disk-test.XXXXXX") || exit 99
mounted=
cleanup() {
    [ -n "$mounted" ] && umount "$mounted"
    rm -rf "$scratch"
}
trap cleanup EXIT
plugin_options=()
for module in wcow lcow network devices; do
    plugin_options+=(--plugin-dir "$build_directory/plugins/$module/.libs")
done
status=0
hcsoci() { # hcsoci ROOT ARGS...: stdout, stderr and exit status land in out, err, $status
    local root=$1
    shift
    "$program" "${plugin_options[@]}" --root "$root" "$@" >"$scratch/out" 2>"$scratch/err"
    status=$?
}
passed=0
failed=0
check() {
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "ok - $name"
    else
        failed=$((failed + 1))
        echo "FAIL - $name"
        echo "  exit status: $status"
        sed 's/^/  stderr: /' "$scratch/err" | head -n 5
    fi
}
exits() { [ "$status" -eq "$1" ]; }
err_has() { grep -qF -- "$1" "$scratch/err"; }
lists() { # lists ROOT ID: list shows container ID
    "$program" --root "$1" list | grep -qF "\"id\": \"$2\""
}
holds_no_layers() { # holds_no_layers ROOT: the host's held layers are 0
    "$program" --root "$1" host inspect >"$scratch/world" &&
        grep -q '"activatedLayers": 0' "$scratch/world" &&
        grep -q '"preparedLayers": 0' "$scratch/world"
}

# ---- a file size limit ----
root=$scratch/limited
hcsoci "$root" --world "$examples/world.json" create --bundle "$examples/argon" c1
check "create before the limit" exits 0
# A new write-ahead log starts empty: 4 KB is less than one delete writes to it.
(trap '' XFSZ; ulimit -f 4; exec "$program" "${plugin_options[@]}" --root "$root" delete c1) \
    >"$scratch/out" 2>"$scratch/err"
status=$?
check "delete past the file size limit fails with a clear error" \
    eval 'exits 1 && err_has "cannot save state in $root/state.db: "'
check "and keeps the container" lists "$root" c1
check "and the host still holds its layers" eval '! holds_no_layers "$root"'
(trap '' XFSZ; ulimit -f 4; exec "$program" "${plugin_options[@]}" --root "$root" \
    create --bundle "$examples/argon" c2) >"$scratch/out" 2>"$scratch/err"
status=$?
check "create past the file size limit fails with a clear error" \
    eval 'exits 1 && err_has "cannot save state in $root/state.db: "'
check "and saves nothing" eval '! lists "$root" c2'
hcsoci "$root" delete c1
check "the same delete succeeds without the limit" exits 0
check "and the host holds no layers any more" holds_no_layers "$root"

# ---- a full 2 MB tmpfs ----
disk=$scratch/disk
mkdir -p "$disk"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=2m,mode=0700 tmpfs "$disk" 2>/dev/null; then
    mounted=$disk
    root=$disk/root
    hcsoci "$root" --world "$examples/world.json" create --bundle "$examples/argon" c1
    check "create on the tmpfs" exits 0
    dd if=/dev/zero of="$disk/filler" bs=4k 2>/dev/null
    hcsoci "$root" delete c1
    check "delete on a full disk fails: database or disk is full" \
        eval 'exits 1 && err_has "cannot save state in $root/state.db: database or disk is full"'
    rm -f "$disk/filler"
    check "and keeps the container" lists "$root" c1
    check "and the host still holds its layers" eval '! holds_no_layers "$root"'
    hcsoci "$root" delete c1
    check "the same delete succeeds once space is free" exits 0
    check "and the host holds no layers any more" holds_no_layers "$root"
else
    echo "# skipped the tmpfs part: mounting needs root"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
