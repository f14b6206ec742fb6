#!/usr/bin/env bash
# bench/scale.sh: start-up and memory as the script grows (issue 12), luaprobe
# beside bpftrace in the same run, alternating, as ratios. Markdown on stdout,
# progress on stderr. See bench/README.md ("Scale").
#
#   tp N     N tracepoint probes (syscalls:sys_enter_*, each counting its hits):
#            launch -> every probe attached (READY from on_start / BEGIN), and
#            the peak RSS of a run that ends there
#   up N     N uprobes on one binary (N functions of a target built here)
#   keys K   one count keyed by sys_enter_read's count over K distinct values
#            (a helper reads K times with sizes 0..K-1): the time from the
#            workload's end to the tracer's exit (the map printed, K lines to
#            a file) and the run's peak RSS
#
# Environment:
#   SCALE_TP="1 10 100"  SCALE_UP="1 10 50"  SCALE_KEYS="10 10000 1000000"
#   SCALE_REPS=5         runs per tool and case (keys: SCALE_KEY_REPS=3)
#   LUAPROBE=build/luaprobe BPFTRACE=bpftrace   SCALE_KEEP=1 keeps the work directory
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
LUAPROBE=${LUAPROBE:-$top/build/luaprobe}
BPFTRACE=${BPFTRACE:-$(command -v bpftrace || echo /usr/bin/bpftrace)}
read -r -a TPS <<<"${SCALE_TP-1 10 100}"
read -r -a UPS <<<"${SCALE_UP-1 10 50}"
read -r -a KEYS <<<"${SCALE_KEYS-10 10000 1000000}"
REPS=${SCALE_REPS:-5}
KREPS=${SCALE_KEY_REPS:-3}

work=$(mktemp -d /tmp/lpscale.XXXXXX) || exit 1
log() { printf '%s\n' "$*" >&2; }
cleanup() { if [ "${SCALE_KEEP:-0}" = 1 ]; then log "kept $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

cp "$LUAPROBE" "$work/luaprobe" || { log "scale: no $LUAPROBE"; exit 1; }
LP=$work/luaprobe
CC=${CC:-cc}
for h in firstevent peakrss; do
	"$CC" -O2 -o "$work/$h" "$here/$h.c" || { log "scale: cannot build $h"; exit 1; }
done
# the uprobe target: functions lpf000.. called through a table
nu=0
for n in "${UPS[@]}"; do [ "$n" -gt "$nu" ] && nu=$n; done
{
	echo '#include <stdlib.h>'
	for ((i = 0; i < nu; i++)); do
		printf '__attribute__((noinline)) int lpf%03d(int x) { return x + %d; }\n' "$i" "$i"
	done
	printf 'int (*tab[])(int) = {'
	for ((i = 0; i < nu; i++)); do printf 'lpf%03d,' "$i"; done
	echo '0};'
	echo 'int main(int c, char **v) { int s = 0; for (int i = 0; tab[i]; i++) s += tab[i](c); return s == 42; }'
} >"$work/lpup.c"
"$CC" -g -O1 -o "$work/lpup" "$work/lpup.c" || { log "scale: cannot build the uprobe target"; exit 1; }
# the keys workload: read(BAD_FD, NULL, i) for i in 0..K-1 under comm lpscale;
# prints its end time (CLOCK_REALTIME ns) on stderr
cat >"$work/lpkeys.c" <<'C'
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	long k = argc > 1 ? atol(argv[1]) : 10;
	struct timespec ts;
	prctl(PR_SET_NAME, "lpscale");
	for (long i = 0; i < k; i++)
		syscall(SYS_read, 0x7ffffff0L, NULL, (size_t)i);
	prctl(PR_SET_NAME, "lpkeys");
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "END %lld\n", ts.tv_sec * 1000000000LL + ts.tv_nsec);
	return 0;
}
C
"$CC" -O2 -o "$work/lpkeys" "$work/lpkeys.c" || { log "scale: cannot build lpkeys"; exit 1; }

