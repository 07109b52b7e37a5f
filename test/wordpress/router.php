<?php
/**
 * Router for `php -S 127.0.0.1:PORT -t /usr/share/wordpress router.php`: Debian keeps wp-content in
 * /var/lib/wordpress but serves it at /wp-content/; existing files are sent as they are, everything
 * else (pretty permalinks, /wp-json/) goes to index.php.
 */
$path = rawurldecode( parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) ?? '/' );
if ( str_contains( $path, '..' ) ) {
	http_response_code( 400 );
	return true;
}
$content = getenv( 'WP_CONTENT_DIR' ) ?: '/var/lib/wordpress/wp-content';
if ( str_starts_with( $path, '/wp-content/' ) ) {
	$file = $content . substr( $path, strlen( '/wp-content' ) );
	if ( is_file( $file ) && ! str_ends_with( $file, '.php' ) ) {
		$types = array( 'css' => 'text/css', 'js' => 'text/javascript', 'svg' => 'image/svg+xml', 'png' => 'image/png', 'jpg' => 'image/jpeg', 'woff2' => 'font/woff2', 'json' => 'application/json' );
		header( 'Content-Type: ' . ( $types[ strtolower( pathinfo( $file, PATHINFO_EXTENSION ) ) ] ?? 'application/octet-stream' ) );
		readfile( $file );
		return true;
	}
}
if ( '/' !== $path && file_exists( $_SERVER['DOCUMENT_ROOT'] . $path ) ) {
	return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
