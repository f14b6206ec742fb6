#!/usr/bin/env bash
# bench/run.sh: luaprobe beside bpftrace in the same run, alternating, as ratios.
# Markdown results on stdout, progress on stderr. See bench/README.md.
#
# Environment:
#   BENCH_ONLY=""           sections to run, e.g. "count" or "startup,stream" (default: all:
#                           startup, stream, count, uprobe)
#   BENCH_REPS=5            repetitions per tool and measurement
#   BENCH_COUNT_REPS=3      repetitions of the in-kernel count section (each run is seconds long)
#   BENCH_COUNT_N=5000000   getppid() calls per run in the in-kernel count section
#   BENCH_COUNT_CPUS="0 1"  CPUs the count section pins the workload to
#   BENCH_COUNT_KEYS="comm pid"  the count section's tables: count by comm beside bpftrace;
#                           count by pid beside bpftrace and hand-written BPF (handcount.bpf.c)
#   BENCH_COUNT_STATS=0     1: run each count job again with kernel.bpf_stats_enabled on (off
#                           for the wall figures; put back after the section) and report
#                           each program's own ns per run too
#   BENCH_UPROBE_REPS=3     repetitions of the uprobe section
#   BENCH_UPROBE_N=200000   calls of the probed function per run in the uprobe section
#   BENCH_UPROBE_CPUS="0 1" CPUs the uprobe section pins its workload to
#   BENCH_UPROBE_STATS=1    turn kernel.bpf_stats_enabled on during the uprobe section (put
#                           back after it) to report each program's own ns per run; 0: don't
#   BENCH_SECONDS=2         workload duration for the streaming runs
#   BENCH_RATES=""          also stream at these paced rates, e.g. "100000 200000"
#   BENCH_COMM=lpbench      the streaming workload's name (another on the machine would count)
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
COMM=${BENCH_COMM:-lpbench}
SETTLE=${BENCH_SETTLE:-0.3}
COUNT_REPS=${BENCH_COUNT_REPS:-3}
COUNT_N=${BENCH_COUNT_N:-5000000}
read -r -a COUNT_CPUS <<<"${BENCH_COUNT_CPUS:-0 1}"
declare -A ckey
IFS=', ' read -r -a _ck <<<"${BENCH_COUNT_KEYS:-comm pid}"
for k in "${_ck[@]}"; do
	case $k in
	comm | pid) ckey[$k]=1 ;;
	*) printf 'bench: BENCH_COUNT_KEYS: unknown table "%s" (comm, pid)\n' "$k" >&2; exit 2 ;;
	esac
done
UPROBE_REPS=${BENCH_UPROBE_REPS:-3}
UPROBE_N=${BENCH_UPROBE_N:-200000}
read -r -a UPROBE_CPUS <<<"${BENCH_UPROBE_CPUS:-0 1}"
UPROBE_STATS=${BENCH_UPROBE_STATS:-1}
COUNT_STATS=${BENCH_COUNT_STATS:-0}
stats_restore= # kernel.bpf_stats_enabled's value to put back, once changed
LUAPROBE=${LUAPROBE:-$top/build/luaprobe}
BPFTRACE=${BPFTRACE:-$(command -v bpftrace || echo /usr/bin/bpftrace)}
read -r -a LP_FLAGS <<<"${BENCH_LP_FLAGS:-}"
read -r -a LP_WRAP <<<"${BENCH_LP_WRAP:-}"

# Sections: BENCH_ONLY="count", "startup,stream", ... (default all).
declare -A want
IFS=', ' read -r -a only <<<"${BENCH_ONLY:-startup stream count uprobe}"
for sec in "${only[@]}"; do
	case $sec in
	startup | stream | count | uprobe) want[$sec]=1 ;;
	*) printf 'bench: BENCH_ONLY: unknown section "%s" (startup, stream, count, uprobe)\n' "$sec" >&2; exit 2 ;;
	esac
done
[ ${#want[@]} -gt 0 ] || { echo "bench: BENCH_ONLY names no section" >&2; exit 2; }
on() { [ "${want[$1]:-0}" = 1 ]; }
case $COUNT_N in '' | *[!0-9]*) echo "bench: BENCH_COUNT_N must be a number" >&2; exit 2 ;; esac
case $UPROBE_N in '' | *[!0-9]*) echo "bench: BENCH_UPROBE_N must be a number" >&2; exit 2 ;; esac

work=$(mktemp -d /tmp/lpbench.XXXXXX) || exit 1
res=$work/res
mkdir -p "$res" "$work/bin"
tick_pid=
tracer_pid=

log() { printf '%s\n' "$*" >&2; }

