# --metrics scraped by a real Prometheus (1 s interval), read back through
# its HTTP API: two fixture processes make exactly 1234 and 567 getppid
# calls, counted by (comm, pid): the counter's two series hold exactly that;
# one of them reads 300 times with count = 700: the histogram's _count is
# 300, its _sum 210000, and histogram_quantile(1, ...) is 1023, the upper
# bound of the kernel's [512, 1024) bucket (values are integers: le="1023"
# holds them all). promtool checks the raw exposition text.
# ctest: run serial
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/metrics/prom.bash"
need_tracepoint syscalls:sys_enter_getppid
need_tracepoint syscalls:sys_enter_read
need_cmd prometheus
need_cmd promtool
need_cmd curl
trap 'prom_stop; cleanup' EXIT

cat >"$TMP/m.lua" <<LUA
local where = 'comm == "lpm_a" || comm == "lpm_b"'
probe("tracepoint:syscalls:sys_enter_getppid", { where = where })
  :count("comm", "pid"):name("lptest_getppid_total"):help("getppid calls of the fixtures")
probe("tracepoint:syscalls:sys_enter_read", { where = where }):hist("count"):name("lptest_read_bytes")
$READY_LUA
LUA
lp_start --metrics 127.0.0.1:0 "$TMP/m.lua"
lp_ready
port=$(metrics_port)
prom_start "$port"

"$FIXTURES/syscaller" --name lpm_a 1234 >"$TMP/a.out"
"$FIXTURES/syscaller" --name lpm_b 567 >"$TMP/b.out"
"$FIXTURES/syscaller" --name lpm_b --read-sizes 700 300 >"$TMP/c.out"
pid_a=$(field pid "$(cat "$TMP/a.out")")
pid_b=$(field pid "$(cat "$TMP/b.out")")

prom_wait 'lptest_getppid_total' "{comm=\"lpm_a\",pid=\"$pid_a\"} 1234
{comm=\"lpm_b\",pid=\"$pid_b\"} 567" 60
prom_wait 'lptest_read_bytes_count' '{} 300' 30
prom_wait 'lptest_read_bytes_sum' '{} 210000' 30
prom_wait 'histogram_quantile(1, lptest_read_bytes_bucket)' '{} 1023' 30
prom_wait 'lptest_read_bytes_bucket{le="511"}' '{le="511"} 0' 30
prom_wait 'luaprobe_lost_events_total' '{} 0' 30
prom_wait 'luaprobe_probes' '{point="tracepoint:syscalls:sys_enter_getppid"} 1
{point="tracepoint:syscalls:sys_enter_read"} 1' 30
prom_wait 'count(luaprobe_build_info{script="m.lua"})' '{} 1' 30
prom_wait 'up' '{} 1' 30

# the text itself, as Prometheus's own linter reads it
curl -s -m 10 "http://127.0.0.1:$port/metrics" >"$TMP/metrics.txt"
promtool check metrics <"$TMP/metrics.txt" >"$TMP/lint" 2>&1 || fail "promtool: $(cat "$TMP/lint")"
grep -q '^# TYPE lptest_getppid_total counter$' "$TMP/metrics.txt" || fail "no counter TYPE line"
grep -q '^# TYPE lptest_read_bytes histogram$' "$TMP/metrics.txt" || fail "no histogram TYPE line"
grep -q '^# HELP lptest_getppid_total getppid calls of the fixtures$' "$TMP/metrics.txt" ||
	fail "no HELP line"

# what is not GET /metrics or / is refused
assert_eq 200 "$(http_status GET "http://127.0.0.1:$port/")" "GET /"
assert_eq 404 "$(http_status GET "http://127.0.0.1:$port/nope")" "GET /nope"
assert_eq 405 "$(http_status POST "http://127.0.0.1:$port/metrics")" "POST /metrics"
assert_eq 405 "$(http_status PUT "http://127.0.0.1:$port/")" "PUT /"

kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status ($ERR)"
exit 0
