# usym() of a process that has exited but is not reaped yet (a zombie: its
# /proc entry is there, its memory gone) names the address from the
# mappings luaprobe recorded, as for a process that is gone. Before, the
# zombie's /proc entry sent it to the live maps, which libdwfl could not
# read (ESRCH), and the start function came back as a bare address: the
# threadsnoop recipe failed that way whenever its events were read after
# the fixture had exited (under ASan, most runs). The handler here waits
# until the fixture is a zombie (luaprobe, its parent through -c, reaps it
# only after the handler returns).
. "$TESTS/e2e/lib.sh"
need_root

cat >"$TMP/zombie.lua" <<'LUA'
probe("uprobe:libc.so.6:pthread_create", { fetch = { fn = "start_routine" }, stack = "user" },
  function(e)
    local state
    for _ = 1, 200000 do
      local f = io.open("/proc/" .. e.pid .. "/stat")
      if not f then break end
      state = f:read("a"):match("%) (%a)")
      f:close()
      if state == "Z" then break end
    end
    print(state, (usym(e.pid, e.fn):gsub(" %(.*%)$", "")))
    exit()
  end)
LUA
run "$LUAPROBE" -c "$FIXTURES/threads 1" "$TMP/zombie.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "Z	work" "$(grep -v '^threads ' <<<"$OUT")" "state and start function of the zombie"
echo ok
