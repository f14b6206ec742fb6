# A run always stops: SIGINT, SIGTERM and -d end a script that is busy in
# Lua (an endless loop in the main chunk, a handler, a timer or on_start,
# even under pcall or in a coroutine; a blocking io.read()) within ~100 ms, with the usual
# teardown and on_exit; a second SIGINT stops a busy on_exit. A loop inside
# a C function (a backtracking string pattern) cannot be interrupted: the
# run ends 1 s later without on_exit, status 1, and says so. (Before, all of
# these ignored SIGINT and SIGTERM: only SIGKILL ended them.)
# ctest: run serial (its bounds are times)
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

ms() { date +%s%3N; }
ON_EXIT='on_exit(function() print("on_exit") end)'

# stop_busy SIGNAL LUA: start, wait for BUSY on stdout (printed just before
# the loop), send SIGNAL, expect the end within 1 s with on_exit run.
stop_busy() {
	local sig=$1 lua=$2 t0 took
	# as lp_start, with stdin given (a background job's is /dev/null)
	: >"$TMP/bg.out"
	"$LUAPROBE" -e "$ON_EXIT $lua" <"${STDIN:-/dev/null}" >"$TMP/bg.out" 2>"$TMP/bg.err" &
	BG_PID=$!
	wait_line "$TMP/bg.out" BUSY 30
	sleep 0.2
	t0=$(ms)
	kill -"$sig" "$BG_PID" || fail "luaprobe ended before SIG$sig ($lua): $(cat "$TMP/bg.out" "$TMP/bg.err")"
	lp_wait 5
	took=$(($(ms) - t0))
	assert_eq 0 "$RC" "exit status of SIG$sig to: $lua ($ERR)"
	[ "$took" -lt 1000 ] || fail "SIG$sig took $took ms to end: $lua"
	assert_eq "BUSY
on_exit" "$OUT" "output of SIG$sig to: $lua"
	assert_contains "luaprobe: stopped the script at -e:" "$ERR" "message of SIG$sig to: $lua"
	assert_contains "still running 50 ms after SIG$sig" "$ERR" "message of SIG$sig to: $lua"
}
BUSY='print("BUSY") io.stdout:flush()'

stop_busy INT "$BUSY while true do end"
stop_busy TERM "$BUSY while true do end"
stop_busy INT "after('1ms', function() $BUSY while true do end end)"
stop_busy INT "on_start(function() $BUSY while true do pcall(function() while true do end end) end end)"
stop_busy INT "$BUSY coroutine.wrap(function() while true do end end)()"
stop_busy INT "$BUSY local co = coroutine.create(function()
  coroutine.wrap(function() while true do pcall(function() while true do end end) end end)()
end)
while true do coroutine.resume(co) end"
name=lpbusy$$
# events for the handler, one every 100 ms until the probe is attached
(for _ in $(seq 300); do "$FIXTURES/syscaller" --name "$name" 1 >/dev/null; sleep 0.1; done) &
events=$!
stop_busy INT "probe('tracepoint:syscalls:sys_enter_getppid', { where = 'comm == \"$name\"' },
  function() $BUSY while true do end end)"
kill "$events"
wait "$events" 2>/dev/null || true

# a blocking io.read() on a pipe that never sends
mkfifo "$TMP/fifo"
exec 7<>"$TMP/fifo"
STDIN=$TMP/fifo stop_busy INT "$BUSY io.read()"
exec 7>&-

# -d ends a busy main chunk
t0=$(ms)
run timeout 10 "$LUAPROBE" -d 0.3 -e "$ON_EXIT while true do end"
took=$(($(ms) - t0))
assert_eq 0 "$RC" "exit status of -d 0.3 with a busy main chunk ($ERR)"
assert_eq on_exit "$OUT" "on_exit after -d 0.3"
[ "$took" -lt 1300 ] || fail "-d 0.3 with a busy main chunk took $took ms"

# a second SIGINT stops a busy on_exit
lp_start -e 'on_exit(function() print("on_exit") io.stdout:flush() while true do end end)
every("1s", function() end) print("BUSY") io.stdout:flush()'
wait_line "$TMP/bg.out" BUSY 30
kill -INT "$BG_PID"
wait_line "$TMP/bg.out" on_exit 5
t0=$(ms)
kill -INT "$BG_PID"
lp_wait 5
took=$(($(ms) - t0))
assert_eq 0 "$RC" "exit status after a second SIGINT ($ERR)"
[ "$took" -lt 1000 ] || fail "a second SIGINT took $took ms to stop on_exit"

# a backtracking pattern: no hook runs inside string.find; the run ends anyway
lp_start -e "$ON_EXIT $BUSY string.find(string.rep('a', 60), string.rep('a*', 40) .. 'b')"
wait_line "$TMP/bg.out" BUSY 30
t0=$(ms)
kill -INT "$BG_PID"
lp_wait 5
took=$(($(ms) - t0))
assert_eq 1 "$RC" "exit status of SIGINT inside string.find"
assert_eq BUSY "$OUT" "output of SIGINT inside string.find (no on_exit)"
assert_contains "luaprobe: the script did not stop within 1050 ms of SIGINT: it is inside a C function" \
	"$ERR" "message of SIGINT inside string.find"
[ "$took" -lt 2000 ] || fail "SIGINT inside string.find took $took ms"
