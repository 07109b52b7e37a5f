<?php
/** Publishes a post as the administrator: `php post.php HOST:PORT TITLE CONTENT`; prints its permalink. */
$_SERVER['HTTP_HOST']   = $argv[1];
$_SERVER['REQUEST_URI'] = '/';
require '/usr/share/wordpress/wp-load.php';
wp_set_current_user( 1 );
$id = wp_insert_post( array( 'post_title' => $argv[2], 'post_content' => $argv[3], 'post_status' => 'publish' ), true );
if ( is_wp_error( $id ) ) {
	fwrite( STDERR, $id->get_error_message() . "\n" );
	exit( 1 );
}
echo get_permalink( $id ), "\n";
