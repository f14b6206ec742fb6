#!/usr/bin/env bash
# bench/many.sh: many probes (issue 10 item 8): launch to every probe
# attached, SIGINT to exit, fds and RSS while attached; luaprobe beside
# bpftrace in the same run. Markdown on stdout, progress on stderr. See
# bench/README.md ("Many probes").
#
# Environment:
#   MANY_CASES="up-glob up-same up-each tp-classic tp-raw"   which cases
#   MANY_UPROBES=200        uprobes in the up-* cases (functions in the target)
#   MANY_TRACEPOINTS=1000   probes in the tp-* cases
#   MANY_REPS=1             runs per tool and case (each run takes seconds to minutes)
#   MANY_TOOLS="lp bt"      tracers to run (lp: luaprobe, bt: bpftrace, lp0: LUAPROBE_BEFORE)
#   MANY_TIMEOUT=600        seconds a start or a stop may take before the run is n/a
#   MANY_OFFCPU=0           1: for luaprobe's stops, where its threads slept in the
#                           kernel (bpftrace on sched_switch), the top stacks in ms
#   LUAPROBE=build/luaprobe BPFTRACE=bpftrace   the tracers
#   LUAPROBE_BEFORE=PATH    another luaprobe build (tool lp0), e.g. main's, for before/after
#   MANY_KEEP=1             keep the work directory
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
LUAPROBE=${LUAPROBE:-$top/build/luaprobe}
BPFTRACE=${BPFTRACE:-$(command -v bpftrace || echo /usr/bin/bpftrace)}
read -r -a CASES <<<"${MANY_CASES:-up-glob up-same up-each tp-classic tp-raw}"
read -r -a TOOLS <<<"${MANY_TOOLS:-lp bt}"
NU=${MANY_UPROBES:-200}
NT=${MANY_TRACEPOINTS:-1000}
REPS=${MANY_REPS:-1}
TIMEOUT=${MANY_TIMEOUT:-600}
OFFCPU=${MANY_OFFCPU:-0}

