#!/usr/bin/env bash
# bench/metrics.sh: the cost of one --metrics scrape for 10, 10k and 100k
# series (BENCH_METRICS_SERIES), and luaprobe's RSS with them. Markdown on
# stdout. As root; needs curl and python3.
#
# The series: count("count") on sys_enter_read, filtered to one fd no
# process has (0x7ffffff0), fed by python making read(fd, buf, n) for
# n = 1..N: N keys, one counter series each. Each size is scraped
# BENCH_METRICS_SCRAPES (10) times; the table gives the median and the
# range of curl's time_total (the whole answer read over loopback) and
# the answer's size, then RSS (VmRSS, VmHWM) after the scrapes.
#
#   LUAPROBE=build/luaprobe BENCH_METRICS_SERIES="10 10000 100000"
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
LUAPROBE=${LUAPROBE:-$top/build/luaprobe}
SERIES=${BENCH_METRICS_SERIES:-10 10000 100000}
SCRAPES=${BENCH_METRICS_SCRAPES:-10}
work=$(mktemp -d)
lp=
trap '[ -n "$lp" ] && kill "$lp" 2>/dev/null; rm -rf "$work"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| series | scrape ms, median [min-max] | bytes | RSS after (VmRSS / VmHWM) | RSS before scrapes |"
echo "|---|---|---|---|---|"
for n in $SERIES; do
	cat >"$work/m.lua" <<LUA
probe("tracepoint:syscalls:sys_enter_read", { where = "fd == 0x7ffffff0", max_keys = $((n + 16)) })
  :count("count"):name("bench_reads_total")
on_start(function() print("READY") io.stdout:flush() end)
LUA
	"$LUAPROBE" --metrics 127.0.0.1:0 "$work/m.lua" >"$work/out" 2>"$work/err" &
	lp=$!
	for _ in $(seq 300); do grep -q READY "$work/out" && break; sleep 0.1; done
	port=$(sed -n 's|^luaprobe: metrics on http://127.0.0.1:\([0-9]*\)/metrics$|\1|p' "$work/err")
	[ -n "$port" ] || { echo "luaprobe did not start: $(cat "$work/err")" >&2; exit 1; }
	python3 -c "
import os
for n in range(1, $n + 1):
    try:
        os.read(0x7ffffff0, n)
    except OSError:
        pass"
	rss0=$(awk '/VmRSS/ {print $2}' /proc/$lp/status)
	got=$(curl -s "http://127.0.0.1:$port/metrics" | grep -c '^bench_reads_total{')
	[ "$got" = "$n" ] || echo "warning: $got series, not $n" >&2
	: >"$work/times"
	for _ in $(seq "$SCRAPES"); do
		curl -s -o "$work/body" -w '%{time_total}\n' "http://127.0.0.1:$port/metrics" >>"$work/times"
	done
	bytes=$(wc -c <"$work/body")
	ms=$(awk '{printf "%.1f\n", $1 * 1000}' "$work/times")
	med=$(median <<<"$ms")
	lo=$(sort -g <<<"$ms" | head -1)
	hi=$(sort -g <<<"$ms" | tail -1)
	rss=$(awk '/VmRSS/ {print $2}' /proc/$lp/status)
	hwm=$(awk '/VmHWM/ {print $2}' /proc/$lp/status)
	echo "| $n | $med [$lo-$hi] | $bytes | $((rss / 1024)) MB / $((hwm / 1024)) MB | $((rss0 / 1024)) MB |"
	kill -INT "$lp"
	wait "$lp"
	lp=
done
