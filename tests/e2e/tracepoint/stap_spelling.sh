# kernel.trace("SYSTEM:EVENT") is the same point as tracepoint:SYSTEM:EVENT:
# both spellings, in one run, see exactly the calls the fixture made (the
# target's: other processes' calls are filtered out in the kernel).
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

cat >"$TMP/stap.lua" <<'LUA'
local n = { bt = 0, stap = 0 }
local function counter(key)
  return function(e)
    if e.comm == "lpstap" then n[key] = n[key] + 1 end
  end
end
local spec = { where = "pid == target" }
probe('kernel.trace("syscalls:sys_enter_getppid")', spec, counter("stap"))
probe("tracepoint:syscalls:sys_enter_getppid", spec, counter("bt"))
on_exit(function() printf("stap %d\nbt %d\n", n.stap, n.bt) end)
LUA
run "$LUAPROBE" -c "$FIXTURES/syscaller --name lpstap 777" "$TMP/stap.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
assert_eq 777 "$(field stap "$OUT")" "events through kernel.trace(...)"
assert_eq 777 "$(field bt "$OUT")" "events through tracepoint:..."
