-- indexing a nil value while setting up, before any probe is attached
local config = nil
local interval = config.interval
every(interval, function() end)
