#!/usr/bin/env bash
# bench/latency.sh: latency pairing under load, luaprobe's latency() (paired
# in the kernel) beside bpftrace's @start[tid] idiom, in the same run,
# alternating. Markdown on stdout, progress on stderr. See bench/README.md.
#
# The load: `workload --name lpbench --cpu C --stamps getppid N` makes N
# getppid() calls pinned to CPU C and times its own loop; each call is one
# sys_enter_getppid -> sys_exit_getppid pair. Both tools store the entry's
# time under the thread id (filtered by comm) and, at the exit, look it up,
# delete it and add the delta to a histogram; the exit's only filter is
# that lookup. Per pair: traced ns per call - bare ns per call (median of
# the bare runs on that CPU). Every pair must be counted: the histogram's
# total against N, and luaprobe's lost and unpaired/full-map reports.
#
#   LAT_N=2000000   calls (pairs) per run        LAT_REPS=3   runs per tool and CPU
#   LAT_CPUS="0 1"  CPUs the workload is pinned to
#   LAT_STATS=1     turn kernel.bpf_stats_enabled on for the run (put back at exit) and
#                   report the programs' own ns per pair: the sum over the tracer's
#                   programs that ran at least N times of run_time_ns / run_cnt
#   LUAPROBE=build/luaprobe  BPFTRACE=bpftrace  CC=cc  BENCH_KEEP=1 (keep the work dir)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
N=${LAT_N:-2000000}
REPS=${LAT_REPS:-3}
read -r -a CPUS <<<"${LAT_CPUS:-0 1}"
LUAPROBE=${LUAPROBE:-$top/build/luaprobe}
BPFTRACE=${BPFTRACE:-$(command -v bpftrace || echo /usr/bin/bpftrace)}
work=$(mktemp -d)
log() { printf '%s\n' "$*" >&2; }
tracer_pid=
STATS=${LAT_STATS:-1}
stats_restore=
cleanup() {
	[ -n "$tracer_pid" ] && kill -KILL "$tracer_pid" 2>/dev/null
	[ -n "$stats_restore" ] && sysctl -qw kernel.bpf_stats_enabled="$stats_restore"
	if [ -n "${BENCH_KEEP:-}" ]; then log "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] || { log "bench: needs root"; exit 1; }
"${CC:-cc}" -O2 -Wall -Wextra -Werror -o "$work/workload" "$here/workload.c" -lm ||
	{ log "bench: cannot build workload"; exit 1; }
cp "$LUAPROBE" "$work/luaprobe" || { log "bench: no $LUAPROBE"; exit 1; }
if [ "$STATS" = 1 ]; then
	stats_restore=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -qw kernel.bpf_stats_enabled=1
fi

# prog_ns PID: sum of run_time_ns / run_cnt over the programs PID holds that
# ran at least N times (the enter and exit programs), or "-"
prog_ns() {
	local id out tot= rt rc
	for id in $(sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null | sort -un); do
		out=$(bpftool prog show id "$id" 2>/dev/null) || continue
		rt=$(sed -n 's/.* run_time_ns \([0-9]*\).*/\1/p' <<<"$out")
		rc=$(sed -n 's/.* run_cnt \([0-9]*\).*/\1/p' <<<"$out")
		[ -n "$rc" ] && [ "$rc" -ge "$N" ] || continue
		tot=$(awk -v t="${tot:-0}" -v a="$rt" -v b="$rc" 'BEGIN { printf "%.1f", t + a / b }')
	done
	echo "${tot:--}"
}

cat >"$work/lat.lua" <<'LUA'
local s = probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "lpbench"' })
local e = probe("tracepoint:syscalls:sys_exit_getppid")
local h = latency(s, e)
on_start(function() print("READY") io.stdout:flush() end)
on_exit(function() print("PAIRS " .. h:total()) end)
LUA
cat >"$work/lat.bt" <<'BT'
tracepoint:syscalls:sys_enter_getppid /comm == "lpbench"/ { @start[tid] = nsecs; }
tracepoint:syscalls:sys_exit_getppid /@start[tid]/ { @ns = hist(nsecs - @start[tid]); delete(@start[tid]); @pairs = count(); }
BEGIN { printf("READY\n"); }
END { clear(@ns); clear(@start); }
BT

wl_ns() { awk '$1 > 0 && $3 > $2 { printf "%.1f\n", ($3 - $2) / $1 }' "$1"; }
wl_rate() { awk '$1 > 0 && $3 > $2 { printf "%.0f\n", $1 / (($3 - $2) / 1e9) }' "$1"; }
running() { [ -e "/proc/$1" ] && [ "$(sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run TOOL CPU: one traced run; appends "ns rate pairs lost note" to $work/TOOL.CPU
run() {
	local t=$1 c=$2 i ns rate pairs lost note= pns
	rm -f "$work/out" "$work/err"
	if [ "$t" = lp ]; then
		env --default-signal=INT "$work/luaprobe" -v "$work/lat.lua" >"$work/out" 2>"$work/err" &
	else
		env --default-signal=INT "$BPFTRACE" "$work/lat.bt" >"$work/out" 2>"$work/err" &
	fi
	tracer_pid=$!
	for ((i = 0; i < 3000; i++)); do
		grep -q '^READY' "$work/out" 2>/dev/null && break
		running "$tracer_pid" || break
		sleep 0.01
	done
	if ! grep -q '^READY' "$work/out"; then
		log "  $t: no READY: $(head -n 3 "$work/err")"
		kill -KILL "$tracer_pid"; wait "$tracer_pid" 2>/dev/null; tracer_pid=
		return
	fi
	"$work/workload" --name lpbench --cpu "$c" --stamps getppid "$N" >"$work/wl"
	pns=-
	[ "$STATS" = 1 ] && pns=$(prog_ns "$tracer_pid")
	kill -INT "$tracer_pid"
	for ((i = 0; i < 2000; i++)); do running "$tracer_pid" || break; sleep 0.01; done
	wait "$tracer_pid"
	tracer_pid=
	ns=$(wl_ns "$work/wl") rate=$(wl_rate "$work/wl")
	if [ "$t" = lp ]; then
		pairs=$(sed -n 's/^PAIRS //p' "$work/out")
		lost=$(sed -n 's/^luaprobe: \([0-9]*\) events lost$/\1/p' "$work/err" | tail -n1)
		# the run's totals (-v): ends without a start (getppid of other processes), a full map
		note=$(grep -E 'ends without a start$|full' "$work/err" | tr '\n' ' ')
	else
		pairs=$(sed -n 's/^@pairs: //p' "$work/out")
		lost=$(sed -n 's/.*Lost \([0-9]*\) events.*/\1/p' "$work/out" "$work/err" | head -n1)
	fi
	echo "$ns $rate ${pairs:-0} ${lost:-0} $pns $note" >>"$work/$t.$c"
	log "  $t CPU $c: $ns ns/call, $rate pairs/s, $pairs pairs (of $N), lost ${lost:-0}, programs $pns ns/pair $note"
}

bare() {
	"$work/workload" --name lpbench --cpu "$1" --stamps getppid "$N" >"$work/wl" &&
		wl_ns "$work/wl" >>"$work/bare.$1"
	log "  bare CPU $1: $(tail -n1 "$work/bare.$1") ns/call"
}

log "bench/latency.sh: $N pairs a run, $REPS runs per tool and CPU (CPUs ${CPUS[*]})"
for ((r = 0; r < REPS; r++)); do
	for c in "${CPUS[@]}"; do
		bare "$c"
		if ((r % 2)); then run bt "$c"; run lp "$c"; else run lp "$c"; run bt "$c"; fi
		bare "$c"
	done
done

echo "## Latency pairing under load: $N getppid() enter/exit pairs a run"
echo
echo "$(date -u +%Y-%m-%d), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), tree $(git -C "$top" describe --always --dirty 2>/dev/null), $("$BPFTRACE" --version 2>/dev/null)"
echo
echo "| CPU | bare ns/call | luaprobe ns/pair added | bpftrace ns/pair added | ratio | programs' ns/pair luaprobe | bpftrace | ratio | luaprobe pairs/s | luaprobe pairs counted | lost | bpftrace pairs counted |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for c in "${CPUS[@]}"; do
	b=$(median <"$work/bare.$c")
	cell() { # cell TOOL -> "median [min-max]" of added ns
		awk -v b="$b" '{ print $1 - b }' "$work/$1.$c" | sort -n |
			awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.0f [%.0f-%.0f]", m, v[1], v[NR] }'
	}
	lm=$(awk -v b="$b" '{ print $1 - b }' "$work/lp.$c" | median)
	bm=$(awk -v b="$b" '{ print $1 - b }' "$work/bt.$c" | median)
	ratio=$(awk -v l="$lm" -v t="$bm" 'BEGIN { if (t > 0) printf "%.2f", l / t; else print "n/a" }')
	lrate=$(awk '{ print $2 }' "$work/lp.$c" | median)
	lpairs=$(awk -v n="$N" '{ printf "%s%s", (NR > 1 ? ", " : ""), ($3 == n ? $3 : $3 " MISMATCH") }' "$work/lp.$c")
	llost=$(awk '{ s += $4 } END { print s + 0 }' "$work/lp.$c")
	bpairs=$(awk -v n="$N" '{ printf "%s%s", (NR > 1 ? ", " : ""), ($3 == n ? $3 : $3 " MISMATCH") }' "$work/bt.$c")
	pcell() { awk '$5 != "-" { print $5 }' "$work/$1.$c" | sort -n |
		awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.0f [%.0f-%.0f]", m, v[1], v[NR] }'; }
	lpm=$(awk '$5 != "-" { print $5 }' "$work/lp.$c" | median)
	btm=$(awk '$5 != "-" { print $5 }' "$work/bt.$c" | median)
	pratio=$(awk -v l="${lpm:-0}" -v t="${btm:-0}" 'BEGIN { if (t > 0) printf "%.2f", l / t; else print "n/a" }')
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$c" "$b" "$(cell lp)" "$(cell bt)" "$ratio" \
		"$(pcell lp)" "$(pcell bt)" "$pratio" "$lrate" "$lpairs" "$llost" "$bpairs"
done
