package orders

import "testing"

// Fixture identifiers: none of these is a secret or personal data.
var fixtures = []struct {
	name   string
	id     string
	digest string
	blob   string
}{
	{"order-1", "c79484b1-2772-4df1-b141-d126e05b94bc", "25d9bc9e5852e4940333127712305b2c384f637761dee0fa7ad1d57dd4c42356", "XjOWszMtS3hu3nLTqWCYays14gnf6EoKNkbnWrnde2oup3N7GdabakHv1n92taPN"},
	{"order-2", "ba4609ef-719a-45e7-8d2d-2f7cf66d7870", "611711d60c104d08898ad78abed3045bd7e14baf52e3ea954c57b78e8e0fa683", "jI9cGJ+ziowjemddllsFP8rsv431AEagalJaknxPT9i7+yRcM6UsxeaoQ4FFC4Hl"},
	{"order-3", "a7edd634-0fde-437e-88a7-a00d1584ab3e", "b6a6db8042eb7513cc6473c6e135109460ded04811d09264a5349295e8ffa5dc", "z3YY3GY/5zYYtECWUekpEQyoqf26hIS1wrBaWXRKbKZV1PjR6INvNSP7eSuvyyXR"},
}

var (
	commitA     = "ebc91fd759e3603d13033c688676862875030970"
	commitB     = "9af9dd7b67502292f62b06421c26fa17e20ca8f8"
	etag        = `W/"87e53114df853f39862d69e22679fe72"`
	spanID      = "ba8e14a76e47f5c3"
	traceParent = "00-c00527839a9434dc3c5eda0fa88af9b4-0630eaddf33f819a-01"
	epochNanos  = int64(1732181783441229312)
	maxUint32   = 4294967295
	orderNumber = 100045874
	isbn        = "978-0-13-468599-1"
	version     = "4.12.0-rc.3+build.20251121"
	ipv6        = "2001:db8:85a3::8a2e:370:7334"
	mac         = "3c:22:fb:91:0e:4d"
	badCard     = "4224633621979787"
	badIBAN     = "NL08CLHC3722443178"
	badSSN      = "666-63-7638"
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
