# Shared libraries by soname and by path: the fixture's printf() calls into
# libc, one call per line it prints, at -O0 and -O2. uprobe:libc.so.6:printf
# (resolved like the dynamic linker would), the same by its full path, and
# uretprobe:libc.so.6:printf, counted in the kernel, must each see exactly as
# many calls as the fixture printed lines: -c restricts them to the fixture
# although every process on the machine maps the same libc.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes
need_cmd ldd

libc=$(ldd "$(fx O2)" | awk '$1 == "libc.so.6" { print $3 }')
[ -f "$libc" ] || skip "the fixture does not link libc.so.6 ($(ldd "$(fx O2)" | tr '\n' ' '))"

cat >"$TMP/shlib.lua" <<'LUA'
local LIBC = arg[2]
local soname = probe("uprobe:libc.so.6:printf"):count("comm")
local path = probe("uprobe:" .. LIBC .. ":printf"):count("comm")
local ret = probe("uretprobe:libc.so.6:printf", { fetch = {} }):count("comm")
on_exit(function()
  printf("lp soname %d\nlp path %d\nlp return %d\n", soname:total(), path:total(), ret:total())
end)
LUA

for opt in $OPTS; do
	trace "$opt" 6 "$TMP/shlib.lua" "$libc"
	trace_ok "$opt"
	calls=$(grep -c . <<<"$FX_OUT")
	assert_eq 91 "$calls" "lines the fixture printed at $opt (pid and 6 rounds of 15)"
	assert_eq "$calls" "$(field soname "$LP_OUT")" "calls at uprobe:libc.so.6:printf at $opt"
	assert_eq "$calls" "$(field path "$LP_OUT")" "calls at uprobe:$libc:printf at $opt"
	assert_eq "$calls" "$(field return "$LP_OUT")" "returns at uretprobe:libc.so.6:printf at $opt"
done
