#!/bin/bash
# Turns a debootstrap'd bookworm root filesystem with redis-server into the redis image:
# redis is uid/gid 999 as in the official image, /data is its working directory, and
# nothing writable is needed outside /data and /tmp.
# Run by testenv/images/build as root: customize.sh ROOTFS
set -euo pipefail

root=$1
files="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/files"

old_uid=$(chroot "$root" id -u redis)
old_gid=$(chroot "$root" id -g redis)
if [ "$old_uid" != 999 ] || [ "$old_gid" != 999 ]; then
	if chroot "$root" getent passwd 999 >/dev/null || chroot "$root" getent group 999 >/dev/null; then
		echo "customize: uid or gid 999 is taken in the image" >&2
		exit 1
	fi
	chroot "$root" groupmod -g 999 redis
	chroot "$root" usermod -u 999 -g 999 redis
	find "$root" -xdev \( -uid "$old_uid" -o -gid "$old_gid" \) -print0 |
		while IFS= read -r -d '' path; do
			uid=$(stat -c %u "$path")
			gid=$(stat -c %g "$path")
			[ "$uid" = "$old_uid" ] && uid=999
			[ "$gid" = "$old_gid" ] && gid=999
			chown -h "$uid:$gid" "$path"
		done
fi

# Debian's data directory and logs are not used: the server runs in /data with no
# configuration file (or the chart's), logging to stdout.
rm -rf "${root:?}/var/lib/redis" "$root/var/log/redis" "$root/run/redis"
install -d -o 999 -g 999 -m 0755 "$root/data"
install -m 0755 "$files/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"

rm -f "$root/etc/init.d/redis-server" "$root/etc/rc"?.d/*redis-server

for bin in redis-server redis-cli; do
	[ -x "$root/usr/bin/$bin" ] || { echo "customize: no /usr/bin/$bin" >&2; exit 1; }
done
