# --metrics, metrics{} and Agg:name() refuse what Prometheus could not
# take or what would make two metrics one, with one message each; a taken
# port fails before any probe is loaded.
. "$TESTS/e2e/lib.sh"
need_tracepoint syscalls:sys_enter_getppid
P="probe('tracepoint:syscalls:sys_enter_getppid')"

check() { # EXPECTED-STDERR ARGS...
	local want=$1
	shift
	run "$LUAPROBE" "$@"
	assert_eq 1 "$RC" "exit status of $*"
	assert_eq "$want" "$ERR" "message of $*"
}
check "luaprobe: -e:1: bad argument #1 to 'name' (not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*, no leading __))" \
	-e "$P:count():name('9x')"
check "luaprobe: -e:1: bad argument #1 to 'name' (luaprobe_ names are luaprobe's own)" \
	-e "$P:count():name('luaprobe_x')"
check "luaprobe: -e:1: metric 'x' is already the count aggregation of probe 'tracepoint:syscalls:sys_enter_getppid' with other keys: one name, one type and one set of labels (and buckets)" \
	-e "$P:count('comm'):name('x'); $P:count('pid'):name('x')"
check "luaprobe: -e:1: an aggregation filled from Lua is not served as a metric (only in-kernel ones are)" \
	-e "Hist():name('x')"
bad="is not an address to serve metrics on: HOST:PORT, [IPV6]:PORT or :PORT (HOST 127.0.0.1), PORT 0 to 65535"
check "luaprobe: -e:1: metrics{}: 'x:y' $bad" -e "metrics{ listen = 'x:y' }"
check "luaprobe: --metrics: '::1:80' $bad" --metrics ::1:80 -e "$P"
check "luaprobe: --metrics: ':65536' $bad" --metrics :65536 -e "$P"
check "luaprobe: -e:1: metrics{}: unknown field 'lisen' (listen = \"ADDR:PORT\")" -e "metrics{ lisen = ':1' }"
check 'luaprobe: -e:1: metrics{}: listen = "ADDR:PORT" is needed' -e "metrics{}"
# a port already taken: said before the probes load (no READY)
python3 -c 'import socket, time; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); print(s.getsockname()[1], flush=True); time.sleep(60)' >"$TMP/port" &
holder=$!
trap 'kill "$holder" 2>/dev/null; cleanup' EXIT
deadline=$((SECONDS + 10))
until [ -s "$TMP/port" ]; do [ "$SECONDS" -ge "$deadline" ] && fail "no port held"; sleep 0.05; done
port=$(cat "$TMP/port")
check "luaprobe: cannot serve metrics on '127.0.0.1:$port': Address already in use" \
	--metrics "127.0.0.1:$port" -e "$P; on_start(function() print('READY') end)"
assert_eq "" "$OUT" "stdout (nothing started)"
kill "$holder"
exit 0