work=$(mktemp -d /tmp/lpmany.XXXXXX) || exit 1
tracer_pid=
off_pid=
log() { printf '%s\n' "$*" >&2; }
cleanup() {
	[ -n "$off_pid" ] && kill -INT "$off_pid" 2>/dev/null
	[ -n "$tracer_pid" ] && kill -KILL "$tracer_pid" 2>/dev/null && wait "$tracer_pid" 2>/dev/null
	if [ "${MANY_KEEP:-0}" = 1 ]; then log "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

running() {
	local s
	{ read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# luaprobe runs from a copy: a rebuild meanwhile neither fails nor mixes builds.
cp "$LUAPROBE" "$work/luaprobe" || { log "many: no $LUAPROBE"; exit 1; }
LP=$work/luaprobe
if [ -n "${LUAPROBE_BEFORE:-}" ]; then
	cp "$LUAPROBE_BEFORE" "$work/luaprobe0" || { log "many: no $LUAPROBE_BEFORE"; exit 1; }
fi
LP0=$work/luaprobe0
# bpftrace refuses more than 512 probes unless told
export BPFTRACE_MAX_PROBES=$((NT + NU + 100))
ulimit -n "$(ulimit -Hn)"

# The target: NU small functions, each called through a table (not inlined).
T=$work/lpmany
{
	echo '#include <stdlib.h>'
	for ((i = 0; i < NU; i++)); do
		printf '__attribute__((noinline)) int lpf%03d(int x) { return x + %d; }\n' "$i" "$i"
	done
	printf 'int (*tab[])(int) = {'
	for ((i = 0; i < NU; i++)); do printf 'lpf%03d,' "$i"; done
	echo '};'
	echo 'int main(int c, char **v) { long n = c > 1 ? atol(v[1]) : 1; int s = 0;'
	echo "  for (long k = 0; k < n; k++) for (int i = 0; i < $NU; i++) s += tab[i]((int)k);"
	echo '  return s == 42; }'
} >"$T.c"
"${CC:-cc}" -g -O1 -o "$T" "$T.c" || { log "many: cannot build the target"; exit 1; }

# Tracepoints: classic (syscalls, read through perf events) and raw-capable
# ones (a probe that reads no field runs as raw_tp: those with a btf_trace_
# type, one per name, systems luaprobe never runs raw left out).
grep -E '^syscalls:sys_(enter|exit)_' /sys/kernel/tracing/available_events | sort >"$work/tp.classic"
bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null |
	sed -n "s/.*TYPEDEF 'btf_trace_\([a-z0-9_]*\)'.*/\1/p" | sort -u >"$work/btf.names"
grep -v -E '^(syscalls|ftrace|kprobes|uprobes|eprobes|synthetic):' /sys/kernel/tracing/available_events |
	sort -t: -k2,2 -u | awk -F: 'NR == FNR { b[$1] = 1; next } b[$2]' "$work/btf.names" - >"$work/tp.raw"
# NT points from a list, round robin (a tracepoint takes at most 64 programs)
pick() { awk -v n="$NT" '{ a[NR] = $0 } END { for (i = 0; i < n; i++) print a[i % NR + 1] }' "$1"; }

# script CASE TOOL FILE
script() {
	local c=$1 t=$2 f=$3 i=0 pt
	case $c.$t in
	up-glob.lp) echo "probe(\"uprobe:$T:lpf*\"):count()" ;;
	up-glob.bt) echo "uprobe:$T:lpf* { @ = count(); }" ;;
	up-same.lp) echo "for i = 1, $NU do probe(\"uprobe:$T:lpf000\"):count() end" ;;
	up-same.bt) for ((i = 0; i < NU; i++)); do echo "uprobe:$T:lpf000 { @[$i] = count(); }"; done ;;
	up-each.lp) for ((i = 0; i < NU; i++)); do printf 'probe("uprobe:%s:lpf%03d"):count()\n' "$T" "$i"; done ;;
	up-each.bt) for ((i = 0; i < NU; i++)); do printf 'uprobe:%s:lpf%03d { @[%d] = count(); }\n' "$T" "$i" "$i"; done ;;
	tp-classic.lp) pick "$work/tp.classic" | while read -r pt; do echo "probe(\"tracepoint:$pt\"):count()"; done ;;
	tp-classic.bt) pick "$work/tp.classic" | while read -r pt; do echo "tracepoint:$pt { @[$i] = count(); }"; i=$((i + 1)); done ;;
	tp-raw.lp) pick "$work/tp.raw" | while read -r pt; do echo "probe(\"tracepoint:$pt\"):count()"; done ;;
	tp-raw.bt) pick "$work/tp.raw" | while read -r pt; do echo "tracepoint:$pt { @[$i] = count(); }"; i=$((i + 1)); done ;;
	esac >"$f"
	case $t in
	lp*) echo 'on_start(function() print("READY") io.stdout:flush() end)' >>"$f" ;;
	bt) echo 'BEGIN { printf("READY\n"); }' >>"$f" ;;
	esac
}
probes() { case $1 in up-*) echo "$NU" ;; *) echo "$NT" ;; esac; }

OFF_BT='tracepoint:sched:sched_switch /pid == $1/ { @s[tid] = nsecs; @k[tid] = kstack(9); }
tracepoint:sched:sched_switch /@s[args->next_pid]/ { @ms[@k[args->next_pid]] = sum((nsecs - @s[args->next_pid]) / 1000000); delete(@s[args->next_pid]); delete(@k[args->next_pid]); }
BEGIN { printf("READY\n"); } END { clear(@s); clear(@k); print(@ms, 8); clear(@ms); }'

