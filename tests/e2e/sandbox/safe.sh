# Scripts run sandboxed: no os.execute, io.popen, package.loadlib or debug
# unless --unsafe.
. "$TESTS/e2e/lib.sh"

check='printf("%s %s %s %s\n", type(os.execute), type(io.popen), type(package.loadlib), type(debug))'

run "$LUAPROBE" -e "$check"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "nil nil nil nil" "$OUT" "os.execute io.popen package.loadlib debug, sandboxed"

run "$LUAPROBE" --unsafe -e "$check"
assert_eq 0 "$RC" "exit status with --unsafe ($ERR)"
assert_eq "function function function table" "$OUT" \
	"os.execute io.popen package.loadlib debug, with --unsafe"

# What is left still works.
run "$LUAPROBE" -e 'printf("%s %d\n", string.rep("a", 3), math.max(1, 2))'
assert_eq "aaa 2" "$OUT" "string and math, sandboxed"
