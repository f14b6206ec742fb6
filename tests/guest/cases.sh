# Runs inside the guest (busybox sh, in /lp): each case prints one marker
# line "LPCASE <name> PASS" or "LPCASE <name> FAIL <why>" on the console;
# check.sh turns each into its own ctest result.
. /lp/env
LP=/lp/luaprobe
export PATH=/lp:$PATH

pass() { echo "LPCASE $1 PASS"; }
fail() {
	echo "LPCASE $1 FAIL $2"
	sed 's/^/LPOUT /' /tmp/out 2>/dev/null | head -20
}
# expect NAME WANTED-OUTPUT: /tmp/out must be exactly that
expect() {
	if [ "$(cat /tmp/out)" = "$2" ]; then pass "$1"; else fail "$1" "wanted [$2]"; fi
}

# kprobe: exactly N calls of the workload's getppid
$LP -c 'syscaller --name lpk 7' -e '
local n = 0
probe("kprobe:__x64_sys_getppid", { where = "comm == \"lpk\"" }, function(e) n = n + 1 end)
on_exit(function() printf("%d\n", n) end)' >/tmp/out 2>&1
expect kprobe "$(printf 'pid %s\ngetppid 7\n7' "$(sed -n 's/^pid //p' /tmp/out)")"

# kprobe at f+OFF (the third instruction of ksys_read, computed on the host)
$LP -c 'syscaller --name lpr --read-sizes 1,2,3 4' -e '
local n = 0
probe("kprobe:ksys_read+'"$KSYS_READ_OFF"'", { where = "comm == \"lpr\"" }, function(e) n = n + 1 end)
on_exit(function() printf("%d\n", n) end)' 2>&1 | tail -1 >/tmp/out
expect kprobe_offset 12

# kretprobe: $retval of read on a bad fd is -EBADF, 12 times
$LP -c 'syscaller --name lpr --read-sizes 1,2,3 4' -e '
probe("kretprobe:ksys_read", { where = "comm == \"lpr\"" }, function(e) printf("%d\n", e.retval) end)' \
	2>&1 | grep -v '^pid\|^read' | sort | uniq -c | sed 's/^ *//' >/tmp/out
expect kretprobe_retval "12 -9"

# an argument at a kretprobe: its register was overwritten by the return,
# so reading it is refused, not a silent wrong value (before: arg0 read rdi)
$LP -d 1 -e 'probe("kretprobe:ksys_read", { fetch = { fd = "arg0" } }, function(e) end)' >/tmp/out 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "arg0 is an argument: at a kretprobe its register no longer holds it" /tmp/out; then
	pass kretprobe_args_refused
else fail kretprobe_args_refused "wanted a non-zero exit and the refusal (exit $rc): $(cat /tmp/out)"; fi

# fentry: the arguments by their BTF names, exact values in order
$LP -c 'syscaller --name lpr --read-sizes 1,2,3 2' -e '
probe("fentry:ksys_read", { fetch = { "fd", "count" }, where = "comm == \"lpr\"" },
      function(e) printf("%x %d\n", e.fd, e.count) end)' 2>&1 | grep -v '^pid\|^read' >/tmp/out
expect fentry_args "$(printf '7ffffff0 1\n7ffffff0 2\n7ffffff0 3\n7ffffff0 1\n7ffffff0 2\n7ffffff0 3')"

# fexit: $retval
$LP -c 'syscaller --name lpr --read-sizes 5 3' -e '
probe("fexit:ksys_read", { fetch = { r = "$retval", c = "count" }, where = "comm == \"lpr\"" },
      function(e) printf("%d %d\n", e.r, e.c) end)' 2>&1 | grep -v '^pid\|^read' >/tmp/out
expect fexit_retval "$(printf -- '-9 5\n-9 5\n-9 5')"

# latency(): kprobe/kretprobe and fentry/fexit pairs in the kernel, one a
# read (12), neither end sending an event (hits 0)
$LP -c 'syscaller --name lpr --read-sizes 1,2,3 4' -e '
local s1, e1 = probe("kprobe:ksys_read", { where = "comm == \"lpr\"" }), probe("kretprobe:ksys_read", { where = "comm == \"lpr\"" })
local s2, e2 = probe("fentry:ksys_read", { where = "comm == \"lpr\"" }), probe("fexit:ksys_read", { where = "comm == \"lpr\"" })
local h1, h2 = latency(s1, e1), latency(s2, e2)
on_exit(function() printf("%d %d %d %d %d %d\n", h1:total(), s1.hits, e1.hits, h2:total(), s2.hits, e2.hits) end)' \
	2>&1 | tail -1 >/tmp/out
