#!/usr/bin/env bash
# Tests of the `hcsoci` command: every command's success path on the bundled example and the
# failure paths (usage errors, bad files, hostile ids). Uses only bash, grep and the uninstalled
# hcsoci (a libtool wrapper) with the four modules of the build tree.
set -u

build_directory=${HCSOCI_TEST_BUILDDIR:-.}
source_directory=${HCSOCI_TEST_SRCDIR:-.}
program=$build_directory/hcsoci
examples=$source_directory/examples
corpus=$source_directory/tests/conformance
unset HCSOCI_PLUGIN_PATH

scratch=$(mktemp -d "${TMPDIR:-/tmp}/hcsoci-cli-test.XXXXXX") || exit 99
trap 'rm -rf "$scratch"' EXIT

plugin_options=()
for module in wcow lcow network devices; do
    plugin_options+=(--plugin-dir "$build_directory/plugins/$module/.libs")
done

passed=0
failed=0
check() { # check NAME CONDITION...: one test, passing when the condition's status is 0
    local name=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "ok - $name"
    else
        failed=$((failed + 1))
        echo "FAIL - $name"
        echo "  exit status: $status"
        sed 's/^/  stdout: /' "$scratch/out" | head -n 20
        sed 's/^/  stderr: /' "$scratch/err" | head -n 20
    fi
}

status=0
hcsoci() { # runs the program; its stdout, stderr and exit status land in out, err, $status
    "$program" "${plugin_options[@]}" "$@" >"$scratch/out" 2>"$scratch/err"
    status=$?
}

exits() { [ "$status" -eq "$1" ]; }
out_has() { grep -qF -- "$1" "$scratch/out"; }
err_has() { grep -qF -- "$1" "$scratch/err"; }
count_calls() { # count_calls ROOT CALL: how many times the journal records CALL
    if [ -f "$1/journal.jsonl" ]; then grep -c "\"call\": *\"$2\"" "$1/journal.jsonl"; else echo 0; fi
}
one_line_hint() { [ "$(wc -l <"$scratch/err")" -eq 1 ] && err_has "--help"; }

root=$scratch/root
volume='Volume{3f9e8d7c-6b5a-4c3d-8e1f-0a1b2c3d4e5f}'

# ---- help and version ----
hcsoci --version
check "--version prints the version" eval 'exits 0 && out_has "hcsoci "'
hcsoci --help
check "--help exits 0" exits 0
for word in --root --plugin-dir --world --log-level --log-format --help --version \
    create delete state list doc replay plugins netns; do
    check "--help mentions $word" out_has "$word"
done

help_options_create="--bundle --spec --schema --owner --netns --keep-resources-on-failure --scale-cpu-limits --help"
help_options_doc="--bundle --spec --schema --owner --netns --scale-cpu-limits --help"
help_options_delete="--force --help"
for command in create doc delete state list replay plugins netns; do
    hcsoci "$command" --help
    check "$command --help exits 0" eval 'exits 0 && out_has "Usage: hcsoci $command"'
    variable=help_options_$command
    for option in ${!variable:---help}; do
        check "$command --help mentions $option" out_has "$option"
    done
done
hcsoci doc --keep-resources-on-failure
check "doc refuses --keep-resources-on-failure (it saves nothing)" exits 2

