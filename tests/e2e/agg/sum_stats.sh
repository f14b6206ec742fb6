# sum, min, max, avg and stats of a field with known values: sys_enter_read's
# count is the size the fixture passes to read(). lpsum_a reads sizes 0, 1,
# 2, 3, 5, 1024, 1500 three times (21 calls, sum 7605, average 362.1);
# lpsum_b reads 7 and 8 four times (8 calls, sum 60, average 7.5). Keyed by
# comm and with no key: exact values (averages truncated, as bpftrace's),
# largest first, total(), and print() in bpftrace's format.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_read

cat >"$TMP/sum.lua" <<'LUA'
local where = 'comm == "lpsum_a" || comm == "lpsum_b"'
local function read_probe() return probe("tracepoint:syscalls:sys_enter_read", { where = where }) end
local aggs = {
  { "sum", read_probe():sum("count", "comm") },
  { "min", read_probe():min("count", "comm") },
  { "max", read_probe():max("count", "comm") },
  { "avg", read_probe():avg("count", "comm") },
}
local stats = read_probe():stats("count", "comm")
local sum_all = read_probe():sum("count")
local stats_all = read_probe():stats("count")
on_exit(function()
  for _, a in ipairs(aggs) do
    for k, v in a[2]:items() do printf("%s %s %d\n", a[1], k.comm, v) end
    printf("%s total %d\n", a[1], a[2]:total())
  end
  for k, v in stats:items() do
    printf("stats %s count %d sum %d avg %d min %d max %d\n", k.comm, v.count, v.sum, v.avg, v.min, v.max)
  end
  printf("stats total %d\n", stats:total())
  for _, v in sum_all:items() do printf("sum_all %d\n", v) end
  for _, v in stats_all:items() do
    printf("stats_all count %d sum %d avg %d min %d max %d\n", v.count, v.sum, v.avg, v.min, v.max)
  end
  print("-- print")
  aggs[1][2]:print({ name = "bytes" })
  aggs[4][2]:print({ name = "avg" })
  stats:print({ name = "s" })
  sum_all:print()
  stats_all:print()
end)
LUA
cmd="$FIXTURES/syscaller --name lpsum_a --read-sizes 0,1,2,3,5,1024,1500 3 >/dev/null &&
     $FIXTURES/syscaller --name lpsum_b --read-sizes 7,8 4 >/dev/null"
run "$LUAPROBE" -c "$cmd" "$TMP/sum.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"

expected="sum lpsum_a 7605
sum lpsum_b 60
sum total 7665
min lpsum_b 7
min lpsum_a 0
min total 29
max lpsum_a 1500
max lpsum_b 8
max total 29
avg lpsum_a 362
avg lpsum_b 7
avg total 29
stats lpsum_a count 21 sum 7605 avg 362 min 0 max 1500
stats lpsum_b count 8 sum 60 avg 7 min 7 max 8
stats total 29
sum_all 7665
stats_all count 29 sum 7665 avg 264 min 0 max 1500
-- print
@bytes[lpsum_b]: 60
@bytes[lpsum_a]: 7605
@avg[lpsum_b]: 7
@avg[lpsum_a]: 362
@s[lpsum_b]: count 8, average 7, total 60
@s[lpsum_a]: count 21, average 362, total 7605
@: 7665
@: count 29, average 264, total 7665"
assert_eq "$expected" "$(sed '/^$/d' <<<"$OUT")" "sum/min/max/avg/stats (items, total, print)"
exit 0
