<?php
// Written by test/wordpress/wordpress.test.ts for one run; removed when it ends. cercle-wordpress-test
define( 'DB_NAME', '%DB%' );
define( 'DB_USER', '%DB%' );
define( 'DB_PASSWORD', '%PASSWORD%' );
define( 'DB_HOST', '127.0.0.1:3306' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'AUTH_KEY', '%SALT%a' );
define( 'SECURE_AUTH_KEY', '%SALT%b' );
define( 'LOGGED_IN_KEY', '%SALT%c' );
define( 'NONCE_KEY', '%SALT%d' );
define( 'AUTH_SALT', '%SALT%e' );
define( 'SECURE_AUTH_SALT', '%SALT%f' );
define( 'LOGGED_IN_SALT', '%SALT%g' );
define( 'NONCE_SALT', '%SALT%h' );
// No internet here: WordPress asks nothing of the outside (the Cercle server on 127.0.0.1 is allowed).
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_DISPLAY', false );
define( 'WP_DEBUG_LOG', '%LOG%' );
// mail-capture.php (a must-use plugin during the run) writes each wp_mail here instead of sending it.
define( 'CERCLE_TEST_MAIL_LOG', '%MAIL%' );