expect latency_kprobe "12 0 0 12 0 0"

# kernel.function("f") takes fentry here, and -v says so
$LP -v -c 'syscaller --name lpr --read-sizes 1,2,3 4' -e '
local n = 0
probe([[kernel.function("ksys_read")]], { where = "comm == \"lpr\"" }, function(e) n = n + 1 end)
on_exit(function() printf("n=%d\n", n) end)' >/tmp/out 2>&1
if grep -q 'attached as fentry' /tmp/out && grep -q '^n=12$' /tmp/out; then pass kernel_function_fentry
else fail kernel_function_fentry "wanted 'attached as fentry' and n=12"; fi

# .return: fexit with $retval
$LP -v -c 'syscaller --name lpr --read-sizes 7 2' -e '
probe([[kernel.function("ksys_read").return]], { where = "comm == \"lpr\"" },
      function(e) printf("ret=%d\n", e.retval) end)' >/tmp/out 2>&1
if grep -q 'attached as fexit' /tmp/out && [ "$(grep -c '^ret=-9$' /tmp/out)" = 2 ]; then
	pass kernel_function_return
else fail kernel_function_return "wanted 'attached as fexit' and ret=-9 twice"; fi

# without a BTF prototype (a syscall's wrapper), kernel.function takes a kprobe
$LP -v -c 'syscaller --name lpk 3' -e '
local n = 0
probe([[kernel.function("__x64_sys_getppid")]], { where = "comm == \"lpk\"" }, function(e) n = n + 1 end)
on_exit(function() printf("n=%d\n", n) end)' >/tmp/out 2>&1
if grep -q 'attached as kprobe' /tmp/out && grep -q '^n=3$' /tmp/out; then pass kernel_function_kprobe
else fail kernel_function_kprobe "wanted 'attached as kprobe' and n=3"; fi

# a wildcard attaches to every out-of-line copy, and says so (-c, not -d:
# resolving the wildcard under TCG on a loaded host took more than -d 5,
# and the deadline stopped the script before it attached)
$LP -v -c 'sleep 1' -e 'probe([[kernel.function("__netif_receive_skb*")]], function(e) end)' >/tmp/out 2>&1
if grep -q '__netif_receive_skb_core.constprop.0' /tmp/out && grep -q 'places' /tmp/out &&
	! grep -q '\.cold\|\.part' /tmp/out; then pass wildcard_clones
else fail wildcard_clones "wanted the .constprop.0 copy listed"; fi

# a parameter's name at a kprobe wildcard: one kprobe.multi program serves
# every function, whose parameters differ: refused (before, the first
# function's register was read at all of them); without kprobe.multi (6.1)
# the clone among them is refused instead
$LP -d 1 -e 'probe("kprobe:__netif_receive_skb*", { fetch = { s = "skb" } }, function(e) end)' >/tmp/out 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "'skb' is a parameter's name, but this wildcard attaches one program\|compiler copy" /tmp/out; then
	pass kprobe_multi_names_refused
else fail kprobe_multi_names_refused "wanted a non-zero exit and the refusal (exit $rc): $(cat /tmp/out)"; fi

$LP -l 'kernel.function("__netif_receive_skb_core*")' >/tmp/out 2>&1
expect list_clones 'kernel.function("__netif_receive_skb_core.constprop.0")'

