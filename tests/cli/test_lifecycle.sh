#!/usr/bin/env bash
# Tests of the command's OCI life cycle: start, kill, delete's refusal and its terminate and
# close, state's OCI members, features and --log. Uses only bash, grep and the uninstalled
# hcsoci (a libtool wrapper) with the four modules of the build tree.
set -u

build_directory=${HCSOCI_TEST_BUILDDIR:-.}
source_directory=${HCSOCI_TEST_SRCDIR:-.}
program=$build_directory/hcsoci
examples=$source_directory/examples
unset HCSOCI_PLUGIN_PATH

scratch=$(mktemp -d "${TMPDIR:-/tmp}/hcsoci-lifecycle-test.XXXXXX") || exit 99
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
root=$scratch/root
hcsoci() { # runs the program on root; stdout, stderr and exit status land in out, err, $status
    "$program" "${plugin_options[@]}" --root "$root" "$@" >"$scratch/out" 2>"$scratch/err"
    status=$?
}
exits() { [ "$status" -eq "$1" ]; }
out_has() { grep -qF -- "$1" "$scratch/out"; }
err_has() { grep -qF -- "$1" "$scratch/err"; }
out_status() { grep -q "^  \"status\": \"$1\"," "$scratch/out"; }
journal_lines() { "$program" --root "$root" journal; } # the host calls made, one a line
count_calls() { # count_calls CALL: how many times the journal records CALL
    journal_lines | grep -c "\"call\": *\"$1\""
}
held_systems() {
    "$program" --root "$root" host inspect | grep -o '"computeSystems": *-\?[0-9][0-9]*' |
        grep -o -- '-\?[0-9]*$'
}
create() { hcsoci --world "$examples/world.json" create --bundle "$examples/argon" "$@"; }

# ---- help ----
hcsoci --help
for word in start kill features --log; do
    check "--help mentions $word" out_has "$word"
done
for command in start kill features; do
    hcsoci "$command" --help
    check "$command --help exits 0" eval 'exits 0 && out_has "Usage: hcsoci $command"'
done
hcsoci kill --help
check "kill --help names the signals" eval 'out_has "--signal" && out_has "SIGKILL" && out_has "SIGTERM"'
hcsoci delete --help
check "delete --help says a running container is refused" out_has "not stopped"
hcsoci state --help
check "state --help names the OCI members" eval 'out_has ociVersion && out_has bundle && out_has annotations && out_has pid'

# ---- state's OCI members ----
create c1
check "create succeeds" exits 0
hcsoci state c1
check "state has ociVersion 1.0.2" out_has '"ociVersion": "1.0.2"'
check "state starts with the OCI members in order" \
    eval '[ "$(grep -o "^  \"[a-zA-Z]*\"" "$scratch/out" | head -n 7 | tr -d " \n")" = \
        "\"ociVersion\"\"id\"\"status\"\"bundle\"\"annotations\"\"created\"\"owner\"" ]'
check "state is created after create" out_status created
bundle=$(cd "$examples/argon" && pwd -P)
check "state's bundle is the absolute bundle path" out_has "\"bundle\": \"$bundle\""
check "state's annotations are the spec's" out_has '"io.microsoft.container.memory.sizeinmb": "2048"'
check "state keeps hcsoci's own members" eval 'out_has "\"schema\"" && out_has "\"document\"" && out_has "\"resources\"" && out_has "\"hostingSystemId\""'
check "state has no pid" eval '! out_has "\"pid\""'
hcsoci --world "$examples/world.json" create --spec "$examples/argon/config.json" c2
hcsoci state c2
check "with --spec the bundle is the spec file's directory" out_has "\"bundle\": \"$bundle\""
hcsoci delete c2

# ---- start ----
hcsoci start c1
check "start succeeds" exits 0
check "start calls HcsStartComputeSystem once" [ "$(count_calls HcsStartComputeSystem)" -eq 1 ]
hcsoci state c1
check "state is running after start" out_status running
hcsoci list
check "list shows running" out_has '"status": "running"'
hcsoci start c1
check "start of a running container fails with exit 1" eval 'exits 1 && err_has "already running"'
check "a refused start makes no host call" [ "$(count_calls HcsStartComputeSystem)" -eq 1 ]
hcsoci start nope
check "start of an unknown container fails" eval 'exits 1 && err_has "nope"'
hcsoci start
check "start without an id is a usage error" exits 2
hcsoci start ../x
check "start of a bad id is a usage error" exits 2

