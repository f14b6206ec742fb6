-- an interval every() cannot read
every("fast", function() print("tick") end)
