# Without --unsafe no binary chunk is loaded, whatever mode is asked for
# (crafted bytecode crashed luaprobe: arbitrary memory access): load,
# loadfile, dofile and require read text only, and string.dump is gone.
# os.exit is luaprobe's exit(): the run ends through on_exit. (Before,
# load(string.dump(f), nil, "b") ran, and os.exit skipped on_exit.)
. "$TESTS/e2e/lib.sh"

# A module compiled to bytecode, written with --unsafe.
run "$LUAPROBE" --unsafe -e "
local f = assert(io.open('$TMP/bc.lua', 'wb'))
f:write(string.dump(load('return { answer = 42 }')))
f:close()
print(load(string.dump(function() return 7 end), 'x', 'b')())"
assert_eq 0 "$RC" "exit status with --unsafe ($ERR)"
assert_eq 7 "$OUT" "a binary chunk with --unsafe"
run "$LUAPROBE" --unsafe -e "package.path = '$TMP/?.lua' print(require('bc').answer)"
assert_eq 42 "$OUT" "require of a bytecode module with --unsafe ($ERR)"

run "$LUAPROBE" -e 'print(string.dump, ("").dump)'
assert_eq "nil	nil" "$OUT" "string.dump sandboxed"

bin='string.char(27) .. "Lua" .. string.char(0x54, 0, 0x19, 0x93, 13, 10, 0x1a, 10)'
run "$LUAPROBE" -e "load($bin, 'x', 'b')"
assert_eq 1 "$RC" "exit status of load in mode b"
assert_eq "luaprobe: -e:1: loading a binary chunk (bytecode): not allowed in a script (luaprobe --unsafe allows it)" \
	"$ERR" "load in mode b"
for call in "load($bin)" "load($bin, 'x', 'bt')" "load($bin, 'x', 'bt', {})" \
	"loadfile('$TMP/bc.lua')" "loadfile('$TMP/bc.lua', 'bt')"; do
	run "$LUAPROBE" -e "print(select(2, $call))"
	assert_eq 0 "$RC" "exit status of $call ($ERR)"
	assert_contains "attempt to load a binary chunk (mode is 't')" "$OUT" "$call"
done
run "$LUAPROBE" -e "dofile('$TMP/bc.lua')"
assert_eq 1 "$RC" "exit status of dofile"
assert_contains "attempt to load a binary chunk (mode is 't')" "$ERR" "dofile of bytecode"
run "$LUAPROBE" -e "package.path = '$TMP/?.lua' require('bc')"
assert_eq 1 "$RC" "exit status of require"
assert_contains "attempt to load a binary chunk (mode is 't')" "$ERR" "require of a bytecode module"

# Text still loads every way.
echo 'return 5' >"$TMP/t.lua"
run "$LUAPROBE" -e "package.path = '$TMP/?.lua'
print(load('return 1')(), loadfile('$TMP/t.lua')(), dofile('$TMP/t.lua'), (require('t')))"
assert_eq "1	5	5	5" "$OUT" "text chunks ($ERR)"

# os.exit(n) is exit(n): on_exit runs, the status is n.
run "$LUAPROBE" -e 'on_exit(function() print("on_exit") end) os.exit(3)'
assert_eq 3 "$RC" "status of os.exit(3)"
assert_eq on_exit "$OUT" "on_exit after os.exit"
run "$LUAPROBE" -e 'os.exit(false)'
assert_eq 1 "$RC" "status of os.exit(false)"
run "$LUAPROBE" -e 'os.exit(true)'
assert_eq 0 "$RC" "status of os.exit(true)"
