#!/usr/bin/env bash
# The newest Debian cloud kernel and its DWARF, cached by version:
#   fetch.sh  ->  prints the cache directory holding vmlinuz, veth.ko, vmlinux
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
if [ -s "$dir/vmlinux" ] && [ -s "$dir/vmlinuz" ] && [ -s "$dir/veth.ko" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$dir/dl"
cd "$dir/dl"
img=linux-image-$ver-cloud-amd64
if ! ls "$img"_*.deb >/dev/null 2>&1; then
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
rm -rf x && mkdir x
dpkg-deb -x "$deb" x
cp x/boot/vmlinuz-* "$dir/vmlinuz"
veth=$(find x -name 'veth.ko*' | head -1)
case "$veth" in
*.xz) xz -dc "$veth" >"$dir/veth.ko" ;;
*.zst) zstd -dcq "$veth" >"$dir/veth.ko" ;;
*) cp "$veth" "$dir/veth.ko" ;;
esac
rm -rf x
# Only the DWARF vmlinux: --occurrence=1 stops reading at the first match.
# (tar closing the pipe early makes dpkg-deb fail: the size is the check)
dpkg-deb --fsys-tarfile "$dbg" 2>/dev/null |
	tar -x -O --occurrence=1 --wildcards './usr/lib/debug/boot/vmlinux-*' >"$dir/vmlinux.tmp" || true
[ -s "$dir/vmlinux.tmp" ] || { echo "fetch: no vmlinux in $dbg" >&2; exit 1; }
mv "$dir/vmlinux.tmp" "$dir/vmlinux"
rm -rf "$dir/dl"
echo "$dir"
