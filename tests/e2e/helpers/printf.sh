# printf (lua/printf.c) writes %d of an integer, %s of a string and %%
# itself, without string.format (~700 ns a line here), a line in one
# fwrite (lines longer than its 512-byte buffer too), and hands every
# other format to string.format: whichever path a call takes, its bytes
# must be string.format's, written where io.write writes, and its errors
# string.format's and io.write's.
. "$TESTS/e2e/lib.sh"
# cases.lua: every case written by `out`; printf's run and string.format's
# must write the same bytes
cat >"$TMP/cases.lua" <<'LUA'
local cases = {
  { "EV %d %s %d\n", 12345, "lpbench", -7 },
  { "%d|%d|%d\n", math.mininteger, math.maxinteger, 0 },
  { "%s and %s\n", "a\0b", "" },
  { "100%% %s%%\n", "x" },
  { "extra args %d\n", 1, 2, "three" },
  { "no conversions\n" },
  { "float %d\n", 3.0 },
  { "width %5d|%-4s|\n", 42, "ab" },
  { "hex %x %q\n", 255, "q\n" },
  { "number as %%s: %s %s\n", 1.5, 7 },
  -- the line printf puts together (512 bytes) filled, overflowed, passed
  { "%s\n", string.rep("c", 511) },
  { "%s|%s|%d\n", string.rep("a", 300), string.rep("b", 300), 5 },
  { "%d %s %s\n", 1, string.rep("d", 2000), "end" },
}
for _, c in ipairs(cases) do out(table.unpack(c)) end
LUA
{ echo 'local out = printf'; cat "$TMP/cases.lua"; } >"$TMP/p1.lua"
{ echo 'local out = function(...) io.write(string.format(...)) end'; cat "$TMP/cases.lua"; } >"$TMP/p2.lua"
"$LUAPROBE" "$TMP/p1.lua" >"$TMP/p1.out" 2>"$TMP/p1.err" || fail "printf's run: $(cat "$TMP/p1.err")"
"$LUAPROBE" "$TMP/p2.lua" >"$TMP/p2.out" 2>"$TMP/p2.err" || fail "string.format's run: $(cat "$TMP/p2.err")"
cmp "$TMP/p1.out" "$TMP/p2.out" || fail "printf wrote other bytes than string.format: $(diff <(od -c "$TMP/p1.out") <(od -c "$TMP/p2.out"))"
assert_eq 14 "$(wc -l <"$TMP/p1.out")" "lines written: 13 cases, %q's escaped newline"
assert_eq 1 "$(tr '\0' '@' <"$TMP/p1.out" | grep -c '^a@b and $')" "a string with a zero byte written whole"
run tr '\0' '@' <"$TMP/p1.out"
assert_contains "EV 12345 lpbench -7" "$OUT" "%d %s %d"
assert_contains "-9223372036854775808|9223372036854775807|0" "$OUT" "the integers' extremes"
assert_contains "100% x%" "$OUT" "%%"
assert_contains "width    42|ab  |" "$OUT" "widths through string.format"
assert_contains "number as %s: 1.5 7" "$OUT" "%s of numbers"
assert_contains "$(printf 'a%.0s' $(seq 300))|$(printf 'b%.0s' $(seq 300))|5" "$OUT" \
	"a line longer than printf's buffer"

# where io.write writes; string.format's errors; io.write's on a closed output
cat >"$TMP/p.lua" <<'LUA'
io.output(io.stderr)
printf("to stderr %d %s\n", 1, "x")
io.output(io.stdout)
for _, bad in ipairs({ { "%d\n", 1.5 }, { "%d %d\n", 1 }, { "%s\n" }, { "%y\n", 1 } }) do
  local ok1, e1 = pcall(printf, table.unpack(bad))
  local ok2, e2 = pcall(string.format, table.unpack(bad))
  io.write(string.format("error %s %s %s\n", tostring(ok1), tostring(ok1 == ok2), tostring(e1 == e2)))
end
local f = io.open("/dev/null")
io.output(f)
f:close()
local ok1, e1 = pcall(printf, "%d\n", 1)
local ok2, e2 = pcall(io.write, "1\n")
io.stderr:write(string.format("closed %s %s %s\n", tostring(ok1), tostring(ok1 == ok2), tostring(e1 == e2)))
LUA
run "$LUAPROBE" "$TMP/p.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "error false true true
error false true true
error false true true
error false true true" "$OUT" "errors: string.format's"
assert_contains "to stderr 1 x" "$ERR" "printf writes to io.output()"
assert_contains "closed false true true" "$ERR" "a closed output: io.write's error"
echo ok
