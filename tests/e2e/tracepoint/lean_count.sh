# Counts keyed by integers (issue 12) take the templates' lean path
# (bpf/agg.bpf.h lp_agg_count: no LP_L_AGGX layer), and a probe that only
# counts keeps its record on the stack (bpf/finish.bpf.h lp_count_only):
# its program has no record tree, no string keys, no hist or stats code,
# and the kernel is handed ~200 instructions, not 727 (classic tracepoint)
# or 477 (the syscall dispatcher's lp_btf_02). The counts stay exact: by
# pid, by tid and pid, by pid, cpu and uid, by a u64 and a u32 record field, by a negative
# return value; and a handler that reads record fields beside them (the
# one program with the tree of direct loads) reads them exactly.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid
need_tracepoint syscalls:sys_enter_read
need_tracepoint syscalls:sys_exit_read
need_cmd bpftool
need_cmd taskset

SC=$FIXTURES/syscaller
N=200
SIZES=0,1,0x400,0x123456789
# the count-only programs' bound: before the lean path they were 1160-1280
# bytes (145-160 instructions) after the verifier, then 704-736; an
# unkeyed count still is (656). A keyed count also has its pending run
# (struct lp_pend: the slot, its flush into the map): 1848-2088 bytes.
XLATED_MAX=960
KEYED_XLATED_MAX=2200
# instructions handed over (BPF_PROG_LOAD's insn_cnt): 727 and 477 before
# the lean path, ~200 after it, 558 with the pending runs (their key
# compare and copy unrolled over LP_MAX_KEYS, which the verifier prunes)
HANDED_MAX=600

