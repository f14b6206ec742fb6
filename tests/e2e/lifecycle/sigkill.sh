# SIGKILL: nothing runs in luaprobe, yet the kernel drops its program and link.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid
need_cmd bpftool

lp_start -e "$READY_LUA"'
probe("tracepoint:syscalls:sys_enter_getppid", function(e) end)'
lp_ready
assert_eq 1 "$(grep -c . <<<"$IDS" || true)" "programs held while running ($IDS)"
disown "$BG_PID" # bash would note "Killed" on stderr
kill -KILL "$BG_PID"
wait_gone "$BG_PID" 30
BG_PID=
# shellcheck disable=SC2086 # one id a word
wait_progs_gone 30 $IDS
