# A pointer chain through DWARF, at -O0 and -O2: chain(struct a *a) reads
# a->tag, a->b->c->val and the char[16] a->b->c->name, two pointers deep;
# show(struct frame *f) reaches the same struct c three pointers deep through
# f->a. Spellings: fetches named as written (e["a->b->c->val"]), a cast, and
# (*p).member. Every value must equal what the fixture printed.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/chain.lua" <<'LUA'
local BIN = arg[1]
local function fn(name) return 'process("' .. BIN .. '").function("' .. name .. '")' end
probe(fn("chain"), { fetch = { "a->tag", "a->b->c->val", "a->b->c->name" } }, function(e)
  printf("lp chain tag=%d val=%d name=%s\n", e["a->tag"], e["a->b->c->val"], e["a->b->c->name"])
end)
probe("uprobe:" .. BIN .. ":chain", {
  fetch = { tag = "(*a).tag", val = "((struct a *)a)->b->c->val", name = "(*a->b->c).name" },
}, function(e)
  printf("lp spelt chain tag=%d val=%d name=%s\n", e.tag, e.val, e.name)
end)
probe(fn("show"), { fetch = { tag = "f->a->tag", val = "f->a->b->c->val", name = "f->a->b->c->name" } },
  function(e) printf("lp via-show chain tag=%d val=%d name=%s\n", e.tag, e.val, e.name) end)
LUA

for opt in $OPTS; do
	trace "$opt" 12 "$TMP/chain.lua"
	trace_ok "$opt"
	want=$(no_ret "$(lines chain "$FX_OUT")")
	assert_eq 12 "$(grep -c . <<<"$want")" "chain calls at $opt"
	assert_lines "$want" "$(lines chain "$LP_OUT")" "a->tag, a->b->c->val, a->b->c->name at $opt"
	assert_lines "$want" "$(lines spelt "$LP_OUT" | sed 's/^spelt //')" \
		"(*a).tag, ((struct a *)a)->b->c->val, (*a->b->c).name at $opt"
	assert_lines "$want" "$(lines via-show "$LP_OUT" | sed 's/^via-show //')" \
		"f->a->tag, f->a->b->c->val, f->a->b->c->name in show() at $opt"
done
