# setuids: a child of the fixture (as root) sets its gid, its effective gid
# (setresgid -1 1234 -1), its uid 4321, then tries uid 0 twice (EPERM) and
# fsuid 0 (refused: setfsuid returns the fsuid it keeps): six lines in
# order, with the caller's uid before each call, the ids asked for (-1 as
# -1) and the result. -c covers the target's children; --failed keeps the
# two EPERM.
. "$TESTS/e2e/lib.sh"
need_root
need_tracepoint syscalls:sys_enter_setresuid
need_tracepoint syscalls:sys_enter_setfsuid
[ -e /sys/kernel/btf/vmlinux ] || skip "no kernel BTF (curtask)"
lines() { awk '$1 ~ /^[0-9.]+$/ { $1 = ""; print substr($0, 2) }' <<<"$1" | tr -s ' '; }

run "$LUAPROBE" -c "$FIXTURES/recipework --name lpuid setuid >$TMP/w.out" setuids
assert_eq 0 "$RC" "exit status ($ERR)"
child=$(field child "$(cat "$TMP/w.out")")
assert_eq "TIME(s) PID COMM UID CALL TO RESULT" "$(head -n1 <<<"$OUT" | tr -s ' ')" "header"
assert_eq "$child lpuid 0 setgid gid=1234 0
$child lpuid 0 setresgid rgid=-1 egid=1234 sgid=-1 0
$child lpuid 0 setuid uid=4321 0
$child lpuid 4321 setuid uid=0 EPERM
$child lpuid 4321 setresuid ruid=0 euid=0 suid=0 EPERM
$child lpuid 4321 setfsuid uid=0 was 4321" "$(lines "$OUT")" "privilege changes of the fixture's child"

run "$LUAPROBE" -c "$FIXTURES/recipework --name lpuid setuid >$TMP/w.out" setuids --failed
assert_eq 0 "$RC" "exit status of --failed ($ERR)"
child=$(field child "$(cat "$TMP/w.out")")
assert_eq "$child lpuid 4321 setuid uid=0 EPERM
$child lpuid 4321 setresuid ruid=0 euid=0 suid=0 EPERM" "$(lines "$OUT")" "--failed"
