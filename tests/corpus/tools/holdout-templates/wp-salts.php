<?php
define( 'DB_NAME', 'wp_blog' );
define( 'DB_USER', 'wp_blog' );
define( 'DB_PASSWORD', '⟦password-assignment⟧{{password}}⟦/⟧' );
define( 'DB_HOST', 'localhost' );
define( 'DB_CHARSET', 'utf8mb4' );

define( 'AUTH_KEY',         '⟦password-assignment⟧k#7Yv]q2@Lm!xR8^fW3$zN0&pT5*hJ9(sB4)gD6+cE1⟦/⟧' );
define( 'SECURE_AUTH_KEY',  '⟦password-assignment⟧Q9|uV2~mK7<rX4>tP1{wZ8}yL3[nH6]jF0=aS5-dG2_b⟦/⟧' );
define( 'LOGGED_IN_KEY',    '⟦password-assignment⟧2Hx!9Lq@4Wv#7Ze$1Rn%5Ty^8Uj&3Ik*6Op(0As)Df_Gh⟦/⟧' );
define( 'NONCE_KEY',        '⟦password-assignment⟧m3N.b6V,c9X;z2L:k5J?h8G/f1D\s4A|p7O[i0U]y3T{⟦/⟧' );
define( 'AUTH_SALT',        '⟦password-assignment⟧R5t^Y8u&I1o*P4a(S7d)F0g_H3j+K6l=Z9x~C2v`B5n!⟦/⟧' );
define( 'SECURE_AUTH_SALT', '⟦password-assignment⟧w8E@r1T#y4U$i7O%p0A^s3D&f6G*h9J(k2L)z5X-c8V_⟦/⟧' );
define( 'LOGGED_IN_SALT',   '⟦password-assignment⟧F4g!H7j@K0l#Z3x$C6v%B9n^M2q&W5e*R8t(Y1u)I4o+⟦/⟧' );
define( 'NONCE_SALT',       '⟦password-assignment⟧a1S-d4F_g7H=j0K+l3Z~x6C`v9B!n2M@q5W#e8R$t1Y%⟦/⟧' );

$table_prefix = 'wp_';
define( 'WP_DEBUG', false );
define( 'WP_CACHE_KEY_SALT', 'blog.example.org' );
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
