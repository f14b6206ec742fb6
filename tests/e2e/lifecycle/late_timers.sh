# every() and after() called from a timer, a handler or on_start run, and a
# timer that re-arms itself with after() runs in constant room (a fired
# after() frees its slot and its fd). probe() after the main chunk is an
# error with a message. (Before, a timer made from a timer or a handler
# never ran.)
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

# from a timer: after() and every()
run timeout 10 "$LUAPROBE" -e '
local n = 0
after("10ms", function()
  print("first")
  after("10ms", function() print("second") end)
  every("10ms", function()
    n = n + 1
    if n == 3 then print("every 3") exit(0) end
  end)
end)'
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "first
second
every 3" "$OUT" "timers made from a timer"

# from on_start and from a handler
name=lplt$$
run timeout 10 "$LUAPROBE" -c "$FIXTURES/syscaller --name $name --sleep-first 100 1 >/dev/null; sleep 5" -e "
on_start(function() after('1ms', function() print('from on_start') end) end)
probe('tracepoint:syscalls:sys_enter_getppid', { where = 'comm == \"$name\"' }, function(e)
  after('20ms', function() print('from a handler') exit(0) end)
end)"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "from on_start
from a handler" "$OUT" "timers made from on_start and a handler"

# 3000 after()s, each made by the one before: fds stay few
run timeout 20 "$LUAPROBE" -e '
local function fds()
  local n = 0
  for i = 0, 4095 do
    local f = io.open("/proc/self/fdinfo/" .. i)
    if f then n = n + 1 f:close() end
  end
  return n
end
local left, at10 = 3000
local function again()
  left = left - 1
  if left == 2990 then at10 = fds() end
  if left == 0 then printf("fds %d %d\n", at10, fds()) exit(0) return end
  after("1us", again)
end
after("1us", again)'
assert_eq 0 "$RC" "exit status ($ERR)"
read -r _ a b <<<"$OUT"
[ -n "$b" ] && [ "$b" -le "$a" ] || fail "fds grew over 3000 self-made after()s: $OUT"

# probe() once the probes have started: a message, not a probe that never attaches
for where in on_start after; do
	if [ $where = on_start ]; then
		lua='on_start(function() probe("tracepoint:syscalls:sys_enter_getppid") end)'
	else
		lua='after("1ms", function() probe("tracepoint:syscalls:sys_enter_getppid") end)'
	fi
	run timeout 10 "$LUAPROBE" -e "$lua"
	assert_eq 1 "$RC" "exit status of probe() from $where"
	assert_contains "-e:1: probe 'tracepoint:syscalls:sys_enter_getppid': probes must be made before they start (in the script's main chunk)" \
		"$ERR" "probe() from $where"
done
