# What a uprobe's kind answers for `where`: enum constants from the binary's
# DWARF (color == BLUE), names in scope for "did you mean" (a parameter not
# fetched), and a clear refusal of `in "func"` (a process's code addresses
# move with each run, so DWARF's ranges would compare wrong).
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/blue.lua" <<'LUA'
local BIN = arg[1]
local n = 0
probe("uprobe:" .. BIN .. ":show", { fetch = { color = "f->color" }, where = "color == BLUE" },
  function(e) n = n + 1 end)
on_exit(function() printf("lp blue %d\n", n) end)
LUA

for opt in $OPTS; do
	trace "$opt" 25 "$TMP/blue.lua"
	trace_ok "$opt"
	want=$(lines show "$FX_OUT" | grep -c ' color=BLUE ' || true)
	[ "$want" -gt 0 ] || fail "the fixture made no BLUE call at $opt: $FX_OUT"
	assert_eq "blue $want" "$LP_OUT" "show calls with color == BLUE at $opt"
done

bin=$(fx O0)
run "$LUAPROBE" -e "probe('uprobe:$bin:search', { fetch = { 'n' }, where = 'wantt == 3' })"
assert_eq 1 "$RC" "exit status of a misspelt parameter"
assert_eq "luaprobe: -e:1: probe 'uprobe:$bin:search': where: column 1: unknown name 'wantt' (did you mean 'want'?)" \
	"$ERR" "a misspelt parameter"

run "$LUAPROBE" -e "probe('uprobe:$bin:show', { fetch = { c = 'f->color' }, where = 'c in \"main\"' })"
assert_eq 1 "$RC" "exit status of 'in' on a uprobe"
assert_eq "luaprobe: -e:1: probe 'uprobe:$bin:show': where: column 6: 'in \"main\"' compares with kernel function addresses; a process probe has none (its code moves with each run)" \
	"$ERR" "'in' on a uprobe"
