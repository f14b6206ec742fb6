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
# each: a script; the run must end within 3 s of head's exit
for lua in 'every("10ms", function() print("tick") end)' \
	'while true do print("line") end' \
	'print("one") every("1s", function() end)' \
	"probe('tracepoint:syscalls:sys_enter_getppid', { where = 'comm == \"$name\"' },
	   function(e) printf('%d\n', e.pid) end)
	 on_start(function() print('attached') end)"; do
	t0=$(ms)
	set +e
	"$FIXTURES/syscaller" --name "$name" --sleep-first 1000 10000000 >/dev/null &
	sc=$!
	timeout 10 "$LUAPROBE" -e "$lua" 2>"$TMP/err" | head -1 >"$TMP/out"
	st=("${PIPESTATUS[@]}")
	set -e
	kill "$sc" 2>/dev/null || true
	wait "$sc" 2>/dev/null || true
	took=$(($(ms) - t0))
	assert_eq 0 "${st[0]}" "luaprobe's status with a closed stdout: $lua ($(cat "$TMP/err"))"
	[ "$took" -lt 3000 ] || fail "a closed stdout took $took ms to end: $lua"
	[ "$(wc -l <"$TMP/out")" -eq 1 ] || fail "head read no line: $lua"
done
