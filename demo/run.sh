#!/bin/bash
# run.sh: the packet-drop story of DESIGN.md §1, live, on a quiet machine.
#
#   sudo demo/run.sh
#
# Creates a veth pair (demo/netns.sh): lpdemo0 in this namespace receives,
# its peer in the network namespace lpdemo0 sends one raw Ethernet frame per
# second with EtherType 0x88b5, which no protocol handles. The kernel drops
# each one in __netif_receive_skb_core (reason UNHANDLED_PROTO) and counts it
# in lpdemo0's rx_dropped. Then it runs each step of the investigation as a
# bundled recipe for DEMO_SECONDS seconds:
#
#   1. netdev     the counters: rx_dropped rises, the NIC error counters do not
#   2. netdrop    where the kernel drops them, and why
#   3. protodrop  what the dropped frames carry: their EtherType
#
# A step whose recipe is not in this build is skipped. Everything it created
# is removed however it ends (the end of the run, Ctrl-C, kill, an error).
#
# Environment: DEMO_SECONDS (20, per step), DEMO_STEPS ("netdev netdrop
# protodrop label": label boots a guest kernel, see step_label), DEMO_IFACE (lpdemo0), LUAPROBE (build/luaprobe), SENDFRAME
# (build/sendframe).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
LUAPROBE=${LUAPROBE:-$ROOT/build/luaprobe}
export SENDFRAME=${SENDFRAME:-$ROOT/build/sendframe}
NAME=${DEMO_IFACE:-lpdemo0}
DEMO_SECONDS=${DEMO_SECONDS:-20}
DEMO_STEPS=${DEMO_STEPS:-netdev netdrop protodrop label}
ETHERTYPE=0x88b5

die() {
	echo "run.sh: $*" >&2
	exit 1
}

[ "$(id -u)" -eq 0 ] || die "needs root (a network namespace, a veth pair and BPF): sudo $0"
[ -x "$LUAPROBE" ] || die "no luaprobe at $LUAPROBE: build it (cmake -S . -B build && cmake --build build) or set LUAPROBE"
[ -x "$SENDFRAME" ] || die "no sendframe at $SENDFRAME: build it (cmake --build build --target sendframe) or set SENDFRAME"
[[ "$DEMO_SECONDS" =~ ^[1-9][0-9]*$ ]] || die "DEMO_SECONDS must be a whole number of seconds, not '$DEMO_SECONDS'"

SENDER_PID= # the background sendframe
LP_PID=     # the luaprobe of the current step
WORK=$(mktemp -d)

# stop PID: SIGTERM (a clean end for luaprobe), SIGKILL after 5 s.
stop() {
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM HUP
	set +e
	[ -n "$LP_PID" ] && stop "$LP_PID"
	[ -n "$SENDER_PID" ] && stop "$SENDER_PID"
	if [ -s "$WORK/sender.out" ] && [ -r "/sys/class/net/$NAME/statistics/rx_dropped" ]; then
		echo
		echo "== the sender $(cat "$WORK/sender.out"); $NAME counted rx_dropped $(cat "/sys/class/net/$NAME/statistics/rx_dropped")"
	fi
	bash "$HERE/netns.sh" down "$NAME"
	rm -rf "$WORK"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

banner() {
	echo
	echo "== $*"
}

# step RECIPE ARGS...: run the recipe for DEMO_SECONDS. In the background with
# a wait, so that a signal to this script is handled at once (the trap then
# ends luaprobe with SIGTERM, which it takes as a normal end).
step() {
	local rc=0
	"$LUAPROBE" -d "$DEMO_SECONDS" "$@" </dev/null &
	LP_PID=$!
	wait "$LP_PID" || rc=$?
	LP_PID=
	[ "$rc" -eq 0 ] || die "luaprobe $1 failed (exit status $rc)"
}

step_netdev() {
	banner "netdev: the interface counters. rx_dropped rises by one a second; rx_errors," \
		"rx_fifo_errors, rx_missed_errors, rx_over_errors stay flat: the NIC delivered the" \
		"frames, the kernel dropped them."
	echo "   \$ luaprobe -d $DEMO_SECONDS netdev --iface $NAME"
	step netdev --iface "$NAME"
}

step_netdrop() {
	banner "netdrop: where the kernel frees the packets it drops, counted in the kernel by" \
		"code location and drop reason."
	echo "   \$ luaprobe -d $DEMO_SECONDS netdrop"
	step netdrop
}

step_protodrop() {
	banner "protodrop: what the frames dropped in __netif_receive_skb_core carry: the" \
		"EtherType nobody handles."
	echo "   \$ luaprobe -d $DEMO_SECONDS protodrop"
	step protodrop
}

step_label() {
	banner "the drop label itself: SystemTap's kernel.function(\"__netif_receive_skb_core\")" \
		".label(\"drop\") printing \$skb->protocol. This kernel has no kprobes and no" \
		"debuginfo, so the step boots a stock Debian cloud kernel under QEMU (the guest" \
		"tier, tests/guest/: a kernel and its debuginfo are downloaded and cached once)."
	local out=$WORK/guest rc=0
	GUEST_CASES="$HERE/guest-label.sh" bash "$HERE/../tests/guest/run.sh" "$(dirname "$LUAPROBE")" "$out" \
		>"$WORK/guest.log" 2>&1 || rc=$?
	if [ "$rc" = 77 ]; then
		echo "   skipped: $(cat "$out/skip")"
		return
	fi
	[ "$rc" = 0 ] || die "the guest did not run: $(tail -5 "$WORK/guest.log")"
	sed -n 's/^LPDEMO /   /p' "$out/console.log" | tr -d '\r'
}

RECIPES=$("$LUAPROBE" --recipes | awk '{ print $1 }') || die "$LUAPROBE --recipes failed"

echo "== setting up: veth $NAME (receives, here) <- tx (sends, in netns $NAME)"
bash "$HERE/netns.sh" down "$NAME" # a fresh pair: counters from zero
bash "$HERE/netns.sh" up "$NAME" >/dev/null
bash "$HERE/netns.sh" send "$NAME" 0 1000 "$ETHERTYPE" >"$WORK/sender.out" </dev/null &
SENDER_PID=$!
echo "   sending one frame of EtherType $ETHERTYPE a second to $NAME; each step runs $DEMO_SECONDS s (Ctrl-C ends the demo)"

n=0
for s in $DEMO_STEPS; do
	n=$((n + 1))
	declare -F "step_$s" >/dev/null || die "unknown step '$s' (netdev, netdrop, protodrop, label)"
	if [ "$s" != label ] && ! grep -qx "$s" <<<"$RECIPES"; then
		echo
		echo "== $s: not in this build of luaprobe yet, skipped"
		continue
	fi
	"step_$s"
	kill -0 "$SENDER_PID" 2>/dev/null || die "the sender stopped: $(cat "$WORK/sender.out")"
done
