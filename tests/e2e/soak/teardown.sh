# Teardown soak (issue 10): 100 runs killed with SIGKILL, SIGINT or SIGTERM
# at a random moment, from right after the fork (during start-up: DWARF,
# loading, attaching) to well into the event loop, leave no program, link
# or map behind. Checked by holder, not by global counts (other tools may
# load programs meanwhile): every BPF object the run's process held, read
# from /proc/PID/fdinfo while it lived, is gone from the kernel (bpftool
# prog/map/link show) once it has died; and no program, map or link newer
# than the soak with luaprobe's names is left without a holder.
#   LP_SOAK_RUNS=N changes the number of runs. The soak stops starting runs
#   after LP_SOAK_SECONDS (60; 100 runs take ~70 s here alone, the ASan
#   build on a loaded machine more) and then needs at least 30 done; a run still alive 30 s after its
#   signal fails the soak, naming the run.
# ctest: run serial (it measures nothing, but it starts 100 tracers)
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid
need_cmd bpftool

FR=$FIXTURES/frames-O0
RUNS=${LP_SOAK_RUNS:-100}
BUDGET=${LP_SOAK_SECONDS:-60}
cat >"$TMP/soak.lua" <<LUA
-- probes of each family luaprobe has here: a count and a hist (maps
-- only), a handler (the ring buffer), a uprobe through DWARF, a timer
local n = 0
probe("tracepoint:syscalls:sys_enter_getppid"):count("pid")
probe("tracepoint:syscalls:sys_enter_read"):hist("count")
probe("tracepoint:syscalls:sys_enter_getppid", function(e) n = n + 1 end)
probe("uprobe:$FR:show", { fetch = { id = "f->id" } }, function(e) n = n + e.id end)
probe("uprobe:$FR:chain"):count()
every("20ms", function() n = n + 1 end)
LUA

# The largest id of each kind before the soak: anything newer is a
# candidate for the holder check at the end.
# bpftool exits non-zero when an object goes between its listing and its
# lookup (other tests free theirs meanwhile): what it printed is still true.
max_id() { { bpftool "$1" show 2>/dev/null || true; } | awk -F: '/^[0-9]+:/ { if ($1 > m) m = $1 } END { print m + 0 }'; }
base_prog=$(max_id prog)
base_map=$(max_id map)
base_link=$(max_id link)

# ids of one kind that still exist, from one listing
alive_ids() { { bpftool "$1" show 2>/dev/null || true; } | awk -F: '/^[0-9]+:/ { print $1 }'; }

