# -c with shell syntax ('fixture args >/dev/null') traces the fixture: the
# shell execs it, so the uprobe restricted to the command's pid sees every
# call (before, probes were restricted to the shell and saw nothing).
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

bin=$TMP/frames-O0
cp "$(fx O0)" "$bin"
cat >"$TMP/u.lua" <<'LUA'
local n = 0
probe("uprobe:" .. arg[1] .. ":answer", function(e) n = n + 1 end)
on_exit(function() printf("calls %d\n", n) end)
LUA
for cmd in "$bin 5 >/dev/null" "$bin 5 >/dev/null 2>&1 </dev/null" "LP_X='a b' $bin \"5\" >|$TMP/out"; do
	run "$LUAPROBE" -c "$cmd" "$TMP/u.lua" "$bin"
	assert_eq 0 "$RC" "exit status with -c '$cmd' ($ERR)"
	assert_eq "" "$ERR" "stderr with -c '$cmd'"
	assert_eq "calls 5" "$OUT" "answer() calls seen with -c '$cmd'"
done
