--- tcpretrans: TCP retransmissions as they happen, with the connection and its state
--- usage: luaprobe tcpretrans [--port PORT]
--- One line per segment the kernel retransmits (tcp:tcp_retransmit_skb), SYNs included:
--- addresses, ports, the socket's state and, when the retransmission failed, its error.
--- There is no pid: a retransmission runs from a timer. --port: local or remote port,
--- filtered in the kernel.
--- examples: luaprobe tcpretrans
---           luaprobe tcpretrans --port 443 -d 60
local usage = "luaprobe tcpretrans [--port PORT]"
local opts, rest = getopt({ port = "" }, usage)
if rest[1] then
  error("tcpretrans takes no argument '" .. rest[1] .. "' (luaprobe's own options, -c, -d, go before the recipe's name)\nusage: " .. usage, 0)
end
local spec = {}
if opts.port ~= "" then
  local port = tonumber(opts.port)
  if not port or math.type(port) ~= "integer" or port < 1 or port > 65535 then
    error("--port wants a port number (1-65535)\nusage: " .. usage, 0)
  end
  spec.where = string.format("sport == %d || dport == %d", port, port)
end
local has_err = nil

printf("%-12s %-2s %-21s    %-21s %-12s %s\n", "TIME(s)", "IP", "LADDR:LPORT", "RADDR:RPORT", "STATE", "ERR")
probe("tracepoint:tcp:tcp_retransmit_skb", spec, function(e)
  if has_err == nil then has_err = has(e, "err") end
  local v6 = e.family == 10
  local l = v6 and ("[" .. inet(e.saddr_v6) .. "]") or inet(e.saddr)
  local r = v6 and ("[" .. inet(e.daddr_v6) .. "]") or inet(e.daddr)
  local err = has_err and e.err ~= 0 and (errno_name(-e.err) or tostring(e.err)) or "-"
  printf("%-12.6f %-2s %-21s R> %-21s %-12s %s\n", elapsed() / 1e9, v6 and "6" or "4", l .. ":" .. e.sport,
         r .. ":" .. e.dport, (enum_name("TCP_ESTABLISHED", e.state) or tostring(e.state)):gsub("^TCP_", ""), err)
end)
on_start(function() eprintf("Tracing TCP retransmissions... Hit Ctrl-C to end.\n") end)