# ---- delete refuses a running container ----
deactivations=$(count_calls DeactivateLayer)
hcsoci delete c1
check "delete of a running container is refused" \
    eval 'exits 1 && err_has "cannot delete container '"'"'c1'"'"' that is not stopped: running"'
hcsoci state c1
check "the refused delete keeps the container running" out_status running
check "the refused delete releases nothing" [ "$(count_calls DeactivateLayer)" -eq "$deactivations" ]

# ---- kill ----
terminates=$(count_calls HcsTerminateComputeSystem)
closes=$(count_calls HcsCloseComputeSystem)
hcsoci kill --signal HUP c1
check "kill with another signal is a usage error naming it" eval 'exits 2 && err_has "HUP"'
hcsoci kill c1 SIGINT
check "kill with a signal operand other than KILL/TERM is a usage error" eval 'exits 2 && err_has "SIGINT"'
hcsoci kill --signal 9 c1 15
check "kill with --signal and a signal operand is a usage error" exits 2
check "refused kills make no host call" [ "$(count_calls HcsTerminateComputeSystem)" -eq "$terminates" ]
hcsoci kill --signal KILL c1
check "kill --signal KILL succeeds" exits 0
check "kill calls HcsTerminateComputeSystem" [ "$(count_calls HcsTerminateComputeSystem)" -eq $((terminates + 1)) ]
hcsoci state c1
check "state is stopped after kill" out_status stopped
hcsoci kill c1
check "kill of a stopped container fails with exit 1" eval 'exits 1 && err_has "not running"'
hcsoci start c1
check "start of a stopped container fails" eval 'exits 1 && err_has "stopped"'
check "held computeSystems is 1 before delete" [ "$(held_systems)" -eq 1 ]

# ---- delete closes the compute system ----
hcsoci delete c1
check "delete of a stopped container succeeds" exits 0
check "delete of a stopped container closes without terminating again" \
    eval '[ "$(count_calls HcsCloseComputeSystem)" -eq $((closes + 1)) ] && [ "$(count_calls HcsTerminateComputeSystem)" -eq $((terminates + 1)) ]'
check "delete brings held computeSystems back to 0" [ "$(held_systems)" -eq 0 ]
check "delete closes after releasing the ledger" \
    eval '[ "$(journal_lines | grep -n "\"call\": *\"\(DeactivateLayer\|HcsCloseComputeSystem\)\"" | tail -n 1 | grep -c HcsClose)" -eq 1 ]'
hcsoci state c1
check "the deleted container is gone" exits 1

# a created container: delete terminates and closes it
create c3
hcsoci kill --signal TERM c3
check "kill of a created container succeeds" exits 0
hcsoci delete c3
create c4
terminates=$(count_calls HcsTerminateComputeSystem)
hcsoci delete c4
check "delete of a created container terminates and closes it" \
    eval 'exits 0 && [ "$(count_calls HcsTerminateComputeSystem)" -eq $((terminates + 1)) ]'
check "held computeSystems is 0 after deleting created containers" [ "$(held_systems)" -eq 0 ]

# delete --force kills a running container first
create c5
hcsoci start c5
hcsoci delete --force c5
check "delete --force of a running container succeeds" exits 0
check "delete --force terminated it" \
    eval '[ "$(count_calls HcsTerminateComputeSystem)" -eq $((terminates + 2)) ]'
check "held computeSystems is 0 after delete --force" [ "$(held_systems)" -eq 0 ]

# a failed create kept with --keep-resources-on-failure: no compute system to end
sed 's/"failCall": null/"failCall": {"call": "HcsCreateComputeSystem", "nth": 1}/' \
    "$examples/world.json" >"$scratch/fail-world.json"
main_root=$root
root=$scratch/fail-root
hcsoci --world "$scratch/fail-world.json" create --bundle "$examples/argon" \
    --keep-resources-on-failure f1
