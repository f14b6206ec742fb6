# Messages that misled: as non-root, tracepoints, -l, -L and recipes say
# luaprobe needs root (not "is tracefs mounted?"); a 1 MB probe point is
# echoed cut to 200 characters and "..."; nine `location in` clauses name the
# filter's limit; ksym(-1) is an address, not ftrace_trampoline+0x3fdfefff.
. "$TESTS/e2e/lib.sh"
need_tracepoint skb:kfree_skb

root_msg="luaprobe needs root (or CAP_BPF and CAP_PERFMON, and read access to tracefs)"
if command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups "$LUAPROBE" --version >/dev/null 2>&1; then
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$LUAPROBE" "$@"; }
	for args in "-l sched:*" "-L tracepoint:sched:sched_switch" \
		"-e probe('tracepoint:sched:sched_switch')" "netdrop"; do
		# shellcheck disable=SC2086 # words on purpose
		run nobody $args
		assert_eq 1 "$RC" "exit status as nobody: $args"
		assert_contains "Permission denied: $root_msg" "$ERR" "message as nobody: $args"
		case "$ERR" in *"tracefs mounted"*) fail "as nobody, $args: $ERR" ;; esac
	done
else
	echo "note: cannot run luaprobe as nobody here: the non-root messages are not checked"
fi

# a 1 MB point, a long field: quoted input cut
x200=$(printf "x%.0s" $(seq 200))
run "$LUAPROBE" -e 'probe(string.rep("x", 1e6))'
assert_eq 1 "$RC" "exit status of a 1 MB point"
assert_contains "-e:1: probe '$x200...': " "$ERR" "a 1 MB point, cut"
[ "${#ERR}" -lt 600 ] || fail "a 1 MB point gave a message of ${#ERR} characters"
run "$LUAPROBE" -L "tracepoint:a:$(printf 'y%.0s' $(seq 2000))"
assert_eq 1 "$RC" "exit status of -L with a long point"
[ "${#ERR}" -lt 600 ] || fail "-L with a long point gave a message of ${#ERR} characters"
run "$LUAPROBE" -e 'probe("tracepoint:skb:kfree_skb", { fetch = { string.rep("z", 1e5) } })'
assert_eq 1 "$RC" "exit status of a long fetch"
[ "${#ERR}" -lt 600 ] || fail "a long fetch gave a message of ${#ERR} characters: $ERR"

# nine `location in` clauses: the limit, not "Argument list too long"
w=$(for _ in 1 2 3 4 5 6 7 8 9; do printf 'location in "vfs_read" || '; done)
run "$LUAPROBE" -e "probe('tracepoint:skb:kfree_skb', { where = '${w% || }' })"
assert_eq 1 "$RC" "exit status of nine location in"
assert_contains "a filter holds at most 8 address ranges (one per \`location in\` and per copy of its function): no room left for 'vfs_read'" \
	"$ERR" "nine location in"

# ksym past the last symbol
run "$LUAPROBE" -e 'print(ksym(-1), ksym(0xffffffffffffff00), ksym(kaddr("vfs_read") + 1))'
assert_eq "0xffffffffffffffff	0xffffffffffffff00	vfs_read+0x1" "$OUT" "ksym past the last symbol ($ERR)"
