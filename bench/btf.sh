#!/usr/bin/env bash
# bench/btf.sh: kernel structures through BTF, luaprobe beside bpftrace.
#  1. Program ns per event (kernel.bpf_stats_enabled) of five skb fields read on
#     each kfree_skb (UDP datagrams to a closed port on 127.0.0.1, each freed
#     with NO_SOCKET), len summed keyed by the other four: skb->protocol, skb->len, skb->dev->ifindex,
#     skb->dev->name, skb->dev->nd_net.net->loopback_dev->name. luaprobe as
#     tp_btf (direct loads), as rawtp (the same chains by bpf_probe_read_kernel),
#     through casts of tracepoint:skb:kfree_skb's skbaddr, a tp_btf count
#     without fetches (the floor); bpftrace through a cast of args->skbaddr.
#  2. Start-up, launch to the moment every probe is attached (luaprobe's
#     on_start, bpftrace's BEGIN), of 1 and of 10 tp_btf probes, and the CPU
#     time (user + system) of a run that ends once attached: on a loaded
#     machine the wall time drifts with the other jobs, the CPU time less.
# Markdown on stdout, progress on stderr. Root. Medians of BENCH_REPS (5) runs
# (BENCH_STARTUP_REPS for section 2, default the same). BENCH_BTF_ONLY=events
# or startup runs one section.
set -u
here=$(cd "$(dirname "$0")" && pwd)
LUAPROBE=${LUAPROBE:-$(dirname "$here")/build/luaprobe}
BPFTRACE=${BPFTRACE:-$(command -v bpftrace || echo /usr/bin/bpftrace)}
REPS=${BENCH_REPS:-5}
SREPS=${BENCH_STARTUP_REPS:-$REPS}
ONLY=${BENCH_BTF_ONLY:-}
N=${BENCH_BTF_N:-100000}
work=$(mktemp -d)
prev_stats=$(cat /proc/sys/kernel/bpf_stats_enabled)
trap 'sysctl -qw kernel.bpf_stats_enabled="$prev_stats"; rm -rf "$work"' EXIT
sysctl -qw kernel.bpf_stats_enabled=1
# a copy: a rebuild during the run neither fails it nor mixes two builds
cp "$LUAPROBE" "$work/luaprobe" && LUAPROBE=$work/luaprobe
log() { printf '%s\n' "$*" >&2; }
median() { sort -n | awk '{a[NR]=$1} END { if (NR) printf "%s [%s-%s]", a[int((NR+1)/2)], a[1], a[NR]; else printf "n/a" }'; }

cat >"$work/udp.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[1])):
    s.sendto(b"x" * 18, ("127.0.0.1", 9))
PY

F5='proto = "skb->protocol", len = "skb->len", ifindex = "skb->dev->ifindex", dev = "skb->dev->name", lo = "skb->dev->nd_net.net->loopback_dev->name"'
C='((struct sk_buff *)skbaddr)'
FC="proto = \"$C->protocol\", len = \"$C->len\", ifindex = \"$C->dev->ifindex\", dev = \"$C->dev->name\", lo = \"$C->dev->nd_net.net->loopback_dev->name\""
READY='on_start(function() print("READY") io.stdout:flush() end)'
declare -A script
# Every field used (without a handler luaprobe reads only what a filter or
# an aggregation uses): len summed, keyed by the four others.
AGG=':sum("len", "proto", "ifindex", "dev", "lo")'
script[tpbtf]="probe('tp_btf:kfree_skb', { fetch = { $F5 } })$AGG $READY"
script[rawtp]="probe('rawtp:kfree_skb', { fetch = { $F5 } })$AGG $READY"
script[cast]="probe('tracepoint:skb:kfree_skb', { fetch = { $FC } })$AGG $READY"
script[floor]="probe('tp_btf:kfree_skb'):count() $READY"
script[rawfloor]="probe('rawtp:kfree_skb'):count() $READY"
script[tpfloor]="probe('tracepoint:skb:kfree_skb', { fetch = { s = 'skbaddr' } }):count() $READY"
BTFLOOR='tracepoint:skb:kfree_skb { @ = count(); } BEGIN { printf("READY\n"); }'
BT='tracepoint:skb:kfree_skb { $s = (struct sk_buff *)args->skbaddr; $a = $s->protocol; $b = $s->len; $c = $s->dev->ifindex; $d = $s->dev->name; $e = $s->dev->nd_net.net->loopback_dev->name; @[$a, $c, $d, $e] = sum($b); } BEGIN { printf("READY\n"); }'

