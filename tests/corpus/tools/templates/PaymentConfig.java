package io.northwind.orders.payments;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** Provider credentials. Loaded from Vault in production; these literals are the staging fallback. */
public final class PaymentConfig {
    static final String SQUARE_ACCESS_TOKEN = "⟦square-token⟧{{square}}⟦/⟧";
    static final String SQUARE_OAUTH_TOKEN = "⟦square-token⟧{{square:sq0atp}}⟦/⟧";
    static final String STRIPE_RESTRICTED_KEY = "⟦stripe-key⟧{{stripe-short:rk_live}}⟦/⟧";
    static final String VAULT_ROLE_ID = "{{uuid}}";
    static final String VAULT_TOKEN = "⟦vault-token⟧{{vault:hvb}}⟦/⟧";
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final long MAX_AMOUNT_CENTS = 99_999_999L;
    static final String SCHEMA_VERSION = "{{sha1}}";

    private static final char[] KEYSTORE_PASSWORD = "⟦password-assignment⟧{{password}}⟦/⟧".toCharArray();

    static Map<String, String> headers(UUID requestId) {
        return Map.of(
            "Square-Version", "2024-10-17",
            "X-Request-Id", requestId.toString(),
            "Authorization", "Bearer " + SQUARE_ACCESS_TOKEN);
    }

    private PaymentConfig() {}
}
