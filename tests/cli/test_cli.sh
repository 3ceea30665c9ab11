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
    "$program" --root "$1" journal | grep -c "\"call\": *\"$2\""
}
has_state() { # has_state ROOT ID: the store holds container ID
    "$program" --root "$1" state "$2" >/dev/null 2>&1
}
has_uvm() { # has_uvm ROOT ID: the store holds utility VM ID
    "$program" --root "$1" uvm inspect "$2" >/dev/null 2>&1
}
store_sql() { # store_sql ROOT SQL: changes the store behind the command's back (sqlite3)
    sqlite3 "$1/state.db" "$2"
}
one_line_hint() { [ "$(wc -l <"$scratch/err")" -eq 1 ] && err_has "--help"; }

root=$scratch/root
volume='Volume{3f9e8d7c-6b5a-4c3d-8e1f-0a1b2c3d4e5f}'

# ---- help and version ----
hcsoci --version
check "--version prints the version" eval 'exits 0 && out_has "hcsoci "'
hcsoci --help
check "--help exits 0" exits 0
for word in --root --plugin-dir --world --host --log-level --log-format --help --version \
    create delete state list doc validate replay plugins netns uvm; do
    check "--help mentions $word" out_has "$word"
done

help_options_create="--bundle --spec --schema --owner --netns --uvm --keep-resources-on-failure --scale-cpu-limits --help"
help_options_doc="--bundle --spec --schema --owner --netns --uvm --scale-cpu-limits --help"
help_options_delete="--force --help"
help_options_validate="--kind --json --help container-config compute-system modify-windows
    modify-linux service-settings property-query inferred"
for command in create doc delete state list validate replay plugins netns; do
    hcsoci "$command" --help
    check "$command --help exits 0" eval 'exits 0 && out_has "Usage: hcsoci $command"'
    variable=help_options_$command
    for option in ${!variable:---help}; do
        check "$command --help mentions $option" out_has "$option"
    done
done
for command in create doc; do
    hcsoci "$command" --help
    check "$command --help gives the spec file size limit" out_has "at most 16 MiB"
done
hcsoci doc --keep-resources-on-failure
check "doc refuses --keep-resources-on-failure (it saves nothing)" exits 2
hcsoci uvm --help
check "uvm --help lists the subcommands" \
    eval 'exits 0 && out_has "Usage: hcsoci uvm" && out_has create && out_has inspect && out_has delete && out_has list'
help_options_uvm_create="--os --owner --processors --scsi-controllers --vpmem-count --vpmem-size --physically-backed --devices-physically-backed --namespace-add-request-supported --help"
help_options_uvm_delete="--force --help"
for subcommand in create inspect delete list; do
    hcsoci uvm "$subcommand" --help
    check "uvm $subcommand --help exits 0" eval 'exits 0 && out_has "Usage: hcsoci uvm $subcommand"'
    variable=help_options_uvm_$subcommand
    for option in ${!variable:---help}; do
        check "uvm $subcommand --help mentions $option" out_has "$option"
    done
done

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
hcsoci --host cloud list
check "unknown --host exits 2" eval 'exits 2 && one_line_hint && err_has cloud'
hcsoci --root "$scratch/windows-host" --host windows list
check "--host windows in a build without the Windows host fails clearly, creating nothing" \
    eval 'exits 1 && err_has "--host windows: this build of hcsoci has no Windows host" && [ ! -e "$scratch/windows-host" ]'
hcsoci --root "$scratch/sim-host" --world "$examples/world.json" --host sim create --bundle "$examples/argon" sim-one
check "--host sim keeps the simulated host in the store" \
    eval 'exits 0 && [ "$(count_calls "$scratch/sim-host" HcsCreateComputeSystem)" -eq 1 ]'
hcsoci --root "$scratch/sim-host" create --bundle "$examples/argon" sim-two
check "the default host is the simulated one of the store" \
    eval 'exits 0 && [ "$(count_calls "$scratch/sim-host" HcsCreateComputeSystem)" -eq 2 ]'
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
hcsoci --root "$root" uvm
check "uvm without a subcommand exits 2" eval 'exits 2 && one_line_hint'
hcsoci --root "$root" uvm start vm
check "unknown uvm subcommand exits 2" eval 'exits 2 && one_line_hint && err_has start'
hcsoci --root "$root" uvm create --os windows --frobnicate vm
check "unknown uvm create option exits 2" eval 'exits 2 && one_line_hint && err_has --frobnicate'


# ---- hostile ids ----
# Without the id check ROOT/containers/<id>.json would land in ROOT (../x), in the scratch
# directory (../../x), beside it (../../../<escape>), or under ROOT/containers (a/b, .., an
# absolute path): every file under the scratch directory and the escape's path are checked.
escape=hcsoci-cli-escape-$$
escaped_file=$(dirname "$scratch")/$escape.json
files_under_scratch() { find "$scratch" -mindepth 1 ! -name out ! -name err | sort; }
files_before=$(files_under_scratch)
for id in ../x ../../x "../../../$escape" .hidden a/b .. "a b" "$(printf 'tab\tid')" "/x" \
    "$scratch/absolute" "$(printf 'x%.0s' {1..129})"; do
    hcsoci --world "$examples/world.json" --root "$root" create --bundle "$examples/argon" "$id"
    check "create refuses id '${id:0:20}'" eval 'exits 2 && err_has "invalid container id"'
