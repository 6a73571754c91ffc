#!/bin/bash
# A tiny utility image: Debian's busybox-static, for the local-path provisioner's helper
# pods (mkdir, rm) and network probes in tests (nc, wget).
# Run by testenv/images/build as root: customize.sh ROOTFS (an empty directory)
set -euo pipefail
root=$1
debs="${STOREFLEET_IMAGE_CACHE:?}/debs"
mkdir -p "$debs"
deb=$(find "$debs" -maxdepth 1 -name 'busybox-static_*.deb' | sort | tail -n 1)
if [ -z "$deb" ]; then
	(cd "$debs" && apt-get download busybox-static >/dev/null 2>&1) ||
		{ apt-get update -qq && (cd "$debs" && apt-get download busybox-static >/dev/null); }
	deb=$(find "$debs" -maxdepth 1 -name 'busybox-static_*.deb' | sort | tail -n 1)
fi
[ -n "$deb" ] || { echo "customize: could not download busybox-static" >&2; exit 1; }
unpacked=$(mktemp -d)
dpkg-deb -x "$deb" "$unpacked"
install -d "$root/bin" "$root/tmp" "$root/etc"
install -m 0755 "$unpacked/bin/busybox" "$root/bin/busybox"
rm -rf "$unpacked"
for applet in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$root/etc/group"
