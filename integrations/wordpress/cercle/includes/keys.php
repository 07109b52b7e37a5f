<?php
/** The site's Ed25519 key pairs: made with sodium, the private half kept in an option that is never autoloaded. */

defined( 'ABSPATH' ) || exit;

function cercle_b64url( $bytes ) {
	return rtrim( strtr( base64_encode( $bytes ), '+/', '-_' ), '=' );
}

function cercle_b64url_decode( $text ) {
	return base64_decode( strtr( $text, '-_', '+/' ), true );
}

/** A fresh key pair: the public JWK (its `kid` is the RFC 7638 thumbprint) and the private key, base64url. */
function cercle_new_key() {
	$pair   = sodium_crypto_sign_keypair();
	$x      = cercle_b64url( sodium_crypto_sign_publickey( $pair ) );
	$kid    = cercle_b64url( hash( 'sha256', '{"crv":"Ed25519","kty":"OKP","x":"' . $x . '"}', true ) );
	$secret = cercle_b64url( sodium_crypto_sign_secretkey( $pair ) );
	sodium_memzero( $pair );
	return array(
		'kid'     => $kid,
		'x'       => $x,
		'private' => $secret,
		'created' => time(),
	);
}

/**
 * The keys: `current` signs; `previous` (after a renewal) stays published so that tokens signed
 * just before keep verifying until they expire. Made on first use.
 */
function cercle_keys() {
	$keys = get_option( CERCLE_KEYS_OPTION );
	if ( ! is_array( $keys ) || empty( $keys['current']['private'] ) ) {
		$keys = array( 'current' => cercle_new_key(), 'previous' => null );
		// Autoload off: the private key is read only when a token is signed.
		if ( false === get_option( CERCLE_KEYS_OPTION ) ) {
			add_option( CERCLE_KEYS_OPTION, $keys, '', 'no' );
		} else {
			update_option( CERCLE_KEYS_OPTION, $keys, false );
		}
	}
	return $keys;
}

/** Replaces the signing key; the old public key stays in the JWKS until the next renewal. */
function cercle_renew_key() {
	$keys     = cercle_keys();
	$previous = $keys['current'];
	unset( $previous['private'] );
	update_option( CERCLE_KEYS_OPTION, array( 'current' => cercle_new_key(), 'previous' => $previous ), false );
}

/** The public JWK of a stored key. */
function cercle_public_jwk( array $key ) {
	return array(
		'kty' => 'OKP',
		'crv' => 'Ed25519',
		'x'   => $key['x'],
		'kid' => $key['kid'],
		'alg' => 'EdDSA',
		'use' => 'sig',
	);
}

/** The JWKS published at /wp-json/cercle/v1/jwks: public keys only. */
function cercle_jwks() {
	$keys = cercle_keys();
	$set  = array( cercle_public_jwk( $keys['current'] ) );
	if ( ! empty( $keys['previous']['x'] ) ) {
		$set[] = cercle_public_jwk( $keys['previous'] );
	}
	return array( 'keys' => $set );
}