check "the failing create is kept as failed" \
    eval 'exits 1 && "$program" --root "$root" state f1 | grep -q "\"status\": *\"failed\""'
hcsoci start f1
check "start of a failed container is refused" eval 'exits 1 && err_has "not created"'
hcsoci kill f1
check "kill of a failed container is refused" eval 'exits 1 && err_has "neither created nor running"'
hcsoci delete f1
check "delete of a failed container releases it without a terminate or close" \
    eval 'exits 0 && [ "$(count_calls HcsCloseComputeSystem)" -eq 0 ] && [ "$(count_calls HcsTerminateComputeSystem)" -eq 0 ]'
check "held computeSystems is 0 after the failed container" [ "$(held_systems)" -eq 0 ]
root=$main_root

# ---- a container in a utility VM: start and kill act on its own compute system ----
hcsoci uvm create --os windows vm1
check "uvm create succeeds" exits 0
hcsoci --world "$examples/world.json" create --bundle "$examples/argon" --uvm vm1 h1
check "create --uvm succeeds" exits 0
hcsoci start h1
check "start of a hosted container succeeds" exits 0
check "start names the container's own compute system" \
    eval 'journal_lines | grep -q "\"call\": *\"HcsStartComputeSystem\", *\"args\": *{\"computeSystem\": *\"h1\""'
hcsoci kill h1
check "kill of a hosted container succeeds" exits 0
hcsoci delete h1
check "delete of a hosted container succeeds" exits 0
check "held computeSystems is 0 after the hosted container" [ "$(held_systems)" -eq 0 ]

# ---- features ----
hcsoci features
check "features exits 0" exits 0
for member in ociVersionMin ociVersionMax hooks mountOptions annotations \
    potentiallyUnsafeConfigAnnotations; do
    check "features has $member" out_has "\"$member\""
done
check "features' ociVersionMin is 1.0.0" out_has '"ociVersionMin": "1.0.0"'
check "features' ociVersionMax is 1.0.2" out_has '"ociVersionMax": "1.0.2"'
check "features lists no hooks" out_has '"hooks": []'
check "features is one object" eval '[ "$(head -c 1 "$scratch/out")" = "{" ] && [ "$(tail -n 1 "$scratch/out")" = "}" ]'
for annotation in $(grep -o '"io\.[a-z.-]*"' "$source_directory/core/include/hcsoci/annotations.h"); do
    check "features lists $annotation" out_has "$annotation"
done
hcsoci features extra
check "features with an operand is a usage error" exits 2

# ---- --log ----
log=$scratch/hcsoci.log
hcsoci --log "$log" --log-format json start nope
check "with --log the error is still on stderr" eval 'exits 1 && err_has "nope"'
check "--log json writes the error as the last record" \
    eval 'tail -n 1 "$log" | grep -q "^{\"level\": *\"error\", *\"msg\": *\"[^\"]*nope"'
hcsoci --log "$log" --log-format json --log-level debug features
check "--log appends: the earlier record stays" eval 'exits 0 && [ "$(grep -c nope "$log")" -eq 1 ]'
hcsoci --log "$log" --log-format json kill --signal USR1 x
check "--log records a usage error" eval 'exits 2 && tail -n 1 "$log" | grep -q "USR1"'
check "every --log json line is one object" eval '! grep -v "^{.*}$" "$log"'
create w1
hcsoci --log "$log" --log-format json --log-level info --world "$examples/world.json" delete w1
check "--log json receives the log records, not stderr" \
    eval 'exits 0 && grep -q "\"level\": *\"info\", *\"msg\": *\"the state directory already holds" "$log" && ! err_has "level"'
text_log=$scratch/text.log
hcsoci --log "$text_log" start nope
check "--log text writes a logfmt error record" eval 'exits 1 && grep -q "^level=error msg=.*nope" "$text_log"'
hcsoci --log "$scratch/missing/dir/log" features
check "an unwritable --log file fails clearly" eval 'exits 1 && err_has "cannot open log file"'
hcsoci --log "" features
check "an empty --log is a usage error" exits 2

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
