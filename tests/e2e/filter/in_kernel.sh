# An event that fails the filter never reaches user space. The -c command
# stops luaprobe (SIGSTOP to its parent), so nothing reads the 4 MiB ring
# buffer while the fixture (comm lpkern) makes 300000 reads of size 1 and
# then 10 of size 7; then it lets luaprobe go on. Were the 300000 events
# sent up and dropped in user space, they would fill the ring buffer and be
# reported lost. With the filter in the kernel:
#   count == 7   the handler runs exactly 10 times, 0 events lost
#   count == 8   (matches nothing) the handler never runs, 0 events lost
# And the control: with only the comm filter the same run overflows the
# ring buffer, reports the loss, and delivered + lost = 300010.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_read

cat >"$TMP/kern.lua" <<'LUA'
local n = 0
probe("tracepoint:syscalls:sys_enter_read", { where = arg[1] }, function(e) n = n + 1 end)
on_exit(function() printf("handled %d\n", n) end)
LUA
cmd="kill -STOP \$PPID && $FIXTURES/syscaller --name lpkern --read-sizes 1 300000 >/dev/null &&
     $FIXTURES/syscaller --name lpkern --read-sizes 7 10 >/dev/null; kill -CONT \$PPID"

run "$LUAPROBE" -v -c "$cmd" "$TMP/kern.lua" 'comm == "lpkern" && count == 7'
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "handled 10" "$OUT" "events handled with filter count == 7"
assert_eq "luaprobe: 0 events lost" "$(tail -n1 <<<"$ERR")" "last line of -v stderr (count == 7)"

run "$LUAPROBE" -v -c "$cmd" "$TMP/kern.lua" 'comm == "lpkern" && count == 8'
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "handled 0" "$OUT" "events handled with filter count == 8"
assert_eq "luaprobe: 0 events lost" "$(tail -n1 <<<"$ERR")" "last line of -v stderr (count == 8)"

# The control: the test can see events that reach the ring buffer.
run "$LUAPROBE" -c "$cmd" "$TMP/kern.lua" 'comm == "lpkern"'
assert_eq 0 "$RC" "exit status ($ERR)"
handled=$(field handled "$OUT")
lost=$(sed -n 's/^luaprobe: lost \([0-9]*\) events (ring buffer full)$/\1/p' <<<"$ERR")
[ -n "$lost" ] || fail "no 'luaprobe: lost N events (ring buffer full)' line in: $ERR"
assert_range 1 300000 "$lost" "events lost with only the comm filter"
assert_eq 300010 $((handled + lost)) "handled ($handled) + lost ($lost) with only the comm filter"
exit 0
