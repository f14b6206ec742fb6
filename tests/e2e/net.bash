# Sourced by the tests that send frames (after lib.sh): net_up PREFIX makes
# a veth pair with demo/netns.sh, named PREFIX plus the test's pid (NAME:
# the receiving end, in this namespace), removed however the test ends.
# The tests run one at a time (a ctest RESOURCE_LOCK, and this flock for
# runs outside ctest): netdrop and protodrop count every drop on the machine.

net_up() {
	need_root
	need_cmd ip
	need_cmd flock
	NETNS_SH="$TESTS/../demo/netns.sh"
	SENDFRAME=${SENDFRAME:-$(dirname "$LUAPROBE")/sendframe}
	[ -x "$SENDFRAME" ] || skip "no sendframe at $SENDFRAME (built by demo/CMakeLists.txt)"
	export SENDFRAME

	exec 9>"${TMPDIR:-/tmp}/luaprobe-e2e-net.lock"
	flock -w 60 9 || fail "another net test held the lock for 60 s"

	NAME=$1$$
	NAME=${NAME:0:15}
	[ -e "/run/netns/$NAME" ] || ! ip link show dev "$NAME" >/dev/null 2>&1 ||
		fail "interface $NAME exists already"
	trap net_cleanup EXIT
	run bash "$NETNS_SH" up "$NAME"
	[ "$RC" -eq 0 ] || skip "no network namespace or veth support here: $ERR"
}

net_cleanup() {
	bash "$NETNS_SH" down "$NAME" >/dev/null 2>&1 || true
	cleanup
}
