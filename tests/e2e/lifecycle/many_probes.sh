# Many probes (issue 10 item 8). Each attach point used to hold ~11 fds and
# ~0.6 MB (its whole template object) for the run: under a soft fd limit
# the 93rd uprobe failed with "Too many open files", reported as if the
# kernel had refused the program. Now an attached probe keeps its link,
# its perf event and its aggregation maps only, the soft limit is raised to
# the hard one, and running out of fds says so, with the limit. The 65th
# program on one tracepoint is the kernel's limit, said as such.
# ctest: run serial (its hundred attaches and detaches hold the kernel's probe locks for seconds: a neighbour's one detach waited behind them)
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_sethostname

FR=$FIXTURES/frames-O0
cat >"$TMP/up.lua" <<LUA
for i = 1, 100 do probe("uprobe:$FR:show"):count() end
on_start(function() print("READY") io.stdout:flush() end)
LUA

# fds per probe, while running
lp_start "$TMP/up.lua"
wait_line "$TMP/bg.out" READY 120
fds=$(ls /proc/"$BG_PID"/fd | wc -l)
rss=$(awk '/VmRSS/ { print $2 }' /proc/"$BG_PID"/status)
kill -INT "$BG_PID"
lp_wait 120
assert_eq 0 "$RC" "exit status of 100 uprobes ($ERR)"
echo "100 uprobes: $fds fds, RSS $rss kB"
# a link and a perf event per probe, its map, and luaprobe's own dozen
assert_range 100 400 "$fds" "fds held by 100 uprobe probes"

# one glob of 25 places with nothing fetched: one program and, where the
# kernel has uprobe_multi, one link (its close waits for the kernel once,
# not ~90 ms per place under a global mutex: main held 25 perf-event links)
if grep -q ' bpf_uprobe_multi_link_attach$' /proc/kallsyms; then
	cat >"$TMP/glob.lua" <<LUA
probe("uprobe:$FR:*"):count()
on_start(function() print("READY") io.stdout:flush() end)
LUA
	lp_start -v "$TMP/glob.lua"
	wait_line "$TMP/bg.out" READY 120
	links=$(grep -l '^link_type:' /proc/"$BG_PID"/fdinfo/* 2>/dev/null | wc -l)
	cnt=$(sed -n 's/^uprobe_cnt:[[:space:]]*//p' /proc/"$BG_PID"/fdinfo/* 2>/dev/null)
	kill -INT "$BG_PID"
	lp_wait 60
	assert_eq 0 "$RC" "exit status of the glob ($ERR)"
	assert_contains "probe 'uprobe:$FR:*': attached as uprobe_multi" "$ERR" "the glob's attach"
	places=$(sed -n "s/^luaprobe: probe 'uprobe:.*': \([0-9]*\) places\$/\1/p" <<<"$ERR")
	assert_eq "1 $places" "$links $cnt" "links the glob held, and the uprobes in it"
fi

# a soft limit of 64 (hard 4096): raised, so 40 uprobes (~120 fds) attach
cat >"$TMP/up40.lua" <<LUA
for i = 1, 40 do probe("uprobe:$FR:show"):count() end
on_start(function() print("attached") exit() end)
LUA
run bash -c "ulimit -Sn 64 && ulimit -Hn 4096 && exec \"\$0\" \"\$1\"" "$LUAPROBE" "$TMP/up40.lua"
assert_eq 0 "$RC" "exit status of 40 uprobes under a soft limit of 64 ($ERR)"
assert_eq "attached" "$OUT" "40 uprobes under a soft limit of 64"

# a hard limit of 64: the message says what ran out
run bash -c "ulimit -n 64 && exec \"\$0\" \"\$1\"" "$LUAPROBE" "$TMP/up40.lua"
assert_eq 1 "$RC" "exit status of 40 uprobes under a hard limit of 64"
assert_contains "too many open files (limit 64): " "$ERR" "message when fds run out"
assert_contains "(raise ulimit -n, or use fewer probes)" "$ERR" "what to do"

# 70 classic tracepoint programs on one tracepoint: the kernel takes 64
# (syscalls:* as classic tracepoints: tracepoint/syscall_raw.sh has the
# syscall dispatcher's 64 and the classic 64 after them)
cat >"$TMP/tp70.lua" <<'LUA'
for i = 1, 70 do probe("tracepoint:syscalls:sys_enter_sethostname"):count("len") end
on_start(function() exit() end)
LUA
run env LUAPROBE_SYSCALL_RAW=0 "$LUAPROBE" "$TMP/tp70.lua"
assert_eq 1 "$RC" "exit status of 70 programs on one tracepoint"
assert_contains "cannot attach: the kernel allows at most 64 programs on one tracepoint, and other tools' count too (Argument list too long)" \
	"$ERR" "message for the 65th program on one tracepoint"
