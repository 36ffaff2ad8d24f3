package promreceiver

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/receiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/overlook-dev/overlook/internal/prom/targets"
)

// seedSample is the line seed 000 shows Temporal Cloud answering with.
const seedSample = `temporal_cloud_v1_workflow_success_count{operation="CompletionStats",region="aws-us-east-2",temporal_account="l2c4n",temporal_namespace="clickpipes-aws-prd-apps-us-east-2.l2c4n",temporal_task_queue="clickpipes-svc-dc118d12-b397-4975-a33e-c2888ac12ac4-peer-flow-task-queue",temporal_workflow_type="QRepPartitionWorkflow"} 0.067 1765894320`

const exposition = `# TYPE http_requests counter
http_requests_total{code="200"} 10
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.1"} 1
latency_seconds_bucket{le="1"} 3
latency_seconds_bucket{le="+Inf"} 4
latency_seconds_sum 2.5
latency_seconds_count 4
# TYPE rpc summary
rpc{quantile="0.5"} 0.2
rpc{quantile="0.9"} 0.7
rpc_sum 5
rpc_count 10
# TYPE temp gauge
temp 21.5
` + seedSample + `
# EOF
`

// testServer serves OpenMetrics over TLS, checking the bearer token.
func testServer(t *testing.T, token string) *httptest.Server {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/metrics" {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "bad token", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/openmetrics-text; version=1.0.0; charset=utf-8")
		_, _ = w.Write([]byte(exposition))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// seedConfig is seed 000's receiver config, pointed at addr with the key
// in keyFile; the test server's certificate is trusted through ca_file.
func seedConfig(addr, keyFile, caFile string) map[string]any {
	return map[string]any{"config": map[string]any{"scrape_configs": []any{map[string]any{
		"job_name": "temporal-cloud", "scrape_interval": "1s", "scrape_timeout": "1s",
		"honor_timestamps": true, "scheme": "https", "metrics_path": "/v1/metrics",
		"authorization":  map[string]any{"type": "Bearer", "credentials_file": keyFile},
		"tls_config":     map[string]any{"ca_file": caFile},
		"static_configs": []any{map[string]any{"targets": []any{addr}}},
	}}}}
}

func loadConfig(t testing.TB, raw map[string]any) (*Config, error) {
	t.Helper()
	cfg := NewFactory(targets.NewRegistry()).CreateDefaultConfig().(*Config)
	if err := confmap.NewFromStringMap(raw).Unmarshal(cfg); err != nil {
		return nil, err
	}
	// As the collector does: Validate on every nested value too.
	return cfg, confmap.Validate(cfg)
}

func caFile(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	return writeFile(t, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})))
}

func startReceiver(t *testing.T, cfg *Config) (*consumertest.MetricsSink, *targets.Registry, *observer.ObservedLogs) {
	t.Helper()
	reg := targets.NewRegistry()
	sink := new(consumertest.MetricsSink)
	core, logs := observer.New(zap.WarnLevel)
	set := receivertest.NewNopSettings(Type)
	set.Logger = zap.New(core)
	set.ID = component.NewIDWithName(Type, "temporal")
	r, err := NewFactory(reg).CreateMetrics(context.Background(), set, cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background(), componenttestHost{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		if len(reg.Receivers()) != 0 {
			t.Errorf("receiver still registered after shutdown: %v", reg.Receivers())
		}
	})
	return sink, reg, logs
}

// startBenchReceiver starts a receiver sending to next.
func startBenchReceiver(t testing.TB, cfg *Config, next consumer.Metrics) receiver.Metrics {
	t.Helper()
	set := receivertest.NewNopSettings(Type)
	r, err := NewFactory(targets.NewRegistry()).CreateMetrics(context.Background(), set, cfg, next)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Start(context.Background(), componenttestHost{}); err != nil {
		t.Fatal(err)
	}
	return r
}

type componenttestHost struct{ component.Host }

func (componenttestHost) GetExtensions() map[component.ID]component.Component { return nil }

