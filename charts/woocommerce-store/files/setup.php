<?php
/*
 * Storefleet store setup: the entry point of the chart's setup Job, run with the WordPress
 * image's own PHP after the init container prepared the docroot:
 *
 *     php /opt/storefleet/setup/setup.php
 *
 * Brings the store to what its values describe, with WordPress's own API (no wp-cli).
 * Every step reads before it writes, so running it again on a set-up store changes
 * nothing and succeeds. Secrets come from the environment, never from argv, and are never
 * printed.
 *
 * Each step that loads WordPress runs in its own PHP process (this script with the step
 * name as its argument; it reports "done" or its error through the file named by
 * STOREFLEET_STEP_RESULT_FILE), so every step sees WordPress as a web request would:
 *
 *   core       WP_INSTALLING, no plugins loaded: installs WordPress when it is not
 *              installed, and puts WooCommerce in place (checks the image's copy, or
 *              downloads woocommerce.version from wordpress.org into the content volume)
 *   activate   WordPress loaded normally: activates WooCommerce when it is inactive
 *   configure  WordPress and WooCommerce loaded normally: WooCommerce database updates,
 *              then configure.php (password, URL, permalink structure, store settings,
 *              pages, payment, shipping, sample products)
 *   finish     a fresh process in which WooCommerce registered its post types and
 *              taxonomies under the pretty permalink structure: regenerates the rewrite
 *              rules when they differ, checks that product and category URLs resolve, and
 *              records the completion marker (option storefleet_setup_complete)
 *
 * Exit status 0 when the store is set up; 1 with one line "ERROR: <reason>" on stderr
 * otherwise (also written to the container's termination message, /dev/termination-log,
 * so `kubectl describe` and the Job's pod status show it).
 */

declare(strict_types=1);

define('STOREFLEET_SETUP', true);

final class StorefleetSetupError extends RuntimeException
{
}

function storefleet_log(string $message): void
{
    fwrite(STDOUT, gmdate('Y-m-d\TH:i:s\Z') . " [setup] $message\n");
}

function storefleet_fail(string $message): never
{
    throw new StorefleetSetupError($message);
}

function storefleet_env(string $name): string
{
    $value = getenv($name);
    if ($value === false || $value === '') {
        storefleet_fail("environment variable $name is empty");
    }
    return $value;
}

function storefleet_docroot(): string
{
    return rtrim((string) (getenv('WORDPRESS_DOCROOT') ?: '/var/www/html'), '/');
}

const STOREFLEET_PLUGIN = 'woocommerce/woocommerce.php';
const STOREFLEET_PERMALINKS = '/%postname%/';

/* ---------------------------------------------------------------------------------------
 * The parent process: checks the environment, waits, runs the steps.
 */

function storefleet_main(): void
{
    foreach (array('STOREFLEET_URL', 'STORE_TITLE', 'STORE_ADMIN_USER', 'STORE_ADMIN_EMAIL',
        'WORDPRESS_ADMIN_PASSWORD', 'WOOCOMMERCE_SOURCE') as $name) {
        storefleet_env($name);
    }
    $source = storefleet_env('WOOCOMMERCE_SOURCE');
    if ($source !== 'wordpress.org' && $source !== 'image') {
        storefleet_fail("woocommerce.source must be wordpress.org or image, not '$source'");
    }
    if ($source === 'wordpress.org') {
        storefleet_woocommerce_version();
    }
    $docroot = storefleet_docroot();
    if (!is_file("$docroot/wp-load.php") || !is_file("$docroot/wp-config.php")) {
        storefleet_fail("no WordPress in $docroot (wp-load.php and wp-config.php): the prepare-docroot init container must run first");
    }

    storefleet_log(sprintf('store %s (revision %s, checksum %s)', storefleet_env('STOREFLEET_URL'),
        getenv('STOREFLEET_RELEASE_REVISION') ?: '?', getenv('STOREFLEET_SETUP_CHECKSUM') ?: '?'));

    $scripts = __DIR__;
    storefleet_apply_database_password();
    storefleet_log('waiting for the database');
    if (storefleet_run(array("$scripts/wait.php", 'database')) !== 0) {
        storefleet_fail('the database did not accept queries in time');
    }
    if ((getenv('SETUP_WAIT_FOR_WORDPRESS') ?: 'true') === 'true') {
        storefleet_log('waiting for WordPress');
        if (storefleet_run(array("$scripts/wait.php", 'wordpress')) !== 0) {
            storefleet_fail('WordPress did not answer in time');
        }
    }

    foreach (array('core', 'activate', 'configure', 'finish') as $step) {
        storefleet_step($step);
    }
    storefleet_log('setup complete');
}

