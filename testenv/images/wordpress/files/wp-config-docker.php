<?php
/**
 * wp-config.php of the Storefleet testenv wordpress image: every setting comes from the
 * environment (the same WORDPRESS_* variables the official image reads), so one file
 * serves every store. Copied to /var/www/html/wp-config.php by the chart's init container.
 *
 *   WORDPRESS_DB_HOST, _DB_NAME, _DB_USER, _DB_PASSWORD     database connection
 *   WORDPRESS_DB_CHARSET, WORDPRESS_DB_COLLATE              optional (utf8mb4, "")
 *   WORDPRESS_AUTH_KEY ... WORDPRESS_NONCE_SALT             the eight keys and salts
 *   WORDPRESS_TABLE_PREFIX                                  table prefix (wp_)
 *   WORDPRESS_DEBUG                                         WP_DEBUG when 1/true/yes/on
 *   WORDPRESS_CONFIG_EXTRA                                  PHP code, run before wp-settings.php
 */

$storefleet_env = static function ($name, $default = '') {
	$value = getenv($name);
	return ($value === false || $value === '') ? $default : $value;
};

define('DB_NAME', $storefleet_env('WORDPRESS_DB_NAME', 'wordpress'));
define('DB_USER', $storefleet_env('WORDPRESS_DB_USER', 'wordpress'));
define('DB_PASSWORD', $storefleet_env('WORDPRESS_DB_PASSWORD'));
define('DB_HOST', $storefleet_env('WORDPRESS_DB_HOST', 'localhost'));
define('DB_CHARSET', $storefleet_env('WORDPRESS_DB_CHARSET', 'utf8mb4'));
define('DB_COLLATE', $storefleet_env('WORDPRESS_DB_COLLATE'));

// Without a key in the environment WordPress keeps using its placeholder, and then
// generates and stores a random one in the database itself (see wp_salt()).
foreach (array('AUTH_KEY', 'SECURE_AUTH_KEY', 'LOGGED_IN_KEY', 'NONCE_KEY',
	'AUTH_SALT', 'SECURE_AUTH_SALT', 'LOGGED_IN_SALT', 'NONCE_SALT') as $storefleet_key) {
	define($storefleet_key, $storefleet_env('WORDPRESS_' . $storefleet_key, 'put your unique phrase here'));
}
unset($storefleet_key);

$table_prefix = $storefleet_env('WORDPRESS_TABLE_PREFIX', 'wp_');

define('WP_DEBUG', in_array(strtolower($storefleet_env('WORDPRESS_DEBUG')), array('1', 'true', 'yes', 'on'), true));

// TLS ends at the ingress: trust its X-Forwarded-Proto so WordPress builds https URLs.
if (isset($_SERVER['HTTP_X_FORWARDED_PROTO'])
	&& strpos(strtolower($_SERVER['HTTP_X_FORWARDED_PROTO']), 'https') !== false) {
	$_SERVER['HTTPS'] = 'on';
}

$storefleet_extra = $storefleet_env('WORDPRESS_CONFIG_EXTRA');
unset($storefleet_env);
if ($storefleet_extra !== '') {
	eval($storefleet_extra);
}
unset($storefleet_extra);

if (!defined('ABSPATH')) {
	define('ABSPATH', __DIR__ . '/');
}

require_once ABSPATH . 'wp-settings.php';