# the seed's label: a veth pair, frames of an unknown EtherType dropped at
# __netif_receive_skb_core's label "drop" (busybox ip ignores "peer name":
# the peer is found through its iflink)
insmod /lib/modules/veth.ko
ip link add lpa type veth
peer=$(for d in /sys/class/net/*; do
	[ "$(cat $d/iflink)" = "$(cat /sys/class/net/lpa/ifindex)" ] && [ "${d##*/}" != lpa ] && echo "${d##*/}"
done)
ip link set lpa up
ip link set "$peer" up
# module("veth").function(...): one call of veth_xmit per frame sent; its
# parameters by name and type from veth's own debuginfo (Debian's -dbg
# layout, /usr/lib/debug/lib/modules/R/kernel/drivers/net/veth.ko, found by
# the loaded module's build id): each frame is 60 bytes, sent from $peer
$LP -c "sleep 1; sendframe --iface $peer --ethertype 0x88b5 --count 3 --interval-ms 50 >/dev/null" -e '
local n = 0
probe([[module("veth").function("veth_xmit")]], { where = "comm == \"sendframe\"" }, function(e) n = n + 1 end)
probe([[module("veth").function("veth_xmit")]],
      { fetch = { len = "skb->len", dev = "dev->name", proto = "skb->protocol" }, where = "comm == \"sendframe\"" },
      function(e) printf("xmit %d %s 0x%x\n", e.len, e.dev, ntohs(e.proto)) end)
on_exit(function() printf("%d\n", n) end)' >/tmp/all 2>&1
tail -1 /tmp/all >/tmp/out
expect module_function 3
grep '^xmit' /tmp/all >/tmp/out
expect module_params "$(printf 'xmit 60 %s 0x88b5\nxmit 60 %s 0x88b5\nxmit 60 %s 0x88b5' "$peer" "$peer" "$peer")"
[ -s /tmp/out ] || sed 's/^/LPOUT /' /tmp/all | head -20

# fentry typed by BTF: chains of the packet's skb at __dev_queue_xmit, one
# line per frame, exact (60-byte frames, the EtherType the packet socket
# parsed from them, the device it goes out of; sb_dev is NULL: an empty
# name, the chain ends there); a chain in where, too
ifindex=$(cat /sys/class/net/$peer/ifindex)
$LP -v -c "sleep 1; sendframe --iface $peer --ethertype 0x88b5 --count 3 --interval-ms 50 >/dev/null" -e '
probe("fentry:__dev_queue_xmit", { fetch = { p = "skb->protocol", len = "skb->len", dev = "skb->dev->name",
      sb = "sb_dev->name", i = "arg0->dev->ifindex" }, where = "comm == \"sendframe\" && skb->len == 60" },
      function(e) printf("0x%x %s %d [%s] %d\n", ntohs(e.p), e.dev, e.len, e.sb, e.i) end)' >/tmp/all 2>&1
grep '^0x' /tmp/all >/tmp/out
if grep -q 'attached as fentry, direct loads' /tmp/all; then
	expect fentry_chain "$(printf '0x88b5 %s 60 [] %s\n0x88b5 %s 60 [] %s\n0x88b5 %s 60 [] %s' \
		$peer $ifindex $peer $ifindex $peer $ifindex)"
else
	cp /tmp/all /tmp/out
	fail fentry_chain "wanted 'attached as fentry, direct loads'"
fi

# kprobe typed by BTF without debuginfo (no vmlinux is at the default
# paths here, so kf_btf_fetch, not DWARF, resolves them): the same chains
# as fentry_chain from the argument registers, one line per frame, exact;
# arg0->dev->ifindex is the device's index, not arg0 itself
if [ -e "/usr/lib/debug/boot/vmlinux-$(uname -r)" ]; then
	echo >/tmp/out
	fail kprobe_btf_chain "a vmlinux at the default path would take the DWARF path"
else
	$LP -c "sleep 1; sendframe --iface $peer --ethertype 0x88b5 --count 3 --interval-ms 50 >/dev/null" -e '
probe("kprobe:__dev_queue_xmit", { fetch = { p = "skb->protocol", len = "skb->len", dev = "skb->dev->name",
      sb = "sb_dev->name", i = "arg0->dev->ifindex" }, where = "comm == \"sendframe\" && skb->len == 60" },
      function(e) printf("0x%x %s %d [%s] %d\n", ntohs(e.p), e.dev, e.len, e.sb, e.i) end)' >/tmp/all 2>&1
	grep '^0x' /tmp/all >/tmp/out
	expect kprobe_btf_chain "$(printf '0x88b5 %s 60 [] %s\n0x88b5 %s 60 [] %s\n0x88b5 %s 60 [] %s' \
		$peer $ifindex $peer $ifindex $peer $ifindex)"
	[ -s /tmp/out ] || sed 's/^/LPOUT /' /tmp/all | head -20
fi

