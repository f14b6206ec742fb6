# Ctrl-C (and SIGTERM, its sibling): exit status 0, on_exit runs, and the
# program luaprobe loaded is gone. (No event reaches the handler: another
# process's getppid flood would fill the ring buffer, and stderr would say so.)
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid
need_cmd bpftool

for sig in INT TERM; do
	lp_start -e "$READY_LUA"'
	probe("tracepoint:syscalls:sys_enter_getppid", { where = "pid == 1" }, function(e) end)
	on_exit(function() print("on_exit ran") end)'
	lp_ready
	assert_eq 1 "$(grep -c . <<<"$IDS" || true)" "programs held while running ($IDS)"
	kill -"$sig" "$BG_PID"
	lp_wait 30
	assert_eq 0 "$RC" "exit status after SIG$sig ($ERR)"
	assert_eq "" "$ERR" "stderr after SIG$sig"
	assert_eq $'READY\non_exit ran' "$OUT" "stdout after SIG$sig"
	# shellcheck disable=SC2086 # one id a word
	wait_progs_gone 30 $IDS
done
