# search()'s local `first` (arr[0] * 3) is dead by the label `found`: at -O2
# DWARF says so, and fetching it there fails with the variable's name, exit
# status 1, nothing attached or run (the -c fixture never starts). At -O0 it
# lives in the frame and reads 9 (arr[0] is 3 in frames.c) at every call.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/first.lua" <<'LUA'
local BIN = arg[1]
probe("uprobe:" .. BIN .. ":answer", function(e) print("lp answer event") end)
probe('process("' .. BIN .. '").function("search").label("found")', { fetch = { "first", "idx" } },
  function(e) printf("lp search first=%d idx=%d\n", e.first, e.idx) end)
LUA
cd "$TMP"

trace O0 5 first.lua
trace_ok O0
assert_lines "$(lines search "$FX_OUT" | sed 's/^search .*\( idx=[0-9]*\) .*/search first=9\1/')" \
	"$(lines search "$LP_OUT")" "first and idx at found at O0"

bin=$(fx O2)
trace O2 5 first.lua
assert_eq 1 "$RC" "exit status at O2"
assert_eq "" "$OUT" "stdout at O2 (the fixture must not have run)"
assert_eq "luaprobe: first.lua:3: probe 'process(\"$bin\").function(\"search\").label(\"found\")': fetch 'first': 'first' is optimized out at this point" \
	"$ERR" "message at O2"
