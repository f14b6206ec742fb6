# funclatency BINARY:FUNCTION: the napper fixture's nap() sleeps 17, 34,
# 34, 68, 68 and 68 ms; entry and return are paired in the kernel by thread
# and each call lands in its power-of-two bucket (2^24 ns is 16.8 ms: each
# value is just above a bucket's lower edge, so an oversleep stays inside
# it; the napper runs under SCHED_FIFO, so that a loaded machine's CFS
# tasks do not delay its wakeups by a bucket's width). Under -c (the target), then with --pid of a
# napper started apart (blocked on a FIFO until the recipe is attached)
# beside another napper that must not count; then the errors.
. "$TESTS/e2e/lib.sh"
need_root
need_cmd chrt
NAPPER=$FIXTURES/napper
want='@nap_ns: 
[16M, 32M)             1 |@@@@@@@@@@@@@@@@@                                   |
[32M, 64M)             2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@                  |
[64M, 128M)            3 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|'

run "$LUAPROBE" -c "chrt -f 1 $NAPPER 17,34,34,68,68,68" funclatency "$NAPPER:nap"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "Tracing nap in $NAPPER... Hit Ctrl-C to end." "$ERR" "stderr"
assert_eq "napped 6
$want" "$OUT" "the histogram under -c"

mkfifo "$TMP/go"
exec 8<>"$TMP/go"
chrt -f 1 bash -c "read -r _ <'$TMP/go'; exec $NAPPER 17,34,34,68,68,68" >"$TMP/n1.out" &
one=$!
lp_start funclatency --pid "$one" "$NAPPER:nap"
wait_line "$TMP/bg.err" "Tracing nap in $NAPPER (pid $one)... Hit Ctrl-C to end." 30
run "$NAPPER" 1,1,1,1,200 # another process: not counted
assert_eq "napped 5" "$OUT" "the other napper"
echo go >&8
wait "$one"
assert_eq "napped 6" "$(cat "$TMP/n1.out")" "the napper of --pid"
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status of --pid ($ERR)"
assert_eq "$want" "$OUT" "the histogram of --pid"

run "$LUAPROBE" funclatency
assert_eq 1 "$RC" "exit status without a function"
assert_contains "funclatency wants one BINARY:FUNCTION" "$ERR" "message without a function"
run "$LUAPROBE" funclatency nap
assert_eq 1 "$RC" "exit status of a bare name"
assert_contains "'nap' is not BINARY:FUNCTION" "$ERR" "message of a bare name"
run "$LUAPROBE" funclatency "$NAPPER:no_such_fn"
assert_eq 1 "$RC" "exit status of an unknown function"
assert_contains "no_such_fn" "$ERR" "message of an unknown function"
exit 0
