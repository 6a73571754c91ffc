#!/bin/bash
# Turns a debootstrap'd bookworm root filesystem with mariadb-server into the mariadb image:
# mysql is uid/gid 999, the data directory is empty, the configuration needs nothing
# writable outside /var/lib/mysql, /run/mysqld and /tmp, and logs go to stderr.
# Run by testenv/images/build as root: customize.sh ROOTFS
set -euo pipefail

root=$1
files="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/files"

# mysql as 999:999, the official image's ids (the chart's runAsUser and fsGroup).
old_uid=$(chroot "$root" id -u mysql)
old_gid=$(chroot "$root" id -g mysql)
if [ "$old_uid" != 999 ] || [ "$old_gid" != 999 ]; then
	if chroot "$root" getent passwd 999 >/dev/null || chroot "$root" getent group 999 >/dev/null; then
		echo "customize: uid or gid 999 is taken in the image" >&2
		exit 1
	fi
	chroot "$root" groupmod -g 999 mysql
	chroot "$root" usermod -u 999 -g 999 mysql
	find "$root" -xdev \( -uid "$old_uid" -o -gid "$old_gid" \) -print0 |
		while IFS= read -r -d '' path; do
			uid=$(stat -c %u "$path")
			gid=$(stat -c %g "$path")
			[ "$uid" = "$old_uid" ] && uid=999
			[ "$gid" = "$old_gid" ] && gid=999
			chown -h "$uid:$gid" "$path"
		done
fi

# Debian's postinst initialised a data directory; the image's must be empty (the pod
# mounts its PersistentVolumeClaim there and the entrypoint initialises it).
rm -rf "${root:?}/var/lib/mysql" "$root/var/log/mysql" "$root/run/mysqld"
install -d -o 999 -g 999 -m 0755 "$root/var/lib/mysql" "$root/run/mysqld"

# Configuration: Debian's settings first, then /etc/mysql/conf.d, where the chart mounts
# storefleet.cnf, so the chart has the last word (Debian reads conf.d first).
rm -f "$root/etc/mysql/my.cnf" "$root/etc/mysql/mariadb.conf.d/50-mysqld_safe.cnf" \
	"$root/etc/mysql/mariadb.conf.d/60-galera.cnf"
install -m 0644 "$files/my.cnf" "$root/etc/mysql/my.cnf"
install -m 0644 "$files/my.cnf" "$root/etc/mysql/mariadb.cnf"
install -m 0644 "$files/50-server.cnf" "$root/etc/mysql/mariadb.conf.d/50-server.cnf"
install -d -m 0755 "$root/etc/mysql/conf.d"

install -m 0755 "$files/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
install -m 0755 "$files/healthcheck.sh" "$root/usr/local/bin/healthcheck.sh"

# Nothing starts services in a container.
rm -f "$root/etc/init.d/mariadb" "$root/etc/rc"?.d/*mariadb
