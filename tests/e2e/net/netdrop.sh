# The netdrop recipe against real frames: a veth pair (demo/netns.sh) and
# exactly 5 frames of EtherType 0x88b5, 200 ms apart. The kernel drops each
# in __netif_receive_skb_core (a clone of it here) with reason
# UNHANDLED_PROTO. The recipe prints, per interval, what was added since the
# last print, and the rest at the end: summed over its lines, exactly 5 drops
# at that location, each line "N drops at func+0xoff (0xaddr) REASON" with
# 0xaddr = the symbol's address in /proc/kallsyms + off. Twice: every 300 ms
# for the time the sender runs (-c), and with --reason UNHANDLED_PROTO for
# 4 s (-d) with the sender started once it is counting.
# netdrop counts every drop on the machine: the tests that send frames run
# one at a time (tests/e2e/net.bash).
. "$TESTS/e2e/lib.sh"
need_tracepoint skb:kfree_skb
. "$TESTS/e2e/net.bash"
net_up lpdrop

line_re='^([0-9]+) drops at (__netif_receive_skb_core[^ ]*)\+(0x[0-9a-f]+) \((0x[0-9a-f]+)\) UNHANDLED_PROTO$'

# check_drops WHAT K: the drop lines of $OUT at __netif_receive_skb_core
# with UNHANDLED_PROTO sum to K, and each names its address rightly.
check_drops() {
	local what=$1 want=$2 sum=0 n=0 line sym off addr base
	while IFS= read -r line; do
		[[ "$line" == *" drops at __netif_receive_skb_core"* ]] || continue
		[[ "$line" =~ $line_re ]] || fail "$what: a line not in the form N drops at func+0xoff (0xaddr) UNHANDLED_PROTO: '$line'"
		sum=$((sum + BASH_REMATCH[1]))
		n=$((n + 1))
		sym=${BASH_REMATCH[2]} off=${BASH_REMATCH[3]} addr=${BASH_REMATCH[4]}
		base=$(awk -v s="$sym" '$3 == s { print $1; exit }' /proc/kallsyms)
		[ -n "$base" ] || fail "$what: no symbol $sym in /proc/kallsyms"
		assert_eq "$(printf '0x%x' $((0x$base + off)))" "$addr" "$what: address of $sym+$off"
	done <<<"$OUT"
	[ "$n" -ge 1 ] || fail "$what: no drop line at __netif_receive_skb_core in: $OUT"
	assert_eq "$want" "$sum" "$what: drops at __netif_receive_skb_core (UNHANDLED_PROTO), summed over $n lines"
}

# 1. Every 300 ms while the sender runs; the rest when it ends.
run "$LUAPROBE" -c "bash $NETNS_SH send $NAME 5 200 0x88b5" netdrop --interval 300ms
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
assert_eq "counting drops; every 300ms the new ones, most first (Ctrl-C to end)" \
	"$(head -n1 <<<"$OUT")" "first line"
assert_eq "sent 5 frames" "$(grep '^sent ' <<<"$OUT")" "the sender's line"
check_drops "netdrop --interval 300ms" 5
# Nothing else than the header, the sender's line, times and drop lines.
other=$(sed '1d; /^sent 5 frames$/d; /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$/d; /^[0-9]\{1,\} drops at [^ ]* (0x[0-9a-f]*) [A-Z0-9_]*$/d' <<<"$OUT")
assert_eq "" "$other" "lines of another form"

# 2. --reason UNHANDLED_PROTO, -d 4, the frames sent once it is counting.
lp_start -d 4 netdrop --reason UNHANDLED_PROTO --interval 1s
wait_line "$TMP/bg.out" "counting drops with reason UNHANDLED_PROTO; every 1s the new ones, most first (Ctrl-C to end)" 5
run bash "$NETNS_SH" send "$NAME" 5 200 0x88b5
assert_eq 0 "$RC" "sender exit status ($ERR)"
assert_eq "sent 5 frames" "$OUT" "sender output"
lp_wait 10
assert_eq 0 "$RC" "exit status of netdrop --reason ($ERR)"
assert_eq "" "$ERR" "stderr of netdrop --reason"
check_drops "netdrop --reason UNHANDLED_PROTO" 5
other=$(sed '1d; /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$/d; / UNHANDLED_PROTO$/d' <<<"$OUT")
assert_eq "" "$other" "lines of netdrop --reason UNHANDLED_PROTO with another reason"

run bash "$NETNS_SH" down "$NAME"
assert_eq 0 "$RC" "netns.sh down ($ERR)"
exit 0