# prog_ns PID: ns per run of the programs PID holds that ran at least N times.
prog_ns() {
	local id line tns=0 cnt=0
	for id in $(sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null | sort -un); do
		line=$(bpftool prog show id "$id" 2>/dev/null | head -n 1)
		[[ $line =~ run_time_ns\ ([0-9]+)\ run_cnt\ ([0-9]+) ]] || continue
		[ "${BASH_REMATCH[2]}" -ge "$N" ] || continue
		tns=$((tns + BASH_REMATCH[1])) cnt=$((cnt + BASH_REMATCH[2]))
	done
	[ "$cnt" -gt 0 ] && awk -v t="$tns" -v n="$cnt" 'BEGIN { printf "%.1f\n", t / n }'
}

# stop: SIGINT (the tracer prints its maps and detaches), then SIGTERM if it
# is still there 5 s later (a bpftrace that missed the SIGINT).
stop() {
	kill -INT "$pid" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# start TOOL SCRIPT: the tracer in the background, until it printed READY.
start() {
	: >"$work/out"
	if [ "$1" = bt ]; then "$BPFTRACE" -e "$2" >"$work/out" 2>/dev/null &
	else "$LUAPROBE" -e "$2" >"$work/out" 2>"$work/err" & fi
	pid=$!
	for _ in $(seq 3000); do grep -q READY "$work/out" && return 0; sleep 0.005; done
	return 1
}

if [ "$ONLY" != startup ]; then
log "bench/btf: per-event cost, $N datagrams a run, $REPS runs"
ROWS="floor tpbtf rawfloor rawtp tpfloor cast btfloor bt"
for row in $ROWS; do
	: >"$work/ns.$row"
done
for r in $(seq "$REPS"); do
	for row in $ROWS; do
		if [ "$row" = bt ]; then start bt "$BT" || { kill "$pid"; continue; }
		elif [ "$row" = btfloor ]; then start bt "$BTFLOOR" || { kill "$pid"; continue; }
		else start lp "${script[$row]}" || { log "$row: $(cat "$work/err")"; kill "$pid"; continue; }; fi
		python3 "$work/udp.py" "$N"
		prog_ns "$pid" >>"$work/ns.$row"
		stop
	done
done

echo "### tp_btf: five skb fields per kfree_skb, len summed by the other four ($N datagrams to a closed UDP port; program ns per event, kernel.bpf_stats_enabled; median [min-max] of $REPS)"
echo
echo "| probe | ns/event | above the same probe's count alone |"
echo "|---|---|---|"
for row in $ROWS; do
	case $row in
	floor) what="luaprobe tp_btf:kfree_skb, count only" f= ;;
	tpbtf) what="luaprobe tp_btf:kfree_skb, five fields, sum by four (direct loads)" f=floor ;;
	rawfloor) what="luaprobe rawtp:kfree_skb, count only" f= ;;
	rawtp) what="luaprobe rawtp:kfree_skb, five fields, sum by four (bpf_probe_read_kernel)" f=rawfloor ;;
	tpfloor) what="luaprobe tracepoint:skb:kfree_skb, count (one record field)" f= ;;
	cast) what="luaprobe tracepoint:skb:kfree_skb, five fields through casts of skbaddr, sum by four (probe-read)" f=tpfloor ;;
	btfloor) what="bpftrace tracepoint:skb:kfree_skb, count only" f= ;;
	bt) what="bpftrace tracepoint:skb:kfree_skb, five fields through a cast of args->skbaddr, sum by four" f=btfloor ;;
	esac
	floor=
	[ -n "$f" ] && floor=$(median <"$work/ns.$f" | cut -d' ' -f1)
	m=$(median <"$work/ns.$row")
	v=${m%% *}
	above=
	[ -n "$f" ] && above=n/a
	[ "$v" != n/a ] && [ -n "$floor" ] && [ "$floor" != n/a ] && above=$(awk -v a="$v" -v b="$floor" 'BEGIN { printf "%+.1f", a - b }')
	echo "| $what | $m | $above |"
done
echo

fi