# ---- usage errors: exit 2 with a one-line hint ----
hcsoci frobnicate
check "unknown command exits 2" eval 'exits 2 && one_line_hint && err_has frobnicate'
hcsoci --frobnicate list
check "unknown global option exits 2" eval 'exits 2 && one_line_hint && err_has --frobnicate'
hcsoci create --frobnicate
check "unknown create option exits 2" eval 'exits 2 && one_line_hint && err_has --frobnicate'
hcsoci list --root
check "unknown list option exits 2" eval 'exits 2 && one_line_hint'
hcsoci --root
check "global option without its argument exits 2" eval 'exits 2 && one_line_hint && err_has "needs an argument"'
hcsoci create --bundle
check "create option without its argument exits 2" eval 'exits 2 && one_line_hint && err_has --bundle'
hcsoci
check "no command exits 2" eval 'exits 2 && one_line_hint'
hcsoci --log-level loud list
check "unknown log level exits 2" eval 'exits 2 && one_line_hint && err_has loud'
hcsoci --log-format xml list
check "unknown log format exits 2" eval 'exits 2 && one_line_hint && err_has xml'
hcsoci --root "$root" create --schema 3.0 x
check "unknown schema version exits 2" eval 'exits 2 && one_line_hint && err_has 3.0'
hcsoci --root "$root" create --bundle "$examples/argon" --spec "$examples/argon/config.json" x
check "--bundle with --spec exits 2" eval 'exits 2 && one_line_hint'
hcsoci --root "$root" state
check "state without an id exits 2" eval 'exits 2 && one_line_hint'
hcsoci --root "$root" state a b
check "state with two ids exits 2" eval 'exits 2 && one_line_hint'
hcsoci --root "$root" netns list
check "unknown netns subcommand exits 2" eval 'exits 2 && one_line_hint'

# ---- hostile ids ----
for id in ../x .hidden a/b .. "a b" "$(printf 'tab\tid')" "$(printf 'x%.0s' {1..129})"; do
    hcsoci --world "$examples/world.json" --root "$root" create --bundle "$examples/argon" "$id"
    check "create refuses id '${id:0:20}'" eval 'exits 2 && err_has "invalid container id"'
done
check "a refused id wrote nothing" eval '[ ! -e "$scratch/x.json" ] && [ ! -e "$root/containers" ]'
hcsoci --root "$root" state ../x
check "state refuses id '../x'" eval 'exits 2 && err_has "invalid container id"'
hcsoci --root "$root" delete ../x
check "delete refuses id '../x'" eval 'exits 2 && err_has "invalid container id"'

# ---- bad input files ----
printf '{"ociVersion": "1.0.2",\n  "windows": {\n' >"$scratch/broken.json"
hcsoci --world "$examples/world.json" --root "$root" create --spec "$scratch/broken.json" b
check "malformed spec exits 1 naming the file and line" \
    eval 'exits 1 && err_has "$scratch/broken.json" && err_has "line 3"'
printf '[1, 2]\n' >"$scratch/array.json"
hcsoci --world "$examples/world.json" --root "$root" create --spec "$scratch/array.json" b
check "a spec that is not an object exits 1" eval 'exits 1 && err_has "must hold a JSON object"'
hcsoci --world "$examples/world.json" --root "$root" create --bundle "$scratch/no-such-bundle" b
check "missing bundle exits 1 naming it" eval 'exits 1 && err_has "$scratch/no-such-bundle"'
mkdir -p "$scratch/empty-bundle"
hcsoci --world "$examples/world.json" --root "$root" create --bundle "$scratch/empty-bundle" b
check "bundle without config.json exits 1 naming the file" \
    eval 'exits 1 && err_has "$scratch/empty-bundle/config.json"'
hcsoci --world "$scratch/broken.json" --root "$root" create --bundle "$examples/argon" b
check "malformed world exits 1 naming the file" eval 'exits 1 && err_has "$scratch/broken.json"'
hcsoci --root "$scratch/no-world" create --bundle "$examples/argon" b
check "a state directory without a world asks for --world" eval 'exits 1 && err_has "--world"'
hcsoci --root "$root" replay "$scratch/broken.json"
check "malformed case exits 1 naming the file" eval 'exits 1 && err_has "$scratch/broken.json"'
check "nothing was saved by the failures" eval '[ ! -e "$root/containers/b.json" ]'

# ---- plugins ----
hcsoci plugins
check "plugins lists the four modules" \
    eval 'exits 0 && out_has "\"name\": \"wcow\"" && out_has "\"name\": \"lcow\"" && out_has "\"name\": \"network\"" && out_has "\"name\": \"devices\""'

