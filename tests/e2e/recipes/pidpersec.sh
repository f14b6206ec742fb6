# pidpersec: the fixture forks 25 children one after the other: counted in
# the kernel, the reports every 100 ms (and the last, at the end) add up to
# 25 exactly. The threads fixture starts 3 threads: 3 new tasks, 0 with
# --no-threads (which counts 5 forks as 5).
. "$TESTS/e2e/lib.sh"
need_tracepoint sched:sched_process_fork
[ -e /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"
# the count after "new tasks:" or "processes:" on every report line
sum() { awk -v w="$1" '$0 ~ w ":" { sub(".*" w ": ", ""); s += $1 } END { print s + 0 }' <<<"$OUT"; }

run "$LUAPROBE" -c "$FIXTURES/recipework --name lpfork fork 25 >$TMP/w.out" pidpersec --interval 100ms
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "25" "$(sum "new tasks")" "new tasks in: $OUT"
grep -qE '^[0-9:]{8} new tasks: [0-9]+ \([0-9.]+/s\)$' <<<"$OUT" || fail "report lines: $OUT"

run "$LUAPROBE" -c "$FIXTURES/threads 3 >$TMP/w.out" pidpersec
assert_eq 0 "$RC" "exit status of threads ($ERR)"
assert_eq "3" "$(sum "new tasks")" "new tasks of the threads fixture"
run "$LUAPROBE" -c "$FIXTURES/threads 3 >$TMP/w.out" pidpersec --no-threads
assert_eq 0 "$RC" "exit status of --no-threads ($ERR)"
assert_eq "0" "$(sum processes)" "--no-threads"
assert_eq "1" "$(grep -c 'processes:' <<<"$OUT")" "one report of --no-threads"

run "$LUAPROBE" pidpersec --interval 1x
assert_eq 1 "$RC" "exit status of a bad --interval"
assert_contains "--interval: unknown unit in '1x'" "$ERR" "a bad --interval"
run "$LUAPROBE" -c "$FIXTURES/recipework --name lpfork fork 5 >$TMP/w.out" pidpersec --no-threads
assert_eq 0 "$RC" "exit status of --no-threads on forks ($ERR)"
assert_eq "5" "$(sum processes)" "--no-threads on 5 forks"
