# The netdev recipe against real frames: a veth pair (demo/netns.sh), exactly
# 4 frames of an unknown EtherType sent to the receiving end 300 ms apart.
# The kernel drops each (UNHANDLED_PROTO) and counts it in rx_dropped: sysfs
# rises by exactly 4, the recipe's last rx_dropped total is what sysfs says,
# it marks the counter rising and prints the verdict, and cleanup leaves
# nothing behind.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/net.bash"
net_up lpnd
counter() { cat "/sys/class/net/$NAME/statistics/$1"; }

before=$(counter rx_dropped)
before_err=$(counter rx_errors)
lp_start -d 3 netdev --iface "$NAME" --interval 500ms
# The first sample (nothing sent yet) says the recipe is running.
deadline=$((SECONDS + 5))
until grep -q "no counter changed on $NAME" "$TMP/bg.out" 2>/dev/null; do
	[ "$SECONDS" -ge "$deadline" ] && fail "netdev printed no sample in 5 s: $(cat "$TMP/bg.out" "$TMP/bg.err")"
	sleep 0.05
done
run bash "$NETNS_SH" send "$NAME" 4 300 0x88b5
assert_eq 0 "$RC" "sender exit status ($ERR)"
assert_eq "sent 4 frames" "$OUT" "sender output"
lp_wait 10
after=$(counter rx_dropped)

assert_eq 0 "$RC" "luaprobe exit status ($ERR)"
assert_eq "" "$ERR" "luaprobe stderr"
assert_eq $((before + 4)) "$after" "rx_dropped of $NAME after 4 frames (sysfs)"
assert_eq "$before_err" "$(counter rx_errors)" "rx_errors of $NAME (sysfs)"
flat="while rx_errors, rx_fifo_errors, rx_missed_errors, rx_over_errors stay flat: the NIC delivered these frames; the kernel dropped them"
grep -qxE "$NAME: rx_dropped \+[0-9]+(\.[0-9])?/s $flat" <<<"$OUT" ||
	fail "no verdict line '$NAME: rx_dropped +N/s $flat' in: $OUT"
# Rows read: "  IFACE  COUNTER  MARK  RATE  TOTAL".
rows=$(awk -v i="$NAME" '$1 == i && $2 == "rx_dropped"' <<<"$OUT")
[ -n "$rows" ] || fail "no rx_dropped row for $NAME in: $OUT"
assert_eq "$after" "$(tail -n1 <<<"$rows" | awk '{ print $5 }')" "last rx_dropped total the recipe printed"
assert_eq "" "$(awk '$3 != "*"' <<<"$rows")" "rx_dropped rows not marked rising"
! grep -qE "^ +$NAME +rx_(errors|fifo_errors|missed_errors|over_errors) " <<<"$OUT" ||
	fail "an rx error counter of $NAME changed: $OUT"

run bash "$NETNS_SH" down "$NAME"
assert_eq 0 "$RC" "netns.sh down ($ERR)"
ip link show dev "$NAME" >/dev/null 2>&1 && fail "interface $NAME still there after down"
[ -e "/run/netns/$NAME" ] && fail "netns $NAME still there after down"
run bash "$NETNS_SH" down "$NAME"
assert_eq 0 "$RC" "a second netns.sh down ($ERR)"
exit 0
