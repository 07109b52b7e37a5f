<?php
/** The plugin's settings: defaults, reading, and checking what an administrator sends. */

defined( 'ABSPATH' ) || exit;

function cercle_default_settings() {
	return array(
		'server_url'       => '',
		'site_id'          => '',
		'alg'              => 'EdDSA',
		'hs256_kid'        => '',
		'role_map'         => "manage_options = admin\nmoderate_comments = moderator",
		'chapters_meta'    => 'cercle_chapters',
		'replace_comments' => false,
	);
}

/** The settings, completed with defaults. */
function cercle_settings() {
	$saved = get_option( CERCLE_OPTION, array() );
	return array_merge( cercle_default_settings(), is_array( $saved ) ? $saved : array() );
}

/** True once the server and the site are known: only then are widgets printed. */
function cercle_is_configured() {
	$s = cercle_settings();
	return '' !== $s['server_url'] && '' !== $s['site_id'];
}

/**
 * Checks settings sent from the form. Returns [settings, errors]; a field in error keeps its
 * previous value so that nothing saved is lost, and the message says what to fix.
 */
function cercle_sanitize_settings( array $input, array $current ) {
	$out    = $current;
	$errors = array();

	$url = trim( (string) ( $input['server_url'] ?? '' ) );
	if ( '' === $url ) {
		$out['server_url'] = '';
	} elseif ( ! cercle_is_http_url( $url ) ) {
		$errors[] = sprintf( /* translators: %s: the address typed */ __( 'The Cercle server address "%s" is not an http(s) address (e.g. https://cercle.example.org).', 'cercle' ), $url );
	} else {
		$out['server_url'] = untrailingslashit( esc_url_raw( $url, array( 'http', 'https' ) ) );
	}

	$site = strtolower( trim( (string) ( $input['site_id'] ?? '' ) ) );
	if ( '' === $site || preg_match( '/^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$/', $site ) ) {
		$out['site_id'] = $site;
	} else {
		$errors[] = sprintf( /* translators: %s: the id typed */ __( 'The site id "%s" may hold only a-z, 0-9 and hyphens (2 to 64 characters), as `cercle site add` printed it.', 'cercle' ), $site );
	}

	$out['alg'] = ( $input['alg'] ?? 'EdDSA' ) === 'HS256' ? 'HS256' : 'EdDSA';

	$kid = trim( (string) ( $input['hs256_kid'] ?? '' ) );
	if ( '' === $kid || preg_match( '/^[A-Za-z0-9_.:-]{1,128}$/', $kid ) ) {
		$out['hs256_kid'] = $kid;
	} else {
		$errors[] = __( 'The HS256 key id may hold only letters, digits and . _ : -', 'cercle' );
	}

	$map   = (string) ( $input['role_map'] ?? '' );
	$lines = array();
	$bad   = array();
	foreach ( preg_split( '/\r\n|\r|\n/', $map ) as $line ) {
		$line = trim( $line );
		if ( '' === $line ) {
			continue;
		}
		if ( preg_match( '/^([a-z0-9_]+)\s*=\s*(member|moderator|admin)$/i', $line, $m ) ) {
			$lines[] = strtolower( $m[1] ) . ' = ' . strtolower( $m[2] );
		} else {
			$bad[] = $line;
		}
	}
	if ( $bad ) {
		$errors[] = sprintf( /* translators: %s: the lines refused */ __( 'Each role line reads "capability = member|moderator|admin"; not understood: %s', 'cercle' ), implode( ' · ', $bad ) );
	} else {
		$out['role_map'] = implode( "\n", $lines );
	}

	$meta = trim( (string) ( $input['chapters_meta'] ?? '' ) );
	if ( '' === $meta || preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $meta ) ) {
		$out['chapters_meta'] = $meta;
	} else {
		$errors[] = __( 'The chapters field is a user meta key: letters, digits, _ and -.', 'cercle' );
	}

	$out['replace_comments'] = ! empty( $input['replace_comments'] );
	return array( $out, $errors );
}

/** The role mapping as [capability => Cercle role]. */
function cercle_role_map() {
	$map = array();
	foreach ( preg_split( '/\n/', cercle_settings()['role_map'] ) as $line ) {
		if ( preg_match( '/^([a-z0-9_]+) = (member|moderator|admin)$/', trim( $line ), $m ) ) {
			$map[ $m[1] ] = $m[2];
		}
	}
	return $map;
}

/** An http(s) address with a host, and no query or fragment. */
function cercle_is_http_url( $url ) {
	$p = wp_parse_url( $url );
	return is_array( $p ) && in_array( strtolower( $p['scheme'] ?? '' ), array( 'http', 'https' ), true )
		&& ! empty( $p['host'] ) && ! isset( $p['query'] ) && ! isset( $p['fragment'] ) && ! preg_match( '/\s/', $url );
}
