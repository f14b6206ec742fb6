# where over strings, evaluated in the kernel: the comm built-in, a char[16]
# tracepoint field (task:task_rename's newcomm/oldcomm, set by the fixture's
# prctl) and a __data_loc string (sched:sched_process_exec's filename), with
# == and !=. The fixture runs from a copy under a name of this test's own,
# so that nothing else on the machine matches: lpstr_a reads 30 times,
# lpstr_b 20 times, lpstr-abcdefghi (15 bytes, the whole comm) 10 times, all
# with size 98765 (and lpstr_a once more with none). Each exec also renames
# the task, to the copy's name. Each probe counts in its handler what it
# received: exact counts, 0 for a prefix and for a longer string.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_read
need_tracepoint task:task_rename
need_tracepoint sched:sched_process_exec

exe="$TMP/lpstrfx$$"
exe=${exe:0:${#TMP}+16}
cp "$FIXTURES/syscaller" "$exe"
"$exe" 0 >/dev/null 2>&1 || skip "cannot run a program copied to $TMP (noexec?)"
base=$(basename "$exe")

cases="30	sys_enter_read	comm == \"lpstr_a\"
20	sys_enter_read	comm != \"lpstr_a\" && count == 98765 && comm != \"lpstr-abcdefghi\"
10	sys_enter_read	comm == \"lpstr-abcdefghi\"
0	sys_enter_read	comm == \"lpstr-abcdefgh\"
0	sys_enter_read	comm == \"lpstr_\"
0	sys_enter_read	comm == \"lpstr_a_and_more\"
2	task_rename	newcomm == \"lpstr_a\" && oldcomm == \"$base\"
1	task_rename	oldcomm == \"$base\" && newcomm != \"lpstr_a\" && newcomm != \"lpstr-abcdefghi\"
4	task_rename	newcomm == \"$base\"
4	sched_process_exec	filename == \"$exe\"
0	sched_process_exec	filename != \"$exe\" && comm == \"$base\"
0	sched_process_exec	filename == \"${exe%?}\""

{
	echo 'local counts, cases = {}, {}'
	while IFS=$'\t' read -r _ point expr; do
		printf 'cases[#cases + 1] = { [[%s]], [[%s]] }\n' "$point" "$expr"
	done <<<"$cases"
	cat <<'LUA'
local system = { sys_enter_read = "syscalls", task_rename = "task", sched_process_exec = "sched" }
for i, c in ipairs(cases) do
  counts[i] = 0
  probe("tracepoint:" .. system[c[1]] .. ":" .. c[1], { where = c[2] },
        function(e) counts[i] = counts[i] + 1 end)
end
on_exit(function()
  for i, c in ipairs(cases) do printf("%d\t%s\t%s\n", counts[i], c[1], c[2]) end
end)
LUA
} >"$TMP/strings.lua"
cmd="$exe --name lpstr_a --read-sizes 98765 30 && $exe --name lpstr_b --read-sizes 98765 20 &&
     $exe --name lpstr_a --read-sizes 98765 0 && $exe --name lpstr-abcdefghi --read-sizes 98765 10"
run "$LUAPROBE" -c "{ $cmd; } >/dev/null" "$TMP/strings.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
assert_eq "$cases" "$OUT" "events each string filter delivered (count<TAB>point<TAB>filter)"
exit 0
