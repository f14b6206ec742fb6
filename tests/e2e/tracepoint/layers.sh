# The tracepoint template in layers (issue 12): each probe holds the
# program with only the layers its plan uses (lp_tp_<hex>, bpf/tp.bpf.c;
# lp_tp with every layer when it needs them all), and counts exactly what
# the whole template counted: a count, a count behind a filter, a handler
# behind a filter that reads a string, two aggregations, a kernel stack.
# The BTF template likewise (lp_btf_<hex>, bpf/btf.bpf.c): before, every
# tp_btf probe loaded all of it (2,721 instructions; ten tp_btf probes
# started in 2.06x one, now 1.48x: bench/btf.sh).
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_openat
need_cmd bpftool

SC=$FIXTURES/syscaller
name=lplay$$
# syscalls:* as the classic tracepoints they are, the tp template's probes
# (as raw_syscalls they load the BTF template's: tracepoint/syscall_raw.sh)
export LUAPROBE_SYSCALL_RAW=0
path=$TMP/lplayers.file
: >"$path"

# names PID: the names of the lp_tp programs PID holds, in probe order
names() {
	local id
	for id in $(lp_prog_ids "$1"); do
		bpftool prog show id "$id" | sed -n 's/.* name \(lp_tp[_0-9a-f]*\) .*/\1/p'
	done | paste -sd' '
}

lp_start -e "$READY_LUA
local all = probe('tracepoint:syscalls:sys_enter_openat'):count()
local mine = probe('tracepoint:syscalls:sys_enter_openat', { where = 'comm == \"$name\"' }):count()
local files = {}
probe('tracepoint:syscalls:sys_enter_openat', { where = 'comm == \"$name\"' }, function(e)
  files[e.filename] = (files[e.filename] or 0) + 1
end)
local p = probe('tracepoint:syscalls:sys_enter_openat', { where = 'comm == \"$name\"' })
local by_flags, by_comm = p:count('flags'), p:count('comm')
local stacks = probe('tracepoint:syscalls:sys_enter_openat', { where = 'comm == \"$name\"', stack = 'kernel' }):count()
on_exit(function()
  printf('all>=mine %s\n', tostring(all:total() >= mine:total()))
  printf('mine %d\n', mine:total())
  printf('file %d\n', files['$path'] or 0)
  printf('flags %d\n', by_flags:total())
  printf('comm %d\n', by_comm:total())
  printf('stacks %d\n', stacks:total())
end)"
lp_ready
held=$(names "$BG_PID")
"$SC" --name "$name" --openat "$path" 300 >/dev/null
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status ($ERR)"
# ids come in load order: the probes' order
assert_eq "lp_tp_02 lp_tp_03 lp_tp_a9 lp_tp_1af lp_tp" "$held" "programs held"
assert_eq true "$(field 'all>=mine' "$OUT")" "an unfiltered count"
for k in mine file flags comm stacks; do
	assert_eq 300 "$(field "$k" "$OUT")" "$k"
done

# tp_btf: a count keyed by a kernel chain, and a count behind a filter on
# one, for the 25 forks of a shell released once the probes are attached
need_tracepoint sched:sched_process_fork
btf_names() {
	local id
	for id in $(sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null | sort -un); do
		bpftool prog show id "$id" | sed -n 's/.* name \(lp_btf[_0-9a-f]*\) .*/\1/p'
	done | paste -sd' '
}
mkfifo "$TMP/go"
bash -c 'read -r _ <"$1"; i=0; while [ $i -lt 25 ]; do /bin/true; i=$((i + 1)); done' sh "$TMP/go" &
forker=$!
lp_start -e "$READY_LUA
local by_parent = probe('tp_btf:sched_process_fork'):count('parent->pid')
local mine = probe('tp_btf:sched_process_fork', { where = 'parent->pid == $forker' }):count()
on_exit(function()
  local n = 0
  for k, v in by_parent:items() do if k['parent->pid'] == $forker then n = v end end
  printf('keyed %d\nfiltered %d\n', n, mine:total())
end)"
lp_ready
held=$(btf_names "$BG_PID")
echo go >"$TMP/go"
wait "$forker"
kill -INT "$BG_PID"
lp_wait 30
assert_eq 0 "$RC" "exit status of the tp_btf probes ($ERR)"
assert_eq "lp_btf_42 lp_btf_43" "$held" "the BTF template's programs held"
assert_eq 25 "$(field keyed "$OUT")" "forks of the released shell, keyed by parent->pid"
assert_eq 25 "$(field filtered "$OUT")" "forks of the released shell, behind a filter"
echo ok
