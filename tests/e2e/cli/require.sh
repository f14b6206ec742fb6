# A team shares helpers as plain Lua files on the recipe path (DESIGN.md
# §2): `require "myteam.sys"` finds myteam/sys.lua in a folder of
# LUAPROBE_PATH, runs it inside the sandbox, and its helper attaches a real
# probe whose count the script prints: syscaller makes exactly 1234 getppid
# calls. A module that is missing, does not parse or fails as it runs is
# one message naming the script's line (and the module's file:line), exit 1.
# Before, a missing module printed six lines of searchers' misses and a
# broken one named neither the script nor its line.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

mkdir -p "$TMP/lib/myteam" "$TMP/work"
cat >"$TMP/lib/myteam/sys.lua" <<'LUA'
-- a team's helpers: not a recipe, a module
local M = {}
function M.calls(name, comm)
  return probe("tracepoint:syscalls:sys_enter_" .. name, { where = 'comm == "' .. comm .. '"' }):count()
end
function M.line(what, n) return string.format("%s: %d calls", what, n) end
-- the sandbox holds inside modules too
M.sandboxed = os.execute == nil and io.popen == nil
return M
LUA
cat >"$TMP/lib/myteam/broken.lua" <<'LUA'
local M = {}
function M.f( return M
LUA
cat >"$TMP/lib/myteam/fails.lua" <<'LUA'
local M = {}
error("myteam.fails wants a config")
return M
LUA
cat >"$TMP/work/calls.lua" <<'LUA'
local sys = require "myteam.sys"
local again = require "myteam.sys"
local n = sys.calls("getppid", "lpreq")
on_exit(function()
  print(sys.line("getppid", n:total()))
  print("sandboxed", sys.sandboxed, "same table", sys == again)
end)
LUA

cd "$TMP/work"
export LUAPROBE_PATH="$TMP/lib"
run timeout 60 "$LUAPROBE" -c "$FIXTURES/syscaller --name lpreq 1234 >/dev/null" calls.lua
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq $'getppid: 1234 calls\nsandboxed\ttrue\tsame table\ttrue' "$OUT" "output"
assert_eq "" "$ERR" "stderr"

# the same script run as a recipe by name, from a folder of LUAPROBE_PATH
cp calls.lua "$TMP/lib/teamcalls.lua"
cd /
run timeout 60 "$LUAPROBE" -c "$FIXTURES/syscaller --name lpreq 55 >/dev/null" teamcalls
assert_eq 0 "$RC" "exit status as a recipe ($ERR)"
assert_eq $'getppid: 55 calls\nsandboxed\ttrue\tsame table\ttrue' "$OUT" "output as a recipe"

cd "$TMP/work"
check_error() { # SCRIPT-LINE MODULE EXPECTED
	printf 'local x = 1\nlocal m = require "%s"\nprint("ran on")\n' "$1" >bad.lua
	run timeout 30 "$LUAPROBE" bad.lua
	assert_eq 1 "$RC" "exit status for $1"
	assert_eq "" "$OUT" "stdout for $1"
	assert_eq "$2" "$ERR" "message for $1"
}
# the folders tried: the script's, LUAPROBE_PATH's, the user's, the
# installed scripts/ (wherever this build installs) and the in-tree one
printf 'local x = 1\nlocal m = require "myteam.nope"\n' >bad.lua
run timeout 30 "$LUAPROBE" bad.lua
assert_eq 1 "$RC" "exit status for a missing module"
installed=$(sed -n 's#.*/\.config/luaprobe/scripts, \(/[^,]*\), .*#\1#p' <<<"$ERR")
assert_eq "luaprobe: bad.lua:2: module 'myteam.nope' not found: no myteam/nope.lua in ., $TMP/lib, $HOME/.config/luaprobe/scripts, $installed, $(cd "$TESTS/.." && pwd)/scripts (LUAPROBE_PATH=DIR adds a folder)" "$ERR" "message for a missing module"
assert_eq /share/luaprobe/scripts "${installed#"${installed%/share/luaprobe/scripts}"}" "the installed folder"
check_error myteam.broken "luaprobe: bad.lua:2: module 'myteam.broken': $TMP/lib/myteam/broken.lua:2: <name> or '...' expected near 'return'"
check_error myteam.fails "luaprobe: bad.lua:2: module 'myteam.fails': $TMP/lib/myteam/fails.lua:2: myteam.fails wants a config"

# a module the main chunk does not ask for until a handler runs: the same
# message, from inside the handler, and the run ends with status 1
cat >late.lua <<'LUA'
probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "lpreq"' }, function(e)
  require "myteam.fails"
end)
LUA
run timeout 60 "$LUAPROBE" -c "$FIXTURES/syscaller --name lpreq 3 >/dev/null" late.lua
assert_eq 1 "$RC" "exit status of a handler's require ($ERR)"
assert_contains "luaprobe: late.lua:2: module 'myteam.fails': $TMP/lib/myteam/fails.lua:2: myteam.fails wants a config" "$ERR" "a handler's require"
echo "ok: team modules from LUAPROBE_PATH, errors with the script's line"
