# libmicrohttpd, and the TLS stack it brings (gnutls, nettle, p11-kit...),
# are loaded only when metrics are served: a run without --metrics maps
# none of them (they cost ~2 ms of CPU and ~2.7 MiB of RSS at every start,
# which took the peak-RSS bars of issue 12 from met to missed), and a run
# with --metrics still serves. Failed before: libmicrohttpd and libgnutls
# were mapped in every run.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid
need_cmd curl

libs() { # PID: the shared libraries of interest it maps, sorted, one line
	grep -oE 'lib(microhttpd|gnutls|nettle|p11-kit)[^/ ]*\.so[.0-9]*' "/proc/$1/maps" |
		sed 's/\.so.*//' | sort -u | paste -sd' '
	return 0
}

lp_start -e "probe('tracepoint:syscalls:sys_enter_getppid', function(e) end)
$READY_LUA"
wait_line "$TMP/bg.out" READY 20
assert_eq "" "$(libs "$BG_PID")" "HTTP and TLS libraries mapped without --metrics"
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status without --metrics ($ERR)"

lp_start --metrics 127.0.0.1:0 -e "probe('tracepoint:syscalls:sys_enter_getppid'):count()
$READY_LUA"
wait_line "$TMP/bg.out" READY 20
assert_contains "libmicrohttpd" "$(libs "$BG_PID")" "libraries mapped with --metrics"
url=$(sed -n 's/^luaprobe: metrics on \(http[^ ]*\)$/\1/p' "$TMP/bg.err")
[ -n "$url" ] || fail "no metrics URL in: $(cat "$TMP/bg.err")"
body=$(curl -sf "$url") || fail "no answer from $url"
assert_contains "luaprobe_probes{" "$body" "served metrics"
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status with --metrics ($ERR)"
echo "ok: libmicrohttpd loaded only with --metrics"
