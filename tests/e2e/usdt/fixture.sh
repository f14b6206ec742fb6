# USDT markers of tests/fixtures/usdt.c: every width and sign on the stack
# and in registers, a constant, a pointer read as a string through a cast,
# globals relative to %rip, and a semaphore-guarded marker that fires only
# while luaprobe has it attached. Exact values: the fixture prints what it
# passed, luaprobe prints what it read, the lines must match.
. "$TESTS/e2e/lib.sh"
need_root
bin="$FIXTURES/usdt"
[ -x "$bin" ] || fail "fixture $bin is not built"

cat >"$TMP/all.lua" <<'LUA'
local B = arg[1]
probe("usdt:" .. B .. ":lpfx:stack", function(e)
  printf("lp stack %d %d %d %d %d %u %d %u\n", e.arg0, e.arg1, e.arg2, e.arg3, e.arg4, e.arg5,
         e.arg6, e.arg7)
end)
probe("usdt:" .. B .. ":regs", function(e)
  printf("lp regs %d %d %d %u %d %u\n", e.arg0, e.arg1, e.arg2, e.arg3, e.arg4, e.arg5)
end)
probe('process("' .. B .. '").mark("misc")', { fetch = { c = "arg0", w = "(char *)arg1", g = "arg2" } },
      function(e) printf("lp misc %d %s %d\n", e.c, e.w, e.g) end)
probe("usdt:" .. B .. ":lpfx:globals", function(e) printf("lp globals %d %d\n", e.arg0, e.arg1) end)
local g = probe("usdt:" .. B .. ":guarded"):count("arg0")
on_exit(function()
  for k, n in g:items() do printf("lp guarded-count %d %d\n", k.arg0, n) end
end)
LUA
n=5
run timeout -k 2 20 "$LUAPROBE" -c "$bin $n" "$TMP/all.lua" "$bin"
assert_eq 0 "$RC" "exit status ($ERR)"
fx=$(grep -v '^lp ' <<<"$OUT" | grep -v '^guarded' | sort)
lp=$(sed -n 's/^lp \(stack\|regs\|misc\|globals\) /\1 /p' <<<"$OUT" | sort)
assert_eq "$((4 * n))" "$(wc -l <<<"$fx")" "fixture lines"
assert_eq "$fx" "$lp" "what luaprobe read against what the fixture passed"
# the semaphore was up while attached: the guarded marker fired each round
assert_eq "$n" "$(grep -c '^guarded ' <<<"$OUT")" "rounds the fixture saw its semaphore set"
assert_eq "$n" "$(grep -c '^lp guarded-count [0-9]* 1$' <<<"$OUT")" "guarded events, one per round"

# Without a probe on it the semaphore stays down: the guarded marker never fires.
cat >"$TMP/other.lua" <<'LUA'
local c = probe("usdt:" .. arg[1] .. ":lpfx:misc"):count()
on_exit(function() printf("lp misc-count %d\n", c:total()) end)
LUA
run timeout -k 2 20 "$LUAPROBE" -c "$bin $n" "$TMP/other.lua" "$bin"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_eq "lp misc-count $n" "$(grep '^lp ' <<<"$OUT")" "misc events"
assert_eq 0 "$(grep -c '^guarded ' <<<"$OUT" || true)" "guarded rounds without its probe"
