-- What the bundled recipes share: their options and the --pid/--comm
-- filter. `local R = require "luaprobe_recipe"` (embedded; a script of
-- that name beside a recipe would take its place).
local R = {}

-- getopt(defaults, usage) and no argument left over: the options, and
-- bad(msg), which ends the run with msg and the usage line.
function R.options(defaults, usage)
  local opts, rest = getopt(defaults, usage)
  local function bad(msg) error(msg .. "\nusage: " .. usage, 0) end
  if rest[1] then bad("unexpected argument '" .. rest[1] .. "'") end
  return opts, bad
end

-- --pid and --comm (or, without --pid, -p/-c's target unless no_target)
-- as `where` clauses: pid_clause with every PID replaced by the number or
-- `target`, and comm_field == "NAME". The list, and the pid (nil: none).
function R.process(opts, bad, pid_clause, comm_field, no_target)
  local where, pid = {}, nil
  if opts.pid ~= "" then
    pid = math.tointeger(tonumber(opts.pid))
    if not pid or pid < 1 then bad("--pid wants a process id, not '" .. opts.pid .. "'") end
    where[#where + 1] = (pid_clause:gsub("PID", tostring(pid)))
  elseif not no_target and target_pid() then
    pid = target_pid()
    where[#where + 1] = (pid_clause:gsub("PID", "target"))
  end
  if opts.comm ~= "" then
    if opts.comm:find('["\\]') then bad("--comm: a name without quotes or backslashes") end
    where[#where + 1] = string.format('%s == "%s"', comm_field, opts.comm)
  end
  return where, pid
end

-- clauses ... (a list, then more clauses) as one `where`, or nil for none.
function R.where(list, ...)
  local w = { table.unpack(list) }
  for _, c in ipairs({ ... }) do w[#w + 1] = c end
  return #w > 0 and table.concat(w, " && ") or nil
end

return R
