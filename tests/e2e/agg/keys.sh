# Built-in keys of in-kernel aggregations: pid, tid, uid, cpu and comm, with
# a process of known identity: the fixture pinned to the last CPU (taskset)
# and run as uid 65534 (setpriv), reading 123 times. And a full map is
# reported, not silent: max_keys = 2 with 4 distinct keys, each seen 3 times,
# keeps the first 2 keys exact and reports the 6 updates it dropped.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_read
need_cmd taskset
need_cmd setpriv

cpu=$(($(nproc) - 1))
cat >"$TMP/keys.lua" <<'LUA'
local p = probe("tracepoint:syscalls:sys_enter_read", { where = 'comm == "lpkeys"' })
local ids = p:count("pid", "tid", "uid", "cpu")
local by_comm = p:count("comm")
on_exit(function()
  for k, n in ids:items() do
    printf("pid %d tid %d uid %d cpu %d: %d\n", k.pid, k.tid, k.uid, k.cpu, n)
    printf("by position %d %d %d %d\n", k[1], k[2], k[3], k[4])
  end
  for k, n in by_comm:items() do printf("comm %s: %d\n", k.comm, n) end
end)
LUA
run "$LUAPROBE" -c "taskset -c $cpu setpriv --reuid 65534 --regid 65534 --clear-groups \
	$FIXTURES/syscaller --name lpkeys --read-sizes 1 123 >$TMP/fx.out" "$TMP/keys.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
pid=$(field pid "$(cat "$TMP/fx.out")")
assert_eq "pid $pid tid $pid uid 65534 cpu $cpu: 123
by position $pid $pid 65534 $cpu
comm lpkeys: 123" "$OUT" "counts by pid, tid, uid, cpu and comm"

# A full map: the first two sizes get a key, the other two are dropped.
cat >"$TMP/full.lua" <<'LUA'
local sizes = probe("tracepoint:syscalls:sys_enter_read",
                    { where = 'comm == "lpfull"', max_keys = 2 }):count("count")
on_exit(function()
  for k, n in sizes:items() do printf("size %d: %d\n", k.count, n) end
end)
LUA
run "$LUAPROBE" -c "$FIXTURES/syscaller --name lpfull --read-sizes 11,22,33,44 3 >/dev/null" "$TMP/full.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "luaprobe: 6 aggregation updates dropped: a map was full (raise the probe's spec.max_keys)" \
	"$ERR" "stderr with a full map"
assert_eq "size 11: 3
size 22: 3" "$(sort <<<"$OUT")" "the keys that fit"
exit 0
