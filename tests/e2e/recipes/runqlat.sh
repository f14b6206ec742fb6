# runqlat: run queue latency paired in the kernel. The workload is the
# sleeper fixture under SCHED_FIFO (so that no CFS task preempts it, which
# would add a wait of its own): each 1 ms nanosleep ends in one wakeup and
# one switch-in, one wait in the histogram.
# 1. -c with --comm: exactly 20 waits for 20 sleeps (the comm is set once
#    the fixture runs, so its start-up's wakeups are not counted).
# 2. --pid of a task that waits on a FIFO, then execs the sleeper: the
#    wakeup from the FIFO plus 5 sleeps, exactly 6 waits, nothing else.
# 3. A stray argument is refused with the usage.
. "$TESTS/e2e/lib.sh"
need_tracepoint sched:sched_switch
need_cmd chrt

# hist_total TEXT: the sum of the counts of the histogram lines in TEXT
hist_total() { awk -F')' '/^\[/ { split($2, f, " "); n += f[1] } END { print n + 0 }' <<<"$1"; }

run "$LUAPROBE" -c "chrt -f 1 $FIXTURES/sleeper --name lprqa $(printf '1,%.0s' {1..19})1" runqlat --comm lprqa
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "Tracing run queue latency of task $(sed -n 's/.* of task \([0-9]*\) of lprqa.*/\1/p' <<<"$ERR") of lprqa... Hit Ctrl-C to end." "$ERR" "stderr"
assert_eq "slept 20" "$(head -n1 <<<"$OUT")" "the sleeper's line"
assert_eq "@runqlat_ns: " "$(sed -n 2p <<<"$OUT")" "the histogram's name"
assert_eq 20 "$(hist_total "$OUT")" "waits of 20 sleeps"

mkfifo "$TMP/go"
chrt -f 1 bash -c "read -r _ <'$TMP/go'; exec $FIXTURES/sleeper --name lprqb 1,1,1,1,1" >"$TMP/sl.out" &
task=$!
lp_start runqlat --pid "$task"
wait_line "$TMP/bg.err" "Tracing run queue latency of task $task... Hit Ctrl-C to end." 30
echo go >"$TMP/go"
wait "$task"
assert_eq "slept 5" "$(cat "$TMP/sl.out")" "the sleeper's line"
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status of --pid ($ERR)"
assert_eq 6 "$(hist_total "$OUT")" "waits of --pid: the FIFO's wakeup and 5 sleeps ($OUT)"

run "$LUAPROBE" runqlat extra
assert_eq 1 "$RC" "exit status with a stray argument"
assert_contains "runqlat takes no argument 'extra'" "$ERR" "message"
exit 0
