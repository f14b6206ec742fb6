# A process named lpcount makes exactly N getppid calls: the handler sees N
# events. Filtered in the kernel by the target, so that other processes'
# calls (another test's flood) cannot fill the ring buffer meanwhile.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

count_script='local n = 0
probe("tracepoint:syscalls:sys_enter_getppid", { where = "pid == target" }, function(e)
  if e.comm == "lpcount" then n = n + 1 end
end)
on_exit(function() printf("count %d\n", n) end)'

for n in 1000 12345; do
	run "$LUAPROBE" -c "$FIXTURES/syscaller --name lpcount $n" -e "$count_script"
	assert_eq 0 "$RC" "exit status ($ERR)"
	assert_eq "" "$ERR" "stderr"
	assert_eq "$n" "$(field getppid "$OUT")" "calls the fixture made"
	assert_eq "$n" "$(field count "$OUT")" "events for $n calls"
done
