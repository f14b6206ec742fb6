# syscalls:sys_enter_X / sys_exit_X run as raw_syscalls programs in the
# syscall dispatcher (bpf/sysdisp.bpf.c): a classic syscall tracepoint's
# perf event waits 30-40 ms under the kernel's event_mutex when it goes,
# one after another (1,000 probes took 30 s to stop; bench/many.sh). A run
# with 8 or more distinct syscall tracepoints uses it, one with fewer the
# classic tracepoints (cheaper for the machine's other syscalls);
# LUAPROBE_SYSCALL_RAW=1 or 0 decides. The values must be the classic
# record's, exactly: the same script runs both ways and prints the same. A 32-bit call (int $0x80's 64 is the 32-bit getppid and the
# 64-bit semget) is not the 64-bit syscall of that number, as the classic
# tracepoints skip it; a renamed event (newuname is uname's) gets its
# syscall's number.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_openat
need_tracepoint syscalls:sys_enter_newuname
need_tracepoint raw_syscalls:sys_enter
[ "$(uname -m)" = x86_64 ] || skip "the syscall dispatcher is x86-64's"

SC=$FIXTURES/syscaller
name=lpsysr$$
missing=$TMP/lpsysraw.missing
cp "$(command -v uname)" "$TMP/${name}u"

cat >"$TMP/sys.lua" <<LUA
local w = { where = 'comm == "$name"' }
local files, dfds, nrs = {}, {}, {}
probe("tracepoint:syscalls:sys_enter_openat", w, function(e)
  files[e.filename] = (files[e.filename] or 0) + 1
  dfds[e.dfd .. " " .. e.flags] = true
  nrs[e.__syscall_nr] = true
end)
local oret = probe("tracepoint:syscalls:sys_exit_openat", w):count("ret")
local sizes = probe("tracepoint:syscalls:sys_enter_read", { where = 'comm == "$name" && fd == 0x7ffffff0' }):count("count")
local rret = probe("tracepoint:syscalls:sys_exit_read", { where = 'comm == "$name" && ret == -9' }):count("__syscall_nr")
local sem = probe("tracepoint:syscalls:sys_enter_semget", w):count("__syscall_nr", "nsems")
local gpp = probe("tracepoint:syscalls:sys_enter_getppid", w):count()
local un = probe("tracepoint:syscalls:sys_enter_newuname", { where = 'comm == "${name}u"' }):count("__syscall_nr")
on_start(function() print("READY") io.stdout:flush() end)
on_exit(function()
  printf("file %d\n", files["$missing"] or 0)
  for k in pairs(dfds) do printf("openat %s\n", k) end
  for k in pairs(nrs) do printf("nr %d\n", k) end
  for k, v in oret:items() do printf("oret %d %d\n", k.ret, v) end
  for k, v in sizes:items() do printf("size %d %d\n", k.count, v) end
  for k, v in rret:items() do printf("rret %d %d\n", k.__syscall_nr, v) end
  for k, v in sem:items() do printf("semget %d %d %d\n", k.__syscall_nr, k.nsems, v) end
  printf("getppid %d\n", gpp:total())
  for k, v in un:items() do printf("uname %d %d\n", k.__syscall_nr, v) end
end)
LUA

# runs the script, the workloads, and prints what it printed, sorted
trace() {
	lp_start -v "$TMP/sys.lua"
	lp_ready
	"$SC" --name "$name" --openat "$missing" 300 >/dev/null
	"$SC" --name "$name" --read-sizes 0,1,0x400 100 >/dev/null
	"$SC" --name "$name" --compat 250 >/dev/null
	for _ in 1 2 3 4 5; do "$TMP/${name}u" >/dev/null; done
	kill -INT "$BG_PID"
	lp_wait 30
	assert_eq 0 "$RC" "exit status ($ERR)"
	sort "$TMP/bg.out" | grep -v '^READY$'
}

export LUAPROBE_SYSCALL_RAW=0
trace >"$TMP/classic.out"
classic_err=$(cat "$TMP/bg.err")
export LUAPROBE_SYSCALL_RAW=1
trace >"$TMP/raw.out"
raw_err=$(cat "$TMP/bg.err")

expect="file 300
getppid 0
nr 257
openat -100 0
oret -2 300
rret 0 300
semget 64 -1 250
size 0 100
size 1 100
size 1024 100
uname 63 5"
assert_eq "$expect" "$(cat "$TMP/classic.out")" "classic tracepoints"
assert_eq "$expect" "$(cat "$TMP/raw.out")" "raw_syscalls dispatch"
assert_contains "probe 'tracepoint:syscalls:sys_enter_openat': attached as tracepoint" "$classic_err" "-v, classic"
assert_contains "probe 'tracepoint:syscalls:sys_enter_openat': attached as raw_syscalls:sys_enter, syscall 257" "$raw_err" "-v"
assert_contains "probe 'tracepoint:syscalls:sys_exit_read': attached as raw_syscalls:sys_exit, syscall 0" "$raw_err" "-v"
assert_contains "probe 'tracepoint:syscalls:sys_enter_newuname': attached as raw_syscalls:sys_enter, syscall 63" "$raw_err" "-v"

# Without LUAPROBE_SYSCALL_RAW: 7 distinct syscall tracepoints (the script
# above) are classic ones, 8 (and a second probe on one of them) go to the
# dispatcher
unset LUAPROBE_SYSCALL_RAW
run "$LUAPROBE" -v --check "$TMP/sys.lua"
assert_eq 0 "$RC" "exit status of --check ($ERR)"
assert_eq 7 "$(grep -c "loaded as tracepoint\$" <<<"$ERR")" "7 syscall tracepoints, loaded as"
{
	echo 'probe("tracepoint:syscalls:sys_enter_getpid"):count()'
	echo 'probe("tracepoint:syscalls:sys_enter_getpid"):count()'
	cat "$TMP/sys.lua"
} >"$TMP/sys8.lua"
run "$LUAPROBE" -v --check "$TMP/sys8.lua"
assert_eq 0 "$RC" "exit status of --check ($ERR)"
assert_eq 9 "$(grep -Ec "loaded as raw_syscalls:sys_e[a-z]*, syscall [0-9]*(, program from an image)?\$" <<<"$ERR")" "8 syscall tracepoints, loaded as"

# 70 probes on one syscall: 64 in the dispatchers' arrays, the rest on the
# classic tracepoint (its own 64): each counts every call
cat >"$TMP/s70.lua" <<LUA
local c = {}
for i = 1, 70 do c[i] = probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "$name"' }):count() end
on_start(function() print("READY") io.stdout:flush() end)
on_exit(function()
  local t = {}
  for i = 1, 70 do t[c[i]:total()] = (t[c[i]:total()] or 0) + 1 end
  for k, v in pairs(t) do printf("total %d %d\n", k, v) end
end)
LUA
LUAPROBE_SYSCALL_RAW=1 lp_start -v "$TMP/s70.lua"
lp_ready
"$SC" --name "$name" 400 >/dev/null
kill -INT "$BG_PID"
lp_wait 60
assert_eq 0 "$RC" "exit status of 70 probes on one syscall ($ERR)"
assert_eq "total 400 70" "$(grep -v "^READY$" <<<"$OUT")" "each of 70 probes' count (count, probes)"
assert_eq 64 "$(grep -c "attached as raw_syscalls:sys_enter, syscall 110" <<<"$ERR")" "probes in the dispatchers"
assert_eq 6 "$(grep -c "attached as tracepoint (the syscall dispatcher refused: at most 64 probes on one syscall)" <<<"$ERR")" \
	"probes on the classic tracepoint"
echo ok
