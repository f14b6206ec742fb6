#!/bin/bash
# netns.sh: a veth pair for the packet-drop demo and tests.
#
#   netns.sh up NAME                          create (idempotent)
#   netns.sh down NAME                        remove everything (idempotent)
#   netns.sh send NAME [COUNT] [INTERVAL_MS] [ETHERTYPE]
#                                             send raw frames from the namespace
#                                             (foreground; COUNT 0 = until killed;
#                                             defaults 1, 1000, 0x88b5)
#   netns.sh status NAME                      the receiving end's rx counters
#
# Layout, for NAME = lpdemo0:
#
#   root namespace                   network namespace "lpdemo0"
#   lpdemo0 (veth, receives) <------ tx (veth, sendframe sends here)
#
# The receiving end lives in the root namespace, named NAME, so that
# /sys/class/net/NAME/statistics (what `luaprobe netdev` reads) and the
# kernel's tracepoints see it from where luaprobe runs. The sending end is
# `tx` inside the namespace NAME. Neither end has an address and IPv6 is off
# on both, so the only frames that arrive are the ones sendframe sends: with
# an EtherType no protocol handles (0x88b5, an IEEE "local experimental" one),
# __netif_receive_skb_core frees each with reason SKB_DROP_REASON_UNHANDLED_PROTO
# and counts it in rx_dropped of NAME.
#
# Needs root and iproute2. SENDFRAME names the sendframe binary (default:
# build/sendframe next to this folder, then sendframe on PATH).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TX=tx

die() {
	echo "netns.sh: $*" >&2
	exit 1
}

usage() {
	sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

check_name() {
	# An interface name: at most 15 bytes; no dots or slashes (sysctl paths).
	[[ "$1" =~ ^[A-Za-z][A-Za-z0-9_-]{0,14}$ ]] ||
		die "bad name '$1': want a letter then up to 14 of [A-Za-z0-9_-]"
}

need_root() {
	[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces and veth)"
	command -v ip >/dev/null || die "needs ip (iproute2)"
}

have_netns() { [ -e "/run/netns/$1" ]; }
have_link() { ip link show dev "$1" >/dev/null 2>&1; }

# ours NAME: the root-namespace link NAME is a veth whose peer is in netns NAME.
ours() {
	local info
	info=$(ip -d -o link show dev "$1" 2>/dev/null) || return 1
	[[ "$info" == *" veth "* && "$info" == *" link-netns $1 "* ]]
}

# no_ipv6 SYSCTL_DIR IFACE: no router solicitations, DAD or MLD reports.
no_ipv6() {
	local f
	for f in "$1/all/disable_ipv6" "$1/default/disable_ipv6" "$1/$2/disable_ipv6"; do
		[ -w "$f" ] && echo 1 >"$f"
	done
	return 0
}

cmd_up() {
	local name=$1
	if have_link "$name" && ! ours "$name"; then
		die "an interface '$name' exists and is not a veth into netns $name; pick another name"
	fi
	have_netns "$name" || ip netns add "$name"
	if ! have_link "$name"; then
		ip netns exec "$name" ip link show dev "$TX" >/dev/null 2>&1 &&
			ip -n "$name" link del dev "$TX"
		ip link add "$name" type veth peer name "$TX" netns "$name"
	fi
	# IPv6 off before the links come up, so they never send a thing.
	if [ -d /proc/sys/net/ipv6/conf ]; then
		echo 1 >"/proc/sys/net/ipv6/conf/$name/disable_ipv6"
		ip netns exec "$name" bash -c "$(declare -f no_ipv6); no_ipv6 /proc/sys/net/ipv6/conf $TX"
	fi
	ip link set dev "$name" up
	ip -n "$name" link set dev "$TX" up
	echo "netns.sh: $name up: frames sent from $TX in netns $name arrive on $name (root namespace)"
}

cmd_down() {
	local name=$1
	if have_link "$name"; then
		if ours "$name"; then
			ip link del dev "$name"
		else
			echo "netns.sh: leaving interface '$name' alone: not a veth into netns $name" >&2
		fi
	fi
	if have_netns "$name"; then
		ip netns del "$name"
	fi
	return 0
}

find_sendframe() {
	local c
	for c in "${SENDFRAME:-}" "$HERE/../build/sendframe" "$(command -v sendframe || true)"; do
		if [ -n "$c" ] && [ -x "$c" ]; then
			echo "$c"
			return 0
		fi
	done
	die "no sendframe binary: build it (cmake --build build --target sendframe) or set SENDFRAME"
}

cmd_send() {
	local name=$1 count=${2:-1} interval=${3:-1000} type=${4:-0x88b5} sf
	{ have_netns "$name" && ours "$name"; } || die "no pair '$name': run netns.sh up $name first"
	sf=$(find_sendframe)
	exec ip netns exec "$name" "$sf" --iface "$TX" --ethertype "$type" --count "$count" --interval-ms "$interval"
}

cmd_status() {
	local name=$1 c
	have_link "$name" || die "no interface $name"
	for c in rx_packets rx_dropped rx_errors rx_fifo_errors rx_missed_errors rx_over_errors; do
		echo "$c $(cat "/sys/class/net/$name/statistics/$c")"
	done
}

[ $# -ge 2 ] || usage
cmd=$1
name=$2
shift 2
check_name "$name"
case "$cmd" in
up | down | send) need_root ;;
status) ;;
*) usage ;;
esac
case "$cmd" in
up) [ $# -eq 0 ] || usage; cmd_up "$name" ;;
down) [ $# -eq 0 ] || usage; cmd_down "$name" ;;
send) [ $# -le 3 ] || usage; cmd_send "$name" "$@" ;;
status) [ $# -eq 0 ] || usage; cmd_status "$name" ;;
esac
