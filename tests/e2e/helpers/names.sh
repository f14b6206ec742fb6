# Name lookups and clocks against real events: syscall_name() of
# raw_syscalls:sys_enter's id while the fixture calls getppid 7 times (and
# exit_group once); signal_name() of signal:signal_generate's sig for a
# SIGUSR1 and a SIGRTMIN+2 (the shell's numbering: kernel 36, SIGRTMIN+4)
# the workload's shell sends to a looping subshell (its comm stays "sh"; a
# `sleep 5 &` target could already be "sleep" when the kill came, under load);
# enum_name() of a named and an anonymous kernel enum; has(); elapsed()
# and now() on the clock of e.ts.
. "$TESTS/e2e/lib.sh"
need_tracepoint raw_syscalls:sys_enter
need_tracepoint signal:signal_generate

cat >"$TMP/names.lua" <<'LUA'
local calls, sigs = {}, {}
local ts_ok, has_seen = true, nil
probe("tracepoint:raw_syscalls:sys_enter", { where = 'comm == "lpnames"' }, function(e)
  local n = syscall_name(e.id)
  calls[n] = (calls[n] or 0) + 1
  local d = now() - e.ts
  if d < 0 or d > 5e9 then ts_ok = false end
  has_seen = has_seen or { has(e, "id"), has(e, "args"), has(e, "pid"), has(e, "nope") }
end)
probe("tracepoint:signal:signal_generate", { where = 'comm == "sh" && (sig == 10 || sig == 36)' }, function(e)
  sigs[#sigs + 1] = signal_name(e.sig)
end)
print("before: " .. select(2, pcall(elapsed)))
local t0
on_start(function() t0 = elapsed() end)
on_exit(function()
  printf("getppid %d exit_group %d\n", calls.getppid or 0, calls.exit_group or 0)
  printf("signals %s\n", table.concat(sigs, " "))
  printf("has %s %s %s %s\n", tostring(has_seen[1]), tostring(has_seen[2]), tostring(has_seen[3]), tostring(has_seen[4]))
  printf("has table %s %s\n", tostring(has({ a = 1 }, "a")), tostring(has({ a = 1 }, "b")))
  printf("ts on now()'s clock %s\n", tostring(ts_ok))
  -- the workload sleeps 300 ms after the probes are attached
  local el = elapsed()
  printf("elapsed %s %s\n", tostring(t0 >= 0 and t0 < 1e8), tostring(el >= 3e8 and el < 1e10))
  printf("%s %s %s %s %s %s\n", syscall_name(0), syscall_name(59), syscall_name(231), syscall_name(334), syscall_name(99999), syscall_name(-1))
  printf("%s %s %s %s %s %s %s\n", signal_name(9), signal_name(17), signal_name(0), signal_name(32), signal_name(34), signal_name(64), signal_name(65))
  local nosock = enum("skb_drop_reason", "SKB_DROP_REASON_NO_SOCKET")
  printf("%s %s %s %s\n", enum_name("skb_drop_reason", nosock), enum_name("enum skb_drop_reason", nosock),
    enum_name("TCP_ESTABLISHED", 7), enum_name("TCP_ESTABLISHED", 9999))
  print((select(2, pcall(enum_name, "no_such_enum_lp", 1))))
end)
LUA
run "$LUAPROBE" -c "$FIXTURES/syscaller --name lpnames --sleep-first 300 7 >/dev/null;
	(while :; do sleep 1; done) & kill -USR1 \$!
	(while :; do sleep 1; done) & kill -s RTMIN+2 \$!" "$TMP/names.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
rtmin=$(kill -l RTMIN)
assert_eq "before: elapsed(): the run has not started yet (probes attach after the script's main chunk; use it in on_start, a handler or a timer)
getppid 7 exit_group 1
signals SIGUSR1 SIGRTMIN+$((rtmin + 2 - 32))
has true true true false
has table true false
ts on now()'s clock true
elapsed true true
read execve exit_group rseq 99999 -1
SIGKILL SIGCHLD 0 SIGRTMIN SIGRTMIN+2 SIGRTMAX 65
SKB_DROP_REASON_NO_SOCKET SKB_DROP_REASON_NO_SOCKET TCP_CLOSE 9999
no enum 'no_such_enum_lp' in the kernel's BTF" "$OUT" "names, has(), clocks"
exit 0
