#!/bin/bash
# Turns a debootstrap'd bookworm root filesystem with Apache and PHP 8.2 into the
# wordpress image: WordPress (and WooCommerce) in /usr/src/wordpress, wp-config-docker.php,
# apache2-foreground and docker-entrypoint.sh in /usr/local/bin, Apache on 8080 as a
# non-root user with nothing writable needed outside /tmp and /var/www/html, PHP reading
# /usr/local/etc/php/conf.d as the official image does.
# Run by testenv/images/build as root: customize.sh ROOTFS
# Sources: STOREFLEET_TESTENV_WORDPRESS_DIR (else Debian's wordpress package) and
# STOREFLEET_TESTENV_WOOCOMMERCE_DIR (optional).
set -euo pipefail

root=$1
files="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/files"
wp_dir=${STOREFLEET_TESTENV_WORDPRESS_DIR:-}
wc_dir=${STOREFLEET_TESTENV_WOOCOMMERCE_DIR:-}
in_root() { chroot "$root" "$@"; }

# --- Apache: prefork + mod_php + rewrite, no status page, no log files.
in_root a2dismod -q -f mpm_event status >/dev/null || true
in_root a2enmod -q mpm_prefork php8.2 rewrite >/dev/null
in_root a2disconf -q other-vhosts-access-log >/dev/null || true
install -m 0644 "$files/storefleet-wordpress.conf" "$root/etc/apache2/conf-available/storefleet-wordpress.conf"
in_root a2enconf -q storefleet-wordpress >/dev/null
install -m 0644 "$files/ports.conf" "$root/etc/apache2/ports.conf"
install -m 0644 "$files/000-default.conf" "$root/etc/apache2/sites-available/000-default.conf"
ln -sfn ../sites-available/000-default.conf "$root/etc/apache2/sites-enabled/000-default.conf"
cat >>"$root/etc/apache2/envvars" <<'ENVVARS'

## Storefleet testenv image: PHP also reads the official image's ini directory, where the
## chart mounts zz-storefleet.ini (a leading ':' keeps PHP's own conf.d first).
export PHP_INI_SCAN_DIR="${PHP_INI_SCAN_DIR:-:/usr/local/etc/php/conf.d}"
ENVVARS
# Logs to the container's output.
rm -rf "$root/var/log/apache2"
install -d -m 0755 "$root/var/log/apache2"
ln -s /dev/stderr "$root/var/log/apache2/error.log"
ln -s /dev/stdout "$root/var/log/apache2/access.log"
ln -s /dev/stdout "$root/var/log/apache2/other_vhosts_access.log"
# /var/run and /var/lock are absolute symlinks (to /run, /run/lock) inside the image: name
# the real directories, or the host's own would be removed.
rm -rf "$root/run/apache2" "$root/run/lock/apache2" "$root/var/cache/apache2/mod_cache_disk"

# --- PHP: the official image's ini directory (mounted into by the chart).
install -d -m 0755 "$root/usr/local/etc/php/conf.d"

# --- Scripts.
install -m 0755 "$files/apache2-foreground" "$root/usr/local/bin/apache2-foreground"
install -m 0755 "$files/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"

# --- WordPress in /usr/src/wordpress, a plain tree owned by root, readable by all.
src="$root/usr/src/wordpress"
rm -rf "$src"
mkdir -p "$src"
if [ -n "$wp_dir" ]; then
	cp -R "$wp_dir/." "$src/"
else
	# Debian's tree is spread over /usr/share/wordpress, /etc/wordpress and
	# /var/lib/wordpress by symlinks: copy it with every link resolved (inside the image).
	in_root cp -RL /usr/share/wordpress/. /usr/src/wordpress/
	theme=/usr/share/wordpress/wp-content/themes/twentytwentythree
	if [ ! -d "$src/wp-content/themes/twentytwentythree" ] && [ -d "$root$theme" ]; then
		in_root cp -RL "$theme" /usr/src/wordpress/wp-content/themes/
	fi
fi
# The chart's init container installs wp-config-docker.php as wp-config.php.
rm -f "$src/wp-config.php"
install -m 0644 "$files/wp-config-docker.php" "$src/wp-config-docker.php"
if [ -n "$wc_dir" ]; then
	[ -f "$wc_dir/woocommerce.php" ] || { echo "customize: $wc_dir has no woocommerce.php" >&2; exit 1; }
	rm -rf "$src/wp-content/plugins/woocommerce"
	mkdir -p "$src/wp-content/plugins"
	cp -R "$wc_dir" "$src/wp-content/plugins/woocommerce"
fi
[ -f "$src/wp-includes/version.php" ] || { echo "customize: no WordPress in /usr/src/wordpress" >&2; exit 1; }
chown -R 0:0 "$src"
chmod -R u+rwX,go+rX,go-w "$src"

# --- The docroot: an empty mount point owned by www-data.
rm -rf "$root/var/www/html"
install -d -o 33 -g 33 -m 0755 "$root/var/www/html"

# --- Checks: the PHP extensions WordPress/WooCommerce need, and Apache's configuration.
for ext in mysqli gd curl mbstring xml zip intl bcmath; do
	in_root php -r "exit(extension_loaded('$ext') ? 0 : 1);" ||
		{ echo "customize: PHP extension $ext is missing" >&2; exit 1; }
done
in_root env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin bash -c \
	'. /etc/apache2/envvars && APACHE_LOCK_DIR=/tmp APACHE_RUN_DIR=/tmp apache2 -t -C "ServerName localhost"' >&2
