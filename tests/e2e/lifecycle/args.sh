# Script arguments: arg[0] is the script as given, arg[1..] and ... the rest.
. "$TESTS/e2e/lib.sh"

cat >"$TMP/args.lua" <<'LUA'
printf("arg0 %s\narg1 %s\narg2 %s\narg3 %s\n", arg[0], arg[1], arg[2], arg[3])
printf("dots %d %s\n", select("#", ...), table.concat({ ... }, ","))
LUA
run "$LUAPROBE" "$TMP/args.lua" a b
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
assert_eq "$TMP/args.lua" "$(field arg0 "$OUT")" "arg[0]"
assert_eq a "$(field arg1 "$OUT")" "arg[1]"
assert_eq b "$(field arg2 "$OUT")" "arg[2]"
assert_eq nil "$(field arg3 "$OUT")" "arg[3]"
assert_eq "2 a,b" "$(field dots "$OUT")" "... in the main chunk"

# Options before the script are luaprobe's; words after it are the script's.
run "$LUAPROBE" --unsafe "$TMP/args.lua" -d x
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "-d" "$(field arg1 "$OUT")" "arg[1] that looks like an option"
assert_eq "2 -d,x" "$(field dots "$OUT")" "... with option-like words"