# the tracepoints: syscalls:sys_enter_* in name order
mapfile -t tpl < <(ls /sys/kernel/tracing/events/syscalls | grep '^sys_enter_' | sort)
export BPFTRACE_MAX_PROBES=1000 BPFTRACE_MAP_KEYS_MAX=2000000

# script TOOL KIND N [exit]: the same shape for both tools
script() {
	local t=$1 k=$2 n=$3 ex=${4:-} i s=
	for ((i = 0; i < n; i++)); do
		if [ "$k" = tp ]; then
			if [ "$t" = lp ]; then
				s+="probe('tracepoint:syscalls:${tpl[$i]}'):count()"$'\n'
			else
				s+="tracepoint:syscalls:${tpl[$i]} { @c$i = count(); }"$'\n'
			fi
		else
			if [ "$t" = lp ]; then
				s+="probe('uprobe:$work/lpup:$(printf lpf%03d "$i")'):count()"$'\n'
			else
				s+="uprobe:$work/lpup:$(printf lpf%03d "$i") { @c$i = count(); }"$'\n'
			fi
		fi
	done
	if [ "$t" = lp ]; then
		s+="on_start(function() print('READY') io.stdout:flush() ${ex:+exit()} end)"
	else
		s+="BEGIN { printf(\"READY\\n\"); ${ex:+exit();} }"
	fi
	printf '%s' "$s"
}
cmd() { if [ "$1" = lp ]; then CMD=("$LP" -e "$2"); else CMD=("$BPFTRACE" -e "$2"); fi; }
put() { echo "$3" >>"$work/$1.$2"; }
order() { if [ $(($1 % 2)) = 1 ]; then echo lp bt; else echo bt lp; fi; }

run_start() { # run_start TOOL KIND N
	local v line kib st
	cmd "$1" "$(script "$1" "$2" "$3")"
	if v=$("$work/firstevent" -t 120000 -g 120000 'READY' "${CMD[@]}" 2>>"$work/$1.err"); then
		put "start.$2$3" "$1" "$v"
	else
		log "  $1 $2 $3: no READY ($(tail -n 1 "$work/$1.err"))"
	fi
	cmd "$1" "$(script "$1" "$2" "$3" exit)"
	rm -f "$work/pr"
	"$work/peakrss" -o "$work/pr" -t 300 "${CMD[@]}" >/dev/null 2>>"$work/$1.err"
	read -r line <"$work/pr" 2>/dev/null
	kib= st=
	for kv in $line; do
		case $kv in maxrss_kib=*) kib=${kv#*=} ;; status=*) st=${kv#*=} ;; esac
	done
	[ "${st:-}" = 0 ] && put "rss.$2$3" "$1" "$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')"
	log "  $1 $2 $3: start ${v:-n/a} ms, peak RSS ${kib:-n/a} KiB"
}

run_keys() { # run_keys TOOL K
	local k=$2 s line kib st t1 tend lines
	if [ "$1" = lp ]; then
		s="local c = probe('tracepoint:syscalls:sys_enter_read', { where = 'comm == \"lpscale\"', max_keys = $((k + 16)) }):count('count')
on_exit(function() c:print() end)"
	else
		s='tracepoint:syscalls:sys_enter_read /comm == "lpscale"/ { @[args->count] = count(); }'
	fi
	cmd "$1" "$s"
	rm -f "$work/pr" "$work/kout" "$work/kerr"
	"$work/peakrss" -o "$work/pr" -t 600 "${CMD[@]}" -c "$work/lpkeys $k" >"$work/kout" 2>"$work/kerr"
	t1=$(date +%s%N)
	tend=$(sed -n 's/^END //p' "$work/kerr" | tail -n 1)
	read -r line <"$work/pr" 2>/dev/null
	kib= st=
	for kv in $line; do
		case $kv in maxrss_kib=*) kib=${kv#*=} ;; status=*) st=${kv#*=} ;; esac
	done
	lines=$(grep -c '[0-9]' "$work/kout")
	if [ "${st:-}" = 0 ] && [ -n "$tend" ]; then
		put "print.$k" "$1" "$(((t1 - tend) / 1000000))"
		put "krss.$k" "$1" "$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')"
		put "lines.$k" "$1" "$lines"
	fi
	log "  $1 keys $k: end -> exit $(((t1 - ${tend:-$t1}) / 1000000)) ms, peak RSS ${kib:-n/a} KiB, $lines lines (status ${st:-?})"
}

