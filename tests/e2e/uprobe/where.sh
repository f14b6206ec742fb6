# `where` over DWARF fields, at -O0 and -O2: signed bitfields and an unsigned
# one, a char * and a char[16] reached through two pointers compared with
# strings, an enum's integer, signed narrow arguments, a local at a label and
# $retval at a return. Each probe prints the calls that pass; they must be
# exactly the fixture's lines that satisfy the same condition.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/where.lua" <<'LUA'
local BIN = arg[1]
local function fn(name) return 'process("' .. BIN .. '").function("' .. name .. '")' end
probe(fn("show"), { fetch = { id = "f->id", neg = "f->neg", prio = "f->prio" },
                    where = "neg < -3 && prio != 2" },
  function(e) printf("lp bits id=%d\n", e.id) end)
probe(fn("show"), { fetch = { id = "f->id", label = "f->label", color = "f->color" },
                    where = 'label == "odd" && color == 4' },
  function(e) printf("lp odd-blue id=%d\n", e.id) end)
probe(fn("chain"), { fetch = { name = "a->b->c->name" }, where = 'name == "c-13" || name == "c-3"' },
  function(e) printf("lp name %s\n", e.name) end)
probe("uprobe:" .. BIN .. ":ints", { fetch = { "c8", "s16", "i32" },
                                     where = "c8 == -5 && s16 == -300 && i32 < -70010" },
  function(e) printf("lp i32 %d\n", e.i32) end)
probe(fn("search") .. '.label("found")', { fetch = { "idx", "steps" }, where = "steps == 2" },
  function(e) printf("lp steps2 idx=%d\n", e.idx) end)
probe("uretprobe:" .. BIN .. ":answer", { where = "retval > 60" },
  function(e) printf("lp answer ret=%d\n", e.retval) end)
LUA

for opt in $OPTS; do
	trace "$opt" 20 "$TMP/where.lua"
	trace_ok "$opt"
	show=$(lines show "$FX_OUT" | tr '=' ' ')
	# show id I prio P flags F neg N name S label L color C ...: $3 $5 $9 $13 $15
	assert_lines "$(awk '$9 < -3 && $5 != 2 { print "bits id=" $3 }' <<<"$show")" \
		"$(lines bits "$LP_OUT")" "show calls passing 'neg < -3 && prio != 2' at $opt"
	assert_lines "$(awk '$13 == "odd" && $15 == "BLUE" { print "odd-blue id=" $3 }' <<<"$show")" \
		"$(lines odd-blue "$LP_OUT")" "show calls passing 'label == \"odd\" && color == 4' at $opt"
	assert_lines $'name c-3\nname c-13' "$(lines name "$LP_OUT")" "chain calls passing the name filter at $opt"
	assert_lines "$(lines ints "$FX_OUT" | sed -n 's/.* i32=\([-0-9]*\) .*/i32 \1/p' | awk '$2 < -70010')" \
		"$(lines i32 "$LP_OUT")" "ints calls passing the i32 filter at $opt"
	assert_lines "$(lines search "$FX_OUT" | grep ' steps=2 ' | sed 's/.* \(idx=[0-9]*\) .*/steps2 \1/')" \
		"$(lines steps2 "$LP_OUT")" "search calls with steps == 2 at found at $opt"
	assert_lines "$(lines answer "$FX_OUT" | sed 's/.* ret=/ret=/' | awk -F= '$2 > 60 { print "answer " $0 }')" \
		"$(lines answer "$LP_OUT")" "answer returns passing 'retval > 60' at $opt"
done
