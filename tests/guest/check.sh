#!/usr/bin/env bash
# One guest case as its own ctest result, read from the log run.sh left:
#   check.sh OUT_DIR CASE
OUT=$1
CASE=$2
if [ -f "$OUT/skip" ]; then
	echo "skipped: $(cat "$OUT/skip")"
	exit 77
fi
[ -f "$OUT/console.log" ] || { echo "no guest log (guest.run failed)"; exit 1; }
if grep -E 'Oops|BUG:|Kernel panic' "$OUT/console.log"; then
	echo "the guest kernel complained (lines above)"
	exit 1
fi
line=$(grep -a "^LPCASE $CASE " "$OUT/console.log" | tr -d '\r')
echo "$line"
grep -a "^LPTIME" "$OUT/console.log" | tr -d '\r'
case "$line" in
*" PASS") exit 0 ;;
"") echo "case $CASE did not run"; exit 1 ;;
*) grep -a -A20 "^LPCASE $CASE " "$OUT/console.log" | grep -a '^LPOUT' | tr -d '\r'; exit 1 ;;
esac