# run CASE TOOL REP: one row of results in $work/rows
run() {
	local c=$1 t=$2 rep=$3 f=$work/$1.$2 t0 t1 t2 fds rss rc
	script "$c" "${t/lp0/lp}" "$f.in"
	case $t in
	lp) cmd=("$LP" "$f.in") ;;
	lp0) cmd=("$LP0" "$f.in") ;;
	*) cmd=("$BPFTRACE" "$f.in") ;;
	esac
	: >"$f.out"
	t0=$(now_ms)
	"${cmd[@]}" >"$f.out" 2>"$f.err" &
	tracer_pid=$!
	until grep -q '^READY' "$f.out" 2>/dev/null; do
		if ! running "$tracer_pid" || [ $(($(now_ms) - t0)) -gt $((TIMEOUT * 1000)) ]; then
			kill -KILL "$tracer_pid" 2>/dev/null
			wait "$tracer_pid" 2>/dev/null
			tracer_pid=
			log "  $t $c: did not start: $(grep -v '^$' "$f.err" | tail -n 1)"
			echo "| $c | $t | n/a | n/a | n/a | n/a | did not start: $(grep -v '^$' "$f.err" | tail -n 1 | cut -c1-80 | tr '|' '/') |" >>"$work/rows"
			return
		fi
		sleep 0.02
	done
	t1=$(now_ms)
	fds=$(ls "/proc/$tracer_pid/fd" | wc -l)
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$tracer_pid/status")
	if [ "$OFFCPU" = 1 ] && [ "$t" != bt ]; then
		: >"$f.off"
		"$BPFTRACE" -e "$OFF_BT" "$tracer_pid" >"$f.off" 2>&1 &
		off_pid=$!
		until grep -q READY "$f.off" || ! running "$off_pid"; do sleep 0.05; done
	fi
	t1b=$(now_ms)
	kill -INT "$tracer_pid"
	wait "$tracer_pid"
	rc=$?
	t2=$(now_ms)
	tracer_pid=
	if [ -n "$off_pid" ]; then
		kill -INT "$off_pid"
		wait "$off_pid"
		off_pid=
		{ echo "#### $c, $t's stop, run $rep: ms asleep by kernel stack (all its threads)"; echo '```'; sed '/^READY/d;/^Attaching/d' "$f.off" | grep -v '^$'; echo '```'; } >>"$work/offcpu"
	fi
	local n
	n=$(probes "$c")
	echo "| $c | $t | $(((t1 - t0))) | $(((t2 - t1b))) | $fds ($(awk -v a="$fds" -v n="$n" 'BEGIN { printf "%.1f", a / n }')) | $((rss / 1024)) ($(awk -v a="$rss" -v n="$n" 'BEGIN { printf "%.0f", a / n }')) | exit $rc |" >>"$work/rows"
	log "  $t $c: start $((t1 - t0)) ms, stop $((t2 - t1b)) ms, $fds fds, RSS $((rss / 1024)) MB, exit $rc"
}

log "many: $NU uprobes, $NT tracepoint probes; cases: ${CASES[*]}; tools: ${TOOLS[*]}"
: >"$work/rows"
for ((rep = 1; rep <= REPS; rep++)); do
	for c in "${CASES[@]}"; do
		# the order flips every repetition, so that drift hits both alike
		if ((rep % 2)); then order=("${TOOLS[@]}"); else order=($(printf '%s\n' "${TOOLS[@]}" | tac)); fi
		for t in "${order[@]}"; do
			log "run $rep: $t $c"
			run "$c" "$t" "$rep"
		done
	done
done

echo "## Many probes ($(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "lp: luaprobe $(git -C "$top" describe --always --dirty 2>/dev/null)${LUAPROBE_BEFORE:+, lp0: $LUAPROBE_BEFORE}, bt: $("$BPFTRACE" --version 2>/dev/null)."
echo "Cases: up-glob: one probe on $NU functions of one binary (uprobe:BIN:lpf*); up-same: $NU probes"
echo "on one function; up-each: one probe on each of $NU functions; tp-classic: $NT probes on"
echo "syscalls:sys_{enter,exit}_* (perf-event tracepoints); tp-raw: $NT probes on tracepoints with a"
echo "raw form (luaprobe: raw_tp; bpftrace 0.17 has no rawtracepoint here: perf-event tracepoints). Each probe counts its hits."
echo
echo "| case | tool | start ms | stop ms | fds (per probe) | RSS MB (kB per probe) | |"
echo "|---|---|---|---|---|---|---|"
sort -s -t'|' -k2,2 "$work/rows"
if [ -s "$work/offcpu" ]; then
	echo
	cat "$work/offcpu"
fi
