# User stacks of a process that has exited by the time they are printed are
# symbolized (function names and file:line, not hex): the first aggregation
# key from each process makes the template send a notice, and user space
# copies the process's maps while it lives (sym/usym.c). An event with a
# user stack does the same. Here every stack is printed from on_exit, after
# the -c command has exited and been reaped; syscaller exits within a few
# ms of its first call, before user space can read /proc/PID/maps: its
# mappings come from the perf records taken as it made them
# (sym/maptrack.c). (Its calls go through libc's syscall(), which keeps no
# frame pointer: the kernel's walk shows libc's frames only.) Before: bare
# addresses.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

cat >"$TMP/exited.lua" <<'LUA'
local by_ustack = probe("tracepoint:syscalls:sys_enter_getppid",
                        { where = 'comm == "lpustex"' }):count("ustack")
local kept = {}
probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "lpustex"', stack = "user" },
      function(e) kept[#kept + 1] = e end)
on_exit(function()
  local alive = io.open("/proc/" .. target_pid() .. "/maps")
  printf("alive %s\n", alive and (alive:read("a") ~= "" and "yes" or "zombie") or "no")
  local sum = 0
  for k, n in by_ustack:items() do
    sum = sum + n
    printf("key %d %s\n", n, table.concat(k.ustack, "|"))
  end
  printf("sum %d\n", sum)
  printf("events %d first %s\n", #kept, kept[1] and table.concat(kept[1].ustack, "|") or "-")
end)
LUA
run timeout -k 2 30 "$LUAPROBE" -c "$FIXTURES/syscaller --name lpustex 25" "$TMP/exited.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
assert_eq "alive no" "$(grep '^alive ' <<<"$OUT")" "the process is gone when the stacks print"
assert_eq "sum 25" "$(grep '^sum ' <<<"$OUT")" "calls counted"
keys=$(sed -n 's/^key [0-9]* //p' <<<"$OUT")
[ -n "$keys" ] || fail "no keys: $OUT"
frame='[A-Za-z_][A-Za-z0-9_.]*(\+0x[0-9a-f]+)?( \([^ )]+:[0-9]+\))?'
while read -r key; do
	[[ "$key" =~ ^$frame(\|$frame)*$ ]] || fail "a frame that is not a symbol: $key"
done <<<"$keys"
first=$(sed -n 's/^events 25 first //p' <<<"$OUT")
[[ "$first" =~ ^$frame(\|$frame)*$ ]] || fail "an event's user stack, read after the exit: $OUT"

# The same for samples: profile:hz:99 on the busy fixture, printed after it exited.
cat >"$TMP/pexited.lua" <<'LUA'
local by_ustack = probe("profile:hz:99", { where = 'comm == "lpbusy"' }):count("ustack")
on_exit(function()
  for k, n in by_ustack:items() do printf("key %d %s\n", n, table.concat(k.ustack, "|")) end
end)
LUA
run timeout -k 2 30 "$LUAPROBE" -c "$FIXTURES/busy --name lpbusy 500" "$TMP/pexited.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
keys=$(sed -n 's/^key [0-9]* //p' <<<"$OUT")
[ -n "$keys" ] || fail "no samples: $OUT"
assert_eq "" "$(grep -E '(^|\|)0x' <<<"$keys" || true)" "frames left as addresses"
grep -qE '^lp_busy_spin\+0x[0-9a-f]+ \(busy\.c:[0-9]+\)\|lp_busy_outer' <<<"$keys" ||
	fail "no spin-loop stack: $keys"
echo "ok: stacks of exited processes symbolized"
