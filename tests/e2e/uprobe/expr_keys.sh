# Keys, filters and aggregated values by fetch expression, without naming a
# fetch first (DESIGN.md: count('f->proto'), where = "f->proto == 0x88b5"):
# each expression becomes a hidden fetch, resolved through DWARF at every
# place of the probe, and items() indexes the key as written. At -O0 and
# -O2, every figure exact against the fixture's own lines; misspelt members
# get DWARF's message; a tracepoint, whose fields are fixed, keeps its
# "no field" (casts on kernel BTF are another issue).
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/expr.lua" <<'LUA'
local BIN = arg[1]
local function up(f) return probe("uprobe:" .. BIN .. ":" .. f, { fetch = {} }) end
local byval = up("chain"):count("a->b->c->val", "a->tag")
local byname = up("chain"):count("a->b->c->name")
local filtered = probe("uprobe:" .. BIN .. ":chain",
  { fetch = {}, where = 'a->b->c->val == 1003 || a->b->c->name == "c-4"' }):count()
local sum = up("show"):sum("f->a->b->c->val")
local max = up("show"):max("f->a->b->c->val")
local hist = up("show"):hist("f->hdr.len")
local lhist = up("chain"):lhist("a->b->c->val", 1000, 1006, 2)
local glob = up("rec_*"):count("r->n")
probe("uprobe:" .. BIN .. ":chain", { fetch = {}, where = "a->b->c->val >= 1004" },
  function(e) printf("lp event val=%d\n", e["a->b->c->val"]) end)
on_exit(function()
  for k, v in byval:items() do printf("lp key val=%d tag=%d n=%d\n", k["a->b->c->val"], k["a->tag"], v) end
  for k, v in byname:items() do printf("lp key name=%s n=%d\n", k["a->b->c->name"], v) end
  for k, v in glob:items() do printf("lp glob n=%d count=%d\n", k["r->n"], v) end
  for _, v in max:items() do printf("lp max %d\n", v) end
  printf("lp filtered %d\nlp sum %d\n", filtered:total(), sum:total())
  hist:print()
  lhist:print()
end)
LUA

n=6
for opt in $OPTS; do
	trace "$opt" $n "$TMP/expr.lua"
	trace_ok "$opt"
	chain=$(lines chain "$FX_OUT")
	assert_eq $n "$(grep -c . <<<"$chain")" "chain calls at $opt"
	want=$(sed 's/^chain tag=\([0-9]*\) val=\([0-9]*\) .*/key val=\2 tag=\1 n=1/' <<<"$chain" | sort)
	assert_lines "$want" "$(lines key "$LP_OUT" | grep ' tag=' | sort)" \
		"count by a->b->c->val and a->tag at $opt"
	want=$(sed 's/^chain .* name=\([^ ]*\) .*/key name=\1 n=1/' <<<"$chain" | sort)
	assert_lines "$want" "$(lines key "$LP_OUT" | grep ' name=' | sort)" \
		"count by a->b->c->name (a string) at $opt"
	want=$(for i in $(seq 0 $((n - 1))); do echo "glob n=$((22 + i)) count=4"; done)
	assert_lines "$want" "$(lines glob "$LP_OUT" | sort)" "count by r->n over rec_* at $opt"
	assert_eq "$(grep -cE 'val=(1003|1004) ' <<<"$chain")" "$(field filtered "$LP_OUT")" \
		"where on a->b->c->val and a->b->c->name at $opt"
	assert_eq 2 "$(field filtered "$LP_OUT")" "events that pass the filter at $opt"
	vals=$(sed 's/^chain tag=[0-9]* val=\([0-9]*\) .*/\1/' <<<"$chain")
	assert_eq "$(paste -sd+ <<<"$vals" | bc)" "$(field sum "$LP_OUT")" "sum of f->a->b->c->val at $opt"
	assert_eq "$(sort -n <<<"$vals" | tail -1)" "$(field max "$LP_OUT")" "max of f->a->b->c->val at $opt"
	assert_lines "$(sed 's/^/event val=/' <<<"$vals" | awk -F= '$2 >= 1004')" \
		"$(lines event "$LP_OUT")" "a handler's e['a->b->c->val'] at $opt"
	# f->hdr.len is 100 + i: all six in [64, 128); lhist of 1000..1005 by 2
	assert_contains "[64, 128)              6 |" "$OUT" "hist of f->hdr.len at $opt"
	assert_contains "[1000, 1002)           2 |" "$OUT" "lhist of a->b->c->val at $opt"
	assert_contains "[1004, 1006)           2 |" "$OUT" "lhist of a->b->c->val at $opt"
done

bin=$(fx O2)
run "$LUAPROBE" -e "probe('uprobe:$bin:show', { fetch = {} }):count('f->pri')"
assert_eq 1 "$RC" "exit status of a key by a misspelt member"
assert_eq "luaprobe: -e:1: probe 'uprobe:$bin:show': count: fetch 'f->pri': struct frame has no member 'pri' (did you mean 'prio'?)" \
	"$ERR" "stderr of a key by a misspelt member"
run "$LUAPROBE" -e "probe('uprobe:$bin:show', { fetch = {}, where = 'f->hdr.lne > 3' })"
assert_eq 1 "$RC" "exit status of a filter on a misspelt member"
assert_eq "luaprobe: -e:1: probe 'uprobe:$bin:show': where: column 1: fetch 'f->hdr.lne': struct hdr has no member 'lne'" \
	"$ERR" "stderr of a filter on a misspelt member"
run "$LUAPROBE" -e "probe('uretprobe:$bin:chain', { fetch = {} }):sum('a->tag')"
assert_eq 1 "$RC" "exit status of a parameter at a return"
assert_eq "luaprobe: -e:1: probe 'uretprobe:$bin:chain': sum: fetch 'a->tag': 'a' is not known at a return probe (only \$retval and globals are)" \
	"$ERR" "stderr of a parameter at a return"

# The tracepoint side needs tracefs; the uprobe side above does not.
if [ -d /sys/kernel/tracing/events/sched/sched_process_exit ]; then
	run "$LUAPROBE" -e "probe('tracepoint:sched:sched_process_exit'):count('p->pid')"
	assert_eq 1 "$RC" "exit status of a tracepoint key by expression"
	assert_eq "luaprobe: -e:1: probe 'tracepoint:sched:sched_process_exit': count: no field 'p->pid' to key by" \
		"$ERR" "stderr of a tracepoint key by expression"
	run "$LUAPROBE" -e "probe('tracepoint:sched:sched_process_exit', { where = 'p->pid == 1' })"
	assert_eq 1 "$RC" "exit status of a tracepoint filter by expression"
	assert_eq "luaprobe: -e:1: probe 'tracepoint:sched:sched_process_exit': where: column 1: unknown name 'p->pid': not a field, a built-in or an enum constant" \
		"$ERR" "stderr of a tracepoint filter by expression"
fi
echo "ok: keys, filters and values by fetch expression"
