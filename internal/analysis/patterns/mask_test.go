package patterns

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTokenize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Failed to place order: order=123456", "Failed to place order: order=<*>"},
		{"GET /api/products/OLJCESPC7Z 200 12ms", "GET /api/products/<*> <*> <*>"},
		{"user alice@example.com logged in from 10.0.0.12:8080", "user <*> logged in from <*>"},
		{"trace 6f1c0b7e-3b1a-4c2e-9d5f-2a1b3c4d5e6f done", "trace <*> done"},
		{"span 4bf92f3577b34da6 took 1.5s", "span <*> took <*>"},
		{"addr 0x7ffd1234 ptr 0XAB12", "addr <*> ptr <*>"},
		{"cache size 99,812 entries (80%)", "cache size <*> entries (<*>)"},
		{"pod checkout-7f9c8d-x2k4l restarted", "pod <*> restarted"},
		{"http2 v1 k8s utf8 ok", "http2 <*> k8s utf8 ok"},
		{"Visa cache full: cannot add new item.", "Visa cache full: cannot add new item."},
		{"delta -42 and +7", "delta <*> and <*>"},
		{"  spaced \t out\n", "spaced out"},
		{"", ""},
		{"id=[1,2,3]", "id=[<*>,<*>,<*>]"},
		{"key=abc123def", "key=<*>"},
	}
	for _, c := range cases {
		if got := strings.Join(Tokenize(c.in), " "); got != c.want {
			t.Errorf("Tokenize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestTokenizeBounds(t *testing.T) {
	long := strings.Repeat("word ", 1000)
	toks := Tokenize(long)
	if len(toks) != MaxTokens || toks[MaxTokens-1] != Wildcard {
		t.Fatalf("%d tokens, last %q; want %d ending in %s", len(toks), toks[len(toks)-1], MaxTokens, Wildcard)
	}
}

// FuzzTokenize: tokens are never empty and hold no white space, there are
// at most MaxTokens, tokenizing is deterministic, and a pattern's LIKE
// matches every text it was made of.
func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"Failed to place order: order=123", "GET /a/b?x=1&y=2 200", "a\x00b \xff\xfe", "µs 12µs",
		"user a@b.c from 1.2.3.4", "%_\\ 100% _x_", strings.Repeat("a ", 100), "<*> <*>", "  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := Tokenize(s)
		if len(toks) > MaxTokens {
			t.Fatalf("%d tokens", len(toks))
		}
		for _, tok := range toks {
			if tok == "" || strings.ContainsFunc(tok, func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' }) {
				t.Fatalf("bad token %q of %q", tok, s)
			}
		}
		if got := Tokenize(s); strings.Join(got, " ") != strings.Join(toks, " ") {
			t.Fatalf("not deterministic: %q vs %q", got, toks)
		}
		if len(s) > maxTextBytes || len(toks) == MaxTokens || !utf8.ValidString(s) {
			return
		}
		c := Cluster([]Text{{Text: s, Weight: 1}}, Options{})
		if len(c) != 1 {
			if len(toks) == 0 {
				return
			}
			t.Fatalf("%d clusters of one text", len(c))
		}
		if !likeMatch(c[0].Like(), s) {
			t.Fatalf("LIKE %q does not match its text %q", c[0].Like(), s)
		}
	})
}

// likeRef is SQL LIKE with escape character \, by recursion (the
// reference likeMatch is checked against).
func likeRef(pat, s string) bool {
	p := []rune(pat)
	r := []rune(s)
	var m func(i, j int) bool
	memo := map[[2]int]bool{}
	m = func(i, j int) bool {
		if v, ok := memo[[2]int{i, j}]; ok {
			return v
		}
		var res bool
		switch {
		case i == len(p):
			res = j == len(r)
		case p[i] == '%':
			res = m(i+1, j) || j < len(r) && m(i, j+1)
		case p[i] == '\\' && i+1 < len(p):
			res = j < len(r) && r[j] == p[i+1] && m(i+2, j+1)
		case p[i] == '_':
			res = j < len(r) && m(i+1, j+1)
		default:
			res = j < len(r) && r[j] == p[i] && m(i+1, j+1)
		}
		memo[[2]int{i, j}] = res
		return res
	}
	return m(0, 0)
}

func FuzzLikeMatch(f *testing.F) {
	for _, c := range [][2]string{{"a%b", "axxb"}, {`a\%b`, "a%b"}, {"%_%", "x"}, {"a_c", "abc"}, {"%a%a%", "banana"}, {`\`, `\`}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, pat, s string) {
		if len(pat) > 40 || len(s) > 40 {
			return
		}
		if got, want := likeMatch(pat, s), likeRef(pat, s); got != want {
			t.Fatalf("likeMatch(%q, %q) = %v, want %v", pat, s, got, want)
		}
	})
}
