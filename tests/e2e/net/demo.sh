# The quick-start demo (demo/run.sh) end to end, with its own interface name
# and 3 s a step: it runs the three steps in order, netdev prints the
# verdict, netdrop the drops at __netif_receive_skb_core with reason
# UNHANDLED_PROTO, protodrop the EtherType 0x88b5; the sender's count is
# exactly the receiving end's rx_dropped. Afterwards neither the interface,
# nor the namespace, nor any process of the demo is left. Then once more,
# ended by SIGTERM in the middle of a step: exit status 143, and again
# nothing left behind.
. "$TESTS/e2e/lib.sh"
need_root
need_cmd ip
need_cmd flock
need_cmd setsid
need_tracepoint skb:kfree_skb

DEMO="$TESTS/../demo/run.sh"
SENDFRAME=${SENDFRAME:-$(dirname "$LUAPROBE")/sendframe}
[ -x "$SENDFRAME" ] || skip "no sendframe at $SENDFRAME (built by demo/CMakeLists.txt)"
export SENDFRAME LUAPROBE

# The net tests that send frames run one at a time (see netdrop.sh).
exec 9>"${TMPDIR:-/tmp}/luaprobe-e2e-net.lock"
flock -w 60 9 || fail "another net test held the lock for 60 s"

NAME=lpdemo$$
NAME=${NAME:0:15}
[ -e "/run/netns/$NAME" ] || ! ip link show dev "$NAME" >/dev/null 2>&1 ||
	fail "interface $NAME exists already"
DEMO_PID= # the demo runs in a session of its own: its id is the demo's pid
demo_cleanup() {
	local pid
	if [ -n "$DEMO_PID" ]; then
		for pid in $(ps -o pid= -s "$DEMO_PID" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
	fi
	bash "$TESTS/../demo/netns.sh" down "$NAME" >/dev/null 2>&1 || true
	cleanup
}
trap demo_cleanup EXIT

# left_behind: what of the demo is still there.
left_behind() {
	local procs
	procs=$(ps -o pid=,args= -s "$DEMO_PID" 2>/dev/null || true)
	[ -z "$procs" ] || echo "processes of the demo's session: $procs"
	! ip link show dev "$NAME" >/dev/null 2>&1 || echo "interface $NAME"
	[ ! -e "/run/netns/$NAME" ] || echo "netns $NAME"
}

# 1. The whole demo on this kernel, 3 s a step (its label step boots a
# guest kernel: tests/guest/demo_label.sh runs it).
t0=$SECONDS
DEMO_SECONDS=3 DEMO_STEPS="netdev netdrop protodrop" DEMO_IFACE=$NAME setsid bash "$DEMO" </dev/null >"$TMP/demo.out" 2>"$TMP/demo.err" &
DEMO_PID=$!
rc=0
wait "$DEMO_PID" || rc=$?
took=$((SECONDS - t0))
OUT=$(cat "$TMP/demo.out")
assert_eq 0 "$rc" "exit status of the demo ($(cat "$TMP/demo.err"))"
assert_eq "" "$(cat "$TMP/demo.err")" "stderr of the demo"
assert_eq "" "$(left_behind)" "what the demo left behind"

banners=$(grep '^== ' <<<"$OUT" | sed -E 's/^(== [^:;0-9]*[a-z]).*/\1/')
assert_eq "== setting up
== netdev
== netdrop
== protodrop
== the sender sent" "$banners" "the demo's steps"
flat="while rx_errors, rx_fifo_errors, rx_missed_errors, rx_over_errors stay flat: the NIC delivered these frames; the kernel dropped them"
grep -qxE "$NAME: rx_dropped \+[0-9]+(\.[0-9])?/s $flat" <<<"$OUT" ||
	fail "no verdict line '$NAME: rx_dropped +N/s $flat' in: $OUT"
drops=$(sed -n '/^== netdrop:/,/^== protodrop:/p' <<<"$OUT" |
	grep -cE '^[0-9]+ drops at __netif_receive_skb_core[^ ]*\+0x[0-9a-f]+ \(0x[0-9a-f]+\) UNHANDLED_PROTO$' || true)
assert_range 1 10 "$drops" "netdrop lines at __netif_receive_skb_core with UNHANDLED_PROTO"
protos=$(sed -n '/^== protodrop:/,$p' <<<"$OUT" |
	grep -cxE '[0-9]+ frames dropped in __netif_receive_skb_core: protocol 0x88b5 \(0x88b5\), reason UNHANDLED_PROTO' || true)
assert_range 1 10 "$protos" "protodrop lines with protocol 0x88b5"
last=$(tail -n1 <<<"$OUT")
[[ "$last" =~ ^"== the sender sent "([0-9]+)" frames; $NAME counted rx_dropped "([0-9]+)$ ]] ||
	fail "unexpected last line: '$last'"
sent=${BASH_REMATCH[1]} dropped=${BASH_REMATCH[2]}
# one a second while the demo ran: at least the three steps' 9 s, and
# more when start-up is slow (17 under ctest -j2 on a loaded machine)
assert_range 7 $((took + 2)) "$sent" "frames sent in $took s, one a second"
assert_eq "$sent" "$dropped" "rx_dropped of $NAME after the frames the sender sent"

# 2. Ended by SIGTERM while netdrop counts.
DEMO_SECONDS=30 DEMO_STEPS=netdrop DEMO_IFACE=$NAME setsid bash "$DEMO" </dev/null >"$TMP/demo.out" 2>"$TMP/demo.err" &
DEMO_PID=$!
wait_line "$TMP/demo.out" "counting drops; every 1s the new ones, most first (Ctrl-C to end)" 10
kill -TERM "$DEMO_PID"
rc=0
wait "$DEMO_PID" || rc=$?
assert_eq 143 "$rc" "exit status of the demo after SIGTERM ($(cat "$TMP/demo.err"))"
assert_eq "" "$(left_behind)" "what the demo left behind after SIGTERM"
DEMO_PID=
exit 0