log "scale: load $(cut -d' ' -f1-3 /proc/loadavg); luaprobe $LUAPROBE; $("$BPFTRACE" --version | head -n1)"
load0=$(cut -d' ' -f1 /proc/loadavg)
for ((r = 1; r <= REPS; r++)); do
	log "[start-up $r/$REPS]"
	for n in "${TPS[@]}"; do for t in $(order "$r"); do run_start "$t" tp "$n"; done; done
	for n in "${UPS[@]}"; do for t in $(order "$r"); do run_start "$t" up "$n"; done; done
done
for ((r = 1; r <= KREPS; r++)); do
	[ ${#KEYS[@]} -gt 0 ] || break
	log "[keys $r/$KREPS]"
	for k in "${KEYS[@]}"; do for t in $(order "$r"); do run_keys "$t" "$k"; done; done
done
load1=$(cut -d' ' -f1 /proc/loadavg)

med() { [ -s "$1" ] && sort -g "$1" | awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%s [%s-%s]", m, a[1], a[NR] }' || printf 'n/a'; }
ratio() {
	local a b
	a=$(med "$work/$1.lp") b=$(med "$work/$1.bt")
	awk -v a="${a%% *}" -v b="${b%% *}" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "n/a" }'
}
echo "## Scale: luaprobe beside bpftrace"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), $(nproc) CPUs, load average $load0 at the start, $load1 at the end;" \
	"$REPS runs of each start-up case, $KREPS of each keys case, alternating; medians [min-max]." \
	"luaprobe: $LUAPROBE (tree $(git -C "$top" describe --always --dirty 2>/dev/null)); $("$BPFTRACE" --version | head -n1)."
echo
echo "| case | start ms luaprobe | bpftrace | ratio | peak RSS MiB luaprobe | bpftrace | ratio |"
echo "|---|---|---|---|---|---|---|"
for n in "${TPS[@]}"; do
	echo "| $n tracepoint probes | $(med "$work/start.tp$n.lp") | $(med "$work/start.tp$n.bt") | $(ratio "start.tp$n") | $(med "$work/rss.tp$n.lp") | $(med "$work/rss.tp$n.bt") | $(ratio "rss.tp$n") |"
done
for n in "${UPS[@]}"; do
	echo "| $n uprobes, one binary | $(med "$work/start.up$n.lp") | $(med "$work/start.up$n.bt") | $(ratio "start.up$n") | $(med "$work/rss.up$n.lp") | $(med "$work/rss.up$n.bt") | $(ratio "rss.up$n") |"
done
if [ ${#KEYS[@]} -gt 0 ]; then
	echo
	echo "| map keys | workload end → exit ms luaprobe | bpftrace | ratio | peak RSS MiB luaprobe | bpftrace | ratio | lines printed luaprobe / bpftrace |"
	echo "|---|---|---|---|---|---|---|---|"
	for k in "${KEYS[@]}"; do
		echo "| $k | $(med "$work/print.$k.lp") | $(med "$work/print.$k.bt") | $(ratio "print.$k") | $(med "$work/krss.$k.lp") | $(med "$work/krss.$k.bt") | $(ratio "krss.$k") | $(sort -u "$work/lines.$k.lp" 2>/dev/null | paste -sd,) / $(sort -u "$work/lines.$k.bt" 2>/dev/null | paste -sd,) |"
	done
fi
echo
echo "start = launch → READY (on_start / BEGIN) through a pipe; peak RSS of a run that exits there (ru_maxrss)." \
	"Each probe counts its hits (luaprobe \`probe(P):count()\`, bpftrace \`P { @cI = count(); }\`)." \
	"Keys: \`count(\"count\")\` / \`@[args->count] = count()\` on sys_enter_read filtered by comm, under -c of the workload;" \
	"end → exit = the workload's last read to the tracer's exit (the map printed to a file, and the detach)."
