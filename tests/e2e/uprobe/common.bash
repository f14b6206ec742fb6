# Helpers for the uprobe e2e tests, sourced after lib.sh:
#   . "$TESTS/e2e/lib.sh"; . "$TESTS/e2e/uprobe/common.bash"
# (named .bash so that ctest's *.sh glob does not register it as a test).
#
# The tests run the frames fixture (tests/fixtures/uprobe/frames.c, built at
# -O0 and -O2 as build/fixtures/frames-O0 and frames-O2) under luaprobe -c and
# compare what luaprobe reads with the lines the fixture prints about itself.
# Both write to the same stdout: the Lua side prints its lines as "lp LINE",
# the fixture's lines never start with "lp".
# shellcheck disable=SC2034 # FX_OUT and LP_OUT are for the tests

# The optimisation levels every test loops over.
OPTS="O0 O2"

# need_uprobes: root, the uprobe PMU and both fixtures, or skip/fail.
need_uprobes() {
	need_root
	[ -e /sys/bus/event_source/devices/uprobe/type ] ||
		skip "no uprobes on this kernel (no /sys/bus/event_source/devices/uprobe)"
	local o
	for o in O0 O2 O2-nodebug; do
		[ -x "$FIXTURES/frames-$o" ] || fail "fixture $FIXTURES/frames-$o is not built"
	done
}

# fx OPT: the fixture binary built at OPT (O0, O2, O2-nodebug).
fx() {
	printf '%s/frames-%s' "$FIXTURES" "$1"
}

# statement_line: the line of frames.c marked STATEMENT_HERE (in chain()).
statement_line() {
	grep -n 'STATEMENT_HERE \*/' "$TESTS/fixtures/uprobe/frames.c" | cut -d: -f1
}

# trace OPT ROUNDS SCRIPT [ARGS...]: luaprobe -c "frames-OPT ROUNDS" SCRIPT
# BIN ARGS..., where BIN (the fixture's path) is the script's arg[1]. Sets RC,
# OUT, ERR as run does, FX_OUT to the fixture's lines and LP_OUT to the
# script's "lp " lines without the prefix. A hang fails (timeout), it never
# reaches ctest's limit.
trace() {
	local opt=$1 rounds=$2 script=$3
	shift 3
	run timeout -k 2 20 "$LUAPROBE" -c "$(fx "$opt") $rounds" "$script" "$(fx "$opt")" "$@"
	FX_OUT=$(grep -v '^lp' <<<"$OUT" || true)
	LP_OUT=$(sed -n 's/^lp //p' <<<"$OUT")
}

# trace_ok WHAT: the last trace ended with status 0 and nothing on stderr but
# the start-up lines that say a point became several places (kept in PLACES).
trace_ok() {
	assert_eq 0 "$RC" "exit status of luaprobe ($1; stderr: $ERR)"
	PLACES=$(grep -E "^luaprobe: probe '.*': [0-9]+ places$" <<<"$ERR" || true)
	assert_eq "" "$(grep -vE "^luaprobe: probe '.*': [0-9]+ places$" <<<"$ERR" || true)" \
		"stderr of luaprobe ($1)"
}

# lines PREFIX TEXT: the lines of TEXT that start with "PREFIX ".
lines() {
	grep "^$1 " <<<"$2" || true
}

# no_ret TEXT: the lines without their trailing " ret=R".
no_ret() {
	sed 's/ ret=[-0-9]*$//' <<<"$1"
}

# assert_lines EXPECTED ACTUAL WHAT: like assert_eq, but also fails on an
# empty EXPECTED (the fixture printed nothing the test could compare with).
assert_lines() {
	[ -n "$1" ] || fail "no fixture lines to compare $3 with: $FX_OUT"
	if [ "$1" != "$2" ]; then
		printf 'unexpected %s:\n' "$3" >&2
		diff -u <(printf '%s\n' "$1") <(printf '%s\n' "$2") | sed '1,2d; s/^/  /' >&2
		exit 1
	fi
}
