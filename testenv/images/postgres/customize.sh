#!/bin/bash
# Turns a debootstrap'd bookworm root filesystem with postgresql-15 into the postgres image:
# postgres is uid/gid 999 as in the official image, no cluster is created at build time
# (the entrypoint initialises PGDATA), the server binaries are in PATH, and nothing
# writable is needed outside PGDATA, /var/run/postgresql and /tmp.
# Run by testenv/images/build as root: customize.sh ROOTFS
set -euo pipefail

root=$1
files="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/files"

# shellcheck source=../lib/users.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/users.sh"
give_ids "$root" postgres 999

# Debian's postinst may have created a "main" cluster: the image has none.
rm -rf "${root:?}/var/lib/postgresql/15" "$root/etc/postgresql/15" "$root/var/log/postgresql"
install -d -o 999 -g 999 -m 0755 "$root/var/lib/postgresql"
install -d -o 999 -g 999 -m 0700 "$root/var/lib/postgresql/data"
# /var/run is a symlink to /run (absolute: never follow it from the host).
install -d -o 999 -g 999 -m 3777 "$root/run/postgresql"
install -d -m 0755 "$root/docker-entrypoint-initdb.d"

install -m 0755 "$files/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"

# No JIT: PostgreSQL runs without it when the llvmjit plugin is absent, and LLVM (with z3,
# which only LLVM uses) is a third of the image.
rm -rf "$root/usr/lib/postgresql/15/lib/llvmjit.so" "$root/usr/lib/postgresql/15/lib/llvmjit_types.bc" \
	"$root/usr/lib/postgresql/15/lib/bitcode"
rm -f "$root"/usr/lib/x86_64-linux-gnu/libLLVM-14.so* "$root"/usr/lib/x86_64-linux-gnu/libz3.so*

# Nothing starts services in a container.
rm -f "$root/etc/init.d/postgresql" "$root/etc/rc"?.d/*postgresql

# Checks: the binaries the chart's probes and the entrypoint use.
for bin in postgres initdb pg_ctl pg_isready psql; do
	[ -x "$root/usr/lib/postgresql/15/bin/$bin" ] || { echo "customize: no $bin in /usr/lib/postgresql/15/bin" >&2; exit 1; }
	if chroot "$root" ldd "/usr/lib/postgresql/15/bin/$bin" | grep -q 'not found'; then
		echo "customize: $bin misses a library" >&2
		exit 1
	fi
done
