# What a wrong fetch or point on the fixture gets, at -O0 and -O2: the exact
# one-line message (with its suggestion where one exists), exit status 1,
# nothing on stdout. Every script first declares a good probe and the -c
# command is the fixture: neither may run, so the fixture's "pid N" line
# never appears and luaprobe ends by itself (a hang fails after 20 s).
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

# bad.lua BIN POINT [FETCH]
cat >"$TMP/bad.lua" <<'LUA'
local BIN, POINT, FETCH = arg[1], arg[2], arg[3]
probe("uprobe:" .. BIN .. ":answer", function(e) print("answer event") end)
if FETCH then probe(POINT, { fetch = { FETCH } }) else probe(POINT) end
LUA
cd "$TMP" # so that messages name bad.lua as a user would type it

# expect_error OPT POINT FETCH MESSAGE: FETCH "" for none. MESSAGE is what
# follows "luaprobe: bad.lua:3: probe 'POINT': ". In the message, +0xN
# (where in a function a probe sits) reads +0x...: it depends on the compiler.
expect_error() {
	local opt=$1 point=$2 fetch=$3 msg=$4 args
	args=(bad.lua "$(fx "$opt")" "$point")
	[ -n "$fetch" ] && args+=("$fetch")
	run timeout -k 2 20 "$LUAPROBE" -c "$(fx "$opt") 1" "${args[@]}"
	assert_eq 1 "$RC" "exit status at $opt for: $point${fetch:+ fetch $fetch}"
	assert_eq "" "$OUT" "stdout at $opt (the fixture must not have run) for: $point"
	assert_eq "luaprobe: bad.lua:3: probe '$point': $msg" \
		"$(sed -E 's/\+0x[0-9a-f]+/+0x.../g' <<<"$ERR")" "message at $opt"
}

for opt in $OPTS; do
	bin=$(fx "$opt")
	fn() { printf 'process("%s").function("%s")' "$bin" "$1"; }

	expect_error "$opt" "$(fn show)" "f->pri" \
		"fetch 'f->pri': struct frame has no member 'pri' (did you mean 'prio'?)"
	expect_error "$opt" "uprobe:$bin:chain" "a->b->c->nme" \
		"fetch 'a->b->c->nme': struct c has no member 'nme' (did you mean 'name'?)"
	at=show
	[ "$opt" = O0 ] && at=show+0x... # -O0 probes after the prologue
	expect_error "$opt" "$(fn show)" "g->prio" \
		"fetch 'g->prio': no variable 'g' in scope at $at (did you mean 'f'?)"
	at=search
	[ "$opt" = O0 ] && at=search+0x...
	expect_error "$opt" "$(fn search)" "idx" "fetch 'idx': no variable 'idx' in scope at $at"
	expect_error "$opt" "$(fn search).label(\"found\")" "stpes" \
		"fetch 'stpes': no variable 'stpes' in scope at search+0x... (did you mean 'steps'?)"
	expect_error "$opt" "uprobe:$bin:serach" "" "no function 'serach' in $bin (did you mean 'search'?)"
	expect_error "$opt" "$(fn serach)" "" "no function 'serach' in $bin (did you mean 'search'?)"
	expect_error "$opt" "$(fn search).label(\"fonud\")" "" "no label 'fonud' in search (did you mean 'found'?)"
	expect_error "$opt" "$(fn chain)" "\$retval" "fetch '\$retval': \$retval is only known at a return probe"
	expect_error "$opt" "$(fn chain).return" "a->tag" \
		"fetch 'a->tag': 'a' is not known at a return probe (only \$retval and globals are)"
	expect_error "$opt" "$(fn chain)" "*a->b->c" \
		"fetch '*a->b->c': '*a->b->c' (struct c) is a whole struct: fetch one of its members (val, name)"
	expect_error "$opt" "uretprobe:$bin:fill_hdr" "\$retval" \
		"fetch '\$retval': fill_hdr returns void: there is no \$retval"
done
