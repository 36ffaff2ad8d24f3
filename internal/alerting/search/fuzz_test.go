package search

import (
	"testing"
	"time"

	"github.com/overlook-dev/overlook/internal/meta"
	"github.com/overlook-dev/overlook/internal/query"
)

func FuzzParseInterval(f *testing.F) {
	for _, s := range []string{"5s", "1m", "1d", "7d", "-1d", "99999999999d", "1h30m", "", "d", "1.5d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseInterval(s)
		if err == nil && len(s) > 0 && s[len(s)-1] == 'd' && (d < 0 || d > 3650*24*time.Hour) {
			t.Fatalf("ParseInterval(%q) = %s out of the day range", s, d)
		}
	})
}

// FuzzNormalize: any query, group-by and message text is a
// ValidationError or a valid alert, never a panic.
func FuzzNormalize(f *testing.F) {
	f.Add("SeverityText:ERROR", "ServiceName", "{{.Name}}", "lucene")
	f.Add("Duration > 1e9", "SpanAttributes['x'], ServiceName", "", "sql")
	f.Add("a:(", "(", "{{", "sql")
	f.Fuzz(func(t *testing.T, q, group, msg, lang string) {
		a := meta.Alert{Name: "n", Source: "logs", Query: q, WhereLanguage: lang, GroupBy: []string{group},
			Interval: "1m", Message: msg, Channel: meta.Channel{Type: "webhook", URL: "http://x"}}
		_, err := Normalize(a, nil, query.Limits{}.WithDefaults())
		if err != nil {
			if _, ok := err.(*ValidationError); !ok {
				t.Fatalf("Normalize error %T %v, want *ValidationError", err, err)
			}
		}
	})
}
