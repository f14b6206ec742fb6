# exitsnoop: the fixture's child A sleeps 150 ms and exits 3, child B is
# killed with SIGKILL once A is reaped, then the fixture exits 0: three
# lines in that order with pid, parent, exit code or signal, and an age of
# at least 150 ms (A, B and the fixture live at least that long). --failed
# keeps A and B; -c keeps the target and its children. The threads fixture
# starts 3 threads: one line for the process, four with --threads (each
# thread's own tid).
. "$TESTS/e2e/lib.sh"
need_tracepoint sched:sched_process_exit
[ -e /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"
lines() { awk 'NR > 1 && $1 ~ /:/ { $1 = ""; print substr($0, 2) }' <<<"$1" | tr -s ' '; }

run "$LUAPROBE" -c "$FIXTURES/recipework --name lpexit exit 150 >$TMP/w.out" exitsnoop --comm lpexit
assert_eq 0 "$RC" "exit status ($ERR)"
w=$(cat "$TMP/w.out")
pid=$(field pid "$w")
ppid=$(field ppid "$w")
mapfile -t child < <(sed -n 's/^child //p' <<<"$w")
assert_eq "TIME PCOMM PID PPID TID AGE(s) EXIT_CODE" "$(head -n1 <<<"$OUT" | tr -s ' ')" "header"
assert_eq "lpexit ${child[0]} $pid ${child[0]} code 3
lpexit ${child[1]} $pid ${child[1]} signal 9 (KILL)
lpexit $pid $ppid $pid 0" "$(lines "$OUT" | awk '{ $5 = ""; print }' | tr -s ' ')" "exits of the fixture"
for age in $(lines "$OUT" | awk '{ print $5 }'); do
	awk -v a="$age" 'BEGIN { exit !(a >= 0.150 && a < 30) }' || fail "age $age s in: $OUT"
done

run "$LUAPROBE" -c "$FIXTURES/recipework --name lpexit exit 150 >$TMP/w.out" exitsnoop --failed
assert_eq 0 "$RC" "exit status of --failed ($ERR)"
w=$(cat "$TMP/w.out")
pid=$(field pid "$w")
mapfile -t child < <(sed -n 's/^child //p' <<<"$w")
assert_eq "lpexit ${child[0]} $pid code 3
lpexit ${child[1]} $pid signal 9 (KILL)" "$(lines "$OUT" | awk '{ $4 = $5 = ""; print }' | tr -s ' ')" "-c with --failed"

run "$LUAPROBE" -c "$FIXTURES/threads 3 >$TMP/w.out" exitsnoop
assert_eq 0 "$RC" "exit status of threads ($ERR)"
assert_eq "1 threads" "$(lines "$OUT" | awk '{ print $2 == $4, $1 }')" "one line for the threads fixture"
run "$LUAPROBE" -c "$FIXTURES/threads 3 >$TMP/w.out" exitsnoop --threads
assert_eq 0 "$RC" "exit status of --threads ($ERR)"
assert_eq "0 0 0 1 tids 4 pids 1" "$(lines "$OUT" | awk '{ printf "%d ", $2 == $4; t[$4] = 1; p[$2] = 1 }
	END { printf "tids %d pids %d", length(t), length(p) }')" "the threads (tid != pid), then the process"
