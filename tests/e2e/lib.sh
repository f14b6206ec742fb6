# Shared helpers for the e2e tests: `. "$TESTS/e2e/lib.sh"` at the top.
# ctest sets LUAPROBE (the binary), FIXTURES (built fixtures), TESTS (tests/).
# Exit 0 = pass, 77 = skip (after "SKIP: reason"), anything else = fail.
# shellcheck disable=SC2034 # RC, OUT, ERR, IDS, READY_LUA are for the tests
set -euo pipefail

: "${LUAPROBE:?LUAPROBE must name the luaprobe binary}"
: "${FIXTURES:?FIXTURES must name the built fixtures folder}"
: "${TESTS:?TESTS must name the tests source folder}"

TMP=$(mktemp -d)
BG_PID= # a background luaprobe the test started; killed at exit if still alive
cleanup() {
	if [ -n "$BG_PID" ]; then kill -KILL "$BG_PID" 2>/dev/null || true; fi
	rm -rf "$TMP"
}
trap cleanup EXIT

skip() {
	echo "SKIP: $*"
	exit 77
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (BPF and tracefs)"
}

# Mount tracefs where luaprobe looks for it, if nobody has yet.
need_tracefs() {
	need_root
	if [ ! -d /sys/kernel/tracing/events ]; then
		mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null ||
			skip "cannot mount tracefs on /sys/kernel/tracing"
	fi
}

# need_tracepoint SYSTEM:EVENT
need_tracepoint() {
	need_tracefs
	[ -d "/sys/kernel/tracing/events/${1%%:*}/${1#*:}" ] || skip "no tracepoint $1 on this kernel"
}

need_cmd() {
	command -v "$1" >/dev/null || skip "needs $1"
}

# run CMD...: runs it, never failing the test; sets RC, OUT and ERR.
run() {
	local rc=0
	"$@" >"$TMP/run.out" 2>"$TMP/run.err" || rc=$?
	RC=$rc
	OUT=$(cat "$TMP/run.out")
	ERR=$(cat "$TMP/run.err")
}

# assert_eq EXPECTED ACTUAL WHAT
assert_eq() {
	[ "$1" == "$2" ] && return 0
	printf 'unexpected %s:\n  expected: %s\n  actual:   %s\n' "$3" "$1" "$2" >&2
	exit 1
}

# assert_contains NEEDLE HAYSTACK WHAT: NEEDLE is a fixed string
assert_contains() {
	case "$2" in *"$1"*) return 0 ;; esac
	printf 'unexpected %s:\n  expected to contain: %s\n  actual: %s\n' "$3" "$1" "$2" >&2
	exit 1
}

# assert_range LO HI ACTUAL WHAT: LO <= ACTUAL <= HI, integers
assert_range() {
	if [[ "$3" =~ ^-?[0-9]+$ ]] && [ "$3" -ge "$1" ] && [ "$3" -le "$2" ]; then
		return 0
	fi
	printf 'unexpected %s:\n  expected: %s..%s\n  actual:   %s\n' "$4" "$1" "$2" "$3" >&2
	exit 1
}

# field KEY TEXT: what follows "KEY " on the one line of TEXT that starts so.
# Used inside $(...), where exiting cannot fail the test: a missing or
# repeated line prints a note that no assertion will accept.
field() {
	local n
	n=$(grep -c "^$1 " <<<"$2" || true)
	if [ "$n" -ne 1 ]; then
		printf '<%s lines "%s ..." in: %s>\n' "$n" "$1" "$2"
		return
	fi
	sed -n "s/^$1 //p" <<<"$2"
}

# Our programs are named lp_tp, or lp_tp_<layers> (bpf/tp.bpf.c). The count
# is system-wide, so other luaprobe runs on the machine move it: the
# lifecycle tests follow the ids one process holds (lp_prog_ids) instead.
bpf_prog_count() {
	bpftool prog show | grep -cE '^[0-9]+: .* name lp_tp(_[0-9a-f]+)? ' || true
}

