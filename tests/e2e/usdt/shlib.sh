# A shared library's markers, the library named by soname: libstdc++'s
# libstdcxx:throw and libstdcxx:catch, in a C++ program (compiled here)
# that throws and catches exactly N exceptions.
. "$TESTS/e2e/lib.sh"
need_root
need_cmd g++
readelf -n /usr/lib/x86_64-linux-gnu/libstdc++.so.6 2>/dev/null | grep -q 'Name: throw' ||
	skip "libstdc++ has no USDT markers here"
cat >"$TMP/throws.cc" <<'CC'
#include <cstdio>
#include <cstdlib>
int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1, caught = 0;
	for (int i = 0; i < n; i++)
		try {
			throw i;
		} catch (int) {
			caught++;
		}
	printf("caught %d\n", caught);
	return 0;
}
CC
g++ -O0 -o "$TMP/throws" "$TMP/throws.cc" || fail "cannot build the C++ fixture"
cat >"$TMP/ex.lua" <<'LUA'
local t = probe("usdt:libstdc++.so.6:libstdcxx:throw"):count()
local c = probe('process("libstdc++.so.6").mark("catch")'):count()
on_exit(function() printf("lp throw %d catch %d\n", t:total(), c:total()) end)
LUA
n=123
run timeout -k 2 30 "$LUAPROBE" -c "$TMP/throws $n" "$TMP/ex.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "caught $n
lp throw $n catch $n" "$OUT" "exceptions thrown and caught"
