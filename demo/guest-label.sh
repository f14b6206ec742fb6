# The demo's last step, run inside the guest kernel (tests/guest/run.sh boots
# it with GUEST_CASES pointing here): the seed's own SystemTap probe at the
# label "drop" of __netif_receive_skb_core, for frames of an unknown
# EtherType sent on a veth pair. Prints "protocol: 0x88b5" once per frame.
. /lp/env
export PATH=/lp:$PATH
insmod /lib/modules/veth.ko
ip link add lpa type veth
peer=$(for d in /sys/class/net/*; do
	[ "$(cat $d/iflink)" = "$(cat /sys/class/net/lpa/ifindex)" ] && [ "${d##*/}" != lpa ] && echo "${d##*/}"
done)
ip link set lpa up
ip link set "$peer" up
echo 'LPDEMO $ luaprobe --vmlinux vmlinux -c "sendframe ... --count 3" label.lua'
/lp/luaprobe --vmlinux /mnt/dbg/vmlinux \
	-c "sleep 1; sendframe --iface $peer --ethertype 0x88b5 --count 3 --interval-ms 200 >/dev/null; sleep 1" -e '
probe([[kernel.function("__netif_receive_skb_core").label("drop")]],
      { fetch = { protocol = "skb->protocol" } },
      function(e) printf("protocol: 0x%x\n", ntohs(e.protocol)) end)' 2>&1 | sed 's/^/LPDEMO /'
