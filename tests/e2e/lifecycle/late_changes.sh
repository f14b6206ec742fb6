# Once the probes have started, what would change their plan is an error
# naming the probe (it would count nothing): count(), where(), hist() and
# probe() from on_start and from a timer, on a tracepoint and on a uprobe.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_tracepoint syscalls:sys_enter_getppid
need_uprobes

cat >"$TMP/late.lua" <<'LUA'
local BIN = arg[1]
local tp = probe("tracepoint:syscalls:sys_enter_getppid")
local up = probe("uprobe:" .. BIN .. ":scaled")
local function try(what, f)
  local ok, err = pcall(f)
  print(what .. ": " .. (ok and "accepted" or err))
end
on_start(function()
  try("tp:count", function() tp:count() end)
  try("tp:where", function() tp:where("pid == 1") end)
  try("up:count", function() up:count("pid") end)
  try("up:where", function() up:where("pid == 1") end)
  try("probe", function() probe("tracepoint:syscalls:sys_enter_getpid") end)
end)
after("50ms", function()
  try("up:hist", function() up:hist("pid") end)
  exit()
end)
LUA

cd "$TMP"
run "$LUAPROBE" late.lua "$(fx O0)"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
tp="probe 'tracepoint:syscalls:sys_enter_getppid'"
up="probe 'uprobe:$(fx O0):scaled'"
late="must be called before the probes start (in the script's main chunk)"
assert_eq "tp:count: late.lua:9: $tp: count() $late
tp:where: late.lua:10: $tp: where() $late
up:count: late.lua:11: $up: count() $late
up:where: late.lua:12: $up: where() $late
probe: late.lua:13: probe 'tracepoint:syscalls:sys_enter_getpid': probes must be made before they start (in the script's main chunk)
up:hist: late.lua:16: $up: hist() $late" "$OUT" "what each late call said"
