# The biolatency recipe, unchanged, under --metrics: a loop device over a
# 4 MiB file the test makes (as e2e/recipes/biolatency.sh); dd reads 16
# blocks of 4 KiB with O_DIRECT (16 requests, "RS") and writes 5 of 8 KiB
# (5 requests, "WS"), nothing else touches the device. With --flags the
# recipe has two histograms: latency()'s, served as
# biolatency_block_rq_complete_hist_latency with _count 21, and the one by
# operation, biolatency_block_rq_complete_hist_latency_2 with _count 16 for
# rwbs="RS" and 5 for rwbs="WS". dd waits for each completion, whose
# tracepoint runs before dd is woken: one scrape after dd has the whole.
# promtool accepts the text.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/metrics/prom.bash"
need_tracepoint block:block_rq_issue
need_cmd losetup
need_cmd curl
need_cmd python3
need_cmd promtool

truncate -s 4M "$TMP/disk"
LOOP=$(losetup -f --show "$TMP/disk") || skip "no loop device: losetup failed"
trap 'losetup -d "$LOOP" 2>/dev/null || true; cleanup' EXIT
DISK=${LOOP#/dev/}

# value SERIES: the value of the series (its whole name and labels)
value() { awk -v s="$1" '$1 == s { print $2 }' "$TMP/metrics.txt"; }

lp_start --metrics 127.0.0.1:0 biolatency --disk "$DISK" --flags
wait_line "$TMP/bg.err" "Tracing block I/O of $DISK... Hit Ctrl-C to end." 30
port=$(metrics_port)
dd if="$LOOP" of=/dev/null bs=4096 count=16 iflag=direct status=none
dd if=/dev/zero of="$LOOP" bs=8192 count=5 oflag=direct status=none
curl -s -m 10 "http://127.0.0.1:$port/metrics" >"$TMP/metrics.txt" || fail "no scrape"
m=biolatency_block_rq_complete_hist_latency
got=$(grep -v '_bucket' "$TMP/metrics.txt" | grep "^$m" |
	awk '$1 ~ /_sum/ { $2 = $2 > 0 ? "SUM" : $2 } 1')
assert_eq "${m}_2_count{rwbs=\"RS\"} 16
${m}_2_count{rwbs=\"WS\"} 5
${m}_2_sum{rwbs=\"RS\"} SUM
${m}_2_sum{rwbs=\"WS\"} SUM
${m}_count 21
${m}_sum SUM" "$(LC_ALL=C sort <<<"$got")" "the series of 16 reads and 5 writes"
assert_eq 21 "$(value "${m}_bucket{le=\"+Inf\"}")" "the +Inf bucket"
assert_eq 16 "$(value "${m}_2_bucket{rwbs=\"RS\",le=\"+Inf\"}")" "the +Inf bucket of RS"
grep -q "^# TYPE ${m} histogram$" "$TMP/metrics.txt" || fail "no TYPE line"
grep -q "^# TYPE ${m}_2 histogram$" "$TMP/metrics.txt" || fail "no TYPE line of _2"
promtool check metrics <"$TMP/metrics.txt" >"$TMP/lint" 2>&1 || fail "promtool: $(cat "$TMP/lint")"
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status ($ERR)"
# and it still prints, as without --metrics
assert_contains "@biolatency_ns[RS]: " "$OUT" "the recipe's own output"
exit 0
