# bashreadline: an interactive bash on a terminal (script(1) gives it a
# pty) is fed three lines; the recipe, attached before, prints each line
# readline() returned, exactly as typed (unexpanded, spaces kept), with the
# shell's pid (which the shell itself prints). Lines of other shells on the
# machine are left out by that pid.
. "$TESTS/e2e/lib.sh"
need_root
need_cmd script
[ -x /bin/bash ] || skip "no /bin/bash"

lp_start bashreadline
wait_line "$TMP/bg.err" "Tracing bash commands... Hit Ctrl-C to end." 30
printf 'echo pid $$\ntrue  two   spaces "$HOME"\nexit\n' |
	timeout 30 script -qec "/bin/bash --norc --noprofile -i" /dev/null >"$TMP/tty.out" 2>&1 || true
pid=$(tr -d '\r' <"$TMP/tty.out" | sed -n 's/.*pid \([0-9][0-9]*\)$/\1/p' | head -n1)
[ -n "$pid" ] || fail "the shell printed no pid: $(cat "$TMP/tty.out")"
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "TIME      PID     COMMAND" "$(head -n1 <<<"$OUT")" "header"
mine=$(awk -v p="$pid" '$2 == p' <<<"$OUT")
assert_eq "echo pid \$\$
true  two   spaces \"\$HOME\"
exit" "$(sed -E 's/^[0-9]{2}:[0-9]{2}:[0-9]{2} +[0-9]+ +//' <<<"$mine")" "the lines of shell $pid ($OUT)"
exit 0
