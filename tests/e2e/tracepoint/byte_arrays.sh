# __u8 saddr[4] and saddr_v6[16] arrive whole, zero bytes included, and
# inet() formats them: a connect from 127.1.0.9 to 127.0.5.1 prints exactly
# those (cut at the first zero they were "\127\1" and "\127"). They also key
# an aggregation whole; a filter on one is an error that says why.
. "$TESTS/e2e/lib.sh"
need_tracepoint sock:inet_sock_set_state

cat >"$TMP/conn.lua" <<'LUA'
-- newstate 2 is TCP_SYN_SENT: the client's connect(), in its own context
local spec = { where = 'comm == "tcpconnect" && newstate == 2' }
probe("tracepoint:sock:inet_sock_set_state", spec, function(e)
  local v4 = e.family == 2
  printf("conn %s:%d %s:%d %d %d %d %d\n", inet(v4 and e.saddr or e.saddr_v6, e.family), e.sport,
         ntop(v4 and e.daddr or e.daddr_v6), e.dport, #e.saddr, #e.daddr, #e.saddr_v6, #e.daddr_v6)
end)
local by = probe("tracepoint:sock:inet_sock_set_state", spec):count("saddr", "daddr", "daddr_v6")
on_exit(function()
  local keys = {}
  for k, n in by:items() do
    keys[#keys + 1] = string.format("key %s %s %s %d %d", inet(k.saddr), inet(k[2]),
                                    inet(k.daddr_v6), #k.daddr_v6, n)
  end
  table.sort(keys)
  print(table.concat(keys, "\n"))
end)
LUA
run "$LUAPROBE" -c "$FIXTURES/tcpconnect 127.0.0.1 127.0.0.1 127.1.0.9 127.0.5.1 ::1 ::1" "$TMP/conn.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
# the fixture's own lines (SRC:sport DST:dport), in order, are what the probe must print
want=$(grep -v '^conn \|^key ' <<<"$OUT" | sed 's/^/conn /; s/$/ 4 4 16 16/')
assert_eq 3 "$(grep -c '^conn ' <<<"$want")" "connections the fixture made: $OUT"
assert_eq "$want" "$(grep '^conn ' <<<"$OUT")" "addresses and ports of each connect"
# IPv4 connects fill saddr_v6 with the v4-mapped address; an IPv6 socket's
# inet_saddr is LOOPBACK4_IPV6 (127.0.0.6) and its inet_daddr zero
assert_eq $'key 127.0.0.1 127.0.0.1 ::ffff:127.0.0.1 16 1\nkey 127.0.0.6 0.0.0.0 ::1 16 1\nkey 127.1.0.9 127.0.5.1 ::ffff:127.0.5.1 16 1' \
	"$(grep '^key ' <<<"$OUT")" "aggregation keys by saddr, daddr, daddr_v6"

cat >"$TMP/where.lua" <<'LUA'
probe("tracepoint:sock:inet_sock_set_state", { where = "daddr == 1" }, function() end)
LUA
run "$LUAPROBE" -d 1 "$TMP/where.lua"
assert_eq 1 "$RC" "exit status of a filter on a byte array"
assert_eq "luaprobe: $TMP/where.lua:1: probe 'tracepoint:sock:inet_sock_set_state': where: column 1: 'daddr' is an array of bytes: a filter compares integers and strings (read it in a handler)" \
	"$ERR" "message of a filter on a byte array"

# print() shows a byte key as hex, zeros included
cat >"$TMP/print.lua" <<'LUA'
local by = probe("tracepoint:sock:inet_sock_set_state",
                 { where = 'comm == "tcpconnect" && newstate == 2' }):count("daddr")
on_exit(function() by:print() end)
LUA
run "$LUAPROBE" -c "$FIXTURES/tcpconnect 127.1.0.9 127.0.5.1" "$TMP/print.lua"
assert_eq 0 "$RC" "exit status of print ($ERR)"
assert_eq "@[7f:00:05:01]: 1" "$(grep '^@' <<<"$OUT")" "print() of a byte key"