done
check "a refused id wrote nothing, in ROOT or outside it" \
    eval '[ "$(files_under_scratch)" = "$files_before" ] && [ ! -e "$root" ] && [ ! -e "$escaped_file" ]'
hcsoci --world "$examples/world.json" --root "$root" create --bundle "$examples/argon" \
    "$(printf 'x%.0s' {1..129})"
check "create refuses a 129-character id naming the limit" \
    eval 'exits 2 && err_has "invalid container id '"'"'xxxxxxxx" && err_has "...'"'"': longer than 128 characters"'
# A saved state where ../x would find it: state must not print it nor delete remove it.
mkdir -p "$root/containers"
printf '{"id": "x", "status": "created", "resources": {"containerId": "x", "entries": []}}\n' \
    >"$root/x.json"
hcsoci --root "$root" state ../x
check "state refuses id '../x' and reads nothing" \
    eval 'exits 2 && err_has "invalid container id" && [ ! -s "$scratch/out" ]'
hcsoci --root "$root" delete ../x
check "delete refuses id '../x' and removes nothing" \
    eval 'exits 2 && err_has "invalid container id" && [ -f "$root/x.json" ]'
hcsoci --root "$root" delete --force ../x
check "delete --force refuses id '../x' and removes nothing" \
    eval 'exits 2 && err_has "invalid container id" && [ -f "$root/x.json" ]'
rm -rf "$root"

# ---- the id length limit ----
longest_id=$(printf 'a%.0s' {1..128})
hcsoci --world "$examples/world.json" --root "$scratch/long" create --bundle "$examples/argon" \
    "$longest_id"
check "create takes a 128-character id" \
    eval 'exits 0 && out_has "\"id\": \"$longest_id\"" && has_state "$scratch/long" "$longest_id"'
hcsoci --root "$scratch/long" state "$longest_id"
check "state takes a 128-character id" eval 'exits 0 && out_has "\"id\": \"$longest_id\""'
hcsoci --root "$scratch/long" delete "$longest_id"
check "delete takes a 128-character id" \
    eval 'exits 0 && ! has_state "$scratch/long" "$longest_id"'
hcsoci --root "$scratch/long" state "$longest_id"
check "state of a deleted 128-character id says it does not exist" \
    eval 'exits 1 && err_has "container '"'"'$longest_id'"'"' does not exist"'
hcsoci --root "$scratch/long" delete "$longest_id"
check "delete of a deleted 128-character id exits 1" eval 'exits 1 && err_has "does not exist"'

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
# Spec files are refused above 16 MiB (16777216 bytes) before they are parsed; sparse files
# make the sizes cheaply. At the limit the file is parsed (and its zero bytes are not JSON).
truncate -s 16777217 "$scratch/huge.json"
hcsoci --world "$examples/world.json" --root "$root" create --spec "$scratch/huge.json" b
check "a spec file one byte over 16 MiB is refused naming the file, its size and the limit" \
    eval 'exits 1 && err_has "spec file '"'"'$scratch/huge.json'"'"' is 16777217 bytes, more than the limit of 16777216 bytes (16 MiB)"'
mkdir -p "$scratch/huge-bundle"
truncate -s 200M "$scratch/huge-bundle/config.json"
hcsoci --world "$examples/world.json" --root "$root" doc --bundle "$scratch/huge-bundle"
check "doc refuses a 200 MB config.json of a bundle" \
    eval 'exits 1 && err_has "spec file '"'"'$scratch/huge-bundle/config.json'"'"' is 209715200 bytes"'
truncate -s 16777216 "$scratch/huge.json"
hcsoci --world "$examples/world.json" --root "$root" create --spec "$scratch/huge.json" b
check "a spec file of exactly 16 MiB is parsed" \
    eval 'exits 1 && err_has "invalid JSON in spec file" && ! err_has "limit"'
head -c 16777217 /dev/zero | tr '\0' ' ' |
    hcsoci --world "$examples/world.json" --root "$root" create --spec /dev/stdin b
check "a spec read from a pipe stops at the limit" \
    eval 'exits 1 && err_has "spec file '"'"'/dev/stdin'"'"' is more than the limit of 16777216 bytes (16 MiB)"'
rm -rf "$scratch/huge.json" "$scratch/huge-bundle"
check "nothing was saved by the failures" eval '! has_state "$root" "b"'

# ---- plugins ----
# The four modules of the build tree, in --plugin-dir order, with what each matches (their
# versions and descriptions aside).
cat >"$scratch/expected-plugins" <<'EOF'
name=wcow kind=builder abi=1.1
  spec=windows schema=1.0 hostingSystem=none priority=100
  spec=windows schema=2.1 hostingSystem=none priority=100
  spec=windows schema=2.1 hostingSystem=windows priority=100
name=lcow kind=builder abi=1.1
  spec=linux schema=1.0 hostingSystem=none priority=100
  spec=linux schema=1.0 hostingSystem=windows priority=100
  spec=linux schema=1.0 hostingSystem=linux priority=100
  spec=linux schema=2.1 hostingSystem=none priority=100
  spec=linux schema=2.1 hostingSystem=windows priority=100
  spec=linux schema=2.1 hostingSystem=linux priority=100
