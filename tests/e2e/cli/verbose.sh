# -v is luaprobe's own detail, -vv adds libbpf's log (DESIGN.md §2 "-v
# (-vv: libbpf's log)"), and --help says so.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid

run "$LUAPROBE" --help
assert_contains "  -vv           also libbpf's debug log" "$OUT" "--help on -vv"
v=$(grep -- '^  -v ' <<<"$OUT" || true)
[ -n "$v" ] && [[ $v != *"libbpf's log"* ]] || fail "--help on -v: '$v'"

script='probe("tracepoint:syscalls:sys_enter_getppid"):count()
on_start(function() exit() end)'
# through libbpf, which has something to log (a tracepoint program from
# the template's image has libbpf neither open nor load anything)
export LUAPROBE_TEMPLATE_IMAGES=0
run "$LUAPROBE" -v -e "$script"
assert_eq 0 "$RC" "exit status with -v ($ERR)"
assert_contains "probe 'tracepoint:syscalls:sys_enter_getppid': attached" "$ERR" "-v's own detail"
[[ $ERR != *"libbpf:"* ]] || fail "-v printed libbpf's debug log: $(grep -m3 libbpf: <<<"$ERR")"

run "$LUAPROBE" -vv -e "$script"
assert_eq 0 "$RC" "exit status with -vv ($ERR)"
assert_contains "probe 'tracepoint:syscalls:sys_enter_getppid': attached" "$ERR" "-vv's own detail"
assert_contains "libbpf: loading object 'lp_" "$ERR" "libbpf's log with -vv"
