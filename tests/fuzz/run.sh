#!/usr/bin/env bash
# run.sh BUILD_DIR [SECONDS]: each libFuzzer target of BUILD_DIR/fuzz (a
# -DLP_FUZZ=ON build) for SECONDS (default 60) from a copy of its seed
# corpus, with its dictionary. A crash is copied to regressions/<target>/
# (ctest's fuzz.<target> replays that folder in every build) and fails the
# run. Prints executions, crashes and time per target.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run.sh BUILD_DIR [SECONDS]}
secs=${2:-60}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
for t in point filter fetch; do
	bin=$build/fuzz/fuzz_$t
	[ -x "$bin" ] || { echo "fuzz: no $bin (build with -DLP_FUZZ=ON)"; exit 1; }
	mkdir -p "$tmp/$t/corpus" "$tmp/$t/crash"
	cp "$here/corpus/$t/"* "$tmp/$t/corpus/"
	start=$(date +%s)
	rc=0
	# -rss_limit_mb: the ASan build of a DWARF walk is large; -timeout: a
	# single input that takes seconds is a finding too
	"$bin" -max_total_time="$secs" -dict="$here/$t.dict" -print_final_stats=1 \
		-timeout=10 -rss_limit_mb=4096 -max_len=4096 \
		-artifact_prefix="$tmp/$t/crash/" "$tmp/$t/corpus" >"$tmp/$t/log" 2>&1 || rc=$?
	took=$(($(date +%s) - start))
	execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$tmp/$t/log")
	crashes=$(find "$tmp/$t/crash" -type f | wc -l)
	echo "fuzz $t: ${execs:-?} executions, $crashes crashes, ${took} s"
	if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
		failed=1
		mkdir -p "$here/regressions/$t"
		for c in "$tmp/$t/crash/"*; do
			[ -f "$c" ] || continue
			cp "$c" "$here/regressions/$t/"
			echo "fuzz $t: crash input saved as tests/fuzz/regressions/$t/$(basename "$c")"
		done
		grep -A30 -m1 'ERROR\|runtime error\|deadly signal' "$tmp/$t/log" || tail -30 "$tmp/$t/log"
	fi
done
exit "$failed"
