<?php
/** On the site's pages: the script, one <cercle-community> around the page, the shortcodes, the discussion in place of comments. */

defined( 'ABSPATH' ) || exit;

/** Whether `<cercle-community>` was opened around the page's body. */
$GLOBALS['cercle_community_open'] = false;

/** The attributes of `<cercle-community>` for this page, escaped. */
function cercle_community_attributes() {
	$s       = cercle_settings();
	$token   = add_query_arg( '_wpnonce', wp_create_nonce( 'wp_rest' ), rest_url( 'cercle/v1/token' ) );
	$here    = is_singular() ? get_permalink() : home_url( isset( $_SERVER['REQUEST_URI'] ) ? wp_unslash( $_SERVER['REQUEST_URI'] ) : '/' );
	$lang    = strtolower( strtok( get_locale(), '_' ) );
	$attrs   = array(
		'api'       => esc_url( $s['server_url'] ),
		'site'      => esc_attr( $s['site_id'] ),
		'token-url' => esc_url( $token ),
		'login-url' => esc_url( wp_login_url( $here ) ),
		'lang'      => esc_attr( $lang ),
	);
	$html = '';
	foreach ( $attrs as $name => $value ) {
		$html .= ' ' . $name . '="' . $value . '"';
	}
	return $html;
}

/** The script module, enqueued once, from the Cercle server itself. */
function cercle_enqueue_script() {
	if ( wp_script_is( 'cercle', 'enqueued' ) ) {
		return;
	}
	wp_enqueue_script( 'cercle', cercle_settings()['server_url'] . '/sdk/cercle.js', array(), null, true );
}

add_filter(
	'script_loader_tag',
	function ( $tag, $handle, $src ) {
		if ( 'cercle' !== $handle ) {
			return $tag;
		}
		return '<script type="module" src="' . esc_url( $src ) . '" id="cercle-js"></script>' . "\n";
	},
	10,
	3
);

/**
 * Opens `<cercle-community>` at the top of the body, so that every widget of the page, wherever
 * it sits, finds it (it is `display: contents`: the layout does not change).
 */
function cercle_open_community() {
	if ( is_admin() || ! cercle_is_configured() || $GLOBALS['cercle_community_open'] ) {
		return;
	}
	$GLOBALS['cercle_community_open'] = true;
	echo '<cercle-community' . cercle_community_attributes() . '>'; // phpcs:ignore WordPress.Security.EscapeOutput -- escaped attribute by attribute.
}

function cercle_close_community() {
	if ( $GLOBALS['cercle_community_open'] ) {
		echo '</cercle-community>';
		$GLOBALS['cercle_community_open'] = false;
	}
}

/**
 * A widget as a shortcode prints it: in a block-level wrapper, so that block themes keep it in the
 * content column. When the theme has no `wp_body_open` (old classic themes) the widget carries its
 * own `<cercle-community>`.
 */
function cercle_widget( $tag, array $attrs, $class ) {
	if ( ! cercle_is_configured() ) {
		return current_user_can( 'manage_options' )
			? '<p class="cercle-notice">' . esc_html__( 'Cercle: set the server address and the site id on Settings → Cercle.', 'cercle' ) . '</p>'
			: '';
	}
	cercle_enqueue_script();
	$html = '<' . $tag;
	foreach ( $attrs as $name => $value ) {
		if ( null === $value || '' === $value || false === $value ) {
			continue;
		}
		if ( true === $value ) {
			$html .= ' ' . $name;
			continue;
		}
		$html .= ' ' . $name . '="' . ( 'member-href' === $name || 'thread' === $name && preg_match( '#^https?://#', $value ) ? esc_url( $value ) : esc_attr( $value ) ) . '"';
	}
	$html .= '></' . $tag . '>';
	$own = ! did_action( 'wp_body_open' ) && ! ( function_exists( 'wp_is_block_theme' ) && wp_is_block_theme() );
	if ( $own ) {
		$html = '<cercle-community' . cercle_community_attributes() . '>' . $html . '</cercle-community>';
	}
	return '<div class="cercle-block ' . esc_attr( $class ) . '">' . $html . '</div>';
}

