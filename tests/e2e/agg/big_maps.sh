# ctest: run serial
# Aggregation maps of 120,000 keys, every row checked. readkeys calls
# read() with each size s of 0..119999 (s % 5) + 1 times pinned to CPU 0,
# then (s % 3) + 1 times pinned to CPU 1: each key's value is in both
# CPUs' copies of the per-CPU maps, and exactly e(s) = (s%5) + (s%3) + 2.
# The maps are read in batches of thousands of keys: a key lost or read
# twice at a batch boundary, or one CPU's copy missed, changes a row or
# the row count. Checked: count, sum, stats and max by size, count by
# (comm, size), print order (smallest first), print({top}), total(),
# items() with a read of the same map in the middle of the walk, the text
# printed from C against print()'s Lua loop over the same rows, and
# clear() followed by 50,000 new keys printed exactly.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_read
[ "$(nproc)" -ge 2 ] || skip "needs 2 CPUs (a per-CPU map with events on both)"

K=120000
cat >"$TMP/big.lua" <<LUA
local fx = ...
local function rp()
  return probe("tracepoint:syscalls:sys_enter_read", { where = 'comm == "lpbig"', max_keys = $K + 100 })
end
local c = rp():count("count")
local pair = rp():count("comm", "count")
local s = rp():sum("count", "count")
local st = rp():stats("count", "count")
local mx = rp():max("count", "count")

local function run(cpu, first, n, mod)
  local ok = os.execute(string.format("%s lpbig %d %d %d %d >/dev/null", fx, cpu, first, n, mod))
  assert(ok, "the fixture failed")
end

on_start(function()
  run(0, 0, $K, 5)
  run(1, 0, $K, 3)
  print("== count") c:print()
  print("== pair") pair:print({ name = "pair" })
  print("== sum") s:print({ name = "sum" })
  print("== stats") st:print({ name = "stats" })
  print("== max") mx:print({ name = "max" })
  print("== top") c:print({ name = "top", top = 3 })
  -- the same rows through print()'s Lua loop (an object without _print):
  -- the text written from C must be the Lua loop's, byte for byte
  local function lua_print(a, opts)
    Agg.print({ info = function() return a:info() end, items = function() return a:items() end }, opts)
  end
  print("== count lua") lua_print(c)
  print("== pair lua") lua_print(pair, { name = "pair" })
  print("== stats lua") lua_print(st, { name = "stats" })
  print("== top lua") lua_print(c, { name = "top", top = 3 })
  print("== totals")
  printf("total %d %d\n", c:total(), s:total())
  local n, sum = 0, 0
  for k, v in c:items() do
    n, sum = n + 1, sum + v
    if n == 1 then c:total() end -- a read that replaces what clear() would take
    assert(k.count == k[1])
  end
  printf("items %d %d\n", n, sum)
  c:clear()
  printf("cleared %d\n", c:total())
  run(0, 1000, 50000, 2)
  print("== after clear") c:print({ name = "new" })
  exit()
end)
LUA
run "$LUAPROBE" --unsafe "$TMP/big.lua" "$FIXTURES/readkeys"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
printf '%s\n' "$OUT" >"$TMP/out"

# section NAME: the lines between "== NAME" and the next "=="
section() { awk -v s="== $1" '/^== / { on = ($0 == s); next } on' "$TMP/out"; }
# check NAME EXPECTED_ROWS AWK_CHECK: every row of the section matches the
# check (s the key, v the value printed last), keys distinct, the values
# in ascending order; prints "ok ROWS" or the first bad line
check() {
	section "$1" | awk -v want="$2" "
		function e(s) { return s % 5 + s % 3 + 2 }
		{ if (!match(\$0, /^@[a-z]*\[(lpbig, )?[0-9]+\]: /)) { print \"bad line: \" \$0; exit 1 }
		  k = \$0; sub(/^@[a-z]*\[(lpbig, )?/, \"\", k); s = k + 0; sub(/\].*/, \"\", k)
		  rest = \$0; sub(/^[^:]*: /, \"\", rest); v = rest + 0 }
		{ $3 }
		seen[s]++ { print \"key twice: \" \$0; exit 1 }
		NR > 1 && v < prev { print \"out of order: \" \$0; exit 1 }
		{ prev = v; n++ }
		END { if (n == want) print \"ok \" n; else print \"rows \" n \", want \" want }"
}
assert_eq "ok $K" "$(check count $K 'if (v != e(s)) { print "wrong: " $0; exit 1 }')" "count rows"
assert_eq "ok $K" "$(check pair $K 'if (v != e(s)) { print "wrong: " $0; exit 1 }')" "count by (comm, size) rows"
assert_eq "ok $K" "$(check sum $K 'if (v != s * e(s)) { print "wrong: " $0; exit 1 }')" "sum rows"
assert_eq "ok $K" "$(check stats $K 'if (rest != "count " e(s) ", average " s ", total " s * e(s)) { print "wrong: " $0; exit 1 }')" "stats rows"
assert_eq "ok $K" "$(check max $K 'if (v != s) { print "wrong: " $0; exit 1 }')" "max rows"
# the largest value, 8, is e(s) for s % 15 == 14: the top 3 are three of those
assert_eq "ok 3" "$(check top 3 'if (v != 8 || e(s) != 8) { print "wrong: " $0; exit 1 }')" "top 3"
for sec in count pair stats top; do
	section "$sec" >"$TMP/c.txt"
	section "$sec lua" >"$TMP/lua.txt"
	assert_eq "" "$(cmp "$TMP/c.txt" "$TMP/lua.txt" 2>&1)" "$sec: print from C against print's Lua loop"
done
total=$(awk -v k=$K 'BEGIN { for (s = 0; s < k; s++) { t += s % 5 + s % 3 + 2; u += s * (s % 5 + s % 3 + 2) } printf "%.0f %.0f", t, u }')
assert_eq "total $total" "$(section totals | sed -n 1p)" "total()"
assert_eq "items $K ${total% *}" "$(section totals | sed -n 2p)" "items() walked whole"
assert_eq "cleared 0" "$(section totals | sed -n 3p)" "total() after clear()"
new=$(section "after clear" | awk '
	{ k = $0; sub(/^@new\[/, "", k); s = k + 0; v = $NF + 0 }
	s < 1000 || s >= 51000 || v != s % 2 + 1 { print "wrong: " $0; exit 1 }
	seen[s]++ { print "key twice: " $0; exit 1 }
	NR > 1 && v < prev { print "out of order: " $0; exit 1 }
	{ prev = v; n++ }
	END { print "ok " n }')
assert_eq "ok 50000" "$new" "rows after clear()"
exit 0
