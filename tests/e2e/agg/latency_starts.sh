# latency({start, ...}, end, key): a wait that may begin at one of several
# points (runqlat's wakeup, new task and preemption) pairs with one end.
# Two start probes on sys_enter_nanosleep, one for each of two sleepers
# (lpsa sleeps 17 ms, lpsb 68 and 68 ms), one end on sys_exit_nanosleep for
# both: the hist holds all three, each in its bucket (2^24 ns is 16.8 ms:
# 17 ms in [16M, 32M), bucket 26 as items() numbers them; 68 ms in 28),
# and no start or end reached user space. A pair with lpsa's start alone
# counts lpsb's two ends as unpaired (-v). A ProbeSet (sys_enter_*nanosleep:
# clock_nanosleep and nanosleep) as the start pairs lpsb's two sleeps. The sleepers run under
# SCHED_FIFO: a loaded machine delays their wakeups less than a bucket's
# width. Before, a list as the start was "bad argument #1 to 'latency'
# (Probe expected, got table)".
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_nanosleep
need_cmd chrt

cat >"$TMP/starts.lua" <<'LUA'
local function pt(dir, where)
  return probe("tracepoint:syscalls:sys_" .. dir .. "_nanosleep", { where = where })
end
local sa, sb = pt("enter", 'comm == "lpsa"'), pt("enter", 'comm == "lpsb"')
local e = pt("exit", 'comm == "lpsa" || comm == "lpsb"')
local h = latency({ sa, sb }, e)
local sa2 = pt("enter", 'comm == "lpsa"')
local e2 = pt("exit", 'comm == "lpsa" || comm == "lpsb"')
local h2 = latency({ sa2 }, e2)
for _, bad in ipairs({
  function() return latency({}, pt("exit", "pid == 1")) end,
  function() local s = pt("enter", "pid == 1"); return latency({ s, s }, pt("exit", "pid == 1")) end,
  function() local x = pt("exit", "pid == 1"); return latency({ pt("enter", "pid == 1"), x }, x) end,
  function() return latency({ sa, pt("enter", "pid == 1") }, pt("exit", "pid == 1")) end,
  function() return latency({ 1 }, pt("exit", "pid == 1")) end,
}) do
  print((select(2, pcall(bad))))
end
-- a tracepoint glob's ProbeSet as the start: its members store under one pair
local set = probe("tracepoint:syscalls:sys_enter_*nanosleep", { where = 'comm == "lpsb"' })
local h4 = latency(set, pt("exit", 'comm == "lpsb"'))
on_exit(function()
  printf("set members=%d total=%d\n", #set.probes, h4:total())
  for _, v in h:items() do
    printf("both total=%d 26=%d 28=%d\n", v.total, v[26] or 0, v[28] or 0)
  end
  for _, v in h2:items() do
    printf("one total=%d 26=%d 28=%d\n", v.total, v[26] or 0, v[28] or 0)
  end
  printf("hits sa=%d sb=%d e=%d\n", sa.hits, sb.hits, e.hits)
end)
LUA
run "$LUAPROBE" -v -c "chrt -f 1 bash -c '$FIXTURES/sleeper --name lpsa 17 & $FIXTURES/sleeper --name lpsb 68,68; wait'" "$TMP/starts.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
f=$TMP/starts.lua
assert_eq "$f:11: bad argument #1 to 'latency' (a probe or a list of 1 to 8 probes)
$f:12: latency(): probe 'tracepoint:syscalls:sys_enter_nanosleep' is given twice
$f:13: latency(): probe 'tracepoint:syscalls:sys_exit_nanosleep' is given twice
$f:14: probe 'tracepoint:syscalls:sys_enter_nanosleep': latency(): it is the start of a latency() already
$f:15: bad argument #1 to 'latency' (a list of probes holds something else)
both total=3 26=1 28=2
hits sa=0 sb=0 e=0
one total=1 26=1 28=0
set members=2 total=2
slept 1
slept 2" "$(LC_ALL=C sort <<<"$OUT")" "buckets, hits, errors"
assert_contains "luaprobe: 2 latency() ends without a start" "$ERR" "lpsb's ends unpaired in the pair with lpsa's start alone (-v)"
exit 0