# kretprobe typed by BTF: $retval (struct net_device *) in rax, followed
$LP -c "sleep 1; sendframe --iface $peer --ethertype 0x88b5 --count 3 --interval-ms 50 >/dev/null" -e '
probe("kretprobe:dev_get_by_index", { fetch = { n = "$retval->name", i = "$retval->ifindex" },
      where = "comm == \"sendframe\"" },
      function(e) printf("%s %d\n", e.n, e.i) end)' 2>&1 | grep -v '^pid' >/tmp/out
expect kretprobe_btf_chain "$(printf '%s %s\n%s %s\n%s %s' $peer $ifindex $peer $ifindex $peer $ifindex)"

# a misspelt member at a kprobe: the resolver's did-you-mean, and no run
$LP -d 1 -e 'probe("kprobe:__dev_queue_xmit", { fetch = { p = "skb->protocl" } }, function(e) end)' >/tmp/out 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "struct sk_buff has no member 'protocl' (did you mean 'protocol'?)" /tmp/out; then
	pass kprobe_btf_misspelt
else fail kprobe_btf_misspelt "wanted a non-zero exit and the did-you-mean message (exit $rc)"; fi

# fexit: $retval typed by the prototype (struct net_device *), and the
# arguments still readable: the device packet_snd looks up for each frame
$LP -c "sleep 1; sendframe --iface $peer --ethertype 0x88b5 --count 3 --interval-ms 50 >/dev/null" -e '
probe("fexit:dev_get_by_index", { fetch = { n = "$retval->name", i = "$retval->ifindex", a = "ifindex",
      lo = "net->loopback_dev->name" }, where = "comm == \"sendframe\"" },
      function(e) printf("%s %d %d %s\n", e.n, e.i, e.a, e.lo) end)' 2>&1 | grep -v '^pid' >/tmp/out
expect fexit_chain "$(printf '%s %s %s lo\n%s %s %s lo\n%s %s %s lo' \
	$peer $ifindex $ifindex $peer $ifindex $ifindex $peer $ifindex $ifindex)"

# a misspelt member at fentry: the did-you-mean message, and no run
$LP -d 1 -e 'probe("fentry:__dev_queue_xmit", { fetch = { p = "skb->protocl" } }, function(e) end)' >/tmp/out 2>&1
rc=$?
if [ $rc -ne 0 ] && grep -q "struct sk_buff has no member 'protocl' (did you mean 'protocol'?)" /tmp/out; then
	pass fentry_misspelt
else fail fentry_misspelt "wanted a non-zero exit and the did-you-mean message (exit $rc)"; fi

# a kprobe-keyed stack count names the probed function (the innermost
# frame) in every key; the frames are received in the sender's context
$LP -c "sleep 1; sendframe --iface $peer --ethertype 0x88b5 --count 3 --interval-ms 50 >/dev/null" -e '
local c = probe([[kernel.function("__netif_receive_skb_core")]]):where("comm == \"sendframe\""):count("kstack")
on_exit(function()
  local sum, named = 0, 0
  for k, n in c:items() do
    sum = sum + n
    if k.kstack[1]:match("^__netif_receive_skb_core") then named = named + n end
  end
  printf("sum %d named %d\n", sum, named)
end)' 2>&1 | tail -1 >/tmp/out
expect kstack_count "sum 3 named 3"

VM="--vmlinux /mnt/dbg/vmlinux"
LABEL='kernel.function("__netif_receive_skb_core").label("drop")'
t0=$(date +%s)
$LP $VM -L "$LABEL" >/tmp/out 2>&1
echo "LPTIME label -L $(($(date +%s) - t0)) s"
if grep -q '^    struct sk_buff \*skb$' /tmp/out; then pass label_describe
else fail label_describe "wanted '    struct sk_buff *skb'"; fi
# the statement after the label's line (computed: lines belong to one build)
line=$(sed -n 's/.*(net\/core\/dev.c:\([0-9]*\)).*/\1/p' /tmp/out | head -1)
STMT="kernel.statement(\"__netif_receive_skb_core@net/core/dev.c:$((line + 1))\")"

# 3 frames of 0x88b5 (dropped at the label) then 3 of 0x0800 (dropped in
# ip_rcv_core instead): exactly 3 hits at each point, all 0x88b5
t0=$(date +%s)
$LP $VM -c "sleep 1; sendframe --iface $peer --ethertype 0x88b5 --count 3 --interval-ms 50 >/dev/null;
	sendframe --iface $peer --ethertype 0x0800 --count 3 --interval-ms 50 >/dev/null; sleep 1" -e "