/*
 * A rotation of the database password: the Secret holds the new password
 * (WORDPRESS_DB_PASSWORD) and, until the store is Ready again, the one MariaDB still has
 * (WORDPRESS_DB_PASSWORD_PREVIOUS). If the new one is not accepted yet, sign in with the
 * previous one and change the user's own password (SET PASSWORD needs no privilege).
 * Idempotent, so a Job that ran halfway can simply run again.
 */
function storefleet_apply_database_password(): void
{
    $previous = (string) getenv('WORDPRESS_DB_PASSWORD_PREVIOUS');
    if ($previous === '') {
        return;
    }
    $new = storefleet_env('WORDPRESS_DB_PASSWORD');
    if (preg_match('/^[A-Za-z0-9]{16,128}$/', $new) !== 1) {
        storefleet_fail('the new database password must be 16 to 128 letters and digits');
    }
    $parts = explode(':', storefleet_env('WORDPRESS_DB_HOST'), 2);
    $port = isset($parts[1]) ? (int) $parts[1] : 3306;
    $user = storefleet_env('WORDPRESS_DB_USER');
    mysqli_report(MYSQLI_REPORT_OFF);
    $connect = static function (string $password) use ($parts, $port, $user): ?mysqli {
        $db = mysqli_init();
        if ($db === false) {
            return null;
        }
        $db->options(MYSQLI_OPT_CONNECT_TIMEOUT, 5);
        return @$db->real_connect($parts[0], $user, $password, '', $port) ? $db : null;
    };
    $deadline = time() + max(1, (int) (getenv('SETUP_WAIT_SECONDS') ?: 600));
    while (true) {
        $db = $connect($new);
        if ($db !== null) {
            $db->close();
            storefleet_log('the database accepts the current password');
            return;
        }
        $db = $connect($previous);
        if ($db !== null) {
            $ok = $db->query("SET PASSWORD = PASSWORD('$new')");
            $db->close();
            if ($ok === false) {
                storefleet_fail('changing the database password failed');
            }
            storefleet_log('changed the database password to the rotated one');
            continue;
        }
        if (time() >= $deadline) {
            storefleet_fail('the database accepts neither the new nor the previous password');
        }
        sleep(3);
    }
}

/* Runs `php <args>` with this process's environment and output; returns its exit status. */
function storefleet_run(array $args, array $extra_env = array()): int
{
    $command = array(PHP_BINARY);
    foreach (array('memory_limit', 'max_execution_time') as $setting) {
        $command[] = '-d';
        $command[] = $setting . '=' . ini_get($setting);
    }
    $env = null;
    if ($extra_env) {
        $env = array_merge(getenv(), $extra_env);
    }
    $process = proc_open(array_merge($command, $args), array(0 => array('file', '/dev/null', 'r'), 1 => STDOUT, 2 => STDERR), $pipes, null, $env);
    if (!is_resource($process)) {
        storefleet_fail('could not start ' . PHP_BINARY);
    }
    return proc_close($process);
}

/*
 * A step in its own PHP process. WordPress can end a process with exit status 0 without
 * finishing (wp_die() in a CLI process, a redirect to the installer), so a step counts as
 * done only when it also reached its end, which it records in a file.
 */
function storefleet_step(string $step): void
{
    $result = tempnam(sys_get_temp_dir(), "storefleet-$step-");
    if ($result === false) {
        storefleet_fail('cannot create a file in ' . sys_get_temp_dir());
    }
    $status = storefleet_run(array(__FILE__, $step), array('STOREFLEET_STEP_RESULT_FILE' => $result));
    $outcome = trim((string) @file_get_contents($result));
    @unlink($result);
    if ($status === 0 && $outcome === 'done') {
        return;
    }
    if (str_starts_with($outcome, 'error: ')) {
        storefleet_fail(substr($outcome, 7));
    }
    // The step printed its own reason when it could (a PHP fatal error, wp_die()).
    storefleet_fail("step '$step' failed (exit status $status" . ($outcome === 'done' ? '' : ', did not finish') . ')');
}

