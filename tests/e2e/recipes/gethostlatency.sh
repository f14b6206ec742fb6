# gethostlatency: uprobes on libc's getaddrinfo, gethostbyname and
# gethostbyname2, paired by thread in the kernel. `getent ahosts localhost`
# calls getaddrinfo("localhost") once; `getent hosts localhost` calls
# gethostbyname2("localhost") twice (IPv6, then IPv4). Under -c (the
# target: a shell that prints its pid and execs getent), then with --pid
# of a process blocked on a FIFO until the recipe is attached, beside
# another getent that must not show. Each line exactly, but for the time
# and the latency (a number of ms).
. "$TESTS/e2e/lib.sh"
need_root
need_cmd getent
LIBC=$(ldd "$(command -v getent)" | awk '$1 == "libc.so.6" { print $3 }')
[ -n "$LIBC" ] || skip "getent is not linked with libc.so.6"

# rows TEXT: the lines after the header, the time and latency checked and dropped
rows() {
	sed 1d <<<"$1" | awk '{ ok = ($1 ~ /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$/ && $5 ~ /^[0-9]+\.[0-9][0-9][0-9]$/)
		print $2, $3, $4, $6, ok ? "" : "BAD time or latency: " $1 " " $5 }' | sed 's/ $//'
}

run "$LUAPROBE" -c "sh -c 'echo pid \$\$ >&2; exec getent ahosts localhost >/dev/null'" gethostlatency
assert_eq 0 "$RC" "exit status ($ERR)"
pid=$(sed -n 's/^pid //p' <<<"$ERR")
assert_eq "Tracing host name lookups... Hit Ctrl-C to end.
pid $pid" "$ERR" "stderr"
assert_eq "TIME      PID     COMM             FUNC          LATms HOST" "$(head -n1 <<<"$OUT")" "header"
assert_eq "$pid getent getaddrinfo localhost" "$(rows "$OUT")" "the lookup under -c ($OUT)"

mkfifo "$TMP/go"
exec 8<>"$TMP/go"
bash -c "read -r _ <'$TMP/go'; exec getent hosts localhost" >/dev/null &
task=$!
lp_start gethostlatency --pid "$task" --libc "$LIBC"
wait_line "$TMP/bg.err" "Tracing host name lookups... Hit Ctrl-C to end." 30
getent ahosts localhost >/dev/null # another process: not shown
echo go >&8
wait "$task"
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status of --pid ($ERR)"
assert_eq "$task getent gethostbyname2 localhost
$task getent gethostbyname2 localhost" "$(rows "$OUT")" "the lookups of --pid ($OUT)"

run "$LUAPROBE" gethostlatency --pid x
assert_eq 1 "$RC" "exit status of a bad pid"
assert_contains "--pid wants a process id" "$ERR" "message of a bad pid"
exit 0