# The BPF objects a live process holds: "prog 12", "map 7", "link 3".
held() {
	{ cat /proc/"$1"/fdinfo/* 2>/dev/null || true; } |
		awk '/^prog_id:/ { print "prog", $2 } /^map_id:/ { print "map", $2 } /^link_id:/ { print "link", $2 }'
}

# Job control on: bash starts the asynchronous commands of a script
# without it with SIGINT ignored, and a SIGINT sent before luaprobe blocks
# its signals (during exec and start-up) would be discarded, as it is for
# any program started so.
set -m
sigs=(KILL INT TERM)
declare -A by_sig
seen_total=0
early=0
done_runs=0
for ((i = 1; i <= RUNS && SECONDS < BUDGET; i++)); do
	done_runs=$i
	sig=${sigs[RANDOM % 3]}
	# 0-500 ms: start-up (resolving the uprobes' DWARF, loading, attaching)
	# takes the first ~100-300 ms here
	delay_ms=$((RANDOM % 500))
	((delay_ms < 150)) && early=$((early + 1))
	"$LUAPROBE" "$TMP/soak.lua" >/dev/null 2>"$TMP/soak.err" &
	pid=$!
	: >"$TMP/held"
	deadline=$(($(date +%s%N) / 1000000 + delay_ms))
	while (($(date +%s%N) / 1000000 < deadline)); do
		held "$pid" >>"$TMP/held"
	done
	kill -s "$sig" "$pid" 2>/dev/null || true
	# what it holds while it tears down (INT/TERM) is recorded too
	end_by=$((SECONDS + 30))
	while kill -0 "$pid" 2>/dev/null && [ "$(awk '{print $3}' /proc/"$pid"/stat 2>/dev/null)" != Z ]; do
		[ "$SECONDS" -lt "$end_by" ] || fail "run $i: still running 30 s after SIG$sig (sent ${delay_ms} ms after the fork): $(cat "$TMP/soak.err")"
		held "$pid" >>"$TMP/held"
	done
	rc=0
	{ wait "$pid" || rc=$?; } 2>/dev/null # bash's "Killed" notice: the status is checked here
	case $sig in
	KILL) [ "$rc" -eq 137 ] || fail "run $i: SIGKILL after ${delay_ms} ms: exit status $rc" ;;
	*) # a clean end (0), or the signal's default action before the handler was set
		[ "$rc" -eq 0 ] || [ "$rc" -eq 130 ] || [ "$rc" -eq 143 ] ||
			fail "run $i: SIG$sig after ${delay_ms} ms: exit status $rc: $(cat "$TMP/soak.err")" ;;
	esac
	by_sig[$sig]=$((${by_sig[$sig]:-0} + 1))
	sort -u "$TMP/held" -o "$TMP/held"
	seen_total=$((seen_total + $(wc -l <"$TMP/held")))
	# closing is asynchronous in places (RCU): give the kernel up to 5 s
	for ((t = 0; t < 100; t++)); do
		left=""
		for kind in prog map link; do
			awk -v k="$kind" '$1 == k { print $2 }' "$TMP/held" | sort >"$TMP/want"
			[ -s "$TMP/want" ] || continue
			alive_ids "$kind" | sort >"$TMP/alive"
			l=$(comm -12 "$TMP/want" "$TMP/alive" | tr '\n' ' ')
			[ -n "$l" ] && left="$left $kind: $l"
		done
		[ -z "$left" ] && break
		sleep 0.05
	done
	[ -z "$left" ] || fail "run $i: SIG$sig after ${delay_ms} ms left behind:$left"
done

# (a process that ends mid-listing makes cat fail: under pipefail and set -e
# that ended the soak silently, hence the "|| true")
# Objects created after the soak began that nobody holds: a leak the
# sampling above missed (made in the last moment before death). Objects of
# other tools are held by their processes (or are not ours by name).
holders=$(for f in /proc/[0-9]*/fdinfo/*; do cat "$f" 2>/dev/null || true; done |
	awk '/^(prog|map|link)_id:/ { sub(/_id:/, ""); print $1, $2 }' | sort -u)
orphans=""
for ((t = 0; t < 50; t++)); do
	orphans=""
	while read -r id name; do
		grep -qx "prog $id" <<<"$holders" || orphans="$orphans prog $id ($name)"
	done < <(bpftool prog show 2>/dev/null |
		awk -F'[: ]+' -v b="$base_prog" '/^[0-9]+:/ && $1 > b { for (i = 2; i < NF; i++) if ($i == "name") print $1, $(i + 1) }' |
		grep ' lp_' || true)
	while read -r id; do
		grep -qx "link $id" <<<"$holders" || orphans="$orphans link $id"
	done < <(bpftool link show 2>/dev/null | awk -F: -v b="$base_link" '/^[0-9]+:/ && $1 > b { print $1 }')
	[ -z "$orphans" ] && break
	sleep 0.1
	holders=$(for f in /proc/[0-9]*/fdinfo/*; do cat "$f" 2>/dev/null || true; done |
		awk '/^(prog|map|link)_id:/ { sub(/_id:/, ""); print $1, $2 }' | sort -u)
done
[ -z "$orphans" ] || fail "held by no process after the soak:$orphans"
[ "$done_runs" -ge $((RUNS < 30 ? RUNS : 30)) ] || fail "only $done_runs runs in $BUDGET s"
echo "runs $done_runs of $RUNS (KILL ${by_sig[KILL]:-0}, INT ${by_sig[INT]:-0}, TERM ${by_sig[TERM]:-0}; $early within 150 ms of the fork), $seen_total objects held and all gone"
