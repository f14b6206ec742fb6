# -c runs the command in a process group of its own, and the end of the run
# ends that group, whatever ended the run (-d, SIGINT, exit(), an error):
# SIGTERM, then SIGKILL after a short grace, so neither what the command
# left running nor a command ignoring SIGTERM survives or holds the exit.
# luaprobe's status is the command's when the command ended the run.
# (Before, `-c 'sleep 30; true'` left sleep running, a command ignoring
# SIGTERM blocked the exit for as long as it ran, and the status was 0.)
. "$TESTS/e2e/lib.sh"

mark=29.$$ # a sleep of its own, found by its argument
left() { pgrep -f "^sleep $mark" || true; }
trap 'pkill -KILL -f "^sleep $mark" || true; cleanup' EXIT
ms() { date +%s%3N; }

# ended by -d, by exit() and by an error in a handler
for how in "-d 0.3 -e every('1s',function()end)" \
	"-e after('300ms',function()exit(0)end)" \
	"-e after('300ms',function()error('boom')end)"; do
	# shellcheck disable=SC2086 # $how is words on purpose
	run timeout 10 "$LUAPROBE" -c "sleep $mark; true" $how
	[ "$RC" -eq 0 ] || [ "$RC" -eq 1 ] || fail "status $RC for $how ($ERR)"
	sleep 0.1
	assert_eq "" "$(left)" "sleep still running after a run ended by $how"
done

# ended by SIGINT, the command ignoring SIGTERM (sleep inherits the ignore)
lp_start -c "trap '' TERM; sleep $mark; true" -e "$READY_LUA every('1s', function() end)"
wait_line "$TMP/bg.out" READY 5
[ -n "$(left)" ] || fail "the command did not start"
t0=$(ms)
kill -INT "$BG_PID"
lp_wait 30
took=$(($(ms) - t0))
assert_eq 0 "$RC" "exit status after SIGINT ($ERR)"
[ "$took" -lt 1500 ] || fail "a command ignoring SIGTERM held the exit for $took ms"
sleep 0.1
assert_eq "" "$(left)" "sleep still running after SIGINT"

# the command in its own process group
run "$LUAPROBE" -c "sh -c 'ps -o pgid= -p \$\$' > $TMP/pgid" -e 'every("1s", function() end)'
assert_eq 0 "$RC" "exit status ($ERR)"
[ "$(tr -d ' ' <"$TMP/pgid")" != "$(ps -o pgid= -p $$ | tr -d ' ')" ] ||
	fail "the command shares the test's process group"

# the command's status when it ended the run: its exit code, 128 + a signal
for c in "3 exit 3" "0 true" "1 false" "143 kill -TERM \$\$" "137 kill -KILL \$\$"; do
	run timeout 10 "$LUAPROBE" -c "sh -c '${c#* }'" -e 'every("1s", function() end)'
	assert_eq "${c%% *}" "$RC" "exit status when -c \"sh -c '${c#* }'\" ended the run ($ERR)"
done
# exit(n) decides over the command; -d ending the run is a normal end
run timeout 10 "$LUAPROBE" -c "sh -c 'exit 3'" -e 'on_exit(function() exit(5) end) every("1s", function() end)'
assert_eq 5 "$RC" "exit(5) in on_exit after the command ended"
run timeout 10 "$LUAPROBE" -d 0.2 -c "sleep $mark; exit 3" -e 'every("1s", function() end)'
assert_eq 0 "$RC" "-d ending the run while the command runs"
