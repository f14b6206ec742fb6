# A return probe written without a fetch list fetches $retval as `retval`
# where there is one. Where there is none it must still attach and fire:
# fill_hdr() returns void (at -O0 and -O2), and frames-O2-nodebug has no
# DWARF to say what answer() returns (a symbol probe: DESIGN.md §2 and the
# no-debuginfo message itself say those work). Each must fire exactly once
# per call, like the same probes with an explicit empty fetch list.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/ret.lua" <<'LUA'
local BIN, FUNC = arg[1], arg[2]
local n = 0
probe("uretprobe:" .. BIN .. ":" .. FUNC, function(e) n = n + 1 end)
local c = probe('process("' .. BIN .. '").function("' .. FUNC .. '").return'):count("comm")
on_exit(function() printf("lp handled %d\nlp counted %d\n", n, c:total()) end)
LUA

n=5
for case in O0:fill_hdr O2:fill_hdr O2-nodebug:answer; do
	opt=${case%%:*} func=${case#*:}
	trace "$opt" $n "$TMP/ret.lua" "$func"
	trace_ok "uretprobe:frames-$opt:$func without a fetch list"
	# stacked() calls fill_hdr three or four times a round
	calls=$(lines answer "$FX_OUT" | grep -c .)
	[ "$func" = fill_hdr ] && calls=$(lines stacked "$FX_OUT" |
		awk '{ split($2, x, "="); n += (x[2] * 300) % 65536 >= 1000 ? 2 : 3 } END { print n + 0 }')
	assert_eq "$calls" "$(field handled "$LP_OUT")" "returns handled at uretprobe:frames-$opt:$func"
	assert_eq "$calls" "$(field counted "$LP_OUT")" "returns counted at function(\"$func\").return in frames-$opt"
done
