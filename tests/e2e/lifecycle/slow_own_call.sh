# A signal that comes while probe() itself is busy in C (resolving through
# DWARF on a starved CPU: CI's neighbours, here a CPU cgroup capped at 2 %)
# is acted on when probe() returns: the script stops at its next line, the
# run ends with 0 and on_exit runs. Before, the watch took probe() for a C
# function no interrupt reaches (a backtracking pattern): 1 s after SIGINT it
# ended the process with 1 and "did not stop within 1050 ms", without
# on_exit (the teardown soak failed so under ctest -j2).
. "$TESTS/e2e/lib.sh"
need_root
LIBC=/lib/x86_64-linux-gnu/libc.so.6
run "$LUAPROBE" --check -e "probe('uprobe:$LIBC:getaddrinfo', { fetch = { n = 'name' } })"
[ "$RC" = 0 ] || skip "no DWARF for libc's getaddrinfo (libc6-dbg): $ERR"

# the CPU controller, v1 or v2
if [ -w /sys/fs/cgroup/cpu ]; then
	CG=/sys/fs/cgroup/cpu/lp-slow-$$
	mkdir "$CG"
	echo 100000 >"$CG/cpu.cfs_period_us"
	echo 2000 >"$CG/cpu.cfs_quota_us"
elif grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	CG=/sys/fs/cgroup/lp-slow-$$
	mkdir "$CG"
	echo "2000 100000" >"$CG/cpu.max"
else
	skip "no CPU cgroup controller to starve the run with"
fi
trap 'cleanup; rmdir "$CG" 2>/dev/null || true' EXIT

cat >"$TMP/slow.lua" <<LUA
on_exit(function() print("on_exit ran") end)
print("BEFORE") io.stdout:flush()
probe("uprobe:$LIBC:getaddrinfo", { fetch = { n = "name" } }, function(e) end)
print("after probe(): not reached")
LUA
# the capped shell execs luaprobe: its pid is the background job's
: >"$TMP/bg.out"
: >"$TMP/bg.err"
bash -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' sh "$CG" \
	"$LUAPROBE" "$TMP/slow.lua" >"$TMP/bg.out" 2>"$TMP/bg.err" &
BG_PID=$!
wait_line "$TMP/bg.out" BEFORE 60
sleep 0.3 # inside probe(): ~0.1 s of CPU, seconds at 2 %
kill -INT "$BG_PID"
lp_wait 120
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq $'BEFORE\non_exit ran' "$OUT" "stdout"
assert_eq "luaprobe: stopped the script at $TMP/slow.lua:4: still running 50 ms after SIGINT" \
	"$ERR" "stderr"

# An error that leaves probe() caught by the script's pcall (also inside a
# coroutine, which then yields through it) clears the mark: a busy loop
# after it still stops at SIGINT.
lp_start -e 'print(pcall(probe, "bogus:x")) io.stdout:flush()
local co = coroutine.wrap(function() pcall(probe, "nope:y") coroutine.yield(1) end)
co()
print("LOOP") io.stdout:flush()
while true do end'
wait_line "$TMP/bg.out" LOOP 30
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status after a caught error ($ERR)"
assert_eq "luaprobe: stopped the script at -e:5: still running 50 ms after SIGINT" "$ERR" \
	"stderr after a caught error"
