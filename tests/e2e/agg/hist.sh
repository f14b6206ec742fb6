# hist and lhist in the kernel against known values of sys_enter_read's
# count (the size the fixture passes to read()):
#   lphist_a: 0, 1, 2, 3, 5, 1024, 1500, four times; lphist_b: 100 three times
#   lphist_c: 50, 200 twice;  lphist_d: 0, 9, 10, 39, 40, 99, 100, 5000 twice
# Bucket counts exact from items() (hist: 0 negatives, 1 zero, 2 one,
# b [2^(b-2), 2^(b-1)); lhist 10..100 step 30: 0 below, 1+(v-10)//30 inside,
# 4 at/above 100, with values on every edge), totals, largest first, and
# print() compared with what bpftrace v0.17 prints for the same maps.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_read

cat >"$TMP/hist.lua" <<'LUA'
local function read_probe(where)
  return probe("tracepoint:syscalls:sys_enter_read", { where = where })
end
local ab = 'comm == "lphist_a" || comm == "lphist_b"'
local h = read_probe(ab):hist("count")
local hk = read_probe(ab):hist("count", "comm")
local h2 = read_probe('comm == "lphist_c"'):hist("count")
local l = read_probe('comm == "lphist_d"'):lhist("count", 10, 100, 30)
local l2 = read_probe('comm == "lphist_c"'):lhist("count", 10, 100, 30)

-- "name key: total=T b=n b=n ..." with the buckets in order
local function show(name, agg)
  for k, v in agg:items() do
    local buckets = {}
    for b in pairs(v) do
      if b ~= "total" then buckets[#buckets + 1] = b end
    end
    table.sort(buckets)
    local parts = {}
    for i, b in ipairs(buckets) do parts[i] = b .. "=" .. v[b] end
    printf("%s %s: total=%d %s\n", name, k.comm or "-", v.total, table.concat(parts, " "))
  end
  printf("%s total() %d\n", name, agg:total())
end
on_exit(function()
  show("h", h)
  show("hk", hk)
  show("h2", h2)
  show("l", l)
  show("l2", l2)
  print("-- print")
  h:print({ name = "h" })
  h2:print({ name = "h2" })
  hk:print({ name = "hk" })
  l:print({ name = "l" })
  l2:print({ name = "l2" })
end)
LUA
cmd="$FIXTURES/syscaller --name lphist_a --read-sizes 0,1,2,3,5,1024,1500 4 &&
     $FIXTURES/syscaller --name lphist_b --read-sizes 100 3 &&
     $FIXTURES/syscaller --name lphist_c --read-sizes 50,200 2 &&
     $FIXTURES/syscaller --name lphist_d --read-sizes 0,9,10,39,40,99,100,5000 2"
run "$LUAPROBE" -c "{ $cmd; } >/dev/null" "$TMP/hist.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"

items="h -: total=31 1=4 2=4 3=8 4=4 8=3 12=8
h total() 31
hk lphist_a: total=28 1=4 2=4 3=8 4=4 12=8
hk lphist_b: total=3 8=3
hk total() 31
h2 -: total=4 7=2 9=2
h2 total() 4
l -: total=16 0=4 1=4 2=2 3=2 4=4
l total() 16
l2 -: total=4 2=2 4=2
l2 total() 4"
assert_eq "$items" "$(sed '/^-- print$/,$d' <<<"$OUT")" "histogram buckets from items()"

# bpftrace prints "@h: " (a space after the colon): not what this compares.
printed=$(sed '1,/^-- print$/d; s/^\(@.*:\) $/\1/' <<<"$OUT")
bar() { printf '%*s' "$1" '' | tr ' ' @; printf '%*s' $((52 - $1)) ''; }
# row LABEL COUNT BARWIDTH: one line as bpftrace draws it
row() { printf '%-16s%8d |%s|\n' "$1" "$2" "$(bar "$3")"; }
expected=$(
	echo "@h:"
	row "[0]" 4 26
	row "[1]" 4 26
	row "[2, 4)" 8 52
	row "[4, 8)" 4 26
	row "[8, 16)" 0 0
	row "[16, 32)" 0 0
	row "[32, 64)" 0 0
	row "[64, 128)" 3 19
	row "[128, 256)" 0 0
	row "[256, 512)" 0 0
	row "[512, 1K)" 0 0
	row "[1K, 2K)" 8 52
	echo
	echo "@h2:"
	row "[32, 64)" 2 52
	row "[64, 128)" 0 0
	row "[128, 256)" 2 52
	echo
	echo "@hk[lphist_b]:"
	row "[64, 128)" 3 52
	echo
	echo "@hk[lphist_a]:"
	row "[0]" 4 26
	row "[1]" 4 26
	row "[2, 4)" 8 52
	row "[4, 8)" 4 26
	row "[8, 16)" 0 0
	row "[16, 32)" 0 0
	row "[32, 64)" 0 0
	row "[64, 128)" 0 0
	row "[128, 256)" 0 0
	row "[256, 512)" 0 0
	row "[512, 1K)" 0 0
	row "[1K, 2K)" 8 52
	echo
	echo "@l:"
	row "(..., 10)" 4 52
	row "[10, 40)" 4 52
	row "[40, 70)" 2 26
	row "[70, 100)" 2 26
	row "[100, ...)" 4 52
	echo
	echo "@l2:"
	row "[40, 70)" 2 52
	row "[70, 100)" 0 0
	row "[100, ...)" 2 52
)
assert_eq "$expected" "$printed" "hist/lhist print() (bpftrace's format)"
exit 0
