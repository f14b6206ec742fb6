# -l and -L on a binary, as stap -l/-L and perf probe -V: the functions of
# frames matching a glob, its labels as function:label, and what is in
# scope, with C types, at a function, at a label (parameters, then the
# locals) and at a return. Exact output, at -O0 and -O2.
. "$TESTS/e2e/lib.sh"
. "$TESTS/e2e/uprobe/common.bash"
need_uprobes

src="$TESTS/fixtures/uprobe/frames.c"
for opt in $OPTS; do
	bin=$(fx "$opt")
	run "$LUAPROBE" -l "process(\"$bin\").function(\"s*\")"
	assert_eq 0 "$RC" "-l exit status at $opt ($ERR)"
	assert_eq "scaled
scan_a
scan_b
search
show
stacked" "$OUT" "functions s* at $opt"

	run "$LUAPROBE" -l "process(\"$bin\").function(\"*\").label(\"*\")"
	assert_eq "scan:hit
search:found
stacked:ready" "$OUT" "labels at $opt"

	run "$LUAPROBE" -L "process(\"$bin\").function(\"show\")"
	assert_eq 0 "$RC" "-L exit status at $opt ($ERR)"
	assert_eq "process(\"$bin\").function(\"show\")" "$(sed -n 1p <<<"$OUT")" "-L title at $opt"
	assert_eq "    struct frame *f" "$(sed -n '3,$p' <<<"$OUT")" "in scope at show at $opt"

	run "$LUAPROBE" -L "process(\"$bin\").function(\"search\").label(\"found\")"
	assert_eq "    const int *arr
    int n
    int want
    int idx
    int steps
    int first" "$(sed -n '3,$p' <<<"$OUT")" "in scope at search:found at $opt"
	line=$(grep -n '^found:' "$src" | cut -d: -f1)
	assert_contains "(${src}:$line)" "$(sed -n 2p <<<"$OUT")" "where found is, at $opt"

	run "$LUAPROBE" -L "uretprobe:$bin:chain"
	assert_eq "    long int \$retval" "$(sed -n '3,$p' <<<"$OUT")" "at chain's return at $opt"
done
echo "ok: -l and -L on frames at -O0 and -O2"
