# target_pid() is the -c command's pid (from the main chunk on) or the -p
# pid, nil without either; with shell syntax in -c the shell execs the
# command, so the pid is the command's own.
. "$TESTS/e2e/lib.sh"
need_root

SC=$FIXTURES/syscaller
script='print("main " .. tostring(target_pid()))
on_start(function() print("start " .. tostring(target_pid())) end)
on_exit(function() print("exit " .. tostring(target_pid())) end)'

run "$LUAPROBE" -c "$SC 3" -e "$script"
assert_eq 0 "$RC" "exit status with -c ($ERR)"
pid=$(field pid "$OUT")
[[ $pid =~ ^[0-9]+$ ]] || fail "no pid from the command: $OUT"
assert_eq "$pid" "$(field main "$OUT")" "target_pid() in the main chunk with -c"
assert_eq "$pid" "$(field start "$OUT")" "target_pid() in on_start with -c"
assert_eq "$pid" "$(field exit "$OUT")" "target_pid() in on_exit with -c"

# Shell syntax: a redirection, a variable, quotes.
run "$LUAPROBE" -c "$SC \"3\" >$TMP/sc.out 2>&1" -e "$script"
assert_eq 0 "$RC" "exit status with a redirection ($ERR)"
assert_eq "" "$ERR" "stderr with a redirection"
pid=$(field pid "$(cat "$TMP/sc.out")")
[[ $pid =~ ^[0-9]+$ ]] || fail "no pid from the redirected command: $(cat "$TMP/sc.out")"
assert_eq "$pid" "$(field main "$OUT")" "target_pid() with a redirection"
run "$LUAPROBE" -c "LP_X=1 $SC 3 >$TMP/sc.out" -e "$script"
assert_eq 0 "$RC" "exit status with an assignment ($ERR)"
pid=$(field pid "$(cat "$TMP/sc.out")")
assert_eq "$pid" "$(field main "$OUT")" "target_pid() with an assignment"

# A list: the shell is the target, and a note says so.
run "$LUAPROBE" -c "true; $SC 3 >/dev/null" -e "$script"
assert_eq 0 "$RC" "exit status with a list ($ERR)"
assert_contains "is more than one command: its target is the shell" "$ERR" "note on a list"

# -p
sleep 30 &
p=$!
run "$LUAPROBE" -p "$p" -e "$script"
kill "$p"
assert_eq 0 "$RC" "exit status with -p ($ERR)"
assert_eq "main $p"$'\n'"start $p"$'\n'"exit $p" "$OUT" "target_pid() with -p"

run "$LUAPROBE" -e "$script"
assert_eq $'main nil\nstart nil\nexit nil' "$OUT" "target_pid() without a target"

run "$LUAPROBE" -p "$$" -c true -e "$script"
assert_eq 1 "$RC" "exit status with -p and -c"
assert_contains "-p and -c both name the target" "$ERR" "message with -p and -c"
