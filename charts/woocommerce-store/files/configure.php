<?php
/*
 * Storefleet store configuration, required by setup.php (step "configure") in a PHP
 * process that loaded WordPress with WooCommerce active. Every step reads before it
 * writes, so a second run on a configured store writes nothing. setup.php's next step
 * ("finish") regenerates the rewrite rules in a fresh process and records the completion
 * marker (option storefleet_setup_complete). storefleet_env(), storefleet_log() and
 * storefleet_fail() come from setup.php.
 */

if (!defined('STOREFLEET_SETUP') || !defined('ABSPATH')) {
    exit(1);
}
if (!class_exists('WooCommerce') || !function_exists('WC')) {
    storefleet_fail('WooCommerce is not loaded: it must be installed and active before configure.php runs');
}

/* Writes an option only when it differs; reports what changed. */
function storefleet_option(string $name, $value): void
{
    if (get_option($name) !== $value) {
        update_option($name, $value);
        storefleet_log("set option $name");
    }
}

$already_complete = (bool) get_option('storefleet_setup_complete');

/* Administrator password: from the Secret until setup has completed once; after that it
   belongs to the store owner and is set again only when the Secret's password changed (a
   credential rotation: STOREFLEET_ADMIN_PASSWORD_CHECKSUM, a one-way fingerprint of it,
   differs from the one applied last). A store set up before fingerprints were recorded
   adopts the current one without touching the password. */
$password_checksum = (string) getenv('STOREFLEET_ADMIN_PASSWORD_CHECKSUM');
$applied_checksum = get_option('storefleet_admin_password_checksum');
$rotated = $already_complete && $password_checksum !== '' && $applied_checksum !== false
    && $applied_checksum !== $password_checksum;
if (!$already_complete || $rotated) {
    $login = storefleet_env('STORE_ADMIN_USER');
    $user = get_user_by('login', $login);
    if (!$user) {
        storefleet_fail("administrator '$login' does not exist");
    }
    $password = storefleet_env('WORDPRESS_ADMIN_PASSWORD');
    if (!wp_check_password($password, $user->user_pass, $user->ID)) {
        wp_set_password($password, $user->ID);
        storefleet_log("set the password of '$login' from the credentials Secret" . ($rotated ? ' (rotated)' : ''));
    }
}
if ($password_checksum !== '' && $applied_checksum !== $password_checksum) {
    update_option('storefleet_admin_password_checksum', $password_checksum, false);
    storefleet_log('recorded the admin password fingerprint');
}

/* Site address (wp-config.php pins it too, through WP_HOME / WP_SITEURL). */
$url = storefleet_env('STOREFLEET_URL');
storefleet_option('home', $url);
storefleet_option('siteurl', $url);

/* Pretty permalinks. */
$structure = '/%postname%/';
if (get_option('permalink_structure') !== $structure) {
    global $wp_rewrite;
    $wp_rewrite->set_permalink_structure($structure);
    flush_rewrite_rules(false);
    storefleet_log("permalinks set to $structure");
}

/* Currency, country, and the store open to everyone (coming-soon mode off). */
storefleet_option('woocommerce_currency', storefleet_env('WOOCOMMERCE_CURRENCY'));
storefleet_option('woocommerce_default_country', storefleet_env('WOOCOMMERCE_COUNTRY'));
storefleet_option('woocommerce_coming_soon', 'no');
if (get_option('woocommerce_onboarding_profile') === false) {
    update_option('woocommerce_onboarding_profile', array('skipped' => true));
    storefleet_log('onboarding wizard skipped');
}

/* Store pages: shop, cart, checkout, my account (WooCommerce creates only missing ones). */
$missing_pages = array();
foreach (array('shop', 'cart', 'checkout', 'myaccount') as $page) {
    $id = wc_get_page_id($page);
    if ($id <= 0 || get_post_status($id) !== 'publish') {
        $missing_pages[] = $page;
    }
}
if ($missing_pages) {
    WC_Install::create_pages();
    storefleet_log('created store pages: ' . implode(', ', $missing_pages));
}

/* Cash on Delivery. */
$gateways = WC()->payment_gateways()->payment_gateways();
if (!isset($gateways['cod'])) {
    storefleet_fail('the Cash on Delivery gateway is not available');
}
if ($gateways['cod']->get_option('enabled') !== 'yes') {
    $gateways['cod']->update_option('enabled', 'yes');
    storefleet_log('enabled Cash on Delivery');
}

/* Free shipping for addresses no other zone covers, so every order can check out. */
if (storefleet_env('WOOCOMMERCE_FREE_SHIPPING_EVERYWHERE') === 'true') {
    $zone = new WC_Shipping_Zone(0);
    $has_free_shipping = false;
    foreach ($zone->get_shipping_methods() as $method) {
        if ($method->id === 'free_shipping') {
            $has_free_shipping = true;
        }
    }
    if (!$has_free_shipping) {
        $zone->add_shipping_method('free_shipping');
        storefleet_log('added free shipping to the "everywhere else" zone');
    }
}

/* Sample products: each one is created once. SKUs already handled are remembered, so a
   product the owner deleted is not brought back by a later run. */
$products = json_decode((string) file_get_contents(storefleet_env('STOREFLEET_PRODUCTS_FILE')), true);
if (!is_array($products)) {
    storefleet_fail('the sample products file is not a JSON list');
}
$handled = get_option('storefleet_sample_products', array());
if (!is_array($handled)) {
    $handled = array();
}
$handled_before = $handled;
foreach ($products as $spec) {
    $sku = isset($spec['sku']) && $spec['sku'] !== '' ? (string) $spec['sku'] : 'storefleet-' . sanitize_title($spec['name']);
    if (in_array($sku, $handled, true)) {
        continue;
    }
    if (wc_get_product_id_by_sku($sku)) {
        $handled[] = $sku;
        continue;
    }
    $product = new WC_Product_Simple();
    $product->set_name((string) $spec['name']);
    $product->set_sku($sku);
    $product->set_regular_price((string) $spec['price']);
    $product->set_description(isset($spec['description']) ? (string) $spec['description'] : '');
    $product->set_manage_stock(true);
    $product->set_stock_quantity((int) $spec['stock']);
    $product->set_status('publish');
    $id = $product->save();
    if (!$id) {
        storefleet_fail("could not create product $sku");
    }
    $handled[] = $sku;
    storefleet_log("created product $sku (#$id)");
}
if ($handled !== $handled_before) {
    update_option('storefleet_sample_products', $handled, false);
}

/* The completion marker is recorded by setup.php's "finish" step, after the rewrite rules. */
