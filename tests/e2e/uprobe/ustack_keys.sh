# count("ustack") keys by the user stack and its pid (defect 7 of issue 7).
# fill_hdr() is called from three places in stacked(): the first and the
# last every round, the middle one only while x * 300 < 1000 (rounds 0-2).
# Over 10 rounds at -O0 (frame pointers: the kernel can walk the stack)
# that is three stacks, which differ in stacked's frame only: ordered by
# that offset, 10, 3 and 10 calls. Frames are symbolized in the fixture's
# process, so the script prints while the fixture still runs (--sleep-last).
# At -O2 the kernel finds no frame pointers: the first frame is fill_hdr,
# what follows is whatever rbp held (data, not frames), so only the first
# frame and the total of 23 calls are asserted there.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

cat >"$TMP/ustack.lua" <<'LUA'
local BIN = arg[1]
local by_stack = probe('process("' .. BIN .. '").function("fill_hdr")'):count("ustack")
after("1s", function()
  for k, n in by_stack:items() do
    printf("lp key pid %d count %d frames %s\n", k.ustack.pid, n, table.concat(k[1], "|"))
  end
  print("-- print")
  by_stack:print()
  exit()
end)
LUA

for opt in $OPTS; do
	run timeout -k 2 20 "$LUAPROBE" -c "$(fx "$opt") --sleep-last 10000 10" "$TMP/ustack.lua" "$(fx "$opt")"
	assert_eq 0 "$RC" "exit status at $opt ($ERR)"
	assert_eq "" "$ERR" "stderr at $opt"
	pid=$(field pid "$OUT")
	keys=$(sed -n 's/^lp key //p' <<<"$OUT")
	if [ "$opt" != O0 ]; then
		total=0
		while read -r key; do
			[[ "$key" =~ ^pid\ $pid\ count\ ([0-9]+)\ frames\ fill_hdr(\+0x[0-9a-f]+)?\ \(frames\.c:[0-9]+\)(\|.*)?$ ]] ||
				fail "the first frame at $opt: '$key'"
			total=$((total + BASH_REMATCH[1]))
		done <<<"$keys"
		assert_eq 23 "$total" "calls over every key at $opt"
		continue
	fi
	assert_eq 3 "$(wc -l <<<"$keys")" "keys at $opt: $keys"
	frame='\+0x[0-9a-f]+ \(frames\.c:[0-9]+\)'
	while read -r key; do
		[[ "$key" =~ ^pid\ $pid\ count\ [0-9]+\ frames\ fill_hdr$frame\|stacked$frame\|round_of_calls$frame\|main$frame(\|.*)?$ ]] ||
			fail "frames at $opt: '$key'"
	done <<<"$keys"
	# counts ordered by the offset of the call in stacked()
	by_site=$(sed -E 's/.* count ([0-9]+) frames [^|]*\|stacked\+0x([0-9a-f]+) .*/\2 \1/' <<<"$keys" |
		while read -r off n; do echo "$((16#$off)) $n"; done | sort -n | cut -d' ' -f2 | paste -sd' ')
	assert_eq "10 3 10" "$by_site" "calls from each site of stacked() at $opt"
	printed=$(sed -n '/^-- print$/,$p' <<<"$OUT" | sed '1d' | grep -v '^[a-z_]* .*=' || true)
	assert_eq "@[ @[ @[" "$(grep '^@\[$' <<<"$printed" | paste -sd' ')" "print()'s keys at $opt"
	assert_eq "]: 3 ]: 10 ]: 10" "$(grep '^\]: ' <<<"$printed" | paste -sd' ')" "print()'s counts at $opt"
	grep -qE "^        stacked$frame$" <<<"$printed" || fail "no stacked frame printed: $printed"
done
echo "ok: user stacks as keys, by call site, with their pid"