# ---- create, state, list, doc, delete on the example ----
hcsoci --world "$examples/world.json" --root "$root" create --bundle "$examples/argon" demo
check "create exits 0" exits 0
check "create prints the id" out_has '"id": "demo"'
check "create prints the default Owner" out_has '"Owner": "hcsoci"'
check "create prints the volume path" out_has "$volume"
check "create prints the mount" out_has '"ContainerPath": "C:\\data"'
check "create sent HcsCreateComputeSystem" eval '[ "$(count_calls "$root" HcsCreateComputeSystem)" -eq 1 ]'
check "create saved the state" test -f "$root/containers/demo.json"
check "the state directory is private" eval '[ "$(stat -c %a "$root")" = 700 ]'

hcsoci --world "$examples/world.json" --root "$root" create --bundle "$examples/argon" demo
check "create of an existing id exits 1" eval 'exits 1 && err_has "already exists"'
check "create of an existing id sent nothing" eval '[ "$(count_calls "$root" HcsCreateComputeSystem)" -eq 1 ]'

hcsoci --root "$root" state demo
check "state prints the saved state" \
    eval 'exits 0 && out_has "\"id\": \"demo\"" && out_has "\"status\": \"created\"" && out_has "\"resources\":" && out_has "$volume"'
hcsoci --root "$root" list
check "list shows the container" \
    eval 'exits 0 && out_has "\"id\": \"demo\"" && out_has "\"status\": \"created\"" && out_has "\"owner\": \"hcsoci\""'

creates_before=$(count_calls "$root" HcsCreateComputeSystem)
hcsoci --root "$root" doc --bundle "$examples/argon" --owner alice preview
check "doc prints the document" eval 'exits 0 && out_has "\"Owner\": \"alice\"" && out_has "$volume"'
check "doc creates no compute system" \
    eval '[ "$(count_calls "$root" HcsCreateComputeSystem)" -eq "$creates_before" ]'
check "doc saves no state" eval '[ ! -e "$root/containers/preview.json" ]'
hcsoci --root "$root" doc --spec "$examples/argon/config.json" --schema 1.0
check "doc --schema 1.0 prints a schema 1.0 document" \
    eval 'exits 0 && out_has "\"SystemType\": \"Container\"" && ! out_has "\"SchemaVersion\""'

unprepares_before=$(count_calls "$root" UnprepareLayer)
deactivates_before=$(count_calls "$root" DeactivateLayer)
hcsoci --root "$root" delete demo
check "delete exits 0" exits 0
check "delete unprepared the layer" \
    eval '[ "$(count_calls "$root" UnprepareLayer)" -eq $((unprepares_before + 1)) ]'
check "delete deactivated the layer" \
    eval '[ "$(count_calls "$root" DeactivateLayer)" -eq $((deactivates_before + 1)) ]'
check "delete removed the state" eval '[ ! -e "$root/containers/demo.json" ]'
hcsoci --root "$root" state demo
check "state of a deleted container exits 1" eval 'exits 1 && err_has "does not exist"'
hcsoci --root "$root" list
check "list is empty after delete" eval 'exits 0 && [ "$(tr -d " \n" <"$scratch/out")" = "[]" ]'
hcsoci --root "$root" delete demo
check "delete of an unknown id exits 1" eval 'exits 1 && err_has "does not exist"'
hcsoci --root "$root" --log-format json delete nope
check "errors follow --log-format json" eval 'exits 1 && err_has "{\"level\":\"error\",\"msg\":\"container '"'"'nope'"'"' does not exist"'

hcsoci --root "$root" create --bundle "$examples/argon"
generated=$(sed -n 's/^  "id": "\(.*\)",$/\1/p' "$scratch/out")
check "create without an id makes a GUID" \
    eval 'exits 0 && [[ "$generated" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]]'
hcsoci --root "$root" delete "$generated"
check "the generated id can be deleted" exits 0

