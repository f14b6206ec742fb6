# libmicrohttpd is loaded when --metrics first serves, not at start: linked,
# it brought GnuTLS, p11-kit and nettle into every run (peak RSS of a
# count-only script 7.8 -> 5.0 MiB, launch to first event 10.7 -> 6.7 ms,
# bench/run.sh). A run without --metrics maps none of them; a run with it
# maps libmicrohttpd and serves.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/metrics/prom.bash"
need_tracepoint syscalls:sys_enter_getppid
need_cmd curl

script="probe('tracepoint:syscalls:sys_enter_getppid', { where = 'comm == \"lplazy$$\"' }):count():name('lplazy_total')
$READY_LUA"

# libs PID: the shared objects PID maps that --metrics alone needs
libs() {
	{ grep -oE 'lib(microhttpd|gnutls|p11-kit|nettle)[^/]*\.so[.0-9]*' /proc/"$1"/maps || true; } | sort -u | paste -sd' '
}

lp_start -e "$script"
lp_ready
without=$(libs "$BG_PID")
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status without --metrics ($ERR)"
assert_eq "" "$without" "libraries mapped without --metrics"

lp_start --metrics 127.0.0.1:0 -e "$script"
lp_ready
port=$(metrics_port)
"$FIXTURES/syscaller" --name "lplazy$$" 321 >/dev/null
body=$(curl -sf "http://127.0.0.1:$port/metrics")
with=$(libs "$BG_PID")
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status with --metrics ($ERR)"
assert_contains "lplazy_total 321" "$body" "the counter served"
assert_contains "libmicrohttpd" "$with" "libraries mapped with --metrics"
echo ok
