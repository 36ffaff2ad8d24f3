package rules

import (
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/overlook-dev/overlook/internal/prom/promstorage"
)

// TestRuleGroupSpans: each group evaluation is a span of overlook's own
// traces, an error when one of its rules failed.
func TestRuleGroupSpans(t *testing.T) {
	env := newTestEnv(t)
	dir := t.TempDir()
	rules := "groups:\n" +
		"  - name: fine\n    rules:\n      - alert: Always\n        expr: vector(1) > 0\n" +
		// Duplicate series on the right of a one-to-one match: fails at evaluation.
		"  - name: broken\n    rules:\n      - record: dup\n        expr: vector(1) + on() (vector(1) or label_replace(vector(1), \"a\", \"b\", \"\", \"\"))\n"
	if err := os.WriteFile(filepath.Join(dir, "r.yml"), []byte(rules), 0o600); err != nil {
		t.Fatal(err)
	}
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	e, err := New(Options{Config: Config{RuleFiles: []string{filepath.Join(dir, "*.yml")}, EvaluationInterval: time.Second},
		QueryEngine: env.api.QueryEngine(), Parser: env.api.Parser(), Queryable: env.api.Queryable(),
		Appendable: promstorage.NewAppendable(env.st), Registerer: prometheus.NewRegistry(),
		Logger: slog.New(slog.DiscardHandler), Tracer: tp.Tracer("test")})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	e.Run()
	deadline := time.Now().Add(30 * time.Second)
	var fine, broken sdktrace.ReadOnlySpan
	for (fine == nil || broken == nil) && time.Now().Before(deadline) {
		for _, s := range rec.Ended() {
			switch s.Name() {
			case "rule group fine":
				fine = s
			case "rule group broken":
				broken = s
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if fine == nil || broken == nil {
		t.Fatalf("spans: fine %v broken %v (ended: %d)", fine != nil, broken != nil, len(rec.Ended()))
	}
	if fine.Status().Code == codes.Error {
		t.Errorf("fine group's span is an error: %v", fine.Status())
	}
	if broken.Status().Code != codes.Error || broken.Status().Description == "" {
		t.Errorf("broken group's span status %+v, want an error naming the failure", broken.Status())
	}
}