name=network kind=network abi=1.1
name=devices kind=devices abi=1.1
EOF
plugins_summary() { # one line per module and one per match, from the plugins output
    sed -n -e 's/^    "\(name\|kind\|abi\)": "\(.*\)",$/\1=\2/p' \
        -e 's/^        "\(spec\|schema\|hostingSystem\)": "\(.*\)",$/\1=\2/p' \
        -e 's/^        "priority": \([0-9]*\)$/priority=\1/p' "$scratch/out" |
        while read -r field; do
            case $field in
            name=*) printf '%s%s' "${separator-}" "$field" ;;
            spec=*) printf '\n  %s' "$field" ;;
            *) printf ' %s' "$field" ;;
            esac
            separator=$'\n'
        done
}
hcsoci plugins
check "plugins lists the four modules of the build tree and what they match" \
    eval 'exits 0 && [ "$(plugins_summary)" = "$(cat "$scratch/expected-plugins")" ]'
for module in wcow lcow network devices; do
    check "plugins gives the path of $module" \
        out_has "\"path\": \"$(cd "$build_directory/plugins/$module/.libs" && pwd)/$module.so\""
done
check "plugins describes the network module as working" \
    eval 'out_has "\"description\": \"HNS network namespaces and endpoints\"" && ! out_has "not supported by this build"'

# ---- create, state, list, doc, delete on the example ----
# In a new store, before any reading command or sqlite3 (which make the index file).
hcsoci --world "$examples/world.json" --root "$scratch/fresh-store" create --bundle "$examples/argon" demo
check "a changing command keeps the write-ahead log's index in memory" \
    eval 'exits 0 && [ -e "$scratch/fresh-store/state.db-wal" ] && [ ! -e "$scratch/fresh-store/state.db-shm" ]'
check "the write-ahead log is private" \
    eval '[ "$(stat -c %a "$scratch/fresh-store/state.db-wal")" = 600 ]'

hcsoci --world "$examples/world.json" --root "$root" create --bundle "$examples/argon" demo
check "create exits 0" exits 0
check "create prints the id" out_has '"id": "demo"'
check "create prints the default Owner" out_has '"Owner": "hcsoci"'
check "create prints the volume path" out_has "$volume"
check "create prints the mount" out_has '"ContainerPath": "C:\\data"'
check "create sent HcsCreateComputeSystem" eval '[ "$(count_calls "$root" HcsCreateComputeSystem)" -eq 1 ]'
check "create saved the state" has_state "$root" "demo"
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
check "doc saves no state" eval '! has_state "$root" "preview"'
# ---- validate: a document against the HCS schema ----
valid_document=$scratch/valid.json
printf '%s' '{"Owner":"o","SchemaVersion":{"Major":2,"Minor":1},"Container":{"Storage":' \
    '{"Layers":[{"Id":"8d2a4c6e-1111-4a5b-9c3d-000000000001","Path":"C:\\l"}]}}}' \
    >"$valid_document"
hcsoci validate "$valid_document"
check "validate accepts a conforming document: exit 0, nothing on stdout" \
    eval 'exits 0 && [ ! -s "$scratch/out" ] && err_has "conforms (compute-system)"'
printf '%s' '{"SchemaVersion":{"Major":2,"Minor":1},"Container":{"Storage":{"Layers":' \
    '[{"Id":"not-a-guid","Path":5}]},"Processor":{"Cuont":2}}}' >"$scratch/invalid.json"
hcsoci validate "$scratch/invalid.json"
check "validate prints each problem with its path and exits 1" \
    eval 'exits 1 && out_has "Container.Storage.Layers[0].Id: \"not-a-guid\" is not a GUID" &&
          out_has "Container.Storage.Layers[0].Path: expected a string, got 5" &&
          out_has "Container.Processor.Cuont: unknown field" &&
          [ "$(wc -l <"$scratch/out")" -eq 3 ] &&
          err_has "3 problems"'
hcsoci validate --json "$scratch/invalid.json"
check "validate --json reports the kind and the problems" \
    eval 'exits 1 && out_has "\"kind\": \"compute-system\"" && out_has "\"valid\": false" &&
          out_has "Container.Processor.Cuont: unknown field"'
hcsoci validate --kind container-config "$valid_document"
check "validate --kind checks against the kind given" \
    eval 'exits 1 && out_has "SystemType: missing required field"'
printf '%s' '{"GuestRequest":{"RequestType":"Add","ResourceType":"VPMemDevice",' \
    '"Settings":{"MountPath":"/run/layers/p0"}}}' >"$scratch/vpmem.json"
hcsoci validate "$scratch/vpmem.json"
check "validate infers a Linux guest's modify request" eval 'exits 0 && err_has "(modify-linux)"'
hcsoci validate --kind modify-windows "$scratch/vpmem.json"
check "which a Windows guest does not take" \
    eval 'exits 1 && out_has "is not a resource type of a Windows guest"'
printf '{"SchemaVersion":' >"$scratch/malformed.json"
hcsoci validate "$scratch/malformed.json"
check "validate of malformed JSON exits 2 naming the place" \
    eval 'exits 2 && err_has "invalid JSON" && err_has "line 1"'
