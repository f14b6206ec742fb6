-- a misspelt software counter: cpu-clok for cpu-clock
probe("software:cpu-clok:1000000", function(e) end)
