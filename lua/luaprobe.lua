-- The Lua half of the luaprobe API: helpers written in Lua. Receives the
-- luaprobe table that the C half filled; every entry becomes a global.
local M = ...

local write, format = io.write, string.format

-- printf(fmt, ...): string.format to stdout.
function M.printf(fmt, ...)
  write(format(fmt, ...))
end

-- eprintf(fmt, ...): the same to stderr.
function M.eprintf(fmt, ...)
  io.stderr:write(format(fmt, ...))
end

return M
