# Globs in function names, at -O0 and -O2. function("scan_*") matches scan_a
# and scan_b, which share their parameter s: without a fetch list each event
# carries its own s. uprobe:BIN:sca* and function("s*") with an empty fetch
# list, counted in the kernel, must fire exactly once per call of every
# matching function: scan_a, scan_b and scaled (the clone at -O2 counted
# once, not also as a symbol of its own), and show, search, stacked. Both
# with uprobe_multi links (where the kernel has them) and with perf-event
# uprobes (LUAPROBE_UPROBE_MULTI=0).
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/glob.lua" <<'LUA'
local BIN = arg[1]
probe('process("' .. BIN .. '").function("scan_*")', function(e) printf("lp scan s=%s\n", e.s) end)
local sca = probe("uprobe:" .. BIN .. ":sca*", { fetch = {} }):count("comm")
local s = probe('process("' .. BIN .. '").function("s*")', { fetch = {} }):count("comm")
on_exit(function()
  printf("lp sca* %d\n", sca:total())
  printf("lp s* %d\n", s:total())
end)
LUA

n=9
for multi in 1 0; do
	export LUAPROBE_UPROBE_MULTI=$multi
	for opt in $OPTS; do
		trace "$opt" $n "$TMP/glob.lua"
		trace_ok "$opt"
		want=$(grep -E '^scan_[ab] ' <<<"$FX_OUT" | sed 's/^scan_[ab] \(s=[a-z]*\) .*/scan \1/')
		assert_eq $((2 * n)) "$(grep -c . <<<"$want")" "scan_a and scan_b calls at $opt"
		assert_lines "$want" "$(lines scan "$LP_OUT")" "s at function(\"scan_*\") at $opt"
		calls=$(grep -cE '^(scan_a|scan_b|scaled) ' <<<"$FX_OUT")
		assert_eq $((4 * n)) "$calls" "calls of scan_a, scan_b and scaled at $opt"
		assert_eq "$calls" "$(field 'sca\*' "$LP_OUT")" "events counted at uprobe:BIN:sca* at $opt"
		calls=$(grep -cE '^(show|search|stacked|scan_a|scan_b|scaled) ' <<<"$FX_OUT")
		assert_eq "$calls" "$(field 's\*' "$LP_OUT")" "events counted at function(\"s*\") at $opt (uprobe_multi: $multi)"
	done
done
