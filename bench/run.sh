#!/usr/bin/env bash
# bench/run.sh: luaprobe beside bpftrace in the same run, alternating, as ratios.
# Markdown results on stdout, progress on stderr. See bench/README.md.
#
# Environment:
#   BENCH_REPS=5            repetitions per tool and measurement
#   BENCH_SECONDS=2         workload duration for the streaming runs
#   BENCH_RATES=""          also stream at these paced rates, e.g. "100000 200000"
#   BENCH_SETTLE=0.3        seconds between the workload's end and SIGINT to the tracer
#   LUAPROBE=build/luaprobe BPFTRACE=bpftrace   the tracers
#   BENCH_LP_FLAGS=""       extra luaprobe flags (e.g. -v)
#   BENCH_LP_WRAP=""        command luaprobe runs under, e.g. "stdbuf -oL" (shown in the report)
#   BENCH_HELPERS=DIR       use helpers built there (e.g. build/bench) instead of compiling
#   BENCH_KEEP=1            keep the work directory with every raw output
#   CC=cc
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
REPS=${BENCH_REPS:-5}
DUR=${BENCH_SECONDS:-2}
RATES=${BENCH_RATES:-}
SETTLE=${BENCH_SETTLE:-0.3}
LUAPROBE=${LUAPROBE:-$top/build/luaprobe}
BPFTRACE=${BPFTRACE:-$(command -v bpftrace || echo /usr/bin/bpftrace)}
read -r -a LP_FLAGS <<<"${BENCH_LP_FLAGS:-}"
read -r -a LP_WRAP <<<"${BENCH_LP_WRAP:-}"

work=$(mktemp -d /tmp/lpbench.XXXXXX) || exit 1
res=$work/res
mkdir -p "$res" "$work/bin"
tick_pid=
tracer_pid=

log() { printf '%s\n' "$*" >&2; }

