# execsnoop: a shell script (the -c target) runs /bin/echo with a quoted
# and an empty argument, a missing program (ENOENT), /bin/echo with 11
# arguments (more than --max-args' 10) and with a 70-byte one: a line each
# with the script as parent, the new program's name and the arguments as
# written (quoted where a space or emptiness would hide them, "..." where
# cut). --failed keeps the ENOENT; --max-args 2 cuts the first line.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_execve
need_tracepoint sched:sched_process_exec
[ -e /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"
long=$(printf 'x%.0s' $(seq 70))
cat >"$TMP/w.sh" <<SH
#!/bin/sh
echo "pid \$\$" >"$TMP/w.out"
/bin/echo one 'two words' '' three >/dev/null
"$TMP/missing" a b 2>/dev/null
/bin/echo 1 2 3 4 5 6 7 8 9 10 11 >/dev/null
/bin/echo $long >/dev/null
SH
chmod +x "$TMP/w.sh"
# TIME and PID dropped: the children's pids are not known
lines() { awk '$1 ~ /^[0-9.]+$/ { $1 = $2 = ""; print substr($0, 3) }' <<<"$1"; }

run "$LUAPROBE" -c "$TMP/w.sh" execsnoop
assert_eq 0 "$RC" "exit status ($ERR)"
pid=$(field pid "$(cat "$TMP/w.out")")
assert_eq "TIME(s) PID PPID COMM RET ARGS" "$(head -n1 <<<"$OUT" | tr -s ' ')" "header"
assert_eq "$pid" "$(awk '$1 ~ /^[0-9.]+$/ && $4 == "w.sh" && $5 == 0 { print $2 }' <<<"$OUT")" "the script's own exec"
assert_eq "$pid echo 0 /bin/echo one 'two words' '' three
$pid w.sh ENOENT $TMP/missing a b
$pid echo 0 /bin/echo 1 2 3 4 5 6 7 8 9 ...
$pid echo 0 /bin/echo ${long:0:63}..." "$(lines "$OUT" | tr -s ' ' | grep -v '^[0-9]* w.sh 0 ')" "execs of the script"
assert_eq "4" "$(awk '$1 ~ /^[0-9.]+$/ && $3 == '"$pid"' { print $2 }' <<<"$OUT" | sort -u | grep -vcx "$pid")" \
	"four children, each its own pid"

run "$LUAPROBE" -c "$TMP/w.sh" execsnoop --failed
assert_eq 0 "$RC" "exit status of --failed ($ERR)"
pid=$(field pid "$(cat "$TMP/w.out")")
assert_eq "$pid w.sh ENOENT $TMP/missing a b" "$(lines "$OUT" | tr -s ' ')" "--failed"

run "$LUAPROBE" -c "$TMP/w.sh" execsnoop --max-args 2
assert_eq 0 "$RC" "exit status of --max-args ($ERR)"
assert_contains "echo 0 /bin/echo one ..." "$(lines "$OUT" | tr -s ' ')" "--max-args 2"
