#!/bin/sh
# The man pages and --help cannot drift apart: every command, subcommand and option that
# `hcsoci --help`, `hcsoci COMMAND --help`, `hcsoci uvm SUBCOMMAND --help` and
# `hcsoci-conformance --help` list is in the built page of that program, and every option the
# pages define is in the --help it belongs to.
#
# How the pages are read: the built roff (docs/man/*.1 in the build tree, made by scdoc) is
# turned into plain text with sed, not rendered with man(1): that needs no man-db or groff, and
# its result does not depend on their versions, the terminal width or hyphenation. Requests are
# dropped except .SH and .SS (kept as "@SH NAME" and "@SS HEADING", to find sections) and .RS
# (kept as "@RS": scdoc indents a definition's text, so the line before an "@RS" is a term such
# as "-b, --bundle DIR"); font changes and \& go, and "\-" becomes "-", which is what a reader
# sees. In hcsoci(1) each command has a subsection under COMMANDS whose heading is its usage
# line exactly as --help prints it ("create [OPTIONS] [ID]"), and the global options are terms
# of GLOBAL OPTIONS; in hcsoci-conformance(1) the options are terms of OPTIONS and the suites
# terms of SUITES. The checks:
# - the commands and subcommands --help lists, each with a subsection headed by its usage line,
#   and no subsection that is not a command's usage;
# - each option of a command's --help (long and short, -h and --help aside: GLOBAL OPTIONS has
#   them) named in that command's subsection, each global option in GLOBAL OPTIONS;
# - each option a subsection or GLOBAL OPTIONS defines as a term in the --help it belongs to;
# - for the kit, its options and suites both ways.
set -u
build_directory=${HCSOCI_TEST_BUILDDIR:-.}
program=$build_directory/hcsoci
kit=$build_directory/hcsoci-conformance
pages=$build_directory/docs/man
scratch=$(mktemp -d "${TMPDIR:-/tmp}/hcsoci-man-test.XXXXXX") || exit 99
trap 'rm -rf "$scratch"' EXIT
failures=0
checks=0

fail() { # fail MESSAGE: one failed check
    failures=$((failures + 1))
    echo "not ok - $1"
}

roff_text() { # roff_text PAGE: the page as the plain text described above
    sed -e '/^\.\\"/d' -e 's/^\.SH /@SH /' -e 's/^\.SS /@SS /' -e 's/^\.RS.*/@RS/' \
        -e '/^\./d' -e 's/\\f[BIRP]//g' -e 's/\\&//g' -e 's/\\-/-/g' -e 's/\\e/\\/g' \
        -e "s/\\\\(aq/'/g" "$1"
}

section() { # section TEXT NAME: the lines of section NAME (.SH) of a roff_text file
    awk -v name="$2" '/^@SH / { inside = (substr($0, 5) == name); next } inside' "$1"
}

subsection() { # subsection TEXT HEADING: the lines of the subsection (.SS) headed HEADING
    awk -v heading="$2" '/^@S[HS] / { inside = ($0 == "@SS " heading); next } inside' "$1"
}

terms() { # terms < TEXT: the lines scdoc made into terms (each is followed by @RS)
    awk '/^@RS$/ { if (previous != "") print previous; previous = ""; next }
         { previous = $0 }'
}

options_of() { # options_of < TEXT: the option words (-x, --long) of terms or help columns
    tr ',' ' ' | tr ' ' '\n' | grep -E '^--?[a-zA-Z][-a-zA-Z]*$' | sort -u
}

help_options() { # help_options < HELP: the options an "Options:" section of --help lists
    awk '/^Options:/ { inside = 1; next } /^$/ { inside = 0 } inside && /^  -/' |
        sed -e 's/^  //' -e 's/  .*//' | options_of
}

help_list() { # help_list TITLE < HELP: the first words of a "TITLE:" section of --help
    awk -v title="$1:" '$0 == title { inside = 1; next } /^$/ { inside = 0 }
                        inside && /^  [a-z]/ { print $1 }'
}

mentions() { # mentions FILE WORD: FILE names WORD (an option), not as part of a longer one
    tr '\n' ' ' <"$1" | grep -qE -e "(^|[^-a-zA-Z0-9_])$2([^-a-zA-Z0-9_]|\$)"
}

check_mentioned() { # check_mentioned WHAT TEXT WORDS...: each WORD is in the file TEXT
    what=$1 text=$2
    shift 2
    for word in "$@"; do
        checks=$((checks + 1))
        mentions "$text" "$word" || fail "$what: $word is in --help but not in the page"
    done
}

check_in_help() { # check_in_help WHAT HELP-OPTIONS WORDS...: each WORD is in that list
    what=$1 list=$2
    shift 2
    for word in "$@"; do
        checks=$((checks + 1))
        grep -qxF -e "$word" "$list" || fail "$what: the page defines $word, not in --help"
    done
}

page_ready() { # page_ready PAGE: the built page exists
    [ -s "$1" ] && return 0
    fail "no built page $1"
    return 1
}

