# Control under load: a flood of events into a slow handler (~50 us an
# event, far slower than the flood) must not starve the loop. -d 1 ends in
# well under 3 s, as do SIGINT and the -c command's exit; a timer still
# fires during the flood; the events the ring buffer could not hold are
# reported as lost. (Before, -d 1 took 13.6 s and Ctrl-C 47.7 s.) The bound
# is generous: timings belong in bench/, a hang of seconds must fail here.
# ctest: run serial (it loads the machine, and its bound is a time)
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

SC=$FIXTURES/syscaller
name=lpf$$
cat >"$TMP/flood.lua" <<LUA
local ticks = 0
probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "$name"' }, function(e)
  local t = os.clock()
  while os.clock() - t < 50e-6 do end
end)
every("100ms", function() ticks = ticks + 1 end)
on_start(function() print("READY") io.stdout:flush() end)
on_exit(function() printf("ticks %d\n", ticks) end)
LUA

# The flood: getppid as fast as one process makes it, for longer than the
# test (it is killed at the end).
"$SC" --name "$name" 1000000000 >/dev/null &
flood=$!
trap 'kill $flood 2>/dev/null; cleanup' EXIT

ms() { date +%s%3N; }

# -d 1
t0=$(ms)
lp_start -d 1 "$TMP/flood.lua"
lp_wait 10
took=$(($(ms) - t0))
assert_eq 0 "$RC" "exit status of -d 1 under a flood ($ERR)"
[ "$took" -lt 3000 ] || fail "-d 1 under a flood took $took ms"
assert_range 5 11 "$(field ticks "$OUT")" "100ms ticks in -d 1 under a flood"
assert_contains "luaprobe: lost " "$ERR" "lost events reported under a flood"

# SIGINT, half a second into the flood
lp_start "$TMP/flood.lua"
wait_line "$TMP/bg.out" READY 5
sleep 0.5
t0=$(ms)
kill -INT "$BG_PID"
lp_wait 10
took=$(($(ms) - t0))
assert_eq 0 "$RC" "exit status of SIGINT under a flood ($ERR)"
[ "$took" -lt 3000 ] || fail "SIGINT under a flood took $took ms to end the run"

# -c: the command's exit ends the run
t0=$(ms)
lp_start -c "sleep 0.5" "$TMP/flood.lua"
lp_wait 10
took=$(($(ms) - t0))
assert_eq 0 "$RC" "exit status of -c under a flood ($ERR)"
[ "$took" -lt 3000 ] || fail "-c 'sleep 0.5' under a flood took $took ms"
