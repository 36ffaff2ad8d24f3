package distro

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap"
)

func TestSourcesURIs(t *testing.T) {
	tests := []struct {
		name    string
		src     Sources
		want    []string
		wantErr string
	}{
		{"default only", Sources{}, []string{DefaultConfigURI}, ""},
		{"merge order", Sources{Custom: "/etc/custom.yaml", Files: []string{"a.yaml", "env:X"}, DataDir: "/d", Sets: []string{"a::b=c"}},
			[]string{DefaultConfigURI, "file:/etc/custom.yaml", "file:a.yaml", "env:X",
				"yaml:extensions::overlook::storage::directory: '/d'", "yaml:a::b: c"}, ""},
		{"quote in data dir", Sources{DataDir: "it's"}, []string{DefaultConfigURI,
			"yaml:extensions::overlook::storage::directory: 'it''s'"}, ""},
		{"bad set", Sources{Sets: []string{"novalue"}}, nil, "use key=value"},
		{"empty key", Sources{Sets: []string{"=v"}}, nil, "use key=value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.src.URIs()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("URIs = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSetValueKeepsTypes: --set values are YAML, as with the collector's
// --set, so max_pending_rows=1000 reaches an int field (it used to be
// quoted into a string the config could not decode).
func TestSetValueKeepsTypes(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1000", "1000"},
		{"5s", "5s"},
		{"true", "true"},
		{"127.0.0.1:4317", "127.0.0.1:4317"},
		{"[memory_limiter, batch]", "[memory_limiter, batch]"},
		{`"0"`, `"0"`},
		{"", "''"},
		{"a: b", "'a: b'"},
		{"x # not a comment", "'x # not a comment'"},
		{"it's", "it's"},
		{"- a", "'- a'"},
		{"{a: 1}", "'{a: 1}'"},
	}
	for _, tc := range tests {
		if got := setValue(tc.in); got != tc.want {
			t.Errorf("setValue(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	conf, err := Resolve(context.Background(), Sources{Sets: []string{"extensions::overlook::storage::max_pending_rows=1000"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := conf.Get("extensions::overlook::storage::max_pending_rows"); got != 1000 {
		t.Errorf("max_pending_rows = %#v, want int 1000", got)
	}
}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestResolveMerges(t *testing.T) {
	custom := writeFile(t, `processors:
  memory_limiter:
    limit_percentage: 50
service:
  extensions: []
  pipelines:
    logs/extra:
      receivers: [otlp]
      exporters: [clickhouse]
`)
	conf, err := Resolve(context.Background(), Sources{Custom: custom, DataDir: "/var/lib/overlook",
		Sets: []string{"receivers::otlp::protocols::grpc::endpoint=127.0.0.1:9999"}})
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]any{
		// Maps merge deeply: the custom value wins, defaults stay.
		"processors::memory_limiter::limit_percentage": 50,
		"processors::memory_limiter::check_interval":   "250ms",
		"extensions::overlook::storage::directory":     "/var/lib/overlook",
		"receivers::otlp::protocols::grpc::endpoint":   "127.0.0.1:9999",
		"receivers::otlp::protocols::http::endpoint":   "0.0.0.0:4318",
		// The user emptied the extension list; the store's extension is
		// put back so the exporters keep working.
		"service::extensions": []any{"overlook"},
	}
	for k, want := range checks {
		if got := conf.Get(k); !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", k, got, want)
		}
	}
	if !conf.IsSet("service::pipelines::logs/extra") || !conf.IsSet("service::pipelines::traces") {
		t.Errorf("pipelines not merged: %v", conf.Get("service::pipelines"))
	}
}

func TestEnsureExtensionLeavesUserChoiceAlone(t *testing.T) {
	conf := confmap.NewFromStringMap(map[string]any{
		"extensions": map[string]any{"overlook": map[string]any{}},
		"service":    map[string]any{"extensions": []any{"overlook", "other"}},
	})
	if err := (ensureExtension{}).Convert(context.Background(), conf); err != nil {
		t.Fatal(err)
	}
	if got := conf.Get("service::extensions"); !reflect.DeepEqual(got, []any{"overlook", "other"}) {
		t.Errorf("extensions = %v", got)
	}
	bad := confmap.NewFromStringMap(map[string]any{
		"extensions": map[string]any{"overlook": map[string]any{}},
		"service":    map[string]any{"extensions": "overlook"},
	})
	if err := (ensureExtension{}).Convert(context.Background(), bad); err == nil {
		t.Error("a non-list service::extensions was accepted")
	}
}

func TestPrintAndValidate(t *testing.T) {
	var buf bytes.Buffer
	if err := Print(context.Background(), Sources{}, &buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"overlook:", "clickhouse: {}", "memory_limiter:", "0.0.0.0:4317"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("printed config lacks %q", want)
		}
	}
	if err := Validate(context.Background(), Sources{}); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
	bad := writeFile(t, "exporters:\n  overlook:\n    no_such_key: 1\n")
	err := Validate(context.Background(), Sources{Files: []string{bad}})
	if err == nil {
		t.Fatal("invalid config accepted")
	}
	for _, want := range []string{bad, "no_such_key"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}
