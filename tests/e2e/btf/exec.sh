# tp_btf and rawtp on sched_process_exec, whose arguments are a task, a pid
# and the exec's linux_binprm: -L shows them named and typed from the
# kernel's BTF, -l lists the tracepoints with BTF by pattern, and a run of
# `/bin/true x y` prints exactly its filename (a char * kernel string),
# its comm (char[16]), argc 3 (an int member), and curtask's tgid and the
# old_pid argument equal to the event's pid, once, through either kind.
. "$TESTS/e2e/lib.sh"
need_tracefs
[ -e /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"

run "$LUAPROBE" -L tp_btf:sched_process_exec
assert_eq 0 "$RC" "exit status of -L ($ERR)"
assert_eq "tp_btf:sched_process_exec
    struct task_struct *p
    pid_t old_pid
    struct linux_binprm *bprm" "$OUT" "-L tp_btf:sched_process_exec"

run "$LUAPROBE" -L rawtp:kfree_skb
assert_eq 0 "$RC" "exit status of -L rawtp ($ERR)"
assert_eq "rawtp:kfree_skb
    struct sk_buff *skb
    void *location
    enum skb_drop_reason reason" "$(head -n4 <<<"$OUT")" "-L rawtp:kfree_skb"

run "$LUAPROBE" -l 'tp_btf:sched_process_e*'
assert_eq 0 "$RC" "exit status of -l ($ERR)"
assert_eq $'tp_btf:sched_process_exec\ntp_btf:sched_process_exit' "$OUT" "-l 'tp_btf:sched_process_e*'"
run "$LUAPROBE" -l 'rawtp:sched_process_ex*'
assert_eq $'rawtp:sched_process_exec\nrawtp:sched_process_exit' "$OUT" "-l 'rawtp:sched_process_ex*'"
run "$LUAPROBE" -l 'tp_btf:*skb*'
assert_contains "tp_btf:kfree_skb" "$OUT" "-l 'tp_btf:*skb*'"
assert_contains "tp_btf:consume_skb" "$OUT" "-l 'tp_btf:*skb*'"

for kind in tp_btf rawtp; do
	cat >"$TMP/exec.lua" <<LUA
probe("$kind:sched_process_exec", { where = 'p->comm == "true"',
  fetch = { fn = "bprm->filename", comm = "p->comm", argc = "bprm->argc", t = "curtask->tgid",
            old = "old_pid" } },
  function(e) printf("%s %s %d %s %s\n", e.fn, e.comm, e.argc, tostring(e.t == e.pid),
                     tostring(e.old == e.pid)) end)
LUA
	run "$LUAPROBE" -c '/bin/true x y' "$TMP/exec.lua"
	assert_eq 0 "$RC" "exit status of $kind ($ERR)"
	assert_eq "/bin/true true 3 true true" "$OUT" "$kind:sched_process_exec values"
done
exit 0
