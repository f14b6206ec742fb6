# The built-in fields (pid tid uid cpu ts probe) and format fields
# (__syscall_nr, an array as a Lua table) carry the fixture's exact values;
# an unknown field is an error that names the nearest one.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid
need_tracepoint raw_syscalls:sys_enter

cat >"$TMP/fields.lua" <<'LUA'
local n, bad, last_ts, ids, maxcpu, nargs = 0, {}, 0, {}, -1, {}
local first
-- filtered in the kernel by the target too: other processes' calls (another
-- test's flood) cannot fill the ring buffer meanwhile
probe("tracepoint:syscalls:sys_enter_getppid", { where = "pid == target" }, function(e)
  if e.comm ~= "lpfields" then return end
  n = n + 1
  first = first or e
  if e.tid ~= e.pid then bad[#bad + 1] = "tid " .. e.tid end
  if e.ts <= last_ts then bad[#bad + 1] = "ts " .. e.ts .. " after " .. last_ts end
  if e.probe ~= "tracepoint:syscalls:sys_enter_getppid" then bad[#bad + 1] = "probe " .. e.probe end
  last_ts = e.ts
  ids[e.pid .. " " .. e.uid .. " " .. e.__syscall_nr] = true
  if e.cpu > maxcpu then maxcpu = e.cpu end
end)
probe("tracepoint:raw_syscalls:sys_enter", { where = "pid == target" }, function(e)
  if e.comm ~= "lpfields" then return end
  nargs[type(e.args) .. " " .. #e.args] = true
end)
on_exit(function()
  printf("count %d\nmaxcpu %d\nbad %s\n", n, maxcpu, table.concat(bad, ", "))
  for k in pairs(ids) do printf("ids %s\n", k) end
  for k in pairs(nargs) do printf("args %s\n", k) end
end)
LUA
run "$LUAPROBE" -c "$FIXTURES/syscaller --name lpfields 200" "$TMP/fields.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
assert_eq 200 "$(field count "$OUT")" "events"
assert_eq "" "$(field bad "$OUT")" "events with a wrong tid, ts or probe"
read -r pid uid nr <<<"$(field ids "$OUT")"
assert_eq "$(field pid "$OUT")" "$pid" "e.pid (the fixture's getpid())"
assert_eq "$(id -u)" "$uid" "e.uid"
case "$(uname -m)" in
x86_64) assert_eq 110 "$nr" "e.__syscall_nr of getppid" ;;
aarch64) assert_eq 173 "$nr" "e.__syscall_nr of getppid" ;;
esac
assert_range 0 $(($(nproc --all) - 1)) "$(field maxcpu "$OUT")" "highest e.cpu"
assert_eq "table 6" "$(field args "$OUT")" "raw_syscalls:sys_enter e.args"

# A misspelt field stops the run with the nearest name.
cat >"$TMP/typo.lua" <<'LUA'
probe("tracepoint:syscalls:sys_enter_getppid", function(e)
  if e.comm == "lptypo" then print(e.__syscal_nr) end
end)
LUA
run "$LUAPROBE" -c "$FIXTURES/syscaller --name lptypo 3" "$TMP/typo.lua"
assert_eq 1 "$RC" "exit status of a misspelt field"
assert_eq "luaprobe: $TMP/typo.lua:2: probe 'tracepoint:syscalls:sys_enter_getppid' has no field '__syscal_nr' (did you mean '__syscall_nr'?)" \
	"$(head -n1 <<<"$ERR")" "first line of stderr"
assert_contains "stack traceback:" "$ERR" "stderr"
