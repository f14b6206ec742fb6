-- a counter perf has no software event for (cycles is a hardware counter)
probe("software:cycles:1000", function(e) end)
