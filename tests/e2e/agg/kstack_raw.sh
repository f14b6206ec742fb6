# A stack-keyed count on a tracepoint attached as a raw tracepoint (it reads
# nothing of the record) names the traced code first, not the BPF machinery
# that took the stack: the program's frame, bpf_trace_runN and
# __bpf_trace_NAME are dropped (sym/kstack.c). The first frames of the raw
# attach are exactly those of the same tracepoint attached classically (a
# filter on a field of the record keeps it classic), and every stack runs
# through do_syscall_64. Before: bpf_prog_..._lp_rawtp+0x.. came first.
. "$TESTS/e2e/lib.sh"
need_tracepoint raw_syscalls:sys_enter

cat >"$TMP/raw.lua" <<'LUA'
-- 110: getppid on x86-64; the classic probe reads `id`, the raw one nothing
local raw = probe("tracepoint:raw_syscalls:sys_enter", { where = 'comm == "lpkraw"' }):count("kstack")
local classic = probe("tracepoint:raw_syscalls:sys_enter",
                      { where = 'comm == "lpkraw" && id == 110' }):count("kstack")
on_exit(function()
  for name, agg in pairs({ raw = raw, classic = classic }) do
    local firsts, sum = {}, 0
    for k, n in agg:items() do
      sum = sum + n
      local s = table.concat(k.kstack, "|")
      firsts[(k.kstack[1] or "-"):gsub("%+0x%x+$", "")] = true
      printf("%s stack %s\n", name, s)
    end
    local list = {}
    for f in pairs(firsts) do list[#list + 1] = f end
    table.sort(list)
    printf("%s first %s\n", name, table.concat(list, ","))
    printf("%s sum %d\n", name, sum)
  end
end)
LUA
run timeout -k 2 30 "$LUAPROBE" -v -c "$FIXTURES/syscaller --name lpkraw 300 >/dev/null" "$TMP/raw.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_contains "raw.lua:2: probe 'tracepoint:raw_syscalls:sys_enter': attached as raw_tp" "$ERR" "the raw attach"
assert_contains "raw.lua:3: probe 'tracepoint:raw_syscalls:sys_enter': attached as tracepoint" "$ERR" "the classic attach"
assert_eq "classic sum 300" "$(grep '^classic sum ' <<<"$OUT")" "getppid calls"
assert_eq "" "$(grep -E '^(raw|classic) stack (bpf_|__bpf_)' <<<"$OUT" || true)" "stacks starting with a BPF frame"
assert_eq "" "$(grep -E '^(raw|classic) stack ' <<<"$OUT" | grep -v '|do_syscall_64+0x[0-9a-f]*|' || true)" \
	"stacks without do_syscall_64"
classic=$(sed -n 's/^classic first //p' <<<"$OUT")
[ -n "$classic" ] && [ "$classic" != "-" ] || fail "no classic stacks: $OUT"
assert_eq "$classic" "$(sed -n 's/^raw first //p' <<<"$OUT")" "first frames, raw and classic"
echo "ok: raw_tp stacks start at $classic"
