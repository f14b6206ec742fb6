# -d and the intervals of every() and after() take a finite value from a
# microsecond to a year, with one message otherwise. (Before, -d 1e-12 and
# -d nan ran for ever and -d inf said "event loop failed: Invalid argument".)
. "$TESTS/e2e/lib.sh"

for d in 1e-12 nan inf -inf -1 0 1e300 31536001 abc 1x ""; do
	run timeout 5 "$LUAPROBE" -d "$d" -e 'every("10ms", function() end)'
	assert_eq 1 "$RC" "exit status of -d '$d'"
	assert_eq "luaprobe: -d wants a number of seconds from 0.000001 to 31536000 (a year), not '$d'" \
		"$ERR" "message of -d '$d'"
done
# The edges are accepted: the smallest ends at once, a year runs (ended by exit()).
run timeout 5 "$LUAPROBE" -d 0.000001 -e 'every("10ms", function() end) on_exit(function() print("end") end)'
assert_eq 0 "$RC" "exit status of -d 0.000001 ($ERR)"
assert_eq end "$OUT" "-d 0.000001"
run timeout 5 "$LUAPROBE" -d 31536000 -e 'after("10ms", function() exit(0) end)'
assert_eq 0 "$RC" "exit status of -d 31536000 ($ERR)"

for i in '"1e-12s"' '"0.5ns"' '"nan s"' '"infs"' '"-1s"' '"10000h"' 0/0 1/0 -1 1e300 1e-9 '"9000h"'; do
	run timeout 5 "$LUAPROBE" -e "after($i, print)"
	assert_eq 1 "$RC" "exit status of after($i)"
	case "$ERR" in
	*"bad argument #1 to 'after' (an interval from 1us to a year (365 days), not "*) ;;
	*"bad argument #1 to 'after' (unknown unit in "*) ;;
	*) fail "message of after($i): $ERR" ;;
	esac
done
run timeout 5 "$LUAPROBE" -e 'every(1e300, print)'
assert_eq "luaprobe: -e:1: bad argument #1 to 'every' (an interval from 1us to a year (365 days), not 1e+300 ms)" \
	"$ERR" "message of every(1e300)"
run timeout 5 "$LUAPROBE" -e 'after("1us", function() print("ok") end)'
assert_eq ok "$OUT" "after(\"1us\") ($ERR)"
