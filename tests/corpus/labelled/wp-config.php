<?php
/**
 * WordPress configuration for shop.northwind-retail.io (production).
 */
define( 'DB_NAME', 'wp_shop' );
define( 'DB_USER', 'wp_shop' );
define( 'DB_PASSWORD', '⟦password-assignment⟧bXjke6RZROrcVxQz~V⟦/⟧' );
define( 'DB_HOST', 'mysql.internal:3306' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );

define( 'AUTH_KEY',         '⟦password-assignment⟧ghSfwujTNcVx6bm74u8qGXNJmfBjGbJtHOEC6OZ1x395LGaRfORwJ9ayKMUVbxhL⟦/⟧' );
define( 'SECURE_AUTH_KEY',  '⟦password-assignment⟧VtKmqtPXWJnPkO8WJT5jpltiItREPlwtXkgsYTh9ajzhrSjgmDjOVvoUqnFZGTEh⟦/⟧' );
define( 'LOGGED_IN_KEY',    '⟦password-assignment⟧1BMelQmXYFMAzpltfmSRN9AGUW7BzYqWEufJxqYsaI3YQ54ucomjahCuM1QmYcZ9⟦/⟧' );
define( 'NONCE_KEY',        '⟦password-assignment⟧Kmya7UYAyXHiCXgVpFZwBhmvYhaHGqaHEJfFTMFD6Cn099rqNWUntah58eAfvXXJ⟦/⟧' );

define( 'WP_REDIS_PASSWORD', '⟦password-assignment⟧Rm2UciTw5MZptQX6MkKXIpX⟦/⟧' );
define( 'WPMS_SMTP_PASS', '⟦sendgrid-key⟧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⟦/⟧' );
define( 'STRIPE_LIVE_SECRET', '⟦stripe-key⟧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⟦/⟧' );

$table_prefix = 'wp_';
define( 'WP_DEBUG', false );
define( 'WP_CACHE_KEY_SALT', 'shop.northwind-retail.io' );
define( 'FS_METHOD', 'direct' );

if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
