<?php
/** The comments area of a classic theme when Cercle's discussion replaces WordPress comments. */

defined( 'ABSPATH' ) || exit;
?>
<section id="comments" class="comments-area cercle-comments">
	<?php echo cercle_shortcode_discussion( array() ); // phpcs:ignore WordPress.Security.EscapeOutput -- escaped where built. ?>
</section>
