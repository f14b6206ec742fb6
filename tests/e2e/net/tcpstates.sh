# tcpstates: the state changes of the sockets of one loopback connection
# the tcpbytes fixture makes (client 127.1.0.9 -> 127.0.5.1:PORT, 10 bytes
# each way, the client closing first), with --port PORT, beside another
# connection on other ports (tcpconnect) that must not show. Each socket's
# changes, in order, exactly: the listener, the client and the accepted
# socket; the first change of each has no previous ("-"), every later one a
# time in ms. Then IPv6 with --family 6 and the errors.
# Counts TCP state changes machine-wide: with the net tests, one at a time.
. "$TESTS/e2e/lib.sh"
need_tracepoint sock:inet_sock_set_state
PORT=$((20000 + $$ % 20000))

# per_socket TEXT: the changes of each socket (by SKADDR, in the order first
# seen), as "N: LADDR LPORT RADDR RPORT OLD -> NEW", and a check of MS
per_socket() {
	awk 'NR > 1 && $1 ~ /^[0-9a-f]+$/ {
		if (!($1 in id)) { id[$1] = ++n; first = 1 } else first = 0
		ms = $NF
		if (first && ms != "-") ms = "BAD first " ms
		else if (!first && ms !~ /^[0-9]+\.[0-9][0-9][0-9]$/) ms = "BAD ms " ms
		else ms = ""
		printf "%d: %s %s %s %s %s %s -> %s%s\n", id[$1], $4, $5, $6, $7, $8, $9, $11, ms ? " " ms : ""
	}' <<<"$1" | sort -s -n -k1,1
}

run "$LUAPROBE" -c "sh -c '$FIXTURES/tcpconnect 127.1.0.9 127.0.5.1 >/dev/null && $FIXTURES/tcpbytes 127.1.0.9 127.0.5.1 $PORT 10 10'" \
	tcpstates --port "$PORT"
assert_eq 0 "$RC" "exit status ($ERR)"
conn=$(grep '^127\.1\.0\.9:' <<<"$OUT") || fail "no connection line in: $OUT"
cport=${conn%% *}
cport=${cport#*:}
assert_eq "127.1.0.9:$cport 127.0.5.1:$PORT" "$conn" "the fixture's line"
assert_eq "SKADDR           C-PID   C-COMM     IP LADDR           LPORT RADDR           RPORT OLDSTATE    -> NEWSTATE    MS" \
	"$(sed -n 1p <<<"$OUT")" "header"
assert_eq "1: 4 127.0.5.1 $PORT 0.0.0.0 0 CLOSE -> LISTEN
1: 4 127.0.5.1 $PORT 0.0.0.0 0 LISTEN -> CLOSE
2: 4 127.1.0.9 $cport 127.0.5.1 $PORT CLOSE -> SYN_SENT
2: 4 127.1.0.9 $cport 127.0.5.1 $PORT SYN_SENT -> ESTABLISHED
2: 4 127.1.0.9 $cport 127.0.5.1 $PORT ESTABLISHED -> FIN_WAIT1
2: 4 127.1.0.9 $cport 127.0.5.1 $PORT FIN_WAIT1 -> FIN_WAIT2
2: 4 127.1.0.9 $cport 127.0.5.1 $PORT FIN_WAIT2 -> CLOSE
3: 4 127.0.5.1 $PORT 127.1.0.9 $cport LISTEN -> SYN_RECV
3: 4 127.0.5.1 $PORT 127.1.0.9 $cport SYN_RECV -> ESTABLISHED
3: 4 127.0.5.1 $PORT 127.1.0.9 $cport ESTABLISHED -> CLOSE_WAIT
3: 4 127.0.5.1 $PORT 127.1.0.9 $cport CLOSE_WAIT -> LAST_ACK
3: 4 127.0.5.1 $PORT 127.1.0.9 $cport LAST_ACK -> CLOSE" "$(per_socket "$OUT")" "the changes of each socket ($OUT)"
# nothing but the header, the fixture's line and the 12 changes
assert_eq 14 "$(grep -c '' <<<"$OUT")" "lines ($OUT)"

run "$LUAPROBE" -c "$FIXTURES/tcpbytes ::1 ::1 $PORT 1 1" tcpstates --port "$PORT" --family 6
assert_eq 0 "$RC" "exit status of IPv6 ($ERR)"
cport=$(sed -n 's/^::1:\([0-9]*\) .*/\1/p' <<<"$OUT")
assert_eq "2: 6 ::1 $cport ::1 $PORT CLOSE -> SYN_SENT
2: 6 ::1 $cport ::1 $PORT SYN_SENT -> ESTABLISHED" "$(per_socket "$OUT" | grep '^2: ' | head -n2)" "IPv6 ($OUT)"
run "$LUAPROBE" -c "$FIXTURES/tcpbytes 127.0.0.1 127.0.0.1 $PORT 1 1" tcpstates --port "$PORT" --family 6
assert_eq 0 "$RC" "exit status of IPv4 under --family 6 ($ERR)"
assert_eq 2 "$(grep -c '' <<<"$OUT")" "IPv4 under --family 6: the fixture's line and the header only ($OUT)"

run "$LUAPROBE" tcpstates --port 70000
assert_eq 1 "$RC" "exit status of a bad port"
assert_contains "--port wants a port number (1-65535)" "$ERR" "message of a bad port"
exit 0
