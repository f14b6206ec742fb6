# A closed stdout ends the run: `luaprobe ... | head -1` returns once head
# has gone, with status 0, as bpftrace does, whether the script prints from
# a timer, from a handler, in a loop in its main chunk, or not at all after
# its first line. (Before, it never returned: writes failed with EPIPE,
# ignored.)
# ctest: run serial (its bounds are times)
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

ms() { date +%s%3N; }
name=lpcso$$
mkfifo "$TMP/out"
# each: a script; the run must end within 1 s of its reader's going
for lua in 'every("10ms", function() print("tick") end)' \
	'while true do print("line") end' \
	'print("one") every("1s", function() end)' \
	"probe('tracepoint:syscalls:sys_enter_getppid', { where = 'comm == \"$name\"' },
	   function(e) printf('%d\n', e.pid) end)
	 on_start(function() print('attached') io.stdout:flush() end)"; do
	: >"$TMP/bg.out" # lp_wait reads it; stdout is the FIFO
	"$LUAPROBE" -e "$lua" >"$TMP/out" 2>"$TMP/bg.err" &
	BG_PID=$!
	# the reader: one line, then gone (as head -1)
	exec 8<"$TMP/out"
	read -r line <&8 || fail "no first line: $lua ($(cat "$TMP/bg.err"))"
	# events for the handler while the reader is gone
	"$FIXTURES/syscaller" --name "$name" 1000 >/dev/null
	t0=$(ms)
	exec 8<&-
	lp_wait 5
	took=$(($(ms) - t0))
	assert_eq 0 "$RC" "luaprobe's status with a closed stdout: $lua ($ERR)"
	[ "$took" -lt 1000 ] || fail "a closed stdout took $took ms to end: $lua"
	[ -n "$line" ] || fail "an empty first line: $lua"
done

# and in a pipeline, as a user runs it
t0=$(ms)
set +e
timeout 30 "$LUAPROBE" -e 'every("10ms", function() print("tick") end)' | head -1 >/dev/null
st=("${PIPESTATUS[@]}")
set -e
assert_eq "0 0" "${st[*]}" "statuses of luaprobe | head -1"
