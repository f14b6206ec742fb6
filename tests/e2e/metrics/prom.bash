# Helpers for the --metrics tests: sourced after lib.sh.
# shellcheck shell=bash

# free_port: a TCP port nobody listens on now (the kernel's pick).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# metrics_port: the port the background luaprobe said it serves on.
metrics_port() {
	local deadline=$((SECONDS + 30)) port
	while :; do
		port=$(sed -n 's|^luaprobe: metrics on http://127.0.0.1:\([0-9]*\)/metrics$|\1|p' "$TMP/bg.err")
		[ -n "$port" ] && break
		[ "$SECONDS" -ge "$deadline" ] && fail "luaprobe never said where it serves: $(cat "$TMP/bg.err")"
		sleep 0.05
	done
	echo "$port"
}

# http_status METHOD URL: the status of one request (000: no answer).
http_status() {
	curl -s -o /dev/null -m 10 -X "$1" -w '%{http_code}' "$2" || true
}

# prom_start PORT...: a real Prometheus in $TMP scraping 127.0.0.1:PORT
# every second; its API is $PROM. Waits until it is ready.
prom_start() {
	local targets="" p deadline
	for p in "$@"; do targets="$targets'127.0.0.1:$p',"; done
	cat >"$TMP/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: luaprobe
    static_configs:
      - targets: [${targets%,}]
YML
	PROM_PORT=$(free_port)
	PROM="http://127.0.0.1:$PROM_PORT"
	prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
		--web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn \
		>"$TMP/prom.log" 2>&1 &
	PROM_PID=$!
	deadline=$((SECONDS + 60))
	until [ "$(http_status GET "$PROM/-/ready")" = 200 ]; do
		kill -0 "$PROM_PID" 2>/dev/null || fail "prometheus ended: $(cat "$TMP/prom.log")"
		[ "$SECONDS" -ge "$deadline" ] && fail "prometheus not ready after 60 s: $(cat "$TMP/prom.log")"
		sleep 0.2
	done
}

prom_stop() {
	[ -n "${PROM_PID:-}" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
	PROM_PID=
}

# prom_query EXPR: the instant query's result, "labels value" a line
# (labels as {k="v",...} sorted, without __name__), sorted.
prom_query() {
	curl -s -m 10 -G "$PROM/api/v1/query" --data-urlencode "query=$1" | python3 -c '
import json, sys
try:
    r = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
out = []
for s in r.get("data", {}).get("result", []):
    m = {k: v for k, v in s["metric"].items() if k not in ("__name__", "job", "instance")}
    labels = ",".join("%s=\"%s\"" % (k, m[k]) for k in sorted(m))
    out.append("{%s} %s" % (labels, s["value"][1]))
print("\n".join(sorted(out)))'
}

# prom_wait EXPR EXPECTED SECONDS: poll the query until it gives EXPECTED.
prom_wait() {
	local deadline=$((SECONDS + $3)) got
	while :; do
		got=$(prom_query "$1")
		[ "$got" = "$2" ] && return 0
		if [ "$SECONDS" -ge "$deadline" ]; then
			printf 'unexpected answer to %s after %s s:\n  expected: %s\n  actual:   %s\n' \
				"$1" "$3" "$2" "$got" >&2
			curl -s -m 5 "$PROM/api/v1/targets" >&2 || true
			exit 1
		fi
		sleep 0.5
	done
}
