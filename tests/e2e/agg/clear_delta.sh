# clear() and delta() between workload runs. on_start (every probe attached)
# runs the fixture itself (--unsafe for os.execute), so each read of the
# maps follows a known number of calls: a count by comm, a sum, and a hist.
#   clear(): the map is empty, total() 0; new events count from zero; the
#            other aggregations of the same probe keep theirs.
#   delta(): the first call returns everything, each next call what was
#            added since the one before (largest first, keys that did not
#            grow left out); the map itself is not cleared; a hist refuses.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_read

cat >"$TMP/clear.lua" <<'LUA'
local fx = ...
local p = probe("tracepoint:syscalls:sys_enter_read",
                { where = 'comm == "lpclr_a" || comm == "lpclr_b"' })
local c = p:count("comm")
local s = p:sum("count")
local h = probe("tracepoint:syscalls:sys_enter_read", { where = 'comm == "lpclr_a"' }):hist("count")

local function run(name, sizes, n)
  local ok = os.execute(string.format("%s --name %s --read-sizes %s %d >/dev/null", fx, name, sizes, n))
  assert(ok, "the fixture failed")
end
local function show(what, iter)
  local parts = {}
  for k, v in iter do parts[#parts + 1] = k.comm .. "=" .. v end
  printf("%s: %s\n", what, table.concat(parts, " "))
end
local function hist_show(what)
  local parts = {}
  for _, v in h:items() do
    for b = 0, 64 do
      if v[b] then parts[#parts + 1] = b .. "=" .. v[b] end
    end
  end
  printf("%s: total %d [%s]\n", what, h:total(), table.concat(parts, " "))
end

on_start(function()
  run("lpclr_a", "3", 100)
  run("lpclr_b", "5", 40)
  show("counted", c:items())
  printf("totals: %d %d\n", c:total(), s:total())
  c:clear()
  show("cleared", c:items())
  printf("totals: %d %d\n", c:total(), s:total())
  run("lpclr_b", "5", 7)
  show("after clear", c:items())
  printf("totals: %d %d\n", c:total(), s:total())
  hist_show("hist")
  h:clear()
  hist_show("hist cleared")
  run("lpclr_a", "1000", 2)
  hist_show("hist after clear")

  show("delta 1", c:delta())
  run("lpclr_a", "3", 30)
  run("lpclr_b", "5", 4)
  show("delta 2", c:delta())
  show("delta 3", c:delta())
  run("lpclr_b", "5", 9)
  show("delta 4", c:delta())
  show("items", c:items())
  for _, v in s:delta() do printf("sum delta: %d\n", v) end
  run("lpclr_a", "100", 1)
  for _, v in s:delta() do printf("sum delta: %d\n", v) end
  printf("hist delta: %s\n", select(2, pcall(function() h:delta() end)))
  exit()
end)
LUA
run "$LUAPROBE" --unsafe "$TMP/clear.lua" "$FIXTURES/syscaller"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
expected="counted: lpclr_a=100 lpclr_b=40
totals: 140 500
cleared: 
totals: 0 500
after clear: lpclr_b=7
totals: 7 535
hist: total 100 [3=100]
hist cleared: total 0 []
hist after clear: total 2 [11=2]
delta 1: lpclr_b=7 lpclr_a=2
delta 2: lpclr_a=30 lpclr_b=4
delta 3: 
delta 4: lpclr_b=9
items: lpclr_a=32 lpclr_b=20
sum delta: 2690
sum delta: 100
hist delta: $TMP/clear.lua:55: delta() is for count and sum aggregations"
assert_eq "$expected" "$OUT" "counts, sums and hist buckets around clear() and delta()"
exit 0
