# A keyed count on a tracepoint counts this CPU's run of events under one
# key in a per-CPU slot (struct lp_pend), and puts it into the map when the
# key changes; a read adds each slot to its key (run/mapread.c
# mapread_agg). Two processes on one CPU that yield after every getppid()
# change the key at nearly every event, while the script reads the counts
# every 2 ms until it has seen both whole: at exit each pid has exactly
# its calls, no read ever saw a count go down or pass the truth, and the
# probe holds the slot maps (lp_pend, lp_pctl), the readers' word cleared
# after the last read. The classic tracepoint and the syscall dispatcher's
# raw program both; a count by pid alone (the count-only program) and
# beside a count by comm (the general path, two slots, a two-word key).
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid
need_cmd bpftool
need_cmd taskset

SC=$FIXTURES/syscaller
N=20000
CPU=$(($(nproc) - 1))

# script BYCOMM: the count by pid alone (the count-only program), or with
# a count by comm beside it on the same probe (the general aggregation
# path, two slots: the comm is a two-word key)
script() {
	local comm= read_comm=
	if [ "$1" = 1 ]; then
		comm="local d = p:count('comm')"
		read_comm="for k, n in d:items() do
    if n < (cseen[k.comm] or 0) then down = down + 1 end
    cseen[k.comm] = n
  end"
	fi
	cat <<LUA
$READY_LUA
local p = probe('tracepoint:syscalls:sys_enter_getppid')
local c = p:count('pid')
$comm
local seen, cseen, reads, down, done, mine = {}, {}, 0, 0, false, nil
every('2ms', function()
  if done then return end
  if not mine then -- the workloads' pids, once the test has started them
    local f = io.open('$TMP/pids')
    if f then mine = { f:read('n'), f:read('n') } f:close() end
  end
  reads = reads + 1
  for k, n in c:items() do
    if n < (seen[k.pid] or 0) then down = down + 1 end
    seen[k.pid] = n
  end
  $read_comm
  -- both workloads counted whole: no more reads, the slots stay free
  if mine and mine[2] and (seen[mine[1]] or 0) >= $N and (seen[mine[2]] or 0) >= $N then
    done = true
    print('DONE') io.stdout:flush()
  end
end)
on_exit(function()
  for k, n in c:items() do printf('n %d %d\n', k.pid, n) end
  for pid, n in pairs(seen) do printf('seen %d %d\n', pid, n) end
  if d then for k, n in d:items() do printf('comm %s %d\n', k.comm, n) end end
  printf('reads %d\ndown %d\n', reads, down)
end)
LUA
}

# map NAME PID: the id of the map NAME that process PID holds (one
# bpftool call for every map; again after a moment if a loaded machine
# made it miss one)
map() {
	local id try all
	for try in 1 2 3; do
		all=$(bpftool map show 2>/dev/null || true)
		for id in $({ sed -n 's/^map_id:[[:space:]]*//p' /proc/"$2"/fdinfo/* 2>/dev/null || true; } | sort -un); do
			if grep -q "^$id: .* name $1 " <<<"$all"; then
				echo "$id"
				return
			fi
		done
		sleep 0.2
	done
}

for run in "0 0" "1 0" "0 1" "1 1"; do
	read -r raw bycomm <<<"$run"
	export LUAPROBE_SYSCALL_RAW=$raw
	lp_start -e "$(script "$bycomm")"
	lp_ready
	pend=$(map lp_pend "$BG_PID")
	pctl=$(map lp_pctl "$BG_PID")
	[ -n "$pend" ] && [ -n "$pctl" ] ||
		fail "raw=$raw: no lp_pend/lp_pctl map held: a keyed count without pending runs ($(
			ls -l /proc/"$BG_PID"/fd | grep -c bpf-map) maps; $(cat "$TMP/bg.err"))"
	taskset -c "$CPU" "$SC" --name lppend1 --yield "$N" >"$TMP/w1" &
	a=$!
	taskset -c "$CPU" "$SC" --name lppend2 --yield "$N" >"$TMP/w2" &
	b=$!
	echo "$a $b" >"$TMP/pids.new"
	mv "$TMP/pids.new" "$TMP/pids"
	wait "$a" "$b"
	w1=$(sed -n 's/^pid //p' "$TMP/w1")
	w2=$(sed -n 's/^pid //p' "$TMP/w2")
	wait_line "$TMP/bg.out" DONE 30
	# after the last read the word is 0: programs use the slots again
	# (the map has no BTF when the program came from an image: its bytes,
	# little-endian, as one number)
	word=$(bpftool -j map dump id "$pctl" | grep -o '"value":\[[^]]*\]' | head -n 1 |
		grep -o '0x[0-9a-f]*' | tac | { v=0; while read -r b; do v=$((v * 256 + b)); done; echo $v; })
	kill -INT "$BG_PID"
	lp_wait 30
	assert_eq 0 "$RC" "exit status, raw=$raw ($ERR)"
	assert_eq "n $w1 $N" "$(grep "^n $w1 " "$TMP/bg.out")" "pid 1's count, raw=$raw"
	assert_eq "n $w2 $N" "$(grep "^n $w2 " "$TMP/bg.out")" "pid 2's count, raw=$raw"
	assert_eq "seen $w1 $N" "$(grep "^seen $w1 " "$TMP/bg.out")" "pid 1's count in the last read, raw=$raw"
	assert_eq "seen $w2 $N" "$(grep "^seen $w2 " "$TMP/bg.out")" "pid 2's count in the last read, raw=$raw"
	assert_eq "down 0" "$(grep '^down ' "$TMP/bg.out")" "reads that saw a count go down, raw=$raw"
	rm -f "$TMP/pids"
	reads=$(sed -n 's/^reads //p' "$TMP/bg.out")
	[ "${reads:-0}" -ge 5 ] || fail "raw=$raw: only ${reads:-0} reads while the workload ran"
	if [ "$bycomm" = 1 ]; then
		assert_eq "comm lppend1 $N
comm lppend2 $N" "$(grep '^comm lppend' "$TMP/bg.out" | sort)" "the counts by comm, raw=$raw"
	fi
	assert_eq 0 "$word" "the readers' word between reads, raw=$raw"
done
echo ok
