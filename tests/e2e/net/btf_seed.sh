# The seed story with kernel types (issue 8): 4 frames of EtherType 0x88b5
# on a veth pair, each freed in __netif_receive_skb_core with reason
# UNHANDLED_PROTO. tp_btf:kfree_skb, filtered by location and by the enum
# by name, prints for each exactly "0x88b5 NAME 46" (skb->protocol after
# ntohs, skb->dev->name, skb->len: the 60-byte frame less the 14-byte
# Ethernet header eth_type_trans pulled); the same through casts of
# tracepoint:skb:kfree_skb's skbaddr, and through rawtp (probe-reads).
# Then one line of every expression shape with its exact value: bitfield
# (pkt_type: PACKET_BROADCAST, sendframe sends to ff:ff:ff:ff:ff:ff),
# embedded struct (nd_net.net->loopback_dev->name: "lo"), array element and
# whole byte array (dev->broadcast), an int (mtu 1500), (*skb).len, and
# the count and sum keyed and valued by expressions.
. "$TESTS/e2e/lib.sh"
need_tracepoint skb:kfree_skb
[ -e /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"
. "$TESTS/e2e/net.bash"
net_up lpbtf

send="bash $NETNS_SH send $NAME 4 50 0x88b5"
expect=$(printf '0x88b5 %s 46\n0x88b5 %s 46\n0x88b5 %s 46\n0x88b5 %s 46' "$NAME" "$NAME" "$NAME" "$NAME")

cat >"$TMP/btf.lua" <<'LUA'
probe("tp_btf:kfree_skb", { where = 'location in "__netif_receive_skb_core" && reason == UNHANDLED_PROTO',
  fetch = { proto = "skb->protocol", dev = "skb->dev->name", len = "skb->len" } },
  function(e) printf("0x%04x %s %d\n", ntohs(e.proto), e.dev, e.len) end)
LUA
run "$LUAPROBE" -v -c "$send" "$TMP/btf.lua"
assert_eq 0 "$RC" "exit status of tp_btf ($ERR)"
assert_eq "$expect" "$(grep -v '^sent ' <<<"$OUT")" "tp_btf:kfree_skb lines"
assert_contains "attached as tp_btf, direct loads" "$ERR" "tp_btf walks the chain with direct loads"

cat >"$TMP/cast.lua" <<'LUA'
probe("tracepoint:skb:kfree_skb", { where = 'location in "__netif_receive_skb_core"',
  fetch = { proto = "((struct sk_buff *)skbaddr)->protocol",
            dev = "((struct sk_buff *)skbaddr)->dev->name",
            len = "((struct sk_buff *)skbaddr)->len" } },
  function(e) printf("0x%04x %s %d\n", ntohs(e.proto), e.dev, e.len) end)
LUA
run "$LUAPROBE" -c "$send" "$TMP/cast.lua"
assert_eq 0 "$RC" "exit status of the cast ($ERR)"
assert_eq "$expect" "$(grep -v '^sent ' <<<"$OUT")" "tracepoint:skb:kfree_skb through casts of skbaddr"

sed 's/tp_btf:/rawtp:/' "$TMP/btf.lua" >"$TMP/raw.lua"
run "$LUAPROBE" -v -c "$send" "$TMP/raw.lua"
assert_eq 0 "$RC" "exit status of rawtp ($ERR)"
assert_eq "$expect" "$(grep -v '^sent ' <<<"$OUT")" "rawtp:kfree_skb lines"
assert_contains "attached as raw_tp" "$ERR" "rawtp attaches as raw_tp"

cat >"$TMP/shapes.lua" <<'LUA'
local w = 'location in "__netif_receive_skb_core" && reason == UNHANDLED_PROTO'
probe("tp_btf:kfree_skb", { where = w,
  fetch = { pkt = "skb->pkt_type", lo = "skb->dev->nd_net.net->loopback_dev->name",
            b5 = "skb->dev->broadcast[5]", b6 = "skb->dev->broadcast[6]",
            bc = "skb->dev->broadcast", mtu = "skb->dev->mtu", len = "(*skb).len",
            r = "reason" } },
  function(e)
    printf("pkt_type=%d lo=%s b5=%d b6=%d bc=%s #bc=%d mtu=%d len=%d reason=%s\n", e.pkt, e.lo,
           e.b5, e.b6, string.format("%02x:%02x:%02x:%02x:%02x:%02x:%02x", e.bc:byte(1, 7)),
           #e.bc, e.mtu, e.len, drop_reason(e.r))
  end)
local p = probe("tp_btf:kfree_skb", { where = w .. ' && skb->dev->ifindex > 1' })
local by_dev = p:count("skb->dev->name", "skb->protocol")
local bytes = probe("tracepoint:skb:kfree_skb", { where = 'location in "__netif_receive_skb_core"' })
  :sum("((struct sk_buff *)skbaddr)->len", "((struct sk_buff *)skbaddr)->dev->name")
on_exit(function()
  for k, n in by_dev:items() do printf("count %s 0x%04x %d\n", k["skb->dev->name"], ntohs(k["skb->protocol"]), n) end
  for k, n in bytes:items() do printf("sum %s %d\n", k["((struct sk_buff *)skbaddr)->dev->name"], n) end
end)
LUA
run "$LUAPROBE" -c "$send" "$TMP/shapes.lua"
assert_eq 0 "$RC" "exit status of the shapes ($ERR)"
line="pkt_type=1 lo=lo b5=255 b6=0 bc=ff:ff:ff:ff:ff:ff:00 #bc=32 mtu=1500 len=46 reason=UNHANDLED_PROTO"
assert_eq "$line
$line
$line
$line
count $NAME 0x88b5 4
sum $NAME 184" "$(grep -v '^sent ' <<<"$OUT")" "every expression shape"

run bash "$NETNS_SH" down "$NAME"
assert_eq 0 "$RC" "netns.sh down ($ERR)"
exit 0