hcsoci validate "$scratch/absent.json"
check "validate of a missing file exits 2" eval 'exits 2 && err_has "cannot read"'
hcsoci validate --kind frobnicate "$valid_document"
check "validate of an unknown kind exits 2" eval 'exits 2 && err_has "unknown document kind"'
printf '{"Name":"x"}' >"$scratch/shapeless.json"
hcsoci validate "$scratch/shapeless.json"
check "validate of a document whose kind cannot be told exits 2" \
    eval 'exits 2 && err_has "give --kind"'
hcsoci validate
check "validate without a file exits 2" eval 'exits 2 && one_line_hint'
hcsoci validate "$valid_document" extra
check "validate of two files exits 2" eval 'exits 2 && err_has "unexpected argument"'
# doc checks what it prints: a module whose document breaks the schema is refused.
invalid_modules=$scratch/invalid-modules
mkdir -p "$invalid_modules" && chmod go-w "$invalid_modules"
cp "$build_directory/tests/plugins/.libs/invalid_builder.so" "$invalid_modules/"
chmod go-w "$invalid_modules/invalid_builder.so"
hcsoci --plugin-dir "$invalid_modules" --root "$root" doc --bundle "$examples/argon" invalid
check "doc refuses a module's document that breaks the schema, naming module and paths" \
    eval 'exits 1 && [ ! -s "$scratch/out" ] &&
          err_has "module invalid_builder: create document does not conform to the HCS schema" &&
          err_has "Container.Storage.Layers[0].Path: expected a string, got 5"'
check "and creates nothing" \
    eval '[ "$(count_calls "$root" HcsCreateComputeSystem)" -eq "$creates_before" ]'

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
check "delete removed the state" eval '! has_state "$root" "demo"'
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
hcsoci --world "$scratch/failing-world.json" --root "$scratch/fail-plain" create \
    --bundle "$examples/argon" doomed
"$program" --root "$scratch/fail-plain" host inspect >"$scratch/fail-plain.world"
check "the command saved the failing world in ROOT/state.db" \
    eval 'tr -d " \n" <"$scratch/fail-plain.world" | grep -qF "\"failCall\":{\"call\":\"HcsCreateComputeSystem\",\"nth\":1}"'
check "the failing create sent HcsCreateComputeSystem once" \
    eval '[ "$(count_calls "$scratch/fail-plain" HcsCreateComputeSystem)" -eq 1 ]'
check "a failing create exits 1 with the host's error" eval 'exits 1 && err_has "Access is denied"'
check "a failing create saves no state" eval '! has_state "$scratch/fail-plain" "doomed"'
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
    eval 'exits 1 && err_has "UnprepareLayer" && has_state "$scratch/release" "stuck"'
hcsoci --root "$scratch/release" delete stuck
check "deleting again releases what was left" \
    eval 'exits 0 && ! has_state "$scratch/release" "stuck" && [ "$(count_calls "$scratch/release" UnprepareLayer)" -eq 2 ] && [ "$(count_calls "$scratch/release" DeactivateLayer)" -eq 1 ]'

store_sql "$scratch/release" "INSERT INTO containers VALUES ('junk', 'garbage')"
hcsoci --root "$scratch/release" list
check "list skips an unreadable state with a warning" \
    eval 'exits 0 && [ "$(tr -d " \n" <"$scratch/out")" = "[]" ] && err_has "skipping container '"'"'junk'"'"'"'
hcsoci --root "$scratch/release" state junk
check "state of an unreadable state exits 1 naming the store" \
    eval 'exits 1 && err_has "cannot parse the saved junk in $scratch/release/state.db"'
hcsoci --root "$scratch/release" delete junk
check "delete of an unreadable state exits 1 and keeps it" \
    eval 'exits 1 && [ "$(store_sql "$scratch/release" "SELECT count(*) FROM containers WHERE id = '"'"'junk'"'"'")" -eq 1 ]'
hcsoci --root "$scratch/release" delete --force junk
check "delete --force removes an unreadable state" \
    eval 'exits 0 && ! has_state "$scratch/release" "junk" && err_has "--force"'
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
hcsoci --world "$scratch/network-world.json" --root "$scratch/net" netns endpoints \
    9b8a7c6d-0000-4000-8000-0000000000a1
check "netns endpoints prints the namespace's endpoints" \
    eval 'exits 0 && out_has "\"Name\": \"ep-one\"" && out_has "172.28.16.10"'
hcsoci --root "$scratch/net" netns endpoints 9b8a7c6d-0000-4000-8000-00000000ffff
check "netns endpoints of an unknown namespace exits 1 naming it" \
    eval 'exits 1 && [ ! -s "$scratch/out" ] && err_has "network namespace 9b8a7c6d-0000-4000-8000-00000000ffff not found"'

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

# ---- utility VMs ----
uvm_root=$scratch/uvm
hcsoci --root "$uvm_root" uvm create --os windows --owner vm-owner --processors 4 \
    --scsi-controllers 2 --physically-backed --devices-physically-backed vmw
check "uvm create exits 0 and prints the VM" \
    eval 'exits 0 && out_has "\"id\": \"vmw\"" && out_has "\"os\": \"windows\"" && out_has "\"owner\": \"vm-owner\""'
