<?php
/** Removing the plugin removes its settings and keys. What members wrote lives on the Cercle server. */

defined( 'WP_UNINSTALL_PLUGIN' ) || exit;

delete_option( 'cercle_settings' );
delete_option( 'cercle_keys' );
delete_option( 'cercle_hs256_secret' );
delete_option( 'cercle_webhook_secret' );
delete_metadata( 'user', 0, 'cercle_notification_mail', '', true );
