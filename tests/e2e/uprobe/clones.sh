# Compiler clones answer to their source name. scaled() is static and always
# called with factor 3, so -O2 emits only scaled.constprop.0 (no symbol
# `scaled`); -O0 keeps `scaled`. At both levels function("scaled") and
# uprobe:BIN:scaled must fire for every call (two a round) with the
# arguments the fixture printed, and at -O2 the clone's own symbol name works
# too.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes
need_cmd nm

syms=$(nm "$(fx O2)" | awk '$3 ~ /^scaled($|\.)/ { print $3 }')
[ "$syms" = scaled.constprop.0 ] ||
	skip "this compiler did not turn scaled into scaled.constprop.0 alone at -O2 (symbols: $syms)"

cat >"$TMP/clones.lua" <<'LUA'
local BIN, CLONE = arg[1], arg[2]
probe('process("' .. BIN .. '").function("scaled")', function(e)
  printf("lp scaled x=%d factor=%d\n", e.x, e.factor)
end)
probe("uprobe:" .. BIN .. ":scaled", { fetch = { "x" } }, function(e) printf("lp bt:scaled x=%d\n", e.x) end)
if CLONE then
  probe("uprobe:" .. BIN .. ":" .. CLONE, { fetch = { "x" } }, function(e) printf("lp clone:scaled x=%d\n", e.x) end)
end
LUA

for opt in $OPTS; do
	clone=()
	[ "$opt" = O2 ] && clone=(scaled.constprop.0)
	trace "$opt" 7 "$TMP/clones.lua" "${clone[@]}"
	trace_ok "$opt"
	want=$(no_ret "$(lines scaled "$FX_OUT")")
	assert_eq 14 "$(grep -c . <<<"$want")" "scaled calls at $opt"
	assert_lines "$want" "$(lines scaled "$LP_OUT")" "function(\"scaled\") at $opt"
	want=$(sed 's/ factor=.*//' <<<"$want")
	assert_lines "$want" "$(lines bt:scaled "$LP_OUT" | sed 's/^bt://')" "uprobe:BIN:scaled at $opt"
	if [ "$opt" = O2 ]; then
		assert_lines "$want" "$(lines clone:scaled "$LP_OUT" | sed 's/^clone://')" \
			"uprobe:BIN:scaled.constprop.0 at $opt"
	fi
done
