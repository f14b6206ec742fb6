# The members of struct frame through DWARF, at -O0 and -O2, in show(f):
# an int, three bitfields (prio:3 and flags:5 unsigned, neg:4 signed), a
# char[16] (f->name) and a const char * (f->label) as strings, an enum as its
# integer (f->color), an embedded struct (f->hdr.len, f->hdr.flags), an array
# element (f->vals[2]). 20 rounds cover every value of prio and neg. The
# line luaprobe prints must equal the fixture's, exactly.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/fields.lua" <<'LUA'
local BIN = arg[1]
local color = { [1] = "RED", [2] = "GREEN", [4] = "BLUE" }
probe('process("' .. BIN .. '").function("show")', {
  fetch = { id = "f->id", prio = "f->prio", flags = "f->flags", neg = "f->neg", name = "f->name",
            label = "f->label", color = "f->color", len = "f->hdr.len", hflags = "f->hdr.flags",
            v2 = "f->vals[2]" },
}, function(e)
  printf("lp show id=%d prio=%d flags=%d neg=%d name=%s label=%s color=%s hdr.len=%d hdr.flags=%d vals[2]=%d\n",
         e.id, e.prio, e.flags, e.neg, e.name, e.label, color[e.color] or ("?" .. e.color),
         e.len, e.hflags, e.v2)
end)
-- the same members spelt another way: named as written, through a cast and (*f)
probe("uprobe:" .. BIN .. ":show", {
  fetch = { "(*f).id", "((struct frame *)f)->neg", "f->vals[0]", "f->vals[3]" },
}, function(e)
  printf("lp other id=%d neg=%d vals[0]=%d vals[3]=%d\n",
         e["(*f).id"], e["((struct frame *)f)->neg"], e["f->vals[0]"], e["f->vals[3]"])
end)
LUA

for opt in $OPTS; do
	trace "$opt" 20 "$TMP/fields.lua"
	trace_ok "$opt"
	want=$(no_ret "$(lines show "$FX_OUT")")
	assert_eq 20 "$(grep -c . <<<"$want")" "show calls at $opt"
	assert_lines "$want" "$(lines show "$LP_OUT")" "struct frame's members at $opt"
	# vals[j] = id * 10 + j (frames.c)
	want=$(sed -E 's/^show id=([-0-9]+) .* neg=([-0-9]+) .*$/\1 \2/' <<<"$want" |
		awk '{ printf "other id=%d neg=%d vals[0]=%d vals[3]=%d\n", $1, $2, $1 * 10, $1 * 10 + 3 }')
	assert_lines "$want" "$(lines other "$LP_OUT")" "(*f).id, a cast, vals[0] and vals[3] at $opt"
done
