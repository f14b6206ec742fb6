# oomkill: a memory cgroup of the test's own (cgroup v1 memory.limit_in_bytes
# here, where the memory controller is bound to v1; else cgroup v2
# memory.max) limited to 32 MiB, and in it `tail -n 1 </dev/zero`, which
# keeps the whole unending line in memory: the OOM killer kills it. The
# recipe prints exactly one victim, that tail, by pid and comm, with its uid
# (0), oom_score_adj (0) and its own thread as the trigger; its anon-rss is
# up to the limit. An address-space limit (ulimit -v) keeps the hog bounded
# should the cgroup not hold it.
. "$TESTS/e2e/lib.sh"
need_tracepoint oom:mark_victim

CG=
if [ -f /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	CG=/sys/fs/cgroup/memory/lpoom$$
	mkdir "$CG" || skip "cannot make a memory cgroup"
	echo $((32 << 20)) >"$CG/memory.limit_in_bytes"
	[ -f "$CG/memory.memsw.limit_in_bytes" ] && echo $((32 << 20)) >"$CG/memory.memsw.limit_in_bytes"
elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	CG=/sys/fs/cgroup/lpoom$$
	mkdir "$CG" || skip "cannot make a cgroup"
	echo $((32 << 20)) >"$CG/memory.max"
	echo 0 >"$CG/memory.swap.max" 2>/dev/null || true
else
	skip "no memory cgroup controller mounted"
fi
trap 'rmdir "$CG" 2>/dev/null || true; cleanup' EXIT

lp_start oomkill
wait_line "$TMP/bg.err" "Tracing OOM kills... Hit Ctrl-C to end." 30
# The shell moves itself into the cgroup, says its pid, and becomes tail.
sh -c "set -e; echo \$\$ >'$CG/cgroup.procs'; echo \$\$ >'$TMP/pid'; ulimit -v 1000000; exec tail -n 1 </dev/zero" \
	>/dev/null 2>&1 &
hog=$!
rc=0
timeout 60 tail --pid="$hog" -f /dev/null || fail "the hog still ran after 60 s"
wait "$hog" || rc=$?
assert_eq 137 "$rc" "the hog's status (killed by SIGKILL)"
assert_eq "$hog" "$(cat "$TMP/pid")" "the hog's pid"
sleep 0.2
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status ($ERR)"
mine=$(grep "OOM kill of PID $hog " <<<"$OUT") || fail "no kill of $hog in: $OUT"
re='^[0-9]{2}:[0-9]{2}:[0-9]{2} Triggered by TID ([0-9]+), OOM kill of PID ([0-9]+) \((.*)\), uid ([0-9]+), ([0-9]+) kB total-vm, ([0-9]+) kB anon-rss, ([0-9]+) kB file-rss, ([0-9]+) kB shmem-rss, oom_score_adj (-?[0-9]+), loadavg: [0-9.]+ [0-9.]+ [0-9.]+$'
[[ "$mine" =~ $re ]] || fail "a line not in the form: $mine"
assert_eq "$hog $hog tail 0 0" "${BASH_REMATCH[1]} ${BASH_REMATCH[2]} ${BASH_REMATCH[3]} ${BASH_REMATCH[4]} ${BASH_REMATCH[9]}" \
	"trigger, victim, comm, uid, oom_score_adj"
assert_range $((16 << 10)) $((32 << 10)) "${BASH_REMATCH[6]}" "anon-rss in kB, up to the 32 MiB limit"
assert_eq 1 "$(grep -c "OOM kill of PID $hog " <<<"$OUT")" "one kill of the hog"
exit 0
