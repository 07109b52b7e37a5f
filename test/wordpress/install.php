<?php
/**
 * Installs WordPress headlessly for the end-to-end test: `php install.php HOST:PORT` with
 * WP_ADMIN_PASSWORD and WP_MEMBER_PASSWORD in the environment. Twenty Twenty-Three, pretty
 * permalinks, no remote avatars, no mail; a subscriber and an editor. Prints a JSON summary.
 */
$_SERVER['HTTP_HOST']   = $argv[1];
$_SERVER['SERVER_NAME'] = strtok( $argv[1], ':' );
$_SERVER['REQUEST_URI'] = '/';
define( 'WP_INSTALLING', true );
require '/usr/share/wordpress/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

// There is no mail transport: mail is dropped (and not an error).
add_filter( 'pre_wp_mail', '__return_true' );

$url = 'http://' . $argv[1];
$res = wp_install( 'Amicale des Cartographes', 'admin', 'admin@example.org', false, '', wp_slash( getenv( 'WP_ADMIN_PASSWORD' ) ), 'en_US' );
update_option( 'siteurl', $url );
update_option( 'home', $url );
update_option( 'show_avatars', 0 );
update_option( 'permalink_structure', '/%postname%/' );
switch_theme( 'twentytwentythree' );
flush_rewrite_rules( false );

$users = array();
foreach ( array( 'subscriber' => 'Claire Subscriber', 'editor' => 'Edouard Editor' ) as $role => $name ) {
	$id = wp_insert_user(
		array(
			'user_login'   => $role,
			'user_pass'    => getenv( 'WP_MEMBER_PASSWORD' ),
			'user_email'   => $role . '@example.org',
			'display_name' => $name,
			'role'         => $role,
		)
	);
	if ( is_wp_error( $id ) ) {
		fwrite( STDERR, $id->get_error_message() . "\n" );
		exit( 1 );
	}
	$users[ $role ] = $id;
}
update_user_meta( $users['subscriber'], 'cercle_chapters', 'lyon, grenoble' );
echo wp_json_encode( array( 'admin' => $res['user_id'], 'users' => $users, 'home' => home_url() ) ), "\n";