/* ---------------------------------------------------------------------------------------
 * Loading WordPress inside a step process.
 */

/*
 * What a front-end request for the home page would carry, plus the wp_die() handler. The
 * caller then requires wp-load.php at global scope (WordPress, plugins and the theme
 * expect their files to run in the global scope).
 */
function storefleet_before_wordpress(bool $installing): string
{
    $url = parse_url(storefleet_env('STOREFLEET_URL'));
    if (!is_array($url) || empty($url['host'])) {
        storefleet_fail('STOREFLEET_URL is not a URL');
    }
    $host = $url['host'] . (isset($url['port']) ? ':' . $url['port'] : '');
    $_SERVER['HTTP_HOST'] = $host;
    $_SERVER['SERVER_NAME'] = $url['host'];
    $_SERVER['SERVER_PORT'] = (string) ($url['port'] ?? (($url['scheme'] ?? 'http') === 'https' ? 443 : 80));
    $_SERVER['REQUEST_URI'] = '/';
    $_SERVER['REQUEST_METHOD'] = 'GET';
    $_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
    $_SERVER['REMOTE_ADDR'] = '127.0.0.1';
    if (($url['scheme'] ?? 'http') === 'https') {
        $_SERVER['HTTPS'] = 'on';
        $_SERVER['HTTP_X_FORWARDED_PROTO'] = 'https';
    }
    if ($installing) {
        define('WP_INSTALLING', true);
    }

    // wp_die() (e.g. "Error establishing a database connection") must fail the step with
    // its message, not print HTML and exit 0. Registered before WordPress loads.
    $GLOBALS['wp_filter']['wp_die_handler'][10][] = array(
        'function' => static fn () => 'storefleet_wp_die',
        'accepted_args' => 1,
    );
    // No e-mail from a setup Job: the pod has no mail transport. Logged instead.
    $GLOBALS['wp_filter']['pre_wp_mail'][10][] = array(
        'function' => static function ($result, $atts) {
            storefleet_log('not sending e-mail "' . (is_array($atts) ? (string) ($atts['subject'] ?? '') : '') . '" (the setup Job sends no e-mail)');
            return true;
        },
        'accepted_args' => 2,
    );
    // ... nor the new-site notification (which would carry no password anyway).
    if (!function_exists('wp_new_blog_notification')) {
        function wp_new_blog_notification($blog_title, $blog_url, $user_id, $password)
        {
        }
    }

    $docroot = storefleet_docroot();
    if (!is_file("$docroot/wp-load.php")) {
        storefleet_fail("no WordPress in $docroot");
    }
    return "$docroot/wp-load.php";
}

function storefleet_wp_die($message, $title = '', $args = array()): void
{
    if (is_wp_error($message)) {
        $message = $message->get_error_message();
    }
    $text = trim(preg_replace('/\s+/', ' ', wp_strip_all_tags((string) $message)));
    fwrite(STDERR, gmdate('Y-m-d\TH:i:s\Z') . " [setup] ERROR: WordPress stopped: " . ($text !== '' ? $text : 'wp_die() without a message') . "\n");
    exit(1);
}

/* ---------------------------------------------------------------------------------------
 * Steps.
 */

function storefleet_woocommerce_version(): string
{
    $version = storefleet_env('WOOCOMMERCE_VERSION');
    if (preg_match('/^[0-9]+(\.[0-9]+){1,3}(-[A-Za-z0-9.]+)?$/', $version) !== 1) {
        storefleet_fail("woocommerce.version '$version' is not a version number");
    }
    return $version;
}

function storefleet_plugin_version(string $file): string
{
    if (!is_file($file)) {
        return '';
    }
    $data = get_file_data($file, array('Version' => 'Version'));
    return (string) $data['Version'];
}

