package patterns

import (
	"fmt"
	"testing"
)

func TestCluster(t *testing.T) {
	texts := []Text{
		{Text: "Failed to place order: order=1001 user=alice", Weight: 1},
		{Text: "Failed to place order: order=1002 user=bob", Weight: 2},
		{Text: "GET /api/products/OLJCESPC7Z 200", Weight: 1},
		{Text: "GET /api/cart 200", Weight: 1},
		{Text: "GET /api/products/66VCHSJNUP 200", Weight: 1},
		{Text: "Visa cache full: cannot add new item.", Weight: 5},
		{Text: "login ok", Weight: 1},
		{Text: "logout ok", Weight: 1},
		{Text: "single", Weight: 1},
		{Text: "other", Weight: 1},
		{Text: "  indented\tline ", Weight: 1},
	}
	got := Cluster(texts, Options{})
	want := []struct {
		pattern, like string
		weight        int64
		members       string
	}{
		{"Visa cache full: cannot add new item.", "Visa cache full: cannot add new item.", 5, "[5]"},
		{"Failed to place order: order=<*> <*>", "Failed to place order: order=% %", 3, "[1 0]"},
		{"GET /api/products/<*> <*>", "GET /api/products/% %", 2, "[2 4]"},
		{"GET /api/cart <*>", "GET /api/cart %", 1, "[3]"},
		{"indented line", "%indented%line%", 1, "[10]"},
		{"login ok", "login ok", 1, "[6]"},
		{"logout ok", "logout ok", 1, "[7]"},
		{"other", "other", 1, "[9]"},
		{"single", "single", 1, "[8]"},
	}
	if len(got) != len(want) {
		for _, p := range got {
			t.Logf("%q %d %v", p.String(), p.Weight, p.Members)
		}
		t.Fatalf("%d patterns, want %d", len(got), len(want))
	}
	for i, w := range want {
		p := got[i]
		if p.String() != w.pattern || p.Like() != w.like || p.Weight != w.weight || fmt.Sprint(p.Members) != w.members {
			t.Errorf("pattern %d = %q %q %d %v, want %q %q %d %s", i, p.String(), p.Like(), p.Weight, p.Members, w.pattern, w.like, w.weight, w.members)
		}
	}
	if like := (&Pattern{Tokens: []string{"100%", "a_b", `c\d`}}).Like(); like != `100\% a\_b c\\d` {
		t.Errorf("escaping: %q", like)
	}
}

func BenchmarkCluster(b *testing.B) {
	texts := make([]Text, 100_000)
	for i := range texts {
		switch i % 4 {
		case 0:
			texts[i] = Text{Text: fmt.Sprintf("Failed to place order: rpc error: code = Unknown desc = failed to charge card order=%d user=u%d@example.com", i*7919, i%100), Weight: 1}
		case 1:
			texts[i] = Text{Text: fmt.Sprintf("GET /api/products/%X 200 %dms", i*104729, i%300), Weight: 1}
		case 2:
			texts[i] = Text{Text: fmt.Sprintf("cache size %d entries, trace %032x", i, i*31), Weight: 1}
		default:
			texts[i] = Text{Text: fmt.Sprintf("payment processed amount=%d.99 currency=USD took %d.5ms", i%1000, i%50), Weight: 1}
		}
	}
	b.ResetTimer()
	for range b.N {
		if p := Cluster(texts, Options{}); len(p) != 4 {
			b.Fatalf("%d patterns", len(p))
		}
	}
}
