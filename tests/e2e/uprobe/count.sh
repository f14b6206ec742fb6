# In-kernel aggregations keyed by DWARF fields, at -O0 and -O2, no handler:
# show's calls counted by f->color and f->hdr.len summed by f->color over 31
# rounds, and search's calls counted by the local idx at its label `found`.
# The figures must equal what counting the fixture's own lines gives.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/count.lua" <<'LUA'
local BIN = arg[1]
local color = { [1] = "RED", [2] = "GREEN", [4] = "BLUE" }
local show = 'process("' .. BIN .. '").function("show")'
local by_color = probe(show, { fetch = { color = "f->color" } }):count("color")
local len_by_color = probe("uprobe:" .. BIN .. ":show", { fetch = { color = "f->color", len = "f->hdr.len" } })
  :sum("len", "color")
local by_idx = probe('process("' .. BIN .. '").function("search").label("found")', { fetch = { "idx" } })
  :count("idx")
on_exit(function()
  for k, n in by_color:items() do printf("lp count color=%s %d\n", color[k.color] or k.color, n) end
  for k, n in len_by_color:items() do printf("lp sum color=%s %d\n", color[k.color] or k.color, n) end
  for k, n in by_idx:items() do printf("lp count idx=%d %d\n", k.idx, n) end
end)
LUA

for opt in $OPTS; do
	trace "$opt" 31 "$TMP/count.lua"
	trace_ok "$opt"
	assert_eq 31 "$(lines show "$FX_OUT" | grep -c .)" "show calls at $opt"
	want=$(lines show "$FX_OUT" | grep -o ' color=[A-Z]*' | sort | uniq -c |
		awk '{ print "count " $2, $1 }')
	assert_lines "$want" "$(lines count "$LP_OUT" | grep color= | sort)" "show calls by f->color at $opt"
	want=$(lines show "$FX_OUT" | sed -E 's/.* (color=[A-Z]+) hdr.len=([0-9]+) .*/\1 \2/' |
		awk '{ s[$1] += $2 } END { for (c in s) print "sum " c, s[c] }' | sort)
	assert_lines "$want" "$(lines sum "$LP_OUT" | sort)" "f->hdr.len summed by f->color at $opt"
	want=$(lines search "$FX_OUT" | grep -o ' idx=[0-9]*' | sort | uniq -c |
		awk '{ print "count " $2, $1 }')
	assert_lines "$want" "$(lines count "$LP_OUT" | grep idx= | sort)" "found reached by idx at $opt"
done
