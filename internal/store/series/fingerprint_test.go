package series

import "testing"

// TestFingerprintStable: fingerprints are stored, so they must not change
// across releases (the value is pinned) and attribute maps hash the same
// in any entry order.
func TestFingerprintStable(t *testing.T) {
	a := AttrsHash([]string{"k1", "k2"}, []string{"v1", "v2"})
	b := AttrsHash([]string{"k2", "k1"}, []string{"v2", "v1"})
	if a != b {
		t.Fatalf("entry order changes the hash: %x vs %x", a, b)
	}
	if AttrsHash([]string{"k1v", "2"}, []string{"", ""}) == AttrsHash([]string{"k1", "v2"}, []string{"", ""}) {
		t.Fatal("length prefixes missing: different keys collide")
	}
	id := Identity{Name: "http.server.duration", Unit: "ms", Scope: "s", Svc: "checkout", Res: a, Attrs: b, Mono: true, Temp: 2}
	got := id.Fingerprint()
	const want = uint64(0xf6a99100f80a931d)
	if got != want {
		t.Fatalf("fingerprint %x, want %x (stored values would no longer match)", got, want)
	}
	id.Temp = 1
	if id.Fingerprint() == got {
		t.Fatal("temporality does not change the fingerprint")
	}
}
