# killsnoop: the fixture sends SIGTERM to its child (0), again once the
# child is reaped (ESRCH), SIGURG to itself by tgkill (0) and signal 0 to
# itself (0): four lines with the sender, call, signal by name, target and
# result, in order. --signal TERM --failed keeps only the ESRCH.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_kill
need_tracepoint syscalls:sys_enter_tgkill
lines() { awk '$1 ~ /^[0-9.]+$/ { $1 = ""; print substr($0, 2) }' <<<"$1" | tr -s ' '; }

run "$LUAPROBE" -c "$FIXTURES/recipework --name lpkill kill >$TMP/w.out" killsnoop
assert_eq 0 "$RC" "exit status ($ERR)"
pid=$(field pid "$(cat "$TMP/w.out")")
child=$(field child "$(cat "$TMP/w.out")")
assert_eq "TIME(s) PID COMM CALL SIG TPID RESULT" "$(head -n1 <<<"$OUT" | tr -s ' ')" "header"
assert_eq "$pid lpkill kill SIGTERM $child 0
$pid lpkill kill SIGTERM $child ESRCH
$pid lpkill tgkill SIGURG $pid/$pid 0
$pid lpkill kill 0 $pid 0" "$(lines "$OUT")" "signals of the fixture"

run "$LUAPROBE" -c "$FIXTURES/recipework --name lpkill kill >$TMP/w.out" killsnoop --signal term --failed
assert_eq 0 "$RC" "exit status of --signal --failed ($ERR)"
pid=$(field pid "$(cat "$TMP/w.out")")
child=$(field child "$(cat "$TMP/w.out")")
assert_eq "$pid lpkill kill SIGTERM $child ESRCH" "$(lines "$OUT")" "--signal term --failed"

run "$LUAPROBE" killsnoop --signal SIGNOPE
assert_eq 1 "$RC" "exit status of a bad --signal"
assert_contains "--signal: 'SIGNOPE' is not a signal" "$ERR" "a bad --signal"
