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

# a wildcard attaches to every out-of-line copy, and says so
$LP -v -d 1 -e 'probe([[kernel.function("__netif_receive_skb*")]], function(e) end)' >/tmp/out 2>&1
if grep -q '__netif_receive_skb_core.constprop.0' /tmp/out && grep -q 'places' /tmp/out &&
	! grep -q '\.cold\|\.part' /tmp/out; then pass wildcard_clones
else fail wildcard_clones "wanted the .constprop.0 copy listed"; fi

$LP -l 'kernel.function("__netif_receive_skb_core*")' >/tmp/out 2>&1
expect list_clones 'kernel.function("__netif_receive_skb_core.constprop.0")'

echo "LPSUMMARY"
