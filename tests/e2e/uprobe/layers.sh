# The pt_regs template in layers (issue 12), as e2e.tracepoint.layers checks
# the tracepoint and BTF ones: each uprobe holds the program with only the
# layers its plan uses (lp_regs_<hex>, bpf/regs.bpf.c; lp_regs with every
# layer when it needs them all), and counts exactly what the whole template
# counted. Before, every uprobe loaded all of it (2,534 instructions).
# rec_[fs]* is three places whose r is in rdi, in rsi and on the stack at
# -O2: the program is picked per place (a register needs no memory layer,
# the stack does; picking once for the probe read rsp at rec_seventh).
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes
need_cmd bpftool

N=40
BIN=$(fx O2)

# regs_names PID: the names of the lp_regs programs PID holds, sorted
regs_names() {
	local id
	for id in $(sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null | sort -un); do
		bpftool prog show id "$id" | sed -n 's/.* name \(lp_regs[_0-9a-f]*\) .*/\1/p'
	done | sort | paste -sd' '
}

# start LUA: luaprobe with these probes on frames-O2, until READY, for
# one fixture run (-p: other tests run frames-O2 meanwhile), held at a fifo
start() {
	rm -f "$TMP/go"
	mkfifo "$TMP/go"
	bash -c 'read -r _ <"$1"; exec "$2" "$3"' sh "$TMP/go" "$BIN" "$N" >"$TMP/fx.out" &
	FX_PID=$!
	lp_start -p "$FX_PID" -e "local BIN = '$BIN'
local function up(f) return 'uprobe:' .. BIN .. ':' .. f end
$1
$READY_LUA"
	lp_ready
	HELD=$(regs_names "$BG_PID")
}

# finish: release the fixture's N rounds, stop luaprobe, check it ended well
finish() {
	echo go >"$TMP/go"
	wait "$FX_PID"
	FX=$(cat "$TMP/fx.out")
	kill -INT "$BG_PID"
	lp_wait 30
	assert_eq 0 "$RC" "exit status ($ERR)"
}

# 1. a count; a count by a register; a count by members; a handler behind
# a filter on a string in a register; a handler reading a chain; a stack
start "
local calls = probe(up('answer')):count()
local by_x = probe(up('answer'), { fetch = { x = 'x' } }):count('x')
local by_m = probe(up('show'), { fetch = { id = 'f->id', len = 'f->hdr.len' } }):count('id', 'len')
local cab = 0
probe(up('scan_a'), { fetch = { s = 's' }, where = 's == \"cab\"' }, function(e)
  if e.s == 'cab' then cab = cab + 1 end
end)
local vals = 0
probe(up('chain'), { fetch = { v = 'a->b->c->val' } }, function(e) vals = vals + e.v end)
local stacks = probe(up('answer'), { stack = 'user' }):count()
on_exit(function()
  local keys, ok = 0, 0
  for k, v in by_x:items() do keys = keys + 1; if v == 1 and k.x >= 0 and k.x < $N then ok = ok + 1 end end
  printf('calls %d\nx %d %d\n', calls:total(), keys, ok)
  keys, ok = 0, 0
  for k, v in by_m:items() do keys = keys + 1; if v == 1 and k.len == 100 + k.id then ok = ok + 1 end end
  printf('members %d %d\ncab %d\nvals %d\nstacks %d\n', keys, ok, cab, vals, stacks:total())
end)"
finish
assert_eq "lp_regs lp_regs_02 lp_regs_02 lp_regs_29 lp_regs_42 lp_regs_48" "$HELD" "programs held"
assert_eq "$N" "$(field calls "$OUT")" "calls of answer"
assert_eq "$N $N" "$(field x "$OUT")" "answer's x: one key a call"
assert_eq "$N $N" "$(field members "$OUT")" "show's f->id and f->hdr.len: one key a call"
assert_eq "$(grep -c '^scan_a s=cab ' <<<"$FX")" "$(field cab "$OUT")" "scan_a(\"cab\") calls"
assert_eq $((N / 4)) "$(field cab "$OUT")" "a quarter of the rounds pass \"cab\""
want=$(sed -n 's/^chain .* val=\([0-9]*\) .*/\1/p' <<<"$FX" | awk '{ s += $1 } END { print s }')
assert_eq "$want" "$(field vals "$OUT")" "the sum of chain's a->b->c->val"
assert_eq "$N" "$(field stacks "$OUT")" "calls of answer with a user stack"

# 2. one probe, three places: r in rdi, in rsi, on the stack
start "
local by_r = probe(up('rec_[fs]*'), { fetch = { r = 'r' } }):count('r')
on_exit(function()
  local keys, n = 0, 0
  for _, v in by_r:items() do keys = keys + 1; n = n + v end
  printf('r %d %d\n', keys, n)
end)"
finish
assert_eq "lp_regs_02 lp_regs_02 lp_regs_42" "$HELD" "programs held at rec_first, rec_second, rec_seventh"
# each round passes the same &rf to the three: one key
assert_eq "1 $((3 * N))" "$(field r "$OUT")" "one key (the struct's address), three calls a round"
echo ok