check "uvm create sets the properties given" \
    eval 'out_has "\"processorCount\": 4" && out_has "\"scsiControllerCount\": 2" && out_has "\"physicallyBacked\": true" && out_has "\"devicesPhysicallyBacked\": true" && out_has "\"namespaceAddRequestSupported\": false"'
check "a windows VM has no vPMEM" eval 'out_has "\"vpmemMaxCount\": 0" && out_has "\"vpmemMaxSizeBytes\": 0"'
check "a new VM's counters start at 0" eval 'out_has "\"containerCounter\": 0" && out_has "\"vsmbCounter\": 0"'
cp "$scratch/out" "$scratch/created-vm.json"
check "uvm create saved ROOT/uvm-vmw.json" has_uvm "$uvm_root" "vmw"
hcsoci --root "$uvm_root" journal
check "uvm create made no host call and needs no world" eval 'exits 0 && [ ! -s "$scratch/out" ]'
hcsoci --root "$uvm_root" host inspect
check "host inspect of a store without a simulated host exits 1" \
    eval 'exits 1 && err_has "holds no simulated host yet"'
hcsoci --root "$uvm_root" uvm inspect vmw
check "uvm inspect prints the state uvm create printed" \
    eval 'exits 0 && cmp -s "$scratch/out" "$scratch/created-vm.json"'

hcsoci --root "$uvm_root" uvm create --os linux --namespace-add-request-supported vml
check "a linux VM gets the reference's vPMEM defaults" \
    eval 'exits 0 && out_has "\"vpmemMaxCount\": 64" && out_has "\"vpmemMaxSizeBytes\": 4294967296" && out_has "\"namespaceAddRequestSupported\": true" && out_has "\"processorCount\": 2" && out_has "\"scsiControllerCount\": 1" && out_has "\"owner\": \"hcsoci\""'
hcsoci --root "$uvm_root" uvm create --os linux --vpmem-count 0 --vpmem-size 1048576 vml2
check "uvm create takes --vpmem-count and --vpmem-size" \
    eval 'exits 0 && out_has "\"vpmemMaxCount\": 0" && out_has "\"vpmemMaxSizeBytes\": 1048576"'
hcsoci --root "$uvm_root" uvm list
check "uvm list shows the VMs sorted" \
    eval 'exits 0 && [ "$(grep -o "\"id\": \"[a-z0-9]*\"" "$scratch/out" | tr -d "\n")" = "\"id\": \"vml\"\"id\": \"vml2\"\"id\": \"vmw\"" ]'

hcsoci --root "$uvm_root" uvm create --os windows vmw
check "uvm create of an existing VM exits 1" eval 'exits 1 && err_has "already exists"'
hcsoci --root "$uvm_root" uvm create --processors 2 vmx
check "uvm create without --os exits 2" eval 'exits 2 && one_line_hint && err_has --os'
for bad in "--os|--os solaris" "--processors|--os windows --processors 0" \
    "--processors|--os windows --processors 1025" "--processors|--os windows --processors two" \
    "--processors|--os windows --processors -1" \
    "--processors|--os windows --processors 99999999999999999999" \
    "--scsi-controllers|--os windows --scsi-controllers 5" "--vpmem-count|--os linux --vpmem-count 129" \
    "--vpmem-size|--os linux --vpmem-size 9223372036854775808" \
    "--vpmem-count|--os windows --vpmem-count 1" "--vpmem-size|--os windows --vpmem-size 1" \
    "--owner|--os windows --owner="; do
    option=${bad%%|*}
    hcsoci --root "$uvm_root" uvm create ${bad#*|} vmx
    check "uvm create refuses '${bad#*|}' naming $option" eval 'exits 2 && one_line_hint && err_has "$option"'
done
check "refused VMs were not saved" eval '! has_uvm "$uvm_root" "vmx"'

# Each numeric limit: taken at its bounds, refused one past them naming the option, the value
# and the range.
for taken in "--processors 1" "--processors 1024" "--scsi-controllers 0" "--scsi-controllers 4" \
    "--vpmem-count 0" "--vpmem-count 128" "--vpmem-size 0" "--vpmem-size 9223372036854775807"; do
    hcsoci --root "$scratch/limits" uvm create --os linux $taken at-limit
    check "uvm create takes '$taken'" eval 'exits 0 && has_uvm "$scratch/limits" "at-limit"'
    hcsoci --root "$scratch/limits" uvm delete at-limit
done
hcsoci --root "$scratch/limits" uvm create --os linux --processors 1024 --scsi-controllers 4 \
    --vpmem-count 128 --vpmem-size 9223372036854775807 at-limit
check "uvm create saves the largest values given" \
    eval 'exits 0 && out_has "\"processorCount\": 1024" && out_has "\"scsiControllerCount\": 4" && out_has "\"vpmemMaxCount\": 128" && out_has "\"vpmemMaxSizeBytes\": 9223372036854775807"'
hcsoci --root "$scratch/limits" uvm delete at-limit
for refused in \
    "--processors 0|invalid field 'hostingSystem.processorCount': 0 is out of range [1, 1024]" \
    "--processors 1025|invalid field 'hostingSystem.processorCount': 1025 is out of range [1, 1024]" \
    "--scsi-controllers 5|invalid field 'hostingSystem.scsiControllerCount': 5 is out of range [0, 4]" \
    "--vpmem-count 129|invalid field 'hostingSystem.vpmemMaxCount': 129 is out of range [0, 128]" \
    "--vpmem-size 9223372036854775808|invalid --vpmem-size '9223372036854775808': not a whole number of at most 9223372036854775807"; do
    arguments=${refused%%|*}
    expected_error=${refused#*|}
    hcsoci --root "$scratch/limits" uvm create --os linux $arguments past-limit
    case $arguments in
    --vpmem-size*) prefix="hcsoci uvm create: " ;;
    *) prefix="hcsoci uvm create: invalid $arguments: " ;;
    esac
    check "uvm create refuses '$arguments' with the range" \
        eval 'exits 2 && err_has "$prefix$expected_error; try" && ! has_uvm "$scratch/limits" "past-limit"'
