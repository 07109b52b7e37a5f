<?php
/** Settings → Cercle: the server, the site id, the signing key and the command that registers it. */

defined( 'ABSPATH' ) || exit;

function cercle_admin_menu() {
	add_options_page( __( 'Cercle', 'cercle' ), __( 'Cercle', 'cercle' ), 'manage_options', 'cercle', 'cercle_admin_page' );
}

function cercle_action_links( $links ) {
	array_unshift( $links, '<a href="' . esc_url( admin_url( 'options-general.php?page=cercle' ) ) . '">' . esc_html__( 'Settings', 'cercle' ) . '</a>' );
	return $links;
}

/** The site's origin (scheme, host, port), as the Cercle server compares it with the browser's `Origin`. */
function cercle_site_origin() {
	$p = wp_parse_url( home_url() );
	return $p['scheme'] . '://' . $p['host'] . ( isset( $p['port'] ) ? ':' . $p['port'] : '' );
}

/** A shell argument in double quotes when it needs them. */
function cercle_shell_arg( $value ) {
	return preg_match( '/^[A-Za-z0-9_.:\/@=+,-]+$/', $value ) ? $value : '"' . addcslashes( $value, '"\\$`' ) . '"';
}

/** The commands to run where the Cercle server runs. */
function cercle_commands( array $s ) {
	$site = '' !== $s['site_id'] ? $s['site_id'] : 'SITE-ID';
	$jwks = rest_url( 'cercle/v1/jwks' );
	return array(
		'add'     => 'cercle site add --name ' . cercle_shell_arg( wp_specialchars_decode( get_bloginfo( 'name' ), ENT_QUOTES ) ?: $site )
			. ' --id ' . $site . ' --origin ' . cercle_shell_arg( cercle_site_origin() )
			. ' --login-url ' . cercle_shell_arg( wp_login_url() ) . ' --alg EdDSA --jwks-url ' . cercle_shell_arg( $jwks ),
		'add-key' => 'cercle site add-key ' . $site . ' --alg EdDSA --jwks-url ' . cercle_shell_arg( $jwks ),
		'webhook' => 'cercle webhook add ' . $site . ' --url ' . cercle_shell_arg( cercle_notification_url() )
			. ' --event notification.created --event notification.digest',
	);
}

/**
 * Asks the Cercle server about this site: `site` is `found`, `missing` or `unreachable`; `token` is
 * `accepted`, `refused` (with the server's reason code) or `unknown`. The token check signs one for
 * the administrator looking at the page, as the widgets would.
 */
function cercle_check_server( array $s ) {
	$out = array( 'site' => 'unreachable', 'token' => 'unknown', 'detail' => '' );
	if ( '' === $s['server_url'] || '' === $s['site_id'] ) {
		return $out;
	}
	$base = $s['server_url'] . '/v1/sites/' . rawurlencode( $s['site_id'] );
	$res  = wp_remote_get( $base, array( 'timeout' => 5 ) );
	if ( is_wp_error( $res ) ) {
		$out['detail'] = $res->get_error_message();
		return $out;
	}
	$code = wp_remote_retrieve_response_code( $res );
	if ( 404 === $code ) {
		$out['site'] = 'missing';
		return $out;
	}
	if ( 200 !== $code ) {
		$out['detail'] = 'HTTP ' . $code;
		return $out;
	}
	$out['site'] = 'found';
	$token       = cercle_sign( cercle_claims( wp_get_current_user() ) );
	if ( is_wp_error( $token ) ) {
		$out['detail'] = $token->get_error_message();
		return $out;
	}
	$me = wp_remote_get( $base . '/auth/check', array( 'timeout' => 8, 'headers' => array( 'Authorization' => 'Bearer ' . $token ) ) );
	if ( is_wp_error( $me ) ) {
		$out['detail'] = $me->get_error_message();
		return $out;
	}
	if ( 200 === wp_remote_retrieve_response_code( $me ) ) {
		$out['token'] = 'accepted';
	} else {
		$problem       = json_decode( wp_remote_retrieve_body( $me ), true );
		$out['token']  = 'refused';
		$out['detail'] = is_array( $problem ) && isset( $problem['code'] ) ? $problem['code'] . ( isset( $problem['title'] ) ? ': ' . $problem['title'] : '' ) : 'HTTP ' . wp_remote_retrieve_response_code( $me );
	}
	return $out;
}

