# `luaprobe --recipes` says where each recipe comes from: one line a recipe,
# "NAME  FOLDER  DESCRIPTION", the folder of the recipe path it was found in
# (LUAPROBE_PATH's, ~/.config/luaprobe/scripts, the installed or in-tree
# scripts/) or "(built in)", and "(shadows FILE)" when a file of the same
# name further down the path is hidden by it; the one listed is the one that
# runs. Before, the lines had no folder and shadowing was not said.
. "$TESTS/e2e/lib.sh"

a="$TMP/a" b="$TMP/b" home="$TMP/home"
mkdir -p "$a/myteam" "$a/dir.lua" "$b" "$home/.config/luaprobe/scripts"
printf -- '--- mine: the first folder'"'"'s\nprint("mine from a")\n' >"$a/mine.lua"
printf -- '--- mine: the second folder'"'"'s\nprint("mine from b")\n' >"$b/mine.lua"
printf -- '--- netdrop: a team'"'"'s own netdrop\nprint("team netdrop")\n' >"$a/netdrop.lua"
printf -- 'return {}\n' >"$a/myteam/helpers.lua"
printf -- 'print("no header")\n' >"$b/nohead.lua"
printf -- '--- homerec: from the user'"'"'s folder\n' >"$home/.config/luaprobe/scripts/homerec.lua"

export HOME="$home" LUAPROBE_PATH="$a:$b"
run "$LUAPROBE" --recipes
assert_eq 0 "$RC" "exit status ($ERR)"
tree=$(cd "$TESTS/../scripts" && pwd)
# the bundled copy that netdrop shadows: the first file of the path's bundled folders
shadowed=$(sed -n 's/^netdrop .*(shadows \(.*\))$/\1/p' <<<"$OUT")
assert_eq netdrop.lua "${shadowed##*/}" "the shadowed netdrop"
width=$(awk '{ print length($1) }' <<<"$OUT" | sort -n | tail -1)
fw=$(awk -v w="$width" '{ f = substr($0, w + 3); sub(/  .*/, "", f); print length(f) }' <<<"$OUT" | sort -n | tail -1)
line() { printf "%-${width}s  %-${fw}s  %s\n" "$1" "$2" "$3"; }
assert_eq "$(line homerec "$home/.config/luaprobe/scripts" "from the user's folder")" "$(grep '^homerec ' <<<"$OUT")" "homerec"
assert_eq "$(line mine "$a" "the first folder's (shadows $b/mine.lua)")" "$(grep '^mine ' <<<"$OUT")" "mine"
assert_eq "$(line netdrop "$a" "a team's own netdrop (shadows $shadowed)")" "$(grep '^netdrop ' <<<"$OUT")" "netdrop"
assert_eq "$(line nohead "$b" '(no "--- nohead: ..." header)')" "$(grep '^nohead ' <<<"$OUT")" "nohead"
# neither a module in a subfolder nor a folder named x.lua is a recipe
case "$OUT" in *helpers* | *"dir "*) fail "a module or a folder listed: $OUT" ;; esac
# every bundled recipe: from a folder that holds it (installed or in-tree)
for f in "$tree"/*.lua; do
	name=$(basename "$f" .lua)
	[ "$name" = netdrop ] && continue
	folder=$(awk -v n="$name" -v w="$width" '$1 == n { f = substr($0, w + 3); sub(/  .*/, "", f); print f }' <<<"$OUT")
	[ -f "$folder/$name.lua" ] || fail "$name listed from '$folder', which has no $name.lua: $OUT"
	want=$(sed -n '1s/^--- [^:]*: //p' "$f")
	assert_eq "$(line "$name" "$folder" "$want")" "$(grep "^$name " <<<"$OUT")" "$name"
done
assert_eq $(($(ls "$tree"/*.lua | wc -l) + 3)) "$(wc -l <<<"$OUT")" "the number of recipes"

# the one listed is the one that runs
run "$LUAPROBE" netdrop
assert_eq "team netdrop" "$OUT" "netdrop run by name"
run "$LUAPROBE" mine
assert_eq "mine from a" "$OUT" "mine run by name"
echo "ok: --recipes says where each recipe comes from"
