# uprobes load their programs from images (load/image.h; uprobe_multi
# links take programs by fd): the pt_regs template's table relocated at
# build time, or (LUAPROBE_TEMPLATE_IMAGES=0) an image of the first place
# libbpf loaded; each place gets its own .rodata plan and aggregation
# maps. Each must still count with its own plan into its own maps: probes
# of one image with different constants, on one function and on others,
# count exactly, and a probe of several places from images counts into one
# map.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

N=30
BIN=$(fx O2)
cat >"$TMP/img.lua" <<LUA
local function up(f) return 'uprobe:$BIN:' .. f end
local gt5 = probe(up('ints'), { fetch = { i = 'i32' }, where = 'i < -70005' }):count()
local gt10 = probe(up('ints'), { fetch = { i = 'i32' }, where = 'i < -70010' }):count()
local odd = probe(up('stacked'), { fetch = { x = 'x' }, where = 'x & 1' }):count()
local by_x = probe(up('stacked'), { fetch = { x = 'x' } }):count('x')
local recs = probe(up('rec_[fs]*'), { fetch = { r = 'r' } }):count()
local recs2 = probe(up('rec_[fs]*'), { fetch = { r = 'r' }, where = 'r != 0' }):count()
on_start(function() print('READY') io.stdout:flush() end)
on_exit(function()
  local keys, ok = 0, 0
  for k, v in by_x:items() do keys = keys + 1; if v == 1 and k.x >= 1 and k.x <= $N then ok = ok + 1 end end
  printf('ints %d %d\nodd %d\nx %d %d\nrecs %d %d\n', gt5:total(), gt10:total(), odd:total(),
         keys, ok, recs:total(), recs2:total())
end)
LUA
# run_images IMAGES: the script on a fresh fixture, with
# LUAPROBE_TEMPLATE_IMAGES=IMAGES; exact counts; which probes' programs
# came from images in $FROM ("LINE program from an image" a line)
run_images() {
	rm -f "$TMP/go"
	mkfifo "$TMP/go"
	bash -c 'read -r _ <"$1"; exec "$2" "$3"' sh "$TMP/go" "$BIN" "$N" >"$TMP/fx.out" &
	FX_PID=$!
	LUAPROBE_TEMPLATE_IMAGES=$1 lp_start -v -p "$FX_PID" "$TMP/img.lua"
	lp_ready
	echo go >"$TMP/go"
	wait "$FX_PID"
	kill -INT "$BG_PID"
	lp_wait 30
	assert_eq 0 "$RC" "exit status ($ERR)"
	assert_eq "$((N - 6)) $((N - 11))" "$(field ints "$OUT")" "ints' i32 = -70000 - i below two bounds"
	assert_eq "$((N / 2))" "$(field odd "$OUT")" "stacked(x) with x = i + 1 odd"
	assert_eq "$N $N" "$(field x "$OUT")" "stacked's x = i + 1: one key a call"
	assert_eq "$((3 * N)) $((3 * N))" "$(field recs "$OUT")" "rec_first, rec_second, rec_seventh: three calls a round"
	FROM=$(grep "attached as" "$TMP/bg.err" | grep 'from an image' |
		sed 's/.*img.lua:\([0-9]*\):.*attached as uprobe_multi, /\1 /')
}

# Through libbpf: the first of each program loads through libbpf, the
# others from its image: gt10 and odd run gt5's (a register, a filter, a
# count), recs runs by_x's (a count, keyed or not); recs2's three places
# hold three programs, r in rdi and in rsi from gt5's image, r on the
# stack (rec_seventh) its own
run_images 0
assert_eq "3 program from an image
4 program from an image
6 program from an image
7 2 of 3 programs from an image" "$FROM" "probes from images kept from libbpf's loads"

# From the template's table (tools/imagegen.c): every program, the first
# of each too
run_images 1
assert_eq "2 program from an image
3 program from an image
4 program from an image
5 program from an image
6 program from an image
7 programs from an image" "$FROM" "probes from the table's images"
echo ok
