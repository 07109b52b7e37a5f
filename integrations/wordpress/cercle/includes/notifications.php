<?php
/**
 * Notifications by mail through WordPress: the Cercle server sends signed webhooks
 * (`notification.created`, `notification.digest`) to a REST route here, and the plugin mails them
 * with `wp_mail` to the WordPress user they are for (the token's `sub` is the user ID). Cercle holds
 * no address; the member may turn these mails off on their WordPress profile.
 */

defined( 'ABSPATH' ) || exit;

/** The webhook's signing secret, as `cercle webhook add` printed it (never autoloaded). */
const CERCLE_WEBHOOK_SECRET_OPTION = 'cercle_webhook_secret';
/** User meta: `off` when the member turned Cercle's mails off on their profile. */
const CERCLE_MAIL_META = 'cercle_notification_mail';
/** A signature older (or newer) than this many seconds is refused, so that a captured request cannot be replayed later. */
const CERCLE_WEBHOOK_TOLERANCE = 300;

/** The route the Cercle server posts to. */
function cercle_notification_routes() {
	register_rest_route(
		'cercle/v1',
		'/notifications',
		array(
			'methods'             => 'POST',
			'callback'            => 'cercle_rest_notification',
			// Anyone may post: the signature, checked first thing in the callback, says whether Cercle sent it.
			'permission_callback' => '__return_true',
		)
	);
}

/** The address to give `cercle webhook add --url`. */
function cercle_notification_url() {
	return rest_url( 'cercle/v1/notifications' );
}

/**
 * Checks a `Cercle-Signature` header (`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`) in
 * constant time, within the tolerance.
 */
function cercle_verify_signature( $secret, $body, $header, $now = null ) {
	$now   = $now ?? time();
	$parts = array();
	foreach ( explode( ',', (string) $header ) as $part ) {
		$kv = explode( '=', trim( $part ), 2 );
		if ( 2 === count( $kv ) ) {
			$parts[ $kv[0] ] = $kv[1];
		}
	}
	if ( ! isset( $parts['t'], $parts['v1'] ) || ! preg_match( '/^\d{1,12}$/', $parts['t'] ) || ! preg_match( '/^[0-9a-f]{64}$/', $parts['v1'] ) ) {
		return false;
	}
	if ( abs( $now - (int) $parts['t'] ) > CERCLE_WEBHOOK_TOLERANCE ) {
		return false;
	}
	return hash_equals( hash_hmac( 'sha256', $parts['t'] . '.' . $body, $secret ), $parts['v1'] );
}

/** A JSON answer the Cercle server logs with the delivery (a 2xx ends it; anything else is retried). */
function cercle_notification_answer( $status, array $body ) {
	$res = new WP_REST_Response( $body, $status );
	$res->header( 'Cache-Control', 'no-store' );
	return $res;
}

/** The few words the plugin adds to each mail, in the member's language (the server wrote the rest in it). */
function cercle_mail_footer( $lang, $site, $profile ) {
	$words = array(
		'en' => "You receive this e-mail because you are a member of %1\$s.\nTo stop these e-mails, untick \"Cercle notifications by e-mail\" on your profile: %2\$s",
		'fr' => "Vous recevez cet e-mail en tant que membre de %1\$s.\nPour ne plus les recevoir, décochez « Notifications Cercle par e-mail » sur votre profil : %2\$s",
		'de' => "Sie erhalten diese E-Mail als Mitglied von %1\$s.\nUm sie abzubestellen, entfernen Sie „Cercle-Benachrichtigungen per E-Mail“ in Ihrem Profil: %2\$s",
		'es' => "Recibe este correo como miembro de %1\$s.\nPara dejar de recibirlos, desmarque «Notificaciones de Cercle por correo» en su perfil: %2\$s",
	);
	return sprintf( $words[ $lang ] ?? $words['en'], $site, $profile );
}

/** The member's language: the payload's, else their WordPress locale's, else English. */
function cercle_mail_language( $payload_lang, WP_User $user ) {
	$supported = array( 'en', 'fr', 'de', 'es' );
	if ( is_string( $payload_lang ) && in_array( $payload_lang, $supported, true ) ) {
		return $payload_lang;
	}
	$lang = strtolower( strtok( get_user_locale( $user ), '_' ) );
	return in_array( $lang, $supported, true ) ? $lang : 'en';
}

/** One line of text for a mail header: no line breaks (no header injection), trimmed and bounded. */
function cercle_header_text( $text ) {
	return mb_substr( trim( preg_replace( '/[\r\n\t]+/', ' ', (string) $text ) ), 0, 200 );
}

/**
 * Receives a notification from the Cercle server and mails it. Answers 401 for a bad signature,
 * 503 when no secret is saved (Cercle retries later), 400 for a payload that is not one; 200 once
 * handled — mailed, or deliberately not (unknown user, no address, mails turned off, seen already),
 * so that Cercle does not retry what will never be sent; 500 when `wp_mail` fails (Cercle retries).
 */