# ---- a create that fails, with and without --keep-resources-on-failure ----
sed 's/"failCall": null/"failCall": {"call": "HcsCreateComputeSystem", "nth": 1}/' \
    "$examples/world.json" >"$scratch/failing-world.json"
check "the failing world was written" grep -q '"nth": 1' "$scratch/failing-world.json"
hcsoci --world "$scratch/failing-world.json" --root "$scratch/fail-plain" create \
    --bundle "$examples/argon" doomed
check "a failing create exits 1 with the host's error" eval 'exits 1 && err_has "Access is denied"'
check "a failing create saves no state" eval '[ ! -e "$scratch/fail-plain/containers/doomed.json" ]'
check "a failing create rolled back" \
    eval '[ "$(count_calls "$scratch/fail-plain" DeactivateLayer)" -eq 1 ]'

hcsoci --world "$scratch/failing-world.json" --root "$scratch/fail-keep" create \
    --keep-resources-on-failure --bundle "$examples/argon" kept
check "a failing create with --keep-resources-on-failure exits 1" exits 1
check "--keep-resources-on-failure did not roll back" \
    eval '[ "$(count_calls "$scratch/fail-keep" DeactivateLayer)" -eq 0 ]'
hcsoci --root "$scratch/fail-keep" state kept
check "the kept resources are saved as failed" eval 'exits 0 && out_has "\"status\": \"failed\""'
hcsoci --root "$scratch/fail-keep" delete kept
check "delete releases the kept resources" \
    eval 'exits 0 && [ "$(count_calls "$scratch/fail-keep" UnprepareLayer)" -eq 1 ] && [ "$(count_calls "$scratch/fail-keep" DeactivateLayer)" -eq 1 ]'

# ---- a release that fails, and states that cannot be read ----
sed 's/"failCall": null/"failCall": {"call": "UnprepareLayer", "nth": 1}/' \
    "$examples/world.json" >"$scratch/unprepare-world.json"
hcsoci --world "$scratch/unprepare-world.json" --root "$scratch/release" create \
    --bundle "$examples/argon" stuck
check "create in a world whose first UnprepareLayer fails" exits 0
hcsoci --root "$scratch/release" delete stuck
check "a failed release exits 1 and keeps the state" \
    eval 'exits 1 && err_has "UnprepareLayer" && [ -f "$scratch/release/containers/stuck.json" ]'
hcsoci --root "$scratch/release" delete stuck
check "deleting again releases what was left" \
    eval 'exits 0 && [ ! -e "$scratch/release/containers/stuck.json" ] && [ "$(count_calls "$scratch/release" UnprepareLayer)" -eq 2 ] && [ "$(count_calls "$scratch/release" DeactivateLayer)" -eq 1 ]'

echo 'garbage' >"$scratch/release/containers/junk.json"
hcsoci --root "$scratch/release" list
check "list skips an unreadable state with a warning" \
    eval 'exits 0 && [ "$(tr -d " \n" <"$scratch/out")" = "[]" ] && err_has "junk.json"'
hcsoci --root "$scratch/release" state junk
check "state of an unreadable state exits 1 naming the file and line" \
    eval 'exits 1 && err_has "junk.json" && err_has "line 1"'
hcsoci --root "$scratch/release" delete junk
check "delete of an unreadable state exits 1 and keeps it" \
    eval 'exits 1 && [ -f "$scratch/release/containers/junk.json" ]'
hcsoci --root "$scratch/release" delete --force junk
check "delete --force removes an unreadable state" \
    eval 'exits 0 && [ ! -e "$scratch/release/containers/junk.json" ] && err_has "--force"'
hcsoci --root "$scratch/release" delete --force never-was
check "delete --force of an unknown id exits 1" eval 'exits 1 && err_has "does not exist"'