# start-up: launch to every probe attached; each script ends once attached
XREADY='on_start(function() print("READY") io.stdout:flush() exit() end)'
EV=(kfree_skb consume_skb sched_switch sched_wakeup sched_process_exec sched_process_exit sched_process_fork netif_receive_skb net_dev_queue sys_enter)
lp1="probe('tp_btf:kfree_skb', { fetch = { t = 'curtask->real_parent->tgid' } }):count() $XREADY"
lp10=""
bt10=""
for e in "${EV[@]}"; do
	lp10+="probe('tp_btf:$e', { fetch = { t = 'curtask->real_parent->tgid' } }):count() "
done
lp10+=$XREADY
BTEV=(skb:kfree_skb skb:consume_skb sched:sched_switch sched:sched_wakeup sched:sched_process_exec sched:sched_process_exit sched:sched_process_fork net:netif_receive_skb net:net_dev_queue raw_syscalls:sys_enter)
bt1='tracepoint:skb:kfree_skb { @ = count(); } BEGIN { printf("READY\n"); exit(); }'
for e in "${BTEV[@]}"; do bt10+="tracepoint:$e { @${e#*:} = count(); } "; done
bt10+='BEGIN { printf("READY\n"); exit(); }'
BASE=${LUAPROBE_BASE:-}
[ -n "$BASE" ] && cp "$BASE" "$work/luaprobe-base" && BASE=$work/luaprobe-base
lb1=$lp1 lb10=$lp10
tool() {
	case $1 in
	bt) echo "$BPFTRACE" ;;
	lb) echo "$BASE" ;;
	*) echo "$LUAPROBE" ;;
	esac
}
# startup_ms TOOL SCRIPT: launch to the READY line, read from a pipe
startup_ms() {
	local s bin
	bin=$(tool "$1")
	s=$EPOCHREALTIME
	"$bin" -e "$2" 2>/dev/null | {
		while read -r l; do # bpftrace says "Attaching N probes..." first
			[ "$l" = READY ] || continue
			awk -v a="$s" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'
			break
		done
		cat >/dev/null
	}
}
# cpu_ms TOOL SCRIPT: user + system CPU of the whole run (perf stat task-clock)
cpu_ms() {
	perf stat -x, -o "$work/cpu" -e task-clock "$(tool "$1")" -e "$2" >/dev/null 2>&1 &&
		awk -F, '$3 == "task-clock" { printf "%.1f\n", $1 }' "$work/cpu"
}
log "bench/btf: start-up, $SREPS runs"
TOOLS="lp bt"
[ -n "$BASE" ] && TOOLS="lp lb bt"
for t in $TOOLS; do : >"$work/st.${t}1" >"$work/st.${t}10" >"$work/cpu.${t}1" >"$work/cpu.${t}10"; done
for r in $(seq "$SREPS"); do
	for k in $(for t in $TOOLS; do echo ${t}1 ${t}10; done); do
		startup_ms "${k%%[0-9]*}" "${!k}" >>"$work/st.$k"
		command -v perf >/dev/null && cpu_ms "${k%%[0-9]*}" "${!k}" >>"$work/cpu.$k"
	done
done
echo "### Start-up of BTF tracepoint probes (ms, median [min-max] of $SREPS): launch to every probe attached (READY read from a pipe), and the CPU time (user + system, perf stat task-clock) of a run that ends there"
echo
echo "| | 1 probe | 10 probes | 10 / 1 | CPU, 1 probe | CPU, 10 probes | 10 / 1 |"
echo "|---|---|---|---|---|---|---|"
ratio() { awk -v a="${1%% *}" -v b="${2%% *}" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", b / a; else print "n/a" }'; }
for t in $TOOLS; do
	a=$(median <"$work/st.${t}1") b=$(median <"$work/st.${t}10")
	c=$(median <"$work/cpu.${t}1") d=$(median <"$work/cpu.${t}10")
	case $t in
	lp) name="luaprobe tp_btf, one fetch each (\`curtask->real_parent->tgid\`), count" ;;
	lb) name="the same, LUAPROBE_BASE ($LUAPROBE_BASE)" ;;
	bt) name="bpftrace, the same tracepoints (0.17 has no tp_btf), count" ;;
	esac
	echo "| $name | $a | $b | $(ratio "$a" "$b") | $c | $d | $(ratio "$c" "$d") |"
done
