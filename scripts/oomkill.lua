--- oomkill: processes the OOM killer chose, with what they held and who triggered it
--- usage: luaprobe oomkill
--- One line per victim (oom:mark_victim): its pid, name and user, its memory in kB
--- (total-vm, anon-rss, file-rss, shmem-rss), its oom_score_adj, the thread whose
--- allocation triggered the kill (often the victim itself in a cgroup's OOM) and the
--- load average then.
--- examples: luaprobe oomkill
---           luaprobe oomkill -d 3600 >>oom.log
local usage = "luaprobe oomkill"
local _, rest = getopt({}, usage)
if rest[1] then
  error("oomkill takes no argument '" .. rest[1] .. "' (luaprobe's own options, -d, go before the recipe's name)\nusage: " .. usage, 0)
end

local function loadavg()
  local f = io.open("/proc/loadavg")
  local s = f and f:read("l") or "?"
  if f then f:close() end
  return s:match("^(%S+ %S+ %S+)") or s
end

-- the point's pid and comm fields are the victim's; tid is the triggering thread
probe("tracepoint:oom:mark_victim", function(e)
  printf("%s Triggered by TID %d, OOM kill of PID %d (%s), uid %d, %d kB total-vm, %d kB anon-rss, "
         .. "%d kB file-rss, %d kB shmem-rss, oom_score_adj %d, loadavg: %s\n",
         os.date("%H:%M:%S"), e.tid, e.pid, e.comm, e.uid, e.total_vm, e.anon_rss, e.file_rss, e.shmem_rss,
         e.oom_score_adj, loadavg())
end)
on_start(function() eprintf("Tracing OOM kills... Hit Ctrl-C to end.\n") end)