/* WordPress installed; WooCommerce's files in place. No plugin is loaded in this step. */
function storefleet_step_core(): void
{
    require_once ABSPATH . 'wp-admin/includes/upgrade.php';

    if (is_blog_installed()) {
        storefleet_log('WordPress is installed');
    } else {
        storefleet_log('installing WordPress');
        $login = storefleet_env('STORE_ADMIN_USER');
        $result = wp_install(storefleet_env('STORE_TITLE'), $login, storefleet_env('STORE_ADMIN_EMAIL'),
            true, '', storefleet_env('WORDPRESS_ADMIN_PASSWORD'));
        unset($result);
        if (!is_blog_installed()) {
            storefleet_fail('WordPress did not install (wp_install() left no site)');
        }
        if (!get_user_by('login', $login)) {
            storefleet_fail("WordPress installed, but the administrator '$login' was not created (check store.adminUser and store.adminEmail)");
        }
        storefleet_log("WordPress installed, administrator '$login'");
    }

    $plugin_file = WP_PLUGIN_DIR . '/' . STOREFLEET_PLUGIN;
    $current = storefleet_plugin_version($plugin_file);
    if (storefleet_env('WOOCOMMERCE_SOURCE') === 'image') {
        if ($current === '') {
            storefleet_fail('woocommerce.source=image, but the WordPress image has no wp-content/plugins/woocommerce (looked for ' . $plugin_file . ')');
        }
        storefleet_log("WooCommerce $current comes with the image");
        return;
    }

    $wanted = storefleet_woocommerce_version();
    if ($current === '') {
        storefleet_log("installing WooCommerce $wanted from wordpress.org");
    } elseif (version_compare($wanted, $current, '>')) {
        storefleet_log("upgrading WooCommerce $current to $wanted");
    } else {
        storefleet_log("WooCommerce $current is installed");
        return;
    }
    storefleet_install_woocommerce($wanted);
}

/*
 * Downloads WooCommerce $version from wordpress.org and puts it in wp-content/plugins (the
 * content volume): unpacked next to the plugins, checked, then swapped in with renames.
 */
function storefleet_install_woocommerce(string $version): void
{
    require_once ABSPATH . 'wp-admin/includes/file.php';
    global $wp_filesystem;

    $url = "https://downloads.wordpress.org/plugin/woocommerce.$version.zip";
    $plugins = WP_PLUGIN_DIR;
    $staging = "$plugins/.storefleet-staging";
    $previous = "$plugins/.storefleet-previous-woocommerce";
    $target = "$plugins/woocommerce";

    if (!WP_Filesystem(false, $plugins, true) || !is_object($wp_filesystem) || $wp_filesystem->method !== 'direct') {
        storefleet_fail("WordPress cannot write to $plugins directly (uid " . getmyuid() . '): the content volume must be writable by the pod');
    }
    foreach (array($staging, $previous) as $leftover) {
        if (file_exists($leftover) && !$wp_filesystem->delete($leftover, true)) {
            storefleet_fail("cannot remove $leftover, left by an earlier setup");
        }
    }

    $archive = download_url($url, 300);
    if (is_wp_error($archive)) {
        $reason = storefleet_error_text($archive);
        $host = (string) parse_url($url, PHP_URL_HOST);
        if (gethostbyname($host) === $host) {
            // WordPress reports an unresolvable host as "A valid URL was not provided."
            $reason .= " ($host does not resolve: the pod has no DNS or internet access; woocommerce.source=wordpress.org needs egress.internet=true, otherwise use woocommerce.source=image)";
        }
        storefleet_fail("WooCommerce $version could not be downloaded from $url: $reason");
    }
    try {
        if (!wp_mkdir_p($staging)) {
            storefleet_fail("cannot create $staging");
        }
        $unzipped = unzip_file($archive, $staging);
        if (is_wp_error($unzipped)) {
            storefleet_fail("WooCommerce $version from $url could not be unpacked into $plugins: " . storefleet_error_text($unzipped));
        }
    } finally {
        @unlink($archive);
    }
    $got = storefleet_plugin_version("$staging/woocommerce/woocommerce.php");
    if ($got !== $version) {
        $wp_filesystem->delete($staging, true);
        storefleet_fail("the archive $url holds " . ($got === '' ? 'no woocommerce/woocommerce.php' : "WooCommerce $got") . ", not WooCommerce $version");
    }

    if (file_exists($target) && !rename($target, $previous)) {
        $wp_filesystem->delete($staging, true);
        storefleet_fail("cannot move the installed WooCommerce out of the way ($target)");
    }
    if (!rename("$staging/woocommerce", $target)) {
        if (file_exists($previous)) {
            rename($previous, $target);
        }
        $wp_filesystem->delete($staging, true);
        storefleet_fail("cannot move WooCommerce $version into $target");
    }
    $wp_filesystem->delete($staging, true);
    if (file_exists($previous)) {
        $wp_filesystem->delete($previous, true);
    }
    storefleet_log("WooCommerce $version installed in $target");
}

