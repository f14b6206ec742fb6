# The netdrop recipe, unchanged, under --metrics: 50 UDP datagrams to a
# closed port on 127.0.0.1 are dropped at __udp4_lib_rcv with NO_SOCKET;
# /metrics has them as a counter labelled by the symbolized location and
# the reason's enumerator (at least 50: other programs on the machine may
# drop the same way meanwhile), and promtool accepts the text.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/metrics/prom.bash"
need_tracepoint skb:kfree_skb
need_cmd curl
need_cmd python3
need_cmd promtool

lp_start --metrics 127.0.0.1:0 netdrop --interval 100ms
wait_line "$TMP/bg.out" "counting drops; every 100ms the new ones, most first (Ctrl-C to end)" 30
port=$(metrics_port)
python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(50):
    s.sendto(b"x", ("127.0.0.1", 9))'
series='netdrop_kfree_skb_count_total{location="__udp4_lib_rcv+0x'
deadline=$((SECONDS + 30))
while :; do
	curl -s -m 10 "http://127.0.0.1:$port/metrics" >"$TMP/metrics.txt" || true
	n=$(grep -F "$series" "$TMP/metrics.txt" | grep -F 'reason="SKB_DROP_REASON_NO_SOCKET"}' |
		sed 's/.* //' || true)
	[ -n "$n" ] && [ "$n" -ge 50 ] && break
	[ "$SECONDS" -ge "$deadline" ] && fail "no 50 NO_SOCKET drops served: $(grep netdrop_ "$TMP/metrics.txt")"
	sleep 0.2
done
grep -q '^# TYPE netdrop_kfree_skb_count_total counter$' "$TMP/metrics.txt" || fail "no TYPE line"
promtool check metrics <"$TMP/metrics.txt" >"$TMP/lint" 2>&1 || fail "promtool: $(cat "$TMP/lint")"
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status ($ERR)"
# and it still prints, as without --metrics
assert_contains "drops at __udp4_lib_rcv+0x" "$OUT" "the recipe's own output"
exit 0
