# The demo's last step (demo/run.sh step_label): the seed's SystemTap probe
# at the label "drop", run in a guest kernel, prints exactly one
# "protocol: 0x88b5" per frame (3 frames).
#   demo_label.sh BUILD_DIR
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
out=$(DEMO_STEPS=label DEMO_SECONDS=1 DEMO_IFACE=lpdemog LUAPROBE="$1/luaprobe" \
	SENDFRAME="$1/sendframe" bash "$HERE/../../demo/run.sh" </dev/null 2>&1)
rc=$?
if grep -q '^   skipped: ' <<<"$out"; then
	sed -n 's/^   skipped: /guest: skipped: /p' <<<"$out"
	exit 77
fi
got=$(grep -c '^   protocol: 0x88b5$' <<<"$out")
if [ "$rc" != 0 ] || [ "$got" != 3 ] || [ "$(grep -c 'protocol:' <<<"$out")" != 3 ]; then
	echo "FAIL: wanted exit 0 and exactly 3 lines 'protocol: 0x88b5', got exit $rc:"
	echo "$out"
	exit 1
fi
echo "ok: the demo's label step printed protocol: 0x88b5 once per frame"
