# `luaprobe NAME --help` (and -h) prints the recipe's header, its leading
# "---" lines, and runs nothing (DESIGN.md §2). Before, every recipe said
# "unknown option '--help'" and exited 1.
. "$TESTS/e2e/lib.sh"

n=0
for name in $("$LUAPROBE" --recipes | awk '{ print $1 }'); do
	want=$(sed -n '/^---/!q; s/^--- \{0,1\}//p' "$TESTS/../scripts/$name.lua")
	for flag in --help -h; do
		run timeout 5 "$LUAPROBE" "$name" "$flag"
		assert_eq 0 "$RC" "exit status of $name $flag ($ERR)"
		assert_eq "$want" "$OUT" "$name $flag"
		assert_eq "" "$ERR" "stderr of $name $flag"
	done
	n=$((n + 1))
done
[ "$n" -ge 6 ] || fail "only $n recipes listed"

# A script file of one's own: its header too; nothing of it runs.
cat >"$TMP/mine.lua" <<'LUA'
--- mine: a team's script
--- usage: luaprobe mine.lua [--x 1]
print("ran")
LUA
run timeout 5 "$LUAPROBE" "$TMP/mine.lua" --help
assert_eq 0 "$RC" "exit status of a file's --help ($ERR)"
assert_eq "$(printf 'mine: a team'"'"'s script\nusage: luaprobe mine.lua [--x 1]')" "$OUT" "a file's header"
echo "ok: --help prints the header of $n recipes and of a script file"