done

# A hostile VM id would write ROOT/uvm-<id>.json: ROOT/uvm-../x.json and the like need a
# directory named uvm-.., so the ids are tried where such directories exist.
mkdir -p "$uvm_root/uvm-.." "$uvm_root/uvm-a" "$uvm_root/uvm-"
files_before=$(files_under_scratch)
for id in ../x .hidden a/b .. "a b" "/x" "$(printf 'x%.0s' {1..129})"; do
    hcsoci --root "$uvm_root" uvm create --os windows "$id"
    check "uvm create refuses id '${id:0:20}'" eval 'exits 2 && err_has "invalid utility VM id"'
    hcsoci --root "$uvm_root" uvm inspect "$id"
    check "uvm inspect refuses id '${id:0:20}'" eval 'exits 2 && err_has "invalid utility VM id"'
    hcsoci --root "$uvm_root" uvm delete "$id"
    check "uvm delete refuses id '${id:0:20}'" eval 'exits 2 && err_has "invalid utility VM id"'
    hcsoci --root "$uvm_root" create --bundle "$examples/argon" --uvm "$id" c
    check "create refuses --uvm '${id:0:20}'" eval 'exits 2 && err_has "invalid utility VM id"'
done
check "a refused VM id wrote nothing, in ROOT or outside it" \
    eval '[ "$(files_under_scratch)" = "$files_before" ]'
rmdir "$uvm_root/uvm-.." "$uvm_root/uvm-a" "$uvm_root/uvm-"
longest_id=$(printf 'v%.0s' {1..128})
hcsoci --root "$uvm_root" uvm create --os windows "$longest_id"
check "uvm create takes a 128-character id" \
    eval 'exits 0 && out_has "\"id\": \"$longest_id\"" && has_uvm "$uvm_root" "$longest_id"'
hcsoci --root "$uvm_root" uvm inspect "$longest_id"
check "uvm inspect takes a 128-character id" eval 'exits 0 && out_has "\"id\": \"$longest_id\""'
hcsoci --root "$uvm_root" uvm delete "$longest_id"
check "uvm delete takes a 128-character id" eval 'exits 0 && ! has_uvm "$uvm_root" "$longest_id"'
hcsoci --root "$uvm_root" uvm create --os windows "${longest_id}v"
check "uvm create refuses a 129-character id naming the limit" \
    eval 'exits 2 && err_has "invalid utility VM id '"'"'vvvvvvvv" && err_has "...'"'"': longer than 128 characters"'

hcsoci --root "$uvm_root" uvm inspect nope
check "uvm inspect of an unknown VM exits 1" eval 'exits 1 && err_has "utility VM '"'"'nope'"'"' does not exist"'
hcsoci --root "$uvm_root" uvm delete nope
check "uvm delete of an unknown VM exits 1" eval 'exits 1 && err_has "does not exist"'
hcsoci --world "$examples/world.json" --root "$uvm_root" create --bundle "$examples/argon" --uvm nope c
check "create --uvm of an unknown VM exits 1 and saves nothing" \
    eval 'exits 1 && err_has "utility VM '"'"'nope'"'"' does not exist" && ! has_state "$uvm_root" "c"'
hcsoci --root "$uvm_root" create --bundle "$examples/argon" vmw
check "create refuses a VM's id as a container id" eval 'exits 1 && err_has "taken by a utility VM"'
hcsoci --root "$uvm_root" create --bundle "$examples/argon" plain
hcsoci --root "$uvm_root" uvm create --os windows plain
check "uvm create refuses a container's id" eval 'exits 1 && err_has "taken by a container"'
hcsoci --root "$uvm_root" delete plain

store_sql "$uvm_root" "INSERT INTO uvms VALUES ('junk', '{\"id\": 1}')"
hcsoci --root "$uvm_root" uvm inspect junk
check "uvm inspect of an unreadable VM exits 1 naming it" \
    eval 'exits 1 && err_has "the saved state of utility VM '"'"'junk'"'"'"'
hcsoci --root "$uvm_root" uvm list
check "uvm list skips an unreadable VM with a warning" \
    eval 'exits 0 && ! out_has "\"id\": \"junk\"" && out_has "\"id\": \"vmw\"" && err_has "skipping utility VM '"'"'junk'"'"'"'
hcsoci --root "$uvm_root" uvm delete junk
check "uvm delete removes an unreadable VM" eval 'exits 0 && ! has_uvm "$uvm_root" "junk"'

