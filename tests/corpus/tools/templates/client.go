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
	defaultStripeKey  = "⟦stripe-key⟧{{stripe:sk_test}}⟦/⟧"
	defaultWebhookURL = "⟦discord-webhook⟧{{discord-webhook}}⟦/⟧"
	buildCommit       = "{{sha1}}"
	schemaChecksum    = "{{sha256}}"
	requestTimeout    = 15 * time.Second
)

var twilioKey = "⟦twilio-key⟧{{twilio}}⟦/⟧"

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
	"{{uuid}}",
	"{{uuid}}",
	"{{hex:32}}",
}
