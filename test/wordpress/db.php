<?php
/**
 * The test's MariaDB database and user: `php db.php create NAME PASSWORD` or `php db.php drop NAME`.
 * Connects as WP_TEST_MYSQL_USER (root) with WP_TEST_MYSQL_PASSWORD (empty) on 127.0.0.1:3306.
 */
mysqli_report( MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT );
[ , $action, $name ] = $argv;
if ( ! preg_match( '/^[a-z0-9_]{1,32}$/', $name ) ) {
	fwrite( STDERR, "bad name\n" );
	exit( 2 );
}
$db = new mysqli( '127.0.0.1', getenv( 'WP_TEST_MYSQL_USER' ) ?: 'root', getenv( 'WP_TEST_MYSQL_PASSWORD' ) ?: '', '', 3306 );
if ( 'create' === $action ) {
	$password = $db->real_escape_string( $argv[3] );
	$db->query( "CREATE DATABASE `$name` CHARACTER SET utf8mb4" );
	$db->query( "CREATE USER '$name'@'%' IDENTIFIED BY '$password'" );
	$db->query( "GRANT ALL PRIVILEGES ON `$name`.* TO '$name'@'%'" );
} else {
	$db->query( "DROP DATABASE IF EXISTS `$name`" );
	$db->query( "DROP USER IF EXISTS '$name'@'%'" );
}
