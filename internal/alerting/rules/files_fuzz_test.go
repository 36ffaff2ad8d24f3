package rules

import (
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
)

// FuzzValidateRuleFile: any bytes as a rule file give problems or none,
// never a panic, and every reported problem names the file.
func FuzzValidateRuleFile(f *testing.F) {
	for _, s := range []string{highRule, brokenRule, apiRules, "groups:\n  - name: g\n    rules: []\n  - name: g\n", "{", ""} {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile(qmtlRules); err == nil {
		f.Add(b)
	}
	p := parser.NewParser(parser.Options{})
	logger := slog.New(slog.DiscardHandler)
	f.Fuzz(func(t *testing.T, b []byte) {
		errs := validate(b, p, logger)
		if len(errs) == 0 {
			return
		}
		if msg := fileError("f.yml", errs).Error(); !strings.HasPrefix(msg, "rule file f.yml") {
			t.Fatalf("problem without the file name: %q", msg)
		}
	})
}
