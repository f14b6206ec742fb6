# profile:hz:99 on a CPU kept busy by the busy fixture (an idle vCPU takes
# 0-5 samples a second here). Every sample counted is the fixture's (its
# pid, its comm), the same samples key a count by user stack and an unkeyed
# count (one probe, two aggregations: the totals are equal exactly), the
# hottest user stack is the spin loop's, symbolized with file:line after
# the fixture has exited, and a handler sees the interrupted task's
# built-ins, the ip and both stacks. With --kernel the fixture reads
# /dev/zero: the kernel stacks are symbols of the read path, and
# `ip in "func"` keeps exactly the samples taken inside func.
# ctest: run serial
. "$TESTS/e2e/lib.sh"
need_root

cat >"$TMP/hz.lua" <<'LUA'
local p = probe("profile:hz:99", { where = 'comm == "lpbusy"' })
local by_ustack, total = p:count("ustack"), p:count()
local by_pid = probe("profile:hz:99", { where = 'comm == "lpbusy"' }):count("pid", "comm")
local seen, bad = 0, {}
probe("profile:hz:99", { where = 'comm == "lpbusy"', stack = "both" }, function(e)
  seen = seen + 1
  if e.pid ~= target_pid() or e.tid ~= e.pid or e.comm ~= "lpbusy" then bad[#bad + 1] = "task" end
  if e.cpu < 0 or e.cpu > 1023 or e.ip == 0 then bad[#bad + 1] = "cpu/ip" end
  if #e.ustack > 0 and e.ustack[1]:match("^0x") then bad[#bad + 1] = "ustack " .. e.ustack[1] end
end)
on_exit(function()
  local sum = 0
  for k, n in by_ustack:items() do sum = sum + n end
  local t = 0
  for _, n in total:items() do t = t + n end
  printf("total %d ustack-sum %d\n", t, sum)
  for k, n in by_pid:items() do printf("bypid %d comm %s count %d\n", k.pid, k.comm, n) end
  -- the hottest stack by function: sum keys whose frames name the same functions
  local byfunc = {}
  for k, n in by_ustack:items() do
    local names = {}
    for i, f in ipairs(k.ustack) do names[i] = f end
    local id = table.concat(names, "|"):gsub("%+0x%x+", ""):gsub(" %(.-%)", "")
    byfunc[id] = (byfunc[id] or 0) + n
  end
  local top, topn = nil, -1
  for id, n in pairs(byfunc) do if n > topn then top, topn = id, n end end
  printf("top %s\n", top)
  for k, n in by_ustack:items() do printf("frames %s\n", table.concat(k.ustack, "|")) break end
  printf("handler %d bad %s\n", seen, table.concat(bad, ","))
end)
LUA

run timeout -k 2 30 "$LUAPROBE" -c "$FIXTURES/busy --name lpbusy 1500" "$TMP/hz.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
pid=$(field pid "$OUT")
n=$(sed -n 's/^total \([0-9]*\) .*/\1/p' <<<"$OUT")
# 1.5 s at 99 Hz is ~148 samples of a CPU the fixture has to itself; other
# work on the machine takes some: the samples follow the CPU time it got
# (a per-CPU clock fires every 10 ms of the CPU's time and lands on whatever
# runs, and getrusage accounts by ticks: generous bounds, half to 1.5 times)
cpu=$(field cpu_ms "$OUT")
assert_range $((cpu * 99 / 2000 - 3)) $((cpu * 99 * 15 / 10000 + 5)) "$n" \
	"samples at 99 Hz of $cpu ms of CPU"
assert_range 3 160 "$n" "samples in 1.5 s at 99 Hz"
assert_eq "total $n ustack-sum $n" "$(grep '^total ' <<<"$OUT")" "the two aggregations of one probe"
# another probe, another perf event: its own count, of the fixture alone
[[ "$(grep "^bypid " <<<"$OUT")" =~ ^bypid\ $pid\ comm\ lpbusy\ count\ [0-9]+$ ]] ||
	fail "samples of another process: $(grep "^bypid " <<<"$OUT")"
assert_eq "top lp_busy_spin|lp_busy_outer|main|__libc_start_call_main" "$(grep '^top ' <<<"$OUT")" \
	"the hottest user stack"
frames=$(field frames "$OUT")
[[ "$frames" =~ ^lp_busy_[a-z_]+(\+0x[0-9a-f]+)?\ \(busy\.c:[0-9]+\)\| ]] ||
	fail "user frames not symbolized with file:line after the fixture exited: $frames"
h=$(sed -n 's/^handler \([0-9]*\) bad $/\1/p' <<<"$OUT")
assert_range 3 160 "$h" "handler events without a wrong built-in ($(grep '^handler ' <<<"$OUT"))"

# Kernel stacks: the fixture reads /dev/zero, most samples are in the kernel.
cat >"$TMP/khz.lua" <<'LUA'
local by_kstack = probe("profile:hz:99", { where = 'comm == "lpbusy"' }):count("kstack")
-- `ip in "func"`: the interrupted ip against the function's kallsyms ranges
-- (read_zero clears the user's buffer in rep_stos_alternative on this kernel)
local in_vfs = probe("profile:hz:99", { where = 'comm == "lpbusy" && ip in "' .. arg[1] .. '"' })
  :count("kstack")
on_exit(function()
  for k, c in in_vfs:items() do
    printf("ip-in %s %d\n", k.kstack[1] or "-", c)
  end
  local n, read, sum = 0, 0, 0
  for k, c in by_kstack:items() do
    sum = sum + c
    if #k.kstack > 0 then
      n = n + 1
      local s = table.concat(k.kstack, "|")
      if s:match("read_zero%+0x%x+|.*do_syscall_64%+0x%x+|") then read = read + c end
      for _, f in ipairs(k.kstack) do
        if not f:match("^[%w_.]+%+0x%x+$") and not f:match("^[%w_.]+$") then
          printf("unsymbolized %s\n", f)
        end
      end
    end
  end
  printf("kernel-stacks %d samples %d in-read %d\n", n, sum, read)
end)
LUA
clear=rep_stos_alternative
grep -q " $clear\$" /proc/kallsyms || clear=read_zero
run timeout -k 2 30 "$LUAPROBE" -c "$FIXTURES/busy --name lpbusy --kernel 1500" "$TMP/khz.lua" "$clear"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$(grep '^unsymbolized' <<<"$OUT" || true)" "kernel frames that are not symbols"
read -r _ nk _ samples _ inread <<<"$(grep '^kernel-stacks ' <<<"$OUT")"
assert_range 3 160 "$samples" "samples of the reading fixture"
assert_range 1 1000 "$nk" "distinct kernel stacks"
# every sample the ip filter kept was taken inside that function (its first frame)
grep -q '^ip-in ' <<<"$OUT" || fail "no sample with ip in \"$clear\": $OUT"
assert_eq "" "$(grep '^ip-in ' <<<"$OUT" | grep -vE "^ip-in $clear(\+0x[0-9a-f]+)? [0-9]+\$" || true)" \
	"samples kept by ip in \"$clear\""
# most of the time is in read_zero (clearing the user buffer): at least half
[ $((inread * 2)) -ge "$samples" ] || fail "few samples in read_zero under do_syscall_64: $OUT"
echo "ok: profile:hz:99, $n samples"
