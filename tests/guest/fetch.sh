#!/usr/bin/env bash
# The newest Debian cloud kernel and its DWARF, cached by version:
#   fetch.sh  ->  prints the cache directory holding vmlinuz, veth.ko, vmlinux,
#   and dbg/usr/lib/debug/lib/modules/<release>/kernel/drivers/net/veth.ko
#   (veth's debuginfo where Debian's -dbg package puts it)
#   (LP_GUEST_KERNEL=6.1: the newest 6.1 kernel instead of the newest of all)
# Old versions leave the archive, so the version is picked at run time.
set -euo pipefail
CACHE=${LP_GUEST_CACHE:-/var/cache/luaprobe-guest}
mkdir -p "$CACHE"

# The newest "linux-image-<ver>-cloud-amd64-dbg" the archive lists (its
# image package has the same name without -dbg, signed or -unsigned).
# LP_GUEST_KERNEL=6.1 picks the newest of that series instead.
newest() {
	apt-cache search --names-only '^linux-image-[0-9].*-cloud-amd64-dbg$' |
		sed -n 's/^linux-image-\(.*\)-cloud-amd64-dbg .*/\1/p' |
		grep -E "^${LP_GUEST_KERNEL:+$LP_GUEST_KERNEL[.-]}" | sort -V | tail -1 || true
}
ver=$(newest)
# a version the lists name may have left the mirror: lists older than a day
# are read again first
if [ -z "$ver" ] || [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
	apt-get update -qq >&2 || true
	ver=$(newest)
fi
dir=$CACHE/$ver
base=
[ -s "$dir/vmlinux" ] && [ -s "$dir/vmlinuz" ] && [ -s "$dir/veth.ko" ] && [ -d "$dir/fs" ] && base=1
vethdbg=$(find "$dir/dbg" -name veth.ko -size +0 2>/dev/null | head -1 || true)
if [ -n "$base" ] && [ -n "$vethdbg" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$dir/dl"
cd "$dir/dl"
img=linux-image-$ver-cloud-amd64
if [ -z "$base" ] && ! ls "$img"_*.deb >/dev/null 2>&1; then
	apt-get download -q "$img" >&2 2>/dev/null || apt-get download -q "$img-unsigned" >&2
fi
ls linux-image-"$ver"-cloud-amd64-dbg_*.deb >/dev/null 2>&1 || apt-get download -q "$img-dbg" >&2
deb= dbg=
for f in *.deb; do
	case "$f" in
	*-dbg_*) dbg=$f ;;
	*) deb=$f ;;
	esac
done
# A cache made before veth's debuginfo was kept: only that is added.
if [ -n "$base" ]; then
	rm -rf "$dir/dbg" && mkdir -p "$dir/dbg"
	dpkg-deb --fsys-tarfile "$dbg" 2>/dev/null | tar -x -C "$dir/dbg" --occurrence=1 \
		--wildcards './usr/lib/debug/lib/modules/*/kernel/drivers/net/veth.ko' || true
	[ -n "$(find "$dir/dbg" -name veth.ko -size +0)" ] || { echo "fetch: no veth.ko in $dbg" >&2; exit 1; }
	rm -rf "$dir/dl"
	echo "$dir"
	exit 0
fi
rm -rf x && mkdir x
dpkg-deb -x "$deb" x
cp x/boot/vmlinuz-* "$dir/vmlinuz"
unpack() { # MODULE.ko[.xz|.zst] OUT
	case "$1" in
	*.xz) xz -dc "$1" >"$2" ;;
	*.zst) zstd -dcq "$1" >"$2" ;;
	*) cp "$1" "$2" ;;
	esac
}
unpack "$(find x -name 'veth.ko*' | head -1)" "$dir/veth.ko"
# virtiofs is built in on 6.12, a module on 6.1 (with fuse, virtio...):
# fs/ holds it and the modules its .modinfo "depends=" names, recursively,
# and fs/order the order to load them in (dependencies first). No depmod
# here: the package has no modules.dep, it is made at install.
rm -rf "$dir/fs" && mkdir -p "$dir/fs"
: >"$dir/fs/order"
need() { # MODULE-NAME
	local f d
	grep -qx "$1" "$dir/fs/order" && return 0
	f=$(find x -name "$1.ko*" -o -name "$(echo "$1" | tr _ -).ko*" | head -1)
	[ -n "$f" ] || return 0 # built in
	unpack "$f" "$dir/fs/$1.ko"
	for d in $(strings "$dir/fs/$1.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
		need "$d"
	done
	echo "$1" >>"$dir/fs/order"
}
need virtiofs
# and the PCI transport the device sits on, where it is a module too
need virtio_pci
rm -rf x
# Only the DWARF vmlinux and veth's: --occurrence=1 stops reading once both
# are found (~25 s: veth.ko comes after the vmlinux and half the modules;
# the vmlinux alone took 3-6 s). (tar closing the pipe early makes dpkg-deb
# fail: the sizes are the check)
rm -rf "$dir/dbg" x && mkdir -p "$dir/dbg"
dpkg-deb --fsys-tarfile "$dbg" 2>/dev/null | tar -x -C "$dir/dbg" --occurrence=1 --wildcards \
	'./usr/lib/debug/boot/vmlinux-*' './usr/lib/debug/lib/modules/*/kernel/drivers/net/veth.ko' || true
vm=$(find "$dir/dbg/usr/lib/debug/boot" -name 'vmlinux-*' -size +0 2>/dev/null | head -1 || true)
[ -n "$vm" ] || { echo "fetch: no vmlinux in $dbg" >&2; exit 1; }
[ -n "$(find "$dir/dbg" -name veth.ko -size +0)" ] || { echo "fetch: no veth.ko in $dbg" >&2; exit 1; }
mv "$vm" "$dir/vmlinux"
rm -rf "$dir/dbg/usr/lib/debug/boot"
rm -rf "$dir/dl"
echo "$dir"
