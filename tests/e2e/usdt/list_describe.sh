# -l lists a binary's markers (both spellings), -L shows a marker's
# arguments with the sizes and signs its note gives; misspelt and ambiguous
# markers are refused with what to write instead.
. "$TESTS/e2e/lib.sh"
bin="$FIXTURES/usdt"
[ -x "$bin" ] || fail "fixture $bin is not built"
markers="lpfx:globals
lpfx:guarded
lpfx:misc
lpfx:regs
lpfx:stack
lpfx:twice
lpfy:twice"
run "$LUAPROBE" -l "usdt:$bin:*"
assert_eq 0 "$RC" "exit status of -l ($ERR)"
assert_eq "$markers" "$OUT" "-l usdt:BIN:*"
run "$LUAPROBE" -l "process(\"$bin\").mark(\"*\")"
assert_eq "$markers" "$OUT" "-l process(BIN).mark(\"*\")"
run "$LUAPROBE" -l "usdt:$bin:lpfx:g*"
assert_eq "lpfx:globals
lpfx:guarded" "$OUT" "-l usdt:BIN:lpfx:g*"

run "$LUAPROBE" -L "usdt:$bin:lpfx:stack"
assert_eq 0 "$RC" "exit status of -L ($ERR)"
assert_eq "usdt:$bin:lpfx:stack
  at lpfx:stack (fire+0xa2)
    int8_t arg0
    uint8_t arg1
    int16_t arg2
    uint16_t arg3
    int32_t arg4
    uint32_t arg5
    int64_t arg6
    uint64_t arg7" "$(sed 's/fire+0x[0-9a-f]*/fire+0xa2/' <<<"$OUT")" "-L of the stack marker"
run "$LUAPROBE" -L "process(\"$bin\").mark(\"misc\")"
assert_eq "    int32_t arg0
    uint64_t arg1
    int64_t arg2" "$(tail -n 3 <<<"$OUT")" "-L of the misc marker"

run "$LUAPROBE" -L "usdt:$bin:lpfx:stak"
assert_eq 1 "$RC" "exit status for a misspelt marker"
assert_eq "luaprobe: probe 'usdt:$bin:lpfx:stak': no USDT marker 'lpfx:stak' in $bin (did you mean 'lpfx:stack'?)" "$ERR" "misspelt marker"
run "$LUAPROBE" -e "probe('usdt:$bin:lpfx:misc', { fetch = { 'arg3' } })"
assert_eq 1 "$RC" "exit status for an argument the marker lacks"
assert_contains "fetch 'arg3': no 'arg3' at marker lpfx:misc: it has 3 arguments (arg0..)" "$ERR" "missing argument"
run "$LUAPROBE" -L "usdt:$bin:twice"
assert_eq 1 "$RC" "exit status for a name two providers have"
assert_eq "luaprobe: probe 'usdt:$bin:twice': marker 'twice' is in more than one provider of $bin (lpfx, lpfy): name one, as usdt:$bin:lpfx:twice" "$ERR" "an ambiguous marker"
run "$LUAPROBE" -L "usdt:$bin:lpfy:twice"
assert_eq 0 "$RC" "exit status with the provider named ($ERR)"
run "$LUAPROBE" -L "usdt:/bin/sh:x"
assert_eq 1 "$RC" "exit status for a binary without markers"
assert_contains "no USDT markers in " "$ERR" "a binary without markers"
