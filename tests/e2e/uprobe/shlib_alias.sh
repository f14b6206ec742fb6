# A library function probed by its exported name when that name is an alias:
# in glibc snprintf is a weak alias of __snprintf and strtol of __strtol (one
# address, two names in .dynsym). Where libc's debuginfo is installed, DWARF
# names only the internal one; the exported name must still attach. The
# fixture calls snprintf() twice a round and strtol() once (its argument), at
# -O0 and -O2; both spellings must count exactly that.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/alias.lua" <<'LUA'
local counts = {}
for _, f in ipairs({ "snprintf", "__snprintf", "strtol" }) do
  counts[f] = probe("uprobe:libc.so.6:" .. f):count("comm")
end
on_exit(function()
  for _, f in ipairs({ "snprintf", "__snprintf", "strtol" }) do printf("lp %s %d\n", f, counts[f]:total()) end
end)
LUA

n=6
for opt in $OPTS; do
	trace "$opt" $n "$TMP/alias.lua"
	trace_ok "$opt"
	assert_eq $((2 * n)) "$(field __snprintf "$LP_OUT")" "calls at uprobe:libc.so.6:__snprintf at $opt"
	assert_eq $((2 * n)) "$(field snprintf "$LP_OUT")" "calls at uprobe:libc.so.6:snprintf at $opt"
	assert_eq 1 "$(field strtol "$LP_OUT")" "calls at uprobe:libc.so.6:strtol at $opt"
done
