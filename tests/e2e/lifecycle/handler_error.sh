# error() in a handler: "luaprobe: FILE:LINE: boom" and a Lua traceback on
# stderr, exit status 1, on_exit handlers run, every program detached. The
# fixture's calls alone reach the handler: another process's getppid flood
# would fill the ring buffer meanwhile (a second message, "lost N events").
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid
need_cmd bpftool

cat >"$TMP/err.lua" <<'LUA'
on_start(function() print("READY") io.stdout:flush() end)
on_exit(function() print("on_exit ran") end)
probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "lperr"' }, function(e)
  if e.comm == "lperr" then
    error("boom")
  end
end)
LUA
cd "$TMP" # so that messages name err.lua as a user would type it
lp_start err.lua
lp_ready
assert_eq 1 "$(grep -c . <<<"$IDS" || true)" "programs held while running ($IDS)"
"$FIXTURES/syscaller" --name lperr 5 >/dev/null
lp_wait 30
assert_eq 1 "$RC" "exit status"
assert_eq "luaprobe: err.lua:5: boom" "$(head -n1 <<<"$ERR")" "first line of stderr"
assert_contains $'stack traceback:\n' "$ERR" "stderr"
assert_contains $'\n\terr.lua:5: in function <err.lua:3>' "$ERR" "traceback"
assert_eq "1" "$(grep -c '^luaprobe: ' <<<"$ERR")" "number of luaprobe messages in: $ERR"
assert_eq $'READY\non_exit ran' "$OUT" "stdout"
# shellcheck disable=SC2086 # one id a word
wait_progs_gone 30 $IDS