# ---- hcsoci(1) ----------------------------------------------------------------------------
if page_ready "$pages/hcsoci.1"; then
    roff_text "$pages/hcsoci.1" >"$scratch/hcsoci.txt"
    grep '^@SS ' "$scratch/hcsoci.txt" | sed 's/^@SS //' | sort >"$scratch/headings"
    : >"$scratch/usages"

    # The global options, both ways.
    "$program" --help >"$scratch/global.help" 2>&1 || fail "hcsoci --help failed"
    help_options <"$scratch/global.help" >"$scratch/global.options"
    section "$scratch/hcsoci.txt" "GLOBAL OPTIONS" >"$scratch/global.txt"
    # shellcheck disable=SC2046 # one word each
    check_mentioned "GLOBAL OPTIONS" "$scratch/global.txt" $(cat "$scratch/global.options")
    # shellcheck disable=SC2046
    check_in_help "GLOBAL OPTIONS" "$scratch/global.options" \
        $(terms <"$scratch/global.txt" | options_of)

    # command_check NAME...: the command (e.g. "create", "uvm create") against its subsection.
    command_check() {
        label=$*
        if ! "$program" "$@" --help >"$scratch/command.help" 2>&1; then
            fail "hcsoci $label --help failed"
            return
        fi
        usage=$(sed -n 's/^Usage: hcsoci //p' "$scratch/command.help" | head -n 1)
        echo "$usage" >>"$scratch/usages"
        checks=$((checks + 1))
        if ! grep -qxF -e "$usage" "$scratch/headings"; then
            fail "$label: no subsection headed with its usage, \"$usage\""
            return
        fi
        subsection "$scratch/hcsoci.txt" "$usage" >"$scratch/command.txt"
        help_options <"$scratch/command.help" | grep -vxE -e '-h|--help' \
            >"$scratch/command.options"
        # shellcheck disable=SC2046
        check_mentioned "$label" "$scratch/command.txt" $(cat "$scratch/command.options")
        # shellcheck disable=SC2046
        check_in_help "$label" "$scratch/command.options" \
            $(terms <"$scratch/command.txt" | options_of)
    }

    help_list Commands <"$scratch/global.help" >"$scratch/commands"
    [ -s "$scratch/commands" ] || fail "hcsoci --help lists no commands"
    while read -r command; do
        command_check "$command"
    done <"$scratch/commands"
    "$program" uvm --help 2>&1 | help_list Subcommands >"$scratch/subcommands"
    [ -s "$scratch/subcommands" ] || fail "hcsoci uvm --help lists no subcommands"
    while read -r subcommand; do
        command_check uvm "$subcommand"
    done <"$scratch/subcommands"

    # No subsection for a command that --help does not know.
    sort "$scratch/usages" | comm -23 "$scratch/headings" - >"$scratch/unknown"
    while read -r heading; do
        fail "the page has a subsection \"$heading\" that is no command's usage"
    done <"$scratch/unknown"
fi

# ---- hcsoci-conformance(1), when the kit is built (with CUnit) ----------------------------
if [ -x "$kit" ] && page_ready "$pages/hcsoci-conformance.1"; then
    roff_text "$pages/hcsoci-conformance.1" >"$scratch/kit.txt"
    "$kit" --help >"$scratch/kit.help" 2>&1 || fail "hcsoci-conformance --help failed"
    help_options <"$scratch/kit.help" >"$scratch/kit.options"
    section "$scratch/kit.txt" OPTIONS >"$scratch/kit.options.txt"
    # shellcheck disable=SC2046
    check_mentioned "hcsoci-conformance" "$scratch/kit.options.txt" $(cat "$scratch/kit.options")
    # shellcheck disable=SC2046
    check_in_help "hcsoci-conformance" "$scratch/kit.options" \
        $(terms <"$scratch/kit.options.txt" | options_of)
    # The suites: "fault sweep  (--faults) ..." in --help, the term "fault sweep (--faults)".
    awk '/^Suites:/ { inside = 1; next } /^$/ { inside = 0 } inside && /^  [a-z]/' \
        "$scratch/kit.help" | sed -e 's/^  //' -e 's/  .*//' | sort >"$scratch/suites.help"
    section "$scratch/kit.txt" SUITES | terms | sed 's/ (--faults)$//' | sort \
        >"$scratch/suites.page"
    [ -s "$scratch/suites.help" ] || fail "hcsoci-conformance --help lists no suites"
    checks=$((checks + 1))
    if ! diff "$scratch/suites.help" "$scratch/suites.page" >"$scratch/suites.diff"; then
        fail "the suites of --help (<) and of the page's SUITES (>) differ:"
        sed 's/^/#   /' "$scratch/suites.diff"
    fi
fi

[ -s "$pages/hcsoci-modules.7" ] || fail "no built page $pages/hcsoci-modules.7"
if [ "$failures" -eq 0 ]; then
    echo "ok - $checks checks of the man pages against --help"
    exit 0
fi
echo "$failures of $checks checks failed"
exit 1
