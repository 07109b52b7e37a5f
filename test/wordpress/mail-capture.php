<?php
/**
 * Must-use plugin for test/wordpress/wordpress.test.ts: there is no mail transport here, so each
 * `wp_mail` is written as one JSON line (to, subject, message, headers) to the file the run's config
 * names, and reported as sent. Inactive unless that config defines CERCLE_TEST_MAIL_LOG.
 */
if ( defined( 'CERCLE_TEST_MAIL_LOG' ) ) {
	add_filter(
		'pre_wp_mail',
		function ( $short, $atts ) {
			file_put_contents( CERCLE_TEST_MAIL_LOG, wp_json_encode( $atts, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES ) . "\n", FILE_APPEND | LOCK_EX );
			return true;
		},
		5,
		2
	);
}
