--- tcpstates: TCP state changes, with the time spent in the state left (ms)
--- usage: luaprobe tcpstates [--port PORT] [--family 4|6]
--- One line per change of a TCP socket's state (sock:inet_sock_set_state), with the
--- socket, its addresses and ports and the ms since its previous change ("-" for the
--- first one seen). The pid and comm are of the task the change ran in: often a softirq's.
--- --port keeps the sockets with that local or remote port; the filter runs in the kernel.
--- examples: luaprobe tcpstates
---           luaprobe tcpstates --port 443 -d 60
local usage = "luaprobe tcpstates [--port PORT] [--family 4|6]"
local opts, rest = getopt({ port = "", family = "" }, usage)
if rest[1] then
  error("tcpstates takes no argument '" .. rest[1] .. "' (luaprobe's own options, -c, -d, go before the recipe's name)\nusage: " .. usage, 0)
end
local where = { "protocol == 6" } -- IPPROTO_TCP
if opts.port ~= "" then
  local port = tonumber(opts.port)
  if not port or math.type(port) ~= "integer" or port < 1 or port > 65535 then
    error("--port wants a port number (1-65535)\nusage: " .. usage, 0)
  end
  where[#where + 1] = string.format("(sport == %d || dport == %d)", port, port)
end
if opts.family == "4" then where[#where + 1] = "family == 2"
elseif opts.family == "6" then where[#where + 1] = "family == 10"
elseif opts.family ~= "" then error("--family wants 4 or 6\nusage: " .. usage, 0) end

local function state(n) return (enum_name("TCP_ESTABLISHED", n) or tostring(n)):gsub("^TCP_", "") end
local last = {} -- socket address -> ns of its last change

printf("%-16s %-7s %-10s %-2s %-15s %-5s %-15s %-5s %-11s -> %-11s %s\n", "SKADDR", "C-PID", "C-COMM",
       "IP", "LADDR", "LPORT", "RADDR", "RPORT", "OLDSTATE", "NEWSTATE", "MS")
probe("tracepoint:sock:inet_sock_set_state", { where = table.concat(where, " && ") }, function(e)
  local v6 = e.family == 10
  local prev = last[e.skaddr]
  local ms = prev and string.format("%.3f", (e.ts - prev) / 1e6) or "-"
  if e.newstate == 7 then last[e.skaddr] = nil else last[e.skaddr] = e.ts end -- TCP_CLOSE: the socket is done
  printf("%-16x %-7d %-10.10s %-2s %-15s %-5d %-15s %-5d %-11s -> %-11s %s\n", e.skaddr, e.pid, e.comm,
         v6 and "6" or "4", inet(v6 and e.saddr_v6 or e.saddr), e.sport, inet(v6 and e.daddr_v6 or e.daddr),
         e.dport, state(e.oldstate), state(e.newstate), ms)
end)
