# A statement probe on the line of frames.c marked STATEMENT_HERE (in
# chain(), where the local c is set), at -O0 and -O2, in both spellings:
# .statement("chain@frames.c:LINE") and .statement("frames.c:LINE"). The
# parameter a and the local c are in scope there: a->tag, c->val and c->name
# must equal what the fixture printed for each chain() call.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

line=$(statement_line)
[[ "$line" =~ ^[0-9]+$ ]] || fail "no single STATEMENT_HERE line in frames.c: '$line'"

cat >"$TMP/statement.lua" <<'LUA'
local BIN, LINE = arg[1], arg[2]
local fetch = { tag = "a->tag", val = "c->val", name = "c->name" }
probe('process("' .. BIN .. '").statement("chain@frames.c:' .. LINE .. '")', { fetch = fetch },
  function(e) printf("lp chain tag=%d val=%d name=%s\n", e.tag, e.val, e.name) end)
probe('process("' .. BIN .. '").statement("frames.c:' .. LINE .. '")', { fetch = fetch },
  function(e) printf("lp file-only chain tag=%d val=%d name=%s\n", e.tag, e.val, e.name) end)
LUA

for opt in $OPTS; do
	trace "$opt" 8 "$TMP/statement.lua" "$line"
	trace_ok "$opt"
	want=$(no_ret "$(lines chain "$FX_OUT")")
	assert_eq 8 "$(grep -c . <<<"$want")" "chain calls at $opt"
	assert_lines "$want" "$(lines chain "$LP_OUT")" "statement(\"chain@frames.c:$line\") at $opt"
	assert_lines "$want" "$(lines file-only "$LP_OUT" | sed 's/^file-only //')" \
		"statement(\"frames.c:$line\") at $opt"
done
