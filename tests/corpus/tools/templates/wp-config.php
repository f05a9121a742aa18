<?php
/**
 * WordPress configuration for shop.northwind-retail.io (production).
 */
define( 'DB_NAME', 'wp_shop' );
define( 'DB_USER', 'wp_shop' );
define( 'DB_PASSWORD', '⟦password-assignment⟧{{password}}⟦/⟧' );
define( 'DB_HOST', 'mysql.internal:3306' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );

define( 'AUTH_KEY',         '⟦password-assignment⟧{{opaque:64}}⟦/⟧' );
define( 'SECURE_AUTH_KEY',  '⟦password-assignment⟧{{opaque:64}}⟦/⟧' );
define( 'LOGGED_IN_KEY',    '⟦password-assignment⟧{{opaque:64}}⟦/⟧' );
define( 'NONCE_KEY',        '⟦password-assignment⟧{{opaque:64}}⟦/⟧' );

define( 'WP_REDIS_PASSWORD', '⟦password-assignment⟧{{password}}⟦/⟧' );
define( 'WPMS_SMTP_PASS', '⟦sendgrid-key⟧{{sendgrid}}⟦/⟧' );
define( 'STRIPE_LIVE_SECRET', '⟦stripe-key⟧{{stripe:sk_live}}⟦/⟧' );

$table_prefix = 'wp_';
define( 'WP_DEBUG', false );
define( 'WP_CACHE_KEY_SALT', 'shop.northwind-retail.io' );
define( 'FS_METHOD', 'direct' );

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
