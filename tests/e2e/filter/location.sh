# where location in "FUNC" on skb:kfree_skb: the address where the kernel
# freed the packet lies inside FUNC, any of its out-of-line clones included
# (here __netif_receive_skb_core is __netif_receive_skb_core.constprop.0).
# Real frames on a veth pair (demo/netns.sh): 4 of EtherType 0x88b8,
# dropped in __netif_receive_skb_core, and 3 IPv4 frames with a header that
# is not IPv4, dropped in ip_rcv_core. Each probe counts in its handler what
# it receives: exactly 4 in __netif_receive_skb_core, 0 in ip_rcv, 3 in
# ip_rcv_core; the protocol filters keep other traffic out.
. "$TESTS/e2e/lib.sh"
need_tracepoint skb:kfree_skb
. "$TESTS/e2e/net.bash"
net_up lploc
clone=$(awk '$3 ~ /^__netif_receive_skb_core\./ && $3 !~ /\.(cold|part)/ { print $3; exit }' /proc/kallsyms)

cases="4	location in \"__netif_receive_skb_core\" && protocol == 0x88b8
0	!(location in \"__netif_receive_skb_core\") && protocol == 0x88b8
0	location in \"ip_rcv\" && protocol == 0x88b8
0	location in \"ip_rcv\" && protocol == 0x0800
3	location in \"ip_rcv_core\" && protocol == 0x0800
0	location in \"__netif_receive_skb_core\" && protocol == 0x0800
7	(location in \"__netif_receive_skb_core\" && protocol == 0x88b8) || (location in \"ip_rcv_core\" && protocol == 0x0800)"
# The clone by its own name, where this kernel has one.
[ -z "$clone" ] || cases="$cases
4	location in \"$clone\" && protocol == 0x88b8"

{
	echo 'local counts, exprs = {}, {}'
	while IFS=$'\t' read -r _ expr; do
		printf 'exprs[#exprs + 1] = [[%s]]\n' "$expr"
	done <<<"$cases"
	cat <<'LUA'
for i, expr in ipairs(exprs) do
  counts[i] = 0
  probe("tracepoint:skb:kfree_skb", { where = expr }, function(e) counts[i] = counts[i] + 1 end)
end
local protos = probe("tracepoint:skb:kfree_skb", { where = 'location in "__netif_receive_skb_core"' })
                 :count("protocol")
on_exit(function()
  for i, expr in ipairs(exprs) do printf("%d\t%s\n", counts[i], expr) end
  for k, n in protos:items() do
    if k.protocol == 0x88b8 or k.protocol == 0x0800 then printf("protocol %s: %d\n", ethertype(k.protocol), n) end
  end
end)
LUA
} >"$TMP/location.lua"
send="bash $NETNS_SH send $NAME"
run "$LUAPROBE" -c "{ $send 4 50 0x88b8 && $send 3 50 0x0800; } >/dev/null" "$TMP/location.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
assert_eq "$cases
protocol 0x88b8: 4" "$OUT" "events each location filter delivered (count<TAB>filter), protocols in __netif_receive_skb_core"

run bash "$NETNS_SH" down "$NAME"
assert_eq 0 "$RC" "netns.sh down ($ERR)"
exit 0