# ---- logging ----
sed 's/"2048"/"lots"/' "$examples/argon/config.json" >"$scratch/bad-annotation.json"
hcsoci --world "$examples/world.json" --root "$scratch/log" doc --spec "$scratch/bad-annotation.json"
check "a warning is logged as text" eval 'exits 0 && err_has "level=warn msg=" && ! out_has "level="'
hcsoci --root "$scratch/log" --log-format json doc --spec "$scratch/bad-annotation.json"
check "a warning is logged as a JSON line" eval 'exits 0 && err_has "{\"level\":\"warn\",\"msg\":"'
hcsoci --root "$scratch/log" --log-level error doc --spec "$scratch/bad-annotation.json"
check "--log-level error hides warnings" eval 'exits 0 && [ ! -s "$scratch/err" ]'

# ---- netns ----
cat >"$scratch/network-world.json" <<'EOF'
{
  "hnsEndpoints": [
    {
      "ID": "5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1",
      "Name": "ep-one",
      "VirtualNetwork": "7a6b5c4d-0000-0000-0000-0000000000e1",
      "VirtualNetworkName": "nat",
      "MacAddress": "00-15-5D-52-C0-01",
      "IPAddress": "172.28.16.10",
      "PrefixLength": 20,
      "GatewayAddress": "172.28.16.1",
      "DNSSuffix": "corp.example",
      "DNSServerList": "172.28.16.1,8.8.8.8",
      "EnableLowMetric": false,
      "EncapOverhead": 0,
      "Namespace": {"ID": "9b8a7c6d-0000-4000-8000-0000000000a1", "IsDefault": false}
    }
  ],
  "hnsNamespaces": {
    "9b8a7c6d-0000-4000-8000-0000000000a1": ["5e1f2a3b-0001-4c5d-8e9f-aaaaaaaaaaa1"]
  }
}
EOF
hcsoci plugins
network_supported=yes
grep -q '"description": "HNS.*not supported by this build' "$scratch/out" && network_supported=no
hcsoci --world "$scratch/network-world.json" --root "$scratch/net" netns endpoints \
    9b8a7c6d-0000-4000-8000-0000000000a1
if [ "$network_supported" = yes ]; then
    check "netns endpoints prints the namespace's endpoints" \
        eval 'exits 0 && out_has "\"Name\": \"ep-one\"" && out_has "172.28.16.10"'
else
    check "netns endpoints reports the placeholder network module" \
        eval 'exits 1 && [ ! -s "$scratch/out" ] && err_has "not supported by this build"'
fi
hcsoci --root "$scratch/net" netns endpoints 9b8a7c6d-0000-4000-8000-00000000ffff
check "netns endpoints of an unknown namespace exits 1" eval 'exits 1 && [ ! -s "$scratch/out" ]'
if [ "$network_supported" = yes ]; then
    check "netns endpoints names the unknown namespace" \
        eval 'err_has "network namespace 9b8a7c6d-0000-4000-8000-00000000ffff not found"'
fi

# ---- replay ----
hcsoci --root /nonexistent/hcsoci replay "$corpus/cases/001-argon-v2-basic.json"
check "replay exits 0 without touching --root" eval 'exits 0 && [ ! -e /nonexistent/hcsoci ]'
check "replay prints the trace of case 001" \
    eval 'out_has "\"call\": \"HcsCreateComputeSystem\"" && out_has "\"id\": \"c-argon-v2\"" && out_has "\"error\": null" && out_has "\"releaseError\": null"'
check "replay's output is the expected file of case 001" \
    cmp -s "$scratch/out" "$corpus/expected/001-argon-v2-basic.json"
hcsoci replay "$corpus/cases/043-argon-fail-create-compute-system.json"
expected_error=$(grep -m1 '^  "error": ' "$corpus/expected/043-argon-fail-create-compute-system.json")
check "replay of a failing case prints its error and exits 0" \
    eval 'exits 0 && [ -n "$expected_error" ] && out_has "$expected_error" && out_has "\"releaseCalls\": null"'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