func waitFor(t *testing.T, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func findMetric(md []pmetric.Metrics, name string) (pmetric.Metric, pmetric.ResourceMetrics, bool) {
	for _, m := range md {
		for _, rm := range m.ResourceMetrics().All() {
			for _, sm := range rm.ScopeMetrics().All() {
				for _, mt := range sm.Metrics().All() {
					if mt.Name() == name {
						return mt, rm, true
					}
				}
			}
		}
	}
	return pmetric.Metric{}, pmetric.ResourceMetrics{}, false
}

func TestScrapeSeedTarget(t *testing.T) {
	srv := testServer(t, "s3cret")
	addr := strings.TrimPrefix(srv.URL, "https://")
	cfg, err := loadConfig(t, seedConfig(addr, writeFile(t, "temporal.key", "s3cret"), caFile(t, srv)))
	if err != nil {
		t.Fatal(err)
	}
	sink, reg, _ := startReceiver(t, cfg)
	waitFor(t, "a scrape", func() bool {
		_, _, ok := findMetric(sink.AllMetrics(), "temporal_cloud_v1_workflow_success_count")
		return ok
	})
	all := sink.AllMetrics()
	m, rm, _ := findMetric(all, "temporal_cloud_v1_workflow_success_count")
	if m.Type() != pmetric.MetricTypeGauge || m.Gauge().DataPoints().Len() == 0 {
		t.Fatalf("seed metric = %v", m.Type())
	}
	dp := m.Gauge().DataPoints().At(0)
	if dp.DoubleValue() != 0.067 || dp.Timestamp().AsTime().Unix() != 1765894320 {
		t.Errorf("seed point = %v at %v (honor_timestamps)", dp.DoubleValue(), dp.Timestamp().AsTime())
	}
	if v, _ := dp.Attributes().Get("temporal_workflow_type"); v.Str() != "QRepPartitionWorkflow" {
		t.Errorf("attributes = %v", dp.Attributes().AsRaw())
	}
	ra := rm.Resource().Attributes().AsRaw()
	for k, want := range map[string]any{"service.name": "temporal-cloud", "service.instance.id": addr, "url.scheme": "https"} {
		if ra[k] != want {
			t.Errorf("resource %s = %v, want %v", k, ra[k], want)
		}
	}
	tests := []struct {
		name string
		typ  pmetric.MetricType
	}{
		{"http_requests", pmetric.MetricTypeSum},
		{"latency_seconds", pmetric.MetricTypeHistogram},
		{"rpc", pmetric.MetricTypeSummary},
		{"temp", pmetric.MetricTypeGauge},
		{"up", pmetric.MetricTypeGauge},
		{"scrape_duration_seconds", pmetric.MetricTypeGauge},
		{"scrape_samples_scraped", pmetric.MetricTypeGauge},
	}
	for _, tc := range tests {
		m, _, ok := findMetric(all, tc.name)
		if !ok {
			t.Errorf("%s not scraped", tc.name)
		} else if m.Type() != tc.typ {
			t.Errorf("%s: type %v, want %v", tc.name, m.Type(), tc.typ)
		}
	}
	h, _, _ := findMetric(all, "latency_seconds")
	hp := h.Histogram().DataPoints().At(0)
	if got := hp.BucketCounts().AsRaw(); len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 1 || hp.Count() != 4 || hp.Sum() != 2.5 {
		t.Errorf("histogram = %v bounds %v count %d sum %v", got, hp.ExplicitBounds().AsRaw(), hp.Count(), hp.Sum())
	}
	c, _, _ := findMetric(all, "http_requests")
	if !c.Sum().IsMonotonic() || c.Sum().AggregationTemporality() != pmetric.AggregationTemporalityCumulative {
		t.Errorf("counter is not a cumulative monotonic sum")
	}
	up, _, _ := findMetric(all, "up")
	if up.Gauge().DataPoints().At(0).DoubleValue() != 1 || !strings.HasPrefix(up.Description(), "Health of the scrape target") {
		t.Errorf("up = %v (%q)", up.Gauge().DataPoints().At(0).DoubleValue(), up.Description())
	}
	active := reg.TargetsActive()["temporal-cloud"]
	if len(active) != 1 || active[0].URL().String() != srv.URL+"/v1/metrics" {
		t.Fatalf("active targets = %v", active)
	}
}

func TestScrapeFailures(t *testing.T) {
	srv := testServer(t, "s3cret")
	addr := strings.TrimPrefix(srv.URL, "https://")
	key := writeFile(t, "temporal.key", "wrong")
	tests := []struct {
		name    string
		cfg     map[string]any
		wantErr string
	}{
		{"wrong token", seedConfig(addr, key, caFile(t, srv)), "401 Unauthorized"},
		{"untrusted certificate", func() map[string]any {
			c := seedConfig(addr, key, caFile(t, srv))
			sc := c["config"].(map[string]any)["scrape_configs"].([]any)[0].(map[string]any)
			delete(sc, "tls_config")
			return c
		}(), "certificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := loadConfig(t, tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			sink, reg, logs := startReceiver(t, cfg)
			waitFor(t, "up 0", func() bool {
				m, _, ok := findMetric(sink.AllMetrics(), "up")
				return ok && m.Gauge().DataPoints().At(0).DoubleValue() == 0
			})
			if _, _, ok := findMetric(sink.AllMetrics(), "temporal_cloud_v1_workflow_success_count"); ok {
				t.Error("samples stored from a failed scrape")
			}
			active := reg.TargetsActive()["temporal-cloud"]
			if len(active) != 1 || active[0].LastError() == nil || !strings.Contains(active[0].LastError().Error(), tc.wantErr) {
				t.Fatalf("target lastError = %v, want it to name %q", active, tc.wantErr)
			}
			waitFor(t, "a log line", func() bool { return logs.Len() > 0 })
			entry := logs.All()[0]
			ctx := entry.ContextMap()
			if !strings.Contains(ctx["target"].(string), addr) || !strings.Contains(ctx["err"].(string), tc.wantErr) {
				t.Errorf("log line %q %v does not name the target and %q", entry.Message, ctx, tc.wantErr)
			}
		})
	}
}

