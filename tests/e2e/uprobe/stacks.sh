# User stacks and usym through libdwfl (frame-pointer code, -O0; at -O2,
# built without frame pointers, only the innermost frame): at chain(), called from
# round_of_calls() called from main(), the stack a probe captures reads
# "chain+0x.. (frames.c:N)", "round_of_calls+0x.. (frames.c:M)", "main+..."
# with N and M the lines of chain's entry and of the call in the fixture's
# source; usym(pid, 0) is the address in hex. The handler reads the stack
# at the first event, while the fixture still runs: libdwfl reads the
# process's maps.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

src="$TESTS/fixtures/uprobe/frames.c"
call_line=$(awk '/chain\(&a\)/ { print NR; exit }' "$src")

cat >"$TMP/stacks.lua" <<'LUA'
local BIN = arg[1]
local done = false
probe('process("' .. BIN .. '").function("chain")', { fetch = {}, stack = "user" }, function(e)
  if done then return end
  done = true
  for i = 1, 3 do printf("lp frame%d %s\n", i, e.ustack[i]) end
  printf("lp usym0 %s\n", usym(e.pid, 0))
end)
LUA

for opt in $OPTS; do
	run timeout -k 2 20 "$LUAPROBE" -c "$(fx "$opt") 20000" "$TMP/stacks.lua" "$(fx "$opt")"
	assert_eq 0 "$RC" "exit status at $opt (stderr: $ERR)"
	LP_OUT=$(sed -n 's/^lp //p' <<<"$OUT")
	assert_contains "usym0 0x0" "$LP_OUT" "usym of an address nothing maps at $opt"
	f1=$(sed -n 's/^frame1 //p' <<<"$LP_OUT")
	f2=$(sed -n 's/^frame2 //p' <<<"$LP_OUT")
	f3=$(sed -n 's/^frame3 //p' <<<"$LP_OUT")
	[[ "$f1" =~ ^chain(\+0x[0-9a-f]+)?\ \(frames\.c:[0-9]+\)$ ]] ||
		fail "innermost frame at $opt: '$f1'"
	# The kernel walks user stacks by frame pointers: -O2 omits them, so
	# there the stack ends at the probed function.
	[ "$opt" = O0 ] || continue
	[[ "$f2" =~ ^round_of_calls\+0x[0-9a-f]+\ \(frames\.c:$call_line\)$ ]] ||
		fail "caller at $opt: '$f2' (want round_of_calls+0x.. (frames.c:$call_line))"
	[[ "$f3" =~ ^main\+0x[0-9a-f]+\ \(frames\.c:[0-9]+\)$ ]] ||
		fail "outer frame at $opt: '$f3'"
done
echo "ok: user stacks symbolized with file:line at -O0 and -O2"
