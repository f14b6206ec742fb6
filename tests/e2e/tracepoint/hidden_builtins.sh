# A field wins over the built-in of its name, and "_" + the name reaches the
# built-in: in syscalls:sys_enter_kill e.pid is the target, e._pid the
# caller, in handlers, in where, as keys and in items(); -L says so.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_kill

run "$LUAPROBE" -L tracepoint:syscalls:sys_enter_kill
assert_eq 0 "$RC" "exit status of -L ($ERR)"
assert_eq $'tracepoint:syscalls:sys_enter_kill\n    int __syscall_nr\n    pid_t pid\n    int sig\n    (the field pid hides the built-in pid: use _pid)' \
	"$OUT" "-L of sys_enter_kill"

# The target sleeps; the caller (a shell named lpkiller, so its comm is known)
# waits on a fifo until luaprobe is attached, then sends it signal 0 three times.
sleep 60 &
target=$!
ln -s "$(command -v sh)" "$TMP/lpkiller"
mkfifo "$TMP/go"
"$TMP/lpkiller" -c "read x <'$TMP/go'; kill -0 $target; kill -0 $target; kill -0 $target" &
caller=$!
# a failure before the fifo is written must not leave them behind
trap 'kill "$target" "$caller" 2>/dev/null || true; cleanup' EXIT

cat >"$TMP/kill.lua" <<LUA
local n = 0
probe("tracepoint:syscalls:sys_enter_kill", { where = "_pid == $caller" }, function(e)
  n = n + 1
  printf("event %d %d %d %d %s %s\n", e.pid, e._pid, e._tid, e.sig, e.comm, e._comm)
  if n == 1 then
    local keys = {}
    for k in pairs(e) do keys[#keys + 1] = k end
    printf("pairs %s\n", table.concat(keys, " "))
  end
  if n == 3 then exit() end
end)
local by = probe("tracepoint:syscalls:sys_enter_kill", { where = "pid == $target" })
  :count("_comm", "_pid", "pid")
on_exit(function()
  for k, c in by:items() do printf("count %s %d %d %d\n", k._comm, k._pid, k.pid, c) end
end)
$READY_LUA
LUA
lp_start -d 10 "$TMP/kill.lua"
lp_ready
echo go >"$TMP/go"
lp_wait 15
kill "$target" 2>/dev/null || true
wait "$caller" || true
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
ev="event $target $caller $caller 0 lpkiller lpkiller"
assert_eq "$ev"$'\n'"$ev"$'\n'"$ev" "$(grep '^event ' <<<"$OUT")" "e.pid (target), e._pid and e._tid (caller), comm"
assert_eq "pairs __syscall_nr pid sig _pid tid uid comm cpu ts probe" "$(grep '^pairs ' <<<"$OUT")" \
	"pairs(e): the hidden built-in as _pid"
assert_eq "count lpkiller $caller $target 3" "$(grep '^count ' <<<"$OUT")" "count by _comm, _pid, pid"

# No fetch may take a built-in's underscored name.
cat >"$TMP/reserved.lua" <<'LUA'
probe("tracepoint:syscalls:sys_enter_kill", { fetch = { _pid = "pid" } }, function() end)
LUA
run "$LUAPROBE" -d 1 "$TMP/reserved.lua"
assert_eq 1 "$RC" "exit status of a fetch named _pid"
assert_eq "luaprobe: $TMP/reserved.lua:1: probe 'tracepoint:syscalls:sys_enter_kill': '_pid' is the built-in pid; name the fetch otherwise" \
	"$ERR" "message of a fetch named _pid"
