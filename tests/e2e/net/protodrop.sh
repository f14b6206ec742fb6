# The protodrop recipe against real frames on a veth pair (demo/netns.sh):
# 5 frames of EtherType 0x88b5, then 3 of 0x88b6, then 3 IPv4 frames whose
# header is not IPv4 (dropped later, in ip_rcv_core). Per interval it prints
# "N frames dropped in F: protocol 0xNNNN (NAME), reason R" for what was
# added since the last print: summed over its lines, exactly 5 of 0x88b5
# and 3 of 0x88b6, each with reason UNHANDLED_PROTO, and none of the IPv4
# frames, which the kernel drops outside __netif_receive_skb_core. With
# --func ip_rcv_core: exactly the 3 IPv4 frames, named IPv4, and no other.
# With --iface NAME (tp_btf, the device compared in the kernel) the same
# sums; with --iface lo, none.
. "$TESTS/e2e/lib.sh"
need_tracepoint skb:kfree_skb
. "$TESTS/e2e/net.bash"
net_up lpproto

send="bash $NETNS_SH send $NAME"
senders="$send 5 100 0x88b5 && $send 3 100 0x88b6 && $send 3 100 0x0800"

# sums FUNC: "PROTO (NAME) REASON total" per protocol, from the lines of $OUT,
# failing on a line of another form.
sums() {
	local re="^([0-9]+) frames dropped in $1: protocol (0x[0-9a-f]{4}) \\(([^)]+)\\), reason ([A-Z0-9_]+)\$"
	local line
	declare -A total=()
	while IFS= read -r line; do
		case "$line" in "watching drops in "* | "sent "*) continue ;; esac
		[[ "$line" =~ $re ]] || fail "a line not in the form 'N frames dropped in $1: protocol 0xNNNN (NAME), reason R': '$line'"
		local k="${BASH_REMATCH[2]} (${BASH_REMATCH[3]}) ${BASH_REMATCH[4]}"
		total[$k]=$((${total[$k]:-0} + BASH_REMATCH[1]))
	done <<<"$OUT"
	for k in "${!total[@]}"; do echo "$k ${total[$k]}"; done | sort
}

run "$LUAPROBE" -c "$senders" protodrop --interval 250ms
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
assert_eq "watching drops in __netif_receive_skb_core; every 250ms the protocols of the new ones (Ctrl-C to end)" \
	"$(head -n1 <<<"$OUT")" "first line"
assert_eq $'sent 5 frames\nsent 3 frames\nsent 3 frames' "$(grep '^sent ' <<<"$OUT")" "the senders' lines"
sum=$(sums __netif_receive_skb_core)
assert_eq "0x88b5 (0x88b5) UNHANDLED_PROTO 5
0x88b6 (0x88b6) UNHANDLED_PROTO 3" "$sum" \
	"frames per protocol and reason dropped in __netif_receive_skb_core, summed over the lines"

# --iface: the same drops through tp_btf, only those of the receiving end
run "$LUAPROBE" -c "$senders" protodrop --iface "$NAME" --interval 250ms
assert_eq 0 "$RC" "exit status of protodrop --iface ($ERR)"
assert_eq "" "$ERR" "stderr of protodrop --iface"
sum=$(sums __netif_receive_skb_core)
assert_eq "0x88b5 (0x88b5) UNHANDLED_PROTO 5
0x88b6 (0x88b6) UNHANDLED_PROTO 3" "$sum" "frames per protocol of $NAME, through tp_btf"
run "$LUAPROBE" -c "$senders" protodrop --iface lo --interval 250ms
assert_eq 0 "$RC" "exit status of protodrop --iface lo ($ERR)"
assert_eq "" "$(sums __netif_receive_skb_core)" "drops of lo while the frames go to $NAME"

run "$LUAPROBE" -c "$senders" protodrop --func ip_rcv_core --interval 1s
assert_eq 0 "$RC" "exit status of protodrop --func ip_rcv_core ($ERR)"
assert_eq "" "$ERR" "stderr of protodrop --func ip_rcv_core"
sum=$(sums ip_rcv_core)
[[ "$sum" =~ ^"0x0800 (IPv4) "[A-Z0-9_]+" 3"$ ]] ||
	fail "unexpected drops in ip_rcv_core: expected '0x0800 (IPv4) REASON 3', actual: '$sum'"

run bash "$NETNS_SH" down "$NAME"
assert_eq 0 "$RC" "netns.sh down ($ERR)"
exit 0
