#!/bin/bash
# Turns a debootstrap'd bookworm root filesystem with redis-server into the redis image:
# redis is uid/gid 999 as in the official image, /data is its working directory, and
# nothing writable is needed outside /data and /tmp.
# Run by testenv/images/build as root: customize.sh ROOTFS
set -euo pipefail

root=$1
files="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/files"

# shellcheck source=../lib/users.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/users.sh"
give_ids "$root" redis 999

# Debian's data directory and logs are not used: the server runs in /data with no
# configuration file (or the chart's), logging to stdout.
rm -rf "${root:?}/var/lib/redis" "$root/var/log/redis" "$root/run/redis"
install -d -o 999 -g 999 -m 0755 "$root/data"
install -m 0755 "$files/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"

rm -f "$root/etc/init.d/redis-server" "$root/etc/rc"?.d/*redis-server

for bin in redis-server redis-cli; do
	[ -x "$root/usr/bin/$bin" ] || { echo "customize: no /usr/bin/$bin" >&2; exit 1; }
done
