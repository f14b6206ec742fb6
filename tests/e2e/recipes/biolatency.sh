# biolatency: a loop device over a 4 MiB file the test makes; dd reads 16
# blocks of 4 KiB with O_DIRECT (16 requests, "RS") and writes 5 of 8 KiB
# (5 requests, "WS"); nothing else touches the device. Issue and completion
# are paired in the kernel by sector: the histogram holds exactly 16 (reads
# only), and --flags splits 16 RS and 5 WS. I/O of other disks (the loop's
# backing file's) is not counted with --disk. Then the errors.
. "$TESTS/e2e/lib.sh"
need_tracepoint block:block_rq_issue
need_cmd losetup

truncate -s 4M "$TMP/disk"
LOOP=$(losetup -f --show "$TMP/disk") || skip "no loop device: losetup failed"
trap 'losetup -d "$LOOP" 2>/dev/null || true; cleanup' EXIT
DISK=${LOOP#/dev/}

# totals TEXT: "NAME total" for each histogram in TEXT
totals() {
	awk -F')' '/^@/ { if (name != "") print name, n; name = $0; sub(/: $/, "", name); n = 0; next }
		/^\[/ { split($2, f, " "); n += f[1] } END { if (name != "") print name, n }' <<<"$1"
}

run "$LUAPROBE" -c "dd if=$LOOP of=/dev/null bs=4096 count=16 iflag=direct status=none" biolatency --disk "$DISK"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "Tracing block I/O of $DISK... Hit Ctrl-C to end." "$ERR" "stderr"
assert_eq "@biolatency_ns 16" "$(totals "$OUT")" "16 reads ($OUT)"

run "$LUAPROBE" -c "sh -c 'dd if=$LOOP of=/dev/null bs=4096 count=16 iflag=direct status=none; dd if=/dev/zero of=$LOOP bs=8192 count=5 oflag=direct status=none'" \
	biolatency --disk "$DISK" --flags
assert_eq 0 "$RC" "exit status of --flags ($ERR)"
assert_eq "@biolatency_ns[RS] 16
@biolatency_ns[WS] 5" "$(totals "$OUT" | sort)" "reads and writes apart ($OUT)"

run "$LUAPROBE" biolatency --disk no_such_disk
assert_eq 1 "$RC" "exit status of an unknown disk"
assert_contains "--disk: no disk 'no_such_disk' in /sys/block" "$ERR" "message of an unknown disk"
exit 0