function storefleet_error_text(WP_Error $error): string
{
    $text = trim(preg_replace('/\s+/', ' ', implode('; ', $error->get_error_messages())));
    return $text !== '' ? $text : $error->get_error_code();
}

/* WooCommerce active. */
function storefleet_step_activate(): void
{
    require_once ABSPATH . 'wp-admin/includes/plugin.php';

    if (is_plugin_active(STOREFLEET_PLUGIN)) {
        storefleet_log('WooCommerce is active');
        return;
    }
    storefleet_log('activating WooCommerce');
    $result = activate_plugin(STOREFLEET_PLUGIN);
    if (is_wp_error($result)) {
        storefleet_fail('WooCommerce could not be activated: ' . storefleet_error_text($result));
    }
    if (!is_plugin_active(STOREFLEET_PLUGIN)) {
        storefleet_fail('WooCommerce could not be activated: it is not in the active plugins after activate_plugin()');
    }
    storefleet_log('WooCommerce activated');
}

/* WooCommerce's database up to date, then the store's configuration. */
function storefleet_step_configure(): void
{
    if (!class_exists('WooCommerce') || !function_exists('WC') || !class_exists('WC_Install')) {
        storefleet_fail('WooCommerce is not loaded: it must be installed and active before the store is configured');
    }

    // WooCommerce runs its installer itself (init, WC_Install::check_version) when the code
    // is newer than the database; this covers a run where that did not happen.
    if (version_compare((string) get_option('woocommerce_version'), WC()->version, '<')) {
        storefleet_log('running the WooCommerce installer for ' . WC()->version);
        WC_Install::install();
    }
    storefleet_woocommerce_db_updates();
    // The product types and visibility terms: the activation ran before WooCommerce had
    // registered its taxonomies, so make sure they exist (creates only missing ones).
    WC_Install::create_terms();

    require __DIR__ . '/configure.php';
}

/* Pending WooCommerce database updates (what `wp wc update` does). */
function storefleet_woocommerce_db_updates(): void
{
    include_once WC_ABSPATH . 'includes/wc-update-functions.php';
    $current = (string) get_option('woocommerce_db_version');
    $pending = array();
    foreach (WC_Install::get_db_update_callbacks() as $version => $callbacks) {
        if (version_compare($current, (string) $version, '<')) {
            foreach ($callbacks as $callback) {
                $pending[] = $callback;
            }
        }
    }
    if ($pending) {
        storefleet_log(sprintf('running %d WooCommerce database update(s) from %s', count($pending), $current));
        wc_maybe_define_constant('WC_UPDATING', true);
        foreach ($pending as $callback) {
            if (!is_callable($callback)) {
                storefleet_fail("WooCommerce database update $callback does not exist");
            }
            // A callback that returns true has more batches to do.
            for ($round = 0; $round < 1000 && call_user_func($callback) === true; $round++) {
            }
        }
    }
    if (get_option('woocommerce_db_version') !== WC()->version) {
        WC_Install::update_db_version();
        storefleet_log('WooCommerce database version ' . WC()->version);
    }
}

/*
 * Rewrite rules regenerated in a process in which WooCommerce registered its post types and
 * taxonomies under the pretty structure (WordPress adds their rewrite rules only when a
 * permalink structure is set at registration), then checked; then the completion marker.
 */
function storefleet_step_finish(): void
{
    global $wp_rewrite;
    if (!function_exists('WC')) {
        storefleet_fail('WooCommerce is not loaded');
    }
    if (get_option('permalink_structure') !== STOREFLEET_PERMALINKS) {
        storefleet_fail('the permalink structure is not ' . STOREFLEET_PERMALINKS . ' after configuration');
    }
    // Regenerates the rules now that the post types and taxonomies registered theirs
    // (update_option() writes nothing when they are unchanged).
    $before = get_option('rewrite_rules');
    flush_rewrite_rules(false);
    $rules = get_option('rewrite_rules');
    if ($rules !== $before) {
        storefleet_log('rewrite rules regenerated (' . count((array) $rules) . ' rules)');
    }
    storefleet_check_url_resolves($rules, 'a product', storefleet_first_product_url(), 'product');
    $category = get_term((int) get_option('default_product_cat'), 'product_cat');
    $category_url = $category instanceof WP_Term ? get_term_link($category) : '';
    storefleet_check_url_resolves($rules, 'a product category', is_string($category_url) ? $category_url : '', 'product_cat');

    $marker = wp_json_encode(array(
        'revision' => (int) storefleet_env('STOREFLEET_RELEASE_REVISION'),
        'checksum' => storefleet_env('STOREFLEET_SETUP_CHECKSUM'),
        'chart' => storefleet_env('STOREFLEET_CHART'),
    ));
    if (get_option('storefleet_setup_complete') !== $marker) {
        update_option('storefleet_setup_complete', $marker);
        storefleet_log('set option storefleet_setup_complete');
    }
    storefleet_log('store configured');
}

