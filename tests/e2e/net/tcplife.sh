# tcplife: two connections of the tcpbytes fixture on a port of the test's
# own, each side printed as it closes with its bytes read from struct
# tcp_sock through BTF: IPv4 with 100000 bytes up and 5000 down, IPv6 with
# none. bytes_acked and bytes_received count sequence space: the data, one
# for a FIN, and one for the SYN in the connecting side's TX_B, so exactly
# 100002/5001 and 5001/100001, then 2/1 and 1/1. PID and COMM are the
# fixture's (it connected and closed both ends). A connection on another
# port (tcpconnect) does not show.
# Counts TCP connections machine-wide: with the net tests, one at a time.
. "$TESTS/e2e/lib.sh"
need_tracepoint sock:inet_sock_set_state
PORT=$((20000 + ($$ + 7) % 20000))

cat >"$TMP/conns.sh" <<SH
$FIXTURES/tcpconnect 127.1.0.9 127.0.5.1 >/dev/null || exit 1
sh -c 'echo pid \$\$; exec $FIXTURES/tcpbytes 127.1.0.9 127.0.5.1 $PORT 100000 5000' || exit 1
exec sh -c 'echo pid \$\$; exec $FIXTURES/tcpbytes ::1 ::1 $PORT 0 0'
SH
run "$LUAPROBE" -c "sh $TMP/conns.sh" tcplife --port "$PORT"
assert_eq 0 "$RC" "exit status ($ERR)"
printf '%s\n' "$OUT" >"$TMP/out"
# the fixture's lines: its pid, then its connection
mapfile -t pids < <(sed -n 's/^pid //p' "$TMP/out")
c4=$(sed -n 's/^127\.1\.0\.9:\([0-9]*\) .*/\1/p' "$TMP/out")
c6=$(sed -n 's/^::1:\([0-9]*\) .*/\1/p' "$TMP/out")
[ ${#pids[@]} -eq 2 ] && [ -n "$c4" ] && [ -n "$c6" ] || fail "no pid or connection lines in: $OUT"
rows=$(grep -v '^pid \|^127\.1\.0\.9:\|^::1:' "$TMP/out" | awk 'NR == 1 { $1 = $1; print; next } { $NF = ($NF ~ /^[0-9]+\.[0-9][0-9][0-9]$/) ? "MS" : "BAD:" $NF; print }')
assert_eq "PID COMM IP LADDR LPORT RADDR RPORT TX_B RX_B MS
${pids[0]} tcpbytes 4 127.1.0.9 $c4 127.0.5.1 $PORT 100002 5001 MS
${pids[0]} tcpbytes 4 127.0.5.1 $PORT 127.1.0.9 $c4 5001 100001 MS
${pids[1]} tcpbytes 6 ::1 $c6 ::1 $PORT 2 1 MS
${pids[1]} tcpbytes 6 ::1 $PORT ::1 $c6 1 1 MS" "$rows" "connections ($OUT)"

run "$LUAPROBE" tcplife --port x
assert_eq 1 "$RC" "exit status of a bad port"
assert_contains "--port wants a port number (1-65535)" "$ERR" "message of a bad port"
exit 0
