# `luaprobe --check DIR` (a team's CI, DESIGN.md §2): every DIR/*.lua is
# checked as `--check SCRIPT` checks one (main chunk run, every probe
# resolved and loaded into this kernel, nothing attached, no handler nor
# on_start run), in a process of its own; "ok PATH" / "FAIL PATH" a line in
# name order, each failure's own message with its file:line on stderr, a
# last line naming every failure, exit 1. All good: exit 0. Before, a
# folder was "cannot open DIR: is a directory".
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

d="$TMP/team"
mkdir -p "$d/myteam" "$d/notes.lua"
cat >"$d/myteam/sys.lua" <<'LUA'
return { calls = function(name) return probe("tracepoint:syscalls:sys_enter_" .. name):count("comm") end }
LUA
cat >"$d/a_good.lua" <<'LUA'
--- a_good: counts getppid by comm
local c = require("myteam.sys").calls("getppid")
probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "x"' }, function(e) eprintf("handler ran\n") end)
on_start(function() eprintf("on_start ran\n") end)
print("main chunk output")
LUA
cat >"$d/b_uprobe.lua" <<LUA
probe("uprobe:$FIXTURES/frames-O0:main", function(e) end)
probe("usdt:$FIXTURES/usdt:lpfx:stack"):count("arg0")
LUA
cat >"$d/c_badfield.lua" <<'LUA'
local x = 1
probe("tracepoint:syscalls:sys_enter_getppid", { where = "nosuch == 1" })
LUA
cat >"$d/d_badpoint.lua" <<'LUA'
probe("tracepoint:nosys:nothing")
LUA
cat >"$d/e_syntax.lua" <<'LUA'
probe(
LUA
cat >"$d/f_nomodule.lua" <<'LUA'
local t = require "myteam.gone"
LUA
cat >"$d/g_kprobe.lua" <<'LUA'
probe("kprobe:tcp_v4_rcv")
LUA
echo 'not a script' >"$d/README"
kprobe_verdict=FAIL
grep -qw CONFIG_KPROBES=y "/boot/config-$(uname -r)" 2>/dev/null && kprobe_verdict=ok

run timeout 120 "$LUAPROBE" --check "$d"
assert_eq 1 "$RC" "exit status ($ERR)"
assert_eq "ok   $d/a_good.lua
ok   $d/b_uprobe.lua
FAIL $d/c_badfield.lua
FAIL $d/d_badpoint.lua
FAIL $d/e_syntax.lua
FAIL $d/f_nomodule.lua
$(printf '%-4s' "$kprobe_verdict") $d/g_kprobe.lua" "$OUT" "verdicts"
want_err="luaprobe: $d/c_badfield.lua:2: probe 'tracepoint:syscalls:sys_enter_getppid': where: column 1: unknown name 'nosuch': not a field, a built-in or an enum constant
luaprobe: $d/d_badpoint.lua:1: probe 'tracepoint:nosys:nothing': no tracepoint system 'nosys' (luaprobe -l lists them)
luaprobe: $d/e_syntax.lua:2: unexpected symbol near <eof>
luaprobe: $d/f_nomodule.lua:1: module 'myteam.gone' not found: no myteam/gone.lua in $d,"
assert_eq "$want_err" "$(head -4 <<<"$ERR" | sed 's/\(not found: no myteam\/gone.lua in [^,]*,\).*/\1/')" "messages"
if [ "$kprobe_verdict" = FAIL ]; then
	assert_contains "luaprobe: $d/g_kprobe.lua:1: probe 'kprobe:tcp_v4_rcv': kprobe probes cannot attach here" "$ERR" "the kprobe's message"
	assert_eq "luaprobe: --check: 5 of 7 scripts failed: $d/c_badfield.lua, $d/d_badpoint.lua, $d/e_syntax.lua, $d/f_nomodule.lua, $d/g_kprobe.lua" "$(tail -1 <<<"$ERR")" "the summary"
fi
# nothing of a good script ran but its main chunk (whose stdout is not the verdict)
case "$ERR" in *"ran"*) fail "a handler or on_start ran: $ERR" ;; esac

# only the good ones: exit 0, nothing on stderr
mkdir "$TMP/good"
cp "$d/a_good.lua" "$d/b_uprobe.lua" "$TMP/good/"
cp -r "$d/myteam" "$TMP/good/"
run timeout 60 "$LUAPROBE" --check "$TMP/good/"
assert_eq 0 "$RC" "exit status of a good folder ($ERR)"
assert_eq "ok   $TMP/good/a_good.lua
ok   $TMP/good/b_uprobe.lua" "$OUT" "verdicts of a good folder"
assert_eq "" "$ERR" "stderr of a good folder"

# no scripts: an error, not a pass
mkdir "$TMP/empty"
run timeout 10 "$LUAPROBE" --check "$TMP/empty"
assert_eq 1 "$RC" "exit status of an empty folder"
assert_eq "luaprobe: --check: no scripts (*.lua) in $TMP/empty" "$ERR" "an empty folder"
echo "ok: --check DIR"
