# latency() pairs across every kind that says it can (kinds/registry.c's
# pairs): tp_btf and rawtp starts and ends, mixed with classic tracepoints,
# on the sleeper's nanosleep calls of 17, 34, 34, 68, 68 and 68 ms, and USDT
# markers paired with each other and with a system call, N rounds exactly.
# Neither end sends an event to user space unless it has a handler (hits
# 0). A sleep only oversleeps (by 100 ms at a load of 30 here), so each
# hist holds 6 values of which at least 6, 5 and 3 are at or above 2^24,
# 2^25 and 2^26 ns; the pair with a handler gives e.latency, and the
# kernel's hist of it is exactly the buckets of those values. Before,
# latency() refused every kind but tracepoint and uprobe.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_nanosleep
[ "$(uname -m)" = x86_64 ] || skip "the test names nanosleep by its x86_64 number (35)"

cat >"$TMP/btf.lua" <<'LUA'
local c = 'comm == "lplatk"'
local s1 = probe("tp_btf:sys_enter", { where = "id == 35 && " .. c })
local e1 = probe("tracepoint:syscalls:sys_exit_nanosleep", { where = c })
local h1 = latency(s1, e1)
local s2 = probe("tracepoint:syscalls:sys_enter_nanosleep", { where = c })
local e2 = probe("tp_btf:sys_exit", { where = "regs->orig_ax == 35 && " .. c })
local h2 = latency(s2, e2)
local s3 = probe("rawtp:sys_enter", { where = "id == 35 && " .. c })
local fed = Hist()
local e3 = probe("rawtp:sys_exit", { where = "regs->orig_ax == 35 && " .. c }, function(e)
  fed:add(e.latency)
end)
local h3 = latency(s3, e3, "pid")
local function buckets(h)
  for _, v in h:items() do
    local parts = {}
    for b = 0, 64 do if v[b] then parts[#parts + 1] = b .. "=" .. v[b] end end
    return table.concat(parts, " "), v
  end
  return "none", { total = 0 }
end
on_exit(function()
  for i, h in ipairs({ h1, h2, h3 }) do
    local text, v = buckets(h)
    local ge = { 0, 0, 0 }
    for b, n in pairs(v) do
      if b ~= "total" then
        for j = 1, 3 do if b >= 25 + j then ge[j] = ge[j] + n end end
      end
    end
    local ok = v.total == 6 and ge[1] == 6 and ge[2] >= 5 and ge[3] >= 3
    printf("h%d %s\n", i, ok and "ok" or (v.total .. ": " .. text))
  end
  printf("h3 as its e.latency %s\n", buckets(h3) == buckets(fed) and "same" or (buckets(h3) .. " | " .. buckets(fed)))
  printf("hits %d %d %d %d %d %d\n", s1.hits, e1.hits, s2.hits, e2.hits, s3.hits, e3.hits)
end)
LUA
# the comm is this run's: another checkout's run of this test would count into it
sed -i "s/lplatk/lplk$$/" "$TMP/btf.lua"
run timeout 60 "$LUAPROBE" -c "$FIXTURES/sleeper --name lplk$$ 17,34,34,68,68,68 >/dev/null" "$TMP/btf.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "h1 ok
h2 ok
h3 ok
h3 as its e.latency same
hits 0 0 0 0 0 6" "$OUT" "tp_btf and rawtp pairs"

# USDT: the marker lpfx:stack to lpfx:regs of the same round (by tid), and
# lpfx:stack to the write(2) of the line the fixture prints after it (the
# other writes of a round are ends without a start: counted, not paired)
bin="$FIXTURES/usdt"
cat >"$TMP/usdt.lua" <<LUA
local B = "$bin"
local s1, e1 = probe("usdt:" .. B .. ":lpfx:stack"), probe("usdt:" .. B .. ":lpfx:regs")
local h1 = latency(s1, e1)
local s2 = probe("usdt:" .. B .. ":lpfx:stack")
local n, bad = 0, 0
local e2 = probe("tracepoint:syscalls:sys_enter_write", { where = 'comm == "usdt"' }, function(e)
  n = n + 1
  if not (e.latency > 0 and e.latency < 1000000000) then bad = bad + 1 end
end)
local h2 = latency(s2, e2)
on_exit(function()
  printf("usdt-usdt pairs %d, usdt-write pairs %d (handler %d, out of range %d)\n", h1:total(), h2:total(), n, bad)
  printf("hits %d %d %d\n", s1.hits, e1.hits, s2.hits)
end)
LUA
run timeout 60 "$LUAPROBE" -c "$bin 7 >/dev/null" "$TMP/usdt.lua"
assert_eq 0 "$RC" "exit status of the USDT pairs ($ERR)"
assert_eq "usdt-usdt pairs 7, usdt-write pairs 7 (handler 7, out of range 0)
hits 0 0 0" "$OUT" "USDT pairs"
echo "ok: latency() with tp_btf, rawtp and usdt points"
