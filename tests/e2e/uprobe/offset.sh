# uprobe:BIN:f+OFF attaches OFF bytes after f's symbol, not at its entry,
# and fetches there come from DWARF at that address. OFF is the last
# line-table row of frames.c's STATEMENT_HERE line inside chain() (from
# readelf, not from luaprobe): there the local c is set, and c->val and
# c->name must be what the fixture printed; at the entry c is not in scope
# at all. luaprobe decodes no instructions: an offset the line table does
# not name is refused with the nearest ones (--unsafe takes it, as
# bpftrace's --unsafe takes an unaligned one), an offset past the function
# too, and with --unsafe a place before the prologue stores the frame
# fetches nothing from the frame. Exact stderr each.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes
need_cmd readelf
need_cmd nm

line=$(statement_line)
[[ "$line" =~ ^[0-9]+$ ]] || fail "no single STATEMENT_HERE line in frames.c: '$line'"

# sym BIN: chain's start and size in bytes, decimal
sym() {
	local a n
	read -r a n < <(nm -S "$1" | awk '$4 == "chain" { print $1, $2 }')
	[ -n "$n" ] && echo "$((16#$a)) $((16#$n))"
}
# rows BIN START SIZE [LINE]: offsets from START of chain's line-table rows
# (of LINE only, if given), sorted, decimal
rows() {
	local a
	readelf --debug-dump=decodedline "$1" |
		awk -v l="${4:-}" '$1 == "frames.c" && $3 ~ /^0x/ && (l == "" || $2 == l) { print $3 }' |
		while read -r a; do
			a=$((a))
			if ((a >= $2 && a < $2 + $3)); then echo $((a - $2)); fi
		done | sort -nu
}

cat >"$TMP/offset.lua" <<'LUA'
local BIN, OFF = arg[1], arg[2]
probe("uprobe:" .. BIN .. ":chain+" .. OFF,
  { fetch = { tag = "a->tag", val = "c->val", name = "c->name" } },
  function(e) printf("lp chain tag=%d val=%d name=%s\n", e.tag, e.val, e.name) end)
LUA

for opt in $OPTS; do
	bin=$(fx "$opt")
	read -r start size <<<"$(sym "$bin")"
	[ -n "$size" ] || fail "no symbol chain in $bin"
	off=$(rows "$bin" "$start" "$size" "$line" | tail -1)
	[ -n "$off" ] && [ "$off" -gt 0 ] || fail "no row of line $line inside chain past its entry at $opt"
	hex=$(printf '0x%x' "$off")
	trace "$opt" 8 "$TMP/offset.lua" "$hex"
	trace_ok "$opt"
	want=$(no_ret "$(lines chain "$FX_OUT")")
	assert_eq 8 "$(grep -c . <<<"$want")" "chain calls at $opt"
	assert_lines "$want" "$(lines chain "$LP_OUT")" "a->tag, c->val and c->name at chain+$hex at $opt"

	# -L there: the local c is in scope, as it is not at the entry
	run "$LUAPROBE" -L "uprobe:$bin:chain+$hex"
	assert_eq 0 "$RC" "-L exit status at chain+$hex at $opt ($ERR)"
	assert_eq "    struct a *a
    struct c *c" "$(sed -n '3,$p' <<<"$OUT")" "in scope at chain+$hex at $opt"

	# past the end of the function
	run "$LUAPROBE" -e "probe('uprobe:$bin:chain+$size')"
	assert_eq 1 "$RC" "exit status at chain+size at $opt"
	assert_eq "luaprobe: -e:1: probe 'uprobe:$bin:chain+$size': chain+$(printf '0x%x' "$size") is outside chain ($size bytes)" \
		"$ERR" "stderr at chain+size at $opt"
done

# -O0: chain starts with push %rbp (1 byte), mov %rsp,%rbp (3 bytes); the
# line table names neither +1 nor +2 (+2 is inside the mov).
bin=$(fx O0)
read -r start size <<<"$(sym "$bin")"
all=$(rows "$bin" "$start" "$size")
above=$(awk '$1 > 2 { print; exit }' <<<"$all")
assert_eq 0 "$(head -1 <<<"$all")" "the first row of chain is its start"
run "$LUAPROBE" -e "probe('uprobe:$bin:chain+2')"
assert_eq 1 "$RC" "exit status at chain+2"
assert_eq "luaprobe: -e:1: probe 'uprobe:$bin:chain+2': chain+0x2 is not an instruction start luaprobe can vouch for (it knows those the line table names; nearest: chain+0x0 and chain+$(printf '0x%x' "$above")); --unsafe probes it anyway" \
	"$ERR" "stderr at chain+2"
# +1 is an instruction start the line table does not name: --unsafe takes
# it; the frame is not set up there, so nothing is fetched from it
cat >"$TMP/unsafe.lua" <<'LUA'
local c = probe("uprobe:" .. arg[1] .. ":chain+1"):count()
on_exit(function() printf("lp count %d\n", c:total()) end)
LUA
run timeout -k 2 20 "$LUAPROBE" --unsafe -c "$bin 5" "$TMP/unsafe.lua" "$bin"
assert_eq 0 "$RC" "exit status with --unsafe at chain+1 ($ERR)"
assert_eq "count 5" "$(sed -n 's/^lp //p' <<<"$OUT")" "calls counted at chain+1"
# the source line there: that of the row at chain's start
first=$(readelf --debug-dump=decodedline "$bin" |
	awk -v a="$(printf '0x%x' "$start")" '$1 == "frames.c" && $3 == a && !seen++ { print $2 }')
run "$LUAPROBE" --unsafe -e "probe('uprobe:$bin:chain+1', { fetch = { 'a->tag' } })"
assert_eq 1 "$RC" "exit status of a fetch before the prologue"
assert_eq "luaprobe: -e:1: probe 'uprobe:$bin:chain+1': fetch 'a->tag': at chain+0x1 (${TESTS%/}/fixtures/uprobe/frames.c:$first) the prologue has not stored the frame's values yet (probe a later offset)" \
	"$ERR" "stderr of a fetch before the prologue"
echo "ok: uprobe f+OFF at the offset, with DWARF there; offsets refused with reasons"
