# where = "pid == target" on a tracepoint keeps exactly the -c command's
# system calls (or the -p process's) while another process makes the same
# calls at the same time; tracepoints are not restricted otherwise.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

SC=$FIXTURES/syscaller
other=lpo$$
cat >"$TMP/target.lua" <<LUA
local mine = probe("tracepoint:syscalls:sys_enter_getppid", { where = "pid == target" }):count()
-- the control: the other process's calls happen while ours are counted
local other = probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "$other"' }):count()
on_exit(function() printf("target %d\nother %d\n", mine:total(), other:total()) end)
LUA

# The other process: the same calls, in a loop, for the whole run.
(while :; do "$SC" --name "$other" 2000 >/dev/null; done) &
loop=$!
trap 'kill $loop 2>/dev/null; cleanup' EXIT

# -c: the command sleeps first so the other process's calls surround its own.
run "$LUAPROBE" -c "$SC --sleep-first 200 1000" "$TMP/target.lua"
assert_eq 0 "$RC" "exit status with -c ($ERR)"
assert_eq "" "$ERR" "stderr with -c"
assert_eq 1000 "$(field target "$OUT")" "calls counted by pid == target with -c"
[ "$(field other "$OUT")" -gt 0 ] || fail "the other process made no calls during the run: $OUT"

# -p: a process already running, for -d seconds.
"$SC" --sleep-first 500 700 >"$TMP/p.out" &
p=$!
run "$LUAPROBE" -p "$p" -d 1.5 "$TMP/target.lua"
wait "$p"
assert_eq 0 "$RC" "exit status with -p ($ERR)"
assert_eq 700 "$(field target "$OUT")" "calls counted by pid == target with -p"
[ "$(field other "$OUT")" -gt 0 ] || fail "the other process made no calls during the -p run: $OUT"

# Without -p or -c, `target` is an error that says why, at its column.
run "$LUAPROBE" "$TMP/target.lua"
assert_eq 1 "$RC" "exit status without a target"
assert_contains "where: column 8: 'target' is the process of -p PID or -c CMD" "$ERR" "message without a target"
