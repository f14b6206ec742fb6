# where over a kernel enum, by the constants' names from BTF: skb:kfree_skb's
# reason (enum skb_drop_reason) against real frames on a veth pair
# (demo/netns.sh). 4 frames of EtherType 0x88b7 are dropped with
# UNHANDLED_PROTO, 3 IPv4 frames with a header that is not IPv4 with
# IP_INHDR. Each probe counts in its handler what it receives: the full
# name, the unambiguous suffix, the number enum() gives, != and ||, exact;
# and a keyed count of the drops of 0x88b7 by reason, named by drop_reason().
# The EtherType 0x88b7 and the protocol filters keep other traffic out.
. "$TESTS/e2e/lib.sh"
need_tracepoint skb:kfree_skb
. "$TESTS/e2e/net.bash"
net_up lpenum

cases="4	reason == SKB_DROP_REASON_UNHANDLED_PROTO && protocol == 0x88b7
4	reason == UNHANDLED_PROTO && protocol == 0x88b7
4	reason == ENUM && protocol == 0x88b7
0	reason != UNHANDLED_PROTO && protocol == 0x88b7
0	reason == SKB_DROP_REASON_NOT_SPECIFIED && protocol == 0x88b7
3	reason == SKB_DROP_REASON_IP_INHDR && protocol == 0x0800
7	(reason == UNHANDLED_PROTO && protocol == 0x88b7) || (reason == IP_INHDR && protocol == 0x0800)"

{
	echo 'local counts, exprs = {}, {}'
	while IFS=$'\t' read -r _ expr; do
		printf 'exprs[#exprs + 1] = [[%s]]\n' "$expr"
	done <<<"$cases"
	cat <<'LUA'
local unhandled = enum("skb_drop_reason", "SKB_DROP_REASON_UNHANDLED_PROTO")
for i, expr in ipairs(exprs) do
  counts[i] = 0
  probe("tracepoint:skb:kfree_skb", { where = expr:gsub("ENUM", tostring(unhandled)) },
        function(e) counts[i] = counts[i] + 1 end)
end
local by_reason = probe("tracepoint:skb:kfree_skb", { where = "protocol == 0x88b7" }):count("reason")
on_exit(function()
  for i, expr in ipairs(exprs) do printf("%d\t%s\n", counts[i], expr) end
  for k, n in by_reason:items() do
    printf("reason %s (%s): %d\n", drop_reason(k.reason), k.reason == unhandled and "enum()" or k.reason, n)
  end
end)
LUA
} >"$TMP/enum.lua"
send="bash $NETNS_SH send $NAME"
run "$LUAPROBE" -c "{ $send 4 50 0x88b7 && $send 3 50 0x0800; } >/dev/null" "$TMP/enum.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
assert_eq "$cases
reason UNHANDLED_PROTO (enum()): 4" "$OUT" "events each enum filter delivered (count<TAB>filter), drops of 0x88b7 by reason"

run bash "$NETNS_SH" down "$NAME"
assert_eq 0 "$RC" "netns.sh down ($ERR)"
exit 0
