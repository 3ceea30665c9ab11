#!/usr/bin/env bash
# Kill safety: creates killed with SIGKILL after a random short delay, process isolated and in
# a Linux utility VM, then every container left (created, or "creating" where a kill came
# between the commits of a create that commits each resource) deletes without --force and the simulated host holds nothing any more: every held
# count 0 (delete also closes the compute systems), none below. No temporary file is left in the
# state directory (the store's write-ahead log stays, as SQLite keeps it).
set -u

build_directory=${HCSOCI_TEST_BUILDDIR:-.}
source_directory=${HCSOCI_TEST_SRCDIR:-.}
program=$build_directory/hcsoci
examples=$source_directory/examples
unset HCSOCI_PLUGIN_PATH
runs=${HCSOCI_KILL_RUNS:-30} # per kind of container: 60 in all

scratch=$(mktemp -d "${TMPDIR:-/tmp}/hcsoci-kill-test.XXXXXX") || exit 99
trap 'rm -rf "$scratch"' EXIT
plugin_options=()
for module in wcow lcow network devices; do
    plugin_options+=(--plugin-dir "$build_directory/plugins/$module/.libs")
done
hcsoci() { "$program" "${plugin_options[@]}" --root "$scratch/root" "$@"; }
# The libtool wrapper is a script: kill the program it runs, not only the wrapper.
program_binary=$build_directory/.libs/hcsoci
[ -x "$program_binary" ] || program_binary=$program
export LD_LIBRARY_PATH=$build_directory/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
raw() { exec "$program_binary" "${plugin_options[@]}" --root "$scratch/root" "$@"; } # in a ( )

failed=0
fail() { echo "FAIL - $1"; failed=$((failed + 1)); }

# A world with the LCOW layer file, and a Linux spec on the example's layers.
sed 's/^  "files": {$/  "files": {\n    "C:\\\\ProgramData\\\\docker\\\\windowsfilter\\\\b0c1a2e3f4base\\\\layer.vhd": "file",/' \
    "$examples/world.json" >"$scratch/world.json"
cat >"$scratch/linux.json" <<'SPEC'
{"ociVersion": "1.0.2", "process": {"args": ["sh"], "cwd": "/"}, "linux": {},
 "windows": {"layerFolders": ["C:\\ProgramData\\docker\\windowsfilter\\b0c1a2e3f4base",
                              "C:\\ProgramData\\docker\\windowsfilter\\e3f4a5b6c7scratch"]},
 "mounts": [{"destination": "/data", "source": "C:\\data\\example", "options": ["ro"]}]}
SPEC
hcsoci --world "$scratch/world.json" uvm create --os linux vml >/dev/null || fail "uvm create"

# Every other create commits each resource as it records it, as with the Windows host (ids
# e...); the others make the whole create one transaction, as the simulated host does (ids t...).
killed=0
for run in $(seq 1 "$runs"); do
    for kind in argon linux; do
        mode=t
        [ $((run % 2)) -eq 0 ] && mode=e
        if [ "$kind" = argon ]; then
            (if [ $mode = e ]; then export HCSOCI_TEST_COMMIT_EACH_CHANGE=1; fi
             raw create --bundle "$examples/argon" "${mode}a$run" >/dev/null 2>&1) &
        else
            (if [ $mode = e ]; then export HCSOCI_TEST_COMMIT_EACH_CHANGE=1; fi
             raw create --spec "$scratch/linux.json" --uvm vml "${mode}l$run" >/dev/null 2>&1) &
        fi
        pid=$!
        # 0 to 8 ms in steps of 10 µs (a create takes about 5): before, during and after its
        # commits.
        sleep "$(printf '0.%05d' $((RANDOM % 800)))"
        kill -KILL "$pid" 2>/dev/null && killed=$((killed + 1))
        wait "$pid" 2>/dev/null
    done
done
echo "# $killed of $((2 * runs)) creates were killed"

hcsoci list >"$scratch/list" || fail "list"
creating=$(grep -c '"status": "creating"' "$scratch/list")
# A container is listed as an "id" line followed by its "status" line.
if grep -A1 '"id": "t' "$scratch/list" | grep -q '"status": "creating"'; then
    fail "a create made in one transaction was left creating"
fi
echo "# $(grep -c "\"id\":" "$scratch/list") containers were saved, $creating of them left creating"
for id in $(sed -n 's/^    "id": "\(.*\)",$/\1/p' "$scratch/list"); do
    hcsoci delete "$id" 2>"$scratch/err" || { fail "delete $id: $(cat "$scratch/err")"; }
done
hcsoci list >"$scratch/list"
[ "$(tr -d ' \n' <"$scratch/list")" = "[]" ] || fail "containers are left after the deletes"
hcsoci uvm delete vml || fail "uvm delete"
hcsoci host inspect >"$scratch/world" || fail "host inspect"
# The held counts: "name": N lines inside "held".
sed -n '/"held": {/,/^  }/p' "$scratch/world" | grep -E '^ *"[A-Za-z]+": -?[0-9]+' >"$scratch/held"
[ -s "$scratch/held" ] || fail "host inspect shows no held counts"
if grep -vqE ': 0,?$' "$scratch/held"; then
    fail "the host still holds something: $(tr -d '\n' <"$scratch/held")"
fi
grep -q '"modifications": {}' "$scratch/world" || fail "the host still holds VM modifications"
# The store and SQLite's own write-ahead log and its index; nothing else.
leftovers=$(find "$scratch/root" -mindepth 1 ! -name state.db ! -name state.db-wal \
    ! -name state.db-shm)
[ -z "$leftovers" ] || fail "files left in the state directory: $leftovers"

[ "$failed" -eq 0 ] && echo "ok - kill safety" 
[ "$failed" -eq 0 ]
