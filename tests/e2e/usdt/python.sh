# A real binary that ships markers: Debian's python3.11 (semaphore-guarded
# markers, so a marker fires only while the semaphore is counted up). A
# script calls lp_target exactly N times: function__return, keyed by the
# function's name read through a cast of arg1, counts exactly N for it,
# with arg2 its line. (CPython 3.11 fires function__entry only when C code
# enters the interpreter, not for calls between Python functions.)
. "$TESTS/e2e/lib.sh"
need_root
py=/usr/bin/python3.11
[ -x "$py" ] || skip "needs Debian's $py"
readelf -n "$py" 2>/dev/null | grep -q 'Name: function__return' || skip "$py has no USDT markers"
cat >"$TMP/t.py" <<'PY'
import sys
def lp_target(i):
    return i + 1
for i in range(int(sys.argv[1])):
    lp_target(i)
PY
cat >"$TMP/count.lua" <<'LUA'
local c = probe("usdt:/usr/bin/python3.11:python:function__return",
                { fetch = { fn = "(char *)arg1", line = "arg2" }, where = 'fn == "lp_target"' })
          :count("fn", "line")
on_exit(function() for k, n in c:items() do printf("lp %s %d %d\n", k.fn, k.line, n) end end)
LUA
n=4321
run timeout -k 2 30 "$LUAPROBE" -c "$py $TMP/t.py $n" "$TMP/count.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "lp lp_target 3 $n" "$OUT" "lp_target's returns"
