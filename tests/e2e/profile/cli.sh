# The sampling points on the command line: -l lists their spellings, -L
# says how each samples, a rate above the kernel's limit is refused with
# the limit named, and with a target (-c) a profile counts only the
# target's samples (a profile is about the process named).
# ctest: run serial
. "$TESTS/e2e/lib.sh"
need_root

run "$LUAPROBE" -l 'profile:*'
assert_eq 0 "$RC" "exit status of -l ($ERR)"
assert_eq $'profile:hz:N\nprofile:s:N\nprofile:ms:N\nprofile:us:N' "$OUT" "-l 'profile:*'"
run "$LUAPROBE" -l 'software:*'
assert_eq "software:cpu-clock:N software:task-clock:N software:page-faults:N software:context-switches:N software:cpu-migrations:N software:minor-faults:N software:major-faults:N software:alignment-faults:N software:emulation-faults:N software:dummy:N" \
	"$(paste -sd' ' <<<"$OUT")" "-l 'software:*'"
run "$LUAPROBE" -l timer.profile
assert_eq "timer.profile" "$OUT" "-l timer.profile"

run "$LUAPROBE" -L profile:hz:99
assert_eq 0 "$RC" "exit status of -L ($ERR)"
assert_eq $'profile:hz:99\n  every CPU, cpu-clock at 99 Hz\n  in the interrupted task: pid, tid, comm, cpu; stacks from the sample\n    u64 ip' \
	"$OUT" "-L profile:hz:99"
run "$LUAPROBE" -L profile:ms:10
assert_eq "  every CPU, every 10000000 ns of cpu-clock" "$(sed -n 2p <<<"$OUT")" "-L profile:ms:10"
run "$LUAPROBE" -L software:faults:100
assert_eq "  every CPU, every 100 events of page-faults" "$(sed -n 2p <<<"$OUT")" "-L software:faults:100"
hz=$( { zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)" 2>/dev/null || true; } |
	sed -n 's/^CONFIG_HZ=//p')
[ -n "$hz" ] || hz=100
run "$LUAPROBE" -L timer.profile
assert_eq "  every CPU, on each scheduler tick: cpu-clock at $hz Hz (CONFIG_HZ)" "$(sed -n 2p <<<"$OUT")" \
	"-L timer.profile"

max=$(cat /proc/sys/kernel/perf_event_max_sample_rate)
run "$LUAPROBE" -e 'probe("profile:hz:100000000", function() end)'
assert_eq 1 "$RC" "exit status of a rate too high"
assert_eq "luaprobe: -e:1: probe 'profile:hz:100000000': 100000000 Hz is above the kernel's limit of $max samples a second (kernel.perf_event_max_sample_rate)" \
	"$ERR" "a rate too high"

# -c: only the target's samples, though another busy process runs beside it
"$FIXTURES/busy" --name lpother 3000 >/dev/null &
other=$!
cat >"$TMP/target.lua" <<'LUA'
local by = probe("profile:hz:99"):count("pid", "comm")
on_exit(function() for k, n in by:items() do printf("key %d %s %d\n", k.pid, k.comm, n) end end)
LUA
run timeout -k 2 30 "$LUAPROBE" -c "$FIXTURES/busy --name lpbusy 1000" "$TMP/target.lua"
kill "$other" 2>/dev/null || true
wait "$other" 2>/dev/null || true
assert_eq 0 "$RC" "exit status with -c ($ERR)"
pid=$(field pid "$OUT")
keys=$(grep '^key ' <<<"$OUT")
grep -q "^key $pid lpbusy " <<<"$keys" || fail "no samples of the target: $keys"
# (a sample may come before the fixture names itself: comm busy then)
assert_eq "" "$(grep -v "^key $pid " <<<"$keys" || true)" "samples of other processes with -c"
echo "ok"
