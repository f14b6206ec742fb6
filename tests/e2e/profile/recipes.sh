# The profile and stackcount recipes. profile on the busy fixture: folded
# output (user frames, then kernel frames, under the process name) that
# flamegraph.pl's parser accepts, with the spin loop's chain the hottest;
# the default layout; --user-only through the in-kernel count. stackcount on
# a syscaller started first (its pid known, released once counting): exactly its 300 getppid calls,
# in kernel stacks through do_syscall_64, and --user in folded form.
# ctest: run serial
. "$TESTS/e2e/lib.sh"
need_root
need_cmd perl

run timeout -k 2 30 "$LUAPROBE" -c "$FIXTURES/busy --name lpbusy 1500 >/dev/null" profile --folded
assert_eq 0 "$RC" "exit status of profile --folded ($ERR)"
assert_contains "Sampling kernel and user stacks at 99 Hz on every CPU (pid " "$ERR" "the banner"
assert_eq "" "$(grep -vE '^[^ ]+(;[^ ]+)* [0-9]+$' <<<"$OUT" || true)" "folded lines"
sum=$(perl -ne 'my ($stack, $samples) = (/^(.*)\s+?(\d+(?:\.\d*)?)$/);
	die "unparsed: $_" unless defined $samples; $s += $samples; END { print $s + 0 }' <<<"$OUT") ||
	fail "flamegraph.pl's parse of: $OUT"
assert_range 3 160 "$sum" "samples in 1.5 s at 99 Hz"
# the spin loop's chain (user frames, then whatever the kernel did there)
spin=$(grep -E '^lpbusy;__libc_start_call_main;main;lp_busy_outer;lp_busy_spin(;[^ ]+)* [0-9]+$' <<<"$OUT" |
	awk '{ s += $NF } END { print s + 0 }')
[ $((spin * 2)) -ge "$sum" ] || fail "$spin of $sum samples in the spin loop's chain: $OUT"

run timeout -k 2 30 "$LUAPROBE" -c "$FIXTURES/busy --name lpbusy 800 >/dev/null" profile --top 1
assert_eq 0 "$RC" "exit status of profile ($ERR)"
[[ "$(head -1 <<<"$OUT")" == "@[" ]] && [[ "$(tail -1 <<<"$OUT")" =~ ^,\ lpbusy\]:\ [0-9]+$ ]] ||
	fail "profile --top 1: $OUT"
grep -qE '^        lp_busy_spin\+0x[0-9a-f]+ \(busy\.c:[0-9]+\)$' <<<"$OUT" || fail "no spin frame: $OUT"

run timeout -k 2 30 "$LUAPROBE" -c "$FIXTURES/busy --name lpbusy 800 >/dev/null" profile --user-only --folded --duration 0.5
assert_eq 0 "$RC" "exit status of profile --user-only ($ERR)"
assert_contains "for 0.5 s" "$ERR" "the banner with --duration"
grep -qE '^lpbusy;__libc_start_call_main;main;lp_busy_outer;lp_busy_spin [0-9]+$' <<<"$OUT" ||
	fail "profile --user-only --folded: $OUT"

run "$LUAPROBE" profile --hz 0
assert_eq 1 "$RC" "exit status of --hz 0"
assert_contains "--hz wants a whole number of at least 1, not '0'" "$ERR" "--hz 0"

# stackcount: a syscaller that makes its 300 calls once stackcount says it
# counts (a fixed head start of 1 s was not enough under load), by pid
need_tracepoint syscalls:sys_enter_getppid
mkfifo "$TMP/go"
# stackcount_run ARGS...: the counts of the released syscaller; sets RC, OUT, ERR
stackcount_run() {
	sh -c 'read -r _ <"$1"; exec "$2" --name lpsc 300' sh "$TMP/go" "$FIXTURES/syscaller" >"$TMP/sc.out" &
	local sc=$!
	lp_start stackcount --pid "$sc" "$@" tracepoint:syscalls:sys_enter_getppid
	until grep -q '^Counting' "$TMP/bg.err"; do
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo go >"$TMP/go"
	wait "$sc"
	kill -INT "$BG_PID" 2>/dev/null || true
	lp_wait 30
}
stackcount_run
assert_eq 0 "$RC" "exit status of stackcount ($ERR)"
assert_eq 300 "$(sed -n 's/^\]: //p' <<<"$OUT" | awk '{ s += $1 } END { print s + 0 }')" "stackcount's counts"
grep -qE '^        do_syscall_64\+0x[0-9a-f]+$' <<<"$OUT" || fail "no do_syscall_64 frame: $OUT"
stackcount_run --user --folded
assert_eq 0 "$RC" "exit status of stackcount --user ($ERR)"
assert_eq "lpsc;__libc_start_call_main;syscall 300" "$OUT" "stackcount --user --folded"
echo "ok"
