<?php
/** Public REST routes: the JWKS the Cercle server reads, and the token the widgets fetch. */

defined( 'ABSPATH' ) || exit;

function cercle_register_routes() {
	register_rest_route(
		'cercle/v1',
		'/jwks',
		array(
			'methods'             => 'GET',
			'callback'            => 'cercle_rest_jwks',
			'permission_callback' => '__return_true',
		)
	);
	register_rest_route(
		'cercle/v1',
		'/token',
		array(
			'methods'             => 'GET',
			'callback'            => 'cercle_rest_token',
			// Anyone may ask: a signed-out reader gets 204, which the widgets read as "nobody signed in".
			'permission_callback' => '__return_true',
		)
	);
}

function cercle_rest_jwks() {
	$res = new WP_REST_Response( cercle_jwks(), 200 );
	$res->header( 'Cache-Control', 'public, max-age=300' );
	return $res;
}

/**
 * The signed-in user's token, as `{ "token": "…" }`. WordPress identifies the user from the login
 * cookie only with the REST nonce (`_wpnonce`, which the printed `token-url` carries): without it
 * the request counts as signed out.
 */
function cercle_rest_token() {
	$user = wp_get_current_user();
	if ( ! $user || ! $user->exists() ) {
		$res = new WP_REST_Response( null, 204 );
	} elseif ( ! cercle_is_configured() ) {
		$res = new WP_REST_Response(
			array( 'code' => 'cercle_not_configured', 'message' => __( 'Cercle is not configured yet (Settings → Cercle).', 'cercle' ) ),
			503
		);
	} else {
		$token = cercle_sign( cercle_claims( $user ) );
		$res   = is_wp_error( $token )
			? new WP_REST_Response( array( 'code' => $token->get_error_code(), 'message' => $token->get_error_message() ), 500 )
			: new WP_REST_Response( array( 'token' => $token ), 200 );
	}
	$res->header( 'Cache-Control', 'no-store' );
	return $res;
}
