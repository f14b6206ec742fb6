# Functions DWARF does not describe. bash ships without debuginfo: at
# uretprobe:/bin/bash:readline, $retval is rax as an integer and
# (char *)$retval the line an interactive bash read (fed through a pty).
# libc exports pthread_create, which DWARF calls __pthread_create_2_1: it
# attaches by the exported name and counts exactly the threads made.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes
[ -x /bin/bash ] || skip "needs /bin/bash"
need_cmd python3

cat >"$TMP/rl.lua" <<LUA
probe("uretprobe:/bin/bash:readline", { fetch = { line = "(char *)\$retval", raw = "\$retval" } },
      function(e)
        if e.raw ~= 0 then printf("lp line %s\n", e.line) end
        if e.line == "exit" then exit() end
      end)
$READY_LUA
LUA
lp_start -d 20 "$TMP/rl.lua"
lp_ready
# an interactive bash on a pty, three lines typed one by one
/usr/bin/python3 - <<'PY'
import os, pty, time
pid, fd = pty.fork()
if pid == 0:
    os.execv("/bin/bash", ["bash", "--norc", "--noprofile", "-i"])
for line in ["echo lp_one", "true two words", "exit"]:
    time.sleep(0.3)
    os.write(fd, (line + "\n").encode())
try:
    while os.read(fd, 4096):
        pass
except OSError:
    pass
os.waitpid(pid, 0)
PY
lp_wait 10
assert_eq "lp line echo lp_one
lp line true two words
lp line exit" "$(grep '^lp ' "$TMP/bg.out")" "lines bash read ($(cat "$TMP/bg.err"))"

# -L without DWARF: the calling convention's registers, as integers
run "$LUAPROBE" -L "uprobe:/bin/bash:readline"
assert_eq "uprobe:/bin/bash:readline
  at readline:0
    uint64_t arg0
    uint64_t arg1
    uint64_t arg2
    uint64_t arg3
    uint64_t arg4
    uint64_t arg5" "$OUT" "-L of a function without DWARF ($ERR)"
run "$LUAPROBE" -e 'probe("uprobe:/bin/bash:readline", { fetch = { "((struct x *)arg0)->len" } })'
assert_eq 1 "$RC" "exit status of a struct cast without DWARF"
assert_contains "no type 'struct x' in /usr/bin/bash (it has no debuginfo to say what it is)" "$ERR" "struct cast without DWARF"
run "$LUAPROBE" -e 'probe("uprobe:/bin/bash:readline", { fetch = { "prompt" } })'
assert_contains "no 'prompt' without debuginfo for /usr/bin/bash: a function's entry has arg0..arg5" "$ERR" "a name without DWARF"

# pthread_create by its exported name, in libc
bin="$FIXTURES/threads"
[ -x "$bin" ] || fail "fixture $bin is not built"
cat >"$TMP/th.lua" <<'LUA'
local c = probe("uprobe:libc.so.6:pthread_create"):count()
on_exit(function() printf("lp created %d\n", c:total()) end)
LUA
n=37
run timeout -k 2 60 "$LUAPROBE" -c "$bin $n" "$TMP/th.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "threads $n
lp created $n" "$OUT" "threads created and counted"