# lp_prog_ids PID: ids of the lp_tp programs and syscall dispatchers
# (lp_sys_enter, lp_sys_exit: the programs of syscalls:* probes are in
# their arrays, held by no fd) process PID holds, one a line. Read from its
# fds, so other luaprobe runs on the machine do not count.
lp_prog_ids() {
	local id
	{ sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null || true; } | sort -un |
		while read -r id; do
			# no "| grep -q": bpftool's SIGPIPE would fail the pipeline
			if [[ $(bpftool prog show id "$id" 2>/dev/null) =~ \ name\ (lp_tp(_[0-9a-f]+)?|lp_sys_enter|lp_sys_exit)\  ]]; then
				echo "$id"
			fi
		done
}

# wait_progs_gone SECONDS ID...: poll until no program with these ids exists.
wait_progs_gone() {
	local secs=$1 deadline=$((SECONDS + $1)) id left
	shift
	while :; do
		left=
		for id in "$@"; do
			bpftool prog show id "$id" >/dev/null 2>&1 && left="$left $id"
		done
		[ -z "$left" ] && return 0
		[ "$SECONDS" -ge "$deadline" ] && fail "programs still loaded after $secs s:$left"
		sleep 0.1
	done
}

# wait_line FILE LINE SECONDS: poll until FILE holds LINE as a whole line.
wait_line() {
	local deadline=$((SECONDS + $3))
	until grep -qxF "$2" "$1" 2>/dev/null; do
		[ "$SECONDS" -ge "$deadline" ] && fail "no line '$2' in $1 after $3 s: $(cat "$1")"
		sleep 0.05
	done
}

# lp_start ARGS...: start luaprobe in the background (stdout and stderr to
# files); its pid is BG_PID.
lp_start() {
	# Emptied here, not only by the background job's redirections: those
	# run later, and a wait_line meanwhile would read the previous run's
	# READY (a second lp_start in one test then raced its own probes).
	: >"$TMP/bg.out"
	: >"$TMP/bg.err"
	"$LUAPROBE" "$@" >"$TMP/bg.out" 2>"$TMP/bg.err" &
	BG_PID=$!
}

# wait_gone PID SECONDS: poll until process PID has ended (or is a zombie).
wait_gone() {
	local deadline=$((SECONDS + $2)) state
	while :; do
		state=$(sed 's/.*) //; s/ .*//' /proc/"$1"/stat 2>/dev/null || echo gone)
		[ "$state" = Z ] || [ "$state" = gone ] && return 0
		[ "$SECONDS" -ge "$deadline" ] && fail "process $1 still running after $2 s"
		sleep 0.05
	done
}

# lp_wait SECONDS: wait for the background luaprobe to end; sets RC, OUT, ERR.
lp_wait() {
	local rc=0
	wait_gone "$BG_PID" "$1"
	wait "$BG_PID" || rc=$?
	BG_PID=
	RC=$rc
	OUT=$(cat "$TMP/bg.out")
	ERR=$(cat "$TMP/bg.err")
}

# lp_ready: wait for the background luaprobe to print READY (from on_start,
# so every probe is attached), then set IDS to the lp_tp programs it holds.
lp_ready() {
	wait_line "$TMP/bg.out" READY 60
	IDS=$(lp_prog_ids "$BG_PID")
}

# The on_start line lp_ready waits for.
READY_LUA='on_start(function() print("READY") io.stdout:flush() end)'

# Run rather than sourced (ctest's e2e.lib.selftest, tests/CMakeLists.txt):
# check that the helpers themselves catch what they should. No kernel needed.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	assert_eq x x "equal strings"
	msg=$( (assert_eq "a b" "a c" "words") 2>&1) && fail "assert_eq passed on a difference"
	assert_eq $'unexpected words:\n  expected: a b\n  actual:   a c' "$msg" "assert_eq's report"
	(assert_range 8 11 12 ticks 2>/dev/null) && fail "assert_range passed 12 in 8..11"
	(assert_range 8 11 "" ticks 2>/dev/null) && fail "assert_range passed an empty value"
	assert_range 8 11 8 ticks
	(assert_contains needle hay what 2>/dev/null) && fail "assert_contains passed"
	assert_eq "v w" "$(field k $'k v w\nkk x')" "field"
	assert_eq "" "$(field k $'k \nx')" "an empty field"
	assert_eq '<0 lines "k ..." in: x>' "$(field k x)" "a missing field"
	assert_eq '<2 lines "k ..." in: k 1'$'\n''k 2>' "$(field k $'k 1\nk 2')" "a repeated field"
	echo "lib.sh: helpers ok"
fi
