#!/usr/bin/env bash
# One entry point for a fresh Debian machine (run as root):
#   ./setup.sh demo   install what is needed, build, run the packet-drop story (demo/run.sh)
#   ./setup.sh test   install, build (plain and ASan+UBSan), run every test, then
#                     fuzz the parsers for LP_FUZZ_SECONDS (60) each
#   ./setup.sh deps | build | fuzz
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(cmake make gcc clang llvm bpftool pkg-config libbpf-dev libelf-dev libdw-dev systemtap-sdt-dev
	zlib1g-dev liblzma-dev libbz2-dev liblua5.4-dev lua-cjson-dev libtraceevent-dev libtracefs-dev iproute2 libc6-dbg
	bpftrace
	# --metrics: the HTTP server (libmicrohttpd12 comes with -dev), and the
	# real Prometheus the metrics tests scrape with (tests/e2e/metrics/)
	libmicrohttpd-dev libmicrohttpd12 prometheus curl
	# the guest tier (tests/guest/): QEMU, virtiofsd, a static busybox, and
	# what unpacks and reads the downloaded kernel
	qemu-system-x86 qemu-system-common busybox-static xz-utils binutils file
	# libFuzzer and the sanitizers' runtime for clang (tests/fuzz/, ./setup.sh fuzz)
	libclang-rt-14-dev)

deps() {
	local missing=()
	for p in "${PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
	done
	if ((${#missing[@]})); then
		echo "setup: installing ${missing[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
	fi
	# Tracepoint formats and event lists live in tracefs.
	if [ ! -e /sys/kernel/tracing/events ]; then
		mount -t tracefs nodev /sys/kernel/tracing
	fi
}

build() {
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j"$(nproc)"
}

build_asan() {
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DLP_SANITIZE=ON >/dev/null
	cmake --build build-asan -j"$(nproc)"
}

# libFuzzer on the point parser, the where compiler and the fetch-expression
# resolver, LP_FUZZ_SECONDS (60) each; a crash lands in tests/fuzz/regressions/.
fuzz() {
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DLP_FUZZ=ON \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build-fuzz -j"$(nproc)" --target fuzz_point fuzz_filter fuzz_fetch
	tests/fuzz/run.sh build-fuzz "${LP_FUZZ_SECONDS:-60}"
}

case "${1:-}" in
deps) deps ;;
build) deps && build ;;
demo)
	deps
	build
	# A veth pair in its own namespace, one frame of an unknown EtherType a
	# second, and the three recipes that find where and why it is dropped.
	exec bash demo/run.sh
	;;
test)
	deps
	build
	build_asan
	# detect_leaks: libbpf and libtracefs keep a few process-lifetime allocations.
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
	ctest --test-dir build-asan --output-on-failure -j2
	ctest --test-dir build --output-on-failure -j2
	fuzz
	;;
fuzz) deps && fuzz ;;
*)
	sed -n '2,7p' "$0"
	exit 2
	;;
esac
