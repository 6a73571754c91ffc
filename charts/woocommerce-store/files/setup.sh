#!/bin/sh
# Storefleet store setup, run by the chart's setup Job (wp-cli image) after the init
# container copied WordPress into /var/www/html. Brings the store to what its values
# describe; every step checks before it changes anything, so running it again on a set-up
# store changes nothing and succeeds. Secrets come from the environment, never argv.
set -eu

SCRIPTS=${STOREFLEET_SCRIPTS:-/opt/storefleet/setup}
DOCROOT=${WORDPRESS_DOCROOT:-/var/www/html}

log() { printf '%s [setup] %s\n' "$(date -u '+%Y-%m-%dT%H:%M:%SZ')" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }
wp() { command wp --path="$DOCROOT" --no-color "$@"; }

for var in STOREFLEET_URL STORE_TITLE STORE_ADMIN_USER STORE_ADMIN_EMAIL \
	WORDPRESS_ADMIN_PASSWORD WOOCOMMERCE_SOURCE; do
	eval "value=\${$var:-}"
	[ -n "$value" ] || die "environment variable $var is empty"
done

log "store $STOREFLEET_URL (revision ${STOREFLEET_RELEASE_REVISION:-?}, checksum ${STOREFLEET_SETUP_CHECKSUM:-?})"

log "waiting for the database"
php "$SCRIPTS/wait.php" database || die "the database did not accept queries in time"
if [ "${SETUP_WAIT_FOR_WORDPRESS:-true}" = "true" ]; then
	log "waiting for WordPress"
	php "$SCRIPTS/wait.php" wordpress || die "WordPress did not answer in time"
fi

# 1. WordPress itself. The install gets a throwaway admin password; configure.php sets
#    the real one from the Secret (through the environment, not argv).
if wp core is-installed >/dev/null 2>&1; then
	log "WordPress is installed"
else
	log "installing WordPress"
	throwaway=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	wp core install --url="$STOREFLEET_URL" --title="$STORE_TITLE" \
		--admin_user="$STORE_ADMIN_USER" --admin_email="$STORE_ADMIN_EMAIL" \
		--admin_password="$throwaway" --skip-email
	unset throwaway
fi

# 2. WooCommerce: downloaded from wordpress.org, or already in the image.
case "$WOOCOMMERCE_SOURCE" in
wordpress.org)
	current=$(wp plugin get woocommerce --field=version 2>/dev/null || true)
	if [ -z "$current" ]; then
		log "installing WooCommerce ${WOOCOMMERCE_VERSION} from wordpress.org"
		wp plugin install woocommerce --version="$WOOCOMMERCE_VERSION"
	elif php -r 'exit(version_compare($argv[1], $argv[2], ">") ? 0 : 1);' "$WOOCOMMERCE_VERSION" "$current"; then
		log "upgrading WooCommerce $current to ${WOOCOMMERCE_VERSION}"
		wp plugin install woocommerce --version="$WOOCOMMERCE_VERSION" --force
	else
		log "WooCommerce $current is installed"
	fi
	;;
image)
	wp plugin is-installed woocommerce ||
		die "woocommerce.source=image, but the WordPress image has no wp-content/plugins/woocommerce"
	log "WooCommerce $(wp plugin get woocommerce --field=version) comes with the image"
	;;
*)
	die "woocommerce.source must be wordpress.org or image, not '$WOOCOMMERCE_SOURCE'"
	;;
esac

if wp plugin is-active woocommerce; then
	log "WooCommerce is active"
else
	log "activating WooCommerce"
	wp plugin activate woocommerce
fi

# Pending WooCommerce database migrations (a no-op when there are none).
wp wc update

# 3. Store settings, pages, payment, shipping, sample products and the completion marker.
wp eval-file "$SCRIPTS/configure.php"

log "setup complete"
