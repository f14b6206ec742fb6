# statsnoop: the fixture stats a present path (stat, newfstatat), a missing
# one (lstat, statx: ENOENT) and its folder (statfs): five lines in order,
# with the result by errno name. --failed keeps the two ENOENT; an fstat
# (newfstatat of "" with AT_EMPTY_PATH) names its fd.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_newfstatat
need_tracepoint syscalls:sys_enter_statx
mkdir "$TMP/d"
: >"$TMP/d/present"
lines() { awk '$1 ~ /^[0-9.]+$/ { $1 = ""; print substr($0, 2) }' <<<"$1" | tr -s ' '; }

run "$LUAPROBE" -c "$FIXTURES/recipework --name lpstat stat $TMP/d >$TMP/w.out" statsnoop --path "$TMP/d"
assert_eq 0 "$RC" "exit status ($ERR)"
pid=$(field pid "$(cat "$TMP/w.out")")
assert_eq "TIME(s) PID COMM CALL RESULT PATH" "$(head -n1 <<<"$OUT" | tr -s ' ')" "header"
assert_eq "$pid lpstat stat 0 $TMP/d/present
$pid lpstat lstat ENOENT $TMP/d/missing
$pid lpstat newfstatat 0 $TMP/d/present
$pid lpstat statx ENOENT $TMP/d/missing
$pid lpstat statfs 0 $TMP/d" "$(lines "$OUT")" "stats of the fixture"

run "$LUAPROBE" -c "$FIXTURES/recipework --name lpstat stat $TMP/d >$TMP/w.out" statsnoop --failed --comm lpstat
assert_eq 0 "$RC" "exit status of --failed ($ERR)"
pid=$(field pid "$(cat "$TMP/w.out")")
assert_eq "$pid lpstat lstat ENOENT $TMP/d/missing
$pid lpstat statx ENOENT $TMP/d/missing" "$(lines "$OUT")" "--failed"

# stdio's fstat of its stdout, a file here
run "$LUAPROBE" -c "$FIXTURES/recipework --name lpstat stat $TMP/d >$TMP/w.out" statsnoop --comm lpstat
assert_contains "lpstat newfstatat 0 (fd 1)" "$(lines "$OUT")" "an fstat"