function cercle_admin_page() {
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_die( esc_html__( 'You may not change these settings.', 'cercle' ), 403 );
	}
	$s        = cercle_settings();
	$keys     = cercle_keys();
	$commands = cercle_commands( $s );
	$check    = 'EdDSA' === $s['alg'] ? cercle_check_server( $s ) : null;
	$errors   = get_transient( 'cercle_errors_' . get_current_user_id() );
	delete_transient( 'cercle_errors_' . get_current_user_id() );
	$has_secret = '' !== (string) get_option( CERCLE_SECRET_OPTION, '' );
	$has_hook   = '' !== (string) get_option( CERCLE_WEBHOOK_SECRET_OPTION, '' );
	?>
	<div class="wrap">
		<h1><?php esc_html_e( 'Cercle', 'cercle' ); ?></h1>
		<?php if ( is_array( $errors ) && $errors ) : ?>
			<div class="notice notice-error" role="alert"><?php foreach ( $errors as $e ) : ?><p><?php echo esc_html( $e ); ?></p><?php endforeach; ?></div>
		<?php elseif ( isset( $_GET['saved'] ) ) : // phpcs:ignore WordPress.Security.NonceVerification -- display only. ?>
			<div class="notice notice-success"><p><?php esc_html_e( 'Settings saved.', 'cercle' ); ?></p></div>
		<?php endif; ?>

		<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
			<input type="hidden" name="action" value="cercle_save">
			<?php wp_nonce_field( 'cercle_save' ); ?>
			<table class="form-table" role="presentation">
				<tr>
					<th scope="row"><label for="cercle-server-url"><?php esc_html_e( 'Cercle server address', 'cercle' ); ?></label></th>
					<td><input type="url" class="regular-text code" id="cercle-server-url" name="cercle[server_url]" value="<?php echo esc_attr( $s['server_url'] ); ?>" placeholder="https://cercle.example.org">
					<p class="description"><?php esc_html_e( 'Where your association runs `cercle serve`; the widgets load their script from it.', 'cercle' ); ?></p></td>
				</tr>
				<tr>
					<th scope="row"><label for="cercle-site-id"><?php esc_html_e( 'Site id', 'cercle' ); ?></label></th>
					<td><input type="text" class="regular-text code" id="cercle-site-id" name="cercle[site_id]" value="<?php echo esc_attr( $s['site_id'] ); ?>" placeholder="my-association" pattern="[a-z0-9][a-z0-9\-]*[a-z0-9]">
					<p class="description"><?php esc_html_e( 'The id this site has on the Cercle server (a-z, 0-9, -).', 'cercle' ); ?></p></td>
				</tr>
				<tr>
					<th scope="row"><?php esc_html_e( 'Signing', 'cercle' ); ?></th>
					<td><fieldset>
						<label><input type="radio" name="cercle[alg]" value="EdDSA" <?php checked( $s['alg'], 'EdDSA' ); ?>> <?php esc_html_e( 'Ed25519 key pair made here (recommended: the private key never leaves this site, no secret to copy)', 'cercle' ); ?></label><br>
						<label><input type="radio" name="cercle[alg]" value="HS256" <?php checked( $s['alg'], 'HS256' ); ?>> <?php esc_html_e( 'HS256 with the secret the Cercle server printed', 'cercle' ); ?></label>
					</fieldset></td>
				</tr>
				<tr class="cercle-hs256">
					<th scope="row"><label for="cercle-secret"><?php esc_html_e( 'HS256 secret', 'cercle' ); ?></label></th>
					<td><input type="password" class="regular-text code" id="cercle-secret" name="cercle_secret" value="" autocomplete="off" placeholder="<?php echo $has_secret ? esc_attr__( '(saved; leave empty to keep it)', 'cercle' ) : ''; ?>">
					<label for="cercle-kid"><?php esc_html_e( 'Key id', 'cercle' ); ?></label> <input type="text" class="code" id="cercle-kid" name="cercle[hs256_kid]" value="<?php echo esc_attr( $s['hs256_kid'] ); ?>">
					<p class="description"><?php esc_html_e( 'Paste the secret exactly as printed; it is used as that text.', 'cercle' ); ?></p></td>
				</tr>
				<tr>
					<th scope="row"><label for="cercle-role-map"><?php esc_html_e( 'Roles', 'cercle' ); ?></label></th>
					<td><textarea class="large-text code" rows="3" id="cercle-role-map" name="cercle[role_map]"><?php echo esc_textarea( $s['role_map'] ); ?></textarea>
					<p class="description"><?php esc_html_e( 'One line per capability: "capability = moderator" or "= admin". Every signed-in user is a member.', 'cercle' ); ?></p></td>
				</tr>
				<tr>
					<th scope="row"><label for="cercle-chapters-meta"><?php esc_html_e( 'Chapters field', 'cercle' ); ?></label></th>
					<td><input type="text" class="regular-text code" id="cercle-chapters-meta" name="cercle[chapters_meta]" value="<?php echo esc_attr( $s['chapters_meta'] ); ?>">
					<p class="description"><?php esc_html_e( 'The user meta key that holds a member\'s chapter ids (comma-separated or a list).', 'cercle' ); ?></p></td>
				</tr>
				<tr>
					<th scope="row"><label for="cercle-webhook-secret"><?php esc_html_e( 'Notifications webhook secret', 'cercle' ); ?></label></th>
					<td><input type="password" class="regular-text code" id="cercle-webhook-secret" name="cercle_webhook_secret" value="" autocomplete="off" aria-describedby="cercle-webhook-help" placeholder="<?php echo $has_hook ? esc_attr__( '(saved; leave empty to keep it)', 'cercle' ) : 'whsec_…'; ?>">
					<p class="description" id="cercle-webhook-help"><?php esc_html_e( 'To mail members their Cercle notifications with WordPress: run this where the Cercle server runs, then paste the signing secret it prints.', 'cercle' ); ?></p>
					<pre class="cercle-command" id="cercle-add-webhook"><code><?php echo esc_html( $commands['webhook'] ); ?></code></pre></td>
				</tr>
				<tr>
					<th scope="row"><?php esc_html_e( 'Comments', 'cercle' ); ?></th>
					<td><label><input type="checkbox" name="cercle[replace_comments]" value="1" <?php checked( $s['replace_comments'] ); ?>> <?php esc_html_e( 'Show the Cercle discussion under every post instead of WordPress comments (native comments are closed)', 'cercle' ); ?></label></td>
				</tr>
			</table>
			<?php submit_button(); ?>
		</form>

		<?php if ( 'EdDSA' === $s['alg'] ) : ?>
		<h2 id="cercle-register"><?php esc_html_e( 'Register this site on the Cercle server', 'cercle' ); ?></h2>
		<p><?php echo esc_html( sprintf( /* translators: %s: key id */ __( 'Signing key %s. Its public half is published at:', 'cercle' ), $keys['current']['kid'] ) ); ?>
			<a href="<?php echo esc_url( rest_url( 'cercle/v1/jwks' ) ); ?>"><code><?php echo esc_html( rest_url( 'cercle/v1/jwks' ) ); ?></code></a></p>
		<?php if ( $check && 'found' !== $check['site'] ) : ?>
			<p><?php echo 'missing' === $check['site'] ? esc_html__( 'The Cercle server does not know this site yet. Run, where it runs:', 'cercle' ) : esc_html__( 'If the site is not registered yet, run, where the Cercle server runs:', 'cercle' ); ?></p>
			<pre class="cercle-command" id="cercle-add-site"><code><?php echo esc_html( $commands['add'] ); ?></code></pre>
			<p><?php esc_html_e( 'If it is registered already, add this site\'s key instead:', 'cercle' ); ?></p>
		<?php else : ?>
			<p><?php esc_html_e( 'Run, where the Cercle server runs:', 'cercle' ); ?></p>
		<?php endif; ?>
		<pre class="cercle-command" id="cercle-add-key"><code><?php echo esc_html( $commands['add-key'] ); ?></code></pre>
		<p id="cercle-status" role="status"><strong><?php esc_html_e( 'Status:', 'cercle' ); ?></strong>
		<?php
		if ( ! cercle_is_configured() ) {
			esc_html_e( 'set the server address and the site id, then save.', 'cercle' );
		} elseif ( 'unreachable' === $check['site'] ) {
			echo esc_html( sprintf( /* translators: %s: error */ __( 'the Cercle server does not answer (%s).', 'cercle' ), $check['detail'] ) );
		} elseif ( 'missing' === $check['site'] ) {
			esc_html_e( 'the site is not registered on the Cercle server.', 'cercle' );
		} elseif ( 'accepted' === $check['token'] ) {
			esc_html_e( 'the Cercle server accepts this site\'s tokens. Members can take part.', 'cercle' );
		} else {
			echo esc_html( sprintf( /* translators: %s: reason */ __( 'the Cercle server refuses this site\'s tokens (%s): run the command above, then reload this page.', 'cercle' ), $check['detail'] ) );
		}
		?>
		</p>
		<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
			<input type="hidden" name="action" value="cercle_new_key">
			<?php wp_nonce_field( 'cercle_new_key' ); ?>
			<?php submit_button( __( 'Make a new key pair', 'cercle' ), 'secondary', 'submit', false ); ?>
			<span class="description"><?php esc_html_e( 'The previous public key stays published, so tokens signed just before keep working.', 'cercle' ); ?></span>
		</form>
		<?php endif; ?>
		<h2><?php esc_html_e( 'Place the widgets', 'cercle' ); ?></h2>
		<p><code>[cercle_discussion]</code> <code>[cercle_events chapter="…"]</code> <code>[cercle_member id="…"]</code> <code>[cercle_badge]</code> <code>[cercle_moderation]</code> <code>[cercle_notifications]</code></p>
	</div>
	<?php
}

