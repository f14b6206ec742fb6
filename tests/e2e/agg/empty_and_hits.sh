# An aggregation that saw no event prints nothing and has no items, keyed
# or not, text or --json (bpftrace prints no map object for an empty map
# either). Before, an unkeyed min, max or stats (a per-CPU array, whose one
# value always exists) printed "@min: 0" and gave one item, and --json
# printed {"@name": {}} for every empty aggregation.
# And Probe.hits counts the events delivered to the script: past the
# filter, sent to user space (a probe with a handler), not the fires in the
# kernel: syscaller reads with sizes 3 and 9 twice; where count > 5 keeps 2
# of the 4; a probe without a handler sends nothing (hits 0) while its
# in-kernel count sees all 4.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_read

cat >"$TMP/aggs.lua" <<'LUA'
local who = arg[1]
local function p() return probe("tracepoint:syscalls:sys_enter_read", { where = 'comm == "' .. who .. '" && fd == 0x7ffffff0' }) end
local aggs = {
  { "count", p():count() }, { "sum", p():sum("count") }, { "min", p():min("count") },
  { "max", p():max("count") }, { "avg", p():avg("count") }, { "stats", p():stats("count") },
  { "hist", p():hist("count") }, { "lhist", p():lhist("count", 0, 10, 5) },
  { "keyed", p():min("count", "comm") }, { "fed", Stats() },
}
on_exit(function()
  for _, a in ipairs(aggs) do
    local n = 0
    for _ in a[2]:items() do n = n + 1 end
    printf("%s %d items\n", a[1], n)
    a[2]:print({ name = a[1] })
  end
end)
LUA
run timeout 60 "$LUAPROBE" -c "$FIXTURES/syscaller --name lpagg --read-sizes 3,9 2 >/dev/null" "$TMP/aggs.lua" lpnobody
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "count 0 items
sum 0 items
min 0 items
max 0 items
avg 0 items
stats 0 items
hist 0 items
lhist 0 items
keyed 0 items
fed 0 items" "$OUT" "empty aggregations"
run timeout 60 "$LUAPROBE" --json -c "$FIXTURES/syscaller --name lpagg --read-sizes 3,9 2 >/dev/null" "$TMP/aggs.lua" lpnobody
assert_eq 0 "$RC" "exit status under --json ($ERR)"
assert_eq 0 "$(grep -c '"type": "\(map\|hist\|stats\)"' <<<"$OUT")" "aggregation lines under --json: $OUT"

# the same with events: each prints its value (nothing hides a real 0 row)
run timeout 60 "$LUAPROBE" -c "$FIXTURES/syscaller --name lpagg --read-sizes 3,9 2 >/dev/null" "$TMP/aggs.lua" lpagg
assert_eq 0 "$RC" "exit status with events ($ERR)"
assert_eq "count 1 items
@count: 4
sum 1 items
@sum: 24
min 1 items
@min: 3
max 1 items
@max: 9
avg 1 items
@avg: 6
stats 1 items
@stats: count 4, average 6, total 24
hist 1 items
@hist: 
[2, 4)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
[4, 8)                 0 |                                                    |
[8, 16)                2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|

lhist 1 items
@lhist: 
[0, 5)                 2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
[5, 10)                2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|

keyed 1 items
@keyed[lpagg]: 3
fed 0 items" "$OUT" "aggregations with events"

cat >"$TMP/hits.lua" <<'LUA'
local w = 'comm == "lphits" && fd == 0x7ffffff0'
local seen = 0
local big = probe("tracepoint:syscalls:sys_enter_read", { where = w .. " && count > 5" }, function(e) seen = seen + 1 end)
local bigc = big:count()
local quiet = probe("tracepoint:syscalls:sys_enter_read", { where = w })
local all = quiet:count()
on_exit(function()
  printf("filtered: hits %d, handler %d, count %d\n", big.hits, seen, bigc:total())
  printf("no handler: hits %d, count %d\n", quiet.hits, all:total())
end)
LUA
run timeout 60 "$LUAPROBE" -c "$FIXTURES/syscaller --name lphits --read-sizes 3,9 2 >/dev/null" "$TMP/hits.lua"
assert_eq 0 "$RC" "exit status of hits ($ERR)"
assert_eq "filtered: hits 2, handler 2, count 2
no handler: hits 0, count 4" "$OUT" "hits"
echo "ok: empty aggregations print nothing; hits counts delivered events"
