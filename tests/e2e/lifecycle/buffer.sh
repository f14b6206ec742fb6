# The event ring buffer (issue 12): a script without handlers has none, and
# still counts exactly, ends by exit(), -d and SIGINT, and runs on_exit; a
# script with a handler has one sized by default to 512 KiB a CPU (1 MiB on
# 2 CPUs), or by --buffer; with a 4 KiB buffer and a slow handler under a
# flood, what was delivered plus what was reported lost is exactly what the
# workload made; bad sizes are refused with a clear message.
# ctest: run serial (the flood loads the machine)
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

SC=$FIXTURES/syscaller
name=lpbuf$$

# ringbufs PID: "max_entries" of each ring-buffer map (map_type 27) PID holds
ringbufs() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		grep -q '^map_type:[[:space:]]*27$' "$f" 2>/dev/null &&
			sed -n 's/^max_entries:[[:space:]]*//p' "$f"
	done | sort | paste -sd' '
	return 0
}

# Count-only: no ring buffer, exact count, SIGINT ends it, on_exit runs.
lp_start -e "local c = probe('tracepoint:syscalls:sys_enter_getppid', { where = 'comm == \"$name\"' }):count()
$READY_LUA
on_exit(function() printf('count %d\n', c:total()) end)"
wait_line "$TMP/bg.out" READY 20
assert_eq "" "$(ringbufs "$BG_PID")" "ring buffers of a count-only script"
"$SC" --name "$name" 5000 >/dev/null
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status of a count-only script ($ERR)"
assert_eq 5000 "$(field count "$OUT")" "count without a ring buffer"

# ... exit() from a timer and -d end it too.
run timeout 30 "$LUAPROBE" -e "probe('tracepoint:syscalls:sys_enter_getppid'):count()
after('200ms', function() exit(4) end)
on_exit(function() print('on_exit ran') end)"
assert_eq 4 "$RC" "exit(4) from a timer in a count-only script ($ERR)"
assert_eq "on_exit ran" "$OUT" "on_exit after exit() without a ring buffer"
run timeout 30 "$LUAPROBE" -d 0.3 -e "probe('tracepoint:syscalls:sys_enter_getppid'):count()
on_exit(function() print('on_exit ran') end)"
assert_eq 0 "$RC" "-d 0.3 in a count-only script ($ERR)"
assert_eq "on_exit ran" "$OUT" "on_exit after -d without a ring buffer"

# A handler: one ring buffer, 512 KiB a CPU by default, or --buffer's size.
ncpu=$(getconf _NPROCESSORS_ONLN)
want=1
while [ "$want" -lt $((ncpu * 512 * 1024)) ]; do want=$((want * 2)); done
for args in "" "--buffer 64K" "--buffer 2m" "--buffer 8192"; do
	# shellcheck disable=SC2086 # the words of args are luaprobe's arguments
	lp_start $args -e "probe('tracepoint:syscalls:sys_enter_getppid', function(e) end)
$READY_LUA"
	wait_line "$TMP/bg.out" READY 20
	case $args in
	"") expect=$want ;;
	*64K) expect=65536 ;;
	*2m) expect=2097152 ;;
	*) expect=8192 ;;
	esac
	assert_eq "$expect" "$(ringbufs "$BG_PID")" "ring buffer with a handler, '$args'"
	kill -INT "$BG_PID"
	lp_wait 30
	assert_eq 0 "$RC" "exit status with a handler, '$args' ($ERR)"
done

# A 4 KiB ring buffer, a slow handler (~20 us an event) and 100,000 events
# as fast as one process makes them: most are lost, and every one counted.
n=100000
run timeout 60 "$LUAPROBE" --buffer 4K -c "$SC --name $name $n" -e "
local got = 0
probe('tracepoint:syscalls:sys_enter_getppid', { where = 'comm == \"$name\"' }, function(e)
  got = got + 1
  local t = os.clock()
  while os.clock() - t < 20e-6 do end
end)
on_exit(function() printf('got %d\n', got) end)"
assert_eq 0 "$RC" "exit status of the flood ($ERR)"
assert_eq "$n" "$(field getppid "$OUT")" "the workload's calls"
got=$(field got "$OUT")
lost=$(sed -n 's/^luaprobe: lost \([0-9]*\) events (ring buffer full)$/\1/p' <<<"$ERR")
assert_range 1 "$n" "${lost:-0}" "events reported lost with a 4 KiB buffer ($ERR)"
assert_range 1 "$n" "$got" "events delivered with a 4 KiB buffer"
assert_eq "$n" "$((got + lost))" "delivered ($got) + lost ($lost)"

# Bad sizes: a clear message, status 1, nothing runs.
for bad in "3M|power of two: 2048K or 4096K" "1K|a page (4K) at least" "0|a page (4K) at least" \
	"2G|from 4K to 1G" "-4K|from 4K to 1G" "4KB|from 4K to 1G" "lots|from 4K to 1G" \
	"|from 4K to 1G"; do
	run "$LUAPROBE" --buffer "${bad%%|*}" -e 'print("ran")'
	assert_eq 1 "$RC" "exit status of --buffer '${bad%%|*}'"
	assert_contains "${bad#*|}" "$ERR" "message for --buffer '${bad%%|*}'"
	assert_eq "" "$OUT" "stdout of --buffer '${bad%%|*}'"
done
echo ok