function cercle_admin_save() {
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_die( esc_html__( 'You may not change these settings.', 'cercle' ), 403 );
	}
	check_admin_referer( 'cercle_save' );
	$input = isset( $_POST['cercle'] ) && is_array( $_POST['cercle'] ) ? wp_unslash( $_POST['cercle'] ) : array(); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- checked field by field.
	list( $settings, $errors ) = cercle_sanitize_settings( $input, cercle_settings() );
	$secret = isset( $_POST['cercle_secret'] ) ? trim( (string) wp_unslash( $_POST['cercle_secret'] ) ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- a secret, kept as typed.
	if ( '' !== $secret ) {
		if ( strlen( $secret ) < 32 || strlen( $secret ) > 512 || preg_match( '/\s/', $secret ) ) {
			$errors[] = __( 'The HS256 secret looks wrong: paste it as printed (at least 32 characters, no spaces).', 'cercle' );
		} elseif ( false === get_option( CERCLE_SECRET_OPTION ) ) {
			add_option( CERCLE_SECRET_OPTION, $secret, '', 'no' );
		} else {
			update_option( CERCLE_SECRET_OPTION, $secret, false );
		}
	}
	$hook = isset( $_POST['cercle_webhook_secret'] ) ? trim( (string) wp_unslash( $_POST['cercle_webhook_secret'] ) ) : ''; // phpcs:ignore WordPress.Security.ValidatedSanitizedInput -- a secret, kept as typed.
	if ( '' !== $hook ) {
		if ( ! preg_match( '/^whsec_[A-Za-z0-9_-]{20,200}$/', $hook ) ) {
			$errors[] = __( 'The webhook secret looks wrong: paste it as `cercle webhook add` printed it (whsec_…).', 'cercle' );
		} elseif ( false === get_option( CERCLE_WEBHOOK_SECRET_OPTION ) ) {
			add_option( CERCLE_WEBHOOK_SECRET_OPTION, $hook, '', 'no' );
		} else {
			update_option( CERCLE_WEBHOOK_SECRET_OPTION, $hook, false );
		}
	}
	if ( 'HS256' === $settings['alg'] && '' === (string) get_option( CERCLE_SECRET_OPTION, '' ) ) {
		$errors[]        = __( 'HS256 needs the secret: paste it, or keep the Ed25519 key pair.', 'cercle' );
		$settings['alg'] = 'EdDSA';
	}
	update_option( CERCLE_OPTION, $settings );
	if ( $errors ) {
		set_transient( 'cercle_errors_' . get_current_user_id(), $errors, 300 );
	}
	wp_safe_redirect( admin_url( 'options-general.php?page=cercle' . ( $errors ? '' : '&saved=1' ) ) );
	exit;
}

function cercle_admin_new_key() {
	if ( ! current_user_can( 'manage_options' ) ) {
		wp_die( esc_html__( 'You may not change these settings.', 'cercle' ), 403 );
	}
	check_admin_referer( 'cercle_new_key' );
	cercle_renew_key();
	wp_safe_redirect( admin_url( 'options-general.php?page=cercle&saved=1' ) );
	exit;
}
