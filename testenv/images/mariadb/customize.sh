#!/bin/bash
# Turns a debootstrap'd bookworm root filesystem with mariadb-server into the mariadb image:
# mysql is uid/gid 999, the data directory is empty, the configuration needs nothing
# writable outside /var/lib/mysql, /run/mysqld and /tmp, and logs go to stderr.
# Run by testenv/images/build as root: customize.sh ROOTFS
set -euo pipefail

root=$1
files="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/files"

# shellcheck source=../lib/users.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/users.sh"
give_ids "$root" mysql 999

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
