# An aggregation without keys is one series known from the start: before its
# first event /metrics serves it at 0 (a count, a sum, a stats summary, a
# hist's +Inf bucket, an lhist's every bound), so that a scraper's first
# sample is the baseline: a counter appearing at 2 would lose those 2 from
# increase(). min, max and avg of nothing, and keyed aggregations, have no
# series yet. After 2 reads of 7 bytes, the same series count them.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/metrics/prom.bash"
need_tracepoint syscalls:sys_enter_read
need_cmd curl
need_cmd promtool

# the process's own name: another run of this test beside this one (another
# checkout's suite) reads as another comm
COMM=lpm_z$$
cat >"$TMP/empty.lua" <<LUA
local function rd()
  return probe("tracepoint:syscalls:sys_enter_read", { where = 'comm == "$COMM"' })
end
local a, b, c, d, e = rd(), rd(), rd(), rd(), rd()
a:count():name("lpz_reads_total")
a:sum("count"):name("lpz_bytes_total")
b:stats("count"):name("lpz_stats")
b:hist("count"):name("lpz_size")
c:lhist("count", 0, 20, 5):name("lpz_lsize")
c:min("count"):name("lpz_min")
d:max("count"):name("lpz_max")
d:avg("count"):name("lpz_avg")
e:count("comm"):name("lpz_comm_total")
$READY_LUA
LUA
lp_start --metrics :0 "$TMP/empty.lua"
lp_ready
port=$(metrics_port)
curl -s -m 10 "http://127.0.0.1:$port/metrics" >"$TMP/m.txt"
promtool check metrics <"$TMP/m.txt" >"$TMP/lint" 2>&1 || fail "promtool: $(cat "$TMP/lint")"
assert_eq 'lpz_reads_total 0
lpz_bytes_total 0
lpz_stats_sum 0
lpz_stats_count 0
lpz_size_bucket{le="+Inf"} 0
lpz_size_sum 0
lpz_size_count 0
lpz_lsize_bucket{le="-1"} 0
lpz_lsize_bucket{le="4"} 0
lpz_lsize_bucket{le="9"} 0
lpz_lsize_bucket{le="14"} 0
lpz_lsize_bucket{le="19"} 0
lpz_lsize_bucket{le="+Inf"} 0
lpz_lsize_sum 0
lpz_lsize_count 0' "$(grep '^lpz_' "$TMP/m.txt")" "the series before any event"
assert_eq 9 "$(grep -c '^# TYPE lpz_' "$TMP/m.txt")" "a TYPE line each"

"$FIXTURES/syscaller" --name "$COMM" --read-sizes 7 2 >/dev/null
curl -s -m 10 "http://127.0.0.1:$port/metrics" >"$TMP/m.txt"
assert_eq 'lpz_reads_total 2
lpz_bytes_total 14
lpz_size_count 2
lpz_lsize_count 2
lpz_comm_total{comm="'"$COMM"'"} 2' \
	"$(grep -E '^lpz_(reads_total|bytes_total|size_count|lsize_count|comm_total)' "$TMP/m.txt")" \
	"the same series after 2 reads"
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status ($ERR)"
exit 0
