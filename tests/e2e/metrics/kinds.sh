# What each aggregation becomes on /metrics, exactly (read with curl):
# min/max/avg gauges, stats a summary, sum a counter, lhist a histogram with
# exact integer le bounds; label values escaped as the text format asks (a
# comm with '"', '\' and a newline) and invalid UTF-8 as U+FFFD; a glob's
# members served as one metric whose series add up; derived names from the
# script, the point and the aggregation. promtool accepts the whole text.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/metrics/prom.bash"
need_tracepoint syscalls:sys_enter_getppid
need_tracepoint syscalls:sys_enter_read
need_cmd curl
need_cmd promtool

cat >"$TMP/kinds.lua" <<LUA
local w = { where = 'comm == "lpm_s"' }
local function rd() return probe("tracepoint:syscalls:sys_enter_read", w) end
local a = rd()
a:min("count"):name("lpk_min")
a:max("count"):name("lpk_max")
local b = rd()
b:avg("count"):name("lpk_avg")
b:stats("count"):name("lpk_stats"):help("read sizes\\\\ of lpm_s\\nsecond line")
local c = rd()
c:sum("count", "comm"):name("lpk_bytes_total")
c:lhist("count", 0, 20, 5)
probe("tracepoint:syscalls:sys_enter_getppid"):count("comm"):name("lpk_comm_total")
probe("tracepoint:syscalls:sys_enter_getp*", { where = 'comm == "lpm_g"' }):count("comm")
probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "lpm_g"' })
  :count("kstack"):name("lpk_stack_total")
$READY_LUA
LUA
lp_start --metrics :0 "$TMP/kinds.lua"
lp_ready
port=$(metrics_port)
"$FIXTURES/syscaller" --name lpm_s --read-sizes 7,9,9 100 >/dev/null
"$FIXTURES/syscaller" --name 'lm"q\z' 11 >/dev/null
"$FIXTURES/syscaller" --name $'lm\nn' 12 >/dev/null
"$FIXTURES/syscaller" --name $'lm\xffx' 13 >/dev/null
"$FIXTURES/syscaller" --name lpm_g 14 >/dev/null
# the getp* glob: lpm_g's 14 getppid and the one getpid it prints its pid with
curl -s -m 10 "http://127.0.0.1:$port/metrics" >"$TMP/m.txt"
promtool check metrics <"$TMP/m.txt" >"$TMP/lint" 2>&1 || fail "promtool: $(cat "$TMP/lint")"

got=$(grep -E '^(# (HELP|TYPE) )?(lpk_|kinds_)' "$TMP/m.txt" | grep -v '^lpk_comm_total{' |
	grep -v '^\(# [A-Z]* \)\{0,1\}lpk_stack_total')
# a kernel stack key: its frames as names, innermost first, ';' between
stack=$(grep '^lpk_stack_total{' "$TMP/m.txt")
assert_eq 1 "$(grep -c . <<<"$stack")" "kernel stack series ($stack)"
case "$stack" in
'lpk_stack_total{kstack="'*';do_syscall_64+0x'*';entry_SYSCALL_64'*'"} 14') ;;
*) fail "kernel stack series: $stack" ;;
esac
comms=$(grep -E '^lpk_comm_total\{comm="(lm|lpm_g)' "$TMP/m.txt" | LC_ALL=C sort)
expected='# HELP lpk_min min of count on tracepoint:syscalls:sys_enter_read
# TYPE lpk_min gauge
lpk_min 7
# HELP lpk_max max of count on tracepoint:syscalls:sys_enter_read
# TYPE lpk_max gauge
lpk_max 9
# HELP lpk_avg avg of count on tracepoint:syscalls:sys_enter_read
# TYPE lpk_avg gauge
lpk_avg 8.3333333333333339
# HELP lpk_stats read sizes\\ of lpm_s\nsecond line
# TYPE lpk_stats summary
lpk_stats_sum 2500
lpk_stats_count 300
# HELP lpk_bytes_total sum of count on tracepoint:syscalls:sys_enter_read
# TYPE lpk_bytes_total counter
lpk_bytes_total{comm="lpm_s"} 2500
# HELP lpk_comm_total count on tracepoint:syscalls:sys_enter_getppid
# TYPE lpk_comm_total counter
# HELP kinds_sys_enter_read_lhist_count lhist of count on tracepoint:syscalls:sys_enter_read
# TYPE kinds_sys_enter_read_lhist_count histogram
kinds_sys_enter_read_lhist_count_bucket{le="-1"} 0
kinds_sys_enter_read_lhist_count_bucket{le="4"} 0
kinds_sys_enter_read_lhist_count_bucket{le="9"} 300
kinds_sys_enter_read_lhist_count_bucket{le="14"} 300
kinds_sys_enter_read_lhist_count_bucket{le="19"} 300
kinds_sys_enter_read_lhist_count_bucket{le="+Inf"} 300
kinds_sys_enter_read_lhist_count_sum 2500
kinds_sys_enter_read_lhist_count_count 300
# HELP kinds_sys_enter_getp_count_total count on tracepoint:syscalls:sys_enter_getp*
# TYPE kinds_sys_enter_getp_count_total counter
kinds_sys_enter_getp_count_total{comm="lpm_g"} 15'
assert_eq "$expected" "$got" "the served metrics"
assert_eq 'lpk_comm_total{comm="lm\"q\\z"} 11
lpk_comm_total{comm="lm\nn"} 12
lpk_comm_total{comm="lm'$'\xef\xbf\xbd''x"} 13
lpk_comm_total{comm="lpm_g"} 14' "$comms" "escaped label values"
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status ($ERR)"
exit 0
