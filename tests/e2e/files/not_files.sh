# Files that are not files (issue 10 item 6): a FIFO as a script or as a
# uprobe's binary hung in open() with signals blocked; /dev/zero as a script
# grew without end; a script larger than 16 MiB is refused. Each ends at
# once with one message.
. "$TESTS/e2e/lib.sh"
need_root

mkfifo "$TMP/fifo"
start=$(date +%s%N)
run timeout -s KILL 10 "$LUAPROBE" "$TMP/fifo"
assert_eq 1 "$RC" "exit status of a FIFO as the script ($ERR)"
assert_eq "luaprobe: cannot open $TMP/fifo: is not a regular file (a FIFO)" "$ERR" "message"

run timeout -s KILL 10 "$LUAPROBE" -e "probe('uprobe:$TMP/fifo:main')"
assert_eq 1 "$RC" "exit status of a FIFO as a uprobe's binary ($ERR)"
assert_eq "luaprobe: -e:1: probe 'uprobe:$TMP/fifo:main': cannot open '$TMP/fifo': not an ELF file" \
	"$ERR" "message"

run timeout -s KILL 10 "$LUAPROBE" -l "uprobe:$TMP/fifo:*"
assert_eq 1 "$RC" "exit status of -l on a FIFO ($ERR)"

run timeout -s KILL 10 "$LUAPROBE" /dev/zero
assert_eq 1 "$RC" "exit status of /dev/zero as the script ($ERR)"
assert_eq "luaprobe: cannot open /dev/zero: is not a regular file (a character device)" "$ERR" \
	"message"

# A regular file past the bound: refused before it is read whole.
truncate -s 17M "$TMP/big.lua"
run timeout -s KILL 10 "$LUAPROBE" "$TMP/big.lua"
assert_eq 1 "$RC" "exit status of a 17 MiB script ($ERR)"
assert_eq "luaprobe: cannot open $TMP/big.lua: is larger than 16 MiB, the most a script may be" \
	"$ERR" "message"
# 16 MiB of spaces and a line of Lua is still a script
head -c $((16 * 1024 * 1024 - 20)) /dev/zero | tr '\0' ' ' >"$TMP/ok.lua"
echo 'print("ran")' >>"$TMP/ok.lua"
run timeout -s KILL 20 "$LUAPROBE" "$TMP/ok.lua"
assert_eq 0 "$RC" "exit status of a script just under 16 MiB ($ERR)"
assert_eq "ran" "$OUT" "its output"
elapsed=$((($(date +%s%N) - start) / 1000000))
echo "all cases in ${elapsed} ms"
