# A cast on a syscall's pointer argument reads the process's memory at every
# step: execve's argv (char **, user pointers to user strings) gives each
# argument (and the NULL after the last), clock_nanosleep's rqtp a member of the user's timespec. Before,
# the reads through the pointer were kernel reads of a user address, which
# fail: argv[1] read as "" and tv_nsec as 0, with nothing said.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_execve
need_tracepoint syscalls:sys_enter_clock_nanosleep
[ -e /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"

cat >"$TMP/argv.lua" <<'LUA'
probe("tracepoint:syscalls:sys_enter_execve", { where = "pid == target",
  fetch = { a0 = "((char **)argv)[0]", a1 = "((char **)argv)[1]", a2 = "((char **)argv)[2]",
            p4 = "((unsigned long *)argv)[4]" } },
  function(e) printf("argv %s|%s|%s|%d\n", e.a0, e.a1, e.a2, e.p4) end)
probe("tracepoint:syscalls:sys_enter_clock_nanosleep", { where = "pid == target",
  fetch = { s = "((struct __kernel_timespec *)rqtp)->tv_sec",
            ns = "((struct __kernel_timespec *)rqtp)->tv_nsec" } },
  function(e) printf("sleep %d %d\n", e.s, e.ns) end)
LUA
run "$LUAPROBE" -c "$FIXTURES/syscaller --sleep-first 1234 0" "$TMP/argv.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "argv $FIXTURES/syscaller|--sleep-first|1234|0
sleep 1 234000000" "$(grep -E '^(argv|sleep) ' <<<"$OUT")" "values read through user pointers"
