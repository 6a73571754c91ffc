<?php
/*
 * Plugin Name: Storefleet one-click login
 * Description: Signs the store administrator in with a short-lived, single-use link issued by the Storefleet platform ("Open WP Admin"). Installed by the woocommerce-store chart as a must-use plugin.
 *
 * A link is /wp-login.php?storefleet_login=<payload>.<signature>, both unpadded base64url.
 * The payload is JSON {"v":1,"u":<login>,"exp":<unix seconds>,"n":<nonce>}; the signature
 * is HMAC-SHA256 under the store's key (STOREFLEET_LOGIN_KEY, from the credentials Secret)
 * over "storefleet-login.v1." followed by the encoded payload (see src/domain/login.rs).
 * A link is accepted once, until it expires (at most 60 s after it was issued): its nonce
 * is recorded with an INSERT that the options table's unique key makes atomic, and
 * recorded nonces are removed once expired. Anything invalid gets a plain 403 page that
 * says nothing about why.
 */

if (!defined('ABSPATH')) {
    exit;
}

const STOREFLEET_LOGIN_CONTEXT = 'storefleet-login.v1.';
const STOREFLEET_LOGIN_MAX_TTL = 60;
const STOREFLEET_LOGIN_NONCE_PREFIX = 'storefleet_login_nonce_';

function storefleet_login_b64decode(string $s): ?string
{
    if ($s === '' || preg_match('/^[A-Za-z0-9_-]+$/', $s) !== 1) {
        return null;
    }
    $decoded = base64_decode(strtr($s, '-_', '+/') . str_repeat('=', (4 - strlen($s) % 4) % 4), true);
    return $decoded === false ? null : $decoded;
}

/* The login name a valid token names, or null (why is never told to the client). */
function storefleet_login_verify(string $token): ?array
{
    $key = (string) getenv('STOREFLEET_LOGIN_KEY');
    if (strlen($key) < 32 || strlen($token) > 1024) {
        return null;
    }
    $parts = explode('.', $token);
    if (count($parts) !== 2) {
        return null;
    }
    [$encoded, $signature] = $parts;
    $given = storefleet_login_b64decode($signature);
    if ($given === null) {
        return null;
    }
    $expected = hash_hmac('sha256', STOREFLEET_LOGIN_CONTEXT . $encoded, $key, true);
    if (!hash_equals($expected, $given)) {
        return null;
    }
    $json = storefleet_login_b64decode($encoded);
    $payload = $json === null ? null : json_decode($json, true);
    if (!is_array($payload) || ($payload['v'] ?? null) !== 1 || !is_string($payload['u'] ?? null)
        || !is_int($payload['exp'] ?? null) || !is_string($payload['n'] ?? null)
        || preg_match('/^[A-Za-z0-9]{16,64}$/', $payload['n']) !== 1) {
        return null;
    }
    $now = time();
    if ($payload['exp'] < $now || $payload['exp'] - $now > STOREFLEET_LOGIN_MAX_TTL) {
        return null;
    }
    return $payload;
}

/* Records the nonce until the token expires; false when it was recorded before. */
function storefleet_login_use_nonce(string $nonce, int $exp): bool
{
    global $wpdb;
    // Forget nonces whose tokens have expired (they can no longer be replayed anyway).
    $wpdb->query($wpdb->prepare(
        "DELETE FROM {$wpdb->options} WHERE option_name LIKE %s AND CAST(option_value AS UNSIGNED) < %d",
        $wpdb->esc_like(STOREFLEET_LOGIN_NONCE_PREFIX) . '%',
        time()
    ));
    $inserted = $wpdb->query($wpdb->prepare(
        "INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, 'no')",
        STOREFLEET_LOGIN_NONCE_PREFIX . $nonce,
        (string) $exp
    ));
    return $inserted === 1;
}

function storefleet_login_refuse(): never
{
    status_header(403);
    nocache_headers();
    header('Content-Type: text/html; charset=utf-8');
    header('Referrer-Policy: no-referrer');
    echo '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">'
        . '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Login link not accepted</title></head>'
        . '<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto; padding: 0 1em">'
        . '<h1>This login link is not valid</h1>'
        . '<p>Login links work once and only for a minute. Open WP Admin again from the Storefleet dashboard to get a new one.</p>'
        . '</body></html>';
    exit;
}

function storefleet_login_handle(): void
{
    if (!isset($_GET['storefleet_login'])) {
        return;
    }
    $token = is_string($_GET['storefleet_login']) ? $_GET['storefleet_login'] : '';
    $payload = storefleet_login_verify($token);
    if ($payload === null || !storefleet_login_use_nonce($payload['n'], $payload['exp'])) {
        storefleet_login_refuse();
    }
    $user = get_user_by('login', $payload['u']);
    if (!$user || !user_can($user, 'manage_options')) {
        storefleet_login_refuse();
    }
    wp_clear_auth_cookie();
    wp_set_current_user($user->ID);
    wp_set_auth_cookie($user->ID, false, is_ssl());
    do_action('wp_login', $user->user_login, $user);
    nocache_headers();
    header('Referrer-Policy: no-referrer');
    wp_safe_redirect(admin_url());
    exit;
}

add_action('login_init', 'storefleet_login_handle', 0);
