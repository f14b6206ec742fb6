# How a run ends: exit(3) from a handler is status 3; -d 1 ends with 0 in
# about a second, with every() and after() timers fired; -c 'true' ends with
# 0; on_start runs before the first event.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

exit3='probe("tracepoint:syscalls:sys_enter_getppid", function(e)
  if e.comm == "lpexit" then exit(3) end
end)
on_exit(function() print("on_exit ran") end)'

# exit(3) while luaprobe runs (the workload is not its -c command).
lp_start -e "$READY_LUA
$exit3"
wait_line "$TMP/bg.out" READY 5
"$FIXTURES/syscaller" --name lpexit 10 >/dev/null
lp_wait 30
assert_eq 3 "$RC" "exit status after exit(3) in a handler ($ERR)"
assert_eq $'READY\non_exit ran' "$OUT" "stdout"

# exit(3) from an event delivered after the -c command ended.
run "$LUAPROBE" -c "$FIXTURES/syscaller --name lpexit 10" -e "$exit3"
assert_eq 3 "$RC" "exit status after exit(3) in a handler, with -c ($ERR)"
assert_eq "on_exit ran" "$(grep -v -e '^pid ' -e '^getppid ' <<<"$OUT")" "stdout with -c"

# -d 1: timers fire, and the run ends on time with status 0.
t0=$(date +%s%N)
run "$LUAPROBE" -d 1 -e '
local ticks, afters = 0, 0
every("100ms", function() ticks = ticks + 1 end)
after("250ms", function() afters = afters + 1 end)
probe("tracepoint:syscalls:sys_enter_getppid")
on_exit(function() printf("ticks %d\nafter %d\n", ticks, afters) end)'
ms=$((($(date +%s%N) - t0) / 1000000))
assert_eq 0 "$RC" "exit status of -d 1 ($ERR)"
assert_eq "" "$ERR" "stderr of -d 1"
assert_range 900 3000 "$ms" "milliseconds taken by -d 1"
assert_range 8 11 "$(field ticks "$OUT")" "every(\"100ms\") ticks in 1 s"
assert_eq 1 "$(field after "$OUT")" "after(\"250ms\") calls in 1 s"

# -c 'true': the command ends, so does the run.
run "$LUAPROBE" -c true -e 'probe("tracepoint:syscalls:sys_enter_getppid")'
assert_eq 0 "$RC" "exit status of -c true ($ERR)"
assert_eq "" "$ERR" "stderr of -c true"

# on_start runs once, before any handler.
run "$LUAPROBE" -c "$FIXTURES/syscaller --name lpstart 20" -e '
local started, order = 0, {}
on_start(function() started = started + 1 end)
probe("tracepoint:syscalls:sys_enter_getppid", function(e)
  if e.comm == "lpstart" and #order == 0 then order[1] = started end
end)
on_exit(function() printf("started_before_first %s\nstarted %d\n", order[1], started) end)'
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq 1 "$(field started_before_first "$OUT")" "on_start calls before the first event"
assert_eq 1 "$(field started "$OUT")" "on_start calls"