function cercle_register_shortcodes() {
	add_shortcode( 'cercle_discussion', 'cercle_shortcode_discussion' );
	add_shortcode( 'cercle_events', 'cercle_shortcode_events' );
	add_shortcode( 'cercle_member', 'cercle_shortcode_member' );
	add_shortcode( 'cercle_badge', 'cercle_shortcode_badge' );
	add_shortcode( 'cercle_moderation', 'cercle_shortcode_moderation' );
	add_shortcode( 'cercle_notifications', 'cercle_shortcode_notifications' );
}

/** [cercle_discussion]: the comments of this post (its permalink is the thread), or of `thread`. */
function cercle_shortcode_discussion( $atts ) {
	$a      = shortcode_atts( array( 'thread' => '', 'member_href' => '' ), $atts, 'cercle_discussion' );
	$thread = '' !== $a['thread'] ? $a['thread'] : ( get_the_ID() ? get_permalink() : '' );
	return cercle_widget( 'cercle-discussion', array( 'thread' => $thread, 'member-href' => $a['member_href'] ), 'cercle-discussion-block' );
}

/** [cercle_events chapter="…" limit="5" view="list|compact|calendar-month" past="1"] */
function cercle_shortcode_events( $atts ) {
	$a = shortcode_atts( array( 'chapter' => '', 'limit' => '', 'view' => '', 'past' => '' ), $atts, 'cercle_events' );
	return cercle_widget(
		'cercle-event-feed',
		array(
			'chapter' => $a['chapter'],
			'limit'   => '' !== $a['limit'] ? (string) absint( $a['limit'] ) : '',
			'view'    => in_array( $a['view'], array( 'list', 'compact', 'calendar-month' ), true ) ? $a['view'] : '',
			'past'    => (bool) $a['past'],
		),
		'cercle-events-block'
	);
}

/** [cercle_member id="…" variant="full|compact|hovercard"]: a member's card; id="me" is the reader's own. */
function cercle_shortcode_member( $atts ) {
	$a = shortcode_atts( array( 'id' => 'me', 'variant' => '' ), $atts, 'cercle_member' );
	return cercle_widget(
		'cercle-member-card',
		array(
			'member'  => $a['id'],
			'variant' => in_array( $a['variant'], array( 'full', 'compact', 'hovercard' ), true ) ? $a['variant'] : '',
		),
		'cercle-member-block'
	);
}

/** [cercle_badge member="me" view="compact|full"] */
function cercle_shortcode_badge( $atts ) {
	$a = shortcode_atts( array( 'member' => 'me', 'view' => '' ), $atts, 'cercle_badge' );
	return cercle_widget(
		'cercle-engagement-badge',
		array(
			'member' => $a['member'],
			'view'   => in_array( $a['view'], array( 'compact', 'full' ), true ) ? $a['view'] : '',
		),
		'cercle-badge-block'
	);
}

/** [cercle_moderation chapter="…"]: the moderation queue (shown to Cercle moderators and admins). */
function cercle_shortcode_moderation( $atts ) {
	$a = shortcode_atts( array( 'chapter' => '' ), $atts, 'cercle_moderation' );
	return cercle_widget( 'cercle-moderation', array( 'chapter' => $a['chapter'] ), 'cercle-moderation-block' );
}

/** Whether the discussion replaces WordPress comments on this post. */
function cercle_replaces_comments( $post = null ) {
	$post = get_post( $post );
	return $post && cercle_is_configured() && cercle_settings()['replace_comments']
		&& post_type_supports( $post->post_type, 'comments' );
}

/** Classic themes: the comments template becomes the discussion. */
function cercle_comments_template( $template ) {
	return cercle_replaces_comments() ? __DIR__ . '/../templates/comments.php' : $template;
}

/** Block themes: the Comments block (and a lone comment form) become the discussion. */
function cercle_render_comments_block( $content, $block ) {
	if ( ! cercle_replaces_comments() ) {
		return $content;
	}
	if ( 'core/post-comments-form' === $block['blockName'] ) {
		return '';
	}
	return cercle_shortcode_discussion( array() );
}

/** Native comments are closed where the discussion takes their place. */
function cercle_comments_open( $open, $post_id ) {
	return cercle_replaces_comments( $post_id ) ? false : $open;
}

/** [cercle_notifications]: the signed-in member's notifications bell (nothing for a signed-out reader). */
function cercle_shortcode_notifications() {
	return cercle_widget( 'cercle-notifications', array(), 'cercle-notifications-block' );
}