# A container saved as hosted in vmw (the form `create --uvm` saves, with an empty ledger).
write_hosted_state() { # write_hosted_state ID VM
    store_sql "$uvm_root" "$(printf "INSERT INTO containers VALUES ('%s', '{\"id\": \"%s\", \"status\": \"created\", \"hostingSystemId\": \"%s\", \"resources\": {\"containerId\": \"%s\", \"entries\": []}}')" \
        "$1" "$1" "$2" "$1")"
}
write_hosted_state tenant vmw
write_hosted_state lodger vmw
hcsoci --root "$uvm_root" uvm delete vmw
check "uvm delete refuses a VM in use, naming its containers" \
    eval 'exits 1 && err_has "in use" && err_has "'"'"'lodger'"'"'" && err_has "'"'"'tenant'"'"'" && has_uvm "$uvm_root" "vmw"'
hcsoci --root "$uvm_root" uvm list
check "uvm list shows the containers in a VM" eval 'exits 0 && out_has "\"lodger\"" && out_has "\"tenant\""'
hcsoci --root "$uvm_root" delete lodger
check "delete of a hosted container loads its VM" \
    eval 'exits 0 && ! has_state "$uvm_root" "lodger" && has_uvm "$uvm_root" "vmw"'
hcsoci --root "$uvm_root" uvm delete vmw
check "uvm delete still refuses while one container is left" \
    eval 'exits 1 && err_has "'"'"'tenant'"'"'" && ! err_has lodger'
hcsoci --root "$uvm_root" uvm delete --force vmw
check "uvm delete --force deletes the VM and its containers" \
    eval 'exits 0 && ! has_uvm "$uvm_root" "vmw" && ! has_state "$uvm_root" "tenant"'
write_hosted_state orphan vmw
hcsoci --root "$uvm_root" delete orphan
check "delete of a container whose VM is gone exits 1 naming the VM" \
    eval 'exits 1 && err_has "utility VM '"'"'vmw'"'"' does not exist" && has_state "$uvm_root" "orphan"'
hcsoci --root "$uvm_root" delete --force orphan
check "delete --force forgets a container whose VM is gone" \
    eval 'exits 0 && ! has_state "$uvm_root" "orphan" && err_has "--force"'
write_hosted_state escapee ../../etc
hcsoci --root "$uvm_root" delete escapee
check "delete refuses a hostile hostingSystemId in a saved state" \
    eval 'exits 1 && err_has "invalid hostingSystemId" && err_has "invalid utility VM id"'
hcsoci --root "$uvm_root" delete --force escapee
hcsoci --root "$uvm_root" uvm delete vml2
check "uvm delete of an unused VM exits 0" eval 'exits 0 && ! has_uvm "$uvm_root" "vml2"'

# Containers in a Windows VM: the build tree's wcow module builds them (see "plugins" above).
hcsoci --root "$uvm_root" uvm create --os windows --owner vm-owner vmw
creates_before=$(count_calls "$uvm_root" HcsCreateComputeSystem)
hcsoci --root "$uvm_root" doc --bundle "$examples/argon" --uvm vmw
check "doc --uvm prints the hosted document and creates nothing" \
    eval 'exits 0 && [ -s "$scratch/out" ] && [ "$(count_calls "$uvm_root" HcsCreateComputeSystem)" -eq "$creates_before" ]'
sent_in_vm() { # the parts of the create document sent for a container in the VM vmw
    out_has '"Owner": "vm-owner"' && out_has '"HostingSystemId": "vmw"' &&
        out_has '"HostedSystem": {' && out_has '"ShouldTerminateOnLastHandleClosed": true'
}
check "doc --uvm prints the whole document a create would send" sent_in_vm
hcsoci --root "$uvm_root" create --bundle "$examples/argon" --uvm vmw hosted
check "create --uvm exits 0" eval 'exits 0 && out_has "\"id\": \"hosted\""'
check "create --uvm prints the whole document it sent" sent_in_vm
check "create --uvm created the container in the VM, under its owner" \
    eval '"$program" --root "$uvm_root" journal >"$scratch/journal" && grep -q "\"HostingSystemId\": *\"vmw\"" "$scratch/journal" && grep "\"HostingSystemId\": *\"vmw\"" "$scratch/journal" | grep -q "\"Owner\": *\"vm-owner\""'
hcsoci --root "$uvm_root" state hosted
check "the hosted container's state names its VM" eval 'exits 0 && out_has "\"hostingSystemId\": \"vmw\""'
check "the hosted container's state reports the VM's owner, which its document carries" \
    eval 'out_has "\"owner\": \"vm-owner\"" && ! out_has "\"owner\": \"hcsoci\""'
hcsoci --root "$uvm_root" uvm inspect vmw
# doc --uvm took a container number too, and saved it.
check "the VM's saved state counts the container" eval 'exits 0 && out_has "\"containerCounter\": 2"'
hcsoci --root "$uvm_root" create --bundle "$examples/argon" --uvm vmw --owner asked hosted-asked
hcsoci --root "$uvm_root" list
check "list reports the VM's owner for hosted containers, whatever --owner asked" \
    eval 'exits 0 && [ "$(grep -c "\"owner\": \"vm-owner\"" "$scratch/out")" -eq 2 ] && ! out_has "\"owner\": \"asked\""'
