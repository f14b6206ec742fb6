# opensnoop: the fixture opens five files through open, openat and openat2
# (flags, fds and one ENOENT known); each is one line with its pid, comm,
# fd or errno, flags by name and path. --comm keeps only the fixture's
# opens (the fds are the ones the fixture was given: the test's caller may
# have left some open); --failed only the ENOENT; -c keeps only the target's, including the
# loader's opens before the fixture renames itself.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_openat
need_tracepoint syscalls:sys_enter_openat2
mkdir "$TMP/d"
: >"$TMP/d/present"

lines() { awk '$1 ~ /^[0-9.]+$/ { $1 = ""; print substr($0, 2) }' <<<"$1"; }

run "$LUAPROBE" -c "$FIXTURES/recipework --name lposnoop open $TMP/d >$TMP/w.out" opensnoop --comm lposnoop
assert_eq 0 "$RC" "exit status ($ERR)"
pid=$(field pid "$(cat "$TMP/w.out")")
mapfile -t fd < <(sed -n 's/^fd //p' "$TMP/w.out")
assert_eq "-1" "${fd[2]}" "the fixture's third open"
assert_eq "TIME(s) PID COMM FD ERR FLAGS PATH" "$(head -n1 <<<"$OUT" | tr -s ' ')" "header"
assert_eq "$pid lposnoop ${fd[0]} 0 O_RDONLY $TMP/d/present
$pid lposnoop ${fd[1]} 0 O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC $TMP/d/new
$pid lposnoop -1 ENOENT O_RDONLY $TMP/d/missing
$pid lposnoop ${fd[3]} 0 O_RDONLY|O_DIRECTORY $TMP/d
$pid lposnoop ${fd[4]} 0 O_RDONLY|O_NOFOLLOW $TMP/d/present" "$(lines "$OUT" | tr -s ' ')" "opens of the fixture"

run "$LUAPROBE" -c "$FIXTURES/recipework --name lposnoop open $TMP/d >$TMP/w.out" opensnoop --failed --path "$TMP/"
assert_eq 0 "$RC" "exit status of --failed ($ERR)"
pid=$(field pid "$(cat "$TMP/w.out")")
assert_eq "$pid lposnoop -1 ENOENT O_RDONLY $TMP/d/missing" "$(lines "$OUT" | tr -s ' ')" "--failed"

# the target's opens: the loader's (under the binary's name), then the fixture's
run "$LUAPROBE" -c "$FIXTURES/recipework --name lposnoop open $TMP/d >$TMP/w.out" opensnoop
assert_eq 0 "$RC" "exit status of -c ($ERR)"
pid=$(field pid "$(cat "$TMP/w.out")")
assert_eq "$pid recipework 0 O_RDONLY|O_CLOEXEC" \
	"$(lines "$OUT" | awk '$2 == "recipework" && $6 ~ /libc\.so/ { print $1, $2, $4, $5 }')" "the loader's open of libc"
assert_eq "5 5" "$(lines "$OUT" | awk -v p="$pid" '$1 == p && $2 == "lposnoop" { n++ } $1 != p { bad++ } END { print n, n + bad }')" \
	"lines of the fixture, and nothing else"

run "$LUAPROBE" opensnoop --pid nope
assert_eq 1 "$RC" "exit status of a bad --pid"
assert_contains "--pid wants a process id, not 'nope'" "$ERR" "a bad --pid"
