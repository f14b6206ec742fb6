# tracepoint:syscalls:sys_enter_getp*id: one probe per matching tracepoint
# (getpgid, getpid, getppid), sharing the handler, with e.probe naming the
# one that fired; where() and aggregations of the returned set cover every
# member, merged by key. The fixture calls getppid 5 times and getpid once
# (to print its pid); __syscall_nr is 110 and 39 on x86-64.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid
[ "$(uname -m)" = x86_64 ] || skip "syscall numbers below are x86-64's"

cat >"$TMP/wild.lua" <<'LUA'
local seen = {}
local ps = probe("tracepoint:syscalls:sys_enter_getp*id", function(e)
  seen[e.probe] = (seen[e.probe] or 0) + 1
end):where('comm == "lpwild"')
local names = {}
for i, p in ipairs(ps.probes) do names[i] = p.point end
print(tostring(ps) .. ": " .. table.concat(names, " "))
local byc = ps:count("comm")
local st = ps:stats("__syscall_nr")
local st_text = probe('kernel.trace("syscalls:sys_enter_getp*id")', { where = 'comm == "lpwild"' })
local h = st_text:hist("__syscall_nr")
-- (not tail calls: the error names the line that called)
print(select(2, pcall(function() local a = ps:avg("__syscall_nr"); return a end)))
print(select(2, pcall(function() local a = st_text:count("no_such_field"); return a end)))
print(select(2, pcall(function() local p = probe("tracepoint:syscalls:sys_enter_lpnothing*"); return p end)))
on_exit(function()
  for _, n in ipairs(names) do printf("%s %d\n", n, seen[n] or 0) end
  for k, v in byc:items() do printf("count %s %d total %d\n", k.comm, v, byc:total()) end
  for _, v in st:items() do printf("stats %d %d %d %d %d\n", v.count, v.sum, v.avg, v.min, v.max) end
  for _, v in h:items() do printf("hist total=%d 7=%d 8=%d\n", v.total, v[7], v[8]) end
  printf("hits>=6 %s, %d members written as %s\n", tostring(ps.hits >= 6), #st_text.probes, st_text.probes[1].point)
  h:print()
end)
LUA
run "$LUAPROBE" -c "$FIXTURES/syscaller --name lpwild 5 >/dev/null" "$TMP/wild.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
assert_eq "probe 'tracepoint:syscalls:sys_enter_getp*id' (3 tracepoints): tracepoint:syscalls:sys_enter_getpgid tracepoint:syscalls:sys_enter_getpid tracepoint:syscalls:sys_enter_getppid
$TMP/wild.lua:13: avg() over several tracepoints cannot be merged exactly: use stats(), whose avg is
$TMP/wild.lua:14: probe 'kernel.trace(\"syscalls:sys_enter_getpgid\")': count: no field 'no_such_field' to key by
$TMP/wild.lua:15: probe 'tracepoint:syscalls:sys_enter_lpnothing*': no tracepoint matches 'syscalls:sys_enter_lpnothing*' (luaprobe -l 'syscalls:sys_enter_lpnothing*' lists what is there)
tracepoint:syscalls:sys_enter_getpgid 0
tracepoint:syscalls:sys_enter_getpid 1
tracepoint:syscalls:sys_enter_getppid 5
count lpwild 6 total 6
stats 6 589 98 39 110
hist total=6 7=1 8=5
hits>=6 true, 3 members written as kernel.trace(\"syscalls:sys_enter_getpgid\")
@: 
[32, 64)               1 |@@@@@@@@@@                                          |
[64, 128)              5 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|" "$OUT" "probes, e.probe, merged aggregations, errors"
exit 0