hcsoci --root "$uvm_root" delete hosted-asked
hcsoci --root "$uvm_root" uvm delete vmw
check "uvm delete refuses the VM of a hosted container" eval 'exits 1 && err_has "'"'"'hosted'"'"'"'
hcsoci --root "$uvm_root" delete hosted
check "delete of a hosted container exits 0" eval 'exits 0 && ! has_state "$uvm_root" "hosted"'
hcsoci --root "$uvm_root" uvm inspect vmw
check "the VM's saved state holds nothing of the deleted container" \
    eval 'exits 0 && out_has "\"vsmbDirectoryShares\": []" && out_has "\"vsmbFileShares\": []" && out_has "\"scsi\": []"'
hcsoci --root "$uvm_root" uvm delete vmw
check "uvm delete of the VM at the end exits 0" exits 0

# ---- the simulated host in the store (host inspect, journal) ----
sim_root=$scratch/sim
hcsoci --world "$examples/world.json" --root "$sim_root" create --bundle "$examples/argon" s1
hcsoci --root "$sim_root" host inspect
check "a first create saves the simulated host, with what it holds" \
    eval 'exits 0 && out_has "\"held\": {" && out_has "\"activatedLayers\": 1"'
hcsoci --root "$sim_root" journal
cp "$scratch/out" "$scratch/journal.first"
journal_lines=$(wc -l <"$scratch/journal.first")
check "the journal holds one {\"call\", \"args\"} object a line" \
    eval 'exits 0 && [ "$journal_lines" -gt 0 ] && [ "$(grep -c "^{\"call\": *\"[A-Za-z]*\", *\"args\": *{" "$scratch/journal.first")" -eq "$journal_lines" ]'
hcsoci --root "$sim_root" create --bundle "$examples/argon" s2
hcsoci --root "$sim_root" journal
check "a second run appends only its own calls to the journal" \
    eval 'exits 0 && [ "$(grep -c HcsCreateComputeSystem "$scratch/out")" -eq 2 ] && [ "$(wc -l <"$scratch/out")" -eq $((2 * journal_lines)) ] && [ "$(head -n "$journal_lines" "$scratch/out")" = "$(cat "$scratch/journal.first")" ]'
store_sql "$sim_root" "UPDATE sim_host SET state = 'not json'"
hcsoci --root "$sim_root" create --bundle "$examples/argon" s3
check "an unparsable saved host exits 1 naming the store" \
    eval 'exits 1 && err_has "cannot open the simulated host: cannot parse the saved state in $sim_root/state.db"'
hcsoci --root "$sim_root" host inspect
check "host inspect of an unparsable saved host exits 1" eval 'exits 1 && err_has "cannot parse"'
for word in host journal; do
    hcsoci --root "$sim_root" "$word" --help
    check "$word --help exits 0" eval 'exits 0 && out_has "Usage: hcsoci $word"'
done
hcsoci --root "$sim_root" host frobnicate
check "host with an unknown subcommand exits 2" eval 'exits 2 && one_line_hint'

# ---- the reading commands refuse an unsafe state directory, as the changing ones do ----
mkdir -p "$scratch/open-root" && chmod 0777 "$scratch/open-root"
for command in list "state x" "uvm list" "uvm inspect x" journal "host inspect"; do
    # shellcheck disable=SC2086
    hcsoci --root "$scratch/open-root" $command
    check "$command refuses a state directory writable by others" \
        eval 'exits 1 && err_has "writable by group or others"'
done
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
    mkdir -p "$scratch/foreign-root" && chown nobody "$scratch/foreign-root" && chmod 0700 "$scratch/foreign-root"
    for command in list "state x" "uvm list" "uvm inspect x"; do
        # shellcheck disable=SC2086
        hcsoci --root "$scratch/foreign-root" $command
        check "$command refuses a state directory owned by another user" \
            eval 'exits 1 && err_has "belongs to uid"'
    done
fi

# ---- saved state can be read back: deep specs are refused, counters do not wrap ----
deep_root=$scratch/deep
for depth in 2046 2047; do
    # The bundle's spec with one more member nested $depth arrays deep.
    { printf '{"deep": '
      printf '%*s' "$depth" '' | tr ' ' '['; printf '%*s' "$depth" '' | tr ' ' ']'; printf ', '
      sed '1s/^{//' "$examples/argon/config.json"; } >"$scratch/deep-$depth.json"
done
hcsoci --world "$examples/world.json" --root "$deep_root" create --spec "$scratch/deep-2047.json" deep
check "create refuses a spec nested too deeply for the store, naming the limit" \
    eval 'exits 1 && err_has "nested more than 2048 levels deep" && ! has_state "$deep_root" deep'
hcsoci --root "$deep_root" journal
check "the refused deep spec made no host call" eval 'exits 0 && [ ! -s "$scratch/out" ]'
hcsoci --world "$examples/world.json" --root "$deep_root" create --spec "$scratch/deep-2046.json" deep
check "a spec one level shallower is created" exits 0
hcsoci --root "$deep_root" state deep
check "and its saved state reads back" eval 'exits 0 && out_has "\"status\": \"created\""'
hcsoci --root "$deep_root" delete deep
check "and deletes" exits 0

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