function cercle_rest_notification( WP_REST_Request $request ) {
	$secret = (string) get_option( CERCLE_WEBHOOK_SECRET_OPTION, '' );
	if ( '' === $secret ) {
		return cercle_notification_answer( 503, array( 'code' => 'cercle_no_webhook_secret', 'message' => 'No webhook secret is saved on Settings → Cercle.' ) );
	}
	$body = $request->get_body();
	if ( ! cercle_verify_signature( $secret, $body, $request->get_header( 'cercle_signature' ) ) ) {
		return cercle_notification_answer( 401, array( 'code' => 'cercle_bad_signature', 'message' => 'The Cercle-Signature header is missing, stale or wrong.' ) );
	}
	$payload = json_decode( $body, true );
	$type    = is_array( $payload ) ? ( $payload['type'] ?? '' ) : '';
	$data    = is_array( $payload ) && is_array( $payload['data'] ?? null ) ? $payload['data'] : null;
	if ( ! $data || ! in_array( $type, array( 'notification.created', 'notification.digest' ), true ) ) {
		// Signed by Cercle, but not an event this route handles (the webhook was registered for more): nothing to do.
		return cercle_notification_answer( 200, array( 'sent' => false, 'reason' => 'not_a_notification' ) );
	}
	if ( ( $payload['site'] ?? '' ) !== cercle_settings()['site_id'] ) {
		return cercle_notification_answer( 400, array( 'code' => 'cercle_wrong_site', 'message' => 'This notification is for another site.' ) );
	}
	$member  = is_array( $data['member'] ?? null ) ? $data['member'] : array();
	$subject = cercle_header_text( $data['subject'] ?? '' );
	$text    = is_string( $data['text'] ?? null ) ? $data['text'] : '';
	if ( ! preg_match( '/^[1-9]\d{0,19}$/', (string) ( $member['id'] ?? '' ) ) || '' === $subject || '' === $text ) {
		return cercle_notification_answer( 400, array( 'code' => 'cercle_bad_payload', 'message' => 'A notification needs member.id, subject and text.' ) );
	}

	// A delivery Cercle retries (its answer was lost) is mailed once.
	$seen = 'cercle_wh_' . md5( (string) ( $payload['id'] ?? $body ) );
	if ( get_transient( $seen ) ) {
		return cercle_notification_answer( 200, array( 'sent' => false, 'reason' => 'duplicate' ) );
	}

	$user = get_user_by( 'id', (int) $member['id'] );
	if ( ! $user ) {
		return cercle_notification_answer( 200, array( 'sent' => false, 'reason' => 'unknown_user' ) );
	}
	if ( ! is_email( $user->user_email ) ) {
		return cercle_notification_answer( 200, array( 'sent' => false, 'reason' => 'no_email' ) );
	}
	if ( 'off' === get_user_meta( $user->ID, CERCLE_MAIL_META, true ) ) {
		return cercle_notification_answer( 200, array( 'sent' => false, 'reason' => 'opted_out' ) );
	}

	$lang    = cercle_mail_language( $member['language'] ?? null, $user );
	$profile = admin_url( 'profile.php#cercle-notifications' );
	$site    = wp_specialchars_decode( get_bloginfo( 'name' ), ENT_QUOTES );
	$message = rtrim( $text ) . "\n\n-- \n" . cercle_mail_footer( $lang, $site, $profile ) . "\n";
	$headers = array(
		'Content-Type: text/plain; charset=UTF-8',
		'Content-Language: ' . $lang,
		'Auto-Submitted: auto-generated',
		'List-Unsubscribe: <' . esc_url_raw( $profile ) . '>',
	);
	/** Filters a notification mail before it is sent: [to, subject, message, headers], the payload's data and the user. */
	$mail = apply_filters( 'cercle_notification_mail', array( $user->user_email, $subject, $message, $headers ), $data, $user, $type );
	if ( ! is_array( $mail ) || ! wp_mail( $mail[0], $mail[1], $mail[2], $mail[3] ) ) {
		return cercle_notification_answer( 500, array( 'code' => 'cercle_mail_failed', 'message' => 'WordPress could not send the mail.' ) );
	}
	set_transient( $seen, 1, DAY_IN_SECONDS );
	return cercle_notification_answer( 200, array( 'sent' => true ) );
}

/** On the member's profile: whether Cercle's notifications reach them by e-mail. */
function cercle_profile_mail_field( WP_User $user ) {
	if ( ! cercle_is_configured() ) {
		return;
	}
	$on = 'off' !== get_user_meta( $user->ID, CERCLE_MAIL_META, true );
	?>
	<h2 id="cercle-notifications"><?php esc_html_e( 'Cercle notifications', 'cercle' ); ?></h2>
	<table class="form-table" role="presentation">
		<tr>
			<th scope="row"><?php esc_html_e( 'E-mail', 'cercle' ); ?></th>
			<td><label for="cercle-notification-mail"><input type="checkbox" id="cercle-notification-mail" name="cercle_notification_mail" value="1" <?php checked( $on ); ?>> <?php esc_html_e( 'Cercle notifications by e-mail', 'cercle' ); ?></label>
			<p class="description"><?php esc_html_e( 'Replies, mentions and event news from the member discussions, at the frequency chosen in the notifications panel.', 'cercle' ); ?></p>
			<?php wp_nonce_field( 'cercle_profile_' . $user->ID, 'cercle_profile_nonce' ); ?></td>
		</tr>
	</table>
	<?php
}

function cercle_profile_mail_save( $user_id ) {
	if ( ! current_user_can( 'edit_user', $user_id ) || ! isset( $_POST['cercle_profile_nonce'] ) ) {
		return;
	}
	if ( ! wp_verify_nonce( sanitize_text_field( wp_unslash( $_POST['cercle_profile_nonce'] ) ), 'cercle_profile_' . $user_id ) ) {
		return;
	}
	if ( empty( $_POST['cercle_notification_mail'] ) ) {
		update_user_meta( $user_id, CERCLE_MAIL_META, 'off' );
	} else {
		delete_user_meta( $user_id, CERCLE_MAIL_META );
	}
}