cleanup() {
	[ -n "$tick_pid" ] && kill "$tick_pid" 2>/dev/null && wait "$tick_pid" 2>/dev/null
	[ -n "$tracer_pid" ] && kill -KILL "$tracer_pid" 2>/dev/null && wait "$tracer_pid" 2>/dev/null
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		log "raw outputs kept in $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A child that has exited but is not yet reaped still answers kill -0.
running() {
	local s
	{ read -r s <"/proc/$1/stat"; } 2>/dev/null || return 1
	s=${s##*) }
	[ "${s%% *}" != Z ]
}

# ---- helpers -----------------------------------------------------------------
helpers="workload peakrss firstevent linecount"
if [ -n "${BENCH_HELPERS:-}" ]; then
	bin=$BENCH_HELPERS
else
	bin=$work/bin
	for h in $helpers; do
		"${CC:-cc}" -O2 -Wall -Wextra -Werror -o "$bin/$h" "$here/$h.c" ||
			{ log "bench: cannot build $h"; exit 1; }
	done
fi
for h in $helpers; do
	[ -x "$bin/$h" ] || { log "bench: no helper $bin/$h"; exit 1; }
done

if [ ! -e /sys/kernel/tracing/events/syscalls ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
fi

# ---- the scripts: the same work for both tools ---------------------------------
LP_FIRST='probe("tracepoint:syscalls:sys_enter_getppid", function(e) printf("EV %d\n", e.pid) exit() end)'
BT_FIRST='tracepoint:syscalls:sys_enter_getppid { printf("EV %d\n", pid); exit(); } BEGIN { printf("READY\n"); }'
LP_ONE='probe("tracepoint:syscalls:sys_enter_getppid", function(e) end) on_start(function() exit() end)'
BT_ONE='tracepoint:syscalls:sys_enter_getppid { @ = count(); } BEGIN { printf("READY\n"); exit(); }'
LP_STREAM='probe("tracepoint:syscalls:sys_enter_getppid", function(e) if e.comm == "lpbench" then printf("EV %d %s %d\n", e.pid, e.comm, e.ts) end end) on_start(function() printf("READY\n") end)'
BT_STREAM='tracepoint:syscalls:sys_enter_getppid /comm == "lpbench"/ { printf("EV %d %s %llu\n", pid, comm, nsecs); } BEGIN { printf("READY\n"); }'
LP_COUNT='local n = 0 probe("tracepoint:syscalls:sys_enter_getppid", function(e) if e.comm == "lpbench" then n = n + 1 end end) on_start(function() printf("READY\n") end) on_exit(function() printf("N %d\n", n) end)'

# setcmd TOOL SCRIPT: the command line in CMD
setcmd() {
	if [ "$1" = lp ]; then
		CMD=("${LP_WRAP[@]}" "$LUAPROBE" "${LP_FLAGS[@]}" -e "$2")
	else
		CMD=("$BPFTRACE" -e "$2")
	fi
}

# ---- which tools can run ---------------------------------------------------------
declare -A ok why
ok[bt]=1
ok[lp]=1
if [ ! -x "$BPFTRACE" ]; then
	ok[bt]=0
	why[bt]="not found at $BPFTRACE"
fi
if [ ! -x "$LUAPROBE" ]; then
	ok[lp]=0
	why[lp]="not built ($LUAPROBE missing)"
else
	# Smoke test: the one-probe script must start and end by itself.
	setcmd lp "$LP_ONE"
	timeout -k 2 20 "${CMD[@]}" >/dev/null 2>"$work/lp.smoke"
	rc=$?
	if [ $rc -ne 0 ]; then
		ok[lp]=0
		why[lp]="smoke run failed (exit $rc: $(head -n 1 "$work/lp.smoke"))"
	fi
fi
for t in lp bt; do
	[ "${ok[$t]}" = 1 ] || log "bench: $t: ${why[$t]}: its rows are n/a"
done

fail() { # fail METRIC TOOL REASON
	echo x >>"$res/$1.$2.fail"
	log "  $2 $1: failed: $3"
}
# given_up METRIC TOOL: two failures and no success yet; counts one more failure.
# A tracer that hangs costs its timeouts twice, not once per repetition.
given_up() {
	[ -f "$res/$1.$2.fail" ] && [ "$(wc -l <"$res/$1.$2.fail")" -ge 2 ] &&
		[ ! -s "$res/$1.$2" ] || return 1
	echo x >>"$res/$1.$2.fail"
	log "  $2 $1: skipped after two failures"
}
put() { echo "$3" >>"$res/$1.$2"; } # put METRIC TOOL VALUE

# Alternate which tool goes first, so that drift hits both alike.
order() { if [ $(($1 % 2)) = 1 ]; then echo lp bt; else echo bt lp; fi; }

# ---- a. start-up and memory --------------------------------------------------------
run_first() { # run_first TOOL
	local t=$1 s v
	given_up first "$t" && return
	[ "$t" = lp ] && s=$LP_FIRST || s=$BT_FIRST
	setcmd "$t" "$s"
	if v=$("$bin/firstevent" -t 5000 -g 3000 'EV ' "${CMD[@]}" 2>>"$work/$t.stderr"); then
		put first "$t" "$v"
		log "  $t first event: $v ms"
	else
		fail first "$t" "no event line in 5 s: $(tail -n 1 "$work/$t.stderr")"
	fi
}

run_one() { # run_one TOOL: launch->exit and peak RSS of the same run
	local t=$1 s line kib ms st
	given_up exit "$t" && { echo x >>"$res/rss.$t.fail"; return; }
	[ "$t" = lp ] && s=$LP_ONE || s=$BT_ONE
	setcmd "$t" "$s"
	rm -f "$work/pr"
	"$bin/peakrss" -o "$work/pr" -t 20 "${CMD[@]}" >>"$work/$t.stdout" 2>>"$work/$t.stderr"
	read -r line <"$work/pr" 2>/dev/null
	for kv in $line; do
		case $kv in
		maxrss_kib=*) kib=${kv#*=} ;;
		wall_ms=*) ms=${kv#*=} ;;
		status=*) st=${kv#*=} ;;
		esac
	done
	if [ "${st:-}" = 0 ]; then
		put exit "$t" "$ms"
		put rss "$t" "$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')"
		log "  $t launch->exit: $ms ms, peak RSS $kib KiB"
	else
		fail exit "$t" "status ${st:-unknown}"
		fail rss "$t" "status ${st:-unknown}"
	fi
}

# ---- b. streaming ---------------------------------------------------------------------
# run_stream METRIC TOOL SCRIPT WORKLOAD-ARGS...
# The tracer's stdout goes through a FIFO to linecount; the workload starts
# once the tracer printed READY (bpftrace's BEGIN, luaprobe's on_start).
run_stream() {
	local m=$1 t=$2 s=$3 i rc
	shift 3
	given_up "$m.deliv" "$t" && return
	setcmd "$t" "$s"
	rm -f "$work/fifo" "$work/ready" "$work/other" "$work/cnt" "$work/wl" "$work/err"
	mkfifo "$work/fifo"
	"$bin/linecount" -r "$work/ready" -o "$work/other" 'EV ' <"$work/fifo" >"$work/cnt" &
	local lc=$!
	# A background job of a script starts with SIGINT ignored: undo that.
	env --default-signal=INT "${CMD[@]}" >"$work/fifo" 2>"$work/err" &
	tracer_pid=$!
	for ((i = 0; i < 1000; i++)); do
		[ -e "$work/ready" ] && break
		running "$tracer_pid" || break
		sleep 0.01
	done
	if [ ! -e "$work/ready" ]; then
		kill -KILL "$tracer_pid" 2>/dev/null
		wait "$tracer_pid" 2>/dev/null
		tracer_pid=
		wait "$lc"
		cat "$work/err" >>"$work/$t.stderr"
		fail "$m.deliv" "$t" "no READY line in 10 s (stdout not flushed?): $(head -n 1 "$work/err")"
		return
	fi
	"$bin/workload" --name lpbench --stamps "$@" >"$work/wl"
	sleep "$SETTLE"
	kill -INT "$tracer_pid" 2>/dev/null
	for ((i = 0; i < 1000; i++)); do
		running "$tracer_pid" || break
		sleep 0.01
	done
	running "$tracer_pid" && kill -KILL "$tracer_pid" 2>/dev/null
	wait "$tracer_pid" 2>/dev/null
	rc=$?
	tracer_pid=
	wait "$lc"
	cat "$work/err" >>"$work/$t.stderr"

	# fired s e | count first last | lost | N (Lua count variant)
	local out
	out=$(awk -v kind="$m" '
		FILENAME ~ /wl$/ { fired = $1; s = $2; e = $3 }
		FILENAME ~ /cnt$/ {
			for (i = 1; i <= NF; i++) { split($i, kv, "="); c[kv[1]] = kv[2] }
		}
		FILENAME ~ /(err|other)$/ {
			# "luaprobe: lost N events", bpftrace "Lost N events"; absent = 0
			if (match($0, /[Ll]ost [0-9]+ events/)) {
				w = substr($0, RSTART, RLENGTH); split(w, a, " "); lost += a[2]
			}
			if (FILENAME ~ /other$/ && $1 == "N" && $2 ~ /^[0-9]+$/) n = $2
		}
		END {
			if (fired == "" || e <= s) { print "bad"; exit }
			d = (e - s) / 1e9
			if (kind ~ /^count/) {
				if (n == "") { print "bad"; exit }
				deliv = n; rate = n / d
			} else {
				deliv = c["count"]; last = c["last_ns"] > e ? c["last_ns"] : e
				rate = deliv / ((last - s) / 1e9)
			}
			printf "%.0f %.0f %d %d %d\n", rate, fired / d, lost + 0, fired - deliv - lost, deliv
		}' "$work/wl" "$work/cnt" "$work/err" "$work/other")
	if [ "$out" = bad ] || [ -z "$out" ]; then
		fail "$m.deliv" "$t" "no count (exit $rc: $(head -n 1 "$work/err"))"
		return
	fi
	local rate fired lost unacc deliv
	read -r rate fired lost unacc deliv <<<"$out"
	put "$m.deliv" "$t" "$rate"
	put "$m.fired" "$t" "$fired"
	put "$m.lost" "$t" "$lost"
	put "$m.unacc" "$t" "$unacc"
	log "  $t $m: delivered $deliv ($rate/s), fired $fired/s, lost $lost, unaccounted $unacc"
}

btver=$("$BPFTRACE" --version 2>/dev/null | head -n 1)
log "bench: $REPS reps; luaprobe: ${why[lp]:-$LUAPROBE}; bpftrace: ${btver:-${why[bt]}}"
t0=$SECONDS

"$bin/workload" --name lptick tick 200 &
tick_pid=$!
sleep 0.2
for ((r = 1; r <= REPS; r++)); do
	log "[start-up $r/$REPS]"
	for t in $(order "$r"); do
		[ "${ok[$t]}" = 1 ] || continue
		run_first "$t"
		run_one "$t"
	done
done
kill "$tick_pid" 2>/dev/null
wait "$tick_pid" 2>/dev/null
tick_pid=

for ((r = 1; r <= REPS; r++)); do
	log "[streaming $r/$REPS]"
	for t in $(order "$r"); do
		[ "${ok[$t]}" = 1 ] || continue
		if [ "$t" = lp ]; then
			run_stream flat lp "$LP_STREAM" flat "$DUR"
			run_stream count lp "$LP_COUNT" flat "$DUR"
		else
			run_stream flat bt "$BT_STREAM" flat "$DUR"
		fi
		for hz in $RATES; do
			[ "$t" = lp ] && s=$LP_STREAM || s=$BT_STREAM
			run_stream "rate$hz" "$t" "$s" rate "$hz" "$DUR"
		done
	done
done
log "bench: done in $((SECONDS - t0)) s"

# ---- report ---------------------------------------------------------------------
# stat FILE -> "median min max n" or nothing
stat() {
	[ -s "$1" ] || return
	sort -g "$1" | awk '{ a[NR] = $1 }
		END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		      print m, a[1], a[NR], NR }'
}

# fmt UNIT VALUE [bare]: bare leaves out " ms" and " MiB"
fmt() {
	awk -v u="$1" -v v="$2" -v bare="${3:-}" 'BEGIN {
		if (u == "ms") printf "%.1f%s", v, bare ? "" : " ms"
		else if (u == "MiB") printf "%.1f%s", v, bare ? "" : " MiB"
		else if (u == "rate") {
			if (v >= 1e6) printf "%.2fM", v / 1e6
			else if (v >= 1e3) printf "%.1fk", v / 1e3
			else printf "%d", v
		} else printf "%d", v
	}'
}

# cell METRIC TOOL UNIT -> "median [min-max]" (with the failures) or n/a
cell() {
	local st med lo hi fails=0
	[ -f "$res/$1.$2.fail" ] && fails=$(wc -l <"$res/$1.$2.fail")
	st=$(stat "$res/$1.$2")
	if [ -z "$st" ]; then
		printf 'n/a'
	else
		read -r med lo hi _ <<<"$st"
		printf '%s [%s-%s]' "$(fmt "$3" "$med")" "$(fmt "$3" "$lo" bare)" "$(fmt "$3" "$hi" bare)"
	fi
	[ "$fails" -gt 0 ] && printf ' (%d failed)' "$fails"
}

# row LABEL METRIC UNIT [BAR-OP BAR-VALUE [BT-METRIC]]: ratio of medians lp/bt
row() {
	local label=$1 m=$2 u=$3 op=${4:-} bar=${5:-} btm=${6:-$2} lps bts ratio=n/a verdict=
	lps=$(stat "$res/$m.lp")
	bts=$(stat "$res/$btm.bt")
	# A ratio of event counts (lost, unaccounted) means nothing.
	[ "$u" = n ] && ratio=—
	if [ -n "$lps" ] && [ -n "$bts" ] && [ "$u" != n ]; then
		ratio=$(awk -v a="${lps%% *}" -v b="${bts%% *}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }')
		if [ -n "$op" ] && [ "$ratio" != n/a ]; then
			verdict=$(awk -v r="$ratio" -v op="$op" -v b="$bar" 'BEGIN {
				pass = op == "<=" ? r <= b : r >= b; print pass ? "met" : "MISSED" }')
		fi
	fi
	local bartxt=—
	[ -n "$op" ] && bartxt="${op/<=/≤} $bar${verdict:+ $verdict}"
	[ -n "$op" ] && bartxt=${bartxt/>=/≥}
	printf '| %s | %s | %s | %s | %s |\n' "$label" "$(cell "$m" lp "$u")" \
		"$(cell "$btm" bt "$u")" "$ratio" "$bartxt"
}

echo "## luaprobe beside bpftrace"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), $(nproc) CPUs; $REPS runs of each," \
	"alternating; medians [min-max]; ratio = luaprobe/bpftrace of the medians."
echo "luaprobe: ${why[lp]:-$LUAPROBE}${LP_WRAP[*]:+, run under \`${LP_WRAP[*]}\`}." \
	"bpftrace: ${btver:-${why[bt]}}."
echo
echo "### Start-up and memory (a helper calls getppid() every 200 µs)"
echo
echo "| | luaprobe | bpftrace | ratio | bar |"
echo "|---|---|---|---|---|"
row "launch → first event" first ms "<=" 0.33
row "launch → exit, one probe that exits at once" exit ms
row "peak RSS, same script" rss MiB "<=" 0.10
echo
echo "### Streaming one line per event (workload \`flat $DUR\`, comm lpbench)"
echo
echo "| | luaprobe | bpftrace | ratio | bar |"
echo "|---|---|---|---|---|"
row "printf per event: delivered/s" flat.deliv rate ">=" 7
row "printf per event: fired/s (workload's count)" flat.fired rate
row "printf per event: lost (reported)" flat.lost n
row "printf per event: unaccounted (fired − delivered − lost)" flat.unacc n
row "count in Lua (vs bpftrace printf): handled/s" count.deliv rate ">=" 7 flat.deliv
row "count in Lua: fired/s" count.fired rate
row "count in Lua: lost (reported)" count.lost n
row "count in Lua: unaccounted" count.unacc n
for hz in $RATES; do
	row "printf at $(fmt rate "$hz")/s asked: delivered/s" "rate$hz.deliv" rate
	row "printf at $(fmt rate "$hz")/s asked: lost" "rate$hz.lost" n
done
echo
echo "delivered/s = event lines read / (last line's arrival − workload start);" \
	"Lua count: handled / workload duration. Lost: \`luaprobe: lost N events\` on stderr" \
	"(absent = 0), bpftrace's \`Lost N events\`. The tracer gets SIGINT ${SETTLE} s after the workload ends."
