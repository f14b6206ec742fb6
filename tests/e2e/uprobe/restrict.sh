# -c and -p restrict uprobes to one process: another process running the
# same binary while the probes are attached produces no events. At -O0 and
# -O2: the traced fixture sleeps 1 s before its calls (--sleep-first), and
# the other copy, started once luaprobe printed READY, makes all its calls
# during that second. luaprobe must see exactly the traced process's calls,
# each with its pid, and none of the other's. The binaries are private
# copies, so that tests running the fixture in parallel cannot interfere.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/restrict.lua" <<'LUA'
local BIN, N = arg[1], tonumber(arg[2])
local seen = 0
probe("uprobe:" .. BIN .. ":answer", function(e)
  printf("lp answer x=%d pid=%d\n", e.x, e.pid)
  seen = seen + 1
  -- with -p nothing else ends the run (-c ends it when the command exits)
  if arg[3] == "exit" and seen == N then exit() end
end)
on_start(function() print("READY") io.stdout:flush() end)
LUA

n=4
for opt in $OPTS; do
	bin=$TMP/frames-$opt
	cp "$(fx "$opt")" "$bin"
	# -c: the command starts once every probe is attached
	lp_start -c "$bin --sleep-first 1000 $n" "$TMP/restrict.lua" "$bin" $n
	lp_ready
	"$bin" 6 >"$TMP/other.out"
	lp_wait 10
	assert_eq 0 "$RC" "exit status with -c at $opt ($ERR)"
	assert_eq "" "$ERR" "stderr with -c at $opt"
	pid=$(field pid "$OUT")
	other=$(field pid "$(cat "$TMP/other.out")")
	assert_eq 6 "$(lines answer "$(cat "$TMP/other.out")" | grep -c .)" "the other copy's calls at $opt"
	want=$(lines answer "$OUT" | sed "s/ ret=.*/ pid=$pid/")
	assert_eq $n "$(grep -c . <<<"$want")" "calls of the -c command at $opt"
	assert_lines "$want" "$(lines answer "$(sed -n 's/^lp //p' <<<"$OUT")")" \
		"events with -c at $opt (other copy: pid $other)"

	# -p: a process already running
	"$bin" --sleep-first 1500 $n >"$TMP/target.out" &
	target=$!
	lp_start -p "$target" "$TMP/restrict.lua" "$bin" $n exit
	lp_ready
	"$bin" 6 >"$TMP/other.out"
	lp_wait 10
	wait "$target" || fail "the -p target exited with status $?"
	assert_eq 0 "$RC" "exit status with -p at $opt ($ERR)"
	assert_eq "" "$ERR" "stderr with -p at $opt"
	assert_eq 6 "$(lines answer "$(cat "$TMP/other.out")" | grep -c .)" "the other copy's calls at $opt"
	want=$(lines answer "$(cat "$TMP/target.out")" | sed "s/ ret=.*/ pid=$target/")
	assert_eq $n "$(grep -c . <<<"$want")" "calls of the -p target at $opt"
	assert_lines "$want" "$(lines answer "$(sed -n 's/^lp //p' <<<"$OUT")")" \
		"events with -p $target at $opt (other copy: pid $(field pid "$(cat "$TMP/other.out")"))"
done

# The control: without -c or -p the same probe sees the other copy, so the
# checks above could have seen its calls had they leaked through.
bin=$TMP/frames-O2
lp_start "$TMP/restrict.lua" "$bin" 6 exit
lp_ready
"$bin" 6 >"$TMP/other.out"
lp_wait 10
assert_eq 0 "$RC" "exit status of the unrestricted control ($ERR)"
other=$(field pid "$(cat "$TMP/other.out")")
assert_lines "$(lines answer "$(cat "$TMP/other.out")" | sed "s/ ret=.*/ pid=$other/")" \
	"$(lines answer "$(sed -n 's/^lp //p' <<<"$OUT")")" "events of the unrestricted control"
