# -l lists points, -L describes one, --version, and a recipe run by name.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

run "$LUAPROBE" -l syscalls:sys_enter_getppid
assert_eq 0 "$RC" "exit status of -l ($ERR)"
assert_eq "tracepoint:syscalls:sys_enter_getppid" "$OUT" "-l syscalls:sys_enter_getppid"

run "$LUAPROBE" -L tracepoint:syscalls:sys_enter_getppid
assert_eq 0 "$RC" "exit status of -L ($ERR)"
assert_eq $'tracepoint:syscalls:sys_enter_getppid\n    int __syscall_nr' "$OUT" \
	"-L tracepoint:syscalls:sys_enter_getppid"

if [ -d /sys/kernel/tracing/events/skb/kfree_skb ]; then
	run "$LUAPROBE" -L tracepoint:skb:kfree_skb
	assert_eq 0 "$RC" "exit status of -L ($ERR)"
	for decl in "enum skb_drop_reason reason" "unsigned short protocol" "void *location"; do
		assert_eq 1 "$(grep -cxF "    $decl" <<<"$OUT" || true)" "lines '    $decl' in: $OUT"
	done
fi

run "$LUAPROBE" --version
assert_eq 0 "$RC" "exit status of --version"
[[ "$OUT" =~ ^luaprobe\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "--version printed: $OUT"

# The execsnoop recipe by name sees the -c command exec the fixture.
need_tracepoint sched:sched_process_exec
run "$LUAPROBE" -c "$FIXTURES/syscaller --name lpsnoop 1" execsnoop
assert_eq 0 "$RC" "exit status of execsnoop ($ERR)"
pid=$(field pid "$OUT")
assert_eq "syscaller $FIXTURES/syscaller" "$(awk -v p="$pid" '$1 ~ /^[0-9.]+$/ && $2 == p { print $4, $6 }' <<<"$OUT")" \
	"execsnoop's line for pid $pid in: $OUT"
