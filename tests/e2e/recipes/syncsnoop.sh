# syncsnoop: the fixture flushes a file through fsync, fdatasync, syncfs,
# sync_file_range and msync of a shared mapping, calls fsync on a bad fd
# (EBADF) and sync: seven lines in order with the fd, the mapping's address
# and length, the result, and a time each call took (>= 0). --min-ms 60000
# keeps none of them.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_fsync
need_tracepoint syscalls:sys_enter_sync
mkdir "$TMP/d"
: >"$TMP/d/present"
lines() { awk '$1 ~ /^[0-9.]+$/ { $1 = ""; print substr($0, 2) }' <<<"$1" | tr -s ' '; }

run "$LUAPROBE" -c "$FIXTURES/recipework --name lpsync sync $TMP/d >$TMP/w.out" syncsnoop --comm lpsync
assert_eq 0 "$RC" "exit status ($ERR)"
w=$(cat "$TMP/w.out")
pid=$(field pid "$w")
fd=$(field fd "$w")
map=$(field map "$w")
assert_eq "TIME(s) PID COMM CALL ON RESULT LAT(ms)" "$(head -n1 <<<"$OUT" | tr -s ' ')" "header"
assert_eq "$pid lpsync fsync fd $fd 0
$pid lpsync fdatasync fd $fd 0
$pid lpsync syncfs fd $fd 0
$pid lpsync sync_file_range fd $fd 0+0 0
$pid lpsync msync $map+4096 0
$pid lpsync fsync fd 2147483632 EBADF
$pid lpsync sync - 0" "$(lines "$OUT" | awk '{ $NF = ""; print }' | sed 's/ $//')" "flushes of the fixture"
for ms in $(lines "$OUT" | awk '{ print $NF }'); do
	awk -v t="$ms" 'BEGIN { exit !(t >= 0 && t < 30000) }' || fail "time $ms ms in: $OUT"
done

run "$LUAPROBE" -c "$FIXTURES/recipework --name lpsync sync $TMP/d >$TMP/w.out" syncsnoop --min-ms 60000
assert_eq 0 "$RC" "exit status of --min-ms ($ERR)"
assert_eq "" "$(lines "$OUT")" "--min-ms 60000"
