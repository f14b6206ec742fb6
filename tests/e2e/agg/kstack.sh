# count("kstack") keys by the stack itself (defect 7 of issue 7: it keyed
# by the stack's depth, "@[4]: 1234", or refused it without spec.stack). A process named lpkstk makes exactly
# 1234 getppid calls: every key's frames are symbols of the syscall path
# (do_syscall_64 among them), the counts add up to 1234, print() shows the
# frames one a line as bpftrace prints @[kstack], and the same stack keys
# a count by (comm, kstack), and a count next to spec.stack's e.kstack.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

cat >"$TMP/kstack.lua" <<'LUA'
local p = probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "lpkstk"' })
local by_stack = p:count("kstack")
local by_comm = probe("tracepoint:syscalls:sys_enter_getppid",
                      { where = 'comm == "lpkstk"' }):count("comm", "kstack")
-- spec.stack's slot, read by the handler and by the key alike
local events, frames_seen = 0, {}
local with_handler = probe("tracepoint:syscalls:sys_enter_getppid",
                           { where = 'comm == "lpkstk"', stack = "kernel" }, function(e)
  events = events + 1
  frames_seen[table.concat(e.kstack, "/")] = true
end):count("kstack")
on_exit(function()
  local hkeys, hsum = 0, 0
  for k, n in with_handler:items() do
    hkeys, hsum = hkeys + 1, hsum + n
    assert(frames_seen[table.concat(k.kstack, "/")], "a key the handler never saw")
  end
  printf("handler events %d keys %d sum %d\n", events, hkeys, hsum)
  local keys, sum = 0, 0
  for k, n in by_stack:items() do
    keys, sum = keys + 1, sum + n
    local hit = 0
    for i, f in ipairs(k.kstack) do
      assert(k[1][i] == f, "k[1] is k.kstack")
      if f:match("^do_syscall_64%+0x%x+$") then hit = hit + 1 end
    end
    printf("key frames %d do_syscall_64 %d count %d\n", #k.kstack, hit, n)
  end
  printf("keys %d sum %d\n", keys, sum)
  for k, n in by_comm:items() do
    printf("comm %s frames %d count %d\n", k.comm, #k.kstack, n)
  end
  print("-- print")
  by_stack:print({ name = "stacks" })
  print("-- folded")
  by_stack:print({ folded = true })
end)
LUA
run "$LUAPROBE" -c "$FIXTURES/syscaller --name lpkstk 1234 >/dev/null" "$TMP/kstack.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
assert_eq "keys $(grep -c '^key ' <<<"$OUT") sum 1234" "$(grep '^keys ' <<<"$OUT")" \
	"the counts of every stack add up to the calls"
while read -r line; do
	[[ "$line" =~ ^key\ frames\ ([0-9]+)\ do_syscall_64\ 1\ count\ [0-9]+$ ]] ||
		fail "a stack without do_syscall_64 once: '$line'"
	[ "${BASH_REMATCH[1]}" -ge 2 ] || fail "a stack of fewer than 2 frames: '$line'"
done < <(grep '^key ' <<<"$OUT")
assert_eq "handler events 1234 keys $(grep -c '^key ' <<<"$OUT") sum 1234" \
	"$(grep '^handler ' <<<"$OUT")" "spec.stack and a kstack key together"
n=$(grep -c '^comm lpkstk frames ' <<<"$OUT")
[ "$n" -ge 1 ] || fail "no (comm, kstack) keys: $OUT"
assert_eq 1234 "$(sed -n 's/^comm lpkstk frames [0-9]* count //p' <<<"$OUT" | awk '{ s += $1 } END { print s + 0 }')" \
	"the (comm, kstack) counts"
# print(): "@stacks[", frames indented by 8, "]: N", for each key.
printed=$(sed -n '/^-- print$/,/^-- folded$/p' <<<"$OUT" | sed '1d;$d')
assert_eq "$(grep -c '^key ' <<<"$OUT")" "$(grep -c '^@stacks\[$' <<<"$printed")" "printed keys"
assert_eq 1234 "$(sed -n 's/^\]: //p' <<<"$printed" | awk '{ s += $1 } END { print s + 0 }')" "printed counts"
grep -qE '^        do_syscall_64\+0x[0-9a-f]+$' <<<"$printed" ||
	fail "no do_syscall_64 frame printed: $printed"
assert_eq "" "$(grep -vE '^(@stacks\[|        [^ ].*|\]: [0-9]+)$' <<<"$printed")" "print()'s lines"
# folded: outermost first, function names only.
folded=$(sed -n '/^-- folded$/,$p' <<<"$OUT" | sed '1d')
assert_eq "" "$(grep -vE '^([^ ;]+;)*do_syscall_64;([^ ;]+;)*[^ ;]+ [0-9]+$' <<<"$folded")" \
	"folded lines: $folded"
assert_eq 1234 "$(sed 's/.* //' <<<"$folded" | awk '{ s += $1 } END { print s + 0 }')" "folded counts"
exit 0
