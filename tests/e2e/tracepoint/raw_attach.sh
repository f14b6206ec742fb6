# A tracepoint probe that reads nothing of the record (a count filtered by
# comm, no handler) runs as a raw tracepoint; one with a handler runs the
# classic program. -v says which, the kernel's own view of luaprobe's fds
# agrees (one raw_tracepoint link on sys_enter, one perf link, each with the
# program its probe runs), and both count exactly the same events.
. "$TESTS/e2e/lib.sh"
need_tracepoint raw_syscalls:sys_enter
[ "$(uname -m)" = x86_64 ] || skip "the handler counts getppid by its x86-64 number"

n=3000
# The fixture sleeps before its calls, so the probes are looked at while attached.
lp_start -v -c "$FIXTURES/syscaller --name lpraw --sleep-first 1500 $n" -e "$READY_LUA"'
local raw = probe("tracepoint:raw_syscalls:sys_enter", { where = [[comm == "lpraw"]] }):count()
local all, getppid = 0, 0
probe("tracepoint:raw_syscalls:sys_enter", { where = [[comm == "lpraw"]] }, function(e)
  all = all + 1
  if e.id == 110 then getppid = getppid + 1 end -- __NR_getppid on x86-64
end)
on_exit(function()
  printf("raw %d\nhandler %d\nhandler_getppid %d\n", raw:total(), all, getppid)
end)'
lp_ready

# What the kernel says luaprobe holds: "link TYPE TP PROGTYPE" lines (the
# program of each link, as bpftool names its type), and no program fd: an
# attached probe keeps its link only, which keeps the program.
held=$(for f in /proc/"$BG_PID"/fdinfo/*; do
	case $(readlink "/proc/$BG_PID/fd/${f##*/}" 2>/dev/null) in
	anon_inode:bpf_link)
		read -r t n id < <(awk '/^link_type:/ { t = $2 } /^tp_name:/ { n = $2 } /^prog_id:/ { id = $2 }
			END { print t, n, id }' "$f")
		echo "link $t $n $(bpftool prog show id "$id" | awk -F': *' 'NR == 1 { split($2, a, " "); print a[1] }')"
		;;
	anon_inode:bpf-prog)
		echo "a program fd"
		;;
	esac
done | sort)
assert_eq $'link perf sys_enter tracepoint\nlink raw_tracepoint sys_enter raw_tracepoint' "$held" \
	"links and programs luaprobe holds"

lp_wait 20
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "luaprobe: -e:2: probe 'tracepoint:raw_syscalls:sys_enter': attached as raw_tp
luaprobe: -e:4: probe 'tracepoint:raw_syscalls:sys_enter': attached as tracepoint
luaprobe: 0 events lost" "$ERR" "stderr with -v"
assert_eq "$n" "$(field getppid "$OUT")" "calls the fixture made"
assert_eq "$n" "$(field handler_getppid "$OUT")" "getppid events the handler saw"
# Both probes see every system call the fixture makes under its name: the
# getppid loop, then writing its report and exiting.
all=$(field handler "$OUT")
assert_range $((n + 1)) $((n + 20)) "$all" "events the handler saw"
assert_eq "$all" "$(field raw "$OUT")" "events the raw tracepoint counted"
