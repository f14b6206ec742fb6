# syscount: the fixture calls getppid 37 times under its own name: counted
# in the kernel by name, exactly; --failed finds its one openat ENOENT;
# --latency counts the calls it times; -p PID counts a running process from
# the attach on (getppid 41, the write and exit_group after the signal that
# releases it, nothing of before) and ends by itself when it exits.
. "$TESTS/e2e/lib.sh"
need_tracepoint raw_syscalls:sys_enter
need_tracepoint sched:sched_process_exit
W="$FIXTURES/recipework --name lpsyscnt"
# the fixture writes to a file: stdio asks a tty ioctl of /dev/null, which fails
rows() { awk 'NR > 1 { print $1, $2 }' <<<"$1" | sort; }

run "$LUAPROBE" -c "$W calls 37 >/dev/null" syscount --comm lpsyscnt --top 50
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "SYSCALL COUNT" "$(head -n1 <<<"$OUT" | tr -s ' ')" "header"
assert_eq "getppid 37" "$(sed -n 2p <<<"$OUT" | tr -s ' ')" "the most frequent call first"
assert_eq "exit_group 1" "$(rows "$OUT" | grep '^exit_group ')" "exit_group"
assert_eq "1" "$(rows "$OUT" | grep -c '^getppid ')" "getppid rows"

mkdir "$TMP/d"
: >"$TMP/d/present"
run "$LUAPROBE" -c "$W open $TMP/d >$TMP/w.out" syscount --comm lpsyscnt --failed
assert_eq 0 "$RC" "exit status of --failed ($ERR)"
assert_eq "SYSCALL ERRNO COUNT
openat ENOENT 1" "$(tr -s ' ' <<<"$OUT")" "--failed"
run "$LUAPROBE" -c "$W open $TMP/d >/dev/null" syscount --by-process --errno noent
assert_eq 0 "$RC" "exit status of --errno ($ERR)"
pid=$(awk '$2 == "lpsyscnt" { print $1 }' <<<"$OUT")
assert_eq "$pid lpsyscnt ENOENT 1" "$(grep lpsyscnt <<<"$OUT" | tr -s ' ')" "--by-process --errno noent"

run "$LUAPROBE" -c "$W calls 37 >/dev/null" syscount --comm lpsyscnt --latency
assert_eq 0 "$RC" "exit status of --latency ($ERR)"
assert_eq "SYSCALL COUNT TIME(us)" "$(head -n1 <<<"$OUT" | tr -s ' ')" "--latency header"
read -r name n us < <(sed -n 2p <<<"$OUT")
assert_eq "getppid 37" "$name $n" "--latency's first row"
awk -v t="$us" 'BEGIN { exit !(t > 0 && t < 1e7) }' || fail "time in getppid: $us us"

# -p: the fixture waits for SIGUSR1, so that it calls only once traced
"$FIXTURES/recipework" --name lpsyscnt --wait calls 41 >"$TMP/w.out" &
wpid=$!
wait_line "$TMP/w.out" "pid $wpid" 10
lp_start -p "$wpid" syscount --top 50
deadline=$((SECONDS + 20))
until grep -q "^Counting" "$TMP/bg.err"; do
	[ "$SECONDS" -lt "$deadline" ] || fail "syscount did not start: $(cat "$TMP/bg.err")"
	sleep 0.05
done
kill -USR1 "$wpid"
wait "$wpid"
lp_wait 30
assert_eq 0 "$RC" "exit status of -p ($ERR)"
assert_eq "exit_group 1
getppid 41
write 1" "$(rows "$OUT")" "-p $wpid, to its exit"

run "$LUAPROBE" syscount --errno nope
assert_eq 1 "$RC" "exit status of a bad --errno"
assert_contains "--errno: 'nope' is not an errno name" "$ERR" "a bad --errno"
