# Hist(), LHist() and Stats() filled from Lua print byte for byte as the
# in-kernel aggregations of the same values, and as bpftrace v0.17 prints
# them. sys_enter_read's count is the size the fixture passes to read():
#   lpfed_a: 0, 1, 2, 3, 5, 1024, 1500, 3072, 1048576 twice; lpfed_b: 100, 9
# Each event feeds the kernel's hist/lhist/stats (keyed by comm and not) and,
# in the handler, the Lua ones with e.count (and e.comm). Also items(),
# total(), clear(), and the add() errors.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_read

cat >"$TMP/fed.lua" <<'LUA'
local where = 'comm == "lpfed_a" || comm == "lpfed_b"'
local function read_probe() return probe("tracepoint:syscalls:sys_enter_read", { where = where }) end
local k = {
  h = read_probe():hist("count"),
  hk = read_probe():hist("count", "comm"),
  l = read_probe():lhist("count", 0, 4096, 1024),
  l2 = read_probe():lhist("count", 10, 100, 30),
  s = read_probe():stats("count"),
  sk = read_probe():stats("count", "comm"),
}
local f = { h = Hist(), hk = Hist(), l = LHist(0, 4096, 1024), l2 = LHist(10, 100, 30), s = Stats(), sk = Stats() }
probe("tracepoint:syscalls:sys_enter_read", { where = where }, function(e)
  f.h:add(e.count); f.hk:add(e.count, e.comm)
  f.l:add(e.count); f.l2:add(e.count)
  f.s:add(e.count); f.sk:add(e.count, e.comm)
end)
local names = { "h", "hk", "l", "l2", "s", "sk" }
on_exit(function()
  for _, side in ipairs({ { "kernel", k }, { "lua", f } }) do
    print("-- " .. side[1])
    for _, n in ipairs(names) do side[2][n]:print({ name = n }) end
  end
  print("-- items")
  for key, v in f.hk:items() do
    local b = {}
    for i = 0, 24 do if v[i] then b[#b + 1] = i .. "=" .. v[i] end end
    printf("hk %s total=%d %s\n", key[1], v.total, table.concat(b, " "))
  end
  for key, v in f.sk:items() do
    printf("sk %s count=%d sum=%d avg=%d min=%d max=%d\n", key[1], v.count, v.sum, v.avg, v.min, v.max)
  end
  printf("totals %d %d %d\n", f.h:total(), f.l:total(), f.s:total())
  f.h:clear()
  printf("cleared %d %s\n", f.h:total(), tostring(f.h:items()()))
  local s = Stats()
  s:add(-7); s:add(2)
  for _, v in s:items() do printf("neg avg=%d min=%d\n", v.avg, v.min) end
  for _, bad in ipairs({
    function() f.h:add(1.5) end,
    function() f.hk:add(1) end,
    function() f.hk:add(1, {}) end,
    function() LHist(10, 0, 1) end,
  }) do
    print((select(2, pcall(bad))))
  end
end)
LUA
cmd="$FIXTURES/syscaller --name lpfed_a --read-sizes 0,1,2,3,5,1024,1500,3072,1048576 2 &&
     $FIXTURES/syscaller --name lpfed_b --read-sizes 100,9 1"
run "$LUAPROBE" -c "{ $cmd; } >/dev/null" "$TMP/fed.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"

kernel=$(sed -n '/^-- kernel$/,/^-- lua$/p' <<<"$OUT" | sed '1d;$d')
lua=$(sed -n '/^-- lua$/,/^-- items$/p' <<<"$OUT" | sed '1d;$d')
[ -n "$kernel" ] || fail "no in-kernel print: $OUT"
assert_eq "$kernel" "$lua" "Lua-fed print() against the in-kernel print() of the same values"

assert_eq "hk lpfed_a total=18 1=2 2=2 3=4 4=2 12=4 13=2 22=2
hk lpfed_b total=2 5=1 8=1
sk lpfed_a count=18 sum=2108366 avg=117131 min=0 max=1048576
sk lpfed_b count=2 sum=109 avg=54 min=9 max=100
totals 20 20 20
cleared 0 nil
neg avg=-2 min=-7
$TMP/fed.lua:39: hist:add's value must be an integer, got 1.5
$TMP/fed.lua:40: hist:add: 0 key part(s) where the first add() gave 1
$TMP/fed.lua:41: hist:add: key part 1 is a table (strings, integers or booleans)
$TMP/fed.lua:42: LHist(10, 0, 1): needs lo < hi and step > 0" \
	"$(sed '1,/^-- items$/d' <<<"$OUT")" "items(), total(), clear(), errors"

# The same values through bpftrace, if it is here: its maps print in name
# order at exit; each block is compared with ours.
if ! command -v bpftrace >/dev/null; then
	echo "bpftrace comparison skipped: no bpftrace on PATH"
	exit 0
fi
prog='BEGIN {'
for v in 0 1 2 3 5 1024 1500 3072 1048576 0 1 2 3 5 1024 1500 3072 1048576 100 9; do
	comm=lpfed_a
	[ "$v" = 100 ] || [ "$v" = 9 ] && comm=lpfed_b
	prog+=" @h = hist($v); @hk[\"$comm\"] = hist($v); @l = lhist($v, 0, 4096, 1024);"
	prog+=" @l2 = lhist($v, 10, 100, 30); @s = stats($v); @sk[\"$comm\"] = stats($v);"
done
prog+=' exit(); }'
bt=$(bpftrace -e "$prog" 2>"$TMP/bt.err") || fail "bpftrace failed: $(cat "$TMP/bt.err")"
# Its maps come in name order, as ours here; it separates them with
# blank lines of its own, so those are left out of the comparison.
assert_eq "$(sed '/^Attaching/d; /^$/d' <<<"$bt")" "$(sed '/^$/d' <<<"$lua")" \
	"Lua-fed print() against bpftrace's for the same values"
exit 0
