#!/usr/bin/env bash
# bench/libc_startup.sh: launch -> every probe attached, for six uprobes on
# libc (with its debuginfo, Debian's libc6-dbg, when installed), luaprobe
# beside bpftrace in the same run, alternating. Medians of BENCH_REPS runs
# of wall time, and luaprobe's CPU time. Markdown on stdout.
#   LUAPROBE=build/luaprobe BPFTRACE=bpftrace BENCH_REPS=5
set -u
LP=${LUAPROBE:-build/luaprobe}
BT=${BPFTRACE:-bpftrace}
REPS=${BENCH_REPS:-5}
LIBC=/lib/x86_64-linux-gnu/libc.so.6
FUNCS="malloc free getpid write close strlen"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

{
	printf 'for _, f in ipairs { '
	for f in $FUNCS; do printf '"%s", ' "$f"; done
	printf '} do probe("uprobe:libc.so.6:" .. f):count() end\n'
	printf 'on_start(function() print("READY") io.stdout:flush() exit() end)\n'
} >"$work/six.lua"
bt_probes=$(for f in $FUNCS; do printf 'uprobe:%s:%s,' "$LIBC" "$f"; done)
bt_prog="${bt_probes%,} { @[probe] = count(); } BEGIN { printf(\"READY\\n\"); exit(); }"

# ms from launch to the READY line of "$@"
ready_ms() {
	local s e
	s=$(date +%s%N)
	"$@" 2>/dev/null | { read -r _; e=$(date +%s%N); echo $(((e - s) / 1000000)); cat >/dev/null; }
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: >"$work/lp" >"$work/bt" >"$work/cpu"
for _ in $(seq "$REPS"); do
	ready_ms "$LP" "$work/six.lua" >>"$work/lp"
	command -v "$BT" >/dev/null && ready_ms "$BT" -e "$bt_prog" >>"$work/bt"
	/usr/bin/time -f '%U %S' -o "$work/t" "$LP" "$work/six.lua" >/dev/null 2>&1
	awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$work/t" >>"$work/cpu"
done
lp=$(median <"$work/lp")
bt=$(median <"$work/bt")
echo "| six libc uprobes, launch -> attached | luaprobe | bpftrace | ratio | luaprobe CPU |"
echo "|---|---|---|---|---|"
printf '| median of %s | %s ms | %s | %s | %s ms |\n' "$REPS" "$lp" "${bt:+$bt ms}" \
	"$([ -n "$bt" ] && awk -v a="$lp" -v b="$bt" 'BEGIN { printf "%.2f", a / b }')" \
	"$(median <"$work/cpu")"
