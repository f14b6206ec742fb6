# Entry arguments through DWARF, at -O0 and -O2: ints() takes six integers of
# every width and sign (signed char, short, int, long, unsigned char,
# unsigned int) in rdi..r9; pair_sum() a struct passed by value (at -O2 two
# registers, DWARF pieces of one variable); answer() one int. Without a
# fetch list a function probe fetches every parameter by name. What the
# probes see must equal the fixture's own lines, exactly.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/args.lua" <<'LUA'
local BIN = arg[1]
local function fn(name) return 'process("' .. BIN .. '").function("' .. name .. '")' end
-- bpftrace spelling, no fetch list: every parameter by name
probe("uprobe:" .. BIN .. ":ints", function(e)
  printf("lp ints c8=%d s16=%d i32=%d i64=%d u8=%d u32=%d\n", e.c8, e.s16, e.i32, e.i64, e.u8, e.u32)
end)
-- SystemTap spelling, the parameters fetched as written
probe(fn("ints"), { fetch = { "c8", "s16", "i32", "i64", "u8", "u32" } }, function(e)
  printf("lp stap:ints c8=%d s16=%d i32=%d i64=%d u8=%d u32=%d\n",
         e.c8, e.s16, e.i32, e.i64, e.u8, e.u32)
end)
probe(fn("pair_sum"), { fetch = { a = "p.a", b = "p.b" } }, function(e)
  printf("lp pair_sum a=%d b=%d\n", e.a, e.b)
end)
probe("uprobe:" .. BIN .. ":answer", function(e) printf("lp answer x=%d\n", e.x) end)
LUA

for opt in $OPTS; do
	trace "$opt" 5 "$TMP/args.lua"
	trace_ok "$opt"
	want=$(no_ret "$(lines ints "$FX_OUT")")
	assert_lines "$want" "$(lines ints "$LP_OUT")" "ints arguments at $opt (uprobe:)"
	assert_lines "$want" "$(lines stap:ints "$LP_OUT" | sed 's/^stap://')" \
		"ints arguments at $opt (process().function())"
	assert_lines "$(no_ret "$(lines pair_sum "$FX_OUT")")" "$(lines pair_sum "$LP_OUT")" \
		"pair_sum's struct argument at $opt"
	assert_lines "$(no_ret "$(lines answer "$FX_OUT")")" "$(lines answer "$LP_OUT")" \
		"answer's argument at $opt"
	assert_eq 5 "$(grep -c . <<<"$want")" "ints calls at $opt"
done
