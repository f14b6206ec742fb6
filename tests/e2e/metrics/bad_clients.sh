# Hostile clients of --metrics leave event processing and other scrapes
# working: a 10 MB request line (refused, closed), 1,000 idle connections
# (held until the 10 s timeout), and a client that asks for a ~2.6 MB
# /metrics and never reads it. Meanwhile a handler counts exactly 20000
# getppid events of a fixture, a 100 ms timer keeps ticking, and curl's
# scrapes all answer 200 with the exact count.
# ctest: run serial
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/metrics/prom.bash"
need_tracepoint syscalls:sys_enter_getppid
need_tracepoint syscalls:sys_enter_read
need_cmd curl
need_cmd python3
BAD="python3 $TESTS/e2e/metrics/badclient.py"
# the workload's comm, this run's own (another checkout's run of this test
# counted into ours: "handled 40000")
H=lpmh$$
H=${H:0:15}

cat >"$TMP/m.lua" <<LUA
local n, last, gap = 0, nil, 0
probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "$H"' },
      function(e) n = n + 1 end)
probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "$H"' })
  :count("comm"):name("lptest_h_total")
-- a large answer: 64 keys x 1000 buckets (~2.6 MB of text)
probe("tracepoint:syscalls:sys_enter_read", { where = 'comm == "lpm_big"' })
  :lhist("count", 0, 1000, 1, "count"):name("lptest_big")
every("100ms", function()
  local t = now()
  if last and t - last > gap then gap = t - last end
  last = t
end)
on_exit(function() printf("handled %d\nmax_gap_ms %d\n", n, gap // 1000000) end)
$READY_LUA
LUA
lp_start --metrics 127.0.0.1:0 "$TMP/m.lua"
lp_ready
port=$(metrics_port)
url="http://127.0.0.1:$port/metrics"
sizes=$(seq -s, 1 64)
"$FIXTURES/syscaller" --name lpm_big --read-sizes "$sizes" 3 >/dev/null
bytes=$(curl -s -m 30 "$url" | wc -c)
assert_range 2000000 100000000 "$bytes" "size of the large answer"

$BAD noread "$port" 12 >"$TMP/noread.out" 2>&1 &
noread=$!
$BAD idle "$port" 1000 12 >"$TMP/idle.out" 2>&1 &
idle=$!
wait_line "$TMP/noread.out" sent 20
deadline=$((SECONDS + 30))
until grep -q '^connected' "$TMP/idle.out"; do
	[ "$SECONDS" -ge "$deadline" ] && fail "idle connections not made: $(cat "$TMP/idle.out")"
	sleep 0.1
done
assert_eq "connected 1000" "$(head -1 "$TMP/idle.out")" "idle connections accepted"
$BAD longline "$port" 10 >"$TMP/long.out" 2>&1

"$FIXTURES/syscaller" --name $H 20000 >/dev/null
# scrapes by another client, while all of the above hold their connections
for i in 1 2 3 4 5; do
	r=$(curl -s -m 10 -o "$TMP/scrape.$i" -w '%{http_code} %{time_total}' "$url" || true)
	echo "scrape $i: $r" >>"$TMP/figures"
	assert_eq 200 "${r%% *}" "scrape $i's status"
	grep -q "^lptest_h_total{comm=\"$H\"} 20000$" "$TMP/scrape.$i" ||
		fail "scrape $i: $(grep lptest_h "$TMP/scrape.$i")"
done
kill -0 "$idle" 2>/dev/null || fail "the idle connections ended early: $(cat "$TMP/idle.out")"
wait "$noread" "$idle"
cat "$TMP/long.out" "$TMP/idle.out" "$TMP/noread.out" >>"$TMP/figures"
# the 10 MB line: answered with an error status and closed, long before its end
case "$(cat "$TMP/long.out")" in
"status 4"*) ;;
*) fail "10 MB request line: $(cat "$TMP/long.out")" ;;
esac
sent=$(sed 's/.* sent //' "$TMP/long.out")
assert_range 0 5000000 "$sent" "bytes of the 10 MB line sent before the server closed"
assert_eq "closed by server 1000" "$(tail -1 "$TMP/idle.out")" "idle connections closed by the timeout"

kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "handled 20000" "$(grep ^handled <<<"$OUT")" "events delivered to the handler"
gap=$(field max_gap_ms "$OUT")
echo "timer max gap ms: $gap" >>"$TMP/figures"
cat "$TMP/figures"
assert_range 0 2000 "$gap" "the 100 ms timer's longest gap (ms)"
exit 0
