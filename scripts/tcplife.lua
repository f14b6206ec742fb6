--- tcplife: TCP connections as they close, with their duration and bytes each way
--- usage: luaprobe tcplife [--port PORT]
--- From sock:inet_sock_set_state: a connection is born at SYN_SENT (connect) or
--- SYN_RECV (accept) and ends at CLOSE; its bytes come from the kernel's struct
--- tcp_sock through BTF: TX_B is bytes_acked, RX_B bytes_received, the kernel's counts
--- of sequence space (RFC 4898): the data, one for a FIN, and one more in TX_B of the
--- side that connected, for its SYN.
--- PID/COMM: the task that connected or closed it. --port: local or remote port.
--- examples: luaprobe tcplife
---           luaprobe tcplife --port 5432 -d 600
local usage = "luaprobe tcplife [--port PORT]"
local opts, rest = getopt({ port = "" }, usage)
if rest[1] then
  error("tcplife takes no argument '" .. rest[1] .. "' (luaprobe's own options, -c, -d, go before the recipe's name)\nusage: " .. usage, 0)
end
local where = "protocol == 6" -- IPPROTO_TCP
if opts.port ~= "" then
  local port = tonumber(opts.port)
  if not port or math.type(port) ~= "integer" or port < 1 or port > 65535 then
    error("--port wants a port number (1-65535)\nusage: " .. usage, 0)
  end
  where = where .. string.format(" && (sport == %d || dport == %d)", port, port)
end

-- TCP_SYN_SENT 2, TCP_SYN_RECV 3, TCP_FIN_WAIT1 4, TCP_CLOSE 7, TCP_LAST_ACK 9
local conns = {} -- socket address -> { ts, pid, comm }
probe("tracepoint:sock:inet_sock_set_state", { where = where .. " && newstate != 7" }, function(e)
  local c = conns[e.skaddr]
  if e.newstate == 2 or e.newstate == 3 then
    c = { ts = e.ts }
    conns[e.skaddr] = c
  end
  -- connect() and close() run in the owner's task; other changes often in a softirq
  if c and (e.newstate == 2 or e.newstate == 4 or e.newstate == 9) then
    c.pid, c.comm = e.pid, e.comm
  end
end)

printf("%-7s %-12s %-2s %-15s %-5s %-15s %-5s %10s %10s %s\n", "PID", "COMM", "IP", "LADDR", "LPORT",
       "RADDR", "RPORT", "TX_B", "RX_B", "MS")
probe("tracepoint:sock:inet_sock_set_state", {
  where = where .. " && newstate == 7",
  fetch = { tx = "((struct tcp_sock *)skaddr)->bytes_acked", rx = "((struct tcp_sock *)skaddr)->bytes_received" },
}, function(e)
  local c = conns[e.skaddr]
  if not c then return end -- born before the recipe started, or a listener
  conns[e.skaddr] = nil
  local v6 = e.family == 10
  printf("%-7s %-12.12s %-2s %-15s %-5d %-15s %-5d %10d %10d %.3f\n", c.pid or "-", c.comm or "-",
         v6 and "6" or "4", inet(v6 and e.saddr_v6 or e.saddr), e.sport, inet(v6 and e.daddr_v6 or e.daddr),
         e.dport, e.tx, e.rx, (e.ts - c.ts) / 1e6)
end)
