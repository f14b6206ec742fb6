# software:cpu-clock:N samples every N ns of CPU time, timer.profile every
# scheduler tick (CONFIG_HZ, read by the test from the kernel's config),
# both on every CPU, on the busy fixture; -v says how each is attached.
# software:page-faults counts page faults: the fixture's 1 MiB buffer,
# touched once by read(), faults its pages in (at least 200 of 256).
# ctest: run serial
. "$TESTS/e2e/lib.sh"
need_root

cat >"$TMP/sw.lua" <<'LUA'
local clock = probe("software:cpu-clock:10000000", { where = 'comm == "lpbusy"' })
local by_ustack, total = clock:count("ustack"), clock:count()
local tick = probe("timer.profile", { where = 'comm == "lpbusy"' }):count()
on_exit(function()
  local t = 0
  for _, n in total:items() do t = t + n end
  printf("clock %d\n", t)
  for _, n in tick:items() do printf("tick %d\n", n) end
  local inspin = 0
  for k, n in by_ustack:items() do
    if k.ustack[1] and k.ustack[1]:match("^lp_busy_spin%+0x%x+ %(busy%.c:%d+%)$") then
      inspin = inspin + n
    end
  end
  printf("in-spin %d\n", inspin)
end)
LUA
run timeout -k 2 30 "$LUAPROBE" -v -c "$FIXTURES/busy --name lpbusy 1000" "$TMP/sw.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
ncpu=$(grep -c . < <(tr ',' '\n' </sys/devices/system/cpu/online | while IFS=- read -r a b; do seq "$a" "${b:-$a}"; done))
s=s; [ "$ncpu" -eq 1 ] && s=
assert_contains "probe 'software:cpu-clock:10000000': attached as perf_event cpu-clock every 10000000 ns on $ncpu CPU$s" \
	"$ERR" "-v for software:cpu-clock"
hz=$( { zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$(uname -r)" 2>/dev/null || true; } |
	sed -n 's/^CONFIG_HZ=//p')
[ -n "$hz" ] || hz=100
assert_contains "probe 'timer.profile': attached as perf_event cpu-clock at $hz Hz (the kernel's tick, CONFIG_HZ) on $ncpu CPU$s" \
	"$ERR" "-v for timer.profile"
clock=$(field clock "$OUT")
tick=$(field tick "$OUT")
inspin=$(field in-spin "$OUT")
# 1 s of CPU at most: 100 samples at 100 Hz, $hz at the tick rate; the
# samples follow the CPU time the fixture got
cpu=$(field cpu_ms "$OUT")
assert_range $((cpu / 20 - 3)) $((cpu * 15 / 100 + 5)) "$clock" "cpu-clock samples of $cpu ms at 10 ms"
assert_range 3 105 "$clock" "cpu-clock samples in 1 s at 10 ms"
assert_range 3 $((hz + hz / 20)) "$tick" "timer.profile samples in 1 s at $hz Hz"
# the tick runs $hz/100 times as often as the 10 ms clock: same CPU time seen
[ $((tick * 100)) -ge $((clock * hz / 2)) ] || fail "timer.profile $tick vs cpu-clock $clock at $hz Hz"
# nearly all the fixture's time is in the spin loop
[ $((inspin * 10)) -ge $((clock * 8)) ] || fail "only $inspin of $clock samples in lp_busy_spin"

cat >"$TMP/pf.lua" <<'LUA'
local faults = probe("software:page-faults:1", { where = 'comm == "lpbusy"' }):count()
on_exit(function() for _, n in faults:items() do printf("faults %d\n", n) end end)
LUA
run timeout -k 2 30 "$LUAPROBE" -c "$FIXTURES/busy --name lpbusy --kernel 200" "$TMP/pf.lua"
assert_eq 0 "$RC" "exit status ($ERR)"
assert_range 200 100000 "$(field faults "$OUT")" "page faults of the fixture"
echo "ok: cpu-clock $clock, timer.profile $tick at $hz Hz"
