# spec.fetch on a glob: each place gets its own fetch ops from DWARF at its
# own address, and every place writes its values where the one event layout
# says. uprobe:BIN:rec_* matches four functions whose parameter r is in rdi,
# rsi, on the stack (a seventh argument) and rdi again (at -O0: four frame
# offsets); r->n must be exact at every one, alone and after a string.
# rec_named's r->name is a char * where the others hold a char[16]: before,
# every value after it came out of another slot than its layout (r->n = 22
# read as 0 or as a stale value); now the probe is refused, naming both.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/globf.lua" <<'LUA'
local BIN = arg[1]
probe("uprobe:" .. BIN .. ":rec_[fs]*", { fetch = { "r->name", n = "r->n" } }, function(e)
  printf("lp rec n=%d name=%s\n", e.n, e["r->name"])
end)
probe("uprobe:" .. BIN .. ":rec_*", { fetch = { n = "r->n" } }, function(e)
  printf("lp any n=%d\n", e.n)
end)
local c = probe("uprobe:" .. BIN .. ":rec_*", { fetch = { n = "r->n" } }):count("n")
on_exit(function()
  for k, v in c:items() do printf("lp count %d %d\n", k.n, v) end
end)
LUA

n=6
for opt in $OPTS; do
	trace "$opt" $n "$TMP/globf.lua"
	trace_ok "$opt"
	assert_eq 1 "$(grep -c "rec_\[fs\]\*': 3 places\$" <<<"$PLACES")" \
		"start-up line: rec_[fs]* is three places at $opt"
	want=$(grep -E '^rec_(first|second|seventh) ' <<<"$FX_OUT" | sed 's/^rec_[a-z]* \(n=[0-9]*\) \(name=[^ ]*\) .*/rec \1 \2/')
	assert_eq $((3 * n)) "$(grep -c . <<<"$want")" "rec_first/second/seventh calls at $opt"
	assert_lines "$want" "$(lines rec "$LP_OUT")" "r->name and r->n at each of rec_[fs]* at $opt"
	want=$(grep -E '^rec_[a-z]* ' <<<"$FX_OUT" | sed 's/^rec_[a-z]* \(n=[0-9]*\) .*/any \1/')
	assert_eq $((4 * n)) "$(grep -c . <<<"$want")" "rec_* calls at $opt"
	assert_lines "$want" "$(lines any "$LP_OUT")" "r->n at each of rec_* at $opt"
	for i in $(seq 0 $((n - 1))); do
		assert_eq 4 "$(sed -n "s/^count $((22 + i)) //p" <<<"$LP_OUT")" \
			"in-kernel count of r->n = $((22 + i)) over the four rec_* at $opt"
	done
done

# One layout for all places: a value whose type differs between them is refused.
cat >"$TMP/globbad.lua" <<'LUA'
probe("uprobe:" .. arg[1] .. ":rec_*", { fetch = { "r->name", n = "r->n" } }, function(e) end)
LUA
for opt in $OPTS; do
	bin=$(fx "$opt")
	run timeout -k 2 20 "$LUAPROBE" -d 1 "$TMP/globbad.lua" "$bin"
	assert_eq 1 "$RC" "exit status with r->name of two types at $opt"
	# where each place is, as -v shows it: symbol(+offset) (file:line)
	named=$("$LUAPROBE" -v --check -e "probe('uprobe:$bin:rec_*', { fetch = {} })" 2>&1 | grep -E '^luaprobe:   rec_(first|named)' | sed 's/^luaprobe:   //')
	d_first=$(grep '^rec_first' <<<"$named")
	d_named=$(grep '^rec_named' <<<"$named")
	[ -n "$d_first" ] && [ -n "$d_named" ] || fail "places of rec_first and rec_named at $opt: $named"
	assert_eq "luaprobe: $TMP/globbad.lua:1: probe 'uprobe:$bin:rec_*': fetch 'r->name' at $d_named: it is const char * here but char [16] at $d_first: one probe's events have one layout (probe these places apart)" \
		"$ERR" "stderr with r->name of two types at $opt"
done
echo "ok: spec.fetch on a glob, exact at every place; one layout or an error"
