#!/bin/bash
# The platform's image for the real node: the same content as the Dockerfile at the
# repository root builds, from what is on this machine (no registry is reachable): the
# storefleet release binary (STOREFLEET_IMAGE_BINARY, stripped here), the C libraries it
# links against, testenv's helm (static, built from Go modules), CA certificates, and a
# non-root user. No shell, no package manager.
# Run by testenv/images/build as root: customize.sh ROOTFS (an empty directory)
set -euo pipefail
root=$1
bin="${STOREFLEET_IMAGE_BINARY:?set STOREFLEET_IMAGE_BINARY to a storefleet release binary}"
helm="${STOREFLEET_TESTENV_BIN_DIR:?}/helm"
[ -x "$bin" ] || { echo "customize: $bin is not an executable" >&2; exit 1; }
[ -x "$helm" ] || { echo "customize: $helm is missing (testenv/lib/build.sh builds it)" >&2; exit 1; }
install -d "$root/usr/local/bin" "$root/etc/ssl/certs" "$root/tmp" "$root/var/lib/storefleet"
# What a release build for shipping is (Cargo profile `dist`): no debug information.
strip --strip-all -o "$root/usr/local/bin/storefleet" "$bin"
chmod 0755 "$root/usr/local/bin/storefleet"
install -m 0755 "$helm" "$root/usr/local/bin/helm"
# The dynamic loader and every library the binary needs, at the paths it asks for.
ldd "$bin" | awk '/=> \//{print $3} /^[[:space:]]*\/lib/{print $1}' | sort -u | while read -r lib; do
	install -D -m 0644 "$(readlink -f "$lib")" "$root$lib"
done
chmod 0755 "$root"/lib64/ld-linux-* 2>/dev/null || true
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	install -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
fi
chmod 1777 "$root/tmp"
chown 65532:65532 "$root/var/lib/storefleet"
chmod 0700 "$root/var/lib/storefleet"
printf 'root:x:0:0:root:/:/sbin/nologin\nstorefleet:x:65532:65532:storefleet:/var/lib/storefleet:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nstorefleet:x:65532:\n' > "$root/etc/group"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
