# Without --unsafe a script writes no file: io.open in a writing mode,
# io.output to a name, os.remove, os.rename, os.tmpname and io.tmpfile are
# refused with one message each, and nothing on disk changes. Reads stay
# allowed. With --unsafe all of it works. (Before, every write succeeded.)
. "$TESTS/e2e/lib.sh"

f=$TMP/victim
echo original >"$f"

# each: the Lua call, then the words its message must hold
check_refused() {
	run "$LUAPROBE" -e "$1"
	assert_eq 1 "$RC" "exit status of $1 ($OUT)"
	assert_contains "$2" "$ERR" "message of $1"
	assert_contains "not allowed in a script (luaprobe --unsafe allows it)" "$ERR" "message of $1"
	assert_eq original "$(cat "$f")" "the file after $1"
}
for mode in w a r+ w+ a+ rb+ wb; do
	check_refused "io.open('$f', '$mode')" "-e:1: io.open in mode '$mode' (a write)"
done
check_refused "io.output('$f')" "-e:1: io.output to a named file (a write)"
run "$LUAPROBE" -e "print(os.remove, os.rename, os.tmpname, io.tmpfile, os.execute, io.popen)"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "nil	nil	nil	nil	nil	nil" "$OUT" "os.remove os.rename os.tmpname io.tmpfile os.execute io.popen"
run "$LUAPROBE" -e "os.remove('$f')"
assert_eq original "$(cat "$f")" "the file after os.remove"

# Reads: io.open in "r" and "rb", io.lines, io.input, and io.output to a handle.
run "$LUAPROBE" -e "
local a = io.open('$f'):read('l')
local b = io.open('$f', 'rb'):read('a')
local c = 0
for l in io.lines('$f') do c = c + 1 end
io.input('$f')
io.output(io.stderr)
io.write('to stderr\n')
io.output(io.stdout)
print(a, #b, c, io.read('l'))"
assert_eq 0 "$RC" "exit status of the reads ($ERR)"
assert_eq "original	9	1	original" "$OUT" "what the reads read"
assert_eq "to stderr" "$ERR" "io.write to io.output(io.stderr)"

# --unsafe: the full library.
run "$LUAPROBE" --unsafe -e "
local w = assert(io.open('$f', 'a')) w:write('more\n') w:close()
local t = os.tmpname() os.remove(t)
assert(os.rename('$f', '$f.2'))
print(type(io.tmpfile), type(string.dump))"
assert_eq 0 "$RC" "exit status with --unsafe ($ERR)"
assert_eq "function	function" "$OUT" "io.tmpfile and string.dump with --unsafe"
assert_eq "original
more" "$(cat "$f.2")" "the file written and renamed with --unsafe"
