<?php
/** The short token that tells the Cercle server who is signed in on this site. */

defined( 'ABSPATH' ) || exit;

/** A token lives ten minutes; the widgets renew it before it ends. */
const CERCLE_TOKEN_TTL = 600;

/** The claims for a WordPress user: id, display name, picture, roles from capabilities, chapters from a user meta field. */
function cercle_claims( WP_User $user, $now = null ) {
	$s      = cercle_settings();
	$now    = $now ?? time();
	$claims = array(
		'iss' => $s['site_id'],
		'aud' => 'cercle',
		'sub' => (string) $user->ID,
		'iat' => $now,
		'exp' => $now + CERCLE_TOKEN_TTL,
	);
	$name = trim( wp_strip_all_tags( (string) $user->display_name ) );
	if ( '' === $name ) {
		$name = $user->user_login;
	}
	$claims['name'] = mb_substr( $name, 0, 120 );
	if ( get_option( 'show_avatars' ) ) {
		$picture = get_avatar_url( $user->ID, array( 'size' => 96 ) );
		if ( $picture && preg_match( '#^https?://#', $picture ) && strlen( $picture ) <= 2048 ) {
			$claims['picture'] = $picture;
		}
	}
	$roles = array( 'member' );
	foreach ( cercle_role_map() as $cap => $role ) {
		if ( user_can( $user, $cap ) ) {
			$roles[] = $role;
		}
	}
	$claims['roles'] = array_values( array_unique( $roles ) );
	// What notifications delivered beyond the page are written in (no address: WordPress mails them itself).
	$locale = get_user_locale( $user );
	if ( preg_match( '/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{1,8})*$/', $locale ) && strlen( $locale ) <= 35 ) {
		$claims['locale'] = $locale;
	}
	if ( '' !== $s['chapters_meta'] ) {
		$claims['chapters'] = cercle_user_chapters( $user->ID, $s['chapters_meta'] );
	}
	/** Filters the claims of a member's token before it is signed. */
	return apply_filters( 'cercle_token_claims', $claims, $user );
}

/** Chapter ids from a user meta field: an array, or text separated by commas or spaces. Ids Cercle would refuse are left out. */
function cercle_user_chapters( $user_id, $key ) {
	$value = get_user_meta( $user_id, $key, true );
	$list  = is_array( $value ) ? $value : preg_split( '/[\s,;]+/', (string) $value );
	$ids   = array();
	foreach ( $list as $id ) {
		$id = trim( (string) $id );
		if ( '' !== $id && preg_match( '/^[A-Za-z0-9_.:@-]{1,128}$/', $id ) ) {
			$ids[] = $id;
		}
	}
	return array_slice( array_values( array_unique( $ids ) ), 0, 50 );
}

/**
 * Signs claims: EdDSA with the site's private key (header `kid` = the key's thumbprint), or HS256
 * with the pasted secret, used as the text it is. Returns a WP_Error when the site cannot sign.
 */
function cercle_sign( array $claims ) {
	$s = cercle_settings();
	if ( 'HS256' === $s['alg'] ) {
		$secret = (string) get_option( CERCLE_SECRET_OPTION, '' );
		if ( '' === $secret ) {
			return new WP_Error( 'cercle_no_secret', __( 'HS256 is chosen but no secret is saved.', 'cercle' ), array( 'status' => 500 ) );
		}
		$header = array( 'alg' => 'HS256', 'typ' => 'JWT' );
		if ( '' !== $s['hs256_kid'] ) {
			$header['kid'] = $s['hs256_kid'];
		}
		$data = cercle_b64url( wp_json_encode( $header ) ) . '.' . cercle_b64url( wp_json_encode( $claims, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ) );
		return $data . '.' . cercle_b64url( hash_hmac( 'sha256', $data, $secret, true ) );
	}
	$key     = cercle_keys()['current'];
	$private = cercle_b64url_decode( $key['private'] );
	if ( false === $private || SODIUM_CRYPTO_SIGN_SECRETKEYBYTES !== strlen( $private ) ) {
		return new WP_Error( 'cercle_bad_key', __( 'The stored signing key is damaged: make a new key pair on Settings → Cercle.', 'cercle' ), array( 'status' => 500 ) );
	}
	$header = array( 'alg' => 'EdDSA', 'typ' => 'JWT', 'kid' => $key['kid'] );
	$data   = cercle_b64url( wp_json_encode( $header ) ) . '.' . cercle_b64url( wp_json_encode( $claims, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE ) );
	$sig    = sodium_crypto_sign_detached( $data, $private );
	sodium_memzero( $private );
	return $data . '.' . cercle_b64url( $sig );
}
