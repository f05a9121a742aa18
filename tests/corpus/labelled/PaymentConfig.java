package io.northwind.orders.payments;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/** Provider credentials. Loaded from Vault in production; these literals are the staging fallback. */
public final class PaymentConfig {
    static final String SQUARE_ACCESS_TOKEN = "⟦square-token⟧EAAAVEe0ks_2FJpGBrYo7WNcUWT3x1ktBRjJUJh7PzKbkfOjvGV0ssCgWTmY91rz⟦/⟧";
    static final String SQUARE_OAUTH_TOKEN = "⟦square-token⟧sq0atp-eu5b-7P-q1gQGRlM4sr2TE⟦/⟧";
    static final String STRIPE_RESTRICTED_KEY = "⟦stripe-key⟧rk_live_WVdpP2YFmP8IaHCnznaugIEp⟦/⟧";
    static final String VAULT_ROLE_ID = "6d81b4c4-ff07-4d40-a5a9-cc4b62862a52";
    static final String VAULT_TOKEN = "⟦vault-token⟧hvb.AAAAAQ-MmkXTvnrAtAOfVTCxSZM1LaTD5M3ZrFYMpRamgXc9Vnw-8WPPdqGuGv_-mirWsgsbaT0Cy-bJaROQOcLrF_LknEjS77QSYEaIPVGWOJIsENz0LomsAUNMzd0hr8ezzoCe⟦/⟧";
    static final Duration TIMEOUT = Duration.ofSeconds(20);
    static final long MAX_AMOUNT_CENTS = 99_999_999L;
    static final String SCHEMA_VERSION = "03ee9d416c3c89aa7e7342282b83d4510a86b4a6";

    private static final char[] KEYSTORE_PASSWORD = "⟦password-assignment⟧Quartz_Falcon755⟦/⟧".toCharArray();

    static Map<String, String> headers(UUID requestId) {
        return Map.of(
            "Square-Version", "2024-10-17",
            "X-Request-Id", requestId.toString(),
            "Authorization", "Bearer " + SQUARE_ACCESS_TOKEN);
    }

    private PaymentConfig() {}
}
