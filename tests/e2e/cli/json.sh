# --json and -f json: every stdout line parsed by python's json module, with
# exact values: bpftrace's attached_probes line, printf, a keyed count map,
# a hist and a stats of sys_enter_read's count (the fixture reads sizes 0,
# 1, 2, 1500, twice), an lhist filled from Lua, emit() of an event and of a
# table (a 19-digit integer whole: lua-cjson alone would round it), print();
# an error as a JSON line on stderr; -f with an unknown format refused.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_read
need_cmd python3

cat >"$TMP/json.lua" <<'LUA'
local where = 'comm == "lpjson"'
local p = probe("tracepoint:syscalls:sys_enter_read", { where = where }, function(e)
  if e.count == 1500 then emit(e) end
end)
local c = p:count("comm", "count")
local q = probe("tracepoint:syscalls:sys_enter_read", { where = where })
local h, st = q:hist("count"), q:stats("count")
local lh = LHist(0, 4096, 1024)
on_exit(function()
  printf("hi %d \"q\"\n", 5)
  c:print({ name = "c" })
  h:print({ name = "h" })
  st:print({ name = "s" })
  for _, v in ipairs({ 1500, 5000, -3 }) do lh:add(v) end
  lh:print({ name = "l" })
  emit({ a = 1, ts = 1700000000000000001, s = "x\0y", frames = { "f1", "f2" } })
  print("a", 1)
end)
LUA
for flag in --json "-f json"; do
	# shellcheck disable=SC2086 # two words for -f json
	run "$LUAPROBE" $flag -c "$FIXTURES/syscaller --name lpjson --read-sizes 0,1,2,1500 2 >/dev/null" "$TMP/json.lua"
	assert_eq 0 "$RC" "$flag: exit status ($ERR)"
	assert_eq "" "$ERR" "$flag: stderr"
	printf '%s\n' "$OUT" >"$TMP/out.jsonl"
	py=$(python3 - "$TMP/out.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert all(set(l) == {"type", "data"} for l in lines), lines
t = [l["type"] for l in lines]
assert t == ["attached_probes", "event", "event", "printf", "map", "hist", "stats", "hist", "event", "printf"], t
d = [l["data"] for l in lines]
assert d[0] == {"probes": 2}, d[0]
for e in d[1:3]:
    assert e["probe"] == "tracepoint:syscalls:sys_enter_read" and e["count"] == 1500, e
    assert e["comm"] == "lpjson" and e["fd"] == 0x7ffffff0 and e["__syscall_nr"] == 0, e
    assert isinstance(e["ts"], int) and e["ts"] > 0 and e["pid"] == e["tid"], e
assert d[1]["ts"] < d[2]["ts"]
assert d[3] == "hi 5 \"q\"\n", d[3]
assert d[4] == {"@c": {"lpjson,0": 2, "lpjson,1": 2, "lpjson,2": 2, "lpjson,1500": 2}}, d[4]
hist = [{"min": 0, "max": 0, "count": 2}, {"min": 1, "max": 1, "count": 2},
        {"min": 2, "max": 3, "count": 2}]
hist += [{"min": 1 << b, "max": (2 << b) - 1, "count": 0} for b in range(2, 10)]
hist += [{"min": 1024, "max": 2047, "count": 2}]
assert d[5] == {"@h": hist}, d[5]
assert d[6] == {"@s": {"count": 8, "average": 375, "total": 3006}}, d[6]
assert d[7] == {"@l": [{"max": -1, "count": 1}, {"min": 0, "max": 1023, "count": 0},
                       {"min": 1024, "max": 2047, "count": 1}, {"min": 2048, "max": 3071, "count": 0},
                       {"min": 3072, "max": 4095, "count": 0}, {"min": 4096, "count": 1}]}, d[7]
assert d[8] == {"a": 1, "frames": ["f1", "f2"], "s": "x\u0000y", "ts": 1700000000000000001}, d[8]
assert d[9] == "a\t1\n", d[9]
print("ok")
PY
	) || fail "$flag: $py
$OUT"
	assert_eq ok "$py" "$flag: the JSON lines"
done

# The same hist, lhist and stats from bpftrace -f json, if it is here.
if command -v bpftrace >/dev/null; then
	prog='BEGIN {'
	for v in 0 1 2 1500 0 1 2 1500; do prog+=" @h = hist($v); @s = stats($v);"; done
	for v in 1500 5000 -3; do prog+=" @l = lhist($v, 0, 4096, 1024);"; done
	bt=$(bpftrace -f json -e "$prog exit(); }" 2>"$TMP/bt.err") || fail "bpftrace: $(cat "$TMP/bt.err")"
	ours=$(grep -E '"@(h|l|s)"' <<<"$OUT" | sort)
	theirs=$(grep -E '"@(h|l|s)"' <<<"$bt" | sort)
	assert_eq "$theirs" "$ours" "hist, lhist and stats lines against bpftrace -f json"
else
	echo "bpftrace comparison skipped: no bpftrace on PATH"
fi

# Lost events: a burst of 150000 getppid into a handler that spins 5 us;
# the total lost comes last, as bpftrace's lost_events line.
cat >"$TMP/lost.lua" <<'LUA'
local n = 0
probe("tracepoint:syscalls:sys_enter_getppid", { where = 'comm == "lpjlost"' }, function(e)
  local t = os.clock()
  while os.clock() - t < 5e-6 do end
  n = n + 1
end)
on_exit(function() printf("%d\n", n) end)
LUA
run "$LUAPROBE" --json -c "$FIXTURES/syscaller --name lpjlost 150000 >/dev/null" "$TMP/lost.lua"
assert_eq 0 "$RC" "exit status of the burst ($ERR)"
printf '%s\n' "$OUT" >"$TMP/lost.jsonl"
py=$(python3 - "$TMP/lost.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert [l["type"] for l in lines] == ["attached_probes", "printf", "lost_events"], lines
n, lost = int(lines[1]["data"]), lines[2]["data"]["events"]
assert lost > 0 and n + lost <= 150000, (n, lost)
print("ok")
PY
) || fail "lost events: $py
$OUT"

# Text mode: emit() of a table is one "name=value" line.
run "$LUAPROBE" -e 'emit({ b = "x", a = 1, f = { 1, 2 } })'
assert_eq "a=1 b=x f=[1, 2]" "$OUT" "emit() as text"

# The keyed count prints smallest first (ties in the kernel's order): only
# the set of keys is fixed, checked above. An error is JSON on stderr.
run "$LUAPROBE" --json -e 'error("boom \"x\"")'
assert_eq 1 "$RC" "exit status of an error"
assert_eq "" "$OUT" "stdout of an error"
assert_eq '{"type": "error", "data": "-e:1: boom \"x\""}' "$ERR" "an error as JSON"
python3 -c 'import json,sys; json.loads(sys.argv[1])' "$ERR" || fail "not JSON: $ERR"
run "$LUAPROBE" -f xml -e 'x()'
assert_eq 1 "$RC" "exit status of -f xml"
assert_eq "luaprobe: -f: 'xml' is not an output format (json or text)" "$ERR" "-f xml"
exit 0
