#!/usr/bin/env bash
# bench/verified.sh: what the kernel verifies for each of five typical probes
# (issue 12): instructions loaded (the program as the object holds it),
# instructions the verifier processed (bpf_prog_info.verified_insns),
# translated bytes, and the time of the BPF_PROG_LOAD call (strace -T).
# Markdown on stdout, progress on stderr. As root. See bench/README.md.
#
# Environment:
#   LUAPROBE=build/luaprobe   the luaprobe measured
#   LUAPROBE_BEFORE=PATH      also measure this one (an older build), side by side
#   BENCH_REPS=5              runs per probe and binary (load time: median [min-max])
#   CC=cc
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
REPS=${BENCH_REPS:-5}
LUAPROBE=${LUAPROBE:-$top/build/luaprobe}
BEFORE=${LUAPROBE_BEFORE:-}

log() { printf '%s\n' "$*" >&2; }
command -v strace >/dev/null || { log "bench: needs strace (load times)"; exit 1; }

work=$(mktemp -d /tmp/lpverified.XXXXXX) || exit 1
lp_pid=
cleanup() {
	[ -n "$lp_pid" ] && kill -KILL "$lp_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${CC:-cc}" -O2 -Wall -Wextra -Werror -o "$work/proginfo" "$here/proginfo.c" -lbpf ||
	{ log "bench: cannot build proginfo"; exit 1; }
"${CC:-cc}" -g -O2 -Wall -Wextra -Werror -o "$work/uprobe_target" "$here/uprobe_target.c" ||
	{ log "bench: cannot build uprobe_target"; exit 1; }
# binaries copied at the start: a rebuild meanwhile mixes nothing
cp "$LUAPROBE" "$work/lp.after" || exit 1
[ -z "$BEFORE" ] || cp "$BEFORE" "$work/lp.before" || exit 1
[ -e /sys/kernel/tracing/events/syscalls ] || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null

READY='on_start(function() print("READY") io.stdout:flush() end)'
names=(countall count countcomm field filter hist uprobe ucount sysall syspid sysfield)
declare -A desc script envs
desc[countall]='unkeyed count: `probe("tracepoint:syscalls:sys_enter_getppid"):count()`'
script[countall]='probe("tracepoint:syscalls:sys_enter_getppid"):count()'
desc[count]='count by pid: `probe("tracepoint:syscalls:sys_enter_getppid"):count("pid")`'
script[count]='probe("tracepoint:syscalls:sys_enter_getppid"):count("pid")'
desc[countcomm]='count by comm: `probe("tracepoint:syscalls:sys_enter_getppid"):count("comm")`'
script[countcomm]='probe("tracepoint:syscalls:sys_enter_getppid"):count("comm")'
desc[field]='one field + handler: `probe("tracepoint:syscalls:sys_enter_close", function(e) n = e.fd end)`'
script[field]='probe("tracepoint:syscalls:sys_enter_close", function(e) n = e.fd end)'
desc[filter]='filter + string: `probe("tracepoint:syscalls:sys_enter_openat", { where = '"'"'comm == "lpbench"'"'"' }, function(e) s = e.filename end)`'
script[filter]='probe("tracepoint:syscalls:sys_enter_openat", { where = '"'"'comm == "lpbench"'"'"' }, function(e) s = e.filename end)'
desc[hist]='hist: `probe("tracepoint:syscalls:sys_exit_read"):hist("ret")`'
script[hist]='probe("tracepoint:syscalls:sys_exit_read"):hist("ret")'
desc[uprobe]='uprobe, 3 DWARF fields: `probe("uprobe:BIN:bench_target", { fetch = { a = "p->a", b = "p->b", c = "p->c" } }):count("a", "b", "c")`'
script[uprobe]="probe(\"uprobe:$work/uprobe_target:bench_target\", { fetch = { a = \"p->a\", b = \"p->b\", c = \"p->c\" } }):count(\"a\", \"b\", \"c\")"
desc[ucount]='uprobe, count-only: `probe("uprobe:BIN:bench_target"):count()`'
script[ucount]="probe(\"uprobe:$work/uprobe_target:bench_target\"):count()"
# the BTF template's raw program (lp_btf_<hex>) in the syscall dispatcher,
# what each of many syscalls:* probes loads (bench/scale.sh)
for c in sysall syspid sysfield; do envs[$c]=LUAPROBE_SYSCALL_RAW=1; done
desc[sysall]='dispatcher, unkeyed count: `probe("tracepoint:syscalls:sys_enter_getppid"):count()`, `LUAPROBE_SYSCALL_RAW=1`'
script[sysall]=${script[countall]}
desc[syspid]='dispatcher, count by pid: the count-only probe, `LUAPROBE_SYSCALL_RAW=1`'
script[syspid]=${script[count]}
desc[sysfield]='dispatcher, one field + handler: the `sys_enter_close` probe, `LUAPROBE_SYSCALL_RAW=1`'
script[sysfield]=${script[field]}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f [%.1f-%.1f]", v[int((NR + 1) / 2)], v[1], v[NR]; else printf "n/a" }'; }

# measure BIN CASE REP: one run under strace; the program facts once (rep 1)
measure() {
	local bin=$1 c=$2 rep=$3 out=$work/$1.$2.$3 i
	env ${envs[$c]:-} strace -f -qq -T -e trace=bpf -o "$out.strace" "$work/lp.$bin" -e "${script[$c]} $READY" \
		>"$out.out" 2>"$out.err" &
	lp_pid=$!
	for ((i = 0; i < 300; i++)); do
		grep -q READY "$out.out" 2>/dev/null && break
		kill -0 "$lp_pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q READY "$out.out"; then
		log "  $bin $c: no READY ($(head -c 300 "$out.err"))"
		kill -KILL "$lp_pid" 2>/dev/null
		wait "$lp_pid" 2>/dev/null
		lp_pid=
		return
	fi
	if [ "$rep" = 1 ]; then
		"$work/proginfo" "$(pgrep -P "$lp_pid" | head -1)" | awk '$1 ~ /^lp_/' >"$work/$bin.$c.info"
	fi
	kill -INT "$(pgrep -P "$lp_pid" | head -1)" 2>/dev/null
	wait "$lp_pid" 2>/dev/null
	lp_pid=
	# the template's program loads: "insn_cnt ms" per load
	grep 'BPF_PROG_LOAD' "$out.strace" | grep 'prog_name="lp_' |
		sed -n 's/.*insn_cnt=\([0-9]*\).*<\([0-9.]*\)>$/\1 \2/p' >>"$work/$bin.$c.loads"
	awk '{ ms += $2 * 1000 } END { printf "%.2f\n", ms }' \
		< <(grep 'BPF_PROG_LOAD' "$out.strace" | grep 'prog_name="lp_' |
			sed -n 's/.*<\([0-9.]*\)>$/0 \1/p') >>"$work/$bin.$c.ms"
}

bins=(after)
[ -z "$BEFORE" ] || bins=(before after)
for ((r = 1; r <= REPS; r++)); do
	for c in "${names[@]}"; do
		for b in "${bins[@]}"; do
			log "run $r/$REPS: $b $c"
			measure "$b" "$c" "$r"
		done
	done
done

# cell BIN CASE FIELD: verified insns / xlated bytes of the probe's programs
# (a probe may hold more than one), loaded insns of each load
cell() {
	local f=$work/$1.$2
	case $3 in
	verified) [ -s "$f.info" ] && awk '{ printf "%s%s", (NR > 1 ? " + " : ""), $3 }' "$f.info" || printf 'n/a' ;;
	xlated) [ -s "$f.info" ] && awk '{ printf "%s%s", (NR > 1 ? " + " : ""), $4 }' "$f.info" || printf 'n/a' ;;
	loaded) [ -s "$f.loads" ] && awk '{ print $1 }' "$f.loads" | sort -u | paste -sd/ || printf 'n/a' ;;
	ms) [ -s "$f.ms" ] && median <"$f.ms" || printf 'n/a' ;;
	progs) [ -s "$f.info" ] && awk '{ printf "%s%s", (NR > 1 ? "+" : ""), $1 }' "$f.info" || printf 'n/a' ;;
	esac
}

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $REPS runs per probe and binary."
echo "luaprobe: $LUAPROBE (tree $(git -C "$top" describe --always --dirty 2>/dev/null || echo '?'))${BEFORE:+; before: $BEFORE}."
echo
if [ -n "$BEFORE" ]; then
	echo "| probe | program | loaded insns before | after | verified insns before | after | xlated bytes before | after | BPF_PROG_LOAD ms before | after |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for c in "${names[@]}"; do
		echo "| ${desc[$c]} | $(cell after "$c" progs) | $(cell before "$c" loaded) | $(cell after "$c" loaded) | $(cell before "$c" verified) | $(cell after "$c" verified) | $(cell before "$c" xlated) | $(cell after "$c" xlated) | $(cell before "$c" ms) | $(cell after "$c" ms) |"
	done
else
	echo "| probe | program | loaded insns | verified insns | xlated bytes | BPF_PROG_LOAD ms |"
	echo "|---|---|---|---|---|---|"
	for c in "${names[@]}"; do
		echo "| ${desc[$c]} | $(cell after "$c" progs) | $(cell after "$c" loaded) | $(cell after "$c" verified) | $(cell after "$c" xlated) | $(cell after "$c" ms) |"
	done
fi
echo
echo "loaded insns: the program as the object hands it to the kernel (BPF_PROG_LOAD's insn_cnt);"
echo "verified insns: what the verifier processed (bpf_prog_info.verified_insns); xlated bytes:"
echo "the program after the verifier's dead-code removal; BPF_PROG_LOAD ms: the load call's time"
echo "under strace -T, every lp_* load of the probe summed, median [min-max]."
