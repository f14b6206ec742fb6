# A kernel function's parameters from the kernel's DWARF at kprobe:f and
# kretprobe:f, resolved on this host against the guest tier's cached Debian
# vmlinux (another build than ours: -L and --check read it, attaching
# refuses it; the guest tier runs them for real). Without --vmlinux this
# host has no debuginfo and kprobe points are refused before resolving.
. "$TESTS/e2e/lib.sh"
need_root
VM=$(ls -d /var/cache/luaprobe-guest/*/vmlinux 2>/dev/null | sort -V | tail -1)
[ -n "$VM" ] || skip "no cached kernel DWARF (the guest tier fetches it: ctest -L guest)"
[ -e /sys/bus/event_source/devices/kprobe ] && skip "this kernel has kprobes: the guest tier covers them"
grep -q ' __netif_receive_skb_core.constprop.0$' /proc/kallsyms ||
	skip "this kernel has no __netif_receive_skb_core.constprop.0 to compare with the vmlinux's"

# -L: the clone's parameters as DWARF types them, and $retval's type
run "$LUAPROBE" --vmlinux "$VM" -L 'kprobe:__netif_receive_skb_core'
assert_eq 0 "$RC" "-L exit status ($ERR)"
assert_eq 'kprobe:__netif_receive_skb_core
  at __netif_receive_skb_core.constprop.0 (kprobe)
    struct sk_buff **pskb
    bool pfmemalloc
    struct packet_type **ppt_prev' "$OUT" "-L of a clone's parameters"
run "$LUAPROBE" --vmlinux "$VM" -L 'kretprobe:ip_rcv_core'
assert_eq 0 "$RC" "-L kretprobe exit status ($ERR)"
assert_contains $'\n    struct sk_buff *$retval' "$OUT" "-L of \$retval's type"

# a misspelt parameter and a misspelt member: DWARF's "did you mean"
cat >"$TMP/p.lua" <<'LUA'
probe('kprobe:__netif_receive_skb_core', { fetch = { p = "(*pskbb)->protocol" } }, function(e) end)
LUA
run "$LUAPROBE" --vmlinux "$VM" --check "$TMP/p.lua"
assert_eq 1 "$RC" "misspelt parameter: exit status"
assert_eq "luaprobe: $TMP/p.lua:1: probe 'kprobe:__netif_receive_skb_core': fetch '(*pskbb)->protocol': no variable 'pskbb' in scope at __netif_receive_skb_core.constprop.0 (did you mean 'pskb'?)" "$ERR" "misspelt parameter"
cat >"$TMP/m.lua" <<'LUA'
probe('kprobe:ip_rcv', { fetch = { p = "skb->protocl" } }, function(e) end)
LUA
run "$LUAPROBE" --vmlinux "$VM" --check "$TMP/m.lua"
assert_eq 1 "$RC" "misspelt member: exit status"
assert_eq "luaprobe: $TMP/m.lua:1: probe 'kprobe:ip_rcv': fetch 'skb->protocl': struct sk_buff has no member 'protocl' (did you mean 'protocol'?)" "$ERR" "misspelt member"

# spelt right, the fetches resolve at the clone (BTF's names would be
# refused there) and only the load says why nothing attaches here
cat >"$TMP/ok.lua" <<'LUA'
probe('kprobe:__netif_receive_skb_core', { fetch = { p = "(*pskb)->protocol", f = "pfmemalloc" } }, function(e) end)
LUA
run "$LUAPROBE" --vmlinux "$VM" --check "$TMP/ok.lua"
assert_eq 1 "$RC" "--check exit status"
assert_contains "kprobe probes cannot attach here: this kernel has no kprobes" "$ERR" "the load's refusal"
