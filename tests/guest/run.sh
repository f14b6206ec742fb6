#!/usr/bin/env bash
# The guest tier: boot the newest Debian cloud kernel under QEMU's software
# emulation (TCG: this machine's /dev/kvm cannot run a stock kernel), run
# cases.sh inside, and leave the serial console's log for check.sh.
#   run.sh BUILD_DIR OUT_DIR
# Exit 0 with OUT_DIR/console.log once the guest ran to its summary line;
# 77 (skipped) with the reason when QEMU cannot run here; 1 otherwise.
set -euo pipefail
BUILD=$(cd "$1" && pwd)
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
rm -f "$OUT/console.log" "$OUT/skip" "$OUT/times"
skip() {
	echo "$*" >"$OUT/skip"
	echo "guest: skipped: $*"
	exit 77
}
t0=$(date +%s.%N)
stamp() { echo "$1 $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }')" >>"$OUT/times"; }

QEMU=$(command -v qemu-system-x86_64 || true)
VIRTIOFSD=$(ls /usr/lib/qemu/virtiofsd /usr/libexec/virtiofsd 2>/dev/null | head -1 || true)
BUSYBOX=$(command -v busybox || true)
[ -n "$QEMU" ] || skip "no qemu-system-x86_64 (apt-get install qemu-system-x86)"
[ -n "$VIRTIOFSD" ] || skip "no virtiofsd (apt-get install qemu-system-common)"
[ -n "$BUSYBOX" ] && file -L "$BUSYBOX" | grep -q 'statically linked' ||
	skip "no static busybox (apt-get install busybox-static)"

KDIR=$(bash "$HERE/fetch.sh") || { echo "guest: cannot fetch the kernel" >&2; exit 1; }
stamp fetched

# The initramfs: busybox, luaprobe and the test programs with their ldd
# closure, the cases; the vmlinux (hundreds of MB) comes over virtiofs.
WORK=$(mktemp -d)
VFS_PID=
trap '[ -n "$VFS_PID" ] && kill $VFS_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
ROOT=$WORK/root
mkdir -p "$ROOT"/{bin,sbin,proc,sys,dev,tmp,lp,mnt/dbg,lib/modules}
cp "$BUSYBOX" "$ROOT/bin/busybox"
for prog in "$BUILD/luaprobe" "$BUILD/sendframe" "$BUILD/fixtures/syscaller"; do
	cp "$prog" "$ROOT/lp/"
	for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
		mkdir -p "$ROOT$(dirname "$lib")"
		cp -L "$lib" "$ROOT$lib"
	done
done
cp "$KDIR/veth.ko" "$ROOT/lib/modules/"
cp -r "$KDIR/fs" "$ROOT/lib/modules/fs"
cp "${GUEST_CASES:-$HERE/cases.sh}" "$ROOT/lp/cases.sh" # the demo brings its own
# f+OFF: the third instruction of ksys_read in this build (offsets belong to
# one build: computed, never written down)
addr=$(nm "$KDIR/vmlinux" 2>/dev/null | awk '$3 == "ksys_read" && !a { a = $1 } END { print a }')
third=$(objdump -d --no-show-raw-insn --start-address=0x$addr --stop-address=$(printf 0x%x $((0x$addr + 32))) \
	"$KDIR/vmlinux" | grep -E '^ *[0-9a-f]+:' | sed -n '3s/^ *\([0-9a-f]*\):.*/\1/p')
off=$(printf '0x%x' $((0x$third - 0x$addr)))
echo "KSYS_READ_OFF=$off" >"$ROOT/lp/env"
cat >"$ROOT/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
for m in $(cat /lib/modules/fs/order); do insmod /lib/modules/fs/$m.ko; done
mount -t virtiofs dbg /mnt/dbg -o ro && echo "LPGUEST vmlinux mounted"
mkdir -p /usr/lib && ln -s /mnt/dbg/usr/lib/debug /usr/lib/debug
ip link set lo up
cd /lp && sh /lp/cases.sh
echo "LPGUEST done"
poweroff -f
INIT
chmod +x "$ROOT/init"
(cd "$ROOT" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1) >"$WORK/initrd.gz"
stamp initramfs

mkdir -p "$WORK/share"
ln "$KDIR/vmlinux" "$WORK/share/vmlinux" 2>/dev/null || cp "$KDIR/vmlinux" "$WORK/share/vmlinux"
# modules' debuginfo where Debian's -dbg package puts it (the guest links
# /usr/lib/debug there)
cp -rl "$KDIR/dbg/usr" "$WORK/share/usr" 2>/dev/null ||
	{ rm -rf "$WORK/share/usr" && cp -r "$KDIR/dbg/usr" "$WORK/share/usr"; }
"$VIRTIOFSD" --socket-path="$WORK/vfs.sock" -o source="$WORK/share" -o cache=none \
	>"$WORK/vfs.log" 2>&1 &
VFS_PID=$!
for _ in $(seq 50); do [ -S "$WORK/vfs.sock" ] && break; sleep 0.1; done

# Single-threaded TCG: multi-threaded TCG oopsed on int3 in 2 of ~50 boots.
timeout 280 "$QEMU" -machine q35 -accel tcg,thread=single -cpu max -smp 2 -m 2048 \
	-nodefaults -no-user-config -display none -serial stdio -no-reboot \
	-object memory-backend-memfd,id=mem,size=2048M,share=on -numa node,memdev=mem \
	-chardev socket,id=vfs,path="$WORK/vfs.sock" \
	-device vhost-user-fs-pci,chardev=vfs,tag=dbg \
	-kernel "$KDIR/vmlinuz" -initrd "$WORK/initrd.gz" \
	-append "console=ttyS0 panic=-1 rdinit=/init quiet loglevel=4" \
	</dev/null >"$OUT/console.log" 2>&1 || true
stamp guest
cat "$OUT/times"
grep -q 'LPGUEST done' "$OUT/console.log" || {
	echo "guest: the guest did not reach its summary:" >&2
	tail -40 "$OUT/console.log" >&2
	exit 1
}
if grep -E 'Oops|BUG:|Kernel panic' "$OUT/console.log" >&2; then
	echo "guest: the kernel complained (lines above)" >&2
	exit 1
fi
exit 0
