package orders

import "testing"

// Fixture identifiers: none of these is a secret or personal data.
var fixtures = []struct {
	name   string
	id     string
	digest string
	blob   string
}{
	{"order-1", "{{uuid}}", "{{sha256}}", "{{b64:48}}"},
	{"order-2", "{{uuid}}", "{{sha256}}", "{{b64:48}}"},
	{"order-3", "{{uuid}}", "{{sha256}}", "{{b64:48}}"},
}

var (
	commitA     = "{{sha1}}"
	commitB     = "{{sha1}}"
	etag        = `W/"{{hex:32}}"`
	spanID      = "{{hex:16}}"
	traceParent = "00-{{hex:32}}-{{hex:16}}-01"
	epochNanos  = int64(1732181783441229312)
	maxUint32   = 4294967295
	orderNumber = 100045874
	isbn        = "978-0-13-468599-1"
	version     = "4.12.0-rc.3+build.20251121"
	ipv6        = "2001:db8:85a3::8a2e:370:7334"
	mac         = "3c:22:fb:91:0e:4d"
	badCard     = "{{card-bad:visa}}"
	badIBAN     = "{{iban-bad:NL}}"
	badSSN      = "{{ssn-bad:area666}}"
)

func TestFixtureIDsAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range fixtures {
		if seen[f.id] {
			t.Fatalf("duplicate id %s", f.id)
		}
		seen[f.id] = true
	}
	_ = []any{commitA, commitB, etag, spanID, traceParent, epochNanos, maxUint32, orderNumber, isbn, version, ipv6, mac, badCard, badIBAN, badSSN}
}
