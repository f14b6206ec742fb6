# String fields arrive as exact Lua strings: a user-space pointer argument
# (sys_enter_openat's filename), a __data_loc char[] (sched_process_exec's
# filename) and the char[16] comm built-in, truncated as the kernel does.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_openat
need_tracepoint sched:sched_process_exec

path="/tmp/lp-e2e-$$-$RANDOM-file" # never created: openat fails, the event is the same
cat >"$TMP/strings.lua" <<'LUA'
local path = ...
local match, other, first = 0, 0
probe("tracepoint:syscalls:sys_enter_openat", function(e)
  if e.comm ~= "lpopen" then return end
  first = first or e.filename
  if e.filename == path then match = match + 1 else other = other + 1 end
end)
probe("tracepoint:sched:sched_process_exec", function(e)
  printf("exec %d %s %s\n", e.pid, e.comm, e.filename)
end)
on_exit(function()
  printf("match %d\nother %d\nfirst %s (%s)\n", match, other, first, math.type(first) or type(first))
end)
LUA
run "$LUAPROBE" -c "$FIXTURES/syscaller --name lpopen --openat $path 50" "$TMP/strings.lua" "$path"
assert_eq 0 "$RC" "exit status ($ERR)"
pid=$(field pid "$OUT")
assert_eq "$path (string)" "$(field first "$OUT")" "first openat filename"
assert_eq 50 "$(field match "$OUT")" "openat events with filename '$path'"
assert_eq 0 "$(field other "$OUT")" "openat events with another filename"
assert_eq "syscaller $FIXTURES/syscaller" "$(field "exec $pid" "$OUT")" \
	"sched_process_exec comm and filename of pid $pid"

# comm is char[16]: prctl keeps 15 characters, and so must e.comm.
cat >"$TMP/comm.lua" <<'LUA'
local n, names = 0, {}
probe("tracepoint:syscalls:sys_enter_getppid", function(e)
  if e.comm:sub(1, 7) == "lp-0123" then
    n = n + 1
    names[e.comm] = true
  end
end)
on_exit(function()
  for name in pairs(names) do printf("comm %s\n", name) end
  printf("count %d\n", n)
end)
LUA
run "$LUAPROBE" -c "$FIXTURES/syscaller --name lp-0123456789abcdef 30" "$TMP/comm.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "lp-0123456789ab" "$(field comm "$OUT")" "e.comm of a 19-character name"
assert_eq 30 "$(field count "$OUT")" "getppid events"
