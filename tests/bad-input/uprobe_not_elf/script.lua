-- a uprobe on a file that is not an ELF binary: this script (run.sh runs
-- luaprobe in this folder)
probe("uprobe:./script.lua:main", function(e) end)