function storefleet_first_product_url(): string
{
    $ids = get_posts(array('post_type' => 'product', 'post_status' => 'publish', 'numberposts' => 1, 'fields' => 'ids'));
    return $ids ? (string) get_permalink((int) $ids[0]) : '';
}

/*
 * Resolves $url against the stored rewrite rules the way WP::parse_request() does and
 * fails unless the query it yields sets $var: a product or category URL that resolves to
 * nothing is a 404 in the store.
 */
function storefleet_check_url_resolves($rules, string $what, string $url, string $var): void
{
    if (!is_array($rules) || !$rules) {
        storefleet_fail('WordPress stored no rewrite rules; pretty URLs would answer 404');
    }
    if ($url === '') {
        // Nothing to resolve (e.g. the owner deleted every product); the rule must exist.
        foreach ($rules as $query) {
            if (preg_match('/[?&]' . preg_quote($var, '/') . '=/', (string) $query) === 1) {
                return;
            }
        }
        storefleet_fail("the rewrite rules have no rule for $what ($var); its pages would answer 404");
    }
    $home_path = trim((string) parse_url(home_url(), PHP_URL_PATH), '/');
    $path = trim((string) parse_url($url, PHP_URL_PATH), '/');
    if ($home_path !== '' && str_starts_with($path, $home_path)) {
        $path = trim(substr($path, strlen($home_path)), '/');
    }
    foreach ($rules as $match => $query) {
        if (preg_match("#^$match#", $path, $matches) === 1 || preg_match("#^$match#", urldecode($path), $matches) === 1) {
            parse_str((string) parse_url(WP_MatchesMapRegex::apply((string) $query, $matches), PHP_URL_QUERY), $vars);
            if (isset($vars[$var]) && $vars[$var] !== '') {
                return;
            }
            storefleet_fail("$url ($what) matches the rewrite rule $match => $query, which is not a $var query; it would answer 404");
        }
    }
    storefleet_fail("$url ($what) matches no rewrite rule; it would answer 404");
}

/* ---------------------------------------------------------------------------------------
 * Dispatch.
 */

$step = $argv[1] ?? 'all';
$steps = array(
    'core' => 'storefleet_step_core',
    'activate' => 'storefleet_step_activate',
    'configure' => 'storefleet_step_configure',
    'finish' => 'storefleet_step_finish',
);
$result_file = (string) getenv('STOREFLEET_STEP_RESULT_FILE');
$error = null;
try {
    if ($step === 'all') {
        storefleet_main();
    } elseif (isset($steps[$step])) {
        require_once storefleet_before_wordpress($step === 'core');
        $steps[$step]();
    } else {
        fwrite(STDERR, "usage: php setup.php [core|activate|configure|finish]\n");
        exit(2);
    }
} catch (StorefleetSetupError $e) {
    $error = $e->getMessage();
} catch (Throwable $e) {
    $error = sprintf('%s: %s (%s:%d)', get_class($e), $e->getMessage(), $e->getFile(), $e->getLine());
}
$error = $error === null ? null : trim(preg_replace('/\s+/', ' ', $error));

if ($step !== 'all' && $result_file !== '') {
    // A step reports to the parent, which prints the error once.
    if (file_put_contents($result_file, $error === null ? "done\n" : "error: $error\n") !== false) {
        exit($error === null ? 0 : 1);
    }
}
if ($error !== null) {
    fwrite(STDERR, gmdate('Y-m-d\TH:i:s\Z') . " [setup] ERROR: $error\n");
    $termination_log = (string) (getenv('STOREFLEET_TERMINATION_LOG') ?: '/dev/termination-log');
    if (is_writable($termination_log)) {
        @file_put_contents($termination_log, "$error\n");
    }
    exit(1);
}
exit(0);
