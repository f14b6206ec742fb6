# tcpretrans: in a network namespace of the test's own, a veth whose far
# end answers nothing (a permanent neighbour entry, no address on it), and
# a connect() there from bash (/dev/tcp) with net.ipv4.tcp_syn_retries=1:
# its SYN is retransmitted by the kernel's timer until the connect times
# out. The recipe, with --port, prints one line per retransmission: as many
# as the namespace's own counter (Tcp RetransSegs in /proc/net/snmp) says,
# each with the addresses, ports and state SYN_SENT exactly. A classic
# tracepoint's program does not run when it fires inside another BPF
# program on the same CPU (recursion_misses): a missed run allows one line
# fewer. Then the errors.
# Retransmits machine-wide tracepoint: with the net tests, one at a time.
. "$TESTS/e2e/lib.sh"
need_tracepoint tcp:tcp_retransmit_skb
need_cmd unshare
need_cmd ip
need_cmd bpftool
PORT=$((20000 + ($$ + 11) % 20000))

misses() {
	local id n=0 m
	for id in $(lp_prog_ids "$1"); do
		m=$(bpftool prog show id "$id" | sed -n 's/.*recursion_misses \([0-9]*\).*/\1/p')
		n=$((n + ${m:-0}))
	done
	echo "$n"
}

lp_start tcpretrans --port "$PORT"
wait_line "$TMP/bg.err" "Tracing TCP retransmissions... Hit Ctrl-C to end." 30
run unshare -n sh -c "ip link set lo up && ip link add lpv0 type veth peer name lpv1 &&
	ip link set lpv0 up && ip link set lpv1 up && ip addr add 10.77.0.1/24 dev lpv0 &&
	ip neigh add 10.77.0.2 lladdr 02:00:00:00:00:02 dev lpv0 nud permanent &&
	sysctl -qw net.ipv4.tcp_syn_retries=1 || exit 2
	bash -c 'exec 3<>/dev/tcp/10.77.0.2/$PORT' 2>/dev/null && exit 3
	awk '/^Tcp: [0-9]/ { print \"retrans\", \$13 }' /proc/net/snmp"
[ "$RC" -ne 2 ] || skip "no veth or netns here: $ERR"
assert_eq 0 "$RC" "the namespace's workload ($ERR)"
retrans=$(field retrans "$OUT")
assert_range 1 100 "$retrans" "RetransSegs of the namespace ($OUT)"
missed=$(misses "$BG_PID")
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "TIME(s)      IP LADDR:LPORT              RADDR:RPORT           STATE        ERR" "$(head -n1 <<<"$OUT")" "header"
lines=$(sed 1d <<<"$OUT")
n=$(grep -c '' <<<"$lines" || true)
if [ "$missed" -eq 0 ]; then
	assert_eq "$retrans" "$n" "lines against RetransSegs ($OUT)"
else
	assert_range $((retrans - missed)) "$retrans" "$n" "lines against RetransSegs, $missed runs missed ($OUT)"
fi
sport=$(awk 'NR == 1 { split($3, a, ":"); print a[2] }' <<<"$lines")
want=$(printf '4 10.77.0.1:%s R> 10.77.0.2:%s SYN_SENT -' "$sport" "$PORT")
while read -r t rest; do
	[[ "$t" =~ ^[0-9]+\.[0-9]{6}$ ]] || fail "time '$t' in: $OUT"
	assert_eq "$want" "$(echo $rest)" "a retransmission line"
done <<<"$lines"

run "$LUAPROBE" tcpretrans --port 0
assert_eq 1 "$RC" "exit status of a bad port"
assert_contains "--port wants a port number (1-65535)" "$ERR" "message of a bad port"
exit 0
