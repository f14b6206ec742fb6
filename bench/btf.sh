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
#     on_start, bpftrace's BEGIN), of 1 and of 10 tp_btf probes.
# Markdown on stdout, progress on stderr. Root. Medians of BENCH_REPS (5) runs.
set -u
here=$(cd "$(dirname "$0")" && pwd)
LUAPROBE=${LUAPROBE:-$(dirname "$here")/build/luaprobe}
BPFTRACE=${BPFTRACE:-$(command -v bpftrace || echo /usr/bin/bpftrace)}
REPS=${BENCH_REPS:-5}
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

# start-up: launch to every probe attached
EV=(kfree_skb consume_skb sched_switch sched_wakeup sched_process_exec sched_process_exit sched_process_fork netif_receive_skb net_dev_queue sys_enter)
lp1="probe('tp_btf:kfree_skb', { fetch = { t = 'curtask->real_parent->tgid' } }):count() $READY"
lp10=""
bt10=""
for e in "${EV[@]}"; do
	lp10+="probe('tp_btf:$e', { fetch = { t = 'curtask->real_parent->tgid' } }):count() "
done
lp10+=$READY
BTEV=(skb:kfree_skb skb:consume_skb sched:sched_switch sched:sched_wakeup sched:sched_process_exec sched:sched_process_exit sched:sched_process_fork net:netif_receive_skb net:net_dev_queue raw_syscalls:sys_enter)
bt1='tracepoint:skb:kfree_skb { @ = count(); } BEGIN { printf("READY\n"); }'
for e in "${BTEV[@]}"; do bt10+="tracepoint:$e { @${e#*:} = count(); } "; done
bt10+='BEGIN { printf("READY\n"); }'
startup_ms() {
	local s e
	s=$(date +%s%N)
	start "$1" "$2" || { kill "$pid" 2>/dev/null; return; }
	e=$(date +%s%N)
	stop
	echo $(((e - s) / 1000000))
}
log "bench/btf: start-up"
for k in lp1 lp10 bt1 bt10; do : >"$work/st.$k"; done
for r in $(seq "$REPS"); do
	startup_ms lp "$lp1" >>"$work/st.lp1"
	startup_ms lp "$lp10" >>"$work/st.lp10"
	startup_ms bt "$bt1" >>"$work/st.bt1"
	startup_ms bt "$bt10" >>"$work/st.bt10"
done
echo "### Start-up of BTF tracepoint probes, launch to attached (ms, median [min-max] of $REPS; 5 ms polling)"
echo
echo "| | 1 probe | 10 probes | 10 / 1 |"
echo "|---|---|---|---|"
for t in lp bt; do
	a=$(median <"$work/st.${t}1") b=$(median <"$work/st.${t}10")
	ratio=$(awk -v a="${a%% *}" -v b="${b%% *}" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "n/a" }')
	[ $t = lp ] && name="luaprobe tp_btf, one fetch each" || name="bpftrace, the same tracepoints (0.17 has no tp_btf), count"
	echo "| $name | $a | $b | $ratio |"
done
