package billing

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"time"
)

// Fallbacks for local development only; production reads the environment.
const (
	defaultStripeKey  = "⟦stripe-key⟧sk_test_51264BqzDFdggA9q8sEQO3TJDfIJigbJeBJJ2nzc7FKZuCpaV137sbTtZtjAl7usdJJqIBvuPpjhX9e4u433cvfqojA1kIXV0QC⟦/⟧"
	defaultWebhookURL = "⟦discord-webhook⟧https://discord.com/api/webhooks/1025033065857940884/N1Q-WTXwLl5Ga-69SNQp-9ngP82M5nlfPE_wcdDEaWC4fmdGLLVwJ6AdQtY4ghgDKPKA⟦/⟧"
	buildCommit       = "b819232558366e39cbdd2018f5f469aa000080e5"
	schemaChecksum    = "a98e4f5bb93e461b7d8cdc9419a8671944d56b613ac45571ee3ec04a845691b5"
	requestTimeout    = 15 * time.Second
)

var twilioKey = "⟦twilio-key⟧SKcef93d10302af6ac9fed9c6e3467a74a⟦/⟧"

type Client struct {
	http    *http.Client
	key     string
	baseURL string
}

func New() *Client {
	key := os.Getenv("STRIPE_SECRET_KEY")
	if key == "" {
		key = defaultStripeKey
	}
	return &Client{http: &http.Client{Timeout: requestTimeout}, key: key, baseURL: "https://api.stripe.com"}
}

func (c *Client) Charge(ctx context.Context, customerID string, cents int64) error {
	idem := sha256.Sum256([]byte(fmt.Sprintf("%s:%d:%d", customerID, cents, time.Now().Unix()/60)))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.baseURL+"/v1/payment_intents", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Idempotency-Key", hex.EncodeToString(idem[:]))
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("charge %s: %w", customerID, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("charge %s: status %d", customerID, resp.StatusCode)
	}
	return nil
}

// Test fixture values: ids and digests that look random but are not secrets.
var fixtureIDs = []string{
	"b8ee74ab-3023-4710-a51d-a1e1b5f02305",
	"14822d85-a076-4cc5-88cd-dd02d5282bf9",
	"3698db5065c6281a9360b1d9d494b14b",
}
