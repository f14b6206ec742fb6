# run.sh DIR: one bad-input case. Runs luaprobe inside DIR on its script.lua
# (or on the words of DIR/args, one a line, SCRIPT standing for script.lua),
# then compares stderr with DIR/error exactly and checks the exit status is
# non-zero (or DIR/exit's number). Exit 0 pass, 1 fail, 77 skip.
set -euo pipefail
: "${LUAPROBE:?LUAPROBE must name the luaprobe binary}"
dir=$1

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (BPF and tracefs)"
	exit 77
fi
if [ ! -d /sys/kernel/tracing/events ] && ! mount -t tracefs nodev /sys/kernel/tracing; then
	echo "SKIP: cannot mount tracefs on /sys/kernel/tracing"
	exit 77
fi

cd "$dir"
words=(script.lua)
if [ -f args ]; then
	words=()
	while IFS= read -r w; do
		[ "$w" = SCRIPT ] && w=script.lua
		words+=("$w")
	done <args
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rc=0
timeout 20 "$LUAPROBE" "${words[@]}" </dev/null >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
ok=1
if ! cmp -s error "$tmp/stderr"; then
	echo "unexpected stderr of: luaprobe ${words[*]}"
	echo "--- expected"
	cat error
	echo "--- actual"
	cat "$tmp/stderr"
	echo "--- diff"
	diff -u error "$tmp/stderr" || true
	ok=0
fi
if [ -f exit ]; then
	want=$(<./exit)
	if [ "$rc" -ne "$want" ]; then
		echo "unexpected exit status: actual $rc != expected $want"
		ok=0
	fi
elif [ "$rc" -eq 0 ]; then
	echo "unexpected exit status: actual 0, expected non-zero"
	ok=0
fi
[ "$ok" -eq 1 ]
