# `cmake --install` puts the binary, the recipes and the man page where they
# belong: PREFIX/bin/luaprobe, PREFIX/share/luaprobe/scripts/*.lua,
# PREFIX/share/man/man1/luaprobe.1 (under --prefix, and under DESTDIR as a
# package build does). The page is generated at build time from the texts
# it tells of (cmake/manpage.cmake): --help's docs/usage.txt, README.md's
# Lua API block, the recipes' headers; man renders it, groff finds nothing
# to warn of, and it holds every option --help names, the API and every
# recipe. The installed binary finds its installed recipes. Before, no man
# page was built or installed.
. "$TESTS/e2e/lib.sh"
need_cmd cmake
build=$(dirname "$LUAPROBE")
[ -f "$build/cmake_install.cmake" ] || skip "no cmake_install.cmake beside $LUAPROBE"
src=$(cd "$TESTS/.." && pwd)

run cmake --install "$build" --prefix "$TMP/prefix"
assert_eq 0 "$RC" "cmake --install --prefix ($ERR)"
p="$TMP/prefix"
[ -x "$p/bin/luaprobe" ] || fail "no $p/bin/luaprobe"
assert_eq "$(cd "$src/scripts" && ls ./*.lua)" "$(cd "$p/share/luaprobe/scripts" && ls ./*.lua)" "installed recipes"
for f in "$src"/scripts/*.lua; do
	cmp -s "$f" "$p/share/luaprobe/scripts/${f##*/}" || fail "installed ${f##*/} differs"
done
page="$p/share/man/man1/luaprobe.1"
[ -f "$page" ] || fail "no $page"
cmp -s "$page" "$build/luaprobe.1" || fail "installed page differs from the built one"

# DESTDIR, as a distribution's package build installs
run env DESTDIR="$TMP/dest" cmake --install "$build" --prefix /usr
assert_eq 0 "$RC" "DESTDIR install ($ERR)"
for f in bin/luaprobe share/man/man1/luaprobe.1 share/luaprobe/scripts/netdrop.lua; do
	[ -f "$TMP/dest/usr/$f" ] || fail "DESTDIR install: no /usr/$f"
done

# the installed binary runs its installed recipes (it is not in the build tree)
run "$p/bin/luaprobe" --recipes
assert_eq 0 "$RC" "installed --recipes ($ERR)"
grep -qE "^netdrop +$p/share/luaprobe/scripts +count packet drops" <<<"$OUT" || fail "installed netdrop not from $p: $OUT"
case "$OUT" in *shadows*) fail "an installed recipe shadows its identical copy: $OUT" ;; esac
run "$p/bin/luaprobe" --help
assert_eq "$(cat "$src/docs/usage.txt")" "$OUT" "--help is docs/usage.txt"

# the page renders; its parts are the texts it is made of
if command -v groff >/dev/null; then
	run groff -man -ww -z "$page"
	assert_eq "0" "$RC" "groff's status"
	assert_eq "" "$ERR" "groff's warnings"
fi
command -v man >/dev/null || skip "no man to render the page (the files are installed)"
run env MANWIDTH=200 LC_ALL=C.UTF-8 man -l "$page"
assert_eq 0 "$RC" "man -l ($ERR)"
text=$OUT
section() { awk -v s="$1" '/^[A-Z][A-Z ]*$/ { on = ($0 == s); next } on' <<<"$text"; }
for s in NAME SYNOPSIS DESCRIPTION OPTIONS "LUA API" RECIPES ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	grep -qx "$s" <<<"$text" || fail "no section $s in: $text"
done
# every option of --help heads an entry of OPTIONS, with its first line of text
while IFS= read -r l; do
	opt=$(sed -E 's/^  //; s/ {2,}.*//' <<<"$l")
	section OPTIONS | grep -qE "^ {7}$(sed 's/[][\.*^$|+?(){}]/\\&/g' <<<"$opt")( |$)" ||
		fail "option '$opt' not in the page's OPTIONS: $(section OPTIONS)"
done < <(sed -n '/^OPTIONS$/,/^$/p' "$src/docs/usage.txt" | grep -E '^  -')
# every command of USAGE in SYNOPSIS
while IFS= read -r l; do
	cmd=$(sed -E 's/^  //; s/ {3,}.*//' <<<"$l")
	section SYNOPSIS | grep -qxF "       $cmd" || fail "'$cmd' not in SYNOPSIS: $(section SYNOPSIS)"
done < <(sed -n '/^USAGE$/,/^$/p' "$src/docs/usage.txt" | grep -E '^  luaprobe ')
# README's API block, line for line
api=$(sed -n '/^<!-- man: LUA API/,/^```$/p' "$src/README.md" | sed '1,2d;$d')
[ -n "$api" ] || fail "no API block in README.md"
assert_eq "$(sed 's/^/       /' <<<"$api")" "$(section "LUA API" | sed -n '/^       probe(/,$p' | sed '/^$/d')" "the page's LUA API"
# every recipe with its description
for f in "$src"/scripts/*.lua; do
	name=$(basename "$f" .lua)
	section RECIPES | grep -qE "^ {7}$name( |$)" || fail "recipe $name not in RECIPES"
done
echo "ok: cmake --install: binary, recipes, man page"
