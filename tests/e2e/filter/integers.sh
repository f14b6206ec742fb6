# where over integer fields, evaluated in the kernel: one probe per
# expression on sys_enter_read, each counting in its handler the events it
# receives. The fixture (comm lpint) reads sizes 0, 1, 2, 3, 5, 65, 1024,
# 1500 three times, from fd 0x7ffffff0 (which no process has open), so each
# expression's count is known exactly; the handler sees exactly the
# matching events, and a filter that matches nothing delivers none.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_read

# EXPECTED<TAB>EXPRESSION; every expression is and-ed with comm == "lpint".
cases="24	count == count
3	count == 5
21	count != 5
12	count < 5
15	count <= 5
6	count > 65
6	count >= 0x400
3	count == 0x5DC
3	count == 'A'
6	(count & 4) != 0
6	(count | 1) == 3
3	(count ^ 1) == 4
6	!(count < 1024)
3	!count
6	count == 1 || count == 1500
9	count > 0 && count < 5
6	count == 1500 || count > 1000 && count < 1100
3	(count == 1500 || count > 1000) && count < 1100
12	count & 2 == 2
24	fd == 0x7ffffff0
24	fd == 2147483632 && (count < 2000)
0	fd == 0x7ffffff1
0	count == 4
0	count > 1500"

{
	echo 'local counts, exprs = {}, {}'
	while IFS=$'\t' read -r _ expr; do
		printf 'exprs[#exprs + 1] = [[%s]]\n' "$expr"
	done <<<"$cases"
	cat <<'LUA'
for i, expr in ipairs(exprs) do
  counts[i] = 0
  probe("tracepoint:syscalls:sys_enter_read", { where = 'comm == "lpint" && (' .. expr .. ')' },
        function(e) counts[i] = counts[i] + 1 end)
end
on_exit(function()
  for i, expr in ipairs(exprs) do printf("%d\t%s\n", counts[i], expr) end
end)
LUA
} >"$TMP/ints.lua"
run "$LUAPROBE" -c "$FIXTURES/syscaller --name lpint --read-sizes 0,1,2,3,5,65,1024,1500 3 >$TMP/fx.out" "$TMP/ints.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
assert_eq "read 24" "$(grep ^read "$TMP/fx.out")" "reads the fixture made"
assert_eq "$cases" "$OUT" "events each filter delivered (count<TAB>filter)"
exit 0
