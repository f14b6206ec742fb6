# threadsnoop: the threads fixture calls pthread_create 3 times with the
# start function `work`: three lines with its pid, the creating thread and
# the function by name (named after the fixture has exited, from the
# mappings luaprobe recorded). A missing --libc is refused with the reason.
. "$TESTS/e2e/lib.sh"
need_root
lines() { awk '$1 ~ /^[0-9.]+$/ { $1 = ""; print substr($0, 2) }' <<<"$1" | tr -s ' '; }

# the shell says its pid, then becomes the fixture
run "$LUAPROBE" -c "sh -c 'echo pid \$\$ >$TMP/w.out; exec $FIXTURES/threads 3 >/dev/null'" threadsnoop
assert_eq 0 "$RC" "exit status ($ERR)"
pid=$(field pid "$(cat "$TMP/w.out")")
assert_eq "TIME(s) PID TID COMM FUNC" "$(head -n1 <<<"$OUT" | tr -s ' ')" "header"
assert_eq "$pid $pid threads work
$pid $pid threads work
$pid $pid threads work" "$(lines "$OUT")" "threads of the fixture"

run "$LUAPROBE" threadsnoop --libc "$TMP/nope.so"
assert_eq 1 "$RC" "exit status of a missing --libc"
assert_contains "threadsnoop: cannot probe pthread_create in $TMP/nope.so" "$ERR" "a missing --libc"
