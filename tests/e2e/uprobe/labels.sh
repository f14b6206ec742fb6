# Locals at labels, at -O0 and -O2. search's `found`: idx and steps (in
# registers at -O2) and the parameter want. stacked's `ready`: h, whose
# address is taken, so at -O2 it is at the CFA minus N, through the CFI.
# scan's `hit`: scan() is always inlined, so the label has a copy in scan_a
# and one in scan_b; both must fire, each with its own pos and s (and want,
# 'a' or 'b', tells which copy). The fixture prints what each local holds at
# its label (pos=-1: that call never reaches `hit`).
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/labels.lua" <<'LUA'
local BIN = arg[1]
local function fn(name) return 'process("' .. BIN .. '").function("' .. name .. '")' end
probe(fn("search") .. '.label("found")', { fetch = { "want", "idx", "steps" } }, function(e)
  printf("lp search want=%d idx=%d steps=%d\n", e.want, e.idx, e.steps)
end)
probe(fn("stacked") .. '.label("ready")', { fetch = { "x", len = "h.len", flags = "h.flags" } },
  function(e) printf("lp stacked x=%d h.len=%d h.flags=%d\n", e.x, e.len, e.flags) end)
probe(fn("scan") .. '.label("hit")', { fetch = { "s", "want", "pos" } }, function(e)
  printf("lp scan_%s s=%s pos=%d\n", string.char(e.want), e.s, e.pos)
end)
LUA

for opt in $OPTS; do
	trace "$opt" 16 "$TMP/labels.lua"
	trace_ok "$opt"
	want=$(no_ret "$(lines search "$FX_OUT")")
	assert_eq 16 "$(grep -c . <<<"$want")" "search calls at $opt"
	assert_lines "$want" "$(lines search "$LP_OUT")" "want, idx and steps at search's label found at $opt"
	assert_lines "$(no_ret "$(lines stacked "$FX_OUT")")" "$(lines stacked "$LP_OUT")" \
		"x, h.len and h.flags at stacked's label ready at $opt"
	want=$(no_ret "$(grep -E '^scan_[ab] ' <<<"$FX_OUT" | grep -v ' pos=-1 ')")
	assert_lines "$want" "$(grep -E '^scan_[ab] ' <<<"$LP_OUT")" \
		"s and pos at both inlined copies of scan's label hit at $opt"
	# both copies fired: 16 rounds reach `hit` 8 times in scan_a, 8 in scan_b
	assert_eq "8 8" "$(grep -c '^scan_a ' <<<"$LP_OUT") $(grep -c '^scan_b ' <<<"$LP_OUT")" \
		"events at hit in scan_a and scan_b at $opt"
	# and start-up said the label is in two places
	assert_eq 1 "$(grep -c "label(\"hit\")': 2 places\$" <<<"$PLACES")" \
		"start-up line for the two copies of hit at $opt"
done
