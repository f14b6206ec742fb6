# latency(start, end, key) paired in the kernel: the fixture makes the
# nanosleep system call for 17, 34, 34, 68, 68 and 68 ms; the time from
# sys_enter_nanosleep to sys_exit_nanosleep lands each in its bucket (a hist
# by tid, an lhist of e.latency on the end probe), and neither probe
# delivers an event to user space (hits 0) while the hist counts 6. A second
# pair keyed by pid with a handler on its end reads e.latency; a Lua Hist of
# those prints as the kernel's. A third pair whose start never matches
# counts 6 ends without a start (-v). A sleep overshoots by its wake-up
# delay, milliseconds on a loaded machine: each value is just above a
# bucket's lower edge (2^24 ns is 16.8 ms), a bucket's width below its top.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_nanosleep

cat >"$TMP/lat.lua" <<'LUA'
local function pt(dir, comm)
  return probe("tracepoint:syscalls:sys_" .. dir .. "_nanosleep", { where = 'comm == "' .. comm .. '"' })
end
local s1, e1 = pt("enter", "lplat"), pt("exit", "lplat")
local h = latency(s1, e1)
local l = e1:lhist("latency", 0, 150000000, 30000000)
local s2 = pt("enter", "lplat")
local fed = Hist()
local e2 = probe("tracepoint:syscalls:sys_exit_nanosleep", { where = 'comm == "lplat"' }, function(e)
  fed:add(e.latency)
end)
latency(s2, e2, "pid")
local s3, e3 = pt("enter", "lpnomatch"), pt("exit", "lplat")
local h3 = latency(s3, e3)
for _, bad in ipairs({
  function() local a = latency(s1, pt("exit", "x")); return a end,
  function() local p = pt("exit", "x"); local a = latency(p, p); return a end,
  function() local a = latency(pt("enter", "x"), pt("exit", "x"), "comm"); return a end,
  function() local a = latency(pt("enter", "x"), pt("exit", "x"), "no_such"); return a end,
}) do
  print((select(2, pcall(bad))))
end
on_exit(function()
  for _, v in h:items() do
    printf("hist total=%d 26=%d 27=%d 28=%d\n", v.total, v[26] or 0, v[27] or 0, v[28] or 0)
  end
  for _, v in l:items() do
    printf("lhist total=%d 1=%d 2=%d 3=%d\n", v.total, v[1] or 0, v[2] or 0, v[3] or 0)
  end
  printf("hits s1=%d e1=%d s2=%d e2=%d s3=%d e3=%d\n", s1.hits, e1.hits, s2.hits, e2.hits, s3.hits, e3.hits)
  printf("unpaired hist total=%d\n", h3:total())
  print("-- kernel")
  h:print()
  print("-- lua")
  fed:print()
end)
LUA
run "$LUAPROBE" -v -c "$FIXTURES/sleeper --name lplat 17,34,34,68,68,68 >/dev/null" "$TMP/lat.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "$TMP/lat.lua:16: probe 'tracepoint:syscalls:sys_enter_nanosleep': latency(): it is the start of a latency() already
$TMP/lat.lua:17: latency(): the start and the end are the same probe ('tracepoint:syscalls:sys_exit_nanosleep')
$TMP/lat.lua:18: probe 'tracepoint:syscalls:sys_enter_nanosleep': latency(): a latency() key is an integer of at most 8 bytes (a tid, a pointer); 'comm' is not
$TMP/lat.lua:19: probe 'tracepoint:syscalls:sys_enter_nanosleep': latency(): no field 'no_such' to pair the latency by
hist total=6 26=1 27=2 28=3
lhist total=6 1=1 2=2 3=3
hits s1=0 e1=0 s2=0 e2=6 s3=0 e3=0
unpaired hist total=0" "$(sed '/^-- kernel$/,$d' <<<"$OUT")" "buckets, hits, errors"
kernel=$(sed -n '/^-- kernel$/,/^-- lua$/p' <<<"$OUT" | sed '1d;$d')
lua=$(sed '1,/^-- lua$/d' <<<"$OUT")
assert_eq "$kernel" "$lua" "the kernel's hist against a Hist() of e.latency"
assert_contains "luaprobe: 6 latency() ends without a start" "$ERR" "unpaired ends reported (-v)"
exit 0
