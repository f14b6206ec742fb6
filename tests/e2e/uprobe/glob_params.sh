# A glob without a fetch list over functions whose parameters differ:
# uprobe:BIN:sca* matches scan_a(s), scan_b(s) and scaled(x, factor) (at -O2
# the clone scaled.constprop.0). A function probe without a fetch list
# fetches its parameters by name; here that must not turn one function's
# parameter into an error at another: the probe attaches and fires exactly
# once per call of each, at -O0 and -O2, as the same glob does with an
# explicit empty fetch list (glob.sh).
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/globp.lua" <<'LUA'
local BIN = arg[1]
local n = 0
probe("uprobe:" .. BIN .. ":sca*", function(e) n = n + 1 end)
local c = probe('process("' .. BIN .. '").function("s*")'):count("comm")
on_exit(function() printf("lp sca* %d\nlp s* %d\n", n, c:total()) end)
LUA

n=5
for opt in $OPTS; do
	trace "$opt" $n "$TMP/globp.lua"
	trace_ok "$opt"
	assert_eq "$(grep -cE '^(scan_a|scan_b|scaled) ' <<<"$FX_OUT")" "$(field 'sca\*' "$LP_OUT")" \
		"events handled at uprobe:BIN:sca* at $opt"
	assert_eq "$(grep -cE '^(show|search|stacked|scan_a|scan_b|scaled) ' <<<"$FX_OUT")" \
		"$(field 's\*' "$LP_OUT")" "events counted at function(\"s*\") at $opt"
done
