# Probes in the syscall dispatcher load their program of the BTF template
# from an image (load/image.h): the template's table relocated at build
# time, or (LUAPROBE_TEMPLATE_IMAGES=0) an image of the first probe libbpf
# loaded of the same program (the same layers and aggregations); each
# probe gets maps of its own (its plan in a frozen .rodata, its
# aggregation maps) and the image with their fds put in. Each must count with its own filter into its own map: probes of one
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

# run_images IMAGES: the script with LUAPROBE_TEMPLATE_IMAGES=IMAGES and
# the workloads; each probe's exact counts; the lines of the probes whose
# program came from an image in $FROM
run_images() {
	LUAPROBE_SYSCALL_RAW=1 LUAPROBE_TEMPLATE_IMAGES=$1 lp_start -v "$TMP/img.lua"
	lp_ready
	"$SC" --name "$name" --read-sizes 0,1,0x400 100 >/dev/null
	"$SC" --name "$name" 50 >/dev/null
	kill -INT "$BG_PID"
	lp_wait 30
	assert_eq 0 "$RC" "exit status ($ERR)"
	assert_eq "all 0 100
all 1 100
all 1024 100
ebadf 300
ge0 300
getppid 50 0
gt0 200
gt1 100
pos 1 100
pos 1024 100" "$(grep -v '^READY$' "$TMP/bg.out" | sort)" "each probe's own counts (images $1)"
	attached=$(grep 'attached as' "$TMP/bg.err")
	assert_eq 8 "$(grep -c 'attached as raw_syscalls' <<<"$attached")" "probes in the dispatcher"
	FROM=$(grep 'program from an image$' <<<"$attached" | grep -o 'img.lua:[0-9]*' | tr '\n' ' ')
}

# Through libbpf: the first probe of each program loads through libbpf
# (lines 2, 6 and 8: the keyed counts have pending runs, maps the unkeyed
# ones do not make; the comm filter alone is another program), the others
# from its image
run_images 0
assert_eq "img.lua:3 img.lua:4 img.lua:5 img.lua:7 img.lua:9 " "$FROM" "probes loaded from an image"
# From the template's table (tools/imagegen.c): every probe
run_images 1
assert_eq "img.lua:2 img.lua:3 img.lua:4 img.lua:5 img.lua:6 img.lua:7 img.lua:8 img.lua:9 " \
	"$FROM" "probes loaded from the table's images"
echo ok