cleanup() {
	[ -n "$stats_restore" ] && sysctl -qw kernel.bpf_stats_enabled="$stats_restore"
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
# The uprobe section's target: always built here, with -g (luaprobe reads the
# struct through DWARF), whatever BENCH_HELPERS says.
# The count section's hand-written BPF: compiled here with clang (a build-time
# tool, as for the templates), loaded by handcount.c with libbpf.
if on count && [ "${ckey[pid]:-0}" = 1 ]; then
	if ! command -v "${CLANG:-clang}" >/dev/null; then
		hc_why="no clang"
	elif ! "${CLANG:-clang}" -O2 -g -target bpf -I"/usr/include/$("${CC:-cc}" -print-multiarch 2>/dev/null)" \
		-Wall -Werror -c "$here/handcount.bpf.c" -o "$work/bin/handcount.bpf.o" 2>"$work/hc.build"; then
		hc_why="cannot build handcount.bpf.c: $(head -n 1 "$work/hc.build")"
	elif ! "${CC:-cc}" -O2 -Wall -Wextra -Werror -o "$work/bin/handcount" "$here/handcount.c" -lbpf \
		2>"$work/hc.build"; then
		hc_why="cannot build handcount.c: $(head -n 1 "$work/hc.build")"
	fi
fi
if on uprobe; then
	"${CC:-cc}" -g -O2 -Wall -Wextra -Werror -o "$work/bin/uprobe_target" "$here/uprobe_target.c" ||
		{ log "bench: cannot build uprobe_target"; exit 1; }
fi

if [ ! -e /sys/kernel/tracing/events/syscalls ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
fi

# ---- the scripts: the same work for both tools ---------------------------------
LP_FIRST='probe("tracepoint:syscalls:sys_enter_getppid", function(e) printf("EV %d\n", e.pid) exit() end)'
BT_FIRST='tracepoint:syscalls:sys_enter_getppid { printf("EV %d\n", pid); exit(); } BEGIN { printf("READY\n"); }'
LP_ONE='probe("tracepoint:syscalls:sys_enter_getppid", function(e) end) on_start(function() exit() end)'
BT_ONE='tracepoint:syscalls:sys_enter_getppid { @ = count(); } BEGIN { printf("READY\n"); exit(); }'
# Peak RSS while the event loop runs (LP_ONE ends before it, so its ring
# buffer is never mapped): a handler that ends the run at its first event,
# and a count in the kernel, no handler, that ends after 20 ms. bpftrace's
# figure beside both is BT_ONE's (a count).
LP_RSS_EV='probe("tracepoint:syscalls:sys_enter_getppid", function(e) exit() end)'
LP_RSS_COUNT='probe("tracepoint:syscalls:sys_enter_getppid"):count() after("20ms", function() exit() end)'
LP_STREAM='probe("tracepoint:syscalls:sys_enter_getppid", function(e) if e.comm == "'"$COMM"'" then printf("EV %d %s %d\n", e.pid, e.comm, e.ts) end end) on_start(function() printf("READY\n") end)'
BT_STREAM='tracepoint:syscalls:sys_enter_getppid /comm == "'"$COMM"'"/ { printf("EV %d %s %llu\n", pid, comm, nsecs); } BEGIN { printf("READY\n"); }'
LP_COUNT='local n = 0 probe("tracepoint:syscalls:sys_enter_getppid", function(e) if e.comm == "'"$COMM"'" then n = n + 1 end end) on_start(function() printf("READY\n") end) on_exit(function() printf("N %d\n", n) end)'
# Two fields read per event (issue 12's bar: >= 2M/s into such a handler)
LP_COUNT2='local n, s = 0, 0 probe("tracepoint:syscalls:sys_enter_getppid", function(e) if e.comm == "'"$COMM"'" then n = n + 1 s = s + e.pid end end) on_start(function() printf("READY\n") end) on_exit(function() printf("N %d\n", n) end)'
# In-kernel count: aggregation in the kernel, no handler, so nothing streams.
# lp_agg POINT: count by comm; lp_floor POINT: a filter that rejects every event
# and nothing else (close to the template's floor); bt_agg POINT: bpftrace's.
lp_agg() {
	printf '%s' "local c = probe(\"tracepoint:$1\", { where = 'comm == \"lpbench\"' }):count(\"comm\")
on_start(function() print(\"READY\") io.stdout:flush() end)
on_exit(function() for k, n in c:items() do print(\"COUNT\", k.comm, n) end end)"
}
lp_floor() {
	printf '%s' "probe(\"tracepoint:$1\", { where = 'pid == 1' })
on_start(function() print(\"READY\") io.stdout:flush() end)"
}
bt_agg() {
	printf '%s' "tracepoint:$1 /comm == \"lpbench\"/ { @[comm] = count(); } BEGIN { printf(\"READY\\n\"); }"
}
# count by pid, no filter (every process's events are counted; the workload's
# pid is checked): luaprobe, bpftrace, and the hand-written programs of
# handcount.bpf.c (hc: PROGRAM POINT, the raw ones attached as raw_tp)
lp_pid() {
	printf '%s' "local c = probe(\"tracepoint:$1\"):count(\"pid\")
on_start(function() print(\"READY\") io.stdout:flush() end)
on_exit(function() for k, n in c:items() do print(\"COUNT\", k.pid, n) end end)"
}
bt_pid() {
	printf '%s' "tracepoint:$1 { @[pid] = count(); } BEGIN { printf(\"READY\\n\"); }"
}
declare -A hcpoint=([tp]=syscalls:sys_enter_getppid [raw]=sys_enter)
declare -A hcprog=([tp]=tp [raw]=raw)
# The count section's rows: ROW -> attach point
declare -A cpoint=([tp]=syscalls:sys_enter_getppid [raw]=raw_syscalls:sys_enter)
# The uprobe section: bench_target(struct s *p) in uprobe_target, three
# members fetched and counted in the kernel by all three; the floors attach
# the same uprobe with nothing fetched or counted. bpftrace gets struct s from
# uprobe_target.c itself.
UTARGET=$work/bin/uprobe_target
USTRUCT=$(sed -n '/BENCH_STRUCT_BEGIN/,/BENCH_STRUCT_END/p' "$here/uprobe_target.c" | sed '1d;$d')
LP_UPROBE="local c = probe(\"uprobe:$UTARGET:bench_target\", { fetch = { a = \"p->a\", b = \"p->b\", c = \"p->c\" } }):count(\"a\", \"b\", \"c\")
on_start(function() print(\"READY\") io.stdout:flush() end)
on_exit(function() for k, n in c:items() do print(\"COUNT\", k.a, k.b, k.c, n) end end)"
LP_UFLOOR="probe(\"uprobe:$UTARGET:bench_target\", { fetch = {}, where = 'pid == 1' })
on_start(function() print(\"READY\") io.stdout:flush() end)"
BT_UPROBE="$USTRUCT
uprobe:$UTARGET:bench_target { @[((struct s *)arg0)->a, ((struct s *)arg0)->b, ((struct s *)arg0)->c] = count(); }
BEGIN { printf(\"READY\\n\"); }"
BT_UFLOOR="uprobe:$UTARGET:bench_target { } BEGIN { printf(\"READY\\n\"); }"

# setcmd TOOL SCRIPT: the command line in CMD
setcmd() {
	if [ "$1" = lp ]; then
		CMD=("${LP_WRAP[@]}" "$LP_BIN" "${LP_FLAGS[@]}" -e "$2")
	elif [ "$1" = hc ]; then
		local hcargs # "PROGRAM POINT"
		read -r -a hcargs <<<"$2"
		CMD=("$work/bin/handcount" "$work/bin/handcount.bpf.o" "${hcargs[@]}")
	else
		CMD=("$BPFTRACE" -e "$2")
	fi
}

# ---- which tools can run ---------------------------------------------------------
declare -A ok why
ok[bt]=1
ok[lp]=1
ok[hc]=1
if [ -n "${hc_why:-}" ]; then
	ok[hc]=0
	why[hc]=$hc_why
fi
if [ ! -x "$BPFTRACE" ]; then
	ok[bt]=0
	why[bt]="not found at $BPFTRACE"
fi
# Run a copy taken now: a rebuild of build/ while the benchmark runs (others
# share the machine) would otherwise fail or mix two builds in one run.
LP_BIN=$LUAPROBE
if [ -x "$LUAPROBE" ] && cp "$LUAPROBE" "$work/bin/luaprobe.snapshot" 2>/dev/null; then
	LP_BIN=$work/bin/luaprobe.snapshot
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
for t in lp bt hc; do
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

run_one() { # run_one TOOL [ev|count]: launch->exit and peak RSS of the same run
	local t=$1 v=${2:+.$2} s line kib ms st
	given_up "exit$v" "$t" && { echo x >>"$res/rss$v.$t.fail"; return; }
	[ "$t" = lp ] && s=$LP_ONE || s=$BT_ONE
	[ "$t$v" = lp.ev ] && s=$LP_RSS_EV
	[ "$t$v" = lp.count ] && s=$LP_RSS_COUNT
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
		put "exit$v" "$t" "$ms"
		put "rss$v" "$t" "$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')"
		log "  $t$v launch->exit: $ms ms, peak RSS $kib KiB"
	else
		fail "exit$v" "$t" "status ${st:-unknown}"
		fail "rss$v" "$t" "status ${st:-unknown}"
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
	"$bin/workload" --name "$COMM" --stamps "$@" >"$work/wl"
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

# ---- c. in-kernel count: added ns per event -------------------------------------------
# The workload's own clock (CLOCK_MONOTONIC around the loop) gives ns per call.
wl_ns() { # wl_ns FILE -> ns per call, or nothing
	awk '$1 > 0 && $3 > $2 { printf "%.2f\n", ($3 - $2) / $1 }' "$1" 2>/dev/null
}

run_bare() { # run_bare CPU
	local v
	if "$bin/workload" --name lpbench --cpu "$1" --stamps getppid "$COUNT_N" >"$work/wl" &&
		v=$(wl_ns "$work/wl") && [ -n "$v" ]; then
		put "bare.$1" x "$v"
		log "  bare CPU $1: $v ns/call"
	else
		log "  bare CPU $1: workload failed"
	fi
}

# tracer_start M TOOL SCRIPT: start the tracer in the background (tracer_pid)
# and wait for its READY line; on failure record it against M and return 1.
tracer_start() {
	local m=$1 t=$2 s=$3 i
	setcmd "$t" "$s"
	rm -f "$work/cout" "$work/cerr" "$work/wl"
	# A background job of a script starts with SIGINT ignored: undo that.
	env --default-signal=INT "${CMD[@]}" >"$work/cout" 2>"$work/cerr" &
	tracer_pid=$!
	for ((i = 0; i < 1000; i++)); do
		grep -q '^READY' "$work/cout" 2>/dev/null && return 0
		running "$tracer_pid" || break
		sleep 0.01
	done
	grep -q '^READY' "$work/cout" 2>/dev/null && return 0
	kill -KILL "$tracer_pid" 2>/dev/null
	wait "$tracer_pid" 2>/dev/null
	tracer_pid=
	cat "$work/cerr" >>"$work/$t.stderr"
	fail "$m" "$t" "no READY line in 10 s: $(head -n 1 "$work/cerr")"
	return 1
}

# tracer_stop TOOL: SIGINT, up to 10 s to end, then SIGKILL; its exit status
# in TRACER_RC, its stderr and other output kept in TOOL.stderr.
tracer_stop() {
	local t=$1 i
	kill -INT "$tracer_pid" 2>/dev/null
	for ((i = 0; i < 1000; i++)); do
		running "$tracer_pid" || break
		sleep 0.01
	done
	running "$tracer_pid" && kill -KILL "$tracer_pid" 2>/dev/null
	wait "$tracer_pid" 2>/dev/null
	TRACER_RC=$?
	tracer_pid=
	{ cat "$work/cerr"; sed -n '/^READY/!p' "$work/cout"; } >>"$work/$t.stderr"
}

# run_count TOOL ROW CPU SCRIPT: ROW is tp, raw (count by comm), ftp, fraw
# (luaprobe's filter-only floor), ptp, praw (count by pid: luaprobe, bpftrace,
# hand-written hash) or etp, eraw (hand-written empty program). Start the
# tracer, wait for READY, run the workload pinned to CPU, SIGINT, read the
# count it prints at exit: the comm's, or the workload's pid's.
run_count() {
	local t=$1 row=$2 c=$3 s=$4 m=cnt.$2.$3 i rc v n wpid pns
	given_up "$m" "$t" && return
	tracer_start "$m" "$t" "$s" || return
	"$bin/workload" --name lpbench --cpu "$c" --stamps getppid "$COUNT_N" >"$work/wl" &
	wpid=$!
	wait "$wpid"
	v=$(wl_ns "$work/wl")
	if [ -n "$stats_pass" ]; then
		# the stats run: the programs' own ns, nothing else (the stats'
		# clock reads add to the wall figure)
		pns=$(prog_ns "$tracer_pid" "$COUNT_N")
		[ -n "$pns" ] && put "p$m" "$t" "$pns"
		tracer_stop "$t"
		log "  $t $row CPU $c: program ${pns:-?} ns/run (bpf_stats)"
		return
	fi
	tracer_stop "$t"
	rc=$TRACER_RC
	if [ -z "$v" ]; then
		fail "$m" "$t" "workload failed"
		return
	fi
	put "$m" "$t" "$v"
	case $row in
	f* | e*) log "  $t $row CPU $c: $v ns/call (exit $rc)" ;;
	*)
		# luaprobe: "COUNT<TAB>lpbench<TAB>N" or "COUNT<TAB>PID<TAB>N";
		# bpftrace: "@[lpbench]: N" or "@[PID]: N"; handcount: "COUNT PID N".
		# None = 0.
		n=$(awk -v w="$wpid" '$1 == "COUNT" && ($2 == "lpbench" || $2 == w) { n = $3 }
			$1 == "@[lpbench]:" || $1 == "@[" w "]:" { n = $2 }
			END { print n == "" ? 0 : n }' "$work/cout")
		[ $rc = 0 ] || n="$n(exit $rc)"
		put "$m.n" "$t" "$n"
		log "  $t $row CPU $c: $v ns/call, count $n (exit $rc)"
		;;
	esac
}

# ---- d. uprobe: three fetched fields and an in-kernel count ---------------------------
run_ubare() { # run_ubare CPU
	local v
	if "$UTARGET" --cpu "$1" "$UPROBE_N" >"$work/wl" && v=$(wl_ns "$work/wl") && [ -n "$v" ]; then
		put "bare.u$1" x "$v"
		log "  uprobe bare CPU $1: $v ns/call"
	else
		log "  uprobe bare CPU $1: uprobe_target failed"
	fi
}

# ucount FILE -> "TOTAL KEYS MIN MAX" of the (a, b, c) counts a tracer printed:
# luaprobe "COUNT<TAB>a<TAB>b<TAB>c<TAB>N", bpftrace "@[a, b, c]: N".
ucount() {
	awk '$1 == "COUNT" && NF == 5 { n = $5 }
		/^@\[/ { n = $NF }
		n != "" { t += n; k++; if (min == "" || n < min) min = n; if (n > max) max = n; n = "" }
		END { printf "%d %d %d %d\n", t, k, min, max }' "$1"
}

# prog_ns PID [MIN] -> ns per run of the programs process PID holds that ran
# at least MIN times (default UPROBE_N: its uprobe programs), from
# kernel.bpf_stats_enabled's run_time_ns and run_cnt; nothing when stats are off.
prog_ns() {
	local id line tns=0 cnt=0 t n
	for id in $({ sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null || true; } | sort -un); do
		line=$(bpftool prog show id "$id" 2>/dev/null | head -n 1)
		[[ $line =~ run_time_ns\ ([0-9]+)\ run_cnt\ ([0-9]+) ]] || continue
		t=${BASH_REMATCH[1]} n=${BASH_REMATCH[2]}
		[ "$n" -ge "${2:-$UPROBE_N}" ] || continue
		tns=$((tns + t)) cnt=$((cnt + n))
	done
	[ "$cnt" -gt 0 ] && awk -v t="$tns" -v n="$cnt" 'BEGIN { printf "%.1f\n", t / n }'
}

# run_uprobe TOOL ROW CPU SCRIPT: ROW is fetch (three fields, count) or floor.
# Start the tracer, wait for READY, run uprobe_target pinned to CPU, SIGINT,
# read the counts it printed at exit.
run_uprobe() {
	local t=$1 row=$2 c=$3 s=$4 m=u.$2.$3 i rc v pns tot keys lo hi exact
	given_up "$m" "$t" && return
	tracer_start "$m" "$t" "$s" || return
	"$UTARGET" --cpu "$c" "$UPROBE_N" >"$work/wl"
	v=$(wl_ns "$work/wl")
	pns=
	[ -n "$stats_restore" ] && pns=$(prog_ns "$tracer_pid")
	tracer_stop "$t"
	rc=$TRACER_RC
	if [ -z "$v" ]; then
		fail "$m" "$t" "uprobe_target failed"
		return
	fi
	put "$m" "$t" "$v"
	[ -n "$pns" ] && put "p$m" "$t" "$pns"
	if [ "$row" = floor ]; then
		log "  $t uprobe floor CPU $c: $v ns/call${pns:+, program $pns ns/run} (exit $rc)"
		return
	fi
	# exact: every call counted once, N/8 under each of the 8 keys
	read -r tot keys lo hi <<<"$(ucount "$work/cout")"
	exact=0
	if [ "$tot" = "$UPROBE_N" ] && { [ $((UPROBE_N % 8)) != 0 ] ||
		{ [ "$keys" = 8 ] && [ "$lo" = $((UPROBE_N / 8)) ] && [ "$hi" = "$lo" ]; }; }; then
		exact=1
	fi
	[ $rc = 0 ] || exact=0
	put "$m.n" "$t" "$tot $keys $exact $rc"
	log "  $t uprobe fetch+count CPU $c: $v ns/call${pns:+, program $pns ns/run}, count $tot in $keys keys [$lo-$hi] (exit $rc)"
}

# rotate R WORDS...: the words, starting at the (R mod n)th, so every position
# gets each in turn across repetitions.
rotate() {
	local r=$1 i
	shift
	local a=("$@")
	for ((i = 0; i < ${#a[@]}; i++)); do
		printf '%s ' "${a[$(((i + r) % ${#a[@]}))]}"
	done
}

btver=$("$BPFTRACE" --version 2>/dev/null | head -n 1)
log "bench: sections ${!want[*]}; $REPS reps${want[count]:+ ($COUNT_REPS in the count section)}${want[uprobe]:+ ($UPROBE_REPS in the uprobe section)};" \
	"luaprobe: ${why[lp]:-$LUAPROBE}; bpftrace: ${btver:-${why[bt]}}"
t0=$SECONDS

on startup && {
	"$bin/workload" --name lptick tick 200 &
	tick_pid=$!
	sleep 0.2
}
for ((r = 1; r <= REPS; r++)); do
	on startup || break
	log "[start-up $r/$REPS]"
	for t in $(order "$r"); do
		[ "${ok[$t]}" = 1 ] || continue
		run_first "$t"
		run_one "$t"
		if [ "$t" = lp ]; then run_one lp ev; run_one lp count; fi
	done
done
if [ -n "$tick_pid" ]; then
	kill "$tick_pid" 2>/dev/null
	wait "$tick_pid" 2>/dev/null
	tick_pid=
fi

for ((r = 1; r <= REPS; r++)); do
	on stream || break
	log "[streaming $r/$REPS]"
	for t in $(order "$r"); do
		[ "${ok[$t]}" = 1 ] || continue
		if [ "$t" = lp ]; then
			run_stream flat lp "$LP_STREAM" flat "$DUR"
			run_stream count lp "$LP_COUNT" flat "$DUR"
			run_stream count2 lp "$LP_COUNT2" flat "$DUR"
		else
			run_stream flat bt "$BT_STREAM" flat "$DUR"
		fi
		for hz in $RATES; do
			[ "$t" = lp ] && s=$LP_STREAM || s=$BT_STREAM
			run_stream "rate$hz" "$t" "$s" rate "$hz" "$DUR"
		done
	done
done

# Per repetition and CPU: a bare run, then on syscalls:sys_enter_getppid in
# rotating order luaprobe's count by comm, bpftrace's and luaprobe's floor;
# luaprobe's count by pid, bpftrace's, the hand-written hash count and the
# hand-written empty program; another bare run, then the same on
# raw_syscalls:sys_enter (the hand-written ones as raw_tp).
# With BENCH_COUNT_STATS=1 each job runs twice: with kernel.bpf_stats_enabled
# off for the wall figures (the stats read the clock twice a run, ~40 ns
# here, which would add to every row alike and pull every ratio towards 1),
# then on for the programs' own ns.
stats_pass=
if on count && [ "$COUNT_STATS" = 1 ] && [ "$COUNT_REPS" -gt 0 ]; then
	prev=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null)
	if [ -n "$prev" ] && sysctl -qw kernel.bpf_stats_enabled=0; then
		stats_restore=$prev
	else
		log "bench: cannot set kernel.bpf_stats_enabled: no program ns per run"
	fi
fi
for ((r = 1; r <= COUNT_REPS; r++)); do
	on count || break
	log "[in-kernel count $r/$COUNT_REPS]"
	cpus=$(rotate "$r" "${COUNT_CPUS[@]}")
	for c in $cpus; do
		for row in tp raw; do
			run_bare "$c"
			jobs=()
			[ "${ckey[comm]:-0}" = 1 ] && jobs+=("lp.$row" "bt.$row" "lp.f$row")
			[ "${ckey[pid]:-0}" = 1 ] && jobs+=("lp.p$row" "bt.p$row" "hc.p$row" "hc.e$row")
			for job in $(rotate "$r" "${jobs[@]}"); do
				t=${job%%.*}
				[ "${ok[$t]}" = 1 ] || continue
				case $job in
				lp.f*) s=$(lp_floor "${cpoint[$row]}") ;;
				lp.p*) s=$(lp_pid "${cpoint[$row]}") ;;
				bt.p*) s=$(bt_pid "${cpoint[$row]}") ;;
				hc.p*) s="${hcprog[$row]}_hash ${hcpoint[$row]}" ;;
				hc.e*) s="${hcprog[$row]}_empty ${hcpoint[$row]}" ;;
				lp.*) s=$(lp_agg "${cpoint[$row]}") ;;
				bt.*) s=$(bt_agg "${cpoint[$row]}") ;;
				esac
				run_count "$t" "${job#*.}" "$c" "$s"
				if [ -n "$stats_restore" ] && sysctl -qw kernel.bpf_stats_enabled=1; then
					stats_pass=1
					run_count "$t" "${job#*.}" "$c" "$s"
					stats_pass=
					sysctl -qw kernel.bpf_stats_enabled=0
				fi
			done
		done
	done
done
cstats=$stats_restore
if [ -n "$stats_restore" ]; then
	sysctl -qw kernel.bpf_stats_enabled="$stats_restore"
	stats_restore=
fi
if on uprobe && [ "$UPROBE_STATS" = 1 ] && [ "${UPROBE_REPS:-0}" -gt 0 ]; then
	prev=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null)
	if [ -n "$prev" ] && sysctl -qw kernel.bpf_stats_enabled=1; then
		stats_restore=$prev
	else
		log "bench: cannot turn kernel.bpf_stats_enabled on: no program ns per run"
	fi
fi
# Per repetition and CPU: a bare run, then the four tracer runs in rotating
# order (luaprobe and bpftrace with the fetches and the count, and each one's
# floor), then another bare run.
for ((r = 1; r <= UPROBE_REPS; r++)); do
	on uprobe || break
	log "[uprobe $r/$UPROBE_REPS]"
	cpus=$(rotate "$r" "${UPROBE_CPUS[@]}")
	for c in $cpus; do
		run_ubare "$c"
		for job in $(rotate "$r" lp.fetch bt.fetch lp.floor bt.floor); do
			t=${job%%.*}
			[ "${ok[$t]}" = 1 ] || continue
			case $job in
			lp.fetch) s=$LP_UPROBE ;;
			bt.fetch) s=$BT_UPROBE ;;
			lp.floor) s=$LP_UFLOOR ;;
			bt.floor) s=$BT_UFLOOR ;;
			esac
			run_uprobe "$t" "${job#*.}" "$c" "$s"
		done
		run_ubare "$c"
	done
done
ustats=$stats_restore
if [ -n "$stats_restore" ]; then
	sysctl -qw kernel.bpf_stats_enabled="$stats_restore"
	stats_restore=
fi
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
		else if (u == "f1") printf "%.1f", v
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

# ---- report: in-kernel count ------------------------------------------------------
# added METRIC TOOL CPU -> "median min max n" of ns/call minus the bare median on CPU
added() {
	local st b
	st=$(stat "$res/$1.$2")
	b=$(stat "$res/bare.$3.x")
	[ -n "$st" ] && [ -n "$b" ] || return
	awk -v st="$st" -v b="${b%% *}" 'BEGIN { split(st, a, " ")
		printf "%.1f %.1f %.1f %d\n", a[1] - b, a[2] - b, a[3] - b, a[4] }'
}

# acell METRIC TOOL CPU -> "added [min-max]" (with the failures) or n/a
acell() {
	local st med lo hi fails=0
	[ -f "$res/$1.$2.fail" ] && fails=$(wc -l <"$res/$1.$2.fail")
	st=$(added "$1" "$2" "$3")
	if [ -z "$st" ]; then
		printf 'n/a'
	else
		read -r med lo hi _ <<<"$st"
		awk -v m="$med" -v l="$lo" -v h="$hi" 'BEGIN {
			printf "%.0f [%.0f%s%.0f]", m, l, l < 0 ? " to " : "-", h }'
	fi
	[ "$fails" -gt 0 ] && printf ' (%d failed)' "$fails"
}

# quot A B OP BAR -> "ratio verdict" of two "median ..." strings, or "n/a"
quot() {
	[ -n "$1" ] && [ -n "$2" ] || { printf 'n/a'; return; }
	awk -v a="${1%% *}" -v b="${2%% *}" -v op="$3" -v bar="$4" 'BEGIN {
		if (b <= 0) { printf "n/a"; exit }
		r = sprintf("%.2f", a / b); printf "%s", r
		if (op != "") printf " %s", (r + 0 <= bar + 0 ? "met" : "MISSED") }'
}

# ccell METRIC TOOL EXPECTED -> the counts printed at exit against EXPECTED
ccell() {
	local f="$res/$1.n.$2" out
	[ -s "$f" ] || { printf 'n/a'; return; }
	out=$(awk -v e="$3" '{ n++; if ($1 == e) ok++; else bad = bad (bad == "" ? "" : ", ") $1 }
		END { if (ok == n) printf "%d, exact (%d/%d)", e, ok, n
		      else printf "**MISMATCH**: %d/%d exact, got %s", ok, n, bad }' "$f")
	case $out in *MISMATCH*) echo x >>"$res/count.bad" ;; esac
	printf '%s' "$out"
}

# pcell METRIC TOOL EXPECTED: a count by pid on raw_syscalls, the workload's
# pid: EXPECTED plus the calls of its own start-up (exec, the loader: the
# tracer was attached before the fork), the same few every run
pcell() {
	local f="$res/$1.n.$2" out
	[ -s "$f" ] || { printf 'n/a'; return; }
	out=$(awk -v e="$3" '{ n++; k = $1 - e
			if ($1 ~ /^[0-9]+$/ && k >= 0 && k < 1000) { ok++; if (lo == "" || k < lo) lo = k; if (hi == "" || k > hi) hi = k }
			else bad = bad (bad == "" ? "" : ", ") $1 }
		END { if (ok == n) printf "%d + %s%s start-up calls (%d/%d)", e, lo, (hi > lo ? "-" hi : ""), ok, n
		      else printf "**MISMATCH**: %d/%d of %d + fewer than 1000, got %s", ok, n, e, bad }' "$f")
	case $out in *MISMATCH*) echo x >>"$res/count.bad" ;; esac
	printf '%s' "$out"
}

count_report() {
	on count || return 0
	local row c label bar exp lps bts fls hcs hes pr pf ph pe cc bare
	echo "### In-kernel count: added ns per event ($COUNT_N getppid() calls pinned to one CPU, comm lpbench)"
	echo
	bare=
	for c in "${COUNT_CPUS[@]}"; do
		bare+="${bare:+; }CPU $c $(cell bare.$c x f1) ns/call"
	done
	echo "Bare (no tracer): $bare."
	echo
	if [ "${ckey[comm]:-0}" = 1 ]; then
	echo "| probe | CPU | luaprobe | bpftrace | ratio | bar | luaprobe ÷ floor-ish | bar | luaprobe count | bpftrace count |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for row in tp raw; do
		[ $row = tp ] && bar=0.7 exp=$COUNT_N || bar=0.6 exp=$((COUNT_N + 1))
		for c in "${COUNT_CPUS[@]}"; do
			lps=$(added "cnt.$row.$c" lp "$c")
			bts=$(added "cnt.$row.$c" bt "$c")
			fls=$(added "cnt.f$row.$c" lp "$c")
			pr=$(quot "$lps" "$bts" "<=" "$bar")
			pf=$(quot "$lps" "$fls" "<=" 1.3)
			# "ratio verdict" -> ratio | bar verdict
			printf '| %s, count by comm | %s | %s | %s | %s | ≤ %s%s | %s | ≤ 1.3%s | %s | %s |\n' \
				"${cpoint[$row]}" "$c" "$(acell "cnt.$row.$c" lp "$c")" \
				"$(acell "cnt.$row.$c" bt "$c")" "${pr%% *}" "$bar" "${pr#"${pr%% *}"}" \
				"${pf%% *}" "${pf#"${pf%% *}"}" \
				"$(ccell "cnt.$row.$c" lp "$exp")" "$(ccell "cnt.$row.$c" bt "$exp")"
		done
	done
	for row in tp raw; do
		for c in "${COUNT_CPUS[@]}"; do
			printf '| luaprobe filter-only (floor-ish), %s | %s | %s | — | — | — | — | — | — | — |\n' \
				"${cpoint[$row]}" "$c" "$(acell "cnt.f$row.$c" lp "$c")"
		done
	done
	echo
	echo "Added ns per event = the workload's ns per getppid() traced − the median bare on that CPU" \
		"(medians [min-max] over $COUNT_REPS runs each; $((COUNT_REPS * 2)) bare runs per CPU); ratio = luaprobe/bpftrace" \
		"of the added medians; ÷ floor-ish = luaprobe's count over its filter-only program" \
		"(\`where = 'pid == 1'\`, nothing counted) on the same attach point."
	echo "Counts are what each tracer printed at exit: exactly $COUNT_N on the getppid tracepoint;" \
		"on raw_syscalls $((COUNT_N + 1)) (the workload's prctl that puts its name back after the loop)."
	fi
	if [ "${ckey[pid]:-0}" = 1 ]; then
	[ "${ckey[comm]:-0}" = 1 ] && echo
	echo "Count by pid, no filter, beside hand-written BPF (\`bench/handcount.bpf.c\`: a hash map keyed by the pid," \
		"lookup and atomic add or insert; on raw_syscalls a raw tracepoint) and the empty program of the same attach type:"
	echo
	echo "| probe | CPU | luaprobe | hand-written hash | ÷ hand-written | bar | hand-written empty | luaprobe ÷ empty | bar | bpftrace | luaprobe ÷ bpftrace | luaprobe count | hand-written count | bpftrace count |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for row in tp raw; do
		for c in "${COUNT_CPUS[@]}"; do
			lps=$(added "cnt.p$row.$c" lp "$c")
			hcs=$(added "cnt.p$row.$c" hc "$c")
			hes=$(added "cnt.e$row.$c" hc "$c")
			bts=$(added "cnt.p$row.$c" bt "$c")
			ph=$(quot "$lps" "$hcs" "<=" 1.05)
			pe=$(quot "$lps" "$hes" "<=" 1.3)
			pr=$(quot "$lps" "$bts" "" "")
			if [ $row = tp ]; then cc=ccell exp=$COUNT_N; else cc=pcell exp=$((COUNT_N + 1)); fi
			printf '| %s, count by pid | %s | %s | %s | %s | ≤ 1.05%s | %s | %s | ≤ 1.3%s | %s | %s | %s | %s | %s |\n' \
				"${cpoint[$row]}" "$c" "$(acell "cnt.p$row.$c" lp "$c")" \
				"$(acell "cnt.p$row.$c" hc "$c")" "${ph%% *}" "${ph#"${ph%% *}"}" \
				"$(acell "cnt.e$row.$c" hc "$c")" "${pe%% *}" "${pe#"${pe%% *}"}" \
				"$(acell "cnt.p$row.$c" bt "$c")" "$pr" \
				"$($cc "cnt.p$row.$c" lp "$exp")" "$($cc "cnt.p$row.$c" hc "$exp")" \
				"$($cc "cnt.p$row.$c" bt "$exp")"
		done
	done
	echo
	echo "Same runs and bare figures; no filter, so on raw_syscalls every system call of every process" \
		"runs the program. luaprobe: \`probe(POINT):count(\"pid\")\`; bpftrace: \`@[pid] = count();\`." \
		"Counts are the workload's pid's: exactly $COUNT_N on the getppid tracepoint; on raw_syscalls" \
		"$((COUNT_N + 1)) plus the system calls of the workload's own start-up (fork to exec and the loader)."
	fi
	if [ -n "$cstats" ]; then
		echo
		echo "The BPF programs' own ns per run (each job run again with kernel.bpf_stats_enabled on; the wall" \
			"figures above are from the runs with it off; run_time_ns / run_cnt" \
			"of the programs that ran at least $COUNT_N times; on raw_syscalls every process's system calls):"
		echo
		echo "| probe | CPU | luaprobe by pid | hand-written hash | ÷ hand-written | hand-written empty | luaprobe ÷ empty | bpftrace by pid | luaprobe by comm | bpftrace by comm | luaprobe floor-ish |"
		echo "|---|---|---|---|---|---|---|---|---|---|---|"
		for row in tp raw; do
			for c in "${COUNT_CPUS[@]}"; do
				printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "${cpoint[$row]}" "$c" \
					"$(cell "pcnt.p$row.$c" lp f1)" "$(cell "pcnt.p$row.$c" hc f1)" \
					"$(quot "$(stat "$res/pcnt.p$row.$c.lp")" "$(stat "$res/pcnt.p$row.$c.hc")" "" "")" \
					"$(cell "pcnt.e$row.$c" hc f1)" \
					"$(quot "$(stat "$res/pcnt.p$row.$c.lp")" "$(stat "$res/pcnt.e$row.$c.hc")" "" "")" \
					"$(cell "pcnt.p$row.$c" bt f1)" "$(cell "pcnt.$row.$c" lp f1)" \
					"$(cell "pcnt.$row.$c" bt f1)" "$(cell "pcnt.f$row.$c" lp f1)"
			done
		done
	fi
	if [ -s "$res/count.bad" ]; then
		echo
		echo "**A count did not match.** If bpftrace's is off too, another \`lpbench\` process" \
			"ran during the measurement; if only luaprobe's is, that is a luaprobe bug."
	fi
}

# ---- report: uprobe ----------------------------------------------------------------
# uccell METRIC TOOL -> the counts printed at exit, every run, against UPROBE_N
uccell() {
	local f="$res/$1.n.$2" out
	[ -s "$f" ] || { printf 'n/a'; return; }
	out=$(awk -v e="$UPROBE_N" '{ n++; if ($3 == 1) ok++; else bad = bad (bad == "" ? "" : ", ") $1 " in " $2 " keys" ($4 != 0 ? " (exit " $4 ")" : "") }
		END { if (ok == n) printf "%d, exact (%d/%d)", e, ok, n
		      else printf "**MISMATCH**: %d/%d exact, got %s", ok, n, bad }' "$f")
	case $out in *MISMATCH*) echo x >>"$res/ucount.bad" ;; esac
	printf '%s' "$out"
}

uprobe_report() {
	on uprobe || return 0
	local c bare lps bts
	on count && echo # count_report ends without a blank line
	echo "### Uprobe: three fields fetched, counted in the kernel ($UPROBE_N calls of a noinline function pinned to one CPU)"
	echo
	bare=
	for c in "${UPROBE_CPUS[@]}"; do
		bare+="${bare:+; }CPU $c $(cell "bare.u$c" x f1) ns/call"
	done
	echo "Bare (no tracer): $bare."
	echo
	echo "| CPU | luaprobe | bpftrace | ratio | luaprobe floor | bpftrace floor | luaprobe count | bpftrace count |"
	echo "|---|---|---|---|---|---|---|---|"
	for c in "${UPROBE_CPUS[@]}"; do
		lps=$(added "u.fetch.$c" lp "u$c")
		bts=$(added "u.fetch.$c" bt "u$c")
		printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$c" \
			"$(acell "u.fetch.$c" lp "u$c")" "$(acell "u.fetch.$c" bt "u$c")" "$(quot "$lps" "$bts" "" "")" \
			"$(acell "u.floor.$c" lp "u$c")" "$(acell "u.floor.$c" bt "u$c")" \
			"$(uccell "u.fetch.$c" lp)" "$(uccell "u.fetch.$c" bt)"
	done
	echo
	echo "Added ns per call = uprobe_target's ns per call traced − the median bare on that CPU" \
		"(medians [min-max] over $UPROBE_REPS runs each; $((UPROBE_REPS * 2)) bare runs per CPU); ratio = luaprobe/bpftrace" \
		"of the added medians. luaprobe: \`probe(\"uprobe:BIN:bench_target\", { fetch = { a = \"p->a\", b = \"p->b\", c = \"p->c\" } }):count(\"a\", \"b\", \"c\")\`;" \
		"bpftrace: \`uprobe:BIN:bench_target { @[((struct s *)arg0)->a, ((struct s *)arg0)->b, ((struct s *)arg0)->c] = count(); }\`" \
		"with struct s's definition. Floors: the same uprobe, nothing fetched or counted" \
		"(luaprobe \`{ fetch = {}, where = 'pid == 1' }\`, bpftrace \`{ }\`): mostly the uprobe's own trap."
	echo "Counts: what each printed at exit, every run: exactly $UPROBE_N calls," \
		"$((UPROBE_N / 8)) under each of the 8 keys (a, b, c)."
	if [ -s "$res/ucount.bad" ]; then
		echo
		echo "**A count did not match.** If bpftrace's is off too, another uprobe_target ran meanwhile;" \
			"if only luaprobe's is, that is a luaprobe bug."
	fi
	if [ -n "$ustats" ]; then
		echo
		echo "The BPF programs' own ns per run (kernel.bpf_stats_enabled, run_time_ns / run_cnt; the trap is not in it):"
		echo
		echo "| CPU | luaprobe | bpftrace | ratio | luaprobe floor | bpftrace floor | ratio |"
		echo "|---|---|---|---|---|---|---|"
		for c in "${UPROBE_CPUS[@]}"; do
			printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$c" \
				"$(cell "pu.fetch.$c" lp f1)" "$(cell "pu.fetch.$c" bt f1)" \
				"$(quot "$(stat "$res/pu.fetch.$c.lp")" "$(stat "$res/pu.fetch.$c.bt")" "" "")" \
				"$(cell "pu.floor.$c" lp f1)" "$(cell "pu.floor.$c" bt f1)" \
				"$(quot "$(stat "$res/pu.floor.$c.lp")" "$(stat "$res/pu.floor.$c.bt")" "" "")"
		done
	fi
	echo
}

echo "## luaprobe beside bpftrace"
echo
runs=
{ on startup || on stream; } && runs="$REPS runs of each"
if on count && [ -n "$runs" ]; then
	runs+=" ($COUNT_REPS in the in-kernel count section)"
elif on count; then
	runs="$COUNT_REPS runs of each in the in-kernel count section"
fi
if on uprobe && [ -n "$runs" ]; then
	runs+=" ($UPROBE_REPS in the uprobe section)"
elif on uprobe; then
	runs="$UPROBE_REPS runs of each in the uprobe section"
fi
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), $(nproc) CPUs; $runs," \
	"alternating; medians [min-max]; ratio = luaprobe/bpftrace of the medians."
rev=$(git -C "$top" describe --always --dirty 2>/dev/null)
echo "luaprobe: ${why[lp]:-$LUAPROBE${rev:+ (tree $rev)}, copied at the start}${LP_WRAP[*]:+, run under \`${LP_WRAP[*]}\`}." \
	"bpftrace: ${btver:-${why[bt]}}."
echo
if on startup; then
	echo "### Start-up and memory (a helper calls getppid() every 200 µs)"
	echo
	echo "| | luaprobe | bpftrace | ratio | bar |"
	echo "|---|---|---|---|---|"
	row "launch → first event" first ms "<=" 0.15
	row "launch → exit, one probe that exits at once" exit ms
	row "peak RSS, same script (luaprobe's loop never runs)" rss MiB
	row "peak RSS, a handler that runs (luaprobe ends at its first event)" rss.ev MiB "<=" 0.10 rss
	row "peak RSS, count-only (luaprobe \`:count()\`, no handler, 20 ms)" rss.count MiB "<=" 0.07 rss
	echo
fi
on stream || { count_report; uprobe_report; exit 0; }
echo "### Streaming one line per event (workload \`flat $DUR\`, comm $COMM)"
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
row "two fields in Lua (comm, pid), vs bpftrace printf: handled/s" count2.deliv rate ">=" 7 flat.deliv
row "two fields in Lua: fired/s (the producer)" count2.fired rate
row "two fields in Lua: lost (reported)" count2.lost n
row "two fields in Lua: unaccounted" count2.unacc n
for hz in $RATES; do
	row "printf at $(fmt rate "$hz")/s asked: delivered/s" "rate$hz.deliv" rate
	row "printf at $(fmt rate "$hz")/s asked: lost" "rate$hz.lost" n
done
echo
echo "delivered/s = event lines read / (last line's arrival − workload start);" \
	"Lua count: handled / workload duration. Lost: \`luaprobe: lost N events\` on stderr" \
	"(absent = 0), bpftrace's \`Lost N events\`. The tracer gets SIGINT ${SETTLE} s after the workload ends."
echo
count_report
uprobe_report