# progs PID: "name xlated-bytes" of the programs PID holds, on its fds or in
# its program arrays (the syscall dispatcher's), by id (load order)
progs() {
	local m
	{
		sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null || true
		for m in $({ sed -n 's/^map_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null || true; } | sort -un); do
			[[ $(bpftool map show id "$m" 2>/dev/null) =~ \ prog_array\  ]] || continue
			bpftool -j map dump id "$m" 2>/dev/null | grep -o '"value":[0-9]*' | cut -d: -f2
		done
	} | sort -un | while read -r id; do
		bpftool prog show id "$id" 2>/dev/null |
			sed -n 's/.* name \(lp_[a-z0-9_]*\) .*/\1/p; s/.*xlated \([0-9]*\)B.*/\1/p' | paste -sd' '
	done
}

CPU=$(($(nproc) - 1))
AS="taskset -c $CPU"
UID1=0
if command -v setpriv >/dev/null; then
	AS="setpriv --reuid=65534 --regid=65534 --clear-groups $AS"
	UID1=65534
fi

SCRIPT="$READY_LUA
local all = probe('tracepoint:syscalls:sys_enter_getppid'):count()
local bypid = probe('tracepoint:syscalls:sys_enter_getppid'):count('pid')
local two = probe('tracepoint:syscalls:sys_enter_getppid'):count('tid', 'pid')
local pcu = probe('tracepoint:syscalls:sys_enter_getppid'):count('pid', 'cpu', 'uid')
local sizes = probe('tracepoint:syscalls:sys_enter_read'):count('pid', 'count', 'fd')
local rets = probe('tracepoint:syscalls:sys_exit_read'):count('pid', 'ret')
local seen = {}
probe('tracepoint:syscalls:sys_enter_read', function(e)
  if e.fd == 0x7ffffff0 then
    local k = e.pid .. ' ' .. e.count
    seen[k] = (seen[k] or 0) + 1
  end
end)
on_exit(function()
  printf('all %d\n', all:total())
  for k, n in bypid:items() do printf('bypid %d %d\n', k.pid, n) end
  for k, n in two:items() do printf('two %d %d %d\n', k.tid, k.pid, n) end
  for k, n in pcu:items() do printf('pcu %d %d %d %d\n', k.pid, k.cpu, k.uid, n) end
  for k, n in sizes:items() do printf('sizes %d %d %d %d\n', k.pid, k.count, k.fd, n) end
  for k, n in rets:items() do printf('ret %d %d %d\n', k.pid, k.ret, n) end
  for k, n in pairs(seen) do printf('seen %s %d\n', k, n) end
end)"

# raw: 0 classic tracepoints (bpf/tp.bpf.c), 1 the syscall dispatcher
# (bpf/btf.bpf.c's raw programs)
for raw in 0 1; do
	export LUAPROBE_SYSCALL_RAW=$raw
	lp_start -e "$SCRIPT"
	lp_ready
	held=$(progs "$BG_PID")
	# on the last CPU, as nobody where setpriv can: header fields the
	# count-only program fills on request (cpu, uid) read exactly
	w1=$($AS "$SC" --name lplean1 "$N" | sed -n 's/^pid //p')
	# its own start-up reads (the loader's) are keys of their own: the
	# checks pick the keys of BAD_FD (0x7ffffff0) and of -EBADF
	w2=$("$SC" --name lplean2 --read-sizes "$SIZES" "$N" | sed -n 's/^pid //p')
	kill -INT "$BG_PID"
	lp_wait 30
	assert_eq 0 "$RC" "exit status, raw=$raw ($ERR)"
	[ "$(field all "$OUT")" -ge "$N" ] || fail "raw=$raw: unkeyed count $(field all "$OUT") < $N"
	assert_eq "bypid $w1 $N" "$(grep "^bypid $w1 " <<<"$OUT")" "count by pid, raw=$raw"
	assert_eq "two $w1 $w1 $N" "$(grep "^two $w1 " <<<"$OUT")" "count by tid and pid, raw=$raw"
	assert_eq "pcu $w1 $CPU $UID1 $N" "$(grep "^pcu $w1 " <<<"$OUT")" "count by pid, cpu and uid, raw=$raw"
	assert_eq "sizes $w2 0 2147483632 $N
sizes $w2 1 2147483632 $N
sizes $w2 1024 2147483632 $N
sizes $w2 4886718345 2147483632 $N" "$(grep "^sizes $w2 [0-9]* 2147483632 " <<<"$OUT" | sort -n -k3)" \
		"count by pid, a u64 and a u32 field, raw=$raw"
	assert_eq "ret $w2 -9 $((4 * N))" "$(grep "^ret $w2 -" <<<"$OUT")" "count by a negative return, raw=$raw"
	assert_eq "seen $w2 0 $N
seen $w2 1 $N
seen $w2 1024 $N
seen $w2 4886718345 $N" "$(grep "^seen $w2 " <<<"$OUT" | sort -n -k3)" "fields through a handler, raw=$raw"

	# the four count-only probes' programs: the lean path, the record on the stack
	if [ "$raw" = 0 ]; then
		names=$(awk '$1 ~ /^lp_tp/ { printf "%s%s", sep, $1; sep = " " }' <<<"$held")
		assert_eq "lp_tp_02 lp_tp_02 lp_tp_02 lp_tp_02 lp_tp_82 lp_tp_82 lp_tp_88" "$names" "programs held"
		small=$(awk '$1 == "lp_tp_02" { print $2 }' <<<"$held")
	else
		small=$(awk '$1 == "lp_btf_02" { print $2 }' <<<"$held")
	fi
	assert_eq 4 "$(wc -w <<<"$small")" "count-only programs, raw=$raw ($held)"
	# the first three (by load order: count(), by pid, by tid and pid); the
	# fourth calls two helpers more
	b=$(head -n 1 <<<"$small")
	[ "$b" -le "$XLATED_MAX" ] || fail "raw=$raw: an unkeyed count-only program is $b bytes after the verifier (> $XLATED_MAX): $held"
	for b in $(sed -n 2,3p <<<"$small"); do
		[ "$b" -le "$KEYED_XLATED_MAX" ] || fail "raw=$raw: a keyed count-only program is $b bytes after the verifier (> $KEYED_XLATED_MAX): $held"
	done
done

# What the kernel is handed for a count by pid (strace shows BPF_PROG_LOAD's
# insn_cnt), in both templates.
if command -v strace >/dev/null; then
	for raw in 0 1; do
		# LeakSanitizer (an LP_SANITIZE build) cannot run under ptrace
		run env LUAPROBE_SYSCALL_RAW=$raw ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			strace -f -qq -e trace=bpf -o "$TMP/st" \
			"$LUAPROBE" -e "probe('tracepoint:syscalls:sys_enter_getppid'):count('pid')
on_start(function() exit() end)"
		assert_eq 0 "$RC" "exit status under strace, raw=$raw ($ERR)"
		n=$(grep 'BPF_PROG_LOAD' "$TMP/st" | grep -E 'prog_name="lp_(tp|btf)_02"' |
			sed -n 's/.*insn_cnt=\([0-9]*\).*/\1/p')
		[ -n "$n" ] || fail "raw=$raw: no lp_tp_02/lp_btf_02 load: $(grep -o 'prog_name="[^"]*"' "$TMP/st" | paste -sd' ')"
		[ "$n" -le "$HANDED_MAX" ] || fail "raw=$raw: a count by pid hands the kernel $n instructions (> $HANDED_MAX)"
	done
fi
echo ok
