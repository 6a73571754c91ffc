<?php
/*
 * Waits until MariaDB accepts queries (`php wait.php database`) or WordPress answers HTTP
 * (`php wait.php wordpress`). Exits 0 as soon as it does, 1 once SETUP_WAIT_SECONDS have
 * passed, printing the last reason it saw. Plain PHP: WordPress is not loaded yet.
 */
declare(strict_types=1);

function database_ready(): ?string
{
    $parts = explode(':', (string) getenv('WORDPRESS_DB_HOST'), 2);
    $host = $parts[0];
    $port = isset($parts[1]) ? (int) $parts[1] : 3306;
    mysqli_report(MYSQLI_REPORT_OFF);
    $db = mysqli_init();
    if ($db === false) {
        return 'mysqli_init failed';
    }
    $db->options(MYSQLI_OPT_CONNECT_TIMEOUT, 5);
    $connected = @$db->real_connect(
        $host,
        (string) getenv('WORDPRESS_DB_USER'),
        (string) getenv('WORDPRESS_DB_PASSWORD'),
        (string) getenv('WORDPRESS_DB_NAME'),
        $port
    );
    if (!$connected) {
        return sprintf('cannot connect to %s:%d: %s', $host, $port, mysqli_connect_error() ?? 'unknown error');
    }
    $result = $db->query('SELECT 1');
    $db->close();
    return $result === false ? 'connected, but SELECT 1 failed' : null;
}

function wordpress_ready(): ?string
{
    $url = (string) getenv('STOREFLEET_WORDPRESS_PROBE_URL');
    $headers = 'Host: ' . getenv('STORE_HOST') . "\r\n";
    if (str_starts_with((string) getenv('STOREFLEET_URL'), 'https://')) {
        $headers .= "X-Forwarded-Proto: https\r\n";
    }
    $context = stream_context_create(['http' => [
        'method' => 'GET',
        'header' => $headers,
        'timeout' => 5,
        'ignore_errors' => true,
        'follow_location' => 0,
    ]]);
    $http_response_header = null;
    @file_get_contents($url, false, $context);
    if (!is_array($http_response_header) || !isset($http_response_header[0])) {
        return "no answer from $url";
    }
    $status = 0;
    if (preg_match('#^HTTP/\S+\s+(\d{3})#', $http_response_header[0], $m) === 1) {
        $status = (int) $m[1];
    }
    // Anything but a server error means Apache and PHP are serving WordPress.
    return ($status >= 200 && $status < 500) ? null : "$url answered HTTP $status";
}

$target = $argv[1] ?? '';
$checks = ['database' => 'database_ready', 'wordpress' => 'wordpress_ready'];
if (!isset($checks[$target])) {
    fwrite(STDERR, "usage: php wait.php database|wordpress\n");
    exit(2);
}

$deadline = time() + max(1, (int) (getenv('SETUP_WAIT_SECONDS') ?: 600));
$attempt = 0;
while (true) {
    $attempt++;
    $reason = $checks[$target]();
    if ($reason === null) {
        fwrite(STDOUT, "$target ready after $attempt attempt(s)\n");
        exit(0);
    }
    if (time() >= $deadline) {
        fwrite(STDERR, "$target not ready after $attempt attempt(s): $reason\n");
        exit(1);
    }
    if ($attempt === 1 || $attempt % 6 === 0) {
        fwrite(STDOUT, "$target not ready yet: $reason\n");
    }
    sleep(max(1, min(5, $deadline - time())));
}
