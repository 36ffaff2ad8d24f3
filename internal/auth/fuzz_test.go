package auth

import "testing"

// FuzzVerifyPassword: any stored hash string (a hand-edited users file)
// is refused or verified, never a panic.
func FuzzVerifyPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "pw")
	f.Add("$argon2id$v=19$m=1,t=1,p=0$$", "")
	f.Add("$$$$$", "x")
	old := maxArgonMemory
	maxArgonMemory = 64 // KiB: keep iterations cheap
	f.Cleanup(func() { maxArgonMemory = old })
	f.Fuzz(func(t *testing.T, hash, pw string) {
		if len(hash) > 200 {
			return
		}
		_, _ = VerifyPassword(hash, pw)
	})
}

// FuzzBearerOrBare: header parsing never panics and never grows.
func FuzzBearerOrBare(f *testing.F) {
	f.Add("Bearer abc")
	f.Add("bearer ")
	f.Add("")
	f.Fuzz(func(t *testing.T, v string) {
		if out := BearerOrBare(v); len(out) > len(v) {
			t.Fatalf("%q → %q", v, out)
		}
	})
}
