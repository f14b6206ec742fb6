# A probe() call that raised (here under pcall, on a bad spec once the point
# has resolved) makes no probe: nothing of it is loaded or attached, and the
# good probe next to it counts exactly.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_tracepoint syscalls:sys_enter_getppid
need_uprobes

cat >"$TMP/raised.lua" <<'LUA'
local BIN = arg[1]
local n = 0
local function try(f)
  print(select(2, pcall(f)))
end
try(function()
  probe("tracepoint:syscalls:sys_enter_getppid", { where = [[comm == "lpraised"]], max_keys = "many" })
end)
try(function() probe("uprobe:" .. BIN .. ":scaled", { where = "nosuch == 1" }) end)
try(function() probe("tracepoint:syscalls:sys_enter_getppid", { stack = "sideways" }) end)
probe("tracepoint:syscalls:sys_enter_getppid", { where = [[comm == "lpraised"]] },
  function(e) n = n + 1 end)
on_exit(function() print("events " .. n) end)
LUA

cd "$TMP"
run "$LUAPROBE" -v -c "$FIXTURES/syscaller --name lpraised 500" raised.lua "$(fx O0)"
assert_eq 0 "$RC" "exit status ($ERR)"
# only the last probe is attached
assert_eq "luaprobe: raised.lua:11: probe 'tracepoint:syscalls:sys_enter_getppid': attached as tracepoint
luaprobe: 0 events lost" "$ERR" "stderr with -v"
assert_eq "raised.lua:7: probe 'tracepoint:syscalls:sys_enter_getppid': spec.max_keys must be a positive whole number
raised.lua:9: probe 'uprobe:$(fx O0):scaled': where: column 1: unknown name 'nosuch': not a field, a built-in or an enum constant
raised.lua:10: probe 'tracepoint:syscalls:sys_enter_getppid': spec.stack must be \"kernel\", \"user\" or \"both\"
events 500" "$(grep -v '^pid ' <<<"$OUT" | grep -v '^getppid ')" "what the script printed"
assert_eq 500 "$(field getppid "$OUT")" "calls the fixture made"
