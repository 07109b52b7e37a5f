<?php
/**
 * Plugin Name:       Cercle
 * Plugin URI:        https://github.com/cercle/cercle
 * Description:       Member discussions, cards, badges and events from a Cercle server, signed in by this site's own accounts.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.0
 * Author:            Cercle
 * License:           MIT
 * Text Domain:       cercle
 */

defined( 'ABSPATH' ) || exit;

const CERCLE_VERSION = '0.1.0';
/** Settings shown on Settings → Cercle (autoloaded: read on every page that shows a widget). */
const CERCLE_OPTION = 'cercle_settings';
/** The Ed25519 key pairs (private: never autoloaded, never printed). */
const CERCLE_KEYS_OPTION = 'cercle_keys';
/** The HS256 secret when the site signs with a shared secret instead (never autoloaded). */
const CERCLE_SECRET_OPTION = 'cercle_hs256_secret';

require_once __DIR__ . '/includes/settings.php';
require_once __DIR__ . '/includes/keys.php';
require_once __DIR__ . '/includes/token.php';
require_once __DIR__ . '/includes/rest.php';
require_once __DIR__ . '/includes/render.php';
require_once __DIR__ . '/includes/admin.php';
require_once __DIR__ . '/includes/notifications.php';

register_activation_hook( __FILE__, 'cercle_activate' );

/** On activation: default settings, and a key pair so that the JWKS is there from the first minute. */
function cercle_activate() {
	add_option( CERCLE_OPTION, cercle_default_settings() );
	cercle_keys();
}

add_action( 'rest_api_init', 'cercle_register_routes' );
add_action( 'rest_api_init', 'cercle_notification_routes' );
add_action( 'init', 'cercle_register_shortcodes' );
add_action( 'wp_body_open', 'cercle_open_community', 1 );
add_action( 'wp_footer', 'cercle_close_community', 1 );
add_filter( 'comments_template', 'cercle_comments_template', 20 );
add_filter( 'render_block_core/comments', 'cercle_render_comments_block', 10, 2 );
add_filter( 'render_block_core/post-comments-form', 'cercle_render_comments_block', 10, 2 );
add_filter( 'comments_open', 'cercle_comments_open', 20, 2 );
add_filter( 'pings_open', 'cercle_comments_open', 20, 2 );

add_action( 'show_user_profile', 'cercle_profile_mail_field' );
add_action( 'edit_user_profile', 'cercle_profile_mail_field' );
add_action( 'personal_options_update', 'cercle_profile_mail_save' );
add_action( 'edit_user_profile_update', 'cercle_profile_mail_save' );

if ( is_admin() ) {
	add_action( 'admin_menu', 'cercle_admin_menu' );
	add_action( 'admin_post_cercle_save', 'cercle_admin_save' );
	add_action( 'admin_post_cercle_new_key', 'cercle_admin_new_key' );
	add_filter( 'plugin_action_links_' . plugin_basename( __FILE__ ), 'cercle_action_links' );
}