func TestConfigValidation(t *testing.T) {
	key := writeFile(t, "k", "x")
	tests := []struct {
		name    string
		raw     map[string]any
		wantErr []string
	}{
		{"seed config", seedConfig("metrics.temporal.io", key, key), nil},
		{"all keys", map[string]any{"config": map[string]any{"scrape_configs": []any{map[string]any{
			"job_name": "j", "scrape_interval": "15s", "scrape_timeout": "10s", "honor_timestamps": false,
			"honor_labels": true, "scheme": "http", "metrics_path": "/m", "params": map[string]any{"a": []any{"b"}},
			"basic_auth":               map[string]any{"username": "u", "password": "p"},
			"tls_config":               map[string]any{"insecure_skip_verify": true},
			"static_configs":           []any{map[string]any{"targets": []any{"h:1"}, "labels": map[string]any{"env": "x"}}},
			"file_sd_configs":          []any{map[string]any{"files": []any{"/tmp/*.json"}}},
			"http_sd_configs":          []any{map[string]any{"url": "http://sd/"}},
			"relabel_configs":          []any{map[string]any{"source_labels": []any{"__address__"}, "target_label": "host"}},
			"metric_relabel_configs":   []any{map[string]any{"source_labels": []any{"__name__"}, "regex": "go_.*", "action": "drop"}},
			"fallback_scrape_protocol": "PrometheusText0.0.4",
		}}}}, nil},
		{"kubernetes sd", map[string]any{"config": map[string]any{"scrape_configs": []any{map[string]any{
			"job_name": "k", "kubernetes_sd_configs": []any{map[string]any{"role": "pod"}}}}}},
			[]string{"kubernetes_sd_configs is not supported", `job "k"`, "file_sd_configs"}},
		{"missing key file", seedConfig("h", "/nonexistent/temporal.key", key),
			[]string{"authorization::credentials_file", "/nonexistent/temporal.key"}},
		{"no scrape configs", map[string]any{"config": map[string]any{}}, []string{"scrape_configs is empty"}},
		{"remote write", map[string]any{"config": map[string]any{"remote_write": []any{map[string]any{"url": "http://x"}}}},
			[]string{"remote_write is not supported"}},
		{"bad interval", map[string]any{"config": map[string]any{"scrape_configs": []any{map[string]any{
			"job_name": "j", "scrape_interval": "soon"}}}}, []string{"soon"}},
		{"target allocator", map[string]any{"target_allocator": map[string]any{"endpoint": "x"},
			"config": seedConfig("h", key, key)["config"]}, []string{"target_allocator is not supported"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadConfig(t, tc.raw)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
