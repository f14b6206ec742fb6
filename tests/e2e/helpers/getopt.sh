# getopt(defaults, usage): --name value, --name=value, a boolean without a
# value, dashes in names as underscores, positional words kept in order;
# an unknown --option, a missing value and a short option are refused with
# the usage. `luaprobe NAME -p PID` (luaprobe's -p after the recipe's name)
# used to be taken as two positional words and ignored: the recipe ran
# system-wide.
. "$TESTS/e2e/lib.sh"
cat >"$TMP/opts.lua" <<'LUA'
local opts, rest = getopt({ pid = "", top = "10", by_process = false, x = "d" }, "usage: opts.lua [--pid P]")
printf("pid=%s top=%s by_process=%s x=%s rest=%s\n", opts.pid, opts.top, tostring(opts.by_process),
       opts.x, table.concat(rest, ","))
LUA
run "$LUAPROBE" "$TMP/opts.lua" a --pid 12 --top=3 --by-process -5 b
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "pid=12 top=3 by_process=true x=d rest=a,-5,b" "$OUT" "options"
run "$LUAPROBE" "$TMP/opts.lua" --nope
assert_eq 1 "$RC" "exit status of --nope"
assert_eq "luaprobe: unknown option '--nope'
usage: usage: opts.lua [--pid P]" "$ERR" "--nope"
run "$LUAPROBE" "$TMP/opts.lua" --top
assert_eq "luaprobe: option '--top' needs a value" "$ERR" "--top without a value"
run "$LUAPROBE" "$TMP/opts.lua" -p 12
assert_eq 1 "$RC" "exit status of -p after the script"
assert_eq "luaprobe: unknown option '-p'; luaprobe's -p goes before the script's name (luaprobe -p ... NAME)
usage: usage: opts.lua [--pid P]" "$ERR" "-p after the script"
run "$LUAPROBE" "$TMP/opts.lua" -x
assert_eq "luaprobe: unknown option '-x'
usage: usage: opts.lua [--pid P]" "$ERR" "-x"
