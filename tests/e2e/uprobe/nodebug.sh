# frames-O2-nodebug is frames-O2 without its DWARF. Whatever needs DWARF (a
# variable by name, a label, a statement) fails with the one message that
# says so and what still works, exit status 1, the -c fixture never started. Symbol
# probes do work, and count exactly: uprobe:BIN:show with no fetch list (a
# handler and an in-kernel count), function("scaled") through the clone's
# symbol, a glob, a return probe with an empty fetch list.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

bin=$(fx O2-nodebug)
line=$(statement_line)
nodebug="no debuginfo for $bin: only symbol probes (uprobe:PATH:func without fetches) work"

cat >"$TMP/bad.lua" <<'LUA'
local BIN, POINT, FETCH = arg[1], arg[2], arg[3]
probe("uprobe:" .. BIN .. ":answer", function(e) print("answer event") end)
if FETCH then probe(POINT, { fetch = { FETCH } }) else probe(POINT) end
LUA
cd "$TMP"
# expect_error POINT FETCH MESSAGE: FETCH "" for none
expect_error() {
	local args=(bad.lua "$bin" "$1")
	[ -n "$2" ] && args+=("$2")
	run timeout -k 2 20 "$LUAPROBE" -c "$bin 1" "${args[@]}"
	assert_eq 1 "$RC" "exit status for: $1${2:+ fetch $2}"
	assert_eq "" "$OUT" "stdout (the fixture must not have run) for: $1"
	assert_eq "luaprobe: bad.lua:3: probe '$1': $3" "$ERR" "message"
}
# only the calling convention's registers have names there
args="without debuginfo for $bin: a function's entry has arg0..arg5 (a return probe \$retval), as integers, and casts of them such as (char *)arg0"
expect_error "uprobe:$bin:show" "f->prio" "fetch 'f->prio': no 'f' $args"
expect_error "process(\"$bin\").function(\"show\")" "f" "fetch 'f': no 'f' $args"
expect_error "process(\"$bin\").function(\"search\").label(\"found\")" "" "$nodebug"
expect_error "process(\"$bin\").statement(\"frames.c:$line\")" "" "$nodebug"
expect_error "process(\"$bin\").function(\"answer\").return" "x" "fetch 'x': no 'x' $args"

cat >"$TMP/symbols.lua" <<'LUA'
local BIN = arg[1]
local handled = 0
probe("uprobe:" .. BIN .. ":show", function(e) handled = handled + 1 end)
local show = probe("uprobe:" .. BIN .. ":show"):count("comm")
local scaled = probe('process("' .. BIN .. '").function("scaled")'):count("comm")
local scan = probe("uprobe:" .. BIN .. ":scan_*"):count("comm")
local ret = probe("uretprobe:" .. BIN .. ":answer", { fetch = {} }):count("comm")
on_exit(function()
  printf("lp show-handled %d\n", handled)
  printf("lp show %d\n", show:total())
  printf("lp scaled %d\n", scaled:total())
  printf("lp scan %d\n", scan:total())
  printf("lp answer-returns %d\n", ret:total())
end)
LUA
n=13
run timeout -k 2 20 "$LUAPROBE" -c "$bin $n" symbols.lua "$bin"
assert_eq 0 "$RC" "exit status of symbol probes ($ERR)"
assert_eq "luaprobe: probe 'uprobe:$bin:scan_*': 2 places" "$ERR" "stderr of symbol probes: the glob's places"
lp=$(sed -n 's/^lp //p' <<<"$OUT")
assert_eq $n "$(grep -c '^show ' <<<"$OUT")" "show calls"
assert_eq $n "$(field show-handled "$lp")" "events handled at uprobe:BIN:show"
assert_eq $n "$(field show "$lp")" "events counted in the kernel at uprobe:BIN:show"
assert_eq $((2 * n)) "$(grep -c '^scaled ' <<<"$OUT")" "scaled calls"
assert_eq $((2 * n)) "$(field scaled "$lp")" "events at function(\"scaled\") (scaled.constprop.0)"
assert_eq $((2 * n)) "$(grep -cE '^scan_[ab] ' <<<"$OUT")" "scan_a and scan_b calls"
assert_eq $((2 * n)) "$(field scan "$lp")" "events at uprobe:BIN:scan_*"
assert_eq $n "$(field answer-returns "$lp")" "events at uretprobe:BIN:answer"
