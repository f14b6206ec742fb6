# count() in the kernel, against two processes with known read() counts:
# lpcnt_a reads 400 times (size 7), lpcnt_b 300 times (100 rounds of sizes
# 7, 9, 9). Counted by comm, by (comm, count), by pid and with no key:
# exact values, largest first from items(), keys by name and by position,
# total(), and print() as bpftrace prints a map (smallest first).
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_read

cat >"$TMP/count.lua" <<'LUA'
local where = 'comm == "lpcnt_a" || comm == "lpcnt_b"'
local function read_probe() return probe("tracepoint:syscalls:sys_enter_read", { where = where }) end
local by_comm = read_probe():count("comm")
local by_pair = read_probe():count("comm", "count")
local by_pid = read_probe():count("pid")
local all = read_probe():count()
on_exit(function()
  for k, n in by_comm:items() do printf("comm %s %s %d\n", k.comm, k[1], n) end
  for k, n in by_pair:items() do printf("pair %s %d %s %d %d\n", k.comm, k.count, k[1], k[2], n) end
  for k, n in by_pid:items() do printf("pid %d %d\n", k.pid, n) end
  for k, n in all:items() do printf("all %d %d\n", #k, n) end
  printf("total %d %d %d %d\n", by_comm:total(), by_pair:total(), by_pid:total(), all:total())
  print("-- print")
  by_comm:print({ name = "calls" })
  by_pair:print()
  all:print({ name = "all" })
  by_pair:print({ name = "top2", top = 2 })
end)
LUA
cmd="$FIXTURES/syscaller --name lpcnt_a --read-sizes 7 400 >$TMP/a.out &&
     $FIXTURES/syscaller --name lpcnt_b --read-sizes 7,9,9 100 >$TMP/b.out"
run "$LUAPROBE" -c "$cmd" "$TMP/count.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
assert_eq "read 400" "$(grep ^read "$TMP/a.out")" "reads of lpcnt_a"
assert_eq "read 300" "$(grep ^read "$TMP/b.out")" "reads of lpcnt_b"
pid_a=$(field pid "$(cat "$TMP/a.out")")
pid_b=$(field pid "$(cat "$TMP/b.out")")

expected="comm lpcnt_a lpcnt_a 400
comm lpcnt_b lpcnt_b 300
pair lpcnt_a 7 lpcnt_a 7 400
pair lpcnt_b 9 lpcnt_b 9 200
pair lpcnt_b 7 lpcnt_b 7 100
pid $pid_a 400
pid $pid_b 300
all 0 700
total 700 700 700 700
-- print
@calls[lpcnt_b]: 300
@calls[lpcnt_a]: 400
@[lpcnt_b, 7]: 100
@[lpcnt_b, 9]: 200
@[lpcnt_a, 7]: 400
@all: 700
@top2[lpcnt_b, 9]: 200
@top2[lpcnt_a, 7]: 400"
assert_eq "$expected" "$(sed '/^$/d' <<<"$OUT")" "aggregations (items, total, print)"
exit 0
