# Agg:clear() loses nothing the script did not read (issue 10 item 9): a
# total(); clear() every 10 ms while two processes, one on each CPU, make
# getppid as fast as they can. The totals read add up to exactly the calls
# made. (Before, clear() deleted keys after reading them again: what the
# programs added between the script's read and the delete was lost, ~0.1 %
# of a flood.)
# ctest: run serial (it loads both CPUs)
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid
need_cmd taskset
[ "$(nproc)" -ge 2 ] || skip "needs two CPUs"

SC=$FIXTURES/syscaller
name=lpcf$$
N=1500000
cat >"$TMP/clear.lua" <<LUA
local c = probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "$name"' }):count()
local by = probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "$name"' }):count("cpu")
local h = probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "$name"' }):hist("pid")
local seen, seen_by, seen_h, clears = 0, 0, 0, 0
every("10ms", function()
  seen = seen + c:total()
  c:clear()
  for _, n in by:items() do seen_by = seen_by + n end
  by:clear()
  seen_h = seen_h + h:total()
  h:clear()
  clears = clears + 1
end)
on_exit(function()
  printf("total %d by-cpu %d hist %d\n", seen + c:total(), seen_by + by:total(), seen_h + h:total())
  printf("clears %d\n", clears)
end)
LUA
run "$LUAPROBE" -c "taskset -c 0 $SC --name $name $N >/dev/null & taskset -c 1 $SC --name $name $N >/dev/null; wait" "$TMP/clear.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "total $((2 * N)) by-cpu $((2 * N)) hist $((2 * N))" "$(grep '^total' <<<"$OUT")" \
	"counts read through total(); clear() under a two-CPU flood"
clears=$(field clears "$OUT")
assert_range 10 100000 "$clears" "clear() calls during the flood"
echo "$OUT"
