# Tracepoint probes load their program from an image of the template's
# table, relocated at build time (tools/imagegen.c, load_image_tmpl): no
# libbpf open or load, so no BTF comes with the program, and the maps the
# probe does not use are not made (their references poisoned, as libbpf
# poisons them). Each shape must count exactly: a handler (the ring
# buffer), a count by pid (pending runs' slots), an unkeyed count, and a
# raw tracepoint (as many events as a handler on the classic one sees).
# LUAPROBE_TEMPLATE_IMAGES=0 loads the same through libbpf
# (its BTF then comes along): the same counts.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid
need_tracepoint raw_syscalls:sys_enter
need_cmd bpftool

SC=$FIXTURES/syscaller
name=lptimg$$

cat >"$TMP/img.lua" <<LUA
local c = { where = 'comm == "$name"' }
local seen, calls = 0, 0
probe("tracepoint:syscalls:sys_enter_getppid", c, function(e) seen = seen + 1 end)
local by_pid = probe("tracepoint:syscalls:sys_enter_getppid", c):count("pid")
local all = probe("tracepoint:syscalls:sys_enter_getppid", c):count()
local raw = probe("tracepoint:raw_syscalls:sys_enter", c):count()
probe("tracepoint:raw_syscalls:sys_enter", c, function(e) calls = calls + 1 end)
$READY_LUA
on_exit(function()
  printf("seen %d\nall %d\n", seen, all:total())
  printf("raw %s\n", raw:total() == calls and "= calls" or raw:total() .. " ~= " .. calls)
  printf("calls > 150: %s\n", calls > 150)
  for k, v in by_pid:items() do printf("pid %d\n", v) end
end)
LUA

# run_images IMAGES: the script with LUAPROBE_TEMPLATE_IMAGES=IMAGES,
# three syscallers of 40, 50 and 60 calls; the names of the programs it attached
# and whether each came with BTF in $PROGS ("lp_rawtp_02 btf" a line)
run_images() {
	LUAPROBE_SYSCALL_RAW=0 LUAPROBE_TEMPLATE_IMAGES=$1 lp_start -v "$TMP/img.lua"
	lp_ready
	PROGS=$({ sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$BG_PID"/fdinfo/* 2>/dev/null || true; } |
		sort -un | while read -r id; do
			info=$(bpftool prog show id "$id" --json 2>/dev/null)
			echo "$(sed -n 's/.*"name":"\([a-z0-9_]*\)".*/\1/p' <<<"$info")" \
				"$(grep -o '"btf_id"' <<<"$info" | sed 's/.*/btf/')"
		done | sort)
	for n in 40 50 60; do
		"$SC" --name "$name" "$n" >/dev/null
	done
	kill -INT "$BG_PID"
	lp_wait 30
	assert_eq 0 "$RC" "exit status ($ERR)"
	assert_eq "all 150
calls > 150: true
pid 40
pid 50
pid 60
raw = calls
seen 150" "$(grep -v '^READY$' <<<"$OUT" | sort)" "exact counts (images $1)"
	assert_contains "img.lua:6: probe 'tracepoint:raw_syscalls:sys_enter': attached as raw_tp" \
		"$ERR" "the count of raw_syscalls runs as a raw tracepoint"
}

run_images 1
# five programs, none with BTF: not libbpf's load
assert_eq 5 "$(grep -c . <<<"$PROGS")" "programs attached ($PROGS)"
assert_eq 0 "$(grep -c btf <<<"$PROGS")" "programs with BTF ($PROGS)"
assert_eq 1 "$(grep -c '^lp_rawtp' <<<"$PROGS")" "raw programs ($PROGS)"

run_images 0
assert_eq 5 "$(grep -c . <<<"$PROGS")" "programs attached through libbpf ($PROGS)"
assert_eq 5 "$(grep -c btf <<<"$PROGS")" "programs libbpf loaded with their BTF ($PROGS)"
echo ok
