# The event -> Lua path (issue 12): events are handed to handlers in
# batches straight from the ring buffer (run/ring.c, lua/event.c), and a
# field name is looked up through a cache in front of the field map. What
# must hold whatever the batching and the caches do:
# - an event kept by the handler stays what it was after the handler
#   returned and after its ring-buffer space was reused: every field of
#   20,000 kept events is checked at the end against what the workload did;
# - fields read in two orders, through short names, a name longer than
#   Lua's interned strings (a fetch named with 45 characters), _name
#   aliases and a misspelt name in between, give the same values;
# - under a flood into a two-field handler, delivered + reported lost is
#   exactly what the workload made, and each delivered event's two fields
#   are its own.
# ctest: run serial (the flood loads the machine)
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_read

SC=$FIXTURES/syscaller
name=lpkept$$
sizes="1,2,3,5,8,13,21,34"
rounds=2500 # 20,000 reads
long=count_under_a_name_longer_than_lua_interns_x # 45 characters

cat >"$TMP/kept.lua" <<LUA
local kept, bad, pcalls = {}, 0, 0
local prev
probe("tracepoint:syscalls:sys_enter_read",
      { where = 'comm == "$name"', fetch = { $long = "count" } }, function(e)
  local a, b, c
  if #kept % 2 == 0 then
    a, b, c = e.count, e.fd, e["$long"]
  else
    c, b, a = e["$long"], e._pid and e.fd, e.count
  end
  -- a misspelt name raises, and leaves the lookups that follow right
  if #kept % 1000 == 0 then
    local ok = pcall(function() return e.cuont end)
    if not ok then pcalls = pcalls + 1 end
  end
  if a ~= c or b ~= 0x7ffffff0 or e.comm ~= "$name" then bad = bad + 1 end
  -- the previous event, read again now that this one came
  if prev and (prev.count ~= kept[#kept].count) then bad = bad + 1 end
  kept[#kept + 1] = e
  prev = e
end)
on_start(function() print("READY") io.stdout:flush() end)
on_exit(function()
  local sizes, wrong, last_ts = { $sizes }, 0, 0
  for i, e in ipairs(kept) do
    local want = sizes[(i - 1) % #sizes + 1]
    if e.count ~= want or e["$long"] ~= want or e.fd ~= 0x7ffffff0 or e.comm ~= "$name"
       or e.pid ~= target_pid() or e.ts <= last_ts then
      wrong = wrong + 1
      if wrong < 4 then printf("event %d: count %d fd %d comm %s\n", i, e.count, e.fd, e.comm) end
    end
    last_ts = e.ts
  end
  printf("kept %d wrong %d bad %d pcalls %d\n", #kept, wrong, bad, pcalls)
end)
LUA
# a buffer that holds every event: the check is of the values, not of losses
run timeout 60 "$LUAPROBE" --buffer 16M -c "$SC --name $name --read-sizes $sizes $rounds" "$TMP/kept.lua"
assert_eq 0 "$RC" "exit status of the kept-events run ($ERR)"
assert_eq "" "$ERR" "stderr of the kept-events run"
assert_eq "kept 20000 wrong 0 bad 0 pcalls 20" "$(grep '^kept ' <<<"$OUT")" \
	"kept events read after the handlers and the run ($OUT)"

# More names than the cache holds (8), read in a different order each
# event: the cache gives names up in turn and every value stays its own.
cat >"$TMP/names.lua" <<LUA
local names = { "count", "fd", "buf", "__syscall_nr", "comm", "pid", "tid", "uid", "cpu", "ts",
                "probe", "$long", "_pid", "_tid" }
local seen, wrong = 0, 0
probe("tracepoint:syscalls:sys_enter_read",
      { where = 'comm == "$name"', fetch = { $long = "count" } }, function(e)
  local want = { count = e.count, fd = 0x7ffffff0, __syscall_nr = 0, comm = "$name",
                 pid = target_pid(), tid = target_pid(), uid = 0,
                 probe = "tracepoint:syscalls:sys_enter_read" }
  want["$long"] = want.count
  want._pid, want._tid = want.pid, want.tid
  seen = seen + 1
  for k = 0, #names - 1 do
    local n = names[(seen + k * (seen % 5 + 1)) % #names + 1]
    local v = e[n]
    if want[n] ~= nil and v ~= want[n] then wrong = wrong + 1 end
    if (n == "ts" and v <= 0) or (n == "cpu" and (v < 0 or v > 4095)) then wrong = wrong + 1 end
  end
end)
on_exit(function() printf("names seen %d wrong %d\n", seen, wrong) end)
LUA
run timeout 60 "$LUAPROBE" --buffer 16M -c "$SC --name $name --read-sizes $sizes 50" "$TMP/names.lua"
assert_eq 0 "$RC" "exit status of the many-names run ($ERR)"
assert_eq "names seen 400 wrong 0" "$(grep '^names ' <<<"$OUT")" "14 names read in changing orders"

# The flood: 2,000,000 getppid() calls as fast as one process makes them
# into a handler that reads two fields; the ring buffer is small enough
# that some are lost on most machines.
n=2000000
run timeout 120 "$LUAPROBE" --buffer 64K -c "$SC --name $name $n" -e "
local got, wrong = 0, 0
local p = probe('tracepoint:syscalls:sys_enter_getppid', { where = 'comm == \"$name\"' }, function(e)
  if e.pid ~= target_pid() or e.comm ~= '$name' then wrong = wrong + 1 end
  got = got + 1
end)
on_exit(function() printf('got %d\nwrong %d hits %d\n', got, wrong, p.hits) end)"
assert_eq 0 "$RC" "exit status of the flood ($ERR)"
assert_eq "$n" "$(field getppid "$OUT")" "the workload's calls"
got=$(field got "$OUT")
lost=$(sed -n 's/^luaprobe: lost \([0-9]*\) events (ring buffer full)$/\1/p' <<<"$ERR")
assert_eq "$n" "$((got + ${lost:-0}))" "delivered ($got) + lost (${lost:-0}): $ERR"
assert_eq "wrong 0 hits $got" "$(grep '^wrong ' <<<"$OUT")" "fields of each delivered event"
echo "ok: kept 20000 exact; flood delivered $got + lost ${lost:-0} = $n"
