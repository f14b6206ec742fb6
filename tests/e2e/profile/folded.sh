# --folded: every print() of a stack-keyed aggregation writes folded stacks
# ("outer;...;inner N", flamegraph.pl's input), one line per distinct chain
# of functions, and the counts add up to the samples exactly. The lines are
# read back as flamegraph.pl reads them (its own regular expression) and by
# the stricter form ^[^ ]+(;[^ ]+)* [0-9]+$. A print() of a key without a
# stack, and print{ folded = false }, stay as they were.
# ctest: run serial
. "$TESTS/e2e/lib.sh"
need_root
need_cmd perl

cat >"$TMP/folded.lua" <<'LUA'
local p = probe("profile:hz:99", { where = 'comm == "lpbusy"' })
local by_ustack, total = p:count("comm", "ustack"), p:count()
local by_kstack = probe("profile:hz:99", { where = 'comm == "lpbusy"' }):count("kstack")
local by_comm = probe("profile:hz:99", { where = 'comm == "lpbusy"' }):count("comm")
on_exit(function()
  local t, k = 0, 0
  for _, n in total:items() do t = t + n end
  for _, n in by_kstack:items() do k = k + n end
  print("-- user")
  by_ustack:print()
  print("-- kernel")
  by_kstack:print()
  print("-- comm")
  by_comm:print()
  print("-- unfolded")
  by_kstack:print({ folded = false, top = 1 })
  printf("-- total %d kernel %d\n", t, k)
end)
LUA
run timeout -k 2 30 "$LUAPROBE" --folded -c "$FIXTURES/busy --name lpbusy 1500 >/dev/null" "$TMP/folded.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "" "$ERR" "stderr"
section() { sed -n "/^-- $1\$/,/^-- /p" <<<"$OUT" | sed '1d;$d'; }
read -r _ _ total _ kernel <<<"$(grep '^-- total ' <<<"$OUT")"
assert_range 3 160 "$total" "samples"
for part in user kernel; do
	lines=$(section "$part")
	want=$total
	[ "$part" = kernel ] && want=$kernel
	assert_eq "" "$(grep -vE '^[^ ]+(;[^ ]+)* [0-9]+$' <<<"$lines" || true)" "folded $part lines"
	assert_eq "$(wc -l <<<"$lines")" "$(sort -u <<<"$lines" | sed 's/ [0-9]*$//' | sort -u | wc -l)" \
		"one line per chain of functions ($part)"
	# flamegraph.pl: my ($stack, $samples) = (/^(.*)\s+?(\d+(?:\.\d*)?)$/); frames split on ';'
	parsed=$(perl -ne 'chomp; my ($stack, $samples) = (/^(.*)\s+?(\d+(?:\.\d*)?)$/);
		die "unparsed: $_\n" unless defined $samples && length $stack;
		for (split ";", $stack) { die "empty frame: $_\n" unless length }
		$sum += $samples; END { print $sum + 0 }' <<<"$lines") || fail "flamegraph.pl's parse of: $lines"
	assert_eq "$want" "$parsed" "the folded $part counts add up to the samples"
done
# user: comm first, then the stack outermost first, by function name
grep -qE '^lpbusy;__libc_start_call_main;main;lp_busy_outer;lp_busy_spin [0-9]+$' <<<"$(section user)" ||
	fail "no folded spin-loop stack: $(section user)"
# kernel: the busy loop is in user mode: its kernel stacks are empty
grep -qE '^\[user\] [0-9]+$' <<<"$(section kernel)" || fail "no [user] line: $(section kernel)"
[[ "$(section comm)" =~ ^@\[lpbusy\]:\ [0-9]+$ ]] || fail "a key without a stack: $(section comm)"
[[ "$(section unfolded)" =~ ^@\[ ]] || fail "print{ folded = false }: $(section unfolded)"
echo "ok: $total samples folded"
