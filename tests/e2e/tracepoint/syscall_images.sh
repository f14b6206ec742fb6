# Probes in the syscall dispatcher that load the same program of the BTF
# template (the same layers and aggregations) load it from an image of
# the first one's (load/image.h): libbpf opens, relocates and loads the
# template once, and each later probe gets maps of its own (its plan in a
# frozen .rodata, its aggregation maps) and the image with their fds put
# in. Each must count with its own filter into its own map: probes of one
# image with different constants give each its exact count.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_read
need_tracepoint raw_syscalls:sys_enter
[ "$(uname -m)" = x86_64 ] || skip "the syscall dispatcher is x86-64's"

SC=$FIXTURES/syscaller
name=lpsysi$$

cat >"$TMP/img.lua" <<LUA
local c = 'comm == "$name"'
local gt0 = probe("tracepoint:syscalls:sys_enter_read", { where = c .. ' && count > 0' }):count()
local gt1 = probe("tracepoint:syscalls:sys_enter_read", { where = c .. ' && count > 1' }):count()
local ge0 = probe("tracepoint:syscalls:sys_enter_read", { where = c .. ' && count >= 0' }):count()
local ebadf = probe("tracepoint:syscalls:sys_exit_read", { where = c .. ' && ret == -9' }):count()
local all = probe("tracepoint:syscalls:sys_enter_read", { where = c .. ' && fd == 0x7ffffff0' }):count("count")
local pos = probe("tracepoint:syscalls:sys_enter_read", { where = c .. ' && count > 0' }):count("count")
local g1 = probe("tracepoint:syscalls:sys_enter_getppid", { where = c }):count()
local g2 = probe("tracepoint:syscalls:sys_enter_getppid", { where = c .. ' && pid < 0' }):count()
on_start(function() print("READY") io.stdout:flush() end)
on_exit(function()
  printf("gt0 %d\ngt1 %d\nge0 %d\nebadf %d\n", gt0:total(), gt1:total(), ge0:total(), ebadf:total())
  for k, v in all:items() do printf("all %d %d\n", k.count, v) end
  for k, v in pos:items() do printf("pos %d %d\n", k.count, v) end
  printf("getppid %d %d\n", g1:total(), g2:total())
end)
LUA

LUAPROBE_SYSCALL_RAW=1 lp_start -v "$TMP/img.lua"
lp_ready
"$SC" --name "$name" --read-sizes 0,1,0x400 100 >/dev/null
"$SC" --name "$name" 50 >/dev/null
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status ($ERR)"
expect="all 0 100
all 1 100
all 1024 100
ebadf 300
ge0 300
getppid 50 0
gt0 200
gt1 100
pos 1 100
pos 1024 100"
assert_eq "$expect" "$(grep -v '^READY$' "$TMP/bg.out" | sort)" "each probe's own counts"
attached=$(grep 'attached as' "$TMP/bg.err")
assert_eq 8 "$(grep -c 'attached as raw_syscalls' <<<"$attached")" "probes in the dispatcher"
# the first probe of each program loads through libbpf (lines 2, 6 and
# 8: the keyed counts have pending runs, maps the unkeyed ones do not
# make; the comm filter alone is another program), the others from its
# image
from=$(grep 'program from an image$' <<<"$attached" | grep -o 'img.lua:[0-9]*' | tr '\n' ' ')
assert_eq "img.lua:3 img.lua:4 img.lua:5 img.lua:7 img.lua:9 " "$from" "probes loaded from an image"
echo ok
