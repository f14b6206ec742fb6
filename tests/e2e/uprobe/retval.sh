# $retval at return, at -O0 and -O2, in both spellings: uretprobe:BIN:FUNC
# (no fetch list: the event's retval) and process(BIN).function(FUNC).return
# fetching "$retval" by another name. Every function of the fixture that
# returns something (int, long, negative values; scaled, which -O2 turns into
# scaled.constprop.0), half of them in each spelling, ints and scaled in
# both (each probe costs a program load: all in both would be twice as slow).
# Each must see exactly the ret= the fixture printed for each call.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

bt_funcs="ints chain show search stacked scaled"
stap_funcs="ints scaled scan_a scan_b pair_sum answer"
cat >"$TMP/retval.lua" <<'LUA'
local BIN = arg[1]
for f in arg[2]:gmatch("%S+") do
  probe("uretprobe:" .. BIN .. ":" .. f, function(e) printf("lp %s ret=%d\n", f, e.retval) end)
end
for f in arg[3]:gmatch("%S+") do
  probe('process("' .. BIN .. '").function("' .. f .. '").return', { fetch = { r = "$retval" } },
    function(e) printf("lp stap:%s ret=%d\n", f, e.r) end)
end
LUA

# rets FUNCS TEXT: "FUNC ret=R" for the lines of TEXT about FUNCS
rets() {
	grep -E "^(${1// /|}) " <<<"$2" | sed -E 's/^([a-z_0-9]+) .* (ret=[-0-9]+)$/\1 \2/'
}
for opt in $OPTS; do
	trace "$opt" 6 "$TMP/retval.lua" "$bt_funcs" "$stap_funcs"
	trace_ok "$opt"
	want=$(rets "$bt_funcs" "$FX_OUT")
	assert_eq 42 "$(grep -c . <<<"$want")" "calls of $bt_funcs at $opt"
	assert_lines "$want" "$(grep -v '^stap:' <<<"$LP_OUT")" "retval at uretprobe: at $opt"
	want=$(rets "$stap_funcs" "$FX_OUT")
	assert_eq 42 "$(grep -c . <<<"$want")" "calls of $stap_funcs at $opt"
	assert_lines "$want" "$(grep '^stap:' <<<"$LP_OUT" | sed 's/^stap://')" \
		"\$retval at .return at $opt"
done
