# Record fields read by direct loads (bpf/tp.bpf.c: a tree of loads with
# immediate offsets, pruned by the verifier to the plan's) carry exact
# values: fields of 1, 2, 4 and 8 bytes the fixture chooses, through a
# handler (the whole record copied: sock_recv_length's 20 bytes as loads of
# 8, 8 and 4) and through counts without one (the copy cut to the bytes a
# key reads: one load of 8 at 16, 24, 32 or 56, one of 4 at 24). A load at
# the wrong offset or of the wrong size reads another field's bytes.
. "$TESTS/e2e/lib.sh"
need_tracepoint sock:sock_recv_length
need_tracepoint fib:fib_table_lookup
need_tracepoint syscalls:sys_enter_sendto
# sys_enter_sendto as the classic tracepoint it is, read from its record (as
# raw_syscalls the same values come from registers: tracepoint/syscall_raw.sh)
export LUAPROBE_SYSCALL_RAW=0

N=30
cat >"$TMP/direct.lua" <<'LUA'
local seen = {}
local function add(k) seen[k] = (seen[k] or 0) + 1 end
probe("tracepoint:sock:sock_recv_length", { where = "pid == target" }, function(e)
  add(string.format("recv %d %d %d %d %s", e.family, e.protocol, e.ret, e.flags,
    e.sk ~= 0 and "sk" or "nosk"))
end)
local fam = probe("tracepoint:sock:sock_recv_length", { where = "pid == target" }):count("family", "protocol")
local ret = probe("tracepoint:sock:sock_recv_length", { where = "pid == target" }):count("ret")
local flags = probe("tracepoint:sock:sock_recv_length", { where = "pid == target" }):count("flags")
local neg = probe("tracepoint:sock:sock_recv_length", { where = "pid == target && ret < 0" }):count()
local tos = probe("tracepoint:fib:fib_table_lookup", { where = "pid == target" }):count("tos", "proto")
local dport = probe("tracepoint:fib:fib_table_lookup", { where = "pid == target" }):count("dport")
local len = probe("tracepoint:syscalls:sys_enter_sendto", { where = "pid == target" }):count("len")
local buff = probe("tracepoint:syscalls:sys_enter_sendto", { where = "pid == target" }):count("buff")
on_exit(function()
  local lines = {}
  for k, n in pairs(seen) do lines[#lines + 1] = k .. " " .. n end
  for k, n in fam:items() do lines[#lines + 1] = string.format("family %d %d %d", k.family, k.protocol, n) end
  for k, n in ret:items() do lines[#lines + 1] = string.format("ret %d %d", k.ret, n) end
  for k, n in flags:items() do lines[#lines + 1] = string.format("flags %d %d", k.flags, n) end
  for k, n in neg:items() do lines[#lines + 1] = string.format("neg %d", n) end
  for k, n in tos:items() do lines[#lines + 1] = string.format("tos %d %d %d", k.tos, k.proto, n) end
  for k, n in dport:items() do lines[#lines + 1] = string.format("dport %d %d", k.dport, n) end
  for k, n in len:items() do lines[#lines + 1] = string.format("len %d %d", k.len, n) end
  for k, n in buff:items() do lines[#lines + 1] = string.format("buff %d %d", k.buff, n) end
  table.sort(lines)
  print(table.concat(lines, "\n"))
end)
LUA
run "$LUAPROBE" -c "$FIXTURES/udpfields --name lpdirect $N" "$TMP/direct.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
port=$(sed -n 's/^port //p' <<<"$OUT")
[ -n "$port" ] || fail "no port line: $OUT"

# Through the handler: the whole record.
recv=$(grep '^recv ' <<<"$OUT")
assert_eq "recv 2 17 -11 1073741888 sk 1
recv 2 17 300 1073741888 sk 10
recv 2 17 301 1073741888 sk 10
recv 2 17 302 1073741888 sk 10" "$recv" "sock_recv_length through a handler (family protocol ret flags sk count)"
# Through counts: u16 pair, a signed s32 (a load of 8 at 16), an s32 with
# bits in its top byte (a load of 4 at 24), a filter on the sign.
assert_eq "family 2 17 31" "$(grep '^family ' <<<"$OUT")" "count by family, protocol"
assert_eq "ret -11 1
ret 300 10
ret 301 10
ret 302 10" "$(grep '^ret ' <<<"$OUT")" "count by ret"
assert_eq "flags 1073741888 31" "$(grep '^flags ' <<<"$OUT")" "count by flags"
assert_eq "neg 1" "$(grep '^neg ' <<<"$OUT")" "count where ret < 0"
# u8 fields (a load of 8 at 24) and a u16 (a load of 8 at 56): the connect's
# route lookups carry proto 17, tos 0x28 and the receiver's port; the kernel
# may make other lookups for the same connect (source address: all zero
# here), so the check is that these are exact and agree with each other.
tos=$(grep '^tos 40 17 ' <<<"$OUT" | awk '{ print $4 }' || true)
[ -n "$tos" ] || fail "no route lookup with tos 40, proto 17: $(grep '^tos ' <<<"$OUT")"
assert_eq "" "$(grep '^tos ' <<<"$OUT" | grep -v -e '^tos 40 17 ' -e '^tos 0 0 ')" "other (tos, proto) keys"
assert_eq "dport $port $tos" "$(grep "^dport $port " <<<"$OUT")" "count by dport (as many as tos 40)"
assert_eq "" "$(grep '^dport ' <<<"$OUT" | grep -v -e "^dport $port " -e '^dport 0 ')" "other dport keys"
# u64 syscall arguments (loads of 8 at 32 and 24): the buffer's address
# has bits above 32.
buf=$(sed -n 's/^buf //p' <<<"$OUT")
assert_eq "buff $buf 30" "$(grep '^buff ' <<<"$OUT")" "count by sendto's buff"
assert_eq "len 300 10
len 301 10
len 302 10" "$(grep '^len ' <<<"$OUT")" "count by sendto's len"
