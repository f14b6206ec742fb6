# Uprobes come off when the run ends, however it ends, and the traced
# process carries on unharmed. A private copy of the fixture (so that
# `bpftool perf show` lines name only this test's probes) sleeps 1 s, then
# makes its calls under luaprobe -p (at -O2 with uprobe_multi links where
# the kernel has them, at -O0 with perf-event uprobes, forced): at -O2 a handler raises an error at the
# third answer() call (exit status 1, the message and a traceback); at -O0
# SIGINT ends the run once the probes are attached (exit status 0). While
# running, luaprobe holds an entry and a return uprobe on the copy; after
# it, no program it held is loaded, no uprobe names the copy, and the fixture
# ends with status 0 and every line it should print.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes
need_cmd bpftool

cat >"$TMP/lc.lua" <<'LUA'
local BIN = arg[1]
probe("uprobe:" .. BIN .. ":answer", function(e) if e.x == 2 and arg[2] == "boom" then error("boom") end end)
probe("uretprobe:" .. BIN .. ":answer", function(e) end)
on_start(function() print("READY") io.stdout:flush() end)
LUA
cd "$TMP"

# perf_of PID: bpftool's perf-event listing, PID's lines. bpftool walks every
# process's fds and gives up at one that goes away mid-walk (other tests'
# processes under ctest -j2), so a listing may miss PID: list again.
perf_of() {
	local out t
	for ((t = 0; t < 50; t++)); do
		out=$(bpftool perf show 2>/dev/null || true)
		if grep -q "^pid $1 " <<<"$out"; then
			grep "^pid $1 " <<<"$out"
			return
		fi
		sleep 0.1
	done
}

# multi_uprobes PID BIN TYPE: uprobes on BIN in the links of TYPE
# (uprobe_multi, uretprobe_multi) process PID holds, from their fdinfo
multi_uprobes() {
	local f n=0
	for f in /proc/"$1"/fdinfo/*; do
		if grep -qx "link_type:[[:space:]]*$3" "$f" 2>/dev/null &&
			grep -qx "path:[[:space:]]*$2" "$f" 2>/dev/null; then
			n=$((n + $(sed -n 's/^uprobe_cnt:[[:space:]]*//p' "$f")))
		fi
	done
	echo "$n"
}

# prog_ids PID: every BPF program process PID holds, one id a line
prog_ids() {
	{ sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null || true; } | sort -un
}

for opt in O2 O0; do
	bin=$TMP/frames-lc-$opt
	cp "$(fx "$opt")" "$bin"
	how=boom multi=1
	[ "$opt" = O0 ] && how=sigint multi=0
	"$bin" --sleep-first 1000 5 >"$TMP/target.out" &
	target=$!
	LUAPROBE_UPROBE_MULTI=$multi lp_start -p "$target" lc.lua "$bin" "$how"
	lp_ready
	ids=$(prog_ids "$BG_PID")
	[ -n "$ids" ] || fail "luaprobe holds no BPF program while running ($opt)"
	if [ "$multi" = 0 ] || ! grep -q 'link_type:.*probe_multi' /proc/"$BG_PID"/fdinfo/* 2>/dev/null; then
		perf=$(perf_of "$BG_PID")
		held="$(grep -c " uprobe  filename $bin " <<<"$perf") $(grep -c " uretprobe  filename $bin " <<<"$perf") $(multi_uprobes "$BG_PID" "$bin" uprobe_multi) $(multi_uprobes "$BG_PID" "$bin" uretprobe_multi)"
		assert_eq "1 1 0 0" "$held" "perf-event uprobes and uretprobes on the copy while running ($opt): $perf"
	else
		perf=$(bpftool perf show 2>/dev/null || true)
		held="$(grep -c " uprobe  filename $bin " <<<"$perf") $(grep -c " uretprobe  filename $bin " <<<"$perf") $(multi_uprobes "$BG_PID" "$bin" uprobe_multi) $(multi_uprobes "$BG_PID" "$bin" uretprobe_multi)"
		assert_eq "0 0 1 1" "$held" "uprobes in uprobe_multi links on the copy while running ($opt)"
	fi
	if [ "$how" = sigint ]; then
		kill -INT "$BG_PID"
		lp_wait 30
		assert_eq 0 "$RC" "exit status after SIGINT ($ERR)"
		assert_eq "" "$ERR" "stderr after SIGINT"
	else
		lp_wait 10
		assert_eq 1 "$RC" "exit status after an error in a handler"
		assert_eq "luaprobe: lc.lua:2: boom" "$(head -n1 <<<"$ERR")" "first line of stderr"
		assert_contains $'stack traceback:\n' "$ERR" "stderr"
	fi
	# shellcheck disable=SC2086 # one id a word
	wait_progs_gone 30 $ids
	left=$(bpftool perf show | grep -F "filename $bin " || true)
	assert_eq "" "$left" "uprobes left on the copy after the run ($opt)"
	rc=0
	wait "$target" || rc=$?
	assert_eq 0 "$rc" "the traced fixture's exit status ($opt)"
	assert_eq 76 "$(grep -c . "$TMP/target.out")" "lines the traced fixture printed ($opt)"
	assert_eq "answer x=4 ret=31" "$(grep "^answer " "$TMP/target.out" | tail -n1)" "the traced fixture's last answer line ($opt)"
done