probe([[$LABEL]], { fetch = { protocol = 'skb->protocol' } },
      function(e) printf('label 0x%x\\n', ntohs(e.protocol)) end)
probe([[$STMT]], { fetch = { protocol = 'skb->protocol' } },
      function(e) printf('statement 0x%x\\n', ntohs(e.protocol)) end)
-- a function's parameters from the kernel's DWARF at a kprobe: by name and
-- type, at the clone __netif_receive_skb_core.constprop.0 too (BTF cannot
-- vouch for a clone's registers); the frames are received in the sender's
-- context; each carries 46 bytes after its Ethernet header
probe('kprobe:__netif_receive_skb_one_core', { fetch = { p = 'skb->protocol', len = 'skb->len', pf = 'pfmemalloc' },
      where = 'comm == \"sendframe\"' },
      function(e) printf('one 0x%x %d %s\\n', ntohs(e.p), e.len, tostring(e.pf)) end)
probe('kprobe:__netif_receive_skb_core', { fetch = { p = '(*pskb)->protocol', len = 'pskb[0]->len' },
      where = 'comm == \"sendframe\"' },
      function(e) printf('core 0x%x %d\\n', ntohs(e.p), e.len) end)
-- \$retval typed by DWARF: int, NET_RX_DROP (1) for both kinds of frame
probe('kretprobe:__netif_receive_skb_core', { fetch = { r = '\$retval' }, where = 'comm == \"sendframe\"' },
      function(e) printf('ret %d\\n', e.r) end)" >/tmp/all 2>&1
echo "LPTIME label run $(($(date +%s) - t0)) s"
grep '^label' /tmp/all >/tmp/out
expect label_frames "$(printf 'label 0x88b5\nlabel 0x88b5\nlabel 0x88b5')"
grep '^statement' /tmp/all >/tmp/out
if [ -n "$line" ]; then
	expect statement_frames "$(printf 'statement 0x88b5\nstatement 0x88b5\nstatement 0x88b5')"
else
	fail statement_frames "no dev.c line in the label's -L"
fi
[ -s /tmp/out ] || sed 's/^/LPOUT /' /tmp/all | head -20
P=$(printf 'one 0x88b5 46 0\none 0x88b5 46 0\none 0x88b5 46 0\none 0x800 46 0\none 0x800 46 0\none 0x800 46 0')
grep '^one' /tmp/all >/tmp/out
expect kprobe_dwarf_params "$P"
grep '^core' /tmp/all >/tmp/out
expect kprobe_dwarf_clone "$(printf 'core 0x88b5 46\ncore 0x88b5 46\ncore 0x88b5 46\ncore 0x800 46\ncore 0x800 46\ncore 0x800 46')"
grep '^ret' /tmp/all >/tmp/out
expect kretprobe_dwarf_retval "$(printf 'ret 1\nret 1\nret 1\nret 1\nret 1\nret 1')"
[ -s /tmp/out ] || sed 's/^/LPOUT /' /tmp/all | head -20

# a label in a module, through its debuginfo: veth_xmit's "drop", where a
# frame too long for the receiving end's MTU (68: at most 86 bytes pass)
# is counted in priv->dropped, read before each increment: 0, 1, 2 (one
# sendframe per frame: the drop fails its send, ENOBUFS, and it stops there)
ip link set lpa mtu 68
$LP -c "sleep 1; for i in 1 2 3; do sendframe --iface $peer --ethertype 0x88b5 --len 200 >/dev/null 2>&1; done; true" -e '
probe([[module("veth").function("veth_xmit").label("drop")]],
      { fetch = { d = "priv->dropped.counter", dev = "dev->name" } },
      function(e) printf("drop %d %s\n", e.d, e.dev) end)' >/tmp/all 2>&1
ip link set lpa mtu 1500
grep '^drop' /tmp/all >/tmp/out
expect module_label "$(printf 'drop 0 %s\ndrop 1 %s\ndrop 2 %s' "$peer" "$peer" "$peer")"
[ -s /tmp/out ] || sed 's/^/LPOUT /' /tmp/all | head -20
echo "LPSUMMARY"
